import * as tf from '@tensorflow/tfjs-core';
import { TrainingError } from '../../errors.js';
import type { LlamaConfig, LlamaWeights } from '../../model/llama-config.js';
import { AdamW, defaultAdamWSettings } from './adamw.js';
import { clipGradientsByGlobalNorm } from './gradient-clipping.js';
import { learningRateAt } from './learning-rate-schedule.js';
import { LlamaNetwork, type TrainingMode } from './llama-network.js';
import { addLoraFactors, type LoraSettings, loraScale, mergeLoraFactors } from './lora.js';
import type { LoraAdapter } from './lora-adapter-file.js';
import {
  disposeParameters,
  type ParameterMap,
  toGgmlTensor,
  toLlamaWeights,
  toParameterMap,
} from './parameter-layout.js';
import { makeBatch, type TrainingBatch, type TrainingExample } from './training-example.js';
import { isVisionTensor } from './vision/encoder-parameters.js';
import { VisionParts, type VisionSettings } from './vision/vision-parts.js';

export interface TrainerSettings {
  learningRate: number;
  warmupSteps: number;
  totalSteps: number;
  weightDecay: number;
  /** Global gradient norm bound; 0 disables clipping. */
  gradientClipNorm: number;
  seed: number;
  /** Present: train LoRA factors on a frozen base. Absent: full fine-tuning. */
  lora?: LoraSettings;
  adam?: { beta1?: number | undefined; beta2?: number | undefined; epsilon?: number | undefined };
  /** Present: a vision-language student; the encoder and projector join the parameters. */
  vision?: VisionSettings;
}

export interface StepResult {
  loss: number;
  gradientNorm: number;
  learningRate: number;
  /** Real (non-pad) input tokens processed. */
  tokens: number;
  lossTokens: number;
}

/** Tensor values by name, in the trainer's layout, outside the tfjs heap. */
export type TensorSnapshot = Map<string, { shape: number[]; data: Float32Array }>;

/** Trainable tensors and optimizer moments, for checkpoints. */
export interface TrainerState {
  step: number;
  parameters: TensorSnapshot;
  firstMoment: TensorSnapshot;
  secondMoment: TensorSnapshot;
}

const readTensor = (tensor: tf.Tensor) => ({
  shape: [...tensor.shape],
  data: Float32Array.from(tensor.dataSync()),
});

/** Full fine-tuning or LoRA of a Llama model: one optimizer step per batch, on the wasm backend. */
export class LlamaTrainer {
  readonly network: LlamaNetwork;
  readonly mode: TrainingMode;
  /** Names of the tensors that receive updates. */
  readonly trainable: string[];
  private readonly optimizer: AdamW;
  private readonly parameters: ParameterMap;
  /** The image encoder and projector of a vision-language student. */
  readonly vision?: VisionParts;

  constructor(
    readonly config: LlamaConfig,
    weights: LlamaWeights,
    readonly settings: TrainerSettings,
  ) {
    this.parameters = toParameterMap(weights);
    this.mode = settings.lora ? 'lora' : 'full';
    this.trainable = settings.lora
      ? addLoraFactors(this.parameters, config, settings.lora, settings.seed)
      : [...this.parameters.keys()];
    this.network = new LlamaNetwork(config, this.parameters, settings.lora ? loraScale(settings.lora) : 1);
    if (settings.vision) {
      this.vision = new VisionParts(this.parameters, settings.vision, settings.seed);
      this.trainable.push(...this.vision.trainable);
    }
    this.optimizer = new AdamW({
      beta1: settings.adam?.beta1 ?? defaultAdamWSettings.beta1,
      beta2: settings.adam?.beta2 ?? defaultAdamWSettings.beta2,
      epsilon: settings.adam?.epsilon ?? defaultAdamWSettings.epsilon,
      weightDecay: settings.weightDecay,
    });
  }

  /** Optimizer updates taken so far (restored from checkpoints). */
  get step(): number {
    return this.optimizer.step;
  }

  trainStep(batch: TrainingBatch): StepResult {
    const learningRate = learningRateAt(
      this.step,
      this.settings.learningRate,
      this.settings.warmupSteps,
      this.settings.totalSteps,
    );
    const { loss, gradients } = this.lossAndGradients(batch);
    try {
      const lossValue = loss.dataSync()[0]!;
      const gradientNorm = clipGradientsByGlobalNorm(gradients, this.settings.gradientClipNorm);
      if (!Number.isFinite(lossValue) || !Number.isFinite(gradientNorm)) {
        throw new TrainingError(
          `training diverged at step ${this.step + 1} (loss ${lossValue}, gradient norm ${gradientNorm}); lower the learning rate`,
        );
      }
      this.optimizer.apply(this.parameters, gradients, learningRate);
      return {
        loss: lossValue,
        gradientNorm,
        learningRate,
        tokens: batch.realTokens,
        lossTokens: batch.lossRows.length,
      };
    } finally {
      loss.dispose();
      for (const gradient of gradients.values()) gradient.dispose();
    }
  }

  /**
   * Loss and gradients of the trainable tensors for one batch: text-only batches go straight to
   * the text network; with images, the encoder runs first and receives the embeddings' gradient.
   */
  lossAndGradients(batch: TrainingBatch): { loss: tf.Scalar; gradients: Map<string, tf.Tensor> } {
    const { vision } = this;
    const images = batch.images;
    if (!vision || !images) return this.network.lossAndGradients(batch, this.mode);
    const result = tf.tidy(() => {
      const encoded = vision.encoder.forward(images.pixels, images.startRows.length);
      const text = this.network.lossAndGradients(batch, this.mode, {
        rows: vision.imageRows(images.startRows),
        embeddings: encoded.output,
      });
      const visionGradients = encoded.backward(text.inputGradient!, vision.mode);
      return {
        loss: text.loss,
        gradients: { ...Object.fromEntries(text.gradients), ...Object.fromEntries(visionGradients) },
      };
    });
    return { loss: result.loss, gradients: new Map(Object.entries(result.gradients)) };
  }

  /** Mean cross-entropy of one batch without gradients (images through the encoder). */
  batchLoss(batch: TrainingBatch): number {
    const { vision } = this;
    const images = batch.images;
    if (!vision || !images) return this.network.loss(batch);
    const embeddings = vision.encoder.embed(images.pixels, images.startRows.length);
    try {
      return this.network.loss(batch, { rows: vision.imageRows(images.startRows), embeddings });
    } finally {
      embeddings.dispose();
    }
  }

  /** Mean loss over all answer tokens of `examples` (evaluated in batches, token-weighted). */
  meanLoss(examples: readonly TrainingExample[], batchSize: number): number {
    let weighted = 0;
    let count = 0;
    for (let start = 0; start < examples.length; start += batchSize) {
      const batch = makeBatch(examples.slice(start, start + batchSize));
      if (batch.lossRows.length === 0) continue;
      weighted += this.batchLoss(batch) * batch.lossRows.length;
      count += batch.lossRows.length;
    }
    return count === 0 ? Number.NaN : weighted / count;
  }

  /** The base weights in GGUF layout (unchanged by LoRA training). */
  baseWeights(): LlamaWeights {
    const base: ParameterMap = new Map(
      [...this.parameters].filter(([name]) => !name.includes('.lora_') && !isVisionTensor(name)),
    );
    return toLlamaWeights(base);
  }

  /** Full weights with any LoRA folded in (the trainer's own tensors are left as they are). */
  mergedWeights(): LlamaWeights {
    if (this.mode === 'full') return this.baseWeights();
    const copy: ParameterMap = new Map(
      [...this.parameters]
        .filter(([name]) => !isVisionTensor(name))
        .map(([name, tensor]) => [name, tf.clone(tensor)]),
    );
    try {
      mergeLoraFactors(copy, loraScale(this.settings.lora!));
      return toLlamaWeights(copy);
    } finally {
      disposeParameters(copy);
    }
  }

  /** The LoRA factors as a llama.cpp adapter (ggml layout). */
  loraAdapter(): LoraAdapter {
    if (!this.settings.lora) throw new Error('this trainer has no LoRA factors');
    const tensors: LlamaWeights = new Map();
    for (const name of this.trainable)
      if (!isVisionTensor(name)) tensors.set(name, toGgmlTensor(name, this.parameters.get(name)!));
    return { alpha: this.settings.lora.alpha, tensors };
  }

  /** Copies of the trainable tensors (to return to the best epoch's weights later). */
  trainableSnapshot(): TensorSnapshot {
    return new Map(this.trainable.map((name) => [name, readTensor(this.parameters.get(name)!)]));
  }

  exportState(): TrainerState {
    const state = this.optimizer.exportState();
    const pick = (map: ParameterMap) => new Map([...map].map(([name, tensor]) => [name, readTensor(tensor)]));
    return {
      step: state.step,
      parameters: this.trainableSnapshot(),
      firstMoment: pick(state.firstMoment),
      secondMoment: pick(state.secondMoment),
    };
  }

  /** Replace trainable tensors (and, when given, the optimizer state) with saved ones. */
  restoreState(state: Pick<TrainerState, 'parameters'> & Partial<TrainerState>): void {
    for (const [name, saved] of state.parameters) {
      const current = this.parameters.get(name);
      if (!current || current.shape.join(',') !== saved.shape.join(',')) {
        throw new TrainingError(
          `checkpoint tensor ${name} does not match this model (shape [${saved.shape}])`,
        );
      }
      current.dispose();
      this.parameters.set(name, tf.tensor(saved.data, saved.shape));
    }
    if (state.firstMoment && state.secondMoment && state.step !== undefined) {
      const toTensors = (map: TrainerState['firstMoment']): ParameterMap =>
        new Map([...map].map(([name, saved]) => [name, tf.tensor(saved.data, saved.shape)]));
      this.optimizer.restoreState({
        step: state.step,
        firstMoment: toTensors(state.firstMoment),
        secondMoment: toTensors(state.secondMoment),
      });
    }
  }

  dispose(): void {
    this.vision?.dispose();
    this.network.dispose();
    this.optimizer.dispose();
    disposeParameters(this.parameters);
  }
}
