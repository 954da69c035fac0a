/**
 * Generation speed through node-llama-cpp (the embedded runtime) for students of about 0.5 M,
 * 4 M and 30 M parameters: tokens/s for one prompt, and for 8 prompts in flight as parallel
 * sequences, with 1 and 2 threads. Run: npx tsx bench/generation.ts
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlamaCppRuntime } from '../src/engines/llama-cpp/llama-cpp-runtime.js';
import { createModelFile } from '../src/model/create-model.js';

const sizes = [
  { label: '0.5M', layers: 2, embeddingLength: 128 },
  { label: '4M', layers: 4, embeddingLength: 256 },
  { label: '30M', layers: 8, embeddingLength: 512 },
];
const corpus = Array.from(
  { length: 300 },
  (_, i) => `Patient ${i} presents with fever ${i % 7} and jaundice; management is drainage number ${i}.`,
);
const directory = await mkdtemp(join(tmpdir(), 'medistill-bench-generation-'));
const runtime = new LlamaCppRuntime();
const maxTokens = 128;

console.log(`greedy, ${maxTokens} tokens per prompt (no stop), context 512, vocabulary 2048`);
console.log('| model | parameters | threads | 1 prompt tok/s | 8 parallel prompts tok/s |');
console.log('|---|---|---|---|---|');
for (const size of sizes) {
  const { path, parameters } = await createModelFile({
    out: join(directory, `${size.label}.gguf`),
    corpus,
    layers: size.layers,
    embeddingLength: size.embeddingLength,
    contextLength: 512,
    vocabSize: 2048,
  });
  for (const threads of [1, 2]) {
    const model = await runtime.loadModel(path, { threads, parallelSequences: 8 });
    const generate = async (index: number) => {
      // A stop string that never appears keeps every reply at the full length.
      const response = await model.generate({
        messages: [{ role: 'user', content: `Case ${index}: fever and jaundice.` }],
        maxTokens,
        stop: ['@@@@'],
      });
      return response.usage.completionTokens;
    };
    await generate(0);
    let started = performance.now();
    const single = await generate(1);
    const singleRate = single / ((performance.now() - started) / 1000);
    started = performance.now();
    const batch = (await Promise.all(Array.from({ length: 8 }, (_, index) => generate(index + 2)))).reduce(
      (a, b) => a + b,
      0,
    );
    const batchRate = batch / ((performance.now() - started) / 1000);
    console.log(
      `| ${size.label} | ${(parameters / 1e6).toFixed(2)} M | ${threads} | ${Math.round(singleRate)} | ${Math.round(batchRate)} |`,
    );
    await model.close();
  }
}
