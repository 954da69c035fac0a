import { join } from 'node:path';
import { z } from 'zod';
import { ModelFormatError } from '../errors.js';
import { type GgufMetadata, gguf } from '../gguf/gguf-types.js';
import { type GgufTensorSource, writeGgufSources } from '../gguf/write-gguf.js';
import { type BaseModelShapes, readBaseModelShapes } from './base-model.js';
import { GGML_TYPE_OF_DTYPE, GGML_TYPE_OF_OUT_TYPE, type OutType, recodeFloats } from './float-encoding.js';
import { FILE_TYPE_OF_OUT_TYPE } from './hf-to-gguf.js';
import { readJsonFile } from './json-file.js';
import {
  DTYPE_BYTES,
  readSafetensorsData,
  readSafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensors.js';
import { ggufTensorName, isRotaryProjection, permuteRotaryRows } from './tensor-names.js';

export interface ConvertPeftLoraOptions {
  /** A peft adapter folder: adapter_config.json and adapter_model.safetensors. */
  adapterDir: string;
  /** The base model the adapter was trained on: a Hugging Face folder or a GGUF file. */
  base: string;
  /** The GGUF adapter file to write. */
  output: string;
  /** Element type of lora_a and lora_b (default f16, as llama.cpp's converter). */
  outType?: OutType;
}

export interface ConvertPeftLoraResult {
  output: string;
  architecture: string;
  /** Base tensors (GGUF names) the adapter changes. */
  targets: string[];
  rank: number;
  /** adapter.lora.alpha as written (lora_alpha, times sqrt(r) for rsLoRA). */
  alpha: number;
}

const adapterConfigSchema = z
  .object({
    peft_type: z.string().optional(),
    r: z.number().int().positive(),
    lora_alpha: z.number().positive(),
    use_rslora: z.boolean().optional(),
    use_dora: z.boolean().optional(),
    fan_in_fan_out: z.boolean().optional(),
    bias: z.string().optional(),
    alpha_pattern: z.record(z.string(), z.unknown()).optional(),
    rank_pattern: z.record(z.string(), z.unknown()).optional(),
    modules_to_save: z.array(z.string()).nullish(),
    base_model_name_or_path: z.string().nullish(),
  })
  .passthrough();

const loraName = /^base_model\.model\.(.+)\.lora_([AB])(?:\.default)?\.weight$/;

/**
 * Convert a peft LoRA adapter to a GGUF LoRA adapter as convert_lora_to_gguf.py writes it
 * (general.type "adapter", adapter.type "lora", adapter.lora.alpha; `<base tensor>.lora_a` with
 * ggml shape [in, r] and `.lora_b` with [r, out]; B's rows reordered like the base's query/key rows
 * for `llama`). Every pair is checked against the base's shapes first, so an adapter for another
 * model is refused with the tensor that does not fit.
 */
export async function convertPeftLoraToGguf(options: ConvertPeftLoraOptions): Promise<ConvertPeftLoraResult> {
  const outType = options.outType ?? 'f16';
  const configFile = join(options.adapterDir, 'adapter_config.json');
  const weightsFile = join(options.adapterDir, 'adapter_model.safetensors');
  const config = await readJsonFile(
    configFile,
    adapterConfigSchema,
    'no adapter_config.json: not a peft adapter folder',
  );
  const refuse = (field: string, why: string): never => {
    throw new ModelFormatError(why, { file: configFile, field });
  };
  if (config.peft_type !== undefined && config.peft_type !== 'LORA')
    refuse('peft_type', `peft type "${config.peft_type}" is not LoRA`);
  if (config.use_dora) refuse('use_dora', 'DoRA adapters cannot be applied by llama.cpp');
  if (config.fan_in_fan_out)
    refuse('fan_in_fan_out', 'fan_in_fan_out adapters (GPT-2 Conv1D) are not supported');
  if (config.bias !== undefined && config.bias !== 'none')
    refuse('bias', 'adapters that train biases are not supported');
  if (Object.keys(config.alpha_pattern ?? {}).length > 0)
    refuse('alpha_pattern', 'per-module alpha cannot be expressed: llama.cpp has one alpha per adapter');
  if (config.modules_to_save?.length)
    refuse(
      'modules_to_save',
      'fully trained modules cannot be stored in a GGUF LoRA adapter; merge the adapter instead',
    );

  const base = await readBaseModelShapes(options.base);
  const header = await readSafetensorsHeader(weightsFile);
  const pairs = new Map<string, { a?: SafetensorsTensorInfo; b?: SafetensorsTensorInfo }>();
  for (const [name, tensor] of header.tensors) {
    const match = loraName.exec(name);
    const ggufName = match && ggufTensorName(`${match[1]}.weight`);
    if (!match || !ggufName)
      throw new ModelFormatError(
        match
          ? `adapts ${match[1]}, which llama.cpp cannot adapt in a llama, qwen2 or qwen3 model`
          : 'not a lora_A or lora_B tensor',
        { file: weightsFile, field: name },
      );
    const pair = pairs.get(ggufName) ?? {};
    pair[match[2] === 'A' ? 'a' : 'b'] = tensor;
    pairs.set(ggufName, pair);
  }
  if (pairs.size === 0)
    throw new ModelFormatError('the adapter holds no lora_A/lora_B tensors', { file: weightsFile });

  const ranks = new Set<number>();
  const sources: GgufTensorSource[] = [];
  const to = GGML_TYPE_OF_OUT_TYPE[outType];
  for (const [target, { a, b }] of [...pairs].sort(([x], [y]) => compareTensorNames(x, y))) {
    if (!a || !b)
      throw new ModelFormatError(`${target} has lora_${a ? 'A' : 'B'} but no lora_${a ? 'B' : 'A'}`, {
        file: weightsFile,
      });
    const rank = checkPair(target, a, b, base, weightsFile);
    ranks.add(rank);
    const projection = base.architecture === 'llama' ? isRotaryProjection(target) : undefined;
    const heads = projection === 'q' ? base.headCount : projection === 'k' ? base.headCountKv : undefined;
    sources.push({
      name: `${target}.lora_a`,
      shape: [a.shape[1]!, rank],
      type: to,
      bytes: async () => recodeFloats(await readSafetensorsData(a), GGML_TYPE_OF_DTYPE[a.dtype], to),
    });
    sources.push({
      name: `${target}.lora_b`,
      shape: [rank, b.shape[0]!],
      type: to,
      bytes: async () => {
        let bytes = await readSafetensorsData(b);
        if (heads !== undefined) bytes = permuteRotaryRows(bytes, heads, rank * DTYPE_BYTES[b.dtype]);
        return recodeFloats(bytes, GGML_TYPE_OF_DTYPE[b.dtype], to);
      },
    });
  }
  const rank = Math.max(...ranks);
  if (config.use_rslora && ranks.size > 1)
    refuse('use_rslora', 'rsLoRA with ranks that differ per module cannot be expressed with one alpha');
  // llama.cpp scales by alpha / r; rsLoRA scales by lora_alpha / sqrt(r), the same with alpha = lora_alpha * sqrt(r).
  const alpha = config.use_rslora ? config.lora_alpha * Math.sqrt(rank) : config.lora_alpha;
  const metadata: GgufMetadata = new Map();
  metadata.set('general.architecture', gguf.string(base.architecture));
  metadata.set('general.type', gguf.string('adapter'));
  if (config.base_model_name_or_path)
    metadata.set('general.base_model.name', gguf.string(config.base_model_name_or_path));
  metadata.set('adapter.type', gguf.string('lora'));
  metadata.set('adapter.lora.alpha', gguf.float32(alpha));
  metadata.set('general.file_type', gguf.uint32(FILE_TYPE_OF_OUT_TYPE[outType]));
  await writeGgufSources(options.output, metadata, sources);
  return { output: options.output, architecture: base.architecture, targets: [...pairs.keys()], rank, alpha };
}

/** The pair's rank, after checking A [r, in] and B [out, r] against the base's W [in, out] (ggml order). */
function checkPair(
  target: string,
  a: SafetensorsTensorInfo,
  b: SafetensorsTensorInfo,
  base: BaseModelShapes,
  file: string,
): number {
  const weight = base.shapes.get(target);
  if (!weight)
    throw new ModelFormatError(
      `the base model ${base.path} has no tensor ${target} for this adapter to change`,
      {
        file,
        field: a.name,
      },
    );
  const [inputs, outputs] = weight;
  const [rank, aInputs] = a.shape;
  const [bOutputs, bRank] = b.shape;
  if (a.shape.length !== 2 || b.shape.length !== 2 || rank !== bRank)
    throw new ModelFormatError(`lora_A [${a.shape}] and lora_B [${b.shape}] do not share a rank`, {
      file,
      field: a.name,
    });
  if (aInputs !== inputs || bOutputs !== outputs)
    throw new ModelFormatError(
      `this adapter is for another base model: it maps ${aInputs} inputs to ${bOutputs} outputs, but ${target} (GGUF name) of ${base.path} maps ${inputs} to ${outputs}`,
      { file, field: aInputs !== inputs ? a.name : b.name },
    );
  return rank!;
}

/** Block order, then name, so the file lists tensors as llama.cpp's converter does. */
function compareTensorNames(x: string, y: string): number {
  const block = (name: string) => Number(/^blk\.(\d+)\./.exec(name)?.[1] ?? -1);
  return block(x) - block(y) || (x < y ? -1 : x > y ? 1 : 0);
}
