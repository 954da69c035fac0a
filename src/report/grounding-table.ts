import { conditionLabels, groundingBaselines } from './charts/grounding-chart.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from './format.js';
import type { GroundingReport } from './grounding-report.js';

/**
 * The grounding result as text lines: accuracy per condition with its interval, the paired
 * tests of the real image against each control, and the floors. The CLI prints these and
 * report.md holds them. A vision GroundingResult is accepted as it is.
 */
export function formatGroundingTable(
  result: Pick<GroundingReport, 'modelId' | 'seed' | 'excluded' | 'summary'>,
): string[] {
  const { summary, excluded } = result;
  const lines = [
    `${result.modelId}: visual grounding on ${summary.n} items (other-image seed ${result.seed})`,
    `excluded: ${excluded.openEnded} open-ended, ${excluded.withoutImages} without images, ${excluded.imageProblems} with an image that cannot be sent`,
    '',
    `${'condition'.padEnd(24)} ${'accuracy'.padStart(8)}  ${'95% interval'.padEnd(14)} ${'correct'.padStart(9)}  unanswered  failed  prompt tokens`,
  ];
  for (const condition of summary.conditions) {
    lines.push(
      [
        conditionLabels[condition.condition].padEnd(24),
        formatPercent(condition.accuracy).padStart(8),
        ` ${formatInterval(condition.ci95).padEnd(14)}`,
        `${condition.correct}/${condition.n}`.padStart(9),
        ` ${String(condition.unanswered).padStart(10)}`,
        String(condition.failed).padStart(7),
        condition.meanPromptTokens.toFixed(1).padStart(14),
      ].join(' '),
    );
  }
  lines.push('', 'real image vs control (paired, exact McNemar; Holm over the three controls)');
  for (const comparison of summary.comparisons) {
    lines.push(
      `  vs ${conditionLabels[comparison.condition].padEnd(24)} ${formatDifference(comparison.difference).padStart(9)} ${formatInterval(comparison.differenceCi95).padEnd(16)} only real ${comparison.onlyRealCorrect}, only control ${comparison.onlyControlCorrect}, p ${formatPValue(comparison.pValue)}, Holm p ${formatPValue(comparison.pValueHolm)}`,
    );
  }
  lines.push('', 'floors');
  for (const baseline of groundingBaselines(summary)) {
    lines.push(
      `  ${baseline.name.padEnd(27)} ${formatPercent(baseline.accuracy).padStart(8)}${baseline.ci95 ? `  ${formatInterval(baseline.ci95)}` : ''}`,
    );
  }
  if (summary.positionPrior)
    lines.push(
      `  ${'chance (uniform guess)'.padEnd(27)} ${formatPercent(summary.positionPrior.chanceAccuracy).padStart(8)}`,
    );
  return lines;
}
