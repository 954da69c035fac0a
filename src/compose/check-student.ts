import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertTrainable } from '../engines/tfjs/memory-check.js';
import { ConfigError } from '../errors.js';
import { readGgufHeader } from '../gguf/read-gguf.js';
import { checkHfStudent, type HfStudent, looksLikeHfStudent } from '../model/hf-student.js';

export interface StudentCheckOptions {
  /** A LoRA adapter is trained (the embedded engine needs less memory for one). */
  lora: boolean;
}

/**
 * Checks that an engine can train a student before any work starts: the embedded engine takes
 * GGUF files it can hold (a Hugging Face model, or one too big, is sent to the GPU engines by
 * name); the GPU engines take Hugging Face folders (config.json and weights) or hub ids; the
 * hosted engine takes the name of a model in its catalog.
 */
export async function checkTrainingStudent(
  engine: string,
  spec: string,
  options: StudentCheckOptions,
): Promise<HfStudent | undefined> {
  const local = existsSync(spec);
  switch (engine) {
    case 'tfjs':
      if (looksLikeHfStudent(spec))
        throw new ConfigError(
          `${spec} is a Hugging Face model; the embedded tfjs engine trains GGUF students of up to a few hundred million parameters on this machine. Train it with the \`transformers\` or \`llamafactory\` engine (a GPU machine), or convert it to GGUF first`,
        );
      await readGgufHeader(resolve(spec));
      await assertTrainable(resolve(spec), options.lora);
      return undefined;
    case 'transformers':
    case 'llamafactory':
      if (local && statSync(spec).isFile())
        throw new ConfigError(
          `${spec} is a file; the ${engine} engine trains a Hugging Face model (a folder with config.json and weights, or a hub id). A GGUF student trains with the \`tfjs\` engine`,
        );
      return checkHfStudent(spec);
    case 'together': {
      if (local)
        throw new ConfigError(
          `${spec} is a local path; the together engine fine-tunes a model of Together's catalog, named as on Together (e.g. Qwen/Qwen3-8B)`,
        );
      return checkHfStudent(spec);
    }
    default:
      return undefined;
  }
}
