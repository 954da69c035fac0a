import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/fixtures/datasets/paths.js';
import type { Item } from '../item.js';
import { referenceAnswerText } from '../item.js';
import { itemPromptText } from '../item-prompt.js';
import { loadDataset } from '../load-dataset.js';
import { exportAlpaca } from './alpaca.js';
import { readDatasetInfo } from './dataset-info.js';
import { exportLlamaFactory } from './llamafactory.js';
import { checkLlamaFactoryDataset } from './llamafactory-check.js';

const newFolder = () => mkdtemp(join(tmpdir(), 'medistill-llamafactory-'));

interface ShareGptRecord {
  messages: { role: string; content: string }[];
  images?: string[];
}

describe('exportLlamaFactory', () => {
  it('writes records whose <image> count matches their images, all present, with dataset_info.json', async () => {
    const folder = await newFolder();
    const vqa = await loadDataset(fixture('vqa_rad_mini'));
    const zip = await loadDataset(fixture('pmc_vqa_zip', 'test_2.csv'));
    const result = await exportLlamaFactory([...vqa.items, ...zip.items], folder, { name: 'radiology' });
    expect(result).toMatchObject({ written: 5, skipped: 0 });
    const records = JSON.parse(await readFile(join(folder, 'radiology.json'), 'utf8')) as ShareGptRecord[];
    expect(records).toHaveLength(5);
    expect(records[0]?.images).toEqual(['images/synpic1.jpg']);
    expect(records[3]?.images).toEqual(['images/PMC400_F1.png']);
    // A literal <image> in the question is escaped; the real tag leads the user turn.
    expect(records[0]?.messages[0]?.content).toBe(
      '<image>Is there a &lt;image&gt; artefact?\nAnswer yes or no.',
    );
    expect(records[0]?.messages[1]).toEqual({ role: 'assistant', content: 'yes' });
    const [check] = await checkLlamaFactoryDataset(folder);
    expect(check).toMatchObject({ dataset: 'radiology', records: 5, images: 5, problems: [] });
    expect(await readDatasetInfo(folder)).toEqual({
      radiology: {
        file_name: 'radiology.json',
        formatting: 'sharegpt',
        columns: { messages: 'messages', images: 'images' },
        tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
      },
    });
  });

  it('round-trips through the conversations loader: same prompts, answers and image bytes', async () => {
    const folder = await newFolder();
    const { items } = await loadDataset(fixture('pmc_vqa', 'test_clean.csv'));
    await exportLlamaFactory(items, folder, { name: 'pmc' });
    const back = await loadDataset(join(folder, 'pmc.json'), { format: 'conversations' });
    expect(back.problems).toEqual([]);
    expect(
      back.items.map((item) => [item.question, item.kind === 'open-ended' ? item.referenceAnswer : '']),
    ).toEqual(items.map((item) => [itemPromptText(item), referenceAnswerText(item)]));
    for (const [index, item] of back.items.entries()) {
      const original = items[index]?.images?.[0];
      const copied = item.images?.[0];
      expect(original && 'path' in original && copied && 'path' in copied).toBe(true);
      if (original && 'path' in original && copied && 'path' in copied) {
        expect((await readFile(copied.path)).equals(await readFile(original.path))).toBe(true);
      }
    }
  });

  it('gives clashing image names distinct files, or references the originals when asked', async () => {
    const otherFolder = await newFolder();
    await mkdir(join(otherFolder, 'images'));
    await writeFile(join(otherFolder, 'images', 'scan-1.png'), 'different bytes');
    const item = (id: string, path: string): Item => ({
      kind: 'open-ended',
      id,
      question: `Q ${id}?`,
      referenceAnswer: 'A.',
      images: [{ path }],
    });
    const items = [
      item('a', fixture('images', 'scan-1.png')),
      item('b', join(otherFolder, 'images', 'scan-1.png')),
      item('c', fixture('images', 'scan-1.png')),
    ];
    const folder = await newFolder();
    await exportLlamaFactory(items, folder, { name: 'clash' });
    const records = JSON.parse(await readFile(join(folder, 'clash.json'), 'utf8')) as ShareGptRecord[];
    expect(records.map((record) => record.images)).toEqual([
      ['images/scan-1.png'],
      ['images/2-scan-1.png'],
      ['images/scan-1.png'],
    ]);
    expect(await readFile(join(folder, 'images', '2-scan-1.png'), 'utf8')).toBe('different bytes');

    const referencing = await newFolder();
    await exportLlamaFactory(items, referencing, { name: 'reference', images: 'reference' });
    const [check] = await checkLlamaFactoryDataset(referencing);
    expect(check?.problems).toEqual([]);
    const referenced = JSON.parse(
      await readFile(join(referencing, 'reference.json'), 'utf8'),
    ) as ShareGptRecord[];
    expect(referenced[0]?.images?.[0]).toMatch(/^\.\.\/.*images\/scan-1\.png$/);
  });

  it('adds to an existing dataset_info.json and writes Alpaca with its columns', async () => {
    const folder = await newFolder();
    const { items } = await loadDataset(fixture('medmcqa_original_dev.jsonl'));
    await exportLlamaFactory(items, folder, { name: 'chat', system: 'Be brief.' });
    await exportAlpaca(items, folder, { name: 'instructions' });
    const info = await readDatasetInfo(folder);
    expect(Object.keys(info)).toEqual(['chat', 'instructions']);
    expect(info.chat?.columns).toEqual({ messages: 'messages', system: 'system' });
    expect(info.instructions).toEqual({
      file_name: 'instructions.json',
      formatting: 'alpaca',
      columns: { prompt: 'instruction', query: 'input', response: 'output' },
    });
    const alpaca = JSON.parse(await readFile(join(folder, 'instructions.json'), 'utf8')) as {
      instruction: string;
      input: string;
      output: string;
    }[];
    expect(alpaca[0]).toEqual({
      instruction: itemPromptText(items[0]!),
      input: '',
      output: referenceAnswerText(items[0]!),
    });
    const chat = JSON.parse(await readFile(join(folder, 'chat.json'), 'utf8')) as { system: string }[];
    expect(chat[0]?.system).toBe('Be brief.');
    expect((await checkLlamaFactoryDataset(folder)).flatMap((check) => check.problems)).toEqual([]);
  });
});

describe('checkLlamaFactoryDataset', () => {
  it('finds records whose tags and images disagree, and images that are not there', async () => {
    const folder = await newFolder();
    await mkdir(join(folder, 'images'));
    await copyFile(fixture('images', 'scan-1.png'), join(folder, 'images', 'ok.png'));
    const records = [
      {
        messages: [
          { role: 'user', content: '<image>fine' },
          { role: 'assistant', content: 'yes' },
        ],
        images: ['images/ok.png'],
      },
      {
        messages: [
          { role: 'user', content: '<image><image>two tags' },
          { role: 'assistant', content: 'no' },
        ],
        images: ['images/ok.png'],
      },
      {
        messages: [
          { role: 'user', content: '<image>gone' },
          { role: 'assistant', content: 'no' },
        ],
        images: ['images/gone.png'],
      },
    ];
    await writeFile(join(folder, 'bad.json'), JSON.stringify(records, null, 1));
    await writeFile(
      join(folder, 'dataset_info.json'),
      JSON.stringify({ bad: { file_name: 'bad.json', formatting: 'sharegpt' } }),
    );
    const [check] = await checkLlamaFactoryDataset(folder);
    expect(check?.problems.map((problem) => problem.message)).toEqual([
      '2 <image> tags but 1 images',
      'image "images/gone.png" does not exist',
    ]);
    expect(check?.problems.every((problem) => problem.line !== undefined && problem.field === 'images')).toBe(
      true,
    );
  });
});
