import { join } from 'node:path';
import { writeItemsJsonl } from '../../datasets/export/items-jsonl.js';
import type { Item } from '../../datasets/item.js';
import { AbortedError, BudgetExceededError, RunFailedError } from '../../errors.js';
import type { RunReportInput } from '../../report/run-report.js';
import { mapConcurrent } from '../../util/map-concurrent.js';
import { strategyNamed } from '../strategies/registry.js';
import type { StrategyOutcome } from '../strategies/strategy.js';
import type { RunEvent, StudentSettings } from '../strategy-context.js';
import type { Teacher } from '../teacher/teacher.js';
import { buildRunReport } from './build-report.js';
import { type DistillationResults, summarise } from './results.js';
import { ReviewSet } from './review-set.js';
import { StageCache } from './stage-cache.js';
import { TrainingCache } from './training-cache.js';

/** The data, teacher and student of one seed when each seed has its own benchmark draw. */
export interface SeedData {
  train: Item[];
  test: Item[];
  teacher: Teacher;
  student: StudentSettings;
}

export interface DistillationSetup {
  name: string;
  directory: string;
  strategies: string[];
  seeds: number[];
  train: Item[];
  test: Item[];
  teacher: Teacher;
  student: StudentSettings;
  concurrency: number;
  parallelStrategies: number;
  samples: number;
  rounds: number;
  stage2Replay: boolean;
  /**
   * Seeds with their own data (a fresh benchmark draw each, with its teacher and student base);
   * seeds not listed use `train`, `test`, `teacher` and `student`. When set, the statistics treat
   * items as nested in seeds.
   */
  perSeed?: ReadonlyMap<number, SeedData>;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /** Reviewer decisions to apply (default: the latest ones in the run directory's store). */
  reviews?: ReviewSet;
}

/** Every item the run uses, once, so `medistill view` can show an item's text beside its trace. */
export const runItemsFileName = 'items.jsonl';

/**
 * Run every strategy for every seed, side by side up to `parallelStrategies` (each training runs
 * in its own worker thread, so two strategies use both cores), then summarise with intervals and
 * paired tests. Each (strategy, seed) keeps its work in its own directory and resumes there.
 */
export async function runDistillation(
  setup: DistillationSetup,
): Promise<{ results: DistillationResults; report: RunReportInput; referenceModel?: string }> {
  const chosen = setup.strategies.map(strategyNamed);
  const jobs = chosen.flatMap((strategy) => setup.seeds.map((seed) => ({ strategy, seed })));
  const outcomes = new Map<string, StrategyOutcome[]>();
  const trainingCache = new TrainingCache(join(setup.directory, 'trained-models'));
  const errors = new Map<string, string>();
  const dataFor = (seed: number): SeedData => setup.perSeed?.get(seed) ?? setup;
  const reviews = setup.reviews ?? ReviewSet.fromRunDirectory(setup.directory);
  const items = new Map(
    setup.seeds
      .flatMap((seed) => [...dataFor(seed).train, ...dataFor(seed).test])
      .map((item) => [item.id, item]),
  );
  await writeItemsJsonl(items.values(), join(setup.directory, runItemsFileName));
  const settled = await mapConcurrent(
    jobs,
    setup.parallelStrategies,
    async ({ strategy, seed }) => {
      const directory = join(setup.directory, strategy.name, `seed-${seed}`);
      const data = dataFor(seed);
      return strategy.run({
        strategy: strategy.name,
        seed,
        directory,
        stages: new StageCache(directory),
        train: data.train,
        test: data.test,
        teacher: data.teacher,
        student: data.student,
        concurrency: setup.concurrency,
        samples: setup.samples,
        rounds: setup.rounds,
        stage2Replay: setup.stage2Replay,
        emit: (event) => setup.onEvent?.(event),
        trainingCache,
        reviews,
        ...(setup.signal ? { signal: setup.signal } : {}),
      });
    },
    setup.signal ? { signal: setup.signal } : {},
  );
  settled.forEach((outcome, index) => {
    const { strategy } = jobs[index]!;
    if (outcome.ok) {
      const list = outcomes.get(strategy.name) ?? [];
      list.push(outcome.value);
      outcomes.set(strategy.name, list);
    } else {
      // A spent budget or an abort is the run's to stop on; it resumes from here on rerun.
      if (outcome.error instanceof BudgetExceededError || outcome.error instanceof AbortedError)
        throw outcome.error;
      errors.set(strategy.name, outcome.error.message);
    }
  });
  // With nothing to report, the run ends with each strategy's reason, not with an empty report.
  if (outcomes.size === 0 && errors.size > 0) throw new RunFailedError(errors);
  const reference = setup.strategies.includes('medthink') ? 'medthink' : setup.strategies.at(-1);
  const results = summarise({
    name: setup.name,
    outcomes,
    errors,
    descriptions: new Map(chosen.map((strategy) => [strategy.name, strategy.description])),
    seeds: setup.seeds,
    trainFor: (seed) => dataFor(seed).train,
    testFor: (seed) => dataFor(seed).test,
    perSeedDraws: setup.perSeed !== undefined,
    reference,
  });
  const test = [...new Set(setup.seeds.flatMap((seed) => dataFor(seed).test))];
  const report = buildRunReport({ results, outcomes, test, reference });
  // A strategy that failed is named in the report, so its absence from the table is explained.
  if (errors.size > 0)
    report.description = `${report.description ?? ''} Failed: ${[...errors]
      .map(([strategy, message]) => `${strategy} (${message})`)
      .join('; ')}`.trim();
  if (reviews.size > 0) report.review = reviews.summary();
  // The reference strategy's final student at its first seed: what a deploy stage exports.
  const referenceModel = reference ? outcomes.get(reference)?.[0]?.evaluations.at(-1)?.modelPath : undefined;
  return { results, report, ...(referenceModel ? { referenceModel } : {}) };
}
