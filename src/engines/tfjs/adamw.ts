import * as tf from '@tensorflow/tfjs-core';
import type { ParameterMap } from './parameter-layout.js';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export const defaultAdamWSettings: Omit<AdamWSettings, 'weightDecay'> = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** Moment estimates and the bias-correction step count, as a checkpoint stores them. */
export interface AdamWState {
  step: number;
  firstMoment: ParameterMap;
  secondMoment: ParameterMap;
}

/**
 * Decoupled weight decay (the norm weights, being 1-D gains, are not decayed): AdamW as PyTorch
 * implements it, p <- p (1 - lr wd) - lr m̂ / (sqrt(v̂) + eps).
 */
export class AdamW {
  private state: AdamWState = { step: 0, firstMoment: new Map(), secondMoment: new Map() };

  constructor(private readonly settings: AdamWSettings) {}

  get step(): number {
    return this.state.step;
  }

  /** Update `parameters` in place (their tensors are replaced); gradients are not disposed. */
  apply(parameters: ParameterMap, gradients: Map<string, tf.Tensor>, learningRate: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    this.state.step += 1;
    const correction1 = 1 - beta1 ** this.state.step;
    const correction2 = 1 - beta2 ** this.state.step;
    for (const [name, gradient] of gradients) {
      const parameter = parameters.get(name);
      if (!parameter) throw new Error(`gradient for unknown parameter ${name}`);
      const previousFirst = this.state.firstMoment.get(name);
      const previousSecond = this.state.secondMoment.get(name);
      const decay = parameter.rank > 1 ? weightDecay : 0;
      const [first, second, updated] = tf.tidy(() => {
        const m = previousFirst
          ? tf.add(tf.mul(previousFirst, beta1), tf.mul(gradient, 1 - beta1))
          : tf.mul(gradient, 1 - beta1);
        const v = previousSecond
          ? tf.add(tf.mul(previousSecond, beta2), tf.mul(tf.square(gradient), 1 - beta2))
          : tf.mul(tf.square(gradient), 1 - beta2);
        const direction = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
        const decayed = decay > 0 ? tf.mul(parameter, 1 - learningRate * decay) : parameter;
        return [m, v, tf.sub(decayed, tf.mul(direction, learningRate))];
      });
      previousFirst?.dispose();
      previousSecond?.dispose();
      parameter.dispose();
      this.state.firstMoment.set(name, first!);
      this.state.secondMoment.set(name, second!);
      parameters.set(name, updated!);
    }
  }

  /** The live state; tensors stay owned by the optimizer. */
  exportState(): AdamWState {
    return this.state;
  }

  /** Take ownership of a restored state (from a checkpoint). */
  restoreState(state: AdamWState): void {
    this.dispose();
    this.state = state;
  }

  dispose(): void {
    for (const tensor of this.state.firstMoment.values()) tensor.dispose();
    for (const tensor of this.state.secondMoment.values()) tensor.dispose();
    this.state = { step: 0, firstMoment: new Map(), secondMoment: new Map() };
  }
}
