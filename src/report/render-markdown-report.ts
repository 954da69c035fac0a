import { formatDifference, formatInterval, formatPercent, formatPValue } from './format.js';
import { groundingMarkdownLines } from './grounding-markdown.js';
import { parseRunReport } from './read-run-report.js';
import { reviewLine } from './review-line.js';
import { type RunReport, type RunReportInput, strategyLabel } from './run-report.js';
import { worstErrors } from './worst-errors.js';

/** Make text safe inside a Markdown table cell: no pipes breaking columns, no newlines. */
function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Over seeds: per-seed accuracies, mean, spread and interval, then the seed-aware comparisons, with their methods. */
function seedLines(report: RunReport): string[] {
  if (!report.seedSummaries || !report.seedStatistics) return [];
  const lines = [
    '## Over seeds',
    '',
    table(
      ['strategy', 'per seed', 'mean', 'SD', 'min–max', '95% CI'],
      report.seedSummaries.map((summary) => [
        summary.name,
        summary.seeds.map((seed) => `${seed.seed}: ${formatPercent(seed.accuracy)}`).join(', '),
        formatPercent(summary.mean),
        `${(summary.sd * 100).toFixed(1)} pp`,
        `${formatPercent(summary.min)}–${formatPercent(summary.max)}`,
        formatInterval(summary.ci95),
      ]),
    ),
    '',
    `Design: ${report.seedStatistics.design}. Intervals: ${report.seedStatistics.accuracyMethod}.`,
    '',
  ];
  const comparisons = report.seedComparisons ?? [];
  if (comparisons.length > 0)
    lines.push(
      table(
        ['A', 'B', 'seeds', 'units', 'A better', 'B better', 'A − B', '95% CI', 'p', 'Holm p'],
        comparisons.map((comparison) => [
          comparison.a,
          comparison.b,
          String(comparison.seeds),
          String(comparison.units),
          String(comparison.aBetter),
          String(comparison.bBetter),
          formatDifference(comparison.difference),
          formatInterval(comparison.differenceCi95),
          formatPValue(comparison.pValue),
          comparison.pValueHolm !== undefined ? formatPValue(comparison.pValueHolm) : '–',
        ]),
      ),
      '',
      `Comparisons: ${report.seedStatistics.comparisonMethod}; Holm across these comparisons.`,
      '',
    );
  return lines;
}

export interface MarkdownReportOptions {
  /** How many error items to list (default 10). */
  maxErrors?: number;
  /** Where report.md is written: image links are made relative to it (default: the working directory). */
  directory?: string;
}

/**
 * A Markdown summary of a run: accuracy with intervals, baselines, paired tests, subjects, the
 * grounding analysis, top errors.
 */
export function renderMarkdownReport(input: RunReportInput, options: MarkdownReportOptions = {}): string {
  const report = parseRunReport(input, '(report)');
  const lines: string[] = [
    `# ${cell(report.title)}`,
    '',
    `${report.createdAt}${report.dataset ? ` · dataset ${cell(report.dataset.name)}` : ''}`,
    '',
  ];
  if (report.description) lines.push(cell(report.description), '');
  if (report.egress) lines.push(`Network: ${cell(report.egress)}`, '');
  if (report.review) lines.push(reviewLine(report.review), '');
  lines.push('## Accuracy by strategy', '');
  lines.push(
    table(
      ['strategy', 'n', 'correct', 'accuracy', '95% CI', 'by log-likelihood', 'acc_norm', 'ECE', 'failed'],
      report.strategies.map((strategy) => [
        strategyLabel(strategy),
        String(strategy.n),
        String(strategy.correct),
        formatPercent(strategy.accuracy),
        formatInterval(strategy.ci95),
        strategy.loglik
          ? `${formatPercent(strategy.loglik.accuracy)} ${formatInterval(strategy.loglik.ci95)}`
          : '–',
        strategy.accNorm ? formatPercent(strategy.accNorm.accuracy) : '–',
        strategy.ece !== undefined ? formatPercent(strategy.ece) : '–',
        strategy.failed !== undefined ? String(strategy.failed) : '–',
      ]),
    ),
    '',
    'Failed and unanswered items count as wrong; intervals are Wilson 95%. "By log-likelihood": the same ' +
      'model choosing the option whose answer line it finds likeliest (items with options only).',
    '',
  );
  lines.push(...seedLines(report));
  if (report.baselines.length > 0) {
    lines.push('### Baselines', '');
    lines.push(
      table(
        ['baseline', 'accuracy', '95% CI', 'note'],
        report.baselines.map((baseline) => [
          baseline.name,
          formatPercent(baseline.accuracy),
          baseline.ci95 ? formatInterval(baseline.ci95) : '–',
          baseline.note ?? '',
        ]),
      ),
      '',
    );
  }
  if (report.comparisons.length > 0) {
    lines.push(report.seedSummaries ? '## Paired comparisons, seed by seed' : '## Paired comparisons', '');
    lines.push(
      table(
        ['A', 'B', 'shared items', 'only A right', 'only B right', 'A − B', '95% CI', 'McNemar p', 'Holm p'],
        report.comparisons.map((comparison) => [
          comparison.a,
          comparison.b,
          String(comparison.n),
          String(comparison.onlyACorrect),
          String(comparison.onlyBCorrect),
          formatDifference(comparison.difference),
          formatInterval(comparison.differenceCi95),
          formatPValue(comparison.pValue),
          comparison.pValueHolm !== undefined ? formatPValue(comparison.pValueHolm) : '–',
        ]),
      ),
      '',
    );
  }
  const withSubjects = report.strategies.filter((strategy) => (strategy.perSubject?.length ?? 0) > 0);
  const subjects = [
    ...new Set(withSubjects.flatMap((strategy) => strategy.perSubject!.map((row) => row.subject))),
  ];
  if (subjects.length > 0) {
    lines.push('## Accuracy by subject', '');
    lines.push(
      table(
        ['subject', ...withSubjects.map(strategyLabel)],
        subjects.map((subject) => [
          subject,
          ...withSubjects.map((strategy) => {
            const row = strategy.perSubject!.find((candidate) => candidate.subject === subject);
            return row ? `${formatPercent(row.accuracy)} ${formatInterval(row.ci95)} (n=${row.n})` : '–';
          }),
        ]),
      ),
      '',
    );
  }
  lines.push(...groundingMarkdownLines(report.grounding, options.directory ?? '.'));
  const errors = worstErrors(report, options.maxErrors ?? 10);
  if (errors.length > 0) {
    lines.push('## Worst errors', '');
    lines.push(
      table(
        ['item', 'wrong in', 'question', 'reference', 'answers'],
        errors.map((entry) => [
          entry.itemId,
          `${entry.wrongCount}/${entry.outcomeCount}`,
          (entry.item?.question ?? '').slice(0, 160),
          entry.item?.reference ?? '',
          entry.outcomes
            .map(
              ({ strategy, outcome }) =>
                `${strategy}: ${outcome.prediction ?? '(none)'}${outcome.correct ? ' ✓' : ' ✗'}`,
            )
            .join('; '),
        ]),
      ),
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
