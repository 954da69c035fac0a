import { z } from 'zod';
import { ModelFormatError } from '../errors.js';
import type { Architecture, LlamaConfig } from '../model/llama-config.js';
import { llama3RopeFactors } from '../model/presets.js';

/** Hugging Face model classes the converter handles, by the llama.cpp architecture they become. */
export const HF_ARCHITECTURES: Record<Architecture, string> = {
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
};

const positive = z.number().positive();
const count = z.number().int().positive();

const ropeScalingSchema = z
  .object({
    type: z.string().optional(),
    rope_type: z.string().optional(),
    factor: positive.optional(),
    low_freq_factor: positive.optional(),
    high_freq_factor: positive.optional(),
    original_max_position_embeddings: count.optional(),
  })
  .passthrough();

/** The fields of config.json this converter reads (others are carried through untouched). */
export const hfConfigSchema = z
  .object({
    architectures: z.array(z.string()).optional(),
    model_type: z.string().optional(),
    _name_or_path: z.string().optional(),
    vocab_size: count,
    hidden_size: count,
    intermediate_size: count,
    num_hidden_layers: count,
    num_attention_heads: count,
    num_key_value_heads: count.nullish(),
    head_dim: count.nullish(),
    max_position_embeddings: count,
    rms_norm_eps: positive,
    rope_theta: positive.optional(),
    rope_scaling: ropeScalingSchema.nullish(),
    /** transformers 5 names RoPE settings (theta included) rope_parameters. */
    rope_parameters: ropeScalingSchema.extend({ rope_theta: positive.optional() }).nullish(),
    tie_word_embeddings: z.boolean().optional(),
    attention_bias: z.boolean().optional(),
    hidden_act: z.string().optional(),
    partial_rotary_factor: z.number().optional(),
    bos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
    pad_token_id: z.number().int().nullish(),
    torch_dtype: z.string().nullish(),
  })
  .passthrough();
export type HfConfig = z.infer<typeof hfConfigSchema>;

/** RoPE scaling as llama.cpp stores it: linear and YaRN as metadata, Llama 3 as a factor tensor. */
export type RopeScaling =
  | { kind: 'linear'; factor: number }
  | { kind: 'yarn'; factor: number; originalContextLength: number }
  | {
      kind: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalContextLength: number;
    };

export interface HfModelConfig {
  architecture: Architecture;
  config: LlamaConfig;
  ropeScaling?: RopeScaling;
  raw: HfConfig;
}

/**
 * The llama.cpp architecture of a config.json (by `architectures[0]`, else `model_type`), or an
 * error that names the field and lists what is supported.
 */
export function architectureOfHfConfig(raw: HfConfig, file: string): Architecture {
  const declared = raw.architectures?.[0];
  const byClass = Object.entries(HF_ARCHITECTURES).find(([, name]) => name === declared)?.[0];
  const byType = (Object.keys(HF_ARCHITECTURES) as Architecture[]).find((name) => name === raw.model_type);
  const architecture = (byClass as Architecture | undefined) ?? (declared === undefined ? byType : undefined);
  if (!architecture) {
    const supported = Object.values(HF_ARCHITECTURES).join(', ');
    throw new ModelFormatError(
      `architecture "${declared ?? raw.model_type ?? '(none)'}" cannot be converted (supported: ${supported})`,
      { file, field: declared !== undefined ? 'architectures' : 'model_type' },
    );
  }
  return architecture;
}

/**
 * The hyperparameters of a config.json as the `<arch>.*` GGUF keys carry them, refusing settings
 * llama.cpp's converter would not carry for these families (another activation, partial rotary,
 * an unknown RoPE scaling) rather than producing a model that computes something else.
 */
export function hfModelConfig(raw: HfConfig, file: string): HfModelConfig {
  const architecture = architectureOfHfConfig(raw, file);
  const refuse = (field: string, why: string): never => {
    throw new ModelFormatError(why, { file, field });
  };
  if (raw.hidden_act !== undefined && raw.hidden_act !== 'silu')
    refuse('hidden_act', `activation "${raw.hidden_act}" is not supported (silu only)`);
  if (raw.partial_rotary_factor !== undefined && raw.partial_rotary_factor !== 1)
    refuse('partial_rotary_factor', 'partial rotary embedding is not supported');
  if (raw.hidden_size % raw.num_attention_heads !== 0 && !raw.head_dim)
    refuse('num_attention_heads', `hidden_size ${raw.hidden_size} is not a multiple of it; set head_dim`);
  const headCountKv = raw.num_key_value_heads ?? raw.num_attention_heads;
  if (raw.num_attention_heads % headCountKv !== 0)
    refuse(
      'num_key_value_heads',
      `${headCountKv} does not divide num_attention_heads ${raw.num_attention_heads}`,
    );
  const config: LlamaConfig = {
    architecture,
    vocabSize: raw.vocab_size,
    contextLength: raw.max_position_embeddings,
    embeddingLength: raw.hidden_size,
    blockCount: raw.num_hidden_layers,
    headCount: raw.num_attention_heads,
    headCountKv,
    feedForwardLength: raw.intermediate_size,
    rmsNormEpsilon: raw.rms_norm_eps,
    ropeFreqBase: raw.rope_theta ?? raw.rope_parameters?.rope_theta ?? 10000,
    tiedOutput: raw.tie_word_embeddings ?? false,
  };
  if (raw.head_dim && raw.head_dim !== raw.hidden_size / raw.num_attention_heads)
    config.headDimension = raw.head_dim;
  if (architecture === 'qwen2') config.attentionBias = true;
  if (architecture === 'llama' && raw.attention_bias)
    refuse('attention_bias', 'Llama attention biases are not supported');
  const result: HfModelConfig = { architecture, config, raw };
  const scaling = raw.rope_parameters ?? raw.rope_scaling;
  const kind = scaling?.rope_type ?? scaling?.type;
  if (scaling && kind !== undefined && kind !== 'default') {
    const factor = scaling.factor ?? refuse('rope_scaling.factor', 'required for RoPE scaling');
    if (kind === 'linear') {
      result.ropeScaling = { kind, factor };
      config.ropeFreqScale = 1 / factor;
    } else if (kind === 'yarn') {
      result.ropeScaling = {
        kind,
        factor,
        originalContextLength:
          scaling.original_max_position_embeddings ??
          refuse('rope_scaling.original_max_position_embeddings', 'required for YaRN scaling'),
      };
    } else if (kind === 'llama3' && architecture === 'llama') {
      const llama3 = {
        factor,
        lowFreqFactor: scaling.low_freq_factor ?? 1,
        highFreqFactor: scaling.high_freq_factor ?? 4,
        originalContextLength: scaling.original_max_position_embeddings ?? 8192,
      };
      result.ropeScaling = { kind, ...llama3 };
      const headDimension = config.headDimension ?? config.embeddingLength / config.headCount;
      config.ropeFrequencyFactors = llama3RopeFactors(config.ropeFreqBase, headDimension, llama3);
    } else {
      refuse('rope_scaling', `RoPE scaling "${kind}" is not supported (linear, yarn, llama3)`);
    }
  }
  return result;
}
