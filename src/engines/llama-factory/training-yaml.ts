import { stringify } from 'yaml';
import type { TrainingJob } from '../../training/training-engine.js';
import type { LlamaFactorySettings } from './llama-factory-settings.js';
import { templateForModel } from './model-template.js';

export interface TrainingYamlInput {
  job: TrainingJob;
  settings: LlamaFactorySettings;
  /** The folder holding dataset_info.json and the data. */
  datasetDir: string;
  /** Dataset names (keys of dataset_info.json) to train on. */
  datasets: string[];
  /** Where LLaMA-Factory writes checkpoints, the trainer log and the final adapter. */
  outputDir: string;
  /** A checkpoint folder to continue from. */
  resumeFrom?: string;
}

/**
 * The `llamafactory-cli train` configuration for supervised fine-tuning of a VLM student: LoRA
 * on every linear layer with the vision tower frozen (LLaMA-Factory's defaults for Qwen-VL,
 * written out so the file says what ran), the prompt masked, hyperparameters from the job.
 */
export function trainingArguments(input: TrainingYamlInput): Record<string, unknown> {
  const { job, settings } = input;
  const hyper = job.hyperparameters;
  const lora = hyper.loraRank !== undefined;
  const args: Record<string, unknown> = {
    model_name_or_path: job.baseModel,
    image_max_pixels: settings.imageMaxPixels,
    trust_remote_code: true,
    stage: 'sft',
    do_train: true,
    finetuning_type: lora ? 'lora' : 'full',
    ...(lora
      ? {
          lora_rank: hyper.loraRank,
          lora_alpha: hyper.loraAlpha ?? 2 * hyper.loraRank!,
          lora_target: settings.loraTarget,
        }
      : {}),
    freeze_vision_tower: settings.freezeVisionTower,
    dataset: input.datasets.join(','),
    dataset_dir: input.datasetDir,
    template: settings.template ?? templateForModel(job.baseModel, { thinking: settings.thinking }),
    cutoff_len: hyper.maxLength ?? settings.cutoffLength,
    train_on_prompt: false,
    overwrite_cache: true,
    output_dir: input.outputDir,
    logging_steps: settings.loggingSteps,
    save_steps: settings.saveSteps,
    plot_loss: true,
    // A fresh run replaces stale checkpoints; a resumed one must keep them.
    overwrite_output_dir: input.resumeFrom === undefined,
    per_device_train_batch_size: hyper.batchSize,
    gradient_accumulation_steps: settings.gradientAccumulationSteps,
    learning_rate: hyper.learningRate,
    num_train_epochs: hyper.epochs,
    lr_scheduler_type: settings.learningRateScheduler,
    warmup_ratio: hyper.warmupRatio,
    weight_decay: hyper.weightDecay,
    max_grad_norm: hyper.gradientClipNorm,
    seed: hyper.seed,
    bf16: settings.bf16,
    ddp_timeout: 180_000_000,
    report_to: 'none',
  };
  if (hyper.validationSplit > 0) {
    args.val_size = hyper.validationSplit;
    args.eval_strategy = 'steps';
    args.eval_steps = settings.saveSteps;
    args.per_device_eval_batch_size = hyper.batchSize;
  }
  if (settings.deepspeed !== undefined) args.deepspeed = settings.deepspeed;
  if (input.resumeFrom !== undefined) args.resume_from_checkpoint = input.resumeFrom;
  return { ...args, ...settings.extraArguments };
}

export function trainingYaml(input: TrainingYamlInput): string {
  return `# Written by medistill; run with: llamafactory-cli train <this file>\n${stringify(trainingArguments(input))}`;
}
