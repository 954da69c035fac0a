import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ModelFormatError } from '../errors.js';

/** A Hugging Face student: a local model folder, or a hub id the GPU engine downloads itself. */
export type HfStudent =
  | {
      kind: 'folder';
      path: string;
      /** `architectures[0]` from config.json, e.g. `Qwen2ForCausalLM`. */
      architecture: string;
      modelType: string;
      /** True for image-text models (Qwen2-VL, Qwen2.5-VL, Qwen3-VL, ...). */
      vision: boolean;
      /** Bytes of weight files in the folder. */
      weightBytes: number;
    }
  | { kind: 'hub'; id: string };

const configSchema = z.looseObject({
  architectures: z.array(z.string()).min(1).optional(),
  model_type: z.string().min(1),
  vision_config: z.unknown().optional(),
});

/** `org/name` with the characters the hub allows, and nothing that looks like a local path. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/** Any of these is a tokenizer transformers can load (fast, SentencePiece, or byte-level BPE files). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer.model', 'vocab.json', 'tokenizer_config.json'];

/** Weight file names transformers loads (sharded or not). */
function isWeightFile(name: string): boolean {
  return /\.safetensors$/.test(name) || /^pytorch_model.*\.bin$/.test(name);
}

/**
 * Checks a student before any work starts: a folder must hold config.json (with `model_type`),
 * weights and tokenizer files; anything else that is not a folder must look like a hub id (`org/name`). The
 * folder's architecture and weight size tell the caller whether an engine can take it.
 */
export async function checkHfStudent(spec: string): Promise<HfStudent> {
  const path = resolve(spec);
  if (!existsSync(path)) {
    if (HUB_ID.test(spec)) return { kind: 'hub', id: spec };
    throw new ModelFormatError(
      `the student "${spec}" is neither a model folder nor a Hugging Face hub id (org/name)`,
      { file: spec },
    );
  }
  if (!statSync(path).isDirectory())
    throw new ModelFormatError('a Hugging Face student is a folder (config.json, weights, tokenizer)', {
      file: spec,
    });
  const configPath = join(path, 'config.json');
  if (!existsSync(configPath))
    throw new ModelFormatError('the student folder has no config.json', { file: spec });
  let config: z.infer<typeof configSchema>;
  try {
    const parsed = configSchema.safeParse(JSON.parse(await readFile(configPath, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ModelFormatError(issue?.message ?? 'not a model config', {
        file: configPath,
        field: issue?.path.join('.') || 'model_type',
      });
    }
    config = parsed.data;
  } catch (error) {
    if (error instanceof ModelFormatError) throw error;
    throw new ModelFormatError(`not JSON: ${(error as Error).message}`, { file: configPath });
  }
  const names = await readdir(path);
  const weights = names.filter(isWeightFile);
  if (weights.length === 0)
    throw new ModelFormatError('the student folder has no weights (*.safetensors or pytorch_model*.bin)', {
      file: spec,
    });
  if (!names.some((name) => TOKENIZER_FILES.includes(name)))
    throw new ModelFormatError(`the student folder has no tokenizer (${TOKENIZER_FILES.join(', ')})`, {
      file: spec,
    });
  const architecture = config.architectures?.[0] ?? config.model_type;
  return {
    kind: 'folder',
    path,
    architecture,
    modelType: config.model_type,
    vision: config.vision_config !== undefined || /VL|Vision|ImageTextToText/.test(architecture),
    weightBytes: weights.reduce((sum, name) => sum + statSync(join(path, name)).size, 0),
  };
}

/** True when `spec` names a Hugging Face student (a folder with config.json, or a hub id) rather than a GGUF. */
export function looksLikeHfStudent(spec: string): boolean {
  const path = resolve(spec);
  if (existsSync(path)) return statSync(path).isDirectory() && existsSync(join(path, 'config.json'));
  return !spec.endsWith('.gguf') && HUB_ID.test(spec);
}
