import { demoSettings } from '../src/demo/demo-settings.js';
import { runDemo } from '../src/demo/run-demo.js';
const q = demoSettings(true);
const t0 = Date.now();
await runDemo({ quick: true, directory: process.argv[2]!, settings: {
  ...q,
  benchmark: { seed: 3, conditionCount: 6, trainVignettesPerPair: 3, testVignettesPerPair: 1 },
  student: { layers: 1, embeddingLength: 32, heads: 2, seed: 1 },
  training: { ...q.training, epochs: 1, batchSize: 16 },
  stage2Training: { ...q.stage2Training, epochs: 1, batchSize: 16 },
  strategies: ['answer-only', 'medthink'],
}});
console.log('ms', Date.now() - t0);
