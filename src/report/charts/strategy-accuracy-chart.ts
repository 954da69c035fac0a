import type { TopLevelSpec } from 'vega-lite';
import { type Baseline, type StrategyResult, strategyLabel } from '../run-report.js';

/** Names of the chart's layers; they appear as SVG class names (tests look for the error bars). */
export const strategyChartLayers = {
  bars: 'accuracy_bars',
  errorBars: 'ci95_errorbars',
  baselines: 'baseline_rules',
} as const;

/**
 * Accuracy per strategy as horizontal bars with 95% interval error bars, and the baselines as
 * dashed vertical lines: a difference only matters where the bars clear the baselines and each
 * other's intervals (and the paired test says so).
 */
export function strategyAccuracySpec(
  strategies: readonly StrategyResult[],
  baselines: readonly Baseline[],
): TopLevelSpec {
  const rows = strategies.map((strategy) => ({
    strategy: strategyLabel(strategy),
    accuracy: strategy.accuracy,
    low: strategy.ci95[0],
    high: strategy.ci95[1],
    n: strategy.n,
  }));
  const y = {
    field: 'strategy',
    type: 'nominal',
    title: null,
    sort: null,
    axis: { labelLimit: 400 },
  } as const;
  // Baseline names sit above the plot, staggered so that close baselines do not overprint.
  const baselineRows = baselines.map((baseline, index) => ({
    name: baseline.name,
    accuracy: baseline.accuracy,
    offset: -6 - 12 * index,
  }));
  const x = {
    type: 'quantitative' as const,
    title: 'accuracy (95% interval)',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  const spec: TopLevelSpec = {
    width: 560,
    height: { step: 28 },
    layer: [
      {
        name: strategyChartLayers.bars,
        data: { values: rows },
        mark: { type: 'bar', color: '#4c78a8', height: { band: 0.7 } },
        encoding: { y, x: { ...x, field: 'accuracy' } },
      },
      {
        name: strategyChartLayers.errorBars,
        data: { values: rows },
        mark: { type: 'errorbar', ticks: { color: '#111827' }, rule: { color: '#111827', strokeWidth: 1.5 } },
        encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' } },
      },
      {
        name: strategyChartLayers.baselines,
        data: { values: baselineRows },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#b45309' },
        encoding: { x: { ...x, field: 'accuracy' } },
      },
      // One text layer per baseline: a fixed pixel height each, which a shared y encoding cannot give.
      ...baselineRows.map((row) => ({
        data: { values: [row] },
        mark: {
          type: 'text' as const,
          align: 'left' as const,
          baseline: 'bottom' as const,
          dx: 3,
          y: row.offset,
          fontSize: 10,
          color: '#b45309',
        },
        encoding: { x: { ...x, field: 'accuracy' }, text: { field: 'name', type: 'nominal' as const } },
      })),
    ],
  };
  return spec;
}
