import * as tf from '@tensorflow/tfjs-core';
import type { LlamaWeights } from '../../../model/llama-config.js';
import { addLoraFactorsTo, mergeLoraFactors } from '../lora.js';
import { disposeParameters, type ParameterMap } from '../parameter-layout.js';
import { ENCODER_PROJECTIONS } from './encoder-block.js';
import { isVisionTensor, toEncoderParameters, toProjectorWeights } from './encoder-parameters.js';
import { type EncoderTrainingMode, ImageEncoder } from './image-encoder.js';
import type { ImageEncoderConfig } from './projector-file.js';

/** The vision half of a trainer's settings: the mmproj's tensors and what of them trains. */
export interface VisionSettings {
  config: ImageEncoderConfig;
  /** The mmproj tensors in ggml order (read from the file). */
  weights: LlamaWeights;
  mode: EncoderTrainingMode;
  /** With mode `lora`: rank and alpha of the factors on the encoder's and projector's matrices. */
  lora?: { rank: number; alpha: number };
  /** Plain float32 encoder without ggml's float16 roundings (gradient checks only). */
  smooth?: boolean;
}

/**
 * The image encoder and projector living in a trainer's parameter map: their tensors, which of
 * them train, and the mmproj tensors to write back (LoRA factors merged, since llama.cpp loads
 * no adapter for an mmproj).
 */
export class VisionParts {
  readonly encoder: ImageEncoder;
  readonly trainable: string[];
  readonly mode: EncoderTrainingMode;
  private readonly shapes: Map<string, number[]>;
  private readonly loraScale: number;

  constructor(
    private readonly parameters: ParameterMap,
    settings: VisionSettings,
    seed: number,
  ) {
    this.mode = settings.mode;
    this.shapes = new Map([...settings.weights].map(([name, tensor]) => [name, tensor.shape]));
    for (const [name, tensor] of toEncoderParameters(settings.weights)) parameters.set(name, tensor);
    const { config } = settings;
    // The LLaVA graph never runs the last block: its tensors are written back unchanged.
    const unused = `v.blk.${config.blockCount - 1}.`;
    const used = [...this.shapes.keys()].filter((name) => !name.startsWith(unused));
    this.loraScale = settings.lora ? settings.lora.alpha / settings.lora.rank : 1;
    if (settings.mode === 'lora') {
      const matrices = used.filter(
        (name) =>
          /^mm\.[02]\.weight$/.test(name) ||
          ENCODER_PROJECTIONS.some((projection) => name.endsWith(`.${projection}.weight`)),
      );
      this.trainable = addLoraFactorsTo(parameters, matrices, settings.lora?.rank ?? 8, seed ^ 0x5e1f);
    } else if (settings.mode === 'projector') this.trainable = used.filter((name) => name.startsWith('mm.'));
    else if (settings.mode === 'full') this.trainable = used;
    else this.trainable = [];
    this.encoder = new ImageEncoder(config, parameters, this.loraScale, settings.smooth ?? false);
  }

  /** The mmproj tensors in ggml order, LoRA merged. */
  projectorWeights(): LlamaWeights {
    const copy: ParameterMap = new Map(
      [...this.parameters]
        .filter(([name]) => isVisionTensor(name))
        .map(([name, tensor]) => [name, tf.clone(tensor)]),
    );
    try {
      mergeLoraFactors(copy, this.loraScale);
      return toProjectorWeights(copy, this.shapes);
    } finally {
      disposeParameters(copy);
    }
  }

  /** Rows of the text input the images take: N consecutive rows from each image's start row. */
  imageRows(startRows: Int32Array): Int32Array {
    const tokens = this.encoder.config.imageTokens;
    const rows = new Int32Array(startRows.length * tokens);
    startRows.forEach((start, image) => {
      for (let i = 0; i < tokens; i++) rows[image * tokens + i] = start + i;
    });
    return rows;
  }

  dispose(): void {
    this.encoder.dispose();
  }
}
