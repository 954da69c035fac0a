import { join } from 'node:path';
import { parseRunReport } from '../../report/read-run-report.js';
import { renderHtmlReport } from '../../report/render-html-report.js';
import { renderMarkdownReport } from '../../report/render-markdown-report.js';
import type { RunReportInput } from '../../report/run-report.js';
import { writeFileAtomically } from '../../util/atomic-write.js';

/**
 * A finished run's outputs: `results.json` (everything, the report's data under `report`), a
 * self-contained `report.html` and a `report.md` summary. `medistill report` re-renders them.
 */
export async function writeRunOutputs(
  directory: string,
  results: Record<string, unknown>,
  report: RunReportInput,
): Promise<{ html: string; markdown: string }> {
  const resultsPath = join(directory, 'results.json');
  const validated = parseRunReport(report, resultsPath);
  await writeFileAtomically(resultsPath, `${JSON.stringify({ ...results, report: validated }, null, 1)}\n`);
  const html = join(directory, 'report.html');
  const markdown = join(directory, 'report.md');
  await writeFileAtomically(html, await renderHtmlReport(validated, { directory }));
  await writeFileAtomically(markdown, renderMarkdownReport(validated, { directory }));
  return { html, markdown };
}
