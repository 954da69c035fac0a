import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import { type LlamaConfig, type LlamaWeights, llamaTensorShapes } from '../../model/llama-config.js';
import { type LoraSettings, loraBaseNames } from './lora.js';
import { readLoraAdapter } from './lora-adapter-file.js';

export interface InitialAdapter {
  /** `<base>.lora_a` / `<base>.lora_b` in ggml layout, exactly the factors the trainer makes. */
  tensors: LlamaWeights;
  /** sha256 of the file, so a checkpoint of another start is never resumed. */
  digest: string;
}

/**
 * Read the adapter a job continues from and check it is one this job could have written: the
 * same rank, alpha and target projections, on a model of this shape. Anything else would change
 * what the adapter computes (alpha / rank scales it) or leave factors untrained, so it is refused
 * with the file and the first difference named.
 */
export async function readInitialAdapter(
  path: string,
  config: LlamaConfig,
  lora: LoraSettings,
): Promise<InitialAdapter> {
  const digest = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  const adapter = await readLoraAdapter(path);
  const refuse = (detail: string) =>
    new ConfigError(`initial adapter ${path}: ${detail}; continue it with the settings it was trained with`);
  if (adapter.alpha !== lora.alpha) throw refuse(`alpha is ${adapter.alpha}, this job's is ${lora.alpha}`);
  const baseShapes = llamaTensorShapes(config);
  const wanted = new Set<string>();
  for (const base of loraBaseNames(config, lora.targets)) {
    const [inputs, outputs] = baseShapes.get(base) as [number, number];
    const expected = new Map([
      [`${base}.lora_a`, [inputs, lora.rank]],
      [`${base}.lora_b`, [lora.rank, outputs]],
    ]);
    for (const [name, shape] of expected) {
      wanted.add(name);
      const tensor = adapter.tensors.get(name);
      if (!tensor) throw refuse(`it has no ${name} (targets differ)`);
      if (tensor.shape.join(',') !== shape.join(','))
        throw refuse(`${name} is [${tensor.shape}], expected [${shape}] (rank ${lora.rank})`);
    }
  }
  const extra = [...adapter.tensors.keys()].find((name) => !wanted.has(name));
  if (extra) throw refuse(`it adapts ${extra}, which this job does not train (targets differ)`);
  return { tensors: adapter.tensors, digest };
}
