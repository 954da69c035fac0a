import { z } from 'zod';

/**
 * The hyperparameters of a Llama-architecture model, as GGUF stores them under `llama.*`.
 * Everything that makes, trains, exports or runs a student reads this one shape.
 */
export const llamaConfigSchema = z.object({
  vocabSize: z.number().int().positive(),
  contextLength: z.number().int().positive(),
  embeddingLength: z.number().int().positive(),
  blockCount: z.number().int().positive(),
  headCount: z.number().int().positive(),
  /** Key/value heads (grouped-query attention); equal to headCount for plain multi-head attention. */
  headCountKv: z.number().int().positive(),
  feedForwardLength: z.number().int().positive(),
  rmsNormEpsilon: z.number().positive(),
  ropeFreqBase: z.number().positive(),
  /** True when the output head reuses `token_embd.weight` (no `output.weight` tensor). */
  tiedOutput: z.boolean(),
});
export type LlamaConfig = z.infer<typeof llamaConfigSchema>;

/**
 * Weights keyed by GGUF tensor name (`token_embd.weight`, `blk.0.attn_q.weight`, ...), F32,
 * laid out exactly as in the GGUF file: `shape` is in ggml order (fastest-varying first), so a
 * matrix with ggml shape [in, out] is `out` rows of `in` values.
 */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}
export type LlamaWeights = Map<string, WeightTensor>;

/** The tensor names and ggml shapes a Llama model of this config must have. */
export function llamaTensorShapes(config: LlamaConfig): Map<string, number[]> {
  const headDim = config.embeddingLength / config.headCount;
  const kvDim = headDim * config.headCountKv;
  const e = config.embeddingLength;
  const shapes = new Map<string, number[]>();
  shapes.set('token_embd.weight', [e, config.vocabSize]);
  for (let i = 0; i < config.blockCount; i++) {
    shapes.set(`blk.${i}.attn_norm.weight`, [e]);
    shapes.set(`blk.${i}.attn_q.weight`, [e, e]);
    shapes.set(`blk.${i}.attn_k.weight`, [e, kvDim]);
    shapes.set(`blk.${i}.attn_v.weight`, [e, kvDim]);
    shapes.set(`blk.${i}.attn_output.weight`, [e, e]);
    shapes.set(`blk.${i}.ffn_norm.weight`, [e]);
    shapes.set(`blk.${i}.ffn_gate.weight`, [e, config.feedForwardLength]);
    shapes.set(`blk.${i}.ffn_up.weight`, [e, config.feedForwardLength]);
    shapes.set(`blk.${i}.ffn_down.weight`, [config.feedForwardLength, e]);
  }
  shapes.set('output_norm.weight', [e]);
  if (!config.tiedOutput) shapes.set('output.weight', [e, config.vocabSize]);
  return shapes;
}

export function parameterCount(config: LlamaConfig): number {
  let total = 0;
  for (const shape of llamaTensorShapes(config).values()) total += shape.reduce((a, b) => a * b, 1);
  return total;
}
