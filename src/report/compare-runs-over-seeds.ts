import type { BootstrapOptions } from '../eval/statistics/bootstrap.js';
import { holmAdjust } from '../eval/statistics/holm.js';
import { compareMultiSeed } from '../eval/statistics/multi-seed-comparison.js';
import type { RunReport, SeedComparison, SeedSummary } from './run-report.js';

/** One strategy of two multi-seed runs: each run's seeds, mean and spread, and the seed-aware comparison. */
export interface SeedPairComparison extends SeedComparison {
  summaryA: SeedSummary;
  summaryB: SeedSummary;
  method: string;
}

/** Per seed, each item's correctness for the final student named `name`, keyed by item id. */
function seedOutcomes(report: RunReport, name: string, seed: number): Map<string, boolean> | undefined {
  const strategy = report.strategies.find((entry) => entry.name === name && entry.seed === seed);
  return strategy?.outcomes ? new Map(strategy.outcomes.map((o) => [o.itemId, o.correct])) : undefined;
}

/**
 * Compare two multi-seed runs strategy by strategy over the seeds both have, by the runs' own
 * seed-aware method: shared items are aligned on the item ids every seed of both runs has
 * (per-item mean correctness, sign-flip test); per-seed draws pair within each seed's draw.
 * Empty when either run has one seed or their designs differ. Holm across the strategies.
 */
export function compareRunsOverSeeds(
  a: RunReport,
  b: RunReport,
  bootstrap: BootstrapOptions = {},
): SeedPairComparison[] {
  const design = a.seedStatistics?.design;
  if (!design || design === 'single-seed' || design !== b.seedStatistics?.design) return [];
  const pairs: SeedPairComparison[] = [];
  for (const summaryA of a.seedSummaries ?? []) {
    const summaryB = b.seedSummaries?.find((entry) => entry.name === summaryA.name);
    if (!summaryB) continue;
    const seeds = summaryA.seeds
      .map((entry) => entry.seed)
      .filter((seed) => summaryB.seeds.some((entry) => entry.seed === seed));
    const maps = seeds.map((seed) => [
      seedOutcomes(a, summaryA.name, seed),
      seedOutcomes(b, summaryB.name, seed),
    ]);
    if (seeds.length < 2 || maps.some(([left, right]) => !left || !right)) continue;
    const shared = (index: number) =>
      [...maps[index]![0]!.keys()].filter((id) =>
        design === 'shared-items'
          ? maps.every(([left, right]) => left!.has(id) && right!.has(id))
          : maps[index]![1]!.has(id),
      );
    const ids = seeds.map((_, index) => shared(index));
    if (ids.some((list) => list.length === 0)) continue;
    const rowsA = ids.map((list, index) => list.map((id) => maps[index]![0]!.get(id)!));
    const rowsB = ids.map((list, index) => list.map((id) => maps[index]![1]!.get(id)!));
    const compared = compareMultiSeed(rowsA, rowsB, design, bootstrap);
    pairs.push({
      a: `${a.title}: ${summaryA.name}`,
      b: `${b.title}: ${summaryB.name}`,
      seeds: compared.seeds,
      units: compared.units,
      aBetter: compared.aBetter,
      bBetter: compared.bBetter,
      difference: compared.difference,
      differenceCi95: compared.differenceCi95,
      pValue: compared.pValue,
      summaryA,
      summaryB,
      method: compared.method,
    });
  }
  const adjusted = holmAdjust(pairs.map((pair) => pair.pValue));
  return pairs.map((pair, index) => ({ ...pair, pValueHolm: adjusted[index]! }));
}
