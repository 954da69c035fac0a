import { basename } from 'node:path';
import { formatInterval, formatPercent } from '../../report/format.js';
import { html } from '../../report/html-escape.js';
import { strategyLabel } from '../../report/run-report.js';
import type { ReviewDecision } from '../../store/review-log.js';
import type { ItemTrace } from '../item-trace.js';
import type { RunSnapshot, StrategyRun } from '../run-directory.js';
import { layout } from './layout.js';

export interface OverviewInput {
  snapshot: RunSnapshot;
  traces: ReadonlyMap<string, ReadonlyMap<string, ItemTrace>>;
  decisions: readonly ReviewDecision[];
  compare: boolean;
}

function runSummary(run: StrategyRun, traces: ReadonlyMap<string, ItemTrace> | undefined) {
  const all = [...(traces?.values() ?? [])];
  const train = all.filter((trace) => trace.set === 'train');
  const test = all.filter((trace) => trace.set === 'test');
  const finals = test.map((trace) => trace.answers.at(-1)).filter((answer) => answer !== undefined);
  return html`<tr><td><a href="/items?run=${encodeURIComponent(run.key)}">${run.strategy}</a></td>
<td class="number">${run.seed}</td><td class="number">${train.length}</td>
<td class="number">${train.filter((trace) => trace.screening?.agrees === false).length}</td>
<td class="number">${train.reduce((sum, trace) => sum + trace.texts.length, 0)}</td>
<td class="number">${train.reduce((sum, trace) => sum + trace.texts.filter((text) => text.review).length, 0)}</td>
<td class="number">${finals.length > 0 ? `${finals.filter((answer) => answer.correct === true).length}/${finals.length}` : '\u2013'}</td>
<td>${run.stages.map((stage) => html`<span class="badge" title="${stage.finishedAt.toISOString()}">${stage.name}</span> `)}</td></tr>`;
}

/** The run at a glance: the report's figures, every strategy's stages so far, and the review counts. */
export function overviewPage(input: OverviewInput): string {
  const { snapshot, decisions } = input;
  const report = snapshot.report;
  const title = report?.title ?? basename(snapshot.directory);
  const counts = (verdict: ReviewDecision['decision']) =>
    decisions.filter((decision) => decision.decision === verdict).length;
  const reviewedItems = new Set(decisions.map((decision) => decision.itemId)).size;
  const body = html`<h1>${title}</h1>
<p class="meta">${snapshot.directory} \u00b7 ${snapshot.items.size} items</p>
${
  snapshot.running
    ? html`<p class="running" id="running">Running: process ${snapshot.running.pid} since ${snapshot.running.startedAt}; this page reloads every 5 seconds.</p>`
    : ''
}
<p id="review-counts">Reviewed: ${reviewedItems} item${reviewedItems === 1 ? '' : 's'} (${counts('accept')} accepted, ${counts('edit')} edited, ${counts('reject')} rejected).</p>
<h2>Figures</h2>
${
  report
    ? html`<table><thead><tr><th>strategy</th><th class="number">n</th><th class="number">correct</th><th class="number">accuracy</th><th>95% CI</th></tr></thead><tbody>
${report.strategies.map(
  (strategy) =>
    html`<tr><td>${strategyLabel(strategy)}</td><td class="number">${strategy.n}</td><td class="number">${strategy.correct}</td><td class="number">${formatPercent(strategy.accuracy)}</td><td>${formatInterval(strategy.ci95)}</td></tr>`,
)}</tbody></table>${report.description ? html`<p class="note">${report.description}</p>` : ''}`
    : html`<p class="note">No results.json yet: the run has not finished.</p>`
}
<h2>Strategies and stages</h2>
<table><thead><tr><th>strategy</th><th class="number">seed</th><th class="number">training items</th><th class="number">dropped by screening</th><th class="number">teacher texts</th><th class="number">reviewed</th><th class="number">test right</th><th>stages finished, in order</th></tr></thead>
<tbody>${snapshot.runs.map((run) => runSummary(run, input.traces.get(run.key)))}</tbody></table>`;
  return layout(
    {
      title,
      runName: basename(snapshot.directory),
      compare: input.compare,
      ...(snapshot.running ? { refreshSeconds: 5 } : {}),
    },
    body,
  );
}
