import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { toDataUrl } from '../datasets/images/image-media-type.js';
import { conditionLabels, renderGroundingChart } from './charts/grounding-chart.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from './format.js';
import type { GroundingExample, GroundingReport } from './grounding-report.js';
import { html, type TrustedHtml, trustedHtml } from './html-escape.js';

const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|bmp)$/i;

/** The film as a data URL, or why it could not be read: a moved run still renders, with a note. */
async function filmSource(
  imagePath: string,
  directory: string,
): Promise<{ src: string } | { missing: string }> {
  const path = resolve(directory, imagePath);
  // Only image files are inlined: a results.json edited to name another file must not put that
  // file's bytes into a report that gets shared.
  if (!IMAGE_EXTENSION.test(path)) return { missing: `Film not shown: ${imagePath} is not an image file.` };
  try {
    return { src: toDataUrl({ path }, await readFile(path)) };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : 'unreadable');
    return { missing: `Film not available: ${imagePath} (${reason}).` };
  }
}

async function filmFigure(example: GroundingExample, directory: string): Promise<TrustedHtml> {
  const film = await filmSource(example.imagePath, directory);
  const image =
    'src' in film
      ? html`<img src="${film.src}" alt="test film ${example.itemId}" width="128" height="128" style="image-rendering:pixelated">`
      : html`<p class="note missing-film">${film.missing}</p>`;
  return html`<figure class="film" data-item-id="${example.itemId}">${image}
<figcaption><p><strong>${example.itemId}</strong> ${example.correct ? '\u2713 right' : '\u2717 wrong'} \u00b7 reference: ${example.reference}</p>
<p>${example.question}</p><p>${example.options.join(' \u00b7 ')}</p>
<pre>${example.reply}</pre>
${example.caption ? html`<p class="meta">Scene description (the teacher's, never shown to the student): ${example.caption}</p>` : ''}</figcaption></figure>`;
}

/**
 * The visual-grounding analysis: accuracy per condition with intervals, the paired tests of the
 * real film against each control, the chart, then the shown films inline with the student's
 * rationale and answer. Relative image paths are read from `directory` (the run directory).
 * Empty when the run had no grounding analysis.
 */
export async function groundingSection(
  grounding: GroundingReport | undefined,
  directory: string,
): Promise<TrustedHtml | ''> {
  if (!grounding) return '';
  const { summary, subject } = grounding;
  const [chart, films] = await Promise.all([
    renderGroundingChart(summary, `${subject} on ${summary.n} test films`),
    Promise.all(grounding.examples.map((example) => filmFigure(example, directory))),
  ]);
  const conditions = summary.conditions.map(
    (condition) =>
      html`<tr><td>${conditionLabels[condition.condition]}</td><td class="number">${formatPercent(condition.accuracy)}</td><td class="number">${formatInterval(condition.ci95)}</td><td class="number">${condition.correct}/${condition.n}</td><td class="number">${condition.unanswered}</td></tr>`,
  );
  const comparisons = summary.comparisons.map(
    (comparison) =>
      html`<tr><td>${conditionLabels[comparison.condition]}</td><td class="number">${formatDifference(comparison.difference)}</td><td class="number">${formatInterval(comparison.differenceCi95)}</td><td class="number">${formatPValue(comparison.pValue)}</td><td class="number">${formatPValue(comparison.pValueHolm)}</td></tr>`,
  );
  const section = html`<section id="grounding"><h2>Visual grounding of ${subject}</h2>
<p>The same test films asked four ways: the real film, a mid-grey film of the same size, another item's film, and no film. A student that reads the film does best with the real one.</p>
<table data-table="grounding"><thead><tr><th>condition</th><th class="number">accuracy</th><th class="number">95% CI</th><th class="number">correct</th><th class="number">unanswered</th></tr></thead><tbody>
${conditions}
</tbody></table>
<table data-table="grounding-comparisons"><thead><tr><th>real image vs</th><th class="number">difference</th><th class="number">95% CI</th><th class="number">McNemar p</th><th class="number">Holm p</th></tr></thead><tbody>
${comparisons}
</tbody></table>
<figure data-chart="grounding">${trustedHtml(chart)}</figure></section>`;
  if (films.length === 0) return section;
  return html`${section}
<section id="grounding-films"><h2>Test films, with ${subject}'s rationale and answer</h2>
${films}</section>`;
}
