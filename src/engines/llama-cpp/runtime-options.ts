import { availableParallelism } from 'node:os';

export interface LlamaCppModelOptions {
  /** LoRA adapters (GGUF) applied at context creation. */
  loraAdapters?: { path: string; scale?: number }[];
  /** Threads for evaluation. */
  threads?: number;
  /** Parallel sequences (prompts in flight at once). */
  parallelSequences?: number;
  /** Upper bound on the context per sequence; the model's own context length is used when smaller. */
  maxContextSize?: number;
}

/**
 * On small machines one thread is fastest for generation: with two, ggml's spinning workers
 * starve the JS thread (measured 1,400-2,000 tok/s with 1 thread vs 56-68 with 2 on 2 cores).
 * Larger machines get half their cores.
 */
export function defaultThreads(cores: number = availableParallelism()): number {
  return cores <= 2 ? 1 : Math.floor(cores / 2);
}

export function resolveLlamaCppOptions(options: LlamaCppModelOptions): Required<
  Omit<LlamaCppModelOptions, 'loraAdapters'>
> & {
  loraAdapters: { path: string; scale?: number }[];
} {
  return {
    loraAdapters: options.loraAdapters ?? [],
    threads: options.threads ?? Number(process.env.MEDISTILL_THREADS ?? defaultThreads()),
    parallelSequences: options.parallelSequences ?? 4,
    maxContextSize: options.maxContextSize ?? 4096,
  };
}
