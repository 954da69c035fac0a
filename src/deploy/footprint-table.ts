import { basename } from 'node:path';
import { formatDifference, formatInterval, formatPercent, formatPValue } from '../report/format.js';
import type { FootprintRow } from './footprint.js';

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const perSecond = (value: number): string => Math.round(value).toLocaleString('en-US');

export const FOOTPRINT_COLUMNS = [
  'model',
  'weights',
  'file',
  'load',
  'peak RSS (+ over Node and llama.cpp alone)',
  'prompt tok/s',
  'gen tok/s',
  'accuracy (95% CI)',
  'vs reference (95% CI)',
  'McNemar p',
] as const;

/** One footprint row as table cells, in {@link FOOTPRINT_COLUMNS} order. */
export function footprintCells(row: FootprintRow): string[] {
  const accuracy = row.accuracy;
  const paired = accuracy?.paired;
  return [
    basename(row.model),
    row.weightType,
    megabytes(row.fileBytes),
    `${Math.round(row.loadMs)} ms`,
    `${megabytes(row.peakRssBytes)} (+${megabytes(row.peakRssBytes - row.baselineRssBytes)})`,
    perSecond(row.promptTokensPerSecond),
    perSecond(row.generationTokensPerSecond),
    accuracy
      ? `${formatPercent(accuracy.accuracy)} ${formatInterval(accuracy.ci95)} (${accuracy.correct}/${accuracy.n})`
      : '-',
    paired
      ? `${formatDifference(paired.difference)} ${formatInterval(paired.differenceCi95)}`
      : accuracy
        ? 'reference'
        : '-',
    paired ? formatPValue(paired.pValue) : '-',
  ];
}

/** The footprint as a Markdown table (the CLI's text output, the README and the closing note). */
export function footprintMarkdown(rows: readonly FootprintRow[]): string {
  const lines = [
    `| ${FOOTPRINT_COLUMNS.join(' | ')} |`,
    `|${FOOTPRINT_COLUMNS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${footprintCells(row).join(' | ')} |`),
  ];
  return lines.join('\n');
}
