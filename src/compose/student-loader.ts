import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readHostedModel } from '../engines/hosted/hosted-model.js';
import type { LlamaCppModelOptions } from '../engines/llama-cpp/runtime-options.js';
import { isAdapterFolder } from '../engines/llama-factory/checkpoints.js';
import { ApiCallError, ConfigError } from '../errors.js';
import type { LanguageModel } from '../models/language-model.js';
import { parseModelSpec } from '../models/model-spec.js';

/**
 * How a run evaluates its students: `llama-cpp` (GGUF students, in-process), `server` (an
 * OpenAI-compatible server the user runs, such as vLLM or SGLang, with LoRA adapters loaded and
 * served by name), or `gguf` (Hugging Face checkpoints converted to GGUF, then llama.cpp).
 */
export const evaluationRoutes = ['llama-cpp', 'server', 'gguf'] as const;
export type EvaluationRoute = (typeof evaluationRoutes)[number];

/** The conversions the `gguf` route needs (the converter's API, injected so this file does not pick one). */
export interface GgufConverter {
  /** A Hugging Face model folder to one GGUF file. */
  hfToGguf(input: string, output: string, outType: 'f32' | 'f16' | 'bf16'): Promise<void>;
  /** A peft LoRA adapter folder to a GGUF LoRA for the base model folder `base`. */
  loraToGguf(adapterDir: string, base: string, output: string): Promise<void>;
}

export interface StudentLoaderOptions {
  route: EvaluationRoute;
  /** The run's starting student (a GGUF path, a model folder or a hub id). */
  baseModel: string;
  /** Resolves model specs (with the run's privacy guard). */
  resolveModel: (spec: string) => Promise<LanguageModel>;
  /** Loads a GGUF in the run's llama.cpp runtime. */
  loadGguf: (path: string, options?: LlamaCppModelOptions) => Promise<LanguageModel>;
  /** `server` route: the spec of the user's server, whose `#model` is the served base model. */
  server?: string;
  /** `server` route: how adapters reach the server (`none`: the user has loaded them under their folder name). */
  adapterLoading?: 'vllm' | 'sglang' | 'none';
  /** The fetch that adapter-loading requests go through (the privacy guard's). */
  fetch?: typeof fetch;
  /** `gguf` route. */
  converter?: GgufConverter;
  ggufType?: 'f32' | 'f16' | 'bf16';
  /** Where converted files go (the run directory). */
  directory: string;
}

/** The name an adapter is served under: stable for one folder, so a rerun reuses the loaded adapter. */
export function servedAdapterName(path: string): string {
  return `medistill-${createHash('sha256').update(resolve(path)).digest('hex').slice(0, 12)}`;
}

/**
 * The run's `load(path)` for its students, by route. A path may be the base student, a trained
 * model (GGUF file or Hugging Face folder), a peft adapter folder, or a hosted-model record.
 */
export function createStudentLoader(
  options: StudentLoaderOptions,
): (path: string, adapterPath?: string) => Promise<LanguageModel> {
  const loaded = new Map<string, Promise<void>>();
  const converted = new Map<string, Promise<string>>();
  const once = (key: string, work: () => Promise<string>): Promise<string> => {
    let pending = converted.get(key);
    if (!pending) {
      pending = work();
      pending.catch(() => converted.delete(key));
      converted.set(key, pending);
    }
    return pending;
  };
  return async (modelPath, adapterPath) => {
    // llama.cpp applies a GGUF adapter to its base; the other routes load an adapter (a peft
    // folder, a hosted record) as the student itself, as they load a trained model.
    if (options.route === 'llama-cpp')
      return options.loadGguf(modelPath, adapterPath ? { loraAdapters: [{ path: adapterPath }] } : {});
    const path = adapterPath ?? modelPath;
    const hosted = readHostedModel(path);
    if (hosted) return options.resolveModel(hosted.spec);
    switch (options.route) {
      case 'server':
        return loadFromServer(path);
      case 'gguf':
        return loadConverted(path);
    }
  };

  async function loadFromServer(path: string): Promise<LanguageModel> {
    if (!options.server) throw new ConfigError('the server evaluation route needs `server`, a model spec');
    const spec = parseModelSpec(options.server);
    if (spec.kind !== 'openai-compatible')
      throw new ConfigError('evaluation.server must be a server spec, not a GGUF');
    if (path === options.baseModel) return options.resolveModel(options.server);
    if (!isAdapterFolder(path))
      throw new ConfigError(
        `the server evaluation route serves the base student and LoRA adapters; ${path} is a fully trained model, which the server would have to be restarted with (train with loraRank, or use evaluation.route: gguf)`,
      );
    const name = servedAdapterName(path);
    const loading = options.adapterLoading ?? 'vllm';
    if (loading !== 'none') {
      let pending = loaded.get(name);
      if (!pending) {
        pending = loadAdapter(spec.baseUrl, loading, name, resolve(path));
        pending.catch(() => loaded.delete(name));
        loaded.set(name, pending);
      }
      await pending;
    }
    const keyOption = spec.keyEnv ? `?key_env=${spec.keyEnv}` : '';
    return options.resolveModel(`openai-compatible:${spec.baseUrl}#${name}${keyOption}`);
  }

  /**
   * vLLM (with VLLM_ALLOW_RUNTIME_LORA_UPDATING=True) takes `POST /v1/load_lora_adapter`; SGLang
   * (with --enable-lora) `POST /load_lora_adapter` at its root. Both take `lora_name` and
   * `lora_path`; a name already loaded is not an error.
   */
  async function loadAdapter(
    baseUrl: string,
    kind: 'vllm' | 'sglang',
    name: string,
    path: string,
  ): Promise<void> {
    const root = baseUrl.replace(/\/v1$/, '');
    const url = kind === 'vllm' ? `${root}/v1/load_lora_adapter` : `${root}/load_lora_adapter`;
    const response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lora_name: name, lora_path: path }),
    });
    const body = await response.text();
    if (response.ok || /already (been )?loaded|already exists/i.test(body)) return;
    throw new ApiCallError(
      `${url}: the server did not load the adapter ${path}: HTTP ${response.status} ${body.slice(0, 500)}`,
      {
        url,
        status: response.status,
        responseBody: body.slice(0, 2000),
        isRetryable: false,
      },
    );
  }

  async function loadConverted(path: string): Promise<LanguageModel> {
    if (path.endsWith('.gguf') && existsSync(path) && statSync(path).isFile()) return options.loadGguf(path);
    const converter = options.converter;
    if (!converter) throw new ConfigError('the gguf evaluation route needs a converter');
    const type = options.ggufType ?? 'f16';
    const base = options.baseModel;
    if (!existsSync(base) || !statSync(base).isDirectory())
      throw new ConfigError(
        `the gguf evaluation route converts a local model folder; "${base}" is a hub id (download it, e.g. \`huggingface-cli download ${base} --local-dir ...\`, and name the folder)`,
      );
    const folder = join(options.directory, 'gguf');
    await mkdir(folder, { recursive: true });
    const baseGguf = await once(`base:${resolve(base)}`, async () => {
      const output = join(folder, `student-base.${type}.gguf`);
      if (!existsSync(output)) await converter.hfToGguf(resolve(base), output, type);
      return output;
    });
    if (path === base) return options.loadGguf(baseGguf);
    const name = servedAdapterName(path);
    if (isAdapterFolder(path)) {
      const adapter = await once(`lora:${resolve(path)}`, async () => {
        const output = join(folder, `${name}.lora.gguf`);
        if (!existsSync(output)) await converter.loraToGguf(resolve(path), resolve(base), output);
        return output;
      });
      return options.loadGguf(baseGguf, { loraAdapters: [{ path: adapter }] });
    }
    const model = await once(`model:${resolve(path)}`, async () => {
      const output = join(folder, `${name}.${type}.gguf`);
      if (!existsSync(output)) await converter.hfToGguf(resolve(path), output, type);
      return output;
    });
    return options.loadGguf(model);
  }
}
