/**
 * The GPU proof of the `transformers` engine (run by scripts/gpu-proof.sh): tiny random Qwen2
 * (text) and Qwen2-VL (vision) students, built from configs, are trained with LoRA for a few
 * dozen steps through the engine; the loss must fall. The text adapter is converted to GGUF with
 * medistill's converter and evaluated in llama.cpp against the untrained base (answer
 * log-likelihood and multiple-choice accuracy on held-out sums). Prints one JSON line of figures
 * per part, then a summary; exits non-zero when a check fails. No network is used.
 *
 *   tsx scripts/gpu-proof/proof.ts --python PYTHON --work DIR [--steps-per-epoch-batch 8]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertHfToGguf } from '../../src/convert/hf-to-gguf.js';
import { convertPeftLoraToGguf } from '../../src/convert/peft-lora-to-gguf.js';
import { LlamaCppRuntime } from '../../src/engines/llama-cpp/llama-cpp-runtime.js';
import { TransformersEngine } from '../../src/engines/transformers/transformers-engine.js';
import type { LanguageModel } from '../../src/models/language-model.js';
import type { TrainingHyperparameters, TrainingProgress } from '../../src/training/training-engine.js';
import { colourExamples } from './colour-examples.js';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: 'python3' },
    work: { type: 'string' },
    epochs: { type: 'string', default: '4' },
  },
});
if (!values.work) throw new Error('--work DIR is required');
const work = values.work;
const epochs = Number(values.epochs);

const sums = (from: number, count: number) =>
  Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    return { a: index % 9, b: Math.floor(index / 9) % 8 };
  });

const chat = (a: number, b: number) => ({
  messages: [
    { role: 'user', content: `Add ${a} and ${b}.` },
    { role: 'assistant', content: `The answer is ${a + b}.` },
  ],
});

const hyperparameters: TrainingHyperparameters = {
  epochs,
  learningRate: 5e-3,
  batchSize: 8,
  validationSplit: 0.125,
  seed: 1,
  loraRank: 16,
  // A scale of 4: a random 64-wide model's near-uniform logits need a strong adapter to move in a few dozen steps.
  loraAlpha: 64,
  warmupRatio: 0.1,
  weightDecay: 0,
  gradientClipNorm: 1,
};

interface Figures {
  part: string;
  steps: number;
  firstLoss: number;
  lastLoss: number;
  validationLoss: number[];
  seconds: number;
  lossFell: boolean;
}

async function train(part: string, model: string, data: string, output: string): Promise<Figures> {
  const engine = new TransformersEngine({ python: [values.python!], loggingSteps: 1, loraDropout: 0 });
  const history: TrainingProgress[] = [];
  const started = performance.now();
  await engine.train(
    {
      baseModel: model,
      dataPath: data,
      outputPath: output,
      checkpointDir: `${output}.checkpoints`,
      hyperparameters,
    },
    { onProgress: (event) => history.push(event) },
  );
  const steps = history.filter((event) => !event.epochEnd && event.trainLoss !== undefined);
  const validationLoss = history
    .filter((event) => event.epochEnd)
    .map((event) => event.validationLoss ?? Number.NaN);
  const first = steps[0]?.trainLoss ?? Number.NaN;
  const last = steps.at(-1)?.trainLoss ?? Number.NaN;
  return {
    part,
    steps: steps.at(-1)?.step ?? 0,
    firstLoss: first,
    lastLoss: last,
    validationLoss,
    seconds: (performance.now() - started) / 1000,
    lossFell: last < first - 0.5 && (validationLoss.at(-1) ?? Number.NaN) < (validationLoss[0] ?? Number.NaN),
  };
}

/** Held-out sums scored in llama.cpp: mean answer log-prob per token, and accuracy choosing among 0-16. */
async function evaluate(model: LanguageModel, items: { a: number; b: number }[]) {
  let logprob = 0;
  let tokens = 0;
  let correct = 0;
  for (const { a, b } of items) {
    const options = Array.from({ length: 17 }, (_, sum) => `The answer is ${sum}.`);
    const scores = await model.scoreContinuations!(
      [{ role: 'user', content: `Add ${a} and ${b}.` }],
      options,
    );
    const right = scores[a + b]!;
    logprob += right.logprob;
    tokens += right.tokenCount;
    const best = scores.reduce(
      (top, score, index) => (score.logprob > scores[top]!.logprob ? index : top),
      0,
    );
    if (best === a + b) correct += 1;
  }
  return { meanLogprobPerToken: logprob / tokens, accuracy: correct / items.length, n: items.length };
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const textData = join(work, 'sums.jsonl');
  await writeFile(
    textData,
    `${sums(0, 64)
      .map(({ a, b }) => JSON.stringify(chat(a, b)))
      .join('\n')}\n`,
  );
  const failures: string[] = [];

  const text = await train(
    'text (Qwen2, LoRA)',
    join(work, 'models/qwen2-tiny'),
    textData,
    join(work, 'text-adapter'),
  );
  console.log(JSON.stringify(text));
  if (!text.lossFell) failures.push('text loss did not fall');

  const started = performance.now();
  const baseGguf = join(work, 'qwen2-tiny.f32.gguf');
  const adapterGguf = join(work, 'text-adapter.gguf');
  await convertHfToGguf({ input: join(work, 'models/qwen2-tiny'), output: baseGguf, outType: 'f32' });
  const lora = await convertPeftLoraToGguf({
    adapterDir: join(work, 'text-adapter'),
    base: join(work, 'models/qwen2-tiny'),
    output: adapterGguf,
    outType: 'f32',
  });
  const runtime = new LlamaCppRuntime();
  const heldOut = sums(64, 8);
  const baseModel = await runtime.loadModel(baseGguf, { parallelSequences: 1 });
  const before = await evaluate(baseModel, heldOut);
  await baseModel.close?.();
  const tuned = await runtime.loadModel(baseGguf, {
    parallelSequences: 1,
    loraAdapters: [{ path: adapterGguf }],
  });
  const after = await evaluate(tuned, heldOut);
  await tuned.close?.();
  const gguf = {
    part: 'text adapter -> GGUF -> llama.cpp',
    adapterTargets: lora.targets.length,
    rank: lora.rank,
    base: before,
    withAdapter: after,
    seconds: (performance.now() - started) / 1000,
  };
  console.log(JSON.stringify(gguf));
  if (!(after.meanLogprobPerToken > before.meanLogprobPerToken + 0.5))
    failures.push('the converted adapter did not raise the answer log-likelihood in llama.cpp');

  const visionData = join(work, 'colours.jsonl');
  await writeFile(visionData, await colourExamples(48));
  const vision = await train(
    'vision (Qwen2-VL, LoRA)',
    join(work, 'models/qwen2-vl-tiny'),
    visionData,
    join(work, 'vision-adapter'),
  );
  console.log(JSON.stringify(vision));
  if (!vision.lossFell) failures.push('vision loss did not fall');

  console.log(JSON.stringify({ summary: failures.length === 0 ? 'pass' : 'fail', failures }));
  if (failures.length > 0) process.exitCode = 1;
}

await main();
