import { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import type { LlamaCppModelOptions } from '../engines/llama-cpp/runtime-options.js';
import { ConfigError } from '../errors.js';
import type { LanguageModel } from './language-model.js';

export interface ModelResolverOptions {
  /** Settings for GGUF models run in-process. */
  gguf?: LlamaCppModelOptions;
}

export type ResolveModel = (spec: string) => Promise<LanguageModel>;

/**
 * Turns a model spec (`gguf:./student.gguf`, a bare `.gguf` path, or a server spec) into a
 * LanguageModel. One resolver owns one llama.cpp runtime, shared by all GGUF models it loads.
 */
export function createModelResolver(options: ModelResolverOptions = {}): ResolveModel {
  const runtime = new LlamaCppRuntime();
  return async (spec: string) => {
    const ggufPath = spec.startsWith('gguf:') ? spec.slice('gguf:'.length) : spec.endsWith('.gguf') ? spec : undefined;
    if (ggufPath !== undefined) return runtime.loadModel(ggufPath, options.gguf ?? {});
    throw new ConfigError(`unknown model spec "${spec}" (expected gguf:<file> or a .gguf path)`);
  };
}
