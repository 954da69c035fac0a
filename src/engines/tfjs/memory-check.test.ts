import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/support/paths.js';
import { createModelFile } from '../../model/create-model.js';
import { quantizeModelFile } from '../llama-cpp/quantize-model.js';
import { assertTrainable, minimumTrainingBytes } from './memory-check.js';

describe('training memory check', () => {
  it('refuses a model too big to train, before reading its weights, and suggests LoRA', async () => {
    const path = join(await temporaryDirectory(), 'm.gguf');
    const { parameters } = await createModelFile({
      out: path,
      corpus: ['a small corpus'],
      layers: 1,
      embeddingLength: 64,
    });
    await expect(assertTrainable(path, false)).resolves.toBeUndefined();
    // On a machine with too little memory for weights, gradients and AdamW state, full training is refused.
    const tooSmall = minimumTrainingBytes(parameters, false) / 0.8 - 1;
    await expect(assertTrainable(path, false, tooSmall)).rejects.toThrow(
      /m\.gguf: 0 M parameters need at least .* GiB to train in full.*--lora/,
    );
    // LoRA keeps only frozen weights plus a small adapter, so the same machine can train it.
    await expect(assertTrainable(path, true, tooSmall)).resolves.toBeUndefined();
  });

  it('counts a quantized file at its F32 size in the heap, and says so', async () => {
    const directory = await temporaryDirectory();
    const path = join(directory, 'm.gguf');
    const { parameters } = await createModelFile({
      out: path,
      corpus: ['a small corpus'],
      layers: 1,
      embeddingLength: 64,
    });
    const quantized = join(directory, 'q8.gguf');
    await quantizeModelFile(path, quantized, 'q8_0', { threads: 1 });
    const tooSmall = minimumTrainingBytes(parameters, true) / 0.8 - 1;
    await expect(assertTrainable(quantized, true, tooSmall)).rejects.toThrow(
      /q8\.gguf: 0 M parameters need at least .* GiB to train a LoRA adapter.* file stores Q8_0 weights; training holds them as F32/,
    );
    await expect(assertTrainable(quantized, true, tooSmall + 2)).resolves.toBeUndefined();
  });
});
