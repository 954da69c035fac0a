import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { randomLlamaWeights, seededRandom } from '../../model/random-weights.js';
import { LlamaNetwork } from './llama-network.js';
import { LlamaTrainer } from './llama-trainer.js';
import { validateLoraSettings } from './lora.js';
import { readLoraAdapter, writeLoraAdapter } from './lora-adapter-file.js';
import { disposeParameters, toParameterMap } from './parameter-layout.js';
import { copyTaskExample, scaleMatrices, smallLlamaConfig } from './synthetic-tasks.js';
import { makeBatch, type TrainingExample } from './training-example.js';
import { useWasmBackend } from './wasm-backend.js';

beforeAll(useWasmBackend);

const config = smallLlamaConfig({
  embeddingLength: 64,
  feedForwardLength: 128,
  headCount: 4,
  headCountKv: 2,
  tiedOutput: false,
});

describe('LoRA', () => {
  it('trains only the adapter: base weights stay bit-identical and the loss falls', async () => {
    const base = randomLlamaWeights(config, 8);
    // A frozen head at the 0.02 init cannot produce confident logits; scale the base up.
    scaleMatrices(base, 5);
    const trainer = new LlamaTrainer(config, base, {
      learningRate: 1e-2,
      warmupSteps: 2,
      totalSteps: 30,
      weightDecay: 0.01,
      gradientClipNorm: 1,
      seed: 2,
      lora: {
        rank: 4,
        alpha: 8,
        targets: ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down'],
      },
    });
    expect(trainer.trainable).toHaveLength(2 * 7 * config.blockCount);
    // A task a frozen random base cannot do: after a random prompt, always answer 5 9 13 17.
    const random = seededRandom(5);
    const example = (): TrainingExample => {
      const prompt = Array.from({ length: 6 }, () => 3 + Math.floor(random() * (config.vocabSize - 3)));
      return {
        tokens: Int32Array.from([1, ...prompt, 2, 5, 9, 13, 17]),
        lossMask: Uint8Array.from([...prompt.map(() => 0), 0, 0, 1, 1, 1, 1]),
      };
    };
    const held = makeBatch(Array.from({ length: 16 }, example));
    const before = trainer.network.loss(held);
    for (let step = 0; step < 30; step++) trainer.trainStep(makeBatch(Array.from({ length: 16 }, example)));
    expect(trainer.network.loss(held)).toBeLessThan(before / 4);
    for (const [name, tensor] of trainer.baseWeights())
      expect(tensor.data, name).toEqual(base.get(name)!.data);

    // Merged weights compute what base + adapter compute.
    const merged = toParameterMap(trainer.mergedWeights());
    const mergedNetwork = new LlamaNetwork(config, merged);
    const a = trainer.network.logits(held.tokens, held.batch, held.length);
    const b = mergedNetwork.logits(held.tokens, held.batch, held.length);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([a, b]);
    mergedNetwork.dispose();
    disposeParameters(merged);

    // The adapter file round-trips with llama.cpp's shapes: lora_a [in, r], lora_b [r, out].
    const path = join(await mkdtemp(join(tmpdir(), 'lora-')), 'adapter.gguf');
    await writeLoraAdapter(path, trainer.loraAdapter());
    const read = await readLoraAdapter(path);
    expect(read.alpha).toBe(8);
    expect(read.tensors.get('blk.0.ffn_down.weight.lora_a')!.shape).toEqual([config.feedForwardLength, 4]);
    expect(read.tensors.get('blk.0.ffn_down.weight.lora_b')!.shape).toEqual([4, config.embeddingLength]);
    expect(read.tensors.get('blk.1.attn_k.weight.lora_b')!.data).toEqual(
      trainer.loraAdapter().tensors.get('blk.1.attn_k.weight.lora_b')!.data,
    );
    trainer.dispose();
  });

  it('starts exactly at the base model (B is zero)', () => {
    const base = randomLlamaWeights(config, 8);
    const plain = new LlamaNetwork(config, toParameterMap(base));
    const trainer = new LlamaTrainer(config, base, {
      learningRate: 1e-3,
      warmupSteps: 0,
      totalSteps: 1,
      weightDecay: 0,
      gradientClipNorm: 0,
      seed: 1,
      lora: { rank: 2, alpha: 2, targets: ['attn_q'] },
    });
    const batch = makeBatch([copyTaskExample(seededRandom(1), config.vocabSize, 5)]);
    expect(trainer.network.loss(batch)).toBe(plain.loss(batch));
    trainer.dispose();
    plain.dispose();
    disposeParameters(plain.parameters);
  });

  it('rejects settings llama.cpp could not use', () => {
    expect(() => validateLoraSettings({ rank: 0, alpha: 1, targets: ['attn_q'] })).toThrow(ConfigError);
    expect(() => validateLoraSettings({ rank: 2, alpha: 1, targets: [] })).toThrow(ConfigError);
  });
});
