import { basename } from 'node:path';
import { html } from '../../report/html-escape.js';
import { finalAnswer, type ItemTrace } from '../item-trace.js';
import type { StrategyRun } from '../run-directory.js';
import { answerBadge } from './items-page.js';
import { layout } from './layout.js';
import { traceBody } from './trace-page.js';

export interface Side {
  label: string;
  runs: readonly StrategyRun[];
  run: StrategyRun;
  traces: ReadonlyMap<string, ItemTrace>;
}

function runSelect(name: string, side: Side) {
  return html`<label>${side.label}<select name="${name}">${side.runs.map(
    (run) =>
      html`<option value="${run.key}"${run.key === side.run.key ? ' selected' : ''}>${run.key}</option>`,
  )}</select></label>`;
}

const query = (a: Side, b: Side) => `a=${encodeURIComponent(a.run.key)}&b=${encodeURIComponent(b.run.key)}`;

/** Two runs' items side by side: each item's final answer in both, with the ones that differ first. */
export function comparePage(a: Side, b: Side): string {
  const ids = [...a.traces.keys()].filter((id) => b.traces.has(id));
  const differs = (id: string) =>
    finalAnswer(a.traces.get(id)!)?.correct !== finalAnswer(b.traces.get(id)!)?.correct;
  ids.sort((x, y) => Number(differs(y)) - Number(differs(x)));
  const body = html`<h1>Side by side</h1>
<form class="filters" method="get" action="/compare">${runSelect('a', a)}${runSelect('b', b)}<button type="submit">Compare</button></form>
<p class="meta">${ids.length} items in both; ${ids.filter(differs).length} with a different outcome.</p>
<table id="compare"><thead><tr><th>item</th><th>${a.label}: ${a.run.key}</th><th>${b.label}: ${b.run.key}</th></tr></thead><tbody>
${ids.map(
  (id) =>
    html`<tr><td><a href="/compare/item/${encodeURIComponent(id)}?${query(a, b)}">${id}</a></td><td>${answerBadge(finalAnswer(a.traces.get(id)!))}</td><td>${answerBadge(finalAnswer(b.traces.get(id)!))}</td></tr>`,
)}</tbody></table>`;
  return layout({ title: 'Side by side', runName: `${a.label} / ${b.label}`, compare: true }, body);
}

/** One item's trace in two runs, in two columns. */
export function compareItemPage(itemId: string, a: Side, b: Side): string {
  const column = (side: Side) => {
    const trace = side.traces.get(itemId);
    return html`<div><h2>${side.label}: ${side.run.key}</h2>${
      trace
        ? traceBody(side.run, trace, { reviewable: false, reviewer: '' })
        : html`<p class="note">Not in this run.</p>`
    }</div>`;
  };
  const body = html`<h1>${itemId}</h1><div class="columns">${column(a)}${column(b)}</div>`;
  return layout(
    { title: itemId, runName: `${basename(a.label)} / ${basename(b.label)}`, compare: true },
    body,
  );
}
