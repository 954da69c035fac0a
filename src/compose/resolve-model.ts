import { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import type { LlamaCppModelOptions } from '../engines/llama-cpp/runtime-options.js';
import type { LanguageModel } from '../models/language-model.js';
import { wrapModel } from '../models/middleware/model-middleware.js';
import { modelIdOf, parseModelSpecOrPath } from '../models/model-spec.js';
import {
  createServerModelFromSpec,
  type ServerModelFromSpecOptions,
} from '../models/openai-compatible-model.js';
import { withEgressContext } from '../privacy/egress-context.js';
import type { EndpointGuard } from '../privacy/endpoint-guard.js';

export interface ModelResolverOptions {
  /** Settings for GGUF models run in-process. */
  gguf?: LlamaCppModelOptions;
  server?: ServerModelFromSpecOptions;
  /** Checks server specs against a privacy policy, pins their address and logs their requests. */
  guard?: EndpointGuard;
}

export interface ResolveOptions {
  /** Overrides the resolver's guard for this model (a command's own policy). */
  guard?: EndpointGuard;
}

export type ResolveModel = (spec: string, options?: ResolveOptions) => Promise<LanguageModel>;

/**
 * Turns a model spec (`gguf:./student.gguf`, a bare `.gguf` path, `openai-compatible:URL#name`,
 * `openai:`, `ollama:`, ...) into a LanguageModel. One resolver owns one llama.cpp runtime,
 * shared by every GGUF model it loads. With a guard, a server spec the policy refuses throws
 * before any connection is made.
 */
export function createModelResolver(options: ModelResolverOptions = {}): ResolveModel {
  const runtime = new LlamaCppRuntime();
  return async (spec: string, resolveOptions: ResolveOptions = {}) => {
    const parsed = parseModelSpecOrPath(spec);
    if (parsed.kind === 'gguf') return runtime.loadModel(parsed.path, options.gguf ?? {});
    const guard = resolveOptions.guard ?? options.guard;
    if (!guard) return createServerModelFromSpec(parsed, options.server ?? {});
    const endpoint = await guard.check(spec);
    if (endpoint.kind !== 'network') throw new Error(`unreachable: "${spec}" is a server spec`);
    const fetch = guard.fetchFor(endpoint, modelIdOf(parsed));
    return wrapModel(createServerModelFromSpec(parsed, { ...options.server, fetch }), withEgressContext());
  };
}
