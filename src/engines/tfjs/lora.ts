import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../../errors.js';
import type { LlamaConfig } from '../../model/llama-config.js';
import { seededRandom } from '../../model/random-weights.js';
import type { ParameterMap } from './parameter-layout.js';
import { BLOCK_PROJECTIONS, type BlockProjection } from './transformer-block.js';

export interface LoraSettings {
  rank: number;
  alpha: number;
  /** Projections that get an adapter (default: all seven of each block). */
  targets: readonly BlockProjection[];
}

export const defaultLoraTargets: readonly BlockProjection[] = BLOCK_PROJECTIONS;

/** llama.cpp scales the product B A x by alpha / rank (llama_adapter_lora_weight::get_scale). */
export const loraScale = (settings: Pick<LoraSettings, 'rank' | 'alpha'>): number =>
  settings.alpha / settings.rank;

export function validateLoraSettings(settings: LoraSettings): void {
  if (!Number.isInteger(settings.rank) || settings.rank < 1)
    throw new ConfigError(`LoRA rank must be a positive integer, got ${settings.rank}`);
  if (!(settings.alpha > 0)) throw new ConfigError(`LoRA alpha must be positive, got ${settings.alpha}`);
  if (settings.targets.length === 0) throw new ConfigError('LoRA needs at least one target projection');
  for (const target of settings.targets) {
    if (!BLOCK_PROJECTIONS.includes(target)) {
      throw new ConfigError(`unknown LoRA target "${target}" (choose from ${BLOCK_PROJECTIONS.join(', ')})`);
    }
  }
}

/** Base tensor names that carry an adapter, e.g. `blk.0.attn_q.weight`. */
export function loraBaseNames(config: LlamaConfig, targets: readonly BlockProjection[]): string[] {
  const names: string[] = [];
  for (let layer = 0; layer < config.blockCount; layer++) {
    for (const target of targets) names.push(`blk.${layer}.${target}.weight`);
  }
  return names;
}

/**
 * Add fresh LoRA factors to `parameters` and return their names (the only trainable tensors).
 * A starts uniform in ±1/sqrt(in) (PEFT's Kaiming default) and B at zero, so training starts
 * exactly at the base model.
 */
export function addLoraFactors(
  parameters: ParameterMap,
  config: LlamaConfig,
  settings: LoraSettings,
  seed: number,
): string[] {
  validateLoraSettings(settings);
  return addLoraFactorsTo(parameters, loraBaseNames(config, settings.targets), settings.rank, seed);
}

/** Add LoRA factors (A random, B zero) to the named [in, out] matrices; returns the factor names. */
export function addLoraFactorsTo(
  parameters: ParameterMap,
  names: readonly string[],
  rank: number,
  seed: number,
): string[] {
  const random = seededRandom(seed ^ 0x10a4);
  const trainable: string[] = [];
  for (const name of names) {
    const base = parameters.get(name);
    if (!base) throw new Error(`parameter ${name} is missing`);
    const [inputs, outputs] = base.shape as [number, number];
    const bound = 1 / Math.sqrt(inputs);
    const a = new Float32Array(inputs * rank);
    for (let i = 0; i < a.length; i++) a[i] = (random() * 2 - 1) * bound;
    parameters.set(`${name}.lora_a`, tf.tensor2d(a, [inputs, rank]));
    parameters.set(`${name}.lora_b`, tf.zeros([rank, outputs]));
    trainable.push(`${name}.lora_a`, `${name}.lora_b`);
  }
  return trainable;
}

/** Fold every adapter into its base matrix (W + scale A B) and drop the factors. */
export function mergeLoraFactors(parameters: ParameterMap, scale: number): void {
  for (const name of [...parameters.keys()]) {
    if (!name.endsWith('.lora_a')) continue;
    const baseName = name.slice(0, -'.lora_a'.length);
    const a = parameters.get(name)!;
    const b = parameters.get(`${baseName}.lora_b`);
    const base = parameters.get(baseName);
    if (!b || !base) throw new Error(`incomplete LoRA pair for ${baseName}`);
    const merged = tf.tidy(() => tf.add(base, tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), scale)));
    base.dispose();
    a.dispose();
    b.dispose();
    parameters.set(baseName, merged);
    parameters.delete(name);
    parameters.delete(`${baseName}.lora_b`);
  }
}
