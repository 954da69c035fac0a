import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingHyperparameters, TrainingProgress } from '../../training/training-engine.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { contentHash } from '../../util/canonical-json.js';
import { projectorBeside } from '../vision-projector-path.js';

/**
 * What identifies a base model: a file's bytes; a Hugging Face folder's file names, sizes and
 * times (hashing gigabytes of shards for a key costs more than it protects); a hub id itself.
 */
async function modelHash(path: string): Promise<string> {
  if (!existsSync(path)) return `id:${path}`;
  const hash = createHash('sha256');
  if ((await stat(path)).isDirectory()) {
    for (const name of (await readdir(path)).sort()) {
      const entry = await stat(join(path, name));
      hash.update(`${name}\0${entry.size}\0${entry.mtimeMs}\n`);
    }
    return hash.digest('hex');
  }
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copy a trained model, a file or (from the GPU engines) a folder, replacing what is there. */
async function copyModel(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}

export interface TrainingRequest {
  engine: string;
  baseModel: string;
  /** The LoRA adapter the training continues, keyed by its content like the base model. */
  initialAdapter?: string;
  /** The training set exactly as written (messages JSONL). */
  data: string;
  hyperparameters: TrainingHyperparameters;
  /** A vision student's starting mmproj; its trained mmproj is cached beside the model. */
  visionProjector?: string;
}

/**
 * Trained models (or LoRA adapters) keyed by what determines them: engine, base model bytes, the
 * starting adapter's bytes, training data and hyperparameters (seed included). Strategies that train the same thing (MedThink's stage 1 and
 * explanation-augmented fine-tuning, for one seed) train it once; a second caller waits for the
 * first, or copies the finished model, and gets the same training history.
 */
export class TrainingCache {
  private readonly inFlight = new Map<string, Promise<TrainingProgress[]>>();

  constructor(readonly directory: string) {}

  async key(request: TrainingRequest): Promise<string> {
    const { initialAdapter, ...rest } = request;
    return contentHash({
      ...rest,
      baseModel: await modelHash(request.baseModel),
      ...(initialAdapter ? { initialAdapter: await modelHash(initialAdapter) } : {}),
      ...(rest.visionProjector ? { visionProjector: await modelHash(rest.visionProjector) } : {}),
    });
  }

  /** Produce the model at `outputPath`, training it with `train` only if no identical training exists. */
  async obtain(
    key: string,
    outputPath: string,
    train: () => Promise<{ modelPath: string; history: TrainingProgress[] }>,
  ): Promise<TrainingProgress[]> {
    const model = join(this.directory, `${key}.gguf`);
    const meta = join(this.directory, `${key}.json`);
    // A vision student's trained encoder and projector travel with it (`<model>.mmproj.gguf`).
    const projector = join(this.directory, `${key}.mmproj.gguf`);
    const copyOut = async () => {
      await copyModel(model, outputPath);
      if (existsSync(projector)) await copyModel(projector, projectorBeside(outputPath));
    };
    if (existsSync(model) && existsSync(meta)) {
      await copyOut();
      return JSON.parse(await readFile(meta, 'utf8')) as TrainingProgress[];
    }
    let pending = this.inFlight.get(key);
    let trainedHere = false;
    if (!pending) {
      trainedHere = true;
      pending = (async () => {
        const result = await train();
        await mkdir(this.directory, { recursive: true });
        await copyModel(result.modelPath, model);
        if (existsSync(projectorBeside(result.modelPath)))
          await copyModel(projectorBeside(result.modelPath), projector);
        await writeFileAtomically(meta, JSON.stringify(result.history));
        return result.history;
      })();
      this.inFlight.set(key, pending);
      // A failed training is not remembered: the next caller tries again.
      pending.catch(() => this.inFlight.delete(key));
    }
    const history = await pending;
    if (!trainedHere) await copyOut();
    return history;
  }
}
