import type { DemoSettings } from '../../src/demo/demo-settings.js';
import { demoSettings } from '../../src/demo/demo-settings.js';

/**
 * The demo at a size that trains in seconds: the real benchmark, knowledge-base teacher, trainer
 * and runtime, with a tiny student and one epoch per stage (MedThink alone unless told otherwise).
 */
export function tinyDemoSettings(strategies: string[] = ['medthink']): DemoSettings {
  const quick = demoSettings(true);
  return {
    ...quick,
    benchmark: { seed: 3, conditionCount: 6, trainVignettesPerPair: 3, testVignettesPerPair: 1 },
    student: { layers: 1, embeddingLength: 32, heads: 2, seed: 1 },
    training: { ...quick.training, epochs: 1, batchSize: 16 },
    stage2Training: { ...quick.stage2Training, epochs: 1, batchSize: 16 },
    strategies,
  };
}
