import { z } from 'zod';

/**
 * The llama.cpp architectures the embedded engine computes exactly: `llama` (Llama 2/3.x,
 * SmolLM2), `qwen2` (Qwen2.5) and `qwen3` (per-head q/k RMS norm). They share one block; what
 * differs is decided by metadata and the tensors a file holds (biases, norms, RoPE factors).
 */
export const SUPPORTED_ARCHITECTURES = ['llama', 'qwen2', 'qwen3'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

/**
 * The hyperparameters of a model of one supported architecture, as GGUF stores them under
 * `<architecture>.*`. Everything that makes, trains, exports or runs a student reads this shape.
 * Optional fields default to plain Llama: absent means `llama`, E/H head width, no scaling.
 */
export const llamaConfigSchema = z.object({
  architecture: z.enum(SUPPORTED_ARCHITECTURES).optional(),
  vocabSize: z.number().int().positive(),
  contextLength: z.number().int().positive(),
  embeddingLength: z.number().int().positive(),
  blockCount: z.number().int().positive(),
  headCount: z.number().int().positive(),
  /** Key/value heads (grouped-query attention); equal to headCount for plain multi-head attention. */
  headCountKv: z.number().int().positive(),
  /** Width of one head (`attention.key_length`); default embeddingLength / headCount. Qwen3 widens it. */
  headDimension: z.number().int().positive().optional(),
  feedForwardLength: z.number().int().positive(),
  rmsNormEpsilon: z.number().positive(),
  ropeFreqBase: z.number().positive(),
  /** Linear RoPE scaling: 1 / `rope.scaling.factor` (llama.cpp's freq_scale). */
  ropeFreqScale: z.number().positive().optional(),
  /** Llama 3.x `rope_freqs.weight`: one divisor per rotated pair, applied to every layer. */
  ropeFrequencyFactors: z.array(z.number()).optional(),
  /** True when the blocks carry q/k/v biases (`blk.N.attn_{q,k,v}.bias`; Qwen2 has them). */
  attentionBias: z.boolean().optional(),
  /** True when the output head reuses `token_embd.weight` (no `output.weight` tensor). */
  tiedOutput: z.boolean(),
});
export type LlamaConfig = z.infer<typeof llamaConfigSchema>;

/** llama.cpp's rope type per architecture: adjacent pairs (NORM) or halves (NEOX). */
export type RopeType = 'norm' | 'neox';

export const architectureOf = (config: LlamaConfig): Architecture => config.architecture ?? 'llama';
export const ropeTypeOf = (config: LlamaConfig): RopeType =>
  architectureOf(config) === 'llama' ? 'norm' : 'neox';
export const headDimensionOf = (config: LlamaConfig): number =>
  config.headDimension ?? config.embeddingLength / config.headCount;
/** Qwen3 normalises every query and key head with its own RMS norm weight before RoPE. */
export const hasQkNorm = (config: LlamaConfig): boolean => architectureOf(config) === 'qwen3';

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

/** The rope factor tensor of Llama 3.x: not trained, carried in the config. */
export const ROPE_FREQS = 'rope_freqs.weight';

/** The tensor names and ggml shapes a model of this config must have (rope factors aside). */
export function llamaTensorShapes(config: LlamaConfig): Map<string, number[]> {
  const headDimension = headDimensionOf(config);
  const queryDim = headDimension * config.headCount;
  const kvDim = headDimension * config.headCountKv;
  const e = config.embeddingLength;
  const shapes = new Map<string, number[]>();
  shapes.set('token_embd.weight', [e, config.vocabSize]);
  for (let i = 0; i < config.blockCount; i++) {
    shapes.set(`blk.${i}.attn_norm.weight`, [e]);
    shapes.set(`blk.${i}.attn_q.weight`, [e, queryDim]);
    shapes.set(`blk.${i}.attn_k.weight`, [e, kvDim]);
    shapes.set(`blk.${i}.attn_v.weight`, [e, kvDim]);
    if (config.attentionBias) {
      shapes.set(`blk.${i}.attn_q.bias`, [queryDim]);
      shapes.set(`blk.${i}.attn_k.bias`, [kvDim]);
      shapes.set(`blk.${i}.attn_v.bias`, [kvDim]);
    }
    if (hasQkNorm(config)) {
      shapes.set(`blk.${i}.attn_q_norm.weight`, [headDimension]);
      shapes.set(`blk.${i}.attn_k_norm.weight`, [headDimension]);
    }
    shapes.set(`blk.${i}.attn_output.weight`, [queryDim, e]);
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
