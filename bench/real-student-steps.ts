/**
 * The per-step costs `bench real-student` is sized from, and the time they project for it.
 *
 *   npx tsx bench/real-student-steps.ts [--steps 3]
 *
 * On the cached SmolLM2-135M-Instruct Q4_1 (`medistill model fetch smollm2-135m-instruct`), with
 * the bench's LoRA settings and one BLAS thread: optimizer steps on batches of real examples of each
 * kind the bench trains (answer-only, stage-1 explanations, stage-2 corrective chains, built by the
 * knowledge-base teacher from the bench's first draw and tokenized by llama.cpp), then llama.cpp
 * answering test vignettes. Costs are CPU-seconds of this process, which a machine shared with other
 * jobs inflates less than wall time; the projection divides by two cores (two runs side by side).
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBenchmark, KnowledgeTeacher } from '../src/benchmark/index.js';
import { itemPromptText } from '../src/datasets/item-prompt.js';
import { REAL_STUDENT, realStudentSettings } from '../src/demo/real-student/real-student-settings.js';
import { LlamaCppRuntime } from '../src/engines/llama-cpp/llama-cpp-runtime.js';
import { LlamaTrainer } from '../src/engines/tfjs/llama-trainer.js';
import { defaultLoraTargets } from '../src/engines/tfjs/lora.js';
import { tokenizeTrainingData } from '../src/engines/tfjs/training-data.js';
import { makeBatch, type TrainingExample } from '../src/engines/tfjs/training-example.js';
import { configureWasmBackend } from '../src/engines/tfjs/wasm-backend.js';
import { answerLine } from '../src/methods/answer-format.js';
import { KnowledgeBaseTeacher } from '../src/methods/teacher/knowledge-base-teacher.js';
import { answerExample, example, toJsonLines } from '../src/methods/training-examples.js';
import { cachedPublishedModel } from '../src/model/fetch/fetch-published-model.js';
import { readLlamaModel } from '../src/model/llama-model-file.js';
import { temporaryPathFor } from '../src/util/atomic-write.js';

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const STEPS = Number(argument('steps', '3'));
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const model = await cachedPublishedModel(REAL_STUDENT);
if (!model) {
  process.stderr.write(`run \`npx medistill model fetch ${REAL_STUDENT}\` first\n`);
  process.exit(2);
}
const settings = realStudentSettings(false);
const { training } = settings;
const benchmark = buildBenchmark({ ...settings.benchmark, seed: 1 });
const teacher = new KnowledgeBaseTeacher(new KnowledgeTeacher(benchmark.knowledgeBase));
const items = benchmark.train.slice(0, training.batchSize * STEPS);
const kinds: Record<string, ReturnType<typeof example>[]> = {
  'answer-only': [],
  explanation: [],
  correction: [],
};
for (const item of items) {
  kinds['answer-only']!.push(answerExample(item, undefined, 'teacher-answer'));
  const knowledge = await teacher.explain(item);
  kinds.explanation!.push(example(item, 'explanation', knowledge));
  const wrong = item.options.find((option) => option.key !== item.answerKey)!.key;
  kinds.correction!.push(example(item, 'correction', await teacher.correct(item, answerLine(item, wrong))));
}

const kernels = await configureWasmBackend({ threads: 1 });
const base = await readLlamaModel(model);
const trainer = new LlamaTrainer(base.config, base.weights, {
  learningRate: training.learningRate,
  warmupSteps: 0,
  totalSteps: 100,
  weightDecay: training.weightDecay,
  gradientClipNorm: training.gradientClipNorm,
  seed: 1,
  lora: { rank: training.loraRank!, alpha: training.loraAlpha!, targets: defaultLoraTargets },
});
base.weights.clear();
process.stdout.write(
  `${model}\nkernels: ${kernels.kind}; LoRA rank ${training.loraRank}, batch ${training.batchSize}, ${STEPS} steps per kind (the first one's cost left out)\n\n`,
);
process.stdout.write(
  'kind | tokens per example | answer tokens | CPU-s per step | wall s per step | tokens per CPU-s | RSS MiB\n---|---|---|---|---|---|---\n',
);
const perStep: Record<string, number> = {};
const answerTokens: Record<string, number> = {};
for (const [kind, examples] of Object.entries(kinds)) {
  const path = temporaryPathFor(join(process.cwd(), `real-student-${kind}.jsonl`));
  await writeFile(path, toJsonLines(examples));
  const tokenized: TrainingExample[] = await tokenizeTrainingData({
    baseModel: model,
    dataPath: path,
    maxLength: training.maxLength,
  });
  await rm(path);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const batch = tokenized.slice(step * training.batchSize, (step + 1) * training.batchSize);
    const since = process.cpuUsage();
    const started = performance.now();
    trainer.trainStep(makeBatch(batch));
    if (step > 0 || STEPS === 1) {
      cpu.push(cpuSeconds(since));
      wall.push((performance.now() - started) / 1000);
    }
  }
  const tokens = tokenized.reduce((sum, entry) => sum + entry.tokens.length, 0) / tokenized.length;
  answerTokens[kind] =
    tokenized.reduce((sum, entry) => sum + entry.lossMask.reduce((a, b) => a + b, 0), 0) / tokenized.length;
  perStep[kind] = median(cpu);
  process.stdout.write(
    `${kind} | ${tokens.toFixed(0)} | ${answerTokens[kind]!.toFixed(0)} | ${median(cpu).toFixed(2)} | ${median(wall).toFixed(2)} | ${((tokens * training.batchSize) / median(cpu)).toFixed(0)} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}\n`,
  );
}
trainer.dispose();

const runtime = new LlamaCppRuntime();
const student = await runtime.loadModel(model, { parallelSequences: 4, threads: 1 });
const since = process.cpuUsage();
const started = performance.now();
const replies = await Promise.all(
  benchmark.test.slice(0, 8).map((item) =>
    student.generate({
      messages: [{ role: 'user', content: itemPromptText(item) }],
      maxTokens: settings.maxAnswerTokens,
      temperature: 0,
    }),
  ),
);
const generated = replies.reduce((sum, reply) => sum + reply.usage.completionTokens, 0);
const generationCpu = cpuSeconds(since);
await student.close();
const perToken = generationCpu / generated;
process.stdout.write(
  `\nllama.cpp, 8 test vignettes, 4 sequences, 1 thread: ${generated} tokens, ${(generated / generationCpu).toFixed(0)} per CPU-s (${(generated / ((performance.now() - started) / 1000)).toFixed(0)} per wall s)\n`,
);

// One seed of the bench: steps of each training, then tokens generated (zero-shot at the cap).
const trainCount = benchmark.train.length;
const test = benchmark.test.length;
const kept = Math.round(trainCount * (1 - benchmark.mislabeledIds.size / trainCount));
const steps = (examples: number, epochs: number) =>
  Math.ceil((examples * (1 - training.validationSplit)) / training.batchSize) * epochs;
const trainingCpu =
  steps(trainCount, training.epochs) * perStep['answer-only']! +
  steps(kept, training.epochs) * perStep.explanation! +
  steps(kept, settings.stage2Training.epochs) * perStep.correction!;
const generatedTokens =
  test * settings.maxAnswerTokens +
  test * 12 +
  (2 * test + kept) * Math.max(answerTokens.explanation!, answerTokens.correction!);
const seedCpu = trainingCpu + generatedTokens * perToken;
const total = seedCpu * settings.seeds.length;
process.stdout.write(
  `\nbench real-student (${settings.seeds.length} seeds, ${trainCount} training and ${test} test vignettes each): per seed ${trainingCpu.toFixed(0)} CPU-s training + ${(generatedTokens * perToken).toFixed(0)} CPU-s generating ${generatedTokens} tokens; all seeds ${total.toFixed(0)} CPU-s, about ${(total / 2 / 60).toFixed(0)} min on 2 cores (log-likelihood scoring, model loads and uneven parallelism not counted)\n`,
);
