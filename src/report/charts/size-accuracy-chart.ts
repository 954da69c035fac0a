import type { TopLevelSpec } from 'vega-lite';
import type { DeployReport } from '../deploy-report.js';

/**
 * File size against accuracy, one point per exported variant with its 95% interval: the
 * trade-off a deployment picks from (smaller files to the left; a drop shows as a lower point).
 */
export function sizeAccuracySpec(deploy: DeployReport): TopLevelSpec {
  const rows = deploy.rows
    .filter((row) => row.accuracy !== undefined)
    .map((row) => ({
      variant: row.label,
      megabytes: row.fileBytes / 1024 / 1024,
      accuracy: row.accuracy!,
      low: row.ci95?.[0] ?? row.accuracy!,
      high: row.ci95?.[1] ?? row.accuracy!,
    }));
  const x = {
    field: 'megabytes',
    type: 'quantitative',
    title: 'file size (MB)',
    scale: { zero: true },
  } as const;
  const y = {
    type: 'quantitative' as const,
    title: 'accuracy (95% interval)',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  return {
    width: 480,
    height: 260,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'rule', color: '#111827' },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'point', filled: true, size: 70, color: '#4c78a8' },
        encoding: { x, y: { ...y, field: 'accuracy' } },
      },
      {
        mark: { type: 'text', dx: 8, align: 'left', fontSize: 11 },
        encoding: { x, y: { ...y, field: 'accuracy' }, text: { field: 'variant' } },
      },
    ],
  };
}
