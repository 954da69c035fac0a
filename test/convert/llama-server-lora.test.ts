import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertHfToGguf } from '../../src/convert/hf-to-gguf.js';
import { convertPeftLoraToGguf } from '../../src/convert/peft-lora-to-gguf.js';
import { SMALL_MODELS, writePeftAdapter, writeRandomHfModel } from '../support/hf-model.js';
import { startLlamaServer } from '../support/llama-server.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'convert-server-lora-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The next-token probabilities llama-server reports for a fixed prompt, greedy. */
async function nextTokenProbabilities(origin: string): Promise<unknown> {
  const response = await fetch(`${origin}/completion`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'The patient has a fever', n_predict: 1, n_probs: 5, temperature: 0 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { completion_probabilities: unknown[] }).completion_probabilities[0];
}

describe('a converted peft adapter in llama-server', () => {
  it('loads with --lora on the converted base and changes what it predicts', {
    timeout: 300_000,
  }, async () => {
    const folder = join(directory, 'base');
    const base = await writeRandomHfModel(folder, { ...SMALL_MODELS.qwen2, layers: 1 });
    const basePath = join(directory, 'base.gguf');
    await convertHfToGguf({ input: folder, output: basePath });
    const adapterDir = join(directory, 'adapter');
    await writePeftAdapter(adapterDir, base, {
      rank: 4,
      alpha: 8,
      targets: ['q_proj', 'v_proj', 'o_proj'],
      seed: 3,
    });
    const adapterPath = join(directory, 'adapter.gguf');
    await convertPeftLoraToGguf({ adapterDir, base: basePath, output: adapterPath });

    const plain = await startLlamaServer({ modelPath: basePath, contextSize: 256, parallel: 1 });
    let without: unknown;
    try {
      without = await nextTokenProbabilities(plain.origin);
    } finally {
      await plain.stop();
    }
    const adapted = await startLlamaServer({
      modelPath: basePath,
      contextSize: 256,
      parallel: 1,
      extraArgs: ['--lora', adapterPath],
    });
    try {
      const adapters = (await (await fetch(`${adapted.origin}/lora-adapters`)).json()) as {
        path: string;
        scale: number;
      }[];
      expect(adapters).toMatchObject([{ path: adapterPath, scale: 1 }]);
      const withAdapter = await nextTokenProbabilities(adapted.origin);
      expect(JSON.stringify(withAdapter)).not.toBe(JSON.stringify(without));
    } finally {
      await adapted.stop();
    }
  });
});
