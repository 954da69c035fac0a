import { reliabilitySpec } from './charts/reliability-chart.js';
import { renderChartSvg } from './charts/render-svg.js';
import { strategyAccuracySpec } from './charts/strategy-accuracy-chart.js';
import { subjectAccuracySpec } from './charts/subject-accuracy-chart.js';
import { trainingLossSpec } from './charts/training-loss-chart.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from './format.js';
import { html, type TrustedHtml, trustedHtml } from './html-escape.js';
import { type RunReport, strategyLabel } from './run-report.js';
import type { ErrorEntry } from './worst-errors.js';

/* The sections of the HTML report. Every value goes through the escaping `html` template. */

async function figure(name: string, svg: Promise<string>, caption: string): Promise<TrustedHtml> {
  return html`<figure data-chart="${name}">${trustedHtml(await svg)}<figcaption>${caption}</figcaption></figure>`;
}

export async function strategiesSection(report: RunReport): Promise<TrustedHtml> {
  const chart = await figure(
    'strategy-accuracy',
    renderChartSvg(
      strategyAccuracySpec(report.strategies, report.baselines),
      'Accuracy per strategy with 95% intervals',
    ),
    'Bars: accuracy; black error bars: Wilson 95% interval; dashed lines: baselines.',
  );
  const rows = report.strategies.map(
    (strategy) => html`<tr>
      <td>${strategyLabel(strategy)}</td><td>${strategy.model ?? ''}</td><td>${strategy.mode ?? ''}</td>
      <td class="number">${strategy.n}</td><td class="number">${strategy.correct}</td>
      <td class="number">${formatPercent(strategy.accuracy)}</td><td class="number">${formatInterval(strategy.ci95)}</td>
      <td class="number">${strategy.loglik ? `${formatPercent(strategy.loglik.accuracy)} ${formatInterval(strategy.loglik.ci95)}` : '\u2013'}</td>
      <td class="number">${strategy.accNorm ? formatPercent(strategy.accNorm.accuracy) : '\u2013'}</td>
      <td class="number">${strategy.ece !== undefined ? formatPercent(strategy.ece) : '\u2013'}</td>
      <td class="number">${strategy.failed ?? '\u2013'}</td><td class="number">${strategy.unanswered ?? '\u2013'}</td>
    </tr>`,
  );
  return html`<section id="strategies"><h2>Accuracy by strategy</h2>${chart}
    <table data-table="strategies"><thead><tr><th>strategy</th><th>model</th><th>mode</th><th class="number">n</th>
    <th class="number">correct</th><th class="number">accuracy</th><th class="number">95% CI</th><th class="number">by log-likelihood</th><th class="number">acc_norm</th>
    <th class="number">ECE</th><th class="number">failed</th><th class="number">unanswered</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="note">Failed and unanswered items count as wrong. Intervals are Wilson score intervals. By log-likelihood: the same model choosing the option whose answer it finds likeliest (items with options only).</p>
    ${report.baselines.length > 0 ? baselinesTable(report) : ''}</section>`;
}

function baselinesTable(report: RunReport): TrustedHtml {
  const rows = report.baselines.map(
    (
      baseline,
    ) => html`<tr><td>${baseline.name}</td><td class="number">${formatPercent(baseline.accuracy)}</td>
      <td class="number">${baseline.ci95 ? formatInterval(baseline.ci95) : '\u2013'}</td><td>${baseline.note ?? ''}</td></tr>`,
  );
  return html`<h3>Baselines</h3><table data-table="baselines"><thead><tr><th>baseline</th><th class="number">accuracy</th>
    <th class="number">95% CI</th><th>note</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function comparisonsSection(report: RunReport): TrustedHtml | '' {
  if (report.comparisons.length === 0) return '';
  const rows = report.comparisons.map((comparison) => {
    const p = comparison.pValueHolm ?? comparison.pValue;
    return html`<tr class="${p < 0.05 ? 'significant' : ''}"><td>${comparison.a}</td><td>${comparison.b}</td>
      <td class="number">${comparison.n}</td><td class="number">${comparison.onlyACorrect}</td><td class="number">${comparison.onlyBCorrect}</td>
      <td class="number">${formatDifference(comparison.difference)}</td><td class="number">${formatInterval(comparison.differenceCi95)}</td>
      <td class="number">${formatPValue(comparison.pValue)}</td>
      <td class="number">${comparison.pValueHolm !== undefined ? formatPValue(comparison.pValueHolm) : '\u2013'}</td></tr>`;
  });
  return html`<section id="comparisons"><h2>Paired comparisons</h2>
    <table data-table="comparisons"><thead><tr><th>A</th><th>B</th><th class="number">n</th><th class="number">only A right</th>
    <th class="number">only B right</th><th class="number">A \u2212 B</th><th class="number">95% CI</th>
    <th class="number">McNemar p</th><th class="number">Holm p</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="note">n: items both were scored on. Exact McNemar test on the items where exactly one was right; 95% CI of
    the difference by paired bootstrap; Holm's correction across all comparisons shown. Bold: Holm p &lt; 0.05.</p></section>`;
}

export async function subjectsSection(report: RunReport): Promise<TrustedHtml | ''> {
  const strategies = report.strategies.filter((strategy) => (strategy.perSubject?.length ?? 0) > 0);
  const subjects = [
    ...new Set(strategies.flatMap((strategy) => strategy.perSubject!.map((row) => row.subject))),
  ];
  if (subjects.length === 0) return '';
  const chart = await figure(
    'subject-accuracy',
    renderChartSvg(subjectAccuracySpec(strategies), 'Accuracy per subject'),
    'Accuracy per subject with 95% intervals.',
  );
  const header = strategies.map((strategy) => html`<th class="number">${strategyLabel(strategy)}</th>`);
  const rows = subjects.map((subject) => {
    const cells = strategies.map((strategy) => {
      const row = strategy.perSubject!.find((candidate) => candidate.subject === subject);
      return row
        ? html`<td class="number">${formatPercent(row.accuracy)} ${formatInterval(row.ci95)} (n=${row.n})</td>`
        : html`<td class="number">\u2013</td>`;
    });
    return html`<tr><td>${subject}</td>${cells}</tr>`;
  });
  return html`<section id="subjects"><h2>Accuracy by subject</h2>${chart}
    <table data-table="subjects"><thead><tr><th>subject</th>${header}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

export async function trainingSection(report: RunReport): Promise<TrustedHtml | ''> {
  const histories = report.trainingHistories.filter((history) => history.points.length > 0);
  if (histories.length === 0) return '';
  const chart = await figure(
    'training-loss',
    renderChartSvg(trainingLossSpec(histories), 'Training loss curves'),
    'Training loss (solid) and validation loss (dashed) per step.',
  );
  return html`<section id="training"><h2>Training</h2>${chart}</section>`;
}

export async function calibrationSection(report: RunReport): Promise<TrustedHtml | ''> {
  const strategies = report.strategies.filter((strategy) =>
    strategy.reliability?.some((bin) => bin.count > 0),
  );
  if (strategies.length === 0) return '';
  const chart = await figure(
    'reliability',
    renderChartSvg(reliabilitySpec(strategies), 'Reliability diagrams'),
    'Accuracy per equal-width confidence bin (bars), mean confidence in the bin (diamonds), perfect calibration (dashed).',
  );
  return html`<section id="calibration"><h2>Calibration</h2>${chart}</section>`;
}

function errorDetails(entry: ErrorEntry): TrustedHtml {
  const { item } = entry;
  const options = item?.options
    ? html`<ol class="options">${item.options.map(
        (option) =>
          html`<li class="${option.key === item.answerKey ? 'reference' : ''}">${option.key}. ${option.text}</li>`,
      )}</ol>`
    : '';
  const answers = entry.outcomes.map(
    ({ strategy, outcome }) => html`<h4>${strategy}</h4>
    <p>Student answer: <span class="answer ${outcome.correct ? 'right' : 'wrong'}">${outcome.prediction ?? '(no answer read)'}</span>
    ${outcome.confidence !== undefined ? html` <span class="note">confidence ${formatPercent(outcome.confidence)}</span>` : ''}
    ${outcome.error ? html` <span class="note">error: ${outcome.error}</span>` : ''}</p>
    ${outcome.rawOutput ? html`<details class="raw-output"><summary>Full reply</summary><pre>${outcome.rawOutput}</pre></details>` : ''}
    ${outcome.correctiveChain ? html`<details class="corrective-chain" open><summary>Corrective chain (teacher)</summary><pre>${outcome.correctiveChain}</pre></details>` : ''}`,
  );
  const summaryText = item ? item.question.replace(/\s+/g, ' ').slice(0, 140) : '';
  return html`<details class="error-item" data-item-id="${entry.itemId}">
    <summary><strong>${entry.itemId}</strong> \u2013 wrong in ${entry.wrongCount}/${entry.outcomeCount}
    ${entry.worstConfidence > 0 ? html` (confidence ${formatPercent(entry.worstConfidence)})` : ''}
    ${item?.subject ? html` \u00b7 ${item.subject}` : ''} \u00b7 <span class="note">${summaryText}</span></summary>
    ${item ? html`<p class="question">${item.question}</p>${options}<p>Reference: <strong>${item.reference}</strong></p>` : html`<p class="note">Item text not in the report.</p>`}
    ${item?.teacherExplanation ? html`<h4>Teacher explanation</h4><pre>${item.teacherExplanation}</pre>` : ''}
    ${answers}</details>`;
}

export function errorsSection(entries: readonly ErrorEntry[]): TrustedHtml | '' {
  if (entries.length === 0) return '';
  return html`<section id="errors"><h2>Worst errors</h2>
    <p class="note">Items most strategies got wrong first, then the most confident wrong answers. Click an item to open it.</p>
    ${entries.map(errorDetails)}</section>`;
}
