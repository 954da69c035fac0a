import type { TopLevelSpec } from 'vega-lite';
import { type StrategyResult, strategyLabel } from '../run-report.js';

/**
 * Reliability diagram per strategy: for each equal-width confidence bin, the accuracy of the
 * predictions in it (bars) against the diagonal of perfect calibration. Bars under the diagonal
 * mean overconfidence.
 */
export function reliabilitySpec(strategies: readonly StrategyResult[]): TopLevelSpec {
  const panelName = (strategy: StrategyResult): string =>
    `${strategyLabel(strategy)}${strategy.ece !== undefined ? ` (ECE ${(strategy.ece * 100).toFixed(1)}%)` : ''}`;
  const rows = strategies.flatMap((strategy) =>
    (strategy.reliability ?? [])
      .filter((bin) => bin.count > 0)
      .map((bin) => ({
        strategy: panelName(strategy),
        lower: bin.lower,
        upper: bin.upper,
        accuracy: bin.accuracy,
        confidence: bin.meanConfidence,
        count: bin.count,
      })),
  );
  const unit = { type: 'quantitative' as const, scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  const spec: TopLevelSpec = {
    data: { values: rows },
    // Panels in the report's strategy order, not alphabetical.
    facet: { field: 'strategy', type: 'nominal', title: null, sort: strategies.map(panelName) },
    columns: 3,
    spec: {
      width: 220,
      height: 220,
      layer: [
        {
          name: 'reliability_bars',
          mark: { type: 'rect', color: '#4c78a8', opacity: 0.8, stroke: '#fff' },
          encoding: {
            x: { ...unit, field: 'lower', title: 'confidence' },
            x2: { field: 'upper' },
            y: { ...unit, field: 'accuracy', title: 'accuracy' },
            y2: { datum: 0 },
          },
        },
        {
          name: 'reliability_confidence',
          mark: { type: 'point', shape: 'diamond', color: '#b45309', filled: true },
          encoding: { x: { ...unit, field: 'confidence' }, y: { ...unit, field: 'accuracy' } },
        },
        {
          name: 'reliability_diagonal',
          mark: { type: 'rule', strokeDash: [4, 3], color: '#6b7280' },
          encoding: {
            x: { datum: 0, type: 'quantitative' },
            y: { datum: 0, type: 'quantitative' },
            x2: { datum: 1 },
            y2: { datum: 1 },
          },
        },
      ],
    },
  };
  return spec;
}
