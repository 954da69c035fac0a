/**
 * Conversion between Hugging Face checkpoints and GGUF for the llama, qwen2 and qwen3 families,
 * in TypeScript (no Python): models both ways, peft LoRA adapters to GGUF, and merging an adapter
 * into its base.
 */

export { OUT_TYPES, type OutType } from './float-encoding.js';
export { type ConvertGgufToHfOptions, type ConvertGgufToHfResult, convertGgufToHf } from './gguf-to-hf.js';
export { HF_ARCHITECTURES } from './hf-config.js';
export { type ConvertHfToGgufOptions, type ConvertHfToGgufResult, convertHfToGguf } from './hf-to-gguf.js';
export { type MergeAdapterOptions, type MergeAdapterResult, mergeAdapter } from './merge-adapter.js';
export { type MergeLoraOptions, type MergeLoraResult, mergeLoraAdapter } from './merge-lora-adapter.js';
export {
  type ConvertPeftLoraOptions,
  type ConvertPeftLoraResult,
  convertPeftLoraToGguf,
} from './peft-lora-to-gguf.js';
export { type ConvertOptions, type ConvertResult, detectConversion, runConvert } from './run-convert.js';
