import { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import type { LlamaCppModelOptions } from '../engines/llama-cpp/runtime-options.js';
import type { LanguageModel } from '../models/language-model.js';
import { parseModelSpec } from '../models/model-spec.js';
import {
  createServerModelFromSpec,
  type ServerModelFromSpecOptions,
} from '../models/openai-compatible-model.js';

export interface ModelResolverOptions {
  /** Settings for GGUF models run in-process. */
  gguf?: LlamaCppModelOptions;
  server?: ServerModelFromSpecOptions;
}

export type ResolveModel = (spec: string) => Promise<LanguageModel>;

/**
 * Turns a model spec (`gguf:./student.gguf`, a bare `.gguf` path, `openai-compatible:URL#name`,
 * `openai:`, `ollama:`, ...) into a LanguageModel. One resolver owns one llama.cpp runtime,
 * shared by every GGUF model it loads.
 */
export function createModelResolver(options: ModelResolverOptions = {}): ResolveModel {
  const runtime = new LlamaCppRuntime();
  return async (spec: string) => {
    const parsed = parseModelSpec(spec.endsWith('.gguf') && !spec.includes(':') ? `gguf:${spec}` : spec);
    if (parsed.kind === 'gguf') return runtime.loadModel(parsed.path, options.gguf ?? {});
    return createServerModelFromSpec(parsed, options.server ?? {});
  };
}
