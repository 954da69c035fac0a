/** medistill/engines/llama-cpp: GGUF models run in-process by llama.cpp (loaded on first use). */

export type { GgufLanguageModel } from './gguf-language-model.js';
export { LlamaCppRuntime } from './llama-cpp-runtime.js';
export {
  QUANTIZE_TYPES,
  type QuantizeModelOptions,
  type QuantizeModelResult,
  type QuantizeType,
  quantizeModelFile,
} from './quantize-model.js';
export type { LlamaCppModelOptions } from './runtime-options.js';
