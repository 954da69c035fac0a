import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError, ModelFormatError } from '../../../errors.js';
import { gguf } from '../../../gguf/gguf-types.js';
import { readGgufHeader } from '../../../gguf/read-gguf.js';
import { createVisionStudent, type VisionStudentFiles } from '../../../model/vision-student.js';
import { ownChatTokenizer } from '../../../tokenizer/chat-tokenizer.js';
import { Tokenizer } from '../../../tokenizer/tokenizer.js';
import { MEDIA_MARKER, readChatExamples } from '../chat-examples.js';
import { tokenizeChat } from '../chat-tokenization.js';
import { tokenizeTrainingData } from '../training-data.js';
import { normalisePixels, preprocessImage } from './image-pixels.js';
import { readProjectorConfig, readProjectorModel, writeProjectorModel } from './projector-file.js';
import { projectorOutputPath } from './projector-output.js';

let directory: string;
let student: VisionStudentFiles;
let redUrl: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'vision-data-'));
  student = await createVisionStudent(directory, {
    corpus: ['what is shown? a red square', 'Final Answer: red'],
  });
  const png = await sharp({
    create: { width: 32, height: 32, channels: 3, background: { r: 255, g: 0, b: 0 } },
  })
    .png()
    .toBuffer();
  redUrl = `data:image/png;base64,${png.toString('base64')}`;
});

const image = (url: string) => ({ type: 'image_url', image_url: { url } });
const line = (content: unknown, answer = 'Final Answer: red') =>
  JSON.stringify({
    messages: [
      { role: 'user', content },
      { role: 'assistant', content: answer },
    ],
  });

async function file(name: string, lines: string[]): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('chat data with images', () => {
  it('reads image parts as media markers, joined as llama-server joins parts', async () => {
    const examples = await readChatExamples(
      await file('parts.jsonl', [
        line([image('data:image/png;base64,AA=='), { type: 'text', text: 'what is shown?' }]),
        line([
          { type: 'text', text: 'a' },
          image('data:x'),
          { type: 'text', text: 'b' },
          { type: 'text', text: 'c' },
        ]),
      ]),
    );
    expect(examples[0]!.messages[0]).toMatchObject({
      content: `${MEDIA_MARKER}what is shown?`,
      images: ['data:image/png;base64,AA=='],
    });
    expect(examples[1]!.messages[0]!.content).toBe(`a${MEDIA_MARKER}b\nc`);
    expect(examples[0]!.messages[1]!.images).toBeUndefined();
  });

  it('gives each image its placeholder positions and tokenizes the text after it on its own', async () => {
    const config = await readProjectorConfig(student.projectorPath);
    const tokenizer = Tokenizer.fromGgufMetadata(
      (await readGgufHeader(student.modelPath)).metadata,
      'student',
    );
    const chat = ownChatTokenizer(tokenizer);
    const template =
      '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}';
    const example = tokenizeChat(
      [
        { role: 'user', content: `what is${MEDIA_MARKER} shown?`, trained: false, images: ['u'] },
        { role: 'assistant', content: 'red', trained: true },
      ],
      chat,
      template,
      'inline',
      { imageTokens: config.imageTokens, placeholderToken: 0 },
    );
    const [position] = example.imagePositions;
    const before = chat.encode('<|im_start|>user\nwhat is');
    expect(position).toBe(before.length);
    expect([...example.tokens.subarray(0, position)]).toEqual(before);
    expect([...example.tokens.subarray(position!, position! + config.imageTokens)]).toEqual(
      new Array(config.imageTokens).fill(0),
    );
    expect(
      [...example.lossMask.subarray(position!, position! + config.imageTokens)].every((m) => m === 0),
    ).toBe(true);
    // mtmd tokenizes the chunk after an image afresh, as if it began a prompt.
    const after = chat.encode(' shown?<|im_end|>\n<|im_start|>assistant\n');
    expect([
      ...example.tokens.subarray(
        position! + config.imageTokens,
        position! + config.imageTokens + after.length,
      ),
    ]).toEqual(after);
  });

  it('decodes each distinct image once into normalised planar pixels, and names the line of a bad image', async () => {
    const vision = await readProjectorConfig(student.projectorPath);
    const question = { type: 'text', text: 'what is shown?' };
    const examples = await tokenizeTrainingData({
      baseModel: student.modelPath,
      dataPath: await file('images.jsonl', [
        line([image(redUrl), question]),
        line([image(redUrl), question]),
      ]),
      vision,
    });
    const [first, second] = examples.map((example) => example.images![0]!);
    expect(first!.pixels).toBe(second!.pixels);
    expect(first!.pixels).toHaveLength(3 * 32 * 32);
    // Red channel: (1 - mean) / std; green: (0 - mean) / std, as clip's normalize computes them.
    expect(first!.pixels[0]).toBeCloseTo((1 - vision.imageMean[0]) / vision.imageStd[0], 6);
    expect(first!.pixels[32 * 32]).toBeCloseTo(-vision.imageMean[1] / vision.imageStd[1], 6);
    const bad = tokenizeTrainingData({
      baseModel: student.modelPath,
      dataPath: await file('bad.jsonl', [
        line([image(redUrl), question]),
        line([image('https://x/y.png'), question]),
      ]),
      vision,
    });
    await expect(bad).rejects.toThrow(InputError);
    await expect(bad).rejects.toThrow(/bad\.jsonl:2/);
  });

  it('letterboxes a non-square image with the LLaVA pad colour, as llama.cpp does', async () => {
    const wide = await sharp({
      create: { width: 64, height: 32, channels: 3, background: { r: 0, g: 0, b: 255 } },
    })
      .png()
      .toBuffer();
    const rgb = await preprocessImage(wide, 32);
    expect(rgb).toHaveLength(32 * 32 * 3);
    expect([...rgb.subarray(0, 3)]).toEqual([122, 116, 104]);
    expect([...rgb.subarray(16 * 32 * 3, 16 * 32 * 3 + 3)]).toEqual([0, 0, 255]);
    const config = await readProjectorConfig(student.projectorPath);
    expect(() => normalisePixels(rgb.subarray(3), config)).toThrow(InputError);
  });
});

describe('mmproj files', () => {
  it('round-trips the tiny student mmproj and names the default output beside the model', async () => {
    const model = await readProjectorModel(student.projectorPath);
    expect(model.config).toMatchObject({
      imageTokens: 16,
      activation: 'gelu',
      blockCount: 2,
      projectionLength: 64,
    });
    expect(model.weights.has('v.blk.0.ln1.weight')).toBe(true);
    const copy = join(directory, 'copy.mmproj.gguf');
    await writeProjectorModel(copy, model);
    expect((await readProjectorModel(copy)).weights.get('mm.2.bias')).toEqual(model.weights.get('mm.2.bias'));
    expect(projectorOutputPath({ outputPath: '/o/student.gguf' })).toBe('/o/student.mmproj.gguf');
    expect(projectorOutputPath({ outputPath: '/o/s.gguf', projectorOutputPath: '/p.gguf' })).toBe('/p.gguf');
  });

  it('refuses what changes the LLaVA mlp graph, naming file and field', async () => {
    const model = await readProjectorModel(student.projectorPath);
    const withClass = join(directory, 'class.gguf');
    const weights = new Map(model.weights);
    weights.set('v.class_embd', { shape: [64], data: new Float32Array(64) });
    await writeProjectorModel(withClass, { ...model, weights });
    await expect(readProjectorModel(withClass)).rejects.toThrow(/v\.class_embd/);
    const ldp = join(directory, 'ldp.gguf');
    const metadata = new Map(model.metadata);
    metadata.set('clip.projector_type', gguf.string('ldp'));
    await writeProjectorModel(ldp, { ...model, metadata });
    const error = await readProjectorModel(ldp).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(String(error)).toContain('clip.projector_type');
  });
});
