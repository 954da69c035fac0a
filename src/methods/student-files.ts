import type { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import type { LlamaCppModelOptions } from '../engines/llama-cpp/runtime-options.js';
import type { StudentFiles, StudentSettings } from './strategy-context.js';

/** The model and adapter of a stage's result (or an evaluation), without the rest of it. */
export function studentFiles(result: StudentFiles): StudentFiles {
  return result.adapterPath
    ? { modelPath: result.modelPath, adapterPath: result.adapterPath }
    : { modelPath: result.modelPath };
}

/**
 * StudentSettings.load for the embedded llama.cpp runtime: the model, with the adapter applied at
 * context creation when there is one (llama.cpp checks it fits the base first).
 */
export function llamaCppStudentLoader(
  runtime: LlamaCppRuntime,
  options: Omit<LlamaCppModelOptions, 'loraAdapters'> = {},
): StudentSettings['load'] {
  return (path, adapterPath) =>
    runtime.loadModel(path, {
      ...options,
      ...(adapterPath ? { loraAdapters: [{ path: adapterPath }] } : {}),
    });
}
