import { basename } from 'node:path';
import { LlamaServerProcess } from '../deploy/serve/llama-server-process.js';
import { llamaServerBinary } from '../engines/llama-cpp/llama-server-binary.js';
import type { LanguageModel } from '../models/language-model.js';
import { OpenAICompatibleModel } from '../models/openai-compatible-model.js';

export interface VisionStudentServerOptions {
  /** Context per request in tokens: prompt, image tokens and reply. */
  contextSize: number;
  /** Requests answered at once. */
  parallel: number;
  threads: number;
}

/**
 * A vision student as a LanguageModel: llama-server with `--mmproj` on a private loopback port
 * (the embedded node-llama-cpp runtime is text-only), spoken to through the OpenAI-compatible
 * model. `close()` stops the server.
 */
export async function loadVisionStudent(
  modelPath: string,
  projectorPath: string,
  options: VisionStudentServerOptions,
): Promise<LanguageModel> {
  const server = new LlamaServerProcess({
    binary: await llamaServerBinary(),
    model: modelPath,
    projector: projectorPath,
    contextSize: options.contextSize,
    parallel: options.parallel,
    threads: options.threads,
  });
  await server.start();
  const model = new OpenAICompatibleModel({
    baseUrl: `${server.origin}/v1`,
    model: basename(modelPath),
    id: `vision-student:${basename(modelPath)}`,
  });
  return {
    id: model.id,
    generate: (request, options) => model.generate(request, options),
    close: () => server.stop(),
  };
}
