import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import { TrainingCache } from './training-cache.js';

describe('TrainingCache.key', () => {
  it('changes with the starting adapter by content, not by path', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'training-cache-'));
    const base = join(directory, 'base.gguf');
    const adapter = join(directory, 'stage1.lora.gguf');
    await writeFile(base, 'base weights');
    const cache = new TrainingCache(join(directory, 'cache'));
    const request = {
      engine: 'tfjs-wasm',
      baseModel: base,
      data: '{}\n',
      hyperparameters: defaultHyperparameters,
    };
    const fresh = await cache.key(request);
    await writeFile(adapter, 'adapter of seed 1');
    const first = await cache.key({ ...request, initialAdapter: adapter });
    await writeFile(adapter, 'adapter of seed 2');
    const second = await cache.key({ ...request, initialAdapter: adapter });
    expect(new Set([fresh, first, second]).size).toBe(3);
    const copy = join(directory, 'elsewhere.gguf');
    await writeFile(copy, 'adapter of seed 2');
    expect(await cache.key({ ...request, initialAdapter: copy })).toBe(second);
  });
});
