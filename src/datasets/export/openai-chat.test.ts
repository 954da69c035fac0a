import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/fixtures/datasets/paths.js';
import type { DatasetProblem } from '../dataset-problem.js';
import { referenceAnswerText } from '../item.js';
import { itemPromptText } from '../item-prompt.js';
import { loadDataset } from '../load-dataset.js';
import { exportOpenAiChat } from './openai-chat.js';

const outFile = async (name: string) => join(await mkdtemp(join(tmpdir(), 'medistill-openai-')), name);

interface ChatLine {
  messages: {
    role: string;
    content: string | { type: string; text?: string; image_url?: { url: string } }[];
  }[];
}

describe('exportOpenAiChat', () => {
  it('embeds images as data URLs in the user turn and puts the reference answer in the assistant turn', async () => {
    const { items } = await loadDataset(fixture('pmc_vqa', 'test_clean.csv'));
    const file = await outFile('pmc.jsonl');
    const result = await exportOpenAiChat(items, file, { system: 'You are a radiologist.' });
    expect(result).toEqual({ files: [file], written: 2, skipped: 0 });
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatLine);
    const [system, user, assistant] = lines[0]?.messages ?? [];
    expect(system).toEqual({ role: 'system', content: 'You are a radiologist.' });
    expect(assistant).toEqual({ role: 'assistant', content: referenceAnswerText(items[0]!) });
    const parts = user?.content as { type: string; text?: string; image_url?: { url: string } }[];
    // The image comes first, then the question, as in the LLaMA-Factory export and evaluation.
    expect(parts[1]).toEqual({ type: 'text', text: itemPromptText(items[0]!) });
    const url = parts[0]?.image_url?.url ?? '';
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const bytes = Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
    expect(bytes.equals(await readFile(fixture('pmc_vqa', 'images', 'PMC100_F1.png')))).toBe(true);
  });

  it('reads images out of a zip too', async () => {
    const { items } = await loadDataset(fixture('pmc_vqa_zip', 'test_2.csv'));
    const file = await outFile('zip.jsonl');
    await exportOpenAiChat(items, file);
    const first = JSON.parse((await readFile(file, 'utf8')).split('\n')[0] ?? '') as ChatLine;
    const parts = first.messages[0]?.content as { image_url?: { url: string } }[];
    const url = parts[0]?.image_url?.url ?? '';
    expect(
      Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').equals(
        await readFile(fixture('images', 'scan-1.png')),
      ),
    ).toBe(true);
  });

  it('skips, and reports, items whose image is over the size limit', async () => {
    const { items } = await loadDataset(fixture('pmc_vqa', 'test_clean.csv'));
    const problems: DatasetProblem[] = [];
    const file = await outFile('small.jsonl');
    const result = await exportOpenAiChat(items, file, {
      maxImageBytes: 10,
      onProblem: (problem) => problems.push(problem),
    });
    expect(result).toMatchObject({ written: 0, skipped: 2 });
    expect(problems.map((problem) => [problem.code, problem.itemId, problem.line])).toEqual([
      ['image-too-large', items[0]?.id, 2],
      ['image-too-large', items[1]?.id, 3],
    ]);
  });

  it('round-trips text items through the messages loader', async () => {
    const { items } = await loadDataset(fixture('medqa_test.jsonl'));
    const file = await outFile('medqa.jsonl');
    await exportOpenAiChat(items, file);
    const back = await loadDataset(file);
    expect(back.format).toBe('openai-messages');
    expect(back.problems).toEqual([]);
    expect(
      back.items.map((item) => [item.question, item.kind === 'open-ended' ? item.referenceAnswer : '']),
    ).toEqual(items.map((item) => [itemPromptText(item), referenceAnswerText(item)]));
  });
});
