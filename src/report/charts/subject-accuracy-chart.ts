import type { TopLevelSpec } from 'vega-lite';
import { type StrategyResult, strategyLabel } from '../run-report.js';

/** Per-subject accuracy, one bar per strategy within each subject, with 95% interval rules. */
export function subjectAccuracySpec(strategies: readonly StrategyResult[]): TopLevelSpec {
  const rows = strategies.flatMap((strategy) =>
    (strategy.perSubject ?? []).map((row) => ({
      strategy: strategyLabel(strategy),
      subject: `${row.subject}`,
      accuracy: row.accuracy,
      low: row.ci95[0],
      high: row.ci95[1],
      n: row.n,
    })),
  );
  const y = {
    field: 'subject',
    type: 'nominal',
    title: null,
    sort: null,
    axis: { labelLimit: 400 },
  } as const;
  const x = {
    type: 'quantitative' as const,
    title: 'accuracy (95% interval)',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  const yOffset = { field: 'strategy', type: 'nominal', sort: null } as const;
  const color = { field: 'strategy', type: 'nominal', title: 'strategy', sort: null } as const;
  const spec: TopLevelSpec = {
    width: 560,
    height: { step: 12 },
    data: { values: rows },
    encoding: { y, yOffset },
    layer: [
      {
        name: 'subject_bars',
        mark: { type: 'bar', height: { band: 0.8 } },
        encoding: { x: { ...x, field: 'accuracy' }, color },
      },
      {
        name: 'subject_ci95',
        mark: { type: 'rule', color: '#111827' },
        encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } },
      },
    ],
  };
  return spec;
}
