import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, ConfigError } from '../../src/errors.js';
import { metadataValue } from '../../src/gguf/gguf-types.js';
import { readGgufHeader } from '../../src/gguf/read-gguf.js';
import { visionProjectorConfig, writeVisionProjectorFile } from '../../src/model/vision-projector.js';
import type { ImagePart, LanguageModel } from '../../src/models/language-model.js';
import { createServerModelFromSpec } from '../../src/models/openai-compatible-model.js';
import { type RunningVisionServer, startTinyVisionServer } from '../support/vision-server.js';
import { gradientPng, pngPart, solidPng } from './synthetic-images.js';

describe('tiny LLaVA-style projector file', () => {
  it('holds the keys and ggml-order tensor shapes the clip loader requires', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medistill-mmproj-'));
    try {
      const { path, config } = await writeVisionProjectorFile(join(directory, 'mmproj.gguf'), {
        textEmbeddingLength: 96,
        imageSize: 32,
        patchSize: 8,
        embeddingLength: 64,
        feedForwardLength: 128,
        blockCount: 2,
      });
      expect(config.imageTokens).toBe(16);
      const header = await readGgufHeader(path);
      const value = (key: string) => metadataValue(header.metadata, key);
      expect(value('general.architecture')).toBe('clip');
      expect(value('clip.has_vision_encoder')).toBe(true);
      expect(value('clip.projector_type')).toBe('mlp');
      expect(value('clip.vision.image_size')).toBe(32);
      expect(value('clip.vision.patch_size')).toBe(8);
      expect(value('clip.vision.embedding_length')).toBe(64);
      expect(value('clip.vision.feed_forward_length')).toBe(128);
      expect(value('clip.vision.block_count')).toBe(2);
      expect(value('clip.vision.projection_dim')).toBe(96);
      expect(value('clip.vision.image_mean')).toHaveLength(3);
      expect(value('clip.vision.image_std')).toHaveLength(3);
      const shapes = Object.fromEntries(header.tensors.map((tensor) => [tensor.name, tensor.shape]));
      expect(shapes['v.patch_embd.weight']).toEqual([8, 8, 3, 64]);
      expect(shapes['v.position_embd.weight']).toEqual([64, 16]);
      expect(shapes['v.blk.1.attn_out.weight']).toEqual([64, 64]);
      expect(shapes['v.blk.0.ffn_up.weight']).toEqual([64, 128]);
      expect(shapes['v.blk.0.ffn_down.weight']).toEqual([128, 64]);
      expect(shapes['mm.0.weight']).toEqual([64, 96]);
      expect(shapes['mm.2.weight']).toEqual([96, 96]);
      expect(shapes['mm.2.bias']).toEqual([96]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses shapes llama.cpp cannot run', () => {
    expect(() => visionProjectorConfig({ textEmbeddingLength: 64, imageSize: 30, patchSize: 8 })).toThrow(
      ConfigError,
    );
    expect(() => visionProjectorConfig({ textEmbeddingLength: 64, blockCount: 1 })).toThrow(
      /at least 2 blocks/,
    );
  });
});

describe('tiny vision-language model in llama-server (--mmproj)', () => {
  let server: RunningVisionServer;
  let model: LanguageModel;
  beforeAll(async () => {
    server = await startTinyVisionServer();
    model = createServerModelFromSpec(`llama-server:${server.baseUrl}#tiny-vlm`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const ask = async (images: ImagePart[], maxTokens = 8) => {
    const response = await model.generate({
      messages: [
        { role: 'user', content: [...images, { type: 'text', text: 'Is there a mass? Final Answer:' }] },
      ],
      maxTokens,
      temperature: 0,
    });
    return { text: response.choices[0]?.text ?? '', promptTokens: response.usage.promptTokens };
  };

  it('reports vision in /props', async () => {
    const props = (await (await fetch(`${server.origin}/props`)).json()) as {
      modalities?: { vision?: boolean };
    };
    expect(props.modalities?.vision).toBe(true);
  });

  it('encodes each image into (image_size / patch_size)^2 prompt tokens', async () => {
    const perImage = server.projector.imageTokens;
    expect(perImage).toBe(16);
    const none = await ask([]);
    const one = await ask([pngPart(await gradientPng(48, 40, 1))]);
    const two = await ask([
      pngPart(await gradientPng(48, 40, 1)),
      pngPart(await solidPng(20, 20, { r: 9, g: 90, b: 200 })),
    ]);
    expect(one.promptTokens - none.promptTokens).toBe(perImage);
    expect(two.promptTokens - none.promptTokens).toBe(2 * perImage);
  });

  it('answers differently for different images, and the same for the same image', async () => {
    const images = [
      await solidPng(32, 32, { r: 0, g: 0, b: 0 }),
      await solidPng(32, 32, { r: 255, g: 255, b: 255 }),
      await solidPng(32, 32, { r: 200, g: 30, b: 30 }),
      await gradientPng(32, 32, 0),
      await gradientPng(32, 32, 1),
      await gradientPng(32, 32, 2),
    ];
    const replies: string[] = [];
    for (const image of images) replies.push((await ask([pngPart(image)], 12)).text);
    expect(new Set(replies).size).toBeGreaterThanOrEqual(3);
    expect((await ask([pngPart(images[3]!)], 12)).text).toBe(replies[3]);
  });

  it('refuses bytes that are not an image with a 400', async () => {
    const broken: ImagePart = { type: 'image', mediaType: 'image/png', data: new Uint8Array([1, 2, 3, 4]) };
    await expect(ask([broken])).rejects.toSatisfy(
      (error: unknown) => error instanceof ApiCallError && error.status === 400,
    );
  });
});
