import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageLibrary } from '../datasets/images/image-library.js';
import type { MultipleChoiceItem } from '../datasets/item.js';
import { VisionImages } from '../vision/images.js';
import { example } from './training-examples.js';
import { studentUserContent, type VisionSettings, visionTrainingLines } from './vision-inputs.js';

let directory: string;
let library: ImageLibrary;
const item = (id: string, image: string): MultipleChoiceItem => ({
  kind: 'multiple-choice',
  id,
  question: 'What next?',
  options: [
    { key: 'A', text: 'drain' },
    { key: 'B', text: 'wait' },
  ],
  answerKey: 'A',
  images: [{ path: join(directory, image) }],
  caption: 'a dense wedge',
});

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'vision-inputs-'));
  await writeFile(
    join(directory, 'film.png'),
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#202020' } })
      .png()
      .toBuffer(),
  );
  library = new ImageLibrary();
});
afterAll(async () => {
  await library.close();
  await rm(directory, { recursive: true, force: true });
});

const vision = (withCaptions: boolean): VisionSettings => ({
  images: new VisionImages(library),
  withCaptions,
});

describe('vision inputs', () => {
  it('asks a text run in text, and a vision run with the image first and the caption only in the ablation', async () => {
    const film = item('a', 'film.png');
    expect(await studentUserContent({}, film, 'Q')).toBe('Q');
    const plain = await studentUserContent({ vision: vision(false) }, film, 'Q');
    expect(Array.isArray(plain) && plain.map((part) => part.type)).toEqual(['image', 'text']);
    expect((plain as { text?: string }[])[1]!.text).toBe('Q');
    const captioned = (await studentUserContent({ vision: vision(true) }, film, 'Q')) as { text?: string }[];
    expect(captioned[1]!.text).toBe('Caption: a dense wedge\n\nQ');
    await expect(studentUserContent({ vision: vision(false) }, item('b', 'gone.png'), 'Q')).rejects.toThrow(
      /gone\.png.*does not exist/,
    );
  });

  it('writes training lines with the image as a data URL, leaving out an item whose image is missing', async () => {
    const good = item('a', 'film.png');
    const missing = item('b', 'gone.png');
    const { data, problems, kept } = await visionTrainingLines(
      { vision: vision(false), train: [good, missing], test: [] },
      [example(good, 'answer', 'Answer: drain'), example(missing, 'answer', 'Answer: drain')],
    );
    expect(kept).toBe(1);
    expect(problems.map((problem) => [problem.itemId, problem.code])).toEqual([['b', 'missing-image']]);
    const line = JSON.parse(data.trim()) as {
      messages: { role: string; content: string | { type: string; image_url?: { url: string } }[] }[];
    };
    const user = line.messages[0]!.content as { type: string; image_url?: { url: string } }[];
    expect(user[0]!.image_url!.url).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(user[1]).toEqual({ type: 'text', text: 'What next?\n\nA. drain\nB. wait' });
    expect(line.messages[1]).toEqual({ role: 'assistant', content: 'Answer: drain' });
  });
});
