import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exact, llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../../../test/support/parity.js';
import { readLlamaModel, writeLlamaModel } from '../../model/llama-model-file.js';
import { createPresetModel, PRESET_NAMES } from '../../model/presets.js';
import { gaussian, seededRandom } from '../../model/random-weights.js';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import { quantizeModelFile } from '../llama-cpp/quantize-model.js';
import { readLoraAdapter } from './lora-adapter-file.js';
import { scaleMatrices } from './synthetic-tasks.js';
import { TfjsTrainingEngine } from './tfjs-training-engine.js';
import { useWasmBackend } from './wasm-backend.js';

/**
 * Every preset family (llama with Llama 3 rope_freqs, qwen2 with biases, qwen3 with q/k norms and
 * 128-wide heads) at 2 layers, narrowed to a few heads but with its real vocabulary, head width,
 * GQA ratio, RoPE and norms: llama.cpp and the TF.js forward give the same log-probabilities over
 * the whole vocabulary, before and after LoRA training (same 1e-4 bound as llama-cpp-parity).
 */
const TOLERANCE = 1e-4;
const POSITIONS = 24;
/** Query heads kept per preset: the smallest multiple of its published GQA group. */
const NARROW_HEADS: Record<string, number> = {
  'smollm2-135m': 3,
  'llama-3.2-1b': 4,
  'qwen2.5-0.5b': 7,
  'qwen3-0.6b': 2,
};

let directory: string;
beforeAll(async () => {
  await useWasmBackend();
  directory = await mkdtemp(join(tmpdir(), 'preset-parity-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/**
 * Scale matrices up and give norms and biases non-trivial values, so every term matters. Scale
 * 4 puts log-probabilities down to about -20; at 8 (down to -33) float32 rounding alone reaches
 * 1.2e-4 to 4e-4 on the 256- and 448-wide presets, at position 0 (no RoPE) as at every other,
 * while at 4 the same models agree to 1e-5 to 3e-5.
 */
function perturb(model: ReturnType<typeof createPresetModel>, seed: number): void {
  scaleMatrices(model.weights, 4);
  const normal = gaussian(seededRandom(seed));
  for (const [name, tensor] of model.weights) {
    if (tensor.shape.length !== 1) continue;
    const offset = name.endsWith('.bias') ? 0 : 1;
    for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = offset + 0.5 * normal();
  }
}

describe.each(PRESET_NAMES)('preset %s at 2 layers', (name) => {
  it('matches llama.cpp before and after LoRA training', { timeout: 600_000 }, async () => {
    const model = createPresetModel(name, { layers: 2, heads: NARROW_HEADS[name]!, seed: 3 });
    perturb(model, 5);
    const path = join(directory, `${name}.gguf`);
    await writeLlamaModel(path, model, 'f32');
    const random = seededRandom(11);
    const tokens = Array.from({ length: POSITIONS }, () => Math.floor(random() * 30000));
    const before = tfjsLogprobs(model.config, model.weights, tokens);
    const beforeDifference = maxDifference(before, await llamaCppLogprobs(path, tokens));
    console.log(`${name}: F32 max |Δ log p| before training ${beforeDifference.toExponential(2)}`);
    expect(beforeDifference).toBeLessThan(TOLERANCE);

    const dataPath = join(directory, `${name}.jsonl`);
    const line = (i: number) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `Does aspirin reduce fever in case ${i}?` },
          { role: 'assistant', content: i % 2 ? 'Yes, in adults.' : 'No; see the dose.' },
        ],
      });
    await writeFile(dataPath, `${Array.from({ length: 4 }, (_, i) => line(i)).join('\n')}\n`);
    const trained = await new TfjsTrainingEngine({ useWorker: false }).train({
      baseModel: path,
      dataPath,
      outputPath: join(directory, `${name}-adapter.gguf`),
      checkpointDir: join(directory, `${name}-checkpoints`),
      hyperparameters: {
        ...defaultHyperparameters,
        epochs: 2,
        batchSize: 2,
        learningRate: 1e-2,
        validationSplit: 0,
        loraRank: 4,
        loraAlpha: 8,
      },
    });
    const adapter = await readLoraAdapter(trained.adapterPath!);
    const after = tfjsLogprobs(model.config, model.weights, tokens, adapter);
    expect(
      maxDifference(
        after,
        before.map((row) => Float64Array.from(row)),
      ),
    ).toBeGreaterThan(1e-3);
    const afterDifference = maxDifference(
      after,
      await llamaCppLogprobs(path, tokens, { ...exact, adapter: trained.adapterPath! }),
    );
    console.log(`${name}: F32 max |Δ log p| after LoRA ${afterDifference.toExponential(2)}`);
    expect(afterDifference).toBeLessThan(TOLERANCE);
  });
});

/**
 * Quantized presets (a measurement, run with MEDISTILL_QUANT_PARITY=1): the file quantized by
 * llama.cpp, read back by the trainer (dequantized bit-exactly), against llama.cpp on the same
 * file. Widths are chosen so rows are multiples of 256 and Q4_K applies to every matrix (no
 * fallbacks); Qwen2.5's 64-wide heads in groups of 7 allow no such width, so it runs Q8_0 only.
 * llama.cpp quantizes activations too (Q8_0 / Q8_K), which F32 activations here do not, so only
 * the comparison with the same dequantized weights stored as F32 is held to the F32 bound; the
 * difference from the quantized file itself is printed (it grows with the activations).
 */
const QUANT_HEADS: Record<string, number> = {
  'smollm2-135m': 12,
  'llama-3.2-1b': 4,
  'qwen2.5-0.5b': 7,
  'qwen3-0.6b': 4,
};
describe.skipIf(!process.env.MEDISTILL_QUANT_PARITY).each(PRESET_NAMES)('quantized preset %s', (name) => {
  it.each(['q8_0', 'q4_k'] as const)('%s', { timeout: 600_000 }, async (type) => {
    if (type === 'q4_k' && name === 'qwen2.5-0.5b') return;
    const model = createPresetModel(name, { layers: 2, heads: QUANT_HEADS[name]!, seed: 3 });
    perturb(model, 5);
    const f32Path = join(directory, `${name}-q.gguf`);
    await writeLlamaModel(f32Path, model, 'f32');
    const path = join(directory, `${name}-${type}.gguf`);
    const result = await quantizeModelFile(f32Path, path, type, { threads: 1 });
    const base = await readLlamaModel(path);
    // The same dequantized weights stored as F32: llama.cpp then computes without quantizing activations.
    const dequantizedPath = join(directory, `${name}-${type}-dequantized.gguf`);
    await writeLlamaModel(dequantizedPath, base, 'f32');
    const random = seededRandom(11);
    const tokens = Array.from({ length: POSITIONS }, () => Math.floor(random() * 30000));
    const ours = tfjsLogprobs(base.config, base.weights, tokens);
    const dequantized = maxDifference(ours, await llamaCppLogprobs(dequantizedPath, tokens));
    const quantized = maxDifference(ours, await llamaCppLogprobs(path, tokens));
    console.log(
      `${name} ${type}: max |Δ log p| against the quantized file ${quantized.toExponential(2)}, ` +
        `against the same weights as F32 ${dequantized.toExponential(2)} (fallbacks: ${result.fallbacks.length})`,
    );
    expect(result.fallbacks).toEqual([]);
    expect(dequantized).toBeLessThan(TOLERANCE);
  });
});
