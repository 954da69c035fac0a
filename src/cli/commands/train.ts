import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { trainingEngineNames } from '../../compose/create-training-engine.js';
import { runTraining } from '../../compose/run-training.js';
import { ConfigError } from '../../errors.js';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import type {
  TrainingHyperparameters,
  TrainingProgress,
  VisionTraining,
} from '../../training/training-engine.js';
import { withInterrupt } from '../interrupt.js';
import { choiceFlag, integerFlag, numberFlag } from '../options.js';
import { printJson, printLine } from '../output.js';
import { bar, formatDuration, ProgressLine } from '../progress.js';

interface TrainOptions {
  engine: string;
  model: string;
  data: string;
  out: string;
  checkpoints?: string;
  lora?: number;
  loraAlpha?: number;
  mmproj?: string;
  mmprojOut?: string;
  vision?: VisionTraining;
  epochs: number;
  lr: number;
  batch: number;
  valSplit: number;
  seed: number;
  warmup: number;
  weightDecay: number;
  clip: number;
  patience?: number;
  threads: number;
  fresh?: boolean;
  json?: boolean;
}

/** The JSON line of one progress event, in the snake_case the CLI documents. */
function jsonLine(progress: TrainingProgress): Record<string, number | undefined> {
  return {
    epoch: progress.epoch,
    step: progress.step,
    total_steps: progress.totalSteps,
    train_loss: progress.trainLoss,
    val_loss: progress.validationLoss,
    tokens_per_second:
      progress.tokensPerSecond === undefined ? undefined : Math.round(progress.tokensPerSecond),
    elapsed_ms: Math.round(progress.elapsedMs),
  };
}

/** Prints training progress: a redrawn step line and a line per epoch, or JSON lines per epoch. */
function trainingProgressPrinter(
  progressLine: ProgressLine,
  json: boolean,
): (progress: TrainingProgress) => void {
  return (progress) => {
    if (json) {
      if (progress.epochEnd) printJson(jsonLine(progress));
      return;
    }
    const loss = progress.trainLoss === undefined ? '' : ` loss ${progress.trainLoss.toFixed(3)}`;
    const speed =
      progress.tokensPerSecond === undefined ? '' : ` ${Math.round(progress.tokensPerSecond)} tok/s`;
    const eta = progress.etaMs === undefined ? '' : ` ${formatDuration(progress.etaMs)} left`;
    if (progress.epochEnd) {
      progressLine.log(
        `epoch ${progress.epoch}: train loss ${progress.trainLoss?.toFixed(4) ?? '-'}, validation loss ${progress.validationLoss?.toFixed(4) ?? '-'}${speed}`,
      );
    } else {
      progressLine.update(
        `epoch ${progress.epoch} ${bar(progress.step / Math.max(1, progress.totalSteps))} step ${progress.step}/${progress.totalSteps}${loss}${speed}${eta}`,
      );
    }
  };
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('fine-tune a student on chat examples (messages JSONL); loss on assistant turns only')
    .option('--engine <name>', 'training engine', choiceFlag('--engine', trainingEngineNames), 'tfjs')
    .requiredOption('--model <file.gguf>', 'the model to start from')
    .requiredOption('--data <file.jsonl>', 'training examples: {"messages": [...]} per line')
    .requiredOption('--out <file.gguf>', 'where to write the trained model (or the adapter, with --lora)')
    .option('--checkpoints <dir>', 'per-epoch checkpoints (default: <out>.checkpoints)')
    .option(
      '--lora <rank>',
      'train a LoRA adapter of this rank instead of all weights',
      integerFlag('--lora', { min: 1 }),
    )
    .option(
      '--lora-alpha <alpha>',
      'LoRA scaling numerator (default: 2 x rank)',
      numberFlag('--lora-alpha', { min: 0 }),
    )
    .option(
      '--mmproj <file.gguf>',
      'train a vision-language student: the image encoder and projector to start from',
    )
    .option(
      '--mmproj-out <file.gguf>',
      'where to write the trained mmproj (default: <out> with .mmproj.gguf)',
    )
    .option(
      '--vision <part>',
      'what of the image encoder trains: frozen, projector, full (default) or lora (--lora rank, default 8)',
      choiceFlag('--vision', ['frozen', 'projector', 'full', 'lora'] as const),
    )
    .option(
      '--epochs <n>',
      'passes over the data',
      integerFlag('--epochs', { min: 1 }),
      defaultHyperparameters.epochs,
    )
    .option(
      '--lr <rate>',
      'peak learning rate',
      numberFlag('--lr', { min: 0 }),
      defaultHyperparameters.learningRate,
    )
    .option(
      '--batch <n>',
      'examples per step',
      integerFlag('--batch', { min: 1 }),
      defaultHyperparameters.batchSize,
    )
    .option(
      '--val-split <fraction>',
      'held out for validation loss',
      numberFlag('--val-split', { min: 0, max: 0.5 }),
      defaultHyperparameters.validationSplit,
    )
    .option(
      '--seed <n>',
      'seed for initialisation, shuffling and the split',
      integerFlag('--seed'),
      defaultHyperparameters.seed,
    )
    .option(
      '--warmup <fraction>',
      'share of steps warming the learning rate up',
      numberFlag('--warmup', { min: 0, max: 1 }),
      defaultHyperparameters.warmupRatio,
    )
    .option(
      '--weight-decay <w>',
      'AdamW weight decay',
      numberFlag('--weight-decay', { min: 0 }),
      defaultHyperparameters.weightDecay,
    )
    .option(
      '--clip <norm>',
      'gradient clipping norm',
      numberFlag('--clip', { min: 0 }),
      defaultHyperparameters.gradientClipNorm,
    )
    .option(
      '--patience <epochs>',
      'stop after this many epochs without a better validation loss',
      integerFlag('--patience', { min: 1 }),
    )
    .option(
      '--threads <n>',
      'threads for the native matrix products (default: the cores available)',
      integerFlag('--threads', { min: 1 }),
      availableParallelism(),
    )
    .option('--fresh', 'ignore existing checkpoints instead of resuming from them')
    .option('--json', 'print JSON lines: an epoch-0 line, then at least one per epoch')
    .action(async (options: TrainOptions) => {
      if ((options.vision || options.mmprojOut) && !options.mmproj)
        throw new ConfigError(
          `${options.vision ? '--vision' : '--mmproj-out'} needs --mmproj (the image encoder to train)`,
        );
      const hyperparameters: TrainingHyperparameters = {
        epochs: options.epochs,
        learningRate: options.lr,
        batchSize: options.batch,
        validationSplit: options.valSplit,
        seed: options.seed,
        warmupRatio: options.warmup,
        weightDecay: options.weightDecay,
        gradientClipNorm: options.clip,
        ...(options.lora !== undefined
          ? { loraRank: options.lora, loraAlpha: options.loraAlpha ?? options.lora * 2 }
          : {}),
        ...(options.patience !== undefined ? { earlyStoppingPatience: options.patience } : {}),
        ...(options.vision ? { visionTraining: options.vision } : {}),
      };
      const progressLine = new ProgressLine();
      try {
        const result = await withInterrupt((signal) =>
          runTraining({
            engine: options.engine,
            baseModel: options.model,
            dataPath: options.data,
            outputPath: options.out,
            ...(options.checkpoints ? { checkpointDir: options.checkpoints } : {}),
            hyperparameters,
            ...(options.mmproj ? { visionProjector: options.mmproj } : {}),
            ...(options.mmprojOut ? { projectorOutputPath: options.mmprojOut } : {}),
            resume: !options.fresh,
            signal,
            threads: options.threads,
            onNotice: (message) => progressLine.log(message),
            onProgress: trainingProgressPrinter(progressLine, Boolean(options.json)),
          }),
        );
        progressLine.done();
        const summary = {
          done: true,
          model: result.modelPath,
          adapter: result.adapterPath,
          mmproj: result.projectorPath,
          best_val_loss: result.bestValidationLoss,
          stopped_early: result.stoppedEarly,
        };
        if (options.json) printJson(summary);
        else
          printLine(
            `wrote ${result.adapterPath ?? result.modelPath}${result.projectorPath ? ` and ${result.projectorPath}` : ''}${result.stoppedEarly ? ' (stopped early)' : ''}`,
          );
      } finally {
        progressLine.done();
      }
    });
}
