import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TrainingError } from '../../errors.js';
import type {
  TrainingHyperparameters,
  TrainingJob,
  TrainingProgress,
} from '../../training/training-engine.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import type { StrategyContext, StudentFiles } from '../strategy-context.js';
import { type TrainingExample, toJsonLines } from '../training-examples.js';
import { visionTrainingSet } from '../vision-inputs.js';
import { projectorBeside, startingProjector } from '../vision-projector-path.js';
import { noExamplesError } from './stage-failure.js';

export interface TrainStageResult extends StudentFiles {
  dataPath: string;
  examples: number;
  history: TrainingProgress[];
}

/**
 * Write the stage's training set (kept in the run directory for audit) and train the student on
 * it, starting from `start`. Full fine-tuning writes `<stage>.gguf`; with LoRA the base stays as
 * it is and the stage writes its adapter, `<stage>.lora.gguf`, continuing `start`'s adapter when
 * it has one (MedThink's stage 2 after a LoRA stage 1). A finished stage is not retrained on
 * rerun; an interrupted one resumes from its last epoch checkpoint.
 */
export function trainStage(
  context: StrategyContext,
  stage: string,
  examples: readonly TrainingExample[],
  start: StudentFiles,
  hyperparameters: TrainingHyperparameters = context.student.hyperparameters,
): Promise<TrainStageResult> {
  return context.stages.run(`${stage}.train`, async () => {
    if (examples.length === 0) throw noExamplesError(context, `${stage}.train`, {});
    const lora = hyperparameters.loraRank !== undefined;
    const dataPath = join(context.directory, `${stage}.train.jsonl`);
    const outputPath = join(context.directory, lora ? `${stage}.lora.gguf` : `${stage}.gguf`);
    await mkdir(context.directory, { recursive: true });
    // A vision run's examples carry their images; one whose image cannot be read is left out.
    const data = context.vision ? await visionTrainingSet(context, stage, examples) : toJsonLines(examples);
    if (data.length === 0) throw noExamplesError(context, `${stage}.train`, {});
    // Vision runs train full students (the run config refuses LoRA there), so the stage's
    // model path is where its trained projector lies.
    const projector = startingProjector(context.student, start.modelPath);
    await writeFileAtomically(dataPath, data);
    const base = { strategy: context.strategy, seed: context.seed, stage };
    context.emit({ type: 'stage-start', ...base, total: examples.length });
    const seeded = { ...hyperparameters, seed: hyperparameters.seed + context.seed };
    const job: TrainingJob = {
      baseModel: start.modelPath,
      ...(start.adapterPath ? { initialAdapter: start.adapterPath } : {}),
      dataPath,
      outputPath,
      checkpointDir: join(context.directory, 'checkpoints', stage),
      hyperparameters: seeded,
      ...(projector ? { visionProjector: projector, projectorOutputPath: projectorBeside(outputPath) } : {}),
    };
    const train = async () => {
      const result = await context.student.engine.train(job, {
        resume: true,
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: (progress) => context.emit({ type: 'training', ...base, progress }),
      });
      // A hosted engine's LoRA is a model record, not an adapter file: either way it is at outputPath.
      const written = (lora ? result.adapterPath : undefined) ?? result.modelPath;
      if (resolve(written) !== resolve(outputPath) || !existsSync(outputPath))
        throw new TrainingError(
          `${stage}: the engine wrote no ${lora ? 'adapter' : 'model'} at ${outputPath}`,
        );
      return { modelPath: outputPath, history: result.history };
    };
    const cache = context.trainingCache;
    const history = cache
      ? await cache.obtain(
          await cache.key({
            engine: context.student.engine.id,
            baseModel: job.baseModel,
            ...(job.initialAdapter ? { initialAdapter: job.initialAdapter } : {}),
            data,
            hyperparameters: seeded,
            ...(projector ? { visionProjector: projector } : {}),
          }),
          outputPath,
          train,
        )
      : (await train()).history;
    const last = history.at(-1);
    context.emit({
      type: 'stage-end',
      ...base,
      summary: `${examples.length} examples, validation loss ${last?.validationLoss?.toFixed(3) ?? 'n/a'}`,
    });
    const files: StudentFiles = lora
      ? { modelPath: start.modelPath, adapterPath: outputPath }
      : { modelPath: outputPath };
    return { ...files, dataPath, examples: examples.length, history };
  });
}
