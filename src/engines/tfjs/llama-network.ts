import * as tf from '@tensorflow/tfjs-core';
import { hasQkNorm, headDimensionOf, type LlamaConfig, ropeTypeOf } from '../../model/llama-config.js';
import { causalMask } from './causal-attention.js';
import type { LinearWeights } from './linear.js';
import { maskedCrossEntropy } from './masked-cross-entropy.js';
import { type ParameterMap, TOKEN_EMBEDDING } from './parameter-layout.js';
import { rmsNormBackward, rmsNormForward } from './rms-norm.js';
import { createRotaryTables, disposeRotaryTables, type RotaryTables } from './rotary-embedding.js';
import { embeddingBackward, embeddingForward } from './token-embedding.js';
import {
  BLOCK_PROJECTIONS,
  type BlockCache,
  type BlockContext,
  type BlockWeights,
  blockBackward,
  blockForward,
} from './transformer-block.js';

/**
 * A right-padded batch of B sequences of length T, flattened to B*T rows. Loss rows are the
 * positions whose next token is an answer token; their targets are those next tokens.
 */
export interface TokenBatch {
  tokens: Int32Array;
  batch: number;
  length: number;
  lossRows: Int32Array;
  targets: Int32Array;
}

/**
 * Rows of the input whose hidden state is given rather than looked up: the image embeddings a
 * vision encoder puts where llama.cpp decodes an image chunk (the token ids there are ignored).
 */
export interface EmbeddingRows {
  /** Flattened row indices (b * T + t), sorted and unique. */
  rows: Int32Array;
  /** [rows, E] */
  embeddings: tf.Tensor2D;
}

/** Which tensors receive gradients: everything (full fine-tuning) or only the LoRA factors. */
export type TrainingMode = 'full' | 'lora';

const OUTPUT = 'output.weight';
const OUTPUT_NORM = 'output_norm.weight';
/** Tied embeddings up to this many values (64 MiB) get a transposed copy for the head matmul. */
const TRANSPOSED_HEAD_LIMIT = 16 * 1024 * 1024;

interface LengthTables {
  rotary: RotaryTables;
  mask: tf.Tensor2D;
}

/**
 * The Llama-family architectures exactly as llama.cpp computes LLM_ARCH_LLAMA, QWEN2 and QWEN3
 * (see transformer-block.ts for what differs), with an explicit backward
 * pass. Explicit gradients avoid tfjs's gradient registry (absent from its CommonJS build and
 * partly unsupported by wasm) and let every matmul take wasm's fast untransposed path.
 */
export class LlamaNetwork {
  private readonly tables = new Map<number, LengthTables>();

  /**
   * @param parameters base tensors, plus `<name>.lora_a` / `<name>.lora_b` for adapted projections
   * @param loraScale alpha / rank, applied to every LoRA pair
   */
  constructor(
    readonly config: LlamaConfig,
    readonly parameters: ParameterMap,
    readonly loraScale = 1,
  ) {}

  private tensor<T extends tf.Tensor>(name: string): T {
    const tensor = this.parameters.get(name);
    if (!tensor) throw new Error(`parameter ${name} is missing`);
    return tensor as T;
  }

  private lengthTables(length: number): LengthTables {
    let tables = this.tables.get(length);
    if (!tables) {
      const { config } = this;
      // Built inside a caller's tidy; kept so they outlive it.
      const rotary = createRotaryTables(length, headDimensionOf(config), {
        base: config.ropeFreqBase,
        type: ropeTypeOf(config),
        ...(config.ropeFreqScale !== undefined ? { freqScale: config.ropeFreqScale } : {}),
        ...(config.ropeFrequencyFactors ? { factors: config.ropeFrequencyFactors } : {}),
      });
      tables = { rotary, mask: tf.keep(causalMask(length)) };
      for (const tensor of [rotary.cos, rotary.sin, rotary.rotation, rotary.rotationTransposed])
        tf.keep(tensor);
      this.tables.set(length, tables);
    }
    return tables;
  }

  private blockWeights(layer: number): BlockWeights {
    const projection = (suffix: string): LinearWeights => {
      const name = `blk.${layer}.${suffix}.weight`;
      const weights: LinearWeights = { weight: this.tensor(name) };
      const a = this.parameters.get(`${name}.lora_a`);
      const b = this.parameters.get(`${name}.lora_b`);
      if (a && b) weights.lora = { a: a as tf.Tensor2D, b: b as tf.Tensor2D, scale: this.loraScale };
      return weights;
    };
    const projections = Object.fromEntries(BLOCK_PROJECTIONS.map((suffix) => [suffix, projection(suffix)]));
    const weights: BlockWeights = {
      attentionNorm: this.tensor(`blk.${layer}.attn_norm.weight`),
      feedForwardNorm: this.tensor(`blk.${layer}.ffn_norm.weight`),
      projections: projections as BlockWeights['projections'],
    };
    if (this.config.attentionBias) {
      weights.biases = {
        attn_q: this.tensor(`blk.${layer}.attn_q.bias`),
        attn_k: this.tensor(`blk.${layer}.attn_k.bias`),
        attn_v: this.tensor(`blk.${layer}.attn_v.bias`),
      };
    }
    if (hasQkNorm(this.config)) {
      weights.headNorms = {
        query: this.tensor(`blk.${layer}.attn_q_norm.weight`),
        key: this.tensor(`blk.${layer}.attn_k_norm.weight`),
      };
    }
    return weights;
  }

  private blockContext(batch: number, length: number): BlockContext {
    const { config } = this;
    const tables = this.lengthTables(length);
    return {
      shape: {
        batch,
        length,
        heads: config.headCount,
        kvHeads: config.headCountKv,
        headDimension: headDimensionOf(config),
      },
      epsilon: config.rmsNormEpsilon,
      rotary: tables.rotary,
      mask: tables.mask,
    };
  }

  /**
   * Logits x W_out for rows [N, E]: `output.weight` [E, V], or the token embedding [V, E] when
   * tied. A small embedding is transposed per step (wasm's untransposed matmul is the fast one);
   * a large one is used transposed in place, since a copy costs V*E floats of heap every step,
   * 0.6 GB for Qwen3's 152k x 1024 embedding, which is what exhausts the 4 GiB wasm heap.
   */
  private headLogits(rows: tf.Tensor2D): tf.Tensor2D {
    if (!this.config.tiedOutput) return tf.matMul(rows, this.tensor<tf.Tensor2D>(OUTPUT)) as tf.Tensor2D;
    const embedding = this.tensor<tf.Tensor2D>(TOKEN_EMBEDDING);
    return embedding.size <= TRANSPOSED_HEAD_LIMIT
      ? (tf.matMul(rows, tf.transpose(embedding)) as tf.Tensor2D)
      : (tf.matMul(rows, embedding, false, true) as tf.Tensor2D);
  }

  private forwardHidden(tokens: tf.Tensor1D, batch: number, length: number, inputs?: EmbeddingRows) {
    const context = this.blockContext(batch, length);
    let hidden = embeddingForward(this.tensor(TOKEN_EMBEDDING), tokens);
    if (inputs) hidden = placeRows(hidden, inputs);
    const caches: BlockCache[] = [];
    for (let layer = 0; layer < this.config.blockCount; layer++) {
      const block = blockForward(hidden, this.blockWeights(layer), context);
      caches.push(block.cache);
      hidden = block.output;
    }
    const norm = rmsNormForward(hidden, this.tensor(OUTPUT_NORM), this.config.rmsNormEpsilon);
    return { normalized: norm.output, normCache: norm.cache, caches, context };
  }

  /** Next-token logits [B*T, V] for every position (inference, evaluation, parity checks). */
  logits(tokens: Int32Array, batch: number, length: number, inputs?: EmbeddingRows): tf.Tensor2D {
    return tf.tidy(() => {
      const { normalized } = this.forwardHidden(tf.tensor1d(tokens, 'int32'), batch, length, inputs);
      return this.headLogits(normalized);
    });
  }

  /** Mean cross-entropy over the batch's loss rows, without gradients. */
  loss(batch: TokenBatch, inputs?: EmbeddingRows): number {
    if (batch.lossRows.length === 0) return 0;
    const loss = tf.tidy(() => {
      const { normalized } = this.forwardHidden(
        tf.tensor1d(batch.tokens, 'int32'),
        batch.batch,
        batch.length,
        inputs,
      );
      return this.headLoss(normalized, batch).loss;
    });
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  }

  private headLoss(normalized: tf.Tensor2D, batch: TokenBatch) {
    const rows = tf.tensor1d(batch.lossRows, 'int32');
    // Gather is slow on wasm; skip it when every row carries loss (rows are sorted and unique).
    const allRows = batch.lossRows.length === normalized.shape[0];
    const selected = allRows ? normalized : (tf.gather(normalized, rows) as tf.Tensor2D);
    const weights = tf.fill([batch.lossRows.length], 1 / batch.lossRows.length) as tf.Tensor1D;
    const logits = this.headLogits(selected);
    return {
      rows,
      allRows,
      selected,
      ...maskedCrossEntropy(logits, tf.tensor1d(batch.targets, 'int32'), weights),
    };
  }

  /**
   * Loss and gradients for the trainable tensors, keyed by parameter name, and with `inputs` the
   * gradient of the given embeddings. The caller owns the returned tensors.
   */
  lossAndGradients(
    batch: TokenBatch,
    mode: TrainingMode,
    inputs?: EmbeddingRows,
  ): { loss: tf.Scalar; gradients: Map<string, tf.Tensor>; inputGradient?: tf.Tensor2D } {
    const trainBase = mode === 'full';
    const result = tf.tidy(() => {
      const tokens = tf.tensor1d(batch.tokens, 'int32');
      const forward = this.forwardHidden(tokens, batch.batch, batch.length, inputs);
      const head = this.headLoss(forward.normalized, batch);
      const gradients: Record<string, tf.Tensor> = {};
      const headInput = this.config.tiedOutput
        ? this.tensor<tf.Tensor2D>(TOKEN_EMBEDDING)
        : tf.transpose(this.tensor(OUTPUT));
      const selectedGradient = tf.matMul(head.logitsGradient, headInput) as tf.Tensor2D;
      let embeddingGradient: tf.Tensor2D | undefined;
      if (trainBase) {
        if (this.config.tiedOutput)
          embeddingGradient = tf.matMul(tf.transpose(head.logitsGradient), head.selected) as tf.Tensor2D;
        else gradients[OUTPUT] = tf.matMul(tf.transpose(head.selected), head.logitsGradient);
      }
      const rowCount = batch.batch * batch.length;
      const normalizedGradient = head.allRows
        ? selectedGradient
        : (tf.scatterND(tf.reshape(head.rows, [-1, 1]), selectedGradient, [
            rowCount,
            this.config.embeddingLength,
          ]) as tf.Tensor2D);
      const norm = rmsNormBackward(
        normalizedGradient,
        forward.normCache,
        this.tensor(OUTPUT_NORM),
        trainBase,
      );
      if (norm.weight) gradients[OUTPUT_NORM] = norm.weight;
      let hiddenGradient = norm.input;
      for (let layer = this.config.blockCount - 1; layer >= 0; layer--) {
        const block = blockBackward(
          hiddenGradient,
          forward.caches[layer]!,
          this.blockWeights(layer),
          forward.context,
          trainBase,
        );
        for (const [suffix, gradient] of block.gradients) gradients[`blk.${layer}.${suffix}`] = gradient;
        hiddenGradient = block.input;
      }
      let inputGradient: tf.Tensor2D | undefined;
      if (inputs) {
        const rows = tf.tensor1d(inputs.rows, 'int32');
        inputGradient = tf.gather(hiddenGradient, rows) as tf.Tensor2D;
        // The placeholder tokens under the given rows were never looked up: no gradient for them.
        hiddenGradient = tf.mul(hiddenGradient, keptRows(hiddenGradient.shape[0], inputs.rows));
      }
      if (trainBase) {
        const lookup = embeddingBackward(hiddenGradient, tokens, this.config.vocabSize);
        gradients[TOKEN_EMBEDDING] = embeddingGradient ? tf.add(lookup, embeddingGradient) : lookup;
      }
      return { loss: head.loss, gradients, ...(inputGradient ? { inputGradient } : {}) };
    });
    return {
      loss: result.loss,
      gradients: new Map(Object.entries(result.gradients)),
      ...(result.inputGradient ? { inputGradient: result.inputGradient } : {}),
    };
  }

  /** Free the per-length tables (the parameters belong to the caller). */
  dispose(): void {
    for (const tables of this.tables.values()) {
      disposeRotaryTables(tables.rotary);
      tables.mask.dispose();
    }
    this.tables.clear();
  }
}

/** A [N, 1] column of ones with zeros at `rows`. */
function keptRows(count: number, rows: Int32Array): tf.Tensor2D {
  const keep = new Float32Array(count).fill(1);
  for (const row of rows) keep[row] = 0;
  return tf.tensor2d(keep, [count, 1]);
}

/** Hidden rows [N, E] with `inputs.rows` replaced by the given embeddings. */
function placeRows(hidden: tf.Tensor2D, inputs: EmbeddingRows): tf.Tensor2D {
  const [count, width] = hidden.shape;
  const placed = tf.scatterND(tf.tensor2d(inputs.rows, [inputs.rows.length, 1], 'int32'), inputs.embeddings, [
    count,
    width,
  ]);
  return tf.add(tf.mul(hidden, keptRows(count, inputs.rows)), placed) as tf.Tensor2D;
}
