import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { OutType } from './float-encoding.js';
import { type ConvertGgufToHfResult, convertGgufToHf } from './gguf-to-hf.js';
import { type ConvertHfToGgufResult, convertHfToGguf } from './hf-to-gguf.js';
import { exists } from './json-file.js';
import { type MergeAdapterResult, mergeAdapter } from './merge-adapter.js';
import { type ConvertPeftLoraResult, convertPeftLoraToGguf } from './peft-lora-to-gguf.js';

export interface ConvertOptions {
  /** A Hugging Face model folder, a GGUF model, a peft adapter folder, or a GGUF adapter (with merge). */
  input: string;
  output: string;
  outType?: OutType;
  /** The adapter's base model (required for adapters). */
  base?: string;
  /** Merge the adapter into the base instead of converting it. */
  merge?: boolean;
  /** llama.cpp's pre-tokenizer name, for a tokenizer.json the converter does not recognise. */
  pre?: string;
}

export type ConvertResult =
  | ({ kind: 'hf-to-gguf' } & ConvertHfToGgufResult)
  | ({ kind: 'gguf-to-hf' } & ConvertGgufToHfResult)
  | ({ kind: 'lora-to-gguf' } & ConvertPeftLoraResult)
  | ({ kind: 'merge' } & MergeAdapterResult);

export type ConversionKind = ConvertResult['kind'];

/** Which conversion an input asks for, from what it is (folder contents or file type). */
export async function detectConversion(
  options: Pick<ConvertOptions, 'input' | 'merge'>,
): Promise<ConversionKind> {
  const info = await stat(options.input).catch(() => undefined);
  if (!info) throw new ConfigError(`${options.input} does not exist`);
  if (options.merge) return 'merge';
  if (!info.isDirectory()) return 'gguf-to-hf';
  return (await exists(join(options.input, 'adapter_config.json'))) ? 'lora-to-gguf' : 'hf-to-gguf';
}

/**
 * `medistill convert`: a Hugging Face folder becomes a GGUF, a GGUF becomes a Hugging Face folder,
 * a peft adapter becomes a GGUF adapter (checked against `base`), and with `merge` an adapter is
 * merged into `base`.
 */
export async function runConvert(options: ConvertOptions): Promise<ConvertResult> {
  const kind = await detectConversion(options);
  const outType = options.outType !== undefined ? { outType: options.outType } : {};
  if ((kind === 'lora-to-gguf' || kind === 'merge') && options.base === undefined)
    throw new ConfigError(`${options.input} is an adapter: name its base model with --base`);
  switch (kind) {
    case 'hf-to-gguf':
      return {
        kind,
        ...(await convertHfToGguf({
          input: options.input,
          output: options.output,
          ...outType,
          ...(options.pre ? { pre: options.pre } : {}),
        })),
      };
    case 'gguf-to-hf':
      return {
        kind,
        ...(await convertGgufToHf({ input: options.input, output: options.output, ...outType })),
      };
    case 'lora-to-gguf':
      return {
        kind,
        ...(await convertPeftLoraToGguf({
          adapterDir: options.input,
          base: options.base!,
          output: options.output,
          ...outType,
        })),
      };
    case 'merge':
      return {
        kind,
        ...(await mergeAdapter({
          adapter: options.input,
          base: options.base!,
          output: options.output,
          ...outType,
        })),
      };
  }
}
