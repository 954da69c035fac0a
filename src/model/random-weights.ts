import { seededRandom } from '../util/seeded-random.js';
import { type LlamaConfig, type LlamaWeights, llamaTensorShapes } from './llama-config.js';

export { seededRandom };

/** Normal samples by Box-Muller. */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/**
 * GPT-2 style initialisation: N(0, 0.02) for matrices, the residual output projections scaled by
 * 1/sqrt(2 * layers) so deep stacks start stable; norm weights start at 1.
 */
export function randomLlamaWeights(config: LlamaConfig, seed: number): LlamaWeights {
  const normal = gaussian(seededRandom(seed));
  const weights: LlamaWeights = new Map();
  const residualScale = 1 / Math.sqrt(2 * config.blockCount);
  for (const [name, shape] of llamaTensorShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) {
      data.fill(1);
    } else {
      const std =
        0.02 * (name.endsWith('attn_output.weight') || name.endsWith('ffn_down.weight') ? residualScale : 1);
      for (let i = 0; i < size; i++) data[i] = normal() * std;
    }
    weights.set(name, { shape, data });
  }
  return weights;
}
