/**
 * Dataset loading throughput and memory: does streaming keep memory flat on a large file?
 *
 *   npx tsx bench/datasets.ts [--items 1000000]
 *
 * Writes a MedQA-style JSONL of N items (and a conversations JSON array of N/5) in a temporary
 * folder, streams each through `streamDataset` (format detection, zod checks, duplicate-id
 * tracking), and prints items/s with RSS sampled along the way. Memory should stay flat apart
 * from the id index used to find duplicates (one entry per item).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { streamDataset } from '../src/datasets/load-dataset.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const itemCount = argument('items', 1_000_000);
const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function writeLines(
  file: string,
  count: number,
  line: (index: number) => string,
  open = '',
  close = '',
): Promise<void> {
  const stream = createWriteStream(file);
  if (open) stream.write(open);
  for (let index = 0; index < count; index++) {
    if (!stream.write(line(index))) await once(stream, 'drain');
  }
  stream.end(close);
  await finished(stream);
}

const medqaLine = (index: number) =>
  `${JSON.stringify({
    question: `Case ${index}: a ${20 + (index % 60)}-year-old patient presents with fever, cough and chest pain for ${1 + (index % 9)} days. What is the most likely diagnosis?`,
    answer: 'Community-acquired pneumonia',
    options: {
      A: 'Pulmonary embolism',
      B: 'Community-acquired pneumonia',
      C: 'Acute bronchitis',
      D: 'Pericarditis',
      E: 'Pneumothorax',
    },
    meta_info: 'step2&3',
    answer_idx: 'B',
  })}\n`;

const conversationRecord = (index: number) =>
  `${index === 0 ? '\n' : ',\n'}${JSON.stringify(
    {
      id: `conv-${index}`,
      conversations: [
        {
          from: 'user',
          value: `Question ${index}: what is the first-line treatment for Helicobacter pylori infection?`,
        },
        {
          from: 'assistant',
          value:
            'Triple therapy: a proton pump inhibitor, clarithromycin and amoxicillin.\n1. Knowledge point one.',
        },
      ],
    },
    null,
    2,
  )}`;

interface Row {
  file: string;
  format: string;
  items: number;
  sizeMb: string;
  seconds: string;
  itemsPerSecond: string;
  rssStartMb: string;
  rssAtTenPercentMb: string;
  rssAtEndMb: string;
  peakRssMb: string;
}

async function measure(label: string, file: string, expected: number): Promise<Row> {
  global.gc?.();
  const rssStart = process.memoryUsage().rss;
  let peak = rssStart;
  let atTenPercent = 0;
  const started = performance.now();
  const stream = await streamDataset(file, { onProblem: (problem) => console.error(problem) });
  let items = 0;
  for await (const _item of stream.items) {
    items += 1;
    if (items % 10_000 === 0) {
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      if (atTenPercent === 0 && items >= expected / 10) atTenPercent = rss;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = process.memoryUsage().rss;
  return {
    file: label,
    format: stream.format,
    items,
    sizeMb: megabytes((await stat(file)).size),
    seconds: seconds.toFixed(1),
    itemsPerSecond: Math.round(items / seconds).toLocaleString('en-US'),
    rssStartMb: megabytes(rssStart),
    rssAtTenPercentMb: megabytes(atTenPercent),
    rssAtEndMb: megabytes(rssEnd),
    peakRssMb: megabytes(Math.max(peak, rssEnd)),
  };
}

const folder = await mkdtemp(join(tmpdir(), 'medistill-bench-datasets-'));
try {
  const jsonl = join(folder, 'medqa_train.jsonl');
  const json = join(folder, 'conversations.json');
  const conversationCount = Math.round(itemCount / 5);
  process.stderr.write(
    `writing ${itemCount.toLocaleString('en-US')} JSONL items and ${conversationCount.toLocaleString('en-US')} JSON records to ${folder}\n`,
  );
  await writeLines(jsonl, itemCount, medqaLine);
  await writeLines(json, conversationCount, conversationRecord, '[', '\n]\n');
  const rows = [
    await measure('MedQA JSONL', jsonl, itemCount),
    await measure('conversations JSON', json, conversationCount),
  ];
  console.table(rows);
  console.log(`process peak RSS (maxRSS): ${megabytes(process.resourceUsage().maxRSS * 1024)} MB`);
} finally {
  await rm(folder, { recursive: true, force: true });
}
