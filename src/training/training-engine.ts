/**
 * The training seam. The embedded TensorFlow.js trainer implements it now; LLaMA-Factory,
 * transformers+peft and hosted fine-tuning plug in behind the same interface later, so the
 * methods (MedThink, CoT-VL, baselines) never know which engine trains their student.
 */

export interface TrainingHyperparameters {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Fraction of examples held out for validation loss and early stopping. */
  validationSplit: number;
  seed: number;
  /** LoRA rank; absent means full fine-tuning. */
  loraRank?: number;
  loraAlpha?: number;
  /** Fraction of total steps spent warming the learning rate up. */
  warmupRatio: number;
  weightDecay: number;
  gradientClipNorm: number;
  /** Stop after this many epochs without a better validation loss; absent disables early stopping. */
  earlyStoppingPatience?: number;
  /** Longest example in tokens; longer examples are an input error, not silently cut. */
  maxLength?: number;
}

export interface TrainingJob {
  /** The starting model (a GGUF file for the embedded engine; a model id or folder for GPU engines). */
  baseModel: string;
  /** Chat examples, `messages` JSONL; loss is computed on assistant turns only. */
  dataPath: string;
  /** Where the trained model (or adapter, with LoRA) is written; written atomically. */
  outputPath: string;
  /** Per-epoch checkpoints live here; resuming picks up the latest one. */
  checkpointDir: string;
  hyperparameters: TrainingHyperparameters;
}

export interface TrainingProgress {
  epoch: number;
  step: number;
  totalSteps: number;
  trainLoss?: number;
  validationLoss?: number;
  tokensPerSecond?: number;
  elapsedMs: number;
  etaMs?: number;
  /** True on the per-epoch summary event (and the epoch-0 baseline before training). */
  epochEnd: boolean;
}

export interface TrainingResult {
  /** The trained model file, or the base model when only an adapter was trained. */
  modelPath: string;
  /** The LoRA adapter file when trained with LoRA. */
  adapterPath?: string;
  history: TrainingProgress[];
  bestValidationLoss?: number;
  stoppedEarly: boolean;
}

export interface TrainOptions {
  signal?: AbortSignal;
  onProgress?: (progress: TrainingProgress) => void;
  /** One-line notices about how the training runs (e.g. a slower fallback), for the caller to show. */
  onNotice?: (message: string) => void;
  /** Continue from the latest checkpoint in `checkpointDir` when one exists. */
  resume?: boolean;
}

export interface TrainingEngine {
  readonly id: string;
  train(job: TrainingJob, options?: TrainOptions): Promise<TrainingResult>;
  /**
   * Checks, before any work, that the engine can run on this machine for this student (e.g. the
   * Python packages a GPU engine needs), so a run fails at start-up rather than an hour in.
   */
  preflight?(baseModel: string, hyperparameters: TrainingHyperparameters): Promise<void>;
}
