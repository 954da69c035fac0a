import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { Item } from '../datasets/item.js';
import { referenceAnswerText } from '../datasets/item.js';
import { conditionLabels, renderGroundingChart } from '../report/charts/grounding-chart.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from '../report/format.js';
import { formatGroundingTable } from '../report/grounding-table.js';
import { html, trustedHtml } from '../report/html-escape.js';
import type { RunReportInput } from '../report/run-report.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import type { GroundingResult } from '../vision/grounding.js';

/** A test film with what the student said about it, for the report. */
export interface ShownExample {
  itemId: string;
  imagePath: string;
  imageDataUrl: string;
  question: string;
  options: string[];
  reference: string;
  /** The scene description the teacher reads (the student did not). */
  caption?: string;
  reply: string;
  correct: boolean;
}

/**
 * The first `count` test items of a strategy's evaluation, half answered right and half wrong
 * where there are both, with their films as data URLs (the report stays one self-contained file).
 */
export async function shownExamples(
  report: RunReportInput,
  test: readonly Item[],
  strategy: string,
  count: number,
): Promise<ShownExample[]> {
  const outcomes = report.strategies.find((entry) => entry.name === strategy)?.outcomes ?? [];
  const right = outcomes.filter((outcome) => outcome.correct);
  const wrong = outcomes.filter((outcome) => !outcome.correct);
  const fromWrong = wrong.slice(0, count - Math.min(Math.ceil(count / 2), right.length));
  const picked = [...right.slice(0, count - fromWrong.length), ...fromWrong];
  const byId = new Map(test.map((item) => [item.id, item]));
  const shown: ShownExample[] = [];
  for (const outcome of picked) {
    const item = byId.get(outcome.itemId);
    const image = item?.images?.[0];
    if (!item || !image || !('path' in image)) continue;
    const bytes = await readFile(image.path);
    shown.push({
      itemId: item.id,
      imagePath: image.path,
      imageDataUrl: `data:image/png;base64,${bytes.toString('base64')}`,
      question: item.question,
      options:
        item.kind === 'multiple-choice' ? item.options.map((option) => `${option.key}. ${option.text}`) : [],
      reference: referenceAnswerText(item),
      ...(item.caption ? { caption: item.caption } : {}),
      reply: outcome.rawOutput ?? outcome.prediction ?? '',
      correct: outcome.correct,
    });
  }
  return shown;
}

function groundingHtml(grounding: GroundingResult, chart: string): string {
  const { summary } = grounding;
  return html`<section><h2>Visual grounding of the CoT-VL student</h2>
<p>The same test films asked four ways: the real film, a mid-grey film of the same size, another item's film, and no film. A student that reads the film does best with the real one.</p>
<table><thead><tr><th>condition</th><th>accuracy</th><th>95% CI</th><th>correct</th><th>unanswered</th></tr></thead><tbody>
${summary.conditions.map((condition) => html`<tr><td>${conditionLabels[condition.condition]}</td><td>${formatPercent(condition.accuracy)}</td><td>${formatInterval(condition.ci95)}</td><td>${condition.correct}/${condition.n}</td><td>${condition.unanswered}</td></tr>`)}
</tbody></table>
<table><thead><tr><th>real image vs</th><th>difference</th><th>95% CI</th><th>McNemar p</th><th>Holm p</th></tr></thead><tbody>
${summary.comparisons.map((comparison) => html`<tr><td>${conditionLabels[comparison.condition]}</td><td>${formatDifference(comparison.difference)}</td><td>${formatInterval(comparison.differenceCi95)}</td><td>${formatPValue(comparison.pValue)}</td><td>${formatPValue(comparison.pValueHolm)}</td></tr>`)}
</tbody></table>
<figure>${trustedHtml(chart)}</figure></section>`.value;
}

function examplesHtml(examples: readonly ShownExample[]): string {
  return html`<section><h2>Test films, with the CoT-VL student's rationale and answer</h2>
${examples.map(
  (
    example,
  ) => html`<figure class="film"><img src="${example.imageDataUrl}" alt="test film ${example.itemId}" width="128" height="128" style="image-rendering:pixelated">
<figcaption><p><strong>${example.itemId}</strong> ${example.correct ? '\u2713 right' : '\u2717 wrong'} \u00b7 reference: ${example.reference}</p>
<p>${example.question}</p><p>${example.options.join(' \u00b7 ')}</p>
<pre>${example.reply}</pre>
${example.caption ? html`<p class="meta">Scene description (the teacher's, never shown to the student): ${example.caption}</p>` : ''}</figcaption></figure>`,
)}</section>`.value;
}

function examplesMarkdown(examples: readonly ShownExample[], reportDirectory: string): string[] {
  const lines = ["## Test films, with the CoT-VL student's rationale and answer", ''];
  for (const example of examples) {
    lines.push(
      `![${example.itemId}](${relative(reportDirectory, example.imagePath)})`,
      '',
      `**${example.itemId}** ${example.correct ? 'right' : 'wrong'} · reference: ${example.reference}`,
      '',
      '```',
      example.reply.trim(),
      '```',
      '',
    );
  }
  return lines;
}

/**
 * Add the vision sections to a written report: the grounding table and chart, and a few test films
 * with the student's rationale and answer (HTML inline, Markdown linking the PNGs in the run).
 */
export async function appendVisionSections(
  written: { html: string; markdown: string },
  grounding: GroundingResult,
  examples: readonly ShownExample[],
): Promise<void> {
  const chart = await renderGroundingChart(
    grounding.summary,
    `CoT-VL student on ${grounding.summary.n} test films`,
  );
  const page = await readFile(written.html, 'utf8');
  const sections = `${groundingHtml(grounding, chart)}\n${examplesHtml(examples)}\n`;
  await writeFileAtomically(written.html, page.replace('<footer', `${sections}<footer`));
  const markdown = await readFile(written.markdown, 'utf8');
  const grounded = [
    '## Visual grounding of the CoT-VL student',
    '',
    '```',
    ...formatGroundingTable(grounding),
    '```',
    '',
  ];
  await writeFileAtomically(
    written.markdown,
    [markdown.trimEnd(), '', ...grounded, ...examplesMarkdown(examples, dirname(written.markdown))].join(
      '\n',
    ),
  );
}
