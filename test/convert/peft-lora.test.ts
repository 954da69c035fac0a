import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertHfToGguf } from '../../src/convert/hf-to-gguf.js';
import { mergeAdapter } from '../../src/convert/merge-adapter.js';
import { convertPeftLoraToGguf } from '../../src/convert/peft-lora-to-gguf.js';
import { useWasmBackend } from '../../src/engines/tfjs/wasm-backend.js';
import { metadataValue } from '../../src/gguf/gguf-types.js';
import { readGgufHeader } from '../../src/gguf/read-gguf.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import {
  hfReference,
  mergedHfModel,
  type RandomHfModelOptions,
  SMALL_MODELS,
  writePeftAdapter,
  writeRandomHfModel,
} from '../support/hf-model.js';
import { exact, llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../support/parity.js';

/**
 * A peft LoRA adapter written by the test, converted to a GGUF adapter, changes llama.cpp's
 * log-probabilities exactly as merging it into the Hugging Face weights (W + alpha/r · B·A, in the
 * test, in HF layout) changes the TF.js forward. The adapter targets every projection, so the
 * `llama` row reordering of lora_b for q and k is checked too.
 */
const TOLERANCE = 1e-4;
const TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

const FAMILIES: Record<string, RandomHfModelOptions> = {
  llama: { ...SMALL_MODELS.llama, seed: 21, llama3Scaling: false },
  qwen3: { ...SMALL_MODELS.qwen3, seed: 22 },
};

let directory: string;
beforeAll(async () => {
  await useWasmBackend();
  directory = await mkdtemp(join(tmpdir(), 'convert-lora-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe.each(Object.entries(FAMILIES))('peft LoRA -> GGUF: %s', (name, options) => {
  it('changes llama.cpp output as merging it changes the TF.js forward', { timeout: 300_000 }, async () => {
    const folder = join(directory, `${name}-base`);
    const base = await writeRandomHfModel(folder, options);
    const adapterDir = join(directory, `${name}-adapter`);
    // rsLoRA on qwen3: llama.cpp's alpha / r must then carry lora_alpha / sqrt(r).
    const rslora = name === 'qwen3';
    const adapter = await writePeftAdapter(adapterDir, base, {
      rank: 4,
      alpha: 8,
      targets: TARGETS,
      seed: 5,
      useRslora: rslora,
    });
    const basePath = join(directory, `${name}-base.gguf`);
    await convertHfToGguf({ input: folder, output: basePath, outType: 'f32' });
    const adapterPath = join(directory, `${name}-adapter.gguf`);
    const converted = await convertPeftLoraToGguf({
      adapterDir,
      base: folder,
      output: adapterPath,
      outType: 'f32',
    });
    expect(converted.targets).toHaveLength(TARGETS.length * options.layers);
    const header = await readGgufHeader(adapterPath);
    expect(metadataValue(header.metadata, 'general.type')).toBe('adapter');
    expect(metadataValue(header.metadata, 'adapter.type')).toBe('lora');
    expect(header.tensors.find((tensor) => tensor.name === 'blk.0.attn_q.weight.lora_a')?.shape).toEqual([
      64, 4,
    ]);
    expect(header.tensors.find((tensor) => tensor.name === 'blk.0.attn_q.weight.lora_b')?.shape).toEqual([
      4,
      adapter.pairs.get('model.layers.0.self_attn.q_proj.weight')!.b.shape[0],
    ]);

    const random = seededRandom(3);
    const tokens = Array.from({ length: 24 }, () => Math.floor(random() * 120000));
    const scale = rslora ? adapter.alpha / Math.sqrt(adapter.rank) : adapter.alpha / adapter.rank;
    const merged = hfReference(mergedHfModel(base, adapter, scale));
    const expected = tfjsLogprobs(merged.config, merged.weights, tokens);
    const plain = hfReference(base);
    const change = maxDifference(expected, await llamaCppLogprobs(basePath, tokens, exact));
    const withAdapter = maxDifference(
      expected,
      await llamaCppLogprobs(basePath, tokens, { ...exact, adapter: adapterPath }),
    );
    console.log(
      `${name}${rslora ? ' (rsLoRA)' : ''}: the adapter moves log p by up to ${change.toFixed(2)}; llama.cpp base + GGUF adapter vs TF.js merged: max |Δ log p| ${withAdapter.toExponential(2)}`,
    );
    expect(change).toBeGreaterThan(0.5);
    expect(withAdapter).toBeLessThan(TOLERANCE);
    expect(
      maxDifference(
        tfjsLogprobs(plain.config, plain.weights, tokens),
        await llamaCppLogprobs(basePath, tokens, exact),
      ),
    ).toBeLessThan(TOLERANCE);

    // Merging: the peft adapter into the Hugging Face base, written as GGUF.
    const mergedPath = join(directory, `${name}-merged.gguf`);
    const result = await mergeAdapter({
      adapter: adapterDir,
      base: folder,
      output: mergedPath,
      outType: 'f32',
    });
    expect(result.mergedTensors).toHaveLength(TARGETS.length * options.layers);
    const mergedDifference = maxDifference(expected, await llamaCppLogprobs(mergedPath, tokens, exact));
    console.log(`${name}: merged GGUF vs TF.js merged: max |Δ log p| ${mergedDifference.toExponential(2)}`);
    expect(mergedDifference).toBeLessThan(TOLERANCE);
  });
});
