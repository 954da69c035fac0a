/**
 * Evaluation throughput: items/s for log-likelihood vs chain-of-thought scoring on the same model
 * and items (their ratio), and medistill's evaluate() against a bare node-llama-cpp loop over the
 * same prompts. Run: npx tsx bench/evaluation.ts [items]
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LlamaCompletion } from 'node-llama-cpp';
import type { MultipleChoiceItem } from '../src/datasets/item.js';
import { itemPromptText } from '../src/datasets/item-prompt.js';
import { loadDataset } from '../src/datasets/load-dataset.js';
import { LlamaCppRuntime } from '../src/engines/llama-cpp/llama-cpp-runtime.js';
import { evaluate } from '../src/eval/evaluate.js';
import { createModelFile } from '../src/model/create-model.js';

const count = Number(process.argv[2] ?? 200);
const maxTokens = 32;
const data = resolve(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'data',
  'medmcqa',
  'medagentsbench_medmcqa_test.jsonl',
);
const { items } = await loadDataset(data);
const chosen = items.slice(0, count) as MultipleChoiceItem[];
const directory = await mkdtemp(join(tmpdir(), 'medistill-bench-eval-'));
const { path } = await createModelFile({
  out: join(directory, 'student.gguf'),
  corpus: items.slice(0, 2000).map((item) => itemPromptText(item)),
  vocabSize: 4096,
  layers: 4,
  embeddingLength: 256,
  contextLength: 1024,
});
const runtime = new LlamaCppRuntime();
const model = await runtime.loadModel(path, { parallelSequences: 4 });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}

const [, loglikSeconds] = await timed(() =>
  evaluate({ model, items: chosen, mode: 'loglik', concurrency: 4 }),
);
const [, cotSeconds] = await timed(() =>
  evaluate({ model, items: chosen, mode: 'cot', concurrency: 4, maxTokens }),
);
// The bare loop: the same rendered prompts, straight into node-llama-cpp, four sequences at once.
const prompts = chosen.map((item) =>
  model.tokenize(
    model.renderPrompt([
      {
        role: 'user',
        content: `${itemPromptText(item)}\n\nEnd your response with exactly this format: Final Answer: X`,
      },
    ]),
  ),
);
const context = await (await runtime.binding())
  .loadModel({ modelPath: path })
  .then((loaded) => loaded.createContext({ sequences: 4, threads: 1, contextSize: 1024 }));
const [, bareSeconds] = await timed(async () => {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const sequence = context.getSequence();
      while (next < prompts.length) {
        const prompt = prompts[next++]!;
        const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
        await completion.generateCompletion(prompt, { maxTokens, temperature: 0 });
        completion.dispose();
        await sequence.clearHistory();
      }
    }),
  );
});
const rate = (seconds: number) => (chosen.length / seconds).toFixed(1);
console.log(
  `model: 4 layers x 256, ${chosen.length} MedMCQA items, ${maxTokens} generated tokens at most, 4 parallel sequences, 1 thread`,
);
console.log('| scoring | items/s |');
console.log('|---|---|');
console.log(`| log-likelihood (4 options) | ${rate(loglikSeconds)} |`);
console.log(`| chain-of-thought (medistill evaluate) | ${rate(cotSeconds)} |`);
console.log(`| chain-of-thought (bare node-llama-cpp loop) | ${rate(bareSeconds)} |`);
console.log(
  `loglik / cot ratio: ${(cotSeconds / loglikSeconds).toFixed(2)}; evaluate / bare loop: ${(bareSeconds / cotSeconds).toFixed(2)}`,
);
await model.close();
await context.dispose();
