import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetInfo } from '../../src/datasets/export/dataset-info.js';
import { ImageLibrary } from '../../src/datasets/images/image-library.js';
import type { Item } from '../../src/datasets/item.js';
import { loadDataset } from '../../src/datasets/load-dataset.js';
import { createServerModelFromSpec } from '../../src/models/openai-compatible-model.js';
import { generateVisualRationales, splitRationale } from '../../src/vision/cot-vl.js';
import { cotVlTarget, writeCotVlTrainingSet } from '../../src/vision/cot-vl-training-set.js';
import { VisionImages } from '../../src/vision/images.js';
import { startTinyVisionServer } from '../support/vision-server.js';
import { brightnessTeacher, writeBrightnessDataset } from './brightness-dataset.js';

describe('LiteMedCoT-VL: image-grounded teacher rationales and the VLM training set', () => {
  let folder: string;
  let items: Item[];
  let library: ImageLibrary;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'medistill-cot-vl-'));
    const file = await writeBrightnessDataset(join(folder, 'source'), { count: 6, corrupt: true });
    items = (await loadDataset(file)).items;
    library = new ImageLibrary();
  });
  afterAll(async () => {
    await library?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('splits a reply into its reasoning and final answer', () => {
    expect(splitRationale('<think>Dense opacity.</think>\nSo: consolidation.\n**Final Answer: B**')).toBe(
      'Dense opacity.\nSo: consolidation.',
    );
    expect(splitRationale('Final Answer: yes')).toBe('');
  });

  it('keeps only rationales whose answer matches the reference, one per item by default', async () => {
    const teacher = brightnessTeacher();
    const result = await generateVisualRationales({
      teacher,
      items,
      images: new VisionImages(library),
      samples: 2,
      concurrency: 2,
    });
    expect(result.counts).toEqual({ items: 7, withRationale: 6, replies: 12, kept: 6 });
    expect(result.problems).toMatchObject([{ code: 'invalid-value', itemId: '7', field: 'images' }]);
    expect(result.problems[0]?.message).toContain('broken.png');
    expect(result.replies.filter((reply) => reply.dropped === 'wrong-answer')).toHaveLength(6);
    expect(result.examples.map((example) => [example.item.id, example.sample])).toEqual(
      ['1', '2', '3', '4', '5', '6'].map((id) => [id, 0]),
    );
    // The teacher got the image, k samples per call at a sampling temperature, and no caption or answer.
    for (const request of teacher.requests) {
      expect(request).toMatchObject({ n: 2, temperature: 0.7 });
      const user = request.messages.find((message) => message.role === 'user')!;
      expect(Array.isArray(user.content) && user.content[0]?.type).toBe('image');
    }
    const all = await generateVisualRationales({
      teacher: brightnessTeacher(),
      items: items.slice(0, 2),
      images: new VisionImages(library),
      samples: 3,
      keep: 'all',
    });
    // Samples 0 and 2 agree with the reference, sample 1 argues the other way.
    expect(all.examples.map((example) => [example.item.id, example.sample])).toEqual([
      ['1', 0],
      ['1', 2],
      ['2', 0],
      ['2', 2],
    ]);
  });

  it('writes LLaMA-Factory sharegpt with images and OpenAI chat JSONL that pass the image-count check', async () => {
    const result = await generateVisualRationales({
      teacher: brightnessTeacher(),
      items,
      images: new VisionImages(library),
      samples: 3,
      keep: 'all',
    });
    const out = join(folder, 'train');
    const set = await writeCotVlTrainingSet(result.examples, {
      folder: out,
      name: 'cot_vl',
      openAiChatFile: join(folder, 'train.jsonl'),
    });
    expect(set.check.problems).toEqual([]);
    expect(set.check).toMatchObject({ dataset: 'cot_vl', records: 12, images: 12 });
    const info = await readDatasetInfo(out);
    expect(info.cot_vl).toEqual({
      file_name: 'cot_vl.json',
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images' },
      tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
    });
    const records = JSON.parse(await readFile(join(out, 'cot_vl.json'), 'utf8')) as {
      messages: { role: string; content: string }[];
      images: string[];
    }[];
    const first = records[0]!;
    expect(first.images).toEqual(['images/scan0.png']);
    expect(first.messages[0]?.content.startsWith('<image>Is scan 0 bright?\nAnswer yes or no.')).toBe(true);
    expect(first.messages[0]?.content).toContain(
      'End your response with exactly this format: Final Answer: X',
    );
    expect(first.messages[1]?.content).toMatch(
      /^<think>\nThe image has a mean grey level of \d+, which looks bright &lt;image&gt; to me\.\n<\/think>\n\nFinal Answer: yes$/,
    );
    expect(
      records.filter((record) => record.messages[0]?.content.includes('&lt;image&gt; bright?')),
    ).toHaveLength(2);
    for (const record of records)
      expect(record.messages[0]!.content.match(/<image>/g)).toHaveLength(record.images.length);

    const chat = (await readFile(join(folder, 'train.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(chat).toHaveLength(12);
    const user = chat[0].messages[0];
    expect(user.role).toBe('user');
    expect(user.content[0].image_url.url).toMatch(/^data:image\/png;base64,/);
    expect(chat[0].messages[1]).toEqual({
      role: 'assistant',
      content: cotVlTarget(items[0]!, result.examples[0]!.rationale),
    });
  });

  it('sends the images to a real vision server and samples k replies there', async () => {
    const server = await startTinyVisionServer();
    try {
      const result = await generateVisualRationales({
        teacher: createServerModelFromSpec(`llama-server:${server.baseUrl}#tiny-vlm`),
        items: items.slice(0, 3),
        images: new VisionImages(library),
        samples: 2,
        maxTokens: 6,
      });
      expect(result.failed).toEqual([]);
      expect(result.counts.replies).toBe(6);
      // A random model rarely gives the right answer in the right form: whatever it kept matched.
      for (const reply of result.replies.filter((candidate) => candidate.kept))
        expect(['yes', 'no']).toContain(reply.answer);
      const metrics = await server.metrics();
      expect(metrics.prompt_tokens_total).toBeGreaterThanOrEqual(3 * server.projector.imageTokens);
    } finally {
      await server.stop();
    }
  });
});
