import { renderChartSvg } from './charts/render-svg.js';
import { sizeAccuracySpec } from './charts/size-accuracy-chart.js';
import type { DeployReport } from './deploy-report.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from './format.js';
import { html, type TrustedHtml, trustedHtml } from './html-escape.js';

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** The deploy stage: footprint table and a size-against-accuracy chart; empty when the run had none. */
export async function deploySection(deploy: DeployReport | undefined): Promise<TrustedHtml | string> {
  if (!deploy) return '';
  const svg = deploy.rows.some((row) => row.accuracy !== undefined)
    ? await renderChartSvg(sizeAccuracySpec(deploy), 'File size against accuracy per exported variant')
    : '';
  const rows = deploy.rows.map(
    (
      row,
    ) => html`<tr><td>${row.label}</td><td>${row.weightType}</td><td class="number">${megabytes(row.fileBytes)}</td>
      <td class="number">${Math.round(row.loadMs)} ms</td><td class="number">${megabytes(row.peakRssBytes)}</td>
      <td class="number">${Math.round(row.promptTokensPerSecond)}</td><td class="number">${Math.round(row.generationTokensPerSecond)}</td>
      <td class="number">${row.accuracy !== undefined ? `${formatPercent(row.accuracy)} ${row.ci95 ? formatInterval(row.ci95) : ''}` : '\u2013'}</td>
      <td class="number">${row.difference !== undefined ? `${formatDifference(row.difference)} ${row.differenceCi95 ? formatInterval(row.differenceCi95) : ''}` : 'reference'}</td>
      <td class="number">${row.pValue !== undefined ? formatPValue(row.pValue) : '\u2013'}</td>
      <td>${row.fallbacks.length > 0 ? `${row.fallbacks.length} matrices in another type` : ''}</td></tr>`,
  );
  return html`<section id="deploy"><h2>Deploying the student</h2>
    ${svg ? html`<figure data-chart="size-accuracy">${trustedHtml(svg)}<figcaption>Points: accuracy of each variant; lines: Wilson 95% interval.</figcaption></figure>` : ''}
    <table data-table="deploy"><thead><tr><th>variant</th><th>weights</th><th class="number">file</th><th class="number">load</th>
    <th class="number">peak RSS</th><th class="number">prompt tok/s</th><th class="number">gen tok/s</th><th class="number">accuracy (95% CI)</th>
    <th class="number">vs ${deploy.reference} (95% CI)</th><th class="number">McNemar p</th><th>fallbacks</th></tr></thead><tbody>${rows}</tbody></table>
    <p class="note">${deploy.method}</p></section>`;
}
