import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TrainingError } from '../../errors.js';
import type { TrainingHyperparameters, TrainingProgress } from '../../training/training-engine.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import type { StrategyContext } from '../strategy-context.js';
import { type TrainingExample, toJsonLines } from '../training-examples.js';
import { visionTrainingSet } from '../vision-inputs.js';
import { projectorBeside, startingProjector } from '../vision-projector-path.js';
import { noExamplesError } from './stage-failure.js';

export interface TrainStageResult {
  modelPath: string;
  dataPath: string;
  examples: number;
  history: TrainingProgress[];
}

/**
 * Write the stage's training set (kept in the run directory for audit) and train the student on
 * it, starting from `baseModel`. A finished stage is not retrained on rerun; an interrupted one
 * resumes from its last epoch checkpoint.
 */
export function trainStage(
  context: StrategyContext,
  stage: string,
  examples: readonly TrainingExample[],
  baseModel: string,
  hyperparameters: TrainingHyperparameters = context.student.hyperparameters,
): Promise<TrainStageResult> {
  return context.stages.run(`${stage}.train`, async () => {
    if (examples.length === 0) throw noExamplesError(context, `${stage}.train`, {});
    const dataPath = join(context.directory, `${stage}.train.jsonl`);
    const modelPath = join(context.directory, `${stage}.gguf`);
    await mkdir(context.directory, { recursive: true });
    // A vision run's examples carry their images; one whose image cannot be read is left out.
    const data = context.vision ? await visionTrainingSet(context, stage, examples) : toJsonLines(examples);
    if (data.length === 0) throw noExamplesError(context, `${stage}.train`, {});
    const projector = startingProjector(context.student, baseModel);
    await writeFileAtomically(dataPath, data);
    const base = { strategy: context.strategy, seed: context.seed, stage };
    context.emit({ type: 'stage-start', ...base, total: examples.length });
    const seeded = { ...hyperparameters, seed: hyperparameters.seed + context.seed };
    const train = async () => {
      const result = await context.student.engine.train(
        {
          baseModel,
          dataPath,
          outputPath: modelPath,
          checkpointDir: join(context.directory, 'checkpoints', stage),
          hyperparameters: seeded,
          ...(projector
            ? { visionProjector: projector, projectorOutputPath: projectorBeside(modelPath) }
            : {}),
        },
        {
          resume: true,
          ...(context.signal ? { signal: context.signal } : {}),
          onProgress: (progress) => context.emit({ type: 'training', ...base, progress }),
        },
      );
      if (!existsSync(result.modelPath))
        throw new TrainingError(`${stage}: the engine wrote no model at ${result.modelPath}`);
      return result;
    };
    const cache = context.trainingCache;
    const history = cache
      ? await cache.obtain(
          await cache.key({
            engine: context.student.engine.id,
            baseModel,
            data,
            hyperparameters: seeded,
            ...(projector ? { visionProjector: projector } : {}),
          }),
          modelPath,
          train,
        )
      : (await train()).history;
    const result = { modelPath, history };
    const last = result.history.at(-1);
    context.emit({
      type: 'stage-end',
      ...base,
      summary: `${examples.length} examples, validation loss ${last?.validationLoss?.toFixed(3) ?? 'n/a'}`,
    });
    return { modelPath: result.modelPath, dataPath, examples: examples.length, history: result.history };
  });
}
