import type { TopLevelSpec } from 'vega-lite';
import type { TrainingHistory } from '../run-report.js';

/** The series name of a training history: its strategy, and stage where there is one. */
export function historyName(history: TrainingHistory): string {
  return history.stage ? `${history.strategy} / ${history.stage}` : history.strategy;
}

/** Training (solid) and validation (dashed) loss per step, one colour per strategy and stage. */
export function trainingLossSpec(histories: readonly TrainingHistory[]): TopLevelSpec {
  const rows = histories.flatMap((history) =>
    history.points.flatMap((point) => [
      { series: historyName(history), step: point.step, loss: point.loss, kind: 'training' },
      ...(point.validationLoss !== undefined
        ? [{ series: historyName(history), step: point.step, loss: point.validationLoss, kind: 'validation' }]
        : []),
    ]),
  );
  const spec: TopLevelSpec = {
    width: 560,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'linear', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: 'strategy / stage', sort: null },
      strokeDash: {
        field: 'kind',
        type: 'nominal',
        title: null,
        scale: {
          domain: ['training', 'validation'],
          range: [
            [1, 0],
            [5, 3],
          ],
        },
      },
      detail: { field: 'kind' },
    },
  };
  return spec;
}
