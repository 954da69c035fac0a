/**
 * Evaluation throughput: items/s for log-likelihood vs chain-of-thought scoring on the same model
 * and items (their ratio), and medistill's evaluate() against a bare node-llama-cpp loop over the
 * same prompts. The two modes run in alternating rounds and the median round is reported, so a
 * shared machine's drift hits both alike. Run: npx tsx bench/evaluation.ts [items] [rounds]
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
const rounds = Number(process.argv[3] ?? 3);
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

/** Wall and CPU seconds (all threads of this process: llama.cpp's and JavaScript's) of some work. */
async function timed(work: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuStarted);
  return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

// Alternating rounds, median reported: on a shared machine drift then hits every mode alike, and
// CPU time (unlike wall time) does not count the time other processes held the cores.
const modes = {
  loglik: () => evaluate({ model, items: chosen, mode: 'loglik', concurrency: 4 }),
  letter: () =>
    evaluate({ model, items: chosen, mode: 'loglik', concurrency: 4, continuationStyle: 'letter' }),
  cot: () => evaluate({ model, items: chosen, mode: 'cot', concurrency: 4, maxTokens }),
};
type Mode = keyof typeof modes;
const measured: Record<Mode, { wall: number; cpu: number }[]> = { loglik: [], letter: [], cot: [] };
for (let round = 0; round < rounds; round++)
  for (const mode of Object.keys(modes) as Mode[]) measured[mode].push(await timed(modes[mode]));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const wall = (mode: Mode) => median(measured[mode].map((entry) => entry.wall));
const cpu = (mode: Mode) => median(measured[mode].map((entry) => entry.cpu));
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
const { wall: bareSeconds, cpu: bareCpu } = await timed(async () => {
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
const perItem = (seconds: number) => ((seconds / chosen.length) * 1000).toFixed(1);
console.log(
  `model: 4 layers x 256, ${chosen.length} MedMCQA items, ${maxTokens} generated tokens at most, 4 parallel sequences, 1 thread; median of ${rounds} alternating rounds`,
);
console.log('| scoring | items/s (wall) | wall ms per item | CPU ms per item | wall s per round |');
console.log('|---|---|---|---|---|');
const row = (name: string, wallSeconds: number, cpuSeconds: number, rounds?: { wall: number }[]) =>
  console.log(
    `| ${name} | ${rate(wallSeconds)} | ${perItem(wallSeconds)} | ${perItem(cpuSeconds)} | ${rounds ? rounds.map((entry) => entry.wall.toFixed(1)).join(', ') : '-'} |`,
  );
row('log-likelihood (4 options, " A. text")', wall('loglik'), cpu('loglik'), measured.loglik);
row(
  'log-likelihood (4 options, " A"; about the prompt alone)',
  wall('letter'),
  cpu('letter'),
  measured.letter,
);
row(`chain-of-thought, ${maxTokens} tokens (medistill evaluate)`, wall('cot'), cpu('cot'), measured.cot);
row(`chain-of-thought, ${maxTokens} tokens (bare node-llama-cpp loop)`, bareSeconds, bareCpu);
const ratio = (mode: Mode, by: (mode: Mode) => number) => (by('cot') / by(mode)).toFixed(2);
console.log(
  `loglik / cot speed ratio per item (goal 20): ${ratio('loglik', wall)} by wall time, ${ratio('loglik', cpu)} by CPU time; ` +
    `letter-style loglik / cot: ${ratio('letter', wall)} wall, ${ratio('letter', cpu)} CPU; evaluate / bare loop (wall): ${(bareSeconds / wall('cot')).toFixed(2)}`,
);
await model.close();
await context.dispose();
