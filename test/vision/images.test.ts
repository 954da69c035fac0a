import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageLibrary } from '../../src/datasets/images/image-library.js';
import type { Item } from '../../src/datasets/item.js';
import { loadDataset } from '../../src/datasets/load-dataset.js';
import { imageLimitsSchema, targetSize } from '../../src/vision/image-limits.js';
import { VisionImages } from '../../src/vision/images.js';
import { visionMessages, visionQuestionPrompt } from '../../src/vision/vision-prompt.js';
import { fixture } from '../fixtures/datasets/paths.js';
import { gradientPng, solidPng } from './synthetic-images.js';

const vqaRadRecord = (qid: number, image: string, answer = 'Yes') => ({
  qid,
  phrase_type: 'test_freeform',
  image_name: image,
  image_organ: 'CHEST',
  question: `Is there an effusion in image ${qid}?`,
  question_type: 'PRES',
  answer,
  answer_type: 'CLOSED',
});

describe('image limits', () => {
  const limits = imageLimitsSchema.parse({ maxSide: 1024, maxPixels: 512 * 512, minSide: 28 });
  it('shrinks to the side and pixel limits keeping the shape, and grows tiny images to the minimum', () => {
    expect(targetSize(2000, 500, limits)).toEqual({ width: 1024, height: 256, resized: true });
    expect(targetSize(800, 800, limits)).toEqual({ width: 512, height: 512, resized: true });
    expect(targetSize(300, 200, limits)).toEqual({ width: 300, height: 200, resized: false });
    expect(targetSize(10, 20, limits)).toEqual({ width: 28, height: 56, resized: true });
    expect(targetSize(5000, 20, limits)).toBeUndefined();
  });
  it('rejects unknown settings', () => {
    expect(() => imageLimitsSchema.parse({ maxSide: 10, colour: 'red' })).toThrow();
  });
});

describe('VisionImages', () => {
  let folder: string;
  let library: ImageLibrary;
  let items: Item[];
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'medistill-vision-images-'));
    const images = join(folder, 'images');
    const jpeg = await sharp(await gradientPng(300, 200, 2))
      .jpeg()
      .toBuffer();
    await mkdir(images);
    await writeFile(join(images, 'small.jpg'), jpeg);
    await writeFile(join(images, 'wide.png'), await gradientPng(2000, 500, 1));
    await writeFile(join(images, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await writeFile(join(images, 'notes.jpg'), 'this is a radiology report, not an image\n');
    await writeFile(
      join(images, 'tiny.webp'),
      await sharp(await solidPng(10, 20, { r: 1, g: 2, b: 3 }))
        .webp()
        .toBuffer(),
    );
    const records = [
      vqaRadRecord(1, 'small.jpg'),
      vqaRadRecord(2, 'wide.png', 'No'),
      vqaRadRecord(3, 'truncated.jpg'),
      vqaRadRecord(4, 'notes.jpg'),
      vqaRadRecord(5, 'tiny.webp'),
    ];
    await writeFile(join(folder, 'VQA_RAD Dataset Public.json'), JSON.stringify(records, null, 2));
    const loaded = await loadDataset(folder);
    expect(loaded.problems).toEqual([]);
    items = loaded.items;
    library = new ImageLibrary();
  });
  afterAll(async () => {
    await library?.close();
    await rm(folder, { recursive: true, force: true });
  });

  const byId = (id: string): Item => items.find((item) => item.id === id)!;

  it('sends a JPEG within the limits as its own bytes', async () => {
    const vision = new VisionImages(library);
    const result = await vision.prepareItem(byId('1'));
    if (!('images' in result)) throw new Error(result.problem.message);
    const [image] = result.images;
    const original = await library.read(byId('1').images![0]!);
    expect(image).toMatchObject({ width: 300, height: 200, resized: false, sourceFormat: 'jpeg' });
    expect(image?.part.mediaType).toBe('image/jpeg');
    expect(Buffer.from(image!.part.data).equals(original)).toBe(true);
  });

  it('resizes to the model limits and encodes PNG, or JPEG when asked', async () => {
    const png = await new VisionImages(library, {
      limits: imageLimitsSchema.parse({ maxSide: 512 }),
    }).prepareItem(byId('2'));
    if (!('images' in png)) throw new Error(png.problem.message);
    expect(png.images[0]).toMatchObject({
      width: 512,
      height: 128,
      sourceWidth: 2000,
      sourceHeight: 500,
      resized: true,
    });
    expect(await sharp(png.images[0]!.part.data).metadata()).toMatchObject({
      format: 'png',
      width: 512,
      height: 128,
    });
    const jpeg = await new VisionImages(library, {
      limits: imageLimitsSchema.parse({ maxSide: 256, encoding: 'jpeg' }),
    }).prepareItem(byId('2'));
    if (!('images' in jpeg)) throw new Error(jpeg.problem.message);
    expect(jpeg.images[0]?.part.mediaType).toBe('image/jpeg');
    expect(await sharp(jpeg.images[0]!.part.data).metadata()).toMatchObject({
      format: 'jpeg',
      width: 256,
      height: 64,
    });
  });

  it('grows a tiny WebP to the minimum side and sends it as PNG', async () => {
    const result = await new VisionImages(library).prepareItem(byId('5'));
    if (!('images' in result)) throw new Error(result.problem.message);
    expect(result.images[0]).toMatchObject({ width: 28, height: 56, sourceFormat: 'webp' });
    expect(result.images[0]?.part.mediaType).toBe('image/png');
  });

  it('reports corrupt and non-image files as per-item problems naming the file and line', async () => {
    const vision = new VisionImages(library);
    const dataFile = join(folder, 'VQA_RAD Dataset Public.json');
    for (const [id, image, wording] of [
      ['3', 'truncated.jpg', /is corrupt/],
      ['4', 'notes.jpg', /is not a readable image/],
    ] as const) {
      const item = byId(id);
      const result = await vision.prepareItem(item);
      if (!('problem' in result)) throw new Error(`item ${id} should have a problem`);
      expect(result.problem).toMatchObject({
        code: 'invalid-value',
        file: dataFile,
        line: item.source?.line,
        field: 'images',
        itemId: id,
      });
      expect(item.source?.line).toBeGreaterThan(1);
      expect(result.problem.message).toContain(join(folder, 'images', image));
      expect(result.problem.message).toMatch(wording);
    }
  });

  it('refuses files over the byte limit without decoding them', async () => {
    const vision = new VisionImages(library, { limits: imageLimitsSchema.parse({ maxInputBytes: 1000 }) });
    const result = await vision.prepareItem(byId('2'));
    expect('problem' in result && result.problem.code).toBe('image-too-large');
  });

  it('makes a mid-grey blank of the same size and encoding', async () => {
    const vision = new VisionImages(library);
    const result = await vision.prepareItem(byId('2'));
    if (!('images' in result)) throw new Error(result.problem.message);
    const blank = await vision.blankLike(result.images[0]!);
    const { data, info } = await sharp(blank.part.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([result.images[0]!.width, result.images[0]!.height]);
    expect(blank.part.mediaType).toBe(result.images[0]!.part.mediaType);
    expect(new Set(data)).toEqual(new Set([128]));
  });

  it('reads images inside a zip and trusts the bytes over the extension', async () => {
    const loaded = await loadDataset(fixture('pmc_vqa_zip', 'test_2.csv'));
    const result = await new VisionImages(library).prepareItem(loaded.items[0]!);
    if (!('images' in result)) throw new Error(result.problem.message);
    expect(result.images[0]).toMatchObject({ sourceFormat: 'png', width: 28, height: 28 });
    const mislabelled = await loadDataset(fixture('pmc_vqa', 'test_clean.csv'));
    const jpgNamedPng = mislabelled.items.find(
      (item) => item.images?.[0] && 'path' in item.images[0] && item.images[0].path.endsWith('.jpg'),
    );
    const fromJpgName = await new VisionImages(library).prepareItem(jpgNamedPng!);
    expect('images' in fromJpgName && fromJpgName.images[0]?.part.mediaType).toBe('image/png');
  });
});

describe('vision prompts', () => {
  it('keeps the caption out unless asked, and ends with the Final Answer instruction', async () => {
    const { items } = await loadDataset(fixture('pmc_vqa_zip', 'test_2.csv'));
    const item = items[0]!;
    expect(item.caption).toBeDefined();
    const withheld = visionQuestionPrompt(item);
    expect(withheld).not.toContain(item.caption!);
    expect(withheld).toMatch(
      /\(X is one of A, B, C, D\)\.\nEnd your response with exactly this format: Final Answer: X$/,
    );
    expect(visionQuestionPrompt(item, { withCaptions: true })).toContain(`Caption: ${item.caption}`);
  });

  it('puts images before the text, and sends a plain string when there are none', () => {
    const image = { type: 'image' as const, mediaType: 'image/png', data: new Uint8Array([1]) };
    expect(visionMessages('Q', [image])).toEqual([
      { role: 'user', content: [image, { type: 'text', text: 'Q' }] },
    ]);
    expect(visionMessages('Q', [], 'S')).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'Q' },
    ]);
  });
});
