import { basename } from 'node:path';
import { llamaServerBinary } from '../../engines/llama-cpp/llama-server-binary.js';
import type { VisionStudentStarter } from '../../methods/run/setup-vision.js';
import { OpenAICompatibleModel } from '../../models/openai-compatible-model.js';
import { LlamaServerProcess } from './llama-server-process.js';

/**
 * A vision student as a LanguageModel: llama-server with `--mmproj` on a private loopback port
 * (the embedded node-llama-cpp runtime is text-only), spoken to through the OpenAI-compatible
 * model. `close()` stops the server.
 */
export const loadVisionStudent: VisionStudentStarter = async (modelPath, projectorPath, options) => {
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
};
