import { ConfigError } from '../errors.js';
import type { BootstrapOptions } from '../eval/statistics/bootstrap.js';
import { compareOutcomes, type OutcomeComparison, withHolm } from './compare-outcomes.js';
import { compareRunsOverSeeds, type SeedPairComparison } from './compare-runs-over-seeds.js';
import { type RunReport, type StrategyResult, strategyLabel } from './run-report.js';

export interface CompareRunsOptions {
  /** Compare this strategy of run A (by label) ... */
  strategyA?: string;
  /** ... with this strategy of run B. */
  strategyB?: string;
  bootstrap?: BootstrapOptions;
}

export interface RunsComparison {
  runA: string;
  runB: string;
  /** Holm-adjusted across the pairs. */
  pairs: OutcomeComparison[];
  /** Multi-seed runs of one design: each shared strategy over seeds (Holm across these). */
  overSeeds: SeedPairComparison[];
}

function byLabel(report: RunReport, label: string, side: string): StrategyResult {
  const strategy = report.strategies.find((candidate) => strategyLabel(candidate) === label);
  if (!strategy) {
    const known = report.strategies.map(strategyLabel).join(', ');
    throw new ConfigError(`run ${side} ("${report.title}") has no strategy "${label}"; it has: ${known}`);
  }
  return strategy;
}

function choosePairs(
  a: RunReport,
  b: RunReport,
  options: CompareRunsOptions,
): [StrategyResult, StrategyResult][] {
  if (options.strategyA !== undefined || options.strategyB !== undefined) {
    const first = options.strategyA ?? options.strategyB!;
    const second = options.strategyB ?? options.strategyA!;
    return [[byLabel(a, first, 'A'), byLabel(b, second, 'B')]];
  }
  const shared = a.strategies.flatMap((strategy) => {
    const other = b.strategies.find((candidate) => strategyLabel(candidate) === strategyLabel(strategy));
    return other ? [[strategy, other] as [StrategyResult, StrategyResult]] : [];
  });
  if (shared.length > 0) return shared;
  if (a.strategies.length === 1 && b.strategies.length === 1) return [[a.strategies[0]!, b.strategies[0]!]];
  throw new ConfigError('the runs share no strategy name; say which strategies to compare');
}

/**
 * Compare two runs item by item: strategies with the same label are paired (or the only strategy
 * of each run, or the ones named), each pair tested with the exact McNemar test on the item ids
 * both have outcomes for, and the p-values Holm-adjusted across pairs. Runs with several seeds
 * are also compared strategy by strategy over seeds (see {@link compareRunsOverSeeds}).
 */
export function compareRuns(a: RunReport, b: RunReport, options: CompareRunsOptions = {}): RunsComparison {
  const pairs = choosePairs(a, b, options).map(([first, second]) => {
    if (!first.outcomes?.length || !second.outcomes?.length) {
      throw new ConfigError(
        `strategy "${strategyLabel(first.outcomes?.length ? second : first)}" has no per-item outcomes to pair`,
      );
    }
    const labelA = `${a.title}: ${strategyLabel(first)}`;
    const labelB = `${b.title}: ${strategyLabel(second)}`;
    const compared = compareOutcomes(
      { label: labelA, outcomes: first.outcomes },
      { label: labelB, outcomes: second.outcomes },
      options.bootstrap,
    );
    if (!compared) throw new ConfigError(`"${labelA}" and "${labelB}" share no item ids`);
    return compared;
  });
  const named = options.strategyA !== undefined || options.strategyB !== undefined;
  return {
    runA: a.title,
    runB: b.title,
    pairs: withHolm(pairs),
    overSeeds: named ? [] : compareRunsOverSeeds(a, b, options.bootstrap),
  };
}
