import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TrainingError } from '../../errors.js';
import { GgmlType, type GgufTensorToWrite, gguf, metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../../gguf/read-gguf.js';
import { writeGguf } from '../../gguf/write-gguf.js';
import type { TrainingProgress } from '../../training/training-engine.js';
import type { TrainerState } from './llama-trainer.js';

/** Where a run stands after a finished epoch: what resuming needs besides the tensors. */
export interface CheckpointProgress {
  /** Epochs finished. */
  epoch: number;
  bestValidationLoss?: number;
  bestEpoch?: number;
  epochsWithoutImprovement: number;
  elapsedMs: number;
  history: TrainingProgress[];
  /** Hash of the settings and data; a resume with other ones is refused. */
  fingerprint: string;
}

const progressSchema = z.object({
  epoch: z.number().int().nonnegative(),
  bestValidationLoss: z.number().optional(),
  bestEpoch: z.number().int().nonnegative().optional(),
  epochsWithoutImprovement: z.number().int().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  history: z.array(z.custom<TrainingProgress>((value) => typeof value === 'object' && value !== null)),
  fingerprint: z.string(),
  optimizerStep: z.number().int().nonnegative(),
});

const METADATA_KEY = 'medistill.checkpoint';
const PREFIXES = { parameters: 'p.', firstMoment: 'm.', secondMoment: 'v.' } as const;
const FILE_PATTERN = /^epoch-(\d{4,})\.checkpoint\.gguf$/;

export const checkpointFileName = (epoch: number): string =>
  `epoch-${String(epoch).padStart(4, '0')}.checkpoint.gguf`;

/**
 * Save the trainable tensors, both Adam moments and the run's progress as one GGUF file,
 * written atomically. Shapes are stored reversed (ggml order) so the file reads like any GGUF.
 */
export async function saveCheckpoint(
  directory: string,
  state: TrainerState,
  progress: CheckpointProgress,
): Promise<string> {
  const tensors: GgufTensorToWrite[] = [];
  for (const [field, prefix] of Object.entries(PREFIXES) as [keyof typeof PREFIXES, string][]) {
    for (const [name, tensor] of state[field]) {
      tensors.push({
        name: prefix + name,
        shape: [...tensor.shape].reverse(),
        data: tensor.data,
        type: GgmlType.F32,
      });
    }
  }
  const metadata = new Map([
    ['general.type', gguf.string('medistill-checkpoint')],
    [METADATA_KEY, gguf.string(JSON.stringify({ ...progress, optimizerStep: state.step }))],
  ]);
  const path = join(directory, checkpointFileName(progress.epoch));
  await writeGguf(path, metadata, tensors);
  return path;
}

/** The newest checkpoint in `directory`, or undefined when there is none. */
export async function latestCheckpoint(
  directory: string,
): Promise<{ path: string; epoch: number } | undefined> {
  const epochs = await checkpointEpochs(directory);
  const epoch = epochs.at(-1);
  return epoch === undefined ? undefined : { path: join(directory, checkpointFileName(epoch)), epoch };
}

async function checkpointEpochs(directory: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  return names
    .map((name) => FILE_PATTERN.exec(name)?.[1])
    .filter((epoch): epoch is string => epoch !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function loadCheckpoint(
  path: string,
): Promise<{ state: TrainerState; progress: CheckpointProgress }> {
  const header = await readGgufHeader(path);
  const json = metadataValue(header.metadata, METADATA_KEY);
  let parsed: z.infer<typeof progressSchema>;
  try {
    parsed = progressSchema.parse(JSON.parse(String(json)));
  } catch (error) {
    throw new TrainingError(`${path}: not a medistill checkpoint or a damaged one`, { cause: error });
  }
  const data = await readGgufTensors(path, header);
  const state: TrainerState = {
    step: parsed.optimizerStep,
    parameters: new Map(),
    firstMoment: new Map(),
    secondMoment: new Map(),
  };
  for (const info of header.tensors) {
    for (const [field, prefix] of Object.entries(PREFIXES) as [keyof typeof PREFIXES, string][]) {
      if (info.name.startsWith(prefix)) {
        state[field].set(info.name.slice(prefix.length), {
          shape: [...info.shape].reverse(),
          data: data.get(info.name)!,
        });
      }
    }
  }
  const { optimizerStep: _, ...progress } = parsed;
  return { state, progress: progress as CheckpointProgress };
}

/** Delete checkpoints other than the given epochs (the latest, for resuming, and the best). */
export async function pruneCheckpoints(directory: string, keep: readonly number[]): Promise<void> {
  for (const epoch of await checkpointEpochs(directory)) {
    if (!keep.includes(epoch)) await rm(join(directory, checkpointFileName(epoch)), { force: true });
  }
}
