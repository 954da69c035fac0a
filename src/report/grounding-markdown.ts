import { isAbsolute, relative } from 'node:path';
import type { GroundingReport } from './grounding-report.js';
import { formatGroundingTable } from './grounding-table.js';

/** A code fence longer than any backtick run in the text, so a reply cannot close it early. */
function fenced(text: string): string[] {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [fence, text, fence];
}

/**
 * The grounding analysis for report.md: the text table the CLI prints, then the shown films as
 * image links with the student's reply. Links are relative to `directory`, where report.md lives.
 */
export function groundingMarkdownLines(grounding: GroundingReport | undefined, directory: string): string[] {
  if (!grounding) return [];
  const lines = [
    `## Visual grounding of ${grounding.subject}`,
    '',
    ...fenced(formatGroundingTable(grounding).join('\n')),
    '',
  ];
  if (grounding.examples.length === 0) return lines;
  lines.push(`## Test films, with ${grounding.subject}'s rationale and answer`, '');
  for (const example of grounding.examples) {
    const link = isAbsolute(example.imagePath) ? relative(directory, example.imagePath) : example.imagePath;
    lines.push(
      `![${example.itemId}](${link})`,
      '',
      `**${example.itemId}** ${example.correct ? 'right' : 'wrong'} · reference: ${example.reference}`,
      '',
      ...fenced(example.reply.trim()),
      '',
    );
  }
  return lines;
}
