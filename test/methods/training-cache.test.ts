import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSettings } from '../../src/demo/demo-settings.js';
import { runDemo } from '../../src/demo/run-demo.js';
import type { RunEvent } from '../../src/methods/strategy-context.js';
import { temporaryDirectory } from '../support/paths.js';

describe('shared trainings', () => {
  it('trains MedThink stage 1 and explanation-augmented fine-tuning once when they are the same training', async () => {
    const directory = await temporaryDirectory();
    const quick = demoSettings(true);
    const events: RunEvent[] = [];
    const summary = await runDemo({
      quick: true,
      directory,
      settings: {
        ...quick,
        benchmark: { seed: 4, conditionCount: 5, trainVignettesPerPair: 2, testVignettesPerPair: 1 },
        student: { layers: 1, embeddingLength: 32, heads: 2, seed: 1 },
        training: { ...quick.training, epochs: 1, batchSize: 16 },
        stage2Training: { ...quick.stage2Training, epochs: 1, batchSize: 16 },
        strategies: ['explanation', 'medthink'],
      },
      onEvent: (event) => events.push(event),
    });
    const trainedStages = new Set(
      events.filter((event) => event.type === 'training').map((event) => `${event.strategy}/${event.stage}`),
    );
    // Stage 2 is MedThink's own; of the two identical stage-1 trainings only one ran.
    expect(trainedStages.has('medthink/stage2')).toBe(true);
    expect(
      [trainedStages.has('explanation/student'), trainedStages.has('medthink/stage1')].filter(Boolean),
    ).toHaveLength(1);
    const [explanation, stage1] = await Promise.all([
      readFile(join(directory, 'explanation', 'seed-1', 'student.gguf')),
      readFile(join(directory, 'medthink', 'seed-1', 'stage1.gguf')),
    ]);
    expect(explanation.equals(stage1)).toBe(true);
    const byName = new Map(
      summary.results.strategies.map((strategy) => [strategy.strategy, strategy.seeds[0]!]),
    );
    expect(byName.get('explanation')!.accuracy).toBe(byName.get('medthink')!.stages[0]!.accuracy);
  }, 300_000);
});
