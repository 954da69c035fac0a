import { basename } from 'node:path';
import { referenceAnswerText } from '../../datasets/item.js';
import { html, type TrustedHtml } from '../../report/html-escape.js';
import type { ItemTrace, TeacherText } from '../item-trace.js';
import type { StrategyRun } from '../run-directory.js';
import { answerBadge, traceHref } from './items-page.js';
import { layout } from './layout.js';

export interface TraceOptions {
  /** Show review forms (off in --read-only mode and in side-by-side views). */
  reviewable: boolean;
  reviewer: string;
}

function reviewForm(run: StrategyRun, trace: ItemTrace, text: TeacherText, options: TraceOptions) {
  return html`<form class="review" method="post" action="${traceHref(run, trace.itemId)}/review">
<input type="hidden" name="stage" value="${text.stage}"><input type="hidden" name="originalHash" value="${text.originalHash}">
<label>Text for training<textarea name="text">${text.effective ?? text.original}</textarea></label>
<div class="buttons"><label>Reviewer <input name="reviewer" value="${options.reviewer}" required></label>
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="edit">Save edit</button>
<button type="submit" name="decision" value="reject">Reject</button></div></form>`;
}

function teacherText(run: StrategyRun, trace: ItemTrace, text: TeacherText, options: TraceOptions) {
  const review = text.review;
  return html`<section class="trace-part" data-stage="${text.stage}"><h3>${text.kind} (${text.stage})</h3>
${
  review
    ? html`<p class="review-status">${review.decision === 'edit' ? 'Edited' : review.decision === 'reject' ? 'Rejected' : 'Accepted'} by ${review.reviewer} at ${review.reviewedAt}${review.decision === 'reject' ? ': training leaves this item out' : ''}.</p>`
    : html`<p class="review-status note">Not reviewed.</p>`
}
${review?.decision === 'edit' ? html`<h4>Reviewed text</h4><pre class="effective">${review.text}</pre><h4>Teacher's original</h4>` : ''}
<pre class="original">${text.original}</pre>
${options.reviewable ? reviewForm(run, trace, text, options) : ''}</section>`;
}

/** One item's path: question, screening, teacher texts with review, the student per stage, judge verdicts. */
export function traceBody(run: StrategyRun, trace: ItemTrace, options: TraceOptions): TrustedHtml {
  const item = trace.item;
  return html`<section class="trace-part"><h3>Question</h3>${
    item
      ? html`<p class="question">${item.question}</p>
${item.kind === 'yes-no-maybe' ? item.context.map((passage) => html`<p class="note">${passage}</p>`) : ''}
${
  item.kind === 'multiple-choice'
    ? html`<ol class="options">${item.options.map(
        (option) =>
          html`<li class="${option.key === item.answerKey ? 'reference' : ''}">${option.key}. ${option.text}</li>`,
      )}</ol>`
    : ''
}
<p>Reference: <strong>${referenceAnswerText(item)}</strong>${item.subject ? html` \u00b7 subject ${item.subject}` : ''}</p>
${(item.images ?? []).map((_image, index) => html`<img class="item-image" alt="image ${index + 1} of item ${trace.itemId}" src="/image/${encodeURIComponent(trace.itemId)}/${index}">`)}`
      : html`<p class="note">The run directory does not hold this item's text.</p>`
  }</section>
${
  trace.screening
    ? html`<section class="trace-part"><h3>Screening</h3><p>Teacher answers: ${trace.screening.answers.join(', ')} \u00b7 majority ${trace.screening.majority} \u00b7 ${
        trace.screening.agrees ? 'agrees with the reference: kept' : 'disagrees with the reference: dropped'
      }</p></section>`
    : ''
}
${trace.texts.map((text) => teacherText(run, trace, text, options))}
<section class="trace-part"><h3>Student answers by stage</h3>${
    trace.answers.length === 0
      ? html`<p class="note">No student answers yet.</p>`
      : html`<table><thead><tr><th>stage</th><th>answer</th><th>judge</th><th>reply</th></tr></thead><tbody>${trace.answers.map(
          (answer) =>
            html`<tr><td>${answer.stage}</td><td>${answerBadge(answer)}</td><td>${
              answer.judged === undefined ? '\u2013' : answer.judged ? 'right' : 'wrong'
            }</td><td>${answer.reply.trim() === '' ? html`<span class="note">(empty reply)</span>` : html`<pre>${answer.reply.trim()}</pre>`}</td></tr>`,
        )}</tbody></table>`
  }</section>
${
  trace.failures.length > 0
    ? html`<section class="trace-part"><h3>Failures</h3><ul>${trace.failures.map((failure) => html`<li>${failure.stage}: ${failure.error}</li>`)}</ul></section>`
    : ''
}`;
}

export function tracePage(
  runName: string,
  run: StrategyRun,
  trace: ItemTrace,
  options: TraceOptions & { compare: boolean },
): string {
  const body = html`<h1>${trace.itemId}</h1><p class="meta">${run.strategy}, seed ${run.seed} \u00b7 ${trace.set} item \u00b7 <a href="/items?run=${encodeURIComponent(run.key)}">all items</a></p>
${traceBody(run, trace, options)}`;
  return layout({ title: trace.itemId, runName: basename(runName), compare: options.compare }, body);
}
