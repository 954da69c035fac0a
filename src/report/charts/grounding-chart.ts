import type { GroundingConditionName, GroundingReportSummary } from '../grounding-report.js';
import type { Baseline, StrategyResult } from '../run-report.js';
import { renderChartSvg } from './render-svg.js';
import { strategyAccuracySpec } from './strategy-accuracy-chart.js';

/** How each condition is named in tables and figures. */
export const conditionLabels: Record<GroundingConditionName, string> = {
  'real-image': 'real image',
  'blank-image': 'blank image (mid-grey)',
  'other-image': "another item's image",
  'no-image': 'no image',
};

/** The floors the conditions are read against: answer-position prior and majority label. */
export function groundingBaselines(summary: GroundingReportSummary): Baseline[] {
  const baselines: Baseline[] = [];
  if (summary.positionPrior)
    baselines.push({
      name: `position prior (${summary.positionPrior.mostFrequentKey})`,
      accuracy: summary.positionPrior.accuracy,
      ci95: summary.positionPrior.ci95,
    });
  if (summary.majority)
    baselines.push({
      name: `majority (${summary.majority.label})`,
      accuracy: summary.majority.accuracy,
      ci95: summary.majority.ci95,
    });
  return baselines;
}

/**
 * The grounding figure as a standalone SVG file: accuracy per condition with Wilson 95% error
 * bars and the floors as dashed lines, drawn by the report's own accuracy chart (one bar per
 * condition). The report inlines its SVG without a namespace; a file needs it to open anywhere.
 */
export async function renderGroundingChart(summary: GroundingReportSummary, title: string): Promise<string> {
  const bars = summary.conditions.map(
    (condition): StrategyResult => ({
      name: conditionLabels[condition.condition],
      n: condition.n,
      correct: condition.correct,
      accuracy: condition.accuracy,
      ci95: condition.ci95,
    }),
  );
  const svg = await renderChartSvg(
    { ...strategyAccuracySpec(bars, groundingBaselines(summary)), title },
    `Visual grounding: ${title}`,
  );
  return svg.replace(/^<svg /, '<svg xmlns="http://www.w3.org/2000/svg" ');
}
