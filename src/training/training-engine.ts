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

  // Vision-language students (jobs with `visionProjector`); ignored by text-only jobs.
  /**
   * What trains in the image encoder and projector: `frozen` (nothing), `projector` (the `mm.*`
   * projector only), `full` (encoder and projector; the default), or `lora` (LoRA factors of rank
   * `loraRank`, default 8, on the encoder's and projector's matrices, merged into the written mmproj).
   */
  visionTraining?: VisionTraining;
}

/** How the image encoder and projector of a vision-language student are trained. */
export type VisionTraining = 'frozen' | 'projector' | 'full' | 'lora';

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

  // Vision-language students.
  /**
   * The image encoder and projector to start from: a LLaVA-style mmproj GGUF (`clip.projector_type`
   * "mlp") matching `baseModel`. Present, the engine trains a vision-language model: user turns
   * may hold `image_url` parts (data URLs), and the trained encoder and projector are written as an
   * mmproj GGUF that llama-server loads with `--mmproj`.
   */
  visionProjector?: string;
  /** Where the trained mmproj is written (default: `outputPath` with `.gguf` replaced by `.mmproj.gguf`). */
  projectorOutputPath?: string;
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
  /** Vision jobs: the mmproj to serve with `modelPath` (the job's own when the vision part was frozen). */
  projectorPath?: string;
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
}
