import { basename } from 'node:path';
import { html, type TrustedHtml } from '../../report/html-escape.js';
import type { ItemFilter } from '../item-filter.js';
import type { ItemTrace, StageAnswer } from '../item-trace.js';
import type { RunSnapshot, StrategyRun } from '../run-directory.js';
import { layout } from './layout.js';

export function traceHref(run: StrategyRun, itemId: string): string {
  return `/item/${encodeURIComponent(run.strategy)}/${run.seed}/${encodeURIComponent(itemId)}`;
}

export function answerBadge(answer: StageAnswer | undefined): TrustedHtml | string {
  if (!answer) return '\u2013';
  const outcome = answer.correct === true ? 'right' : answer.correct === false ? 'wrong' : '';
  return html`<span class="badge ${outcome}" title="${answer.reply}">${answer.answer ?? '(none)'} ${
    answer.correct === true ? '\u2713' : answer.correct === false ? '\u2717' : '?'
  }</span>`;
}

function select(name: string, label: string, values: readonly string[], chosen: string | undefined) {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${values.map(
    (value) => html`<option value="${value}"${value === chosen ? ' selected' : ''}>${value}</option>`,
  )}</select></label>`;
}

export interface ItemsInput {
  snapshot: RunSnapshot;
  run: StrategyRun;
  traces: readonly ItemTrace[];
  shown: readonly ItemTrace[];
  filter: ItemFilter;
  compare: boolean;
}

/** The items of one strategy run, filtered: a row each with its outcome at every stage. */
export function itemsPage(input: ItemsInput): string {
  const { run, filter } = input;
  const stages = [...new Set(input.traces.flatMap((trace) => trace.answers.map((answer) => answer.stage)))];
  const subjects = [
    ...new Set(input.traces.map((trace) => trace.item?.subject).filter((subject) => subject !== undefined)),
  ].sort();
  const body = html`<h1>Items \u00b7 ${run.strategy}, seed ${run.seed}</h1>
<form class="filters" method="get" action="/items">
${select(
  'run',
  'strategy',
  input.snapshot.runs.map((candidate) => candidate.key),
  run.key,
)}
${select('stage', 'stage', stages, filter.stage)}
${select('outcome', 'outcome', ['right', 'wrong'], filter.outcome)}
${select('set', 'items', ['train', 'test'], filter.set)}
${select('subject', 'subject', subjects, filter.subject)}
${select('dropped', 'dropped by screening', ['yes', 'no'], filter.dropped)}
${select('changed', 'changed between stages', ['yes', 'no'], filter.changed)}
${select('reviewed', 'reviewed', ['yes', 'no'], filter.reviewed)}
<label>search<input type="search" name="q" value="${filter.q ?? ''}"></label>
<button type="submit">Filter</button></form>
<p class="meta" id="item-count">${input.shown.length} of ${input.traces.length} items</p>
<table id="items"><thead><tr><th>item</th><th>set</th><th>subject</th><th>screening</th>${stages.map(
    (stage) => html`<th>${stage}</th>`,
  )}<th>teacher texts</th></tr></thead><tbody>
${input.shown.map(
  (
    trace,
  ) => html`<tr><td><a href="${traceHref(run, trace.itemId)}">${trace.itemId}</a></td><td>${trace.set}</td>
<td>${trace.item?.subject ?? ''}</td><td>${
    trace.screening
      ? trace.screening.agrees
        ? 'kept'
        : html`<span class="badge dropped">dropped</span>`
      : ''
  }</td>${stages.map((stage) => html`<td>${answerBadge(trace.answers.find((answer) => answer.stage === stage))}</td>`)}
<td>${trace.texts.map((text) => html`<span class="badge">${text.kind}${text.review ? ` \u00b7 ${text.review.decision}` : ''}</span> `)}</td></tr>`,
)}</tbody></table>`;
  return layout(
    { title: 'Items', runName: basename(input.snapshot.directory), compare: input.compare },
    body,
  );
}
