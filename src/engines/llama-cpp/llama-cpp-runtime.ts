import type { Llama } from 'node-llama-cpp';
import { ModelFormatError } from '../../errors.js';
import { metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { assertAdapterMatchesBase } from './adapter-match.js';
import type { GgufLanguageModel } from './gguf-language-model.js';
import { nodeLlamaCpp } from './node-llama-cpp-module.js';
import { type LlamaCppModelOptions, resolveLlamaCppOptions } from './runtime-options.js';

/**
 * Owns the llama.cpp binding for a process: loading the native addon is the slow, one-time part,
 * and llama.cpp wants one backend instance shared by every model.
 */
export class LlamaCppRuntime {
  private llama: Promise<Llama> | undefined;

  constructor(private readonly settings: { gpu?: boolean } = {}) {}

  binding(): Promise<Llama> {
    this.llama ??= nodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
      getLlama({ gpu: this.settings.gpu ? 'auto' : false, logLevel: LlamaLogLevel.error }),
    );
    return this.llama;
  }

  /** Load a GGUF model as a LanguageModel (generation, JSON output, continuation scoring, LoRA). */
  async loadModel(path: string, options: LlamaCppModelOptions = {}): Promise<GgufLanguageModel> {
    // Our own header read gives a clear error for non-GGUF files before the native loader sees them.
    const header = await readGgufHeader(path);
    const architecture = String(metadataValue(header.metadata, 'general.architecture') ?? '');
    if (metadataValue(header.metadata, 'general.type') === 'adapter') {
      throw new ModelFormatError(
        'this is a LoRA adapter, not a model; pass it as an adapter of its base model',
        { file: path },
      );
    }
    const template = metadataValue(header.metadata, 'tokenizer.chat_template');
    const trainedContext = metadataValue(header.metadata, `${architecture}.context_length`);
    const resolved = resolveLlamaCppOptions(options);
    for (const adapter of resolved.loraAdapters) await assertAdapterMatchesBase(header, path, adapter.path);
    const llama = await this.binding();
    let model: Awaited<ReturnType<Llama['loadModel']>>;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: this.settings.gpu ? 'auto' : 0 });
    } catch (error) {
      throw new ModelFormatError(
        `llama.cpp could not load the model: ${(error as Error).message}`,
        { file: path },
        { cause: error },
      );
    }
    const contextSize = Math.min(
      typeof trainedContext === 'number' ? trainedContext : resolved.maxContextSize,
      resolved.maxContextSize,
    );
    try {
      const context = await model.createContext({
        contextSize,
        sequences: resolved.parallelSequences,
        threads: resolved.threads,
        ...(resolved.loraAdapters.length > 0
          ? {
              lora: {
                adapters: resolved.loraAdapters.map((adapter) => ({
                  filePath: adapter.path,
                  scale: adapter.scale ?? 1,
                })),
              },
            }
          : {}),
      });
      const { GgufLanguageModel } = await import('./gguf-language-model.js');
      return new GgufLanguageModel({
        path,
        llama,
        model,
        context,
        chatTemplate: typeof template === 'string' ? template : undefined,
        adapters: resolved.loraAdapters.map((adapter) => adapter.path),
      });
    } catch (error) {
      await model.dispose();
      const adapters = resolved.loraAdapters.map((adapter) => adapter.path).join(', ');
      throw new ModelFormatError(
        `llama.cpp could not create a context${adapters ? ` with adapters ${adapters}` : ''}: ${(error as Error).message}`,
        { file: path },
        { cause: error },
      );
    }
  }
}
