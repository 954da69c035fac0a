import type { Item } from '../../datasets/item.js';
import type { Interval } from '../../eval/statistics/interval.js';
import { multiSeedAccuracy, type SeedDesign } from '../../eval/statistics/multi-seed-accuracy.js';
import { compareMultiSeed } from '../../eval/statistics/multi-seed-comparison.js';
import type { Evaluation } from '../../methods/stages/evaluate.js';
import type { StrategyOutcome } from '../../methods/strategies/strategy.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from '../../report/format.js';

/** One row of the bench: a strategy's student after one stage. */
export interface ArmDefinition {
  arm: string;
  strategy: string;
  stage: string;
}

export const REAL_STUDENT_ARMS: readonly ArmDefinition[] = [
  { arm: 'zero-shot', strategy: 'zero-shot', stage: 'base' },
  { arm: 'answer-only', strategy: 'answer-only', stage: 'student' },
  { arm: 'MedThink stage 1', strategy: 'medthink', stage: 'stage1' },
  { arm: 'MedThink stage 2', strategy: 'medthink', stage: 'stage2' },
];

export interface ArmSeed {
  seed: number;
  correct: number;
  total: number;
  accuracy: number;
  /** The same student by log-likelihood over the options. */
  loglikAccuracy?: number;
  /** Wall time of the run up to this arm's last stage (MedThink's stage 1 is part of its run). */
  wallMs?: number;
  /** Stage 2 trained nothing (no training errors), so this row repeats stage 1 for the seed. */
  stage2Skipped?: boolean;
}

export interface ArmResult extends ArmDefinition {
  seeds: ArmSeed[];
  accuracy: number;
  ci95: Interval;
  effectiveItems: number;
  loglikAccuracy?: number;
  meanWallMs?: number;
  /** This arm minus answer-only, paired on the same items (absent for answer-only itself). */
  versusAnswerOnly?: { difference: number; differenceCi95: Interval; pValue: number; units: number };
}

/** Per (strategy, seed), when its run started and when each stage last reported, in ms. */
export type RunTimings = ReadonlyMap<string, { start: number; end: number; stages: Map<string, number> }>;

export const timingKey = (strategy: string, seed: number): string => `${strategy}#${seed}`;

function evaluationFor(outcome: StrategyOutcome | undefined, stage: string): Evaluation | undefined {
  const evaluations = outcome?.evaluations ?? [];
  return evaluations.find((evaluation) => evaluation.stage === stage);
}

/**
 * The bench's rows from the strategies' outcomes: per-seed accuracies, the seed-aware mean and
 * interval, and each arm against answer-only paired on the same (seed, item) units.
 */
export function realStudentArms(options: {
  outcomes: ReadonlyMap<string, StrategyOutcome[]>;
  seeds: readonly number[];
  testFor: (seed: number) => readonly Item[];
  timings: RunTimings;
}): ArmResult[] {
  const design: SeedDesign = 'per-seed-draws';
  const resolved = REAL_STUDENT_ARMS.map((definition) => {
    const rows: boolean[][] = [];
    const seeds: ArmSeed[] = [];
    for (const seed of options.seeds) {
      const outcome = options.outcomes.get(definition.strategy)?.find((entry) => entry.seed === seed);
      let evaluation = evaluationFor(outcome, definition.stage);
      const stage2Skipped = definition.stage === 'stage2' && !evaluation && outcome !== undefined;
      // MedThink stops before stage 2 when stage 1 answers every training item right.
      if (stage2Skipped) evaluation = evaluationFor(outcome, 'stage1');
      if (!evaluation) return { definition, rows: undefined, seeds };
      const byId = new Map(evaluation.predictions.map((p) => [p.itemId, p.correct === true]));
      const row = options.testFor(seed).map((item) => byId.get(item.id) ?? false);
      rows.push(row);
      const timing = options.timings.get(timingKey(definition.strategy, seed));
      const stageEnd = definition.stage === 'stage1' ? timing?.stages.get('stage1') : timing?.end;
      seeds.push({
        seed,
        correct: evaluation.correct,
        total: evaluation.total,
        accuracy: evaluation.total ? evaluation.correct / evaluation.total : 0,
        ...(evaluation.loglik
          ? { loglikAccuracy: evaluation.loglik.correct / Math.max(1, evaluation.loglik.total) }
          : {}),
        ...(timing && stageEnd !== undefined ? { wallMs: stageEnd - timing.start } : {}),
        ...(stage2Skipped ? { stage2Skipped } : {}),
      });
    }
    return { definition, rows, seeds };
  });
  const reference = resolved.find((entry) => entry.definition.strategy === 'answer-only')?.rows;
  const mean = (values: (number | undefined)[]) => {
    const present = values.filter((value): value is number => value !== undefined);
    return present.length === values.length && present.length > 0
      ? present.reduce((sum, value) => sum + value, 0) / present.length
      : undefined;
  };
  return resolved.flatMap(({ definition, rows, seeds }): ArmResult[] => {
    if (!rows) return [];
    const accuracy = multiSeedAccuracy(rows, design);
    const loglikAccuracy = mean(seeds.map((seed) => seed.loglikAccuracy));
    const meanWallMs = mean(seeds.map((seed) => seed.wallMs));
    const compared =
      reference && definition.strategy !== 'answer-only'
        ? compareMultiSeed(rows, reference, design, { seed: 1 })
        : undefined;
    return [
      {
        ...definition,
        seeds,
        accuracy: accuracy.accuracy,
        ci95: accuracy.ci95,
        effectiveItems: accuracy.effectiveItems,
        ...(loglikAccuracy !== undefined ? { loglikAccuracy } : {}),
        ...(meanWallMs !== undefined ? { meanWallMs } : {}),
        ...(compared
          ? {
              versusAnswerOnly: {
                difference: compared.difference,
                differenceCi95: compared.differenceCi95,
                pValue: compared.pValue,
                units: compared.units,
              },
            }
          : {}),
      },
    ];
  });
}

const minutes = (ms: number) =>
  ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 60_000).toFixed(1)} min`;

/** The bench's Markdown table, one row per arm. */
export function realStudentMarkdownTable(arms: readonly ArmResult[]): string {
  const lines = [
    '| arm | per seed | mean [95% CI] | by log-likelihood | minus answer-only [95% CI] (p) | wall time per run |',
    '|---|---|---|---|---|---|',
  ];
  for (const arm of arms) {
    const perSeed = arm.seeds
      .map((seed) => `${(seed.accuracy * 100).toFixed(1)}${seed.stage2Skipped ? '*' : ''}`)
      .join(' / ');
    const versus = arm.versusAnswerOnly
      ? `${formatDifference(arm.versusAnswerOnly.difference)} ${formatInterval(arm.versusAnswerOnly.differenceCi95)} (${formatPValue(arm.versusAnswerOnly.pValue)})`
      : '';
    const time =
      arm.meanWallMs === undefined
        ? ''
        : `${minutes(arm.meanWallMs)}${arm.stage === 'stage1' ? ' (to its evaluation, inside the MedThink run)' : ''}`;
    lines.push(
      `| ${arm.arm} | ${perSeed} | ${formatPercent(arm.accuracy)} ${formatInterval(arm.ci95)} | ${
        arm.loglikAccuracy === undefined ? '' : formatPercent(arm.loglikAccuracy)
      } | ${versus} | ${time} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
