import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Benchmark,
  buildBenchmark,
  KnowledgeTeacher,
  singleFindingShortcutAccuracy,
} from '../benchmark/index.js';
import { threadsPerTraining } from '../compose/create-training-engine.js';
import { writeItemsJsonl } from '../datasets/export/items-jsonl.js';
import type { MultipleChoiceItem } from '../datasets/item.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import { answerLine } from '../methods/answer-format.js';
import type { DistillationResults } from '../methods/run/results.js';
import { runDistillation, type SeedData } from '../methods/run/run-distillation.js';
import { writeRunOutputs } from '../methods/run/write-run-outputs.js';
import type { RunEvent } from '../methods/strategy-context.js';
import { llamaCppStudentLoader } from '../methods/student-files.js';
import { KnowledgeBaseTeacher } from '../methods/teacher/knowledge-base-teacher.js';
import type { Teacher } from '../methods/teacher/teacher.js';
import { STEP_BY_STEP_PREFIX } from '../methods/training-examples.js';
import { createModelFile } from '../model/create-model.js';
import { withRunLock } from '../store/run-lock.js';
import { wordTokenCount } from '../tokenizer/word-token-count.js';
import { type DemoSettings, demoSettings } from './demo-settings.js';

/** Trainings side by side (one worker each); the cores are shared out between them. */
const PARALLEL_STRATEGIES = 2;

export interface DemoOptions {
  quick: boolean;
  directory: string;
  settings?: DemoSettings;
  onEvent?: (event: RunEvent) => void;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

export interface DemoSummary {
  directory: string;
  /** The first draw's sizes; the shortcut is averaged over the draws. */
  benchmark: {
    trainItems: number;
    testItems: number;
    mislabeled: number;
    conditions: number;
    singleFindingShortcut: number;
    chance: number;
    /** How many benchmark draws the run used: one, or one per seed. */
    draws: number;
  };
  student: { path: string; parameters: number; vocabSize: number; contextLength: number };
  results: DistillationResults;
  elapsedMs: number;
}

/**
 * The texts the student's word-level tokenizer is learned from: the training vignettes with every
 * option's answer line, and every teacher role's output on the training items. Test vignettes are
 * left out; their words reach the vocabulary only through the knowledge base and training text.
 */
async function demoCorpus(benchmark: Benchmark, teacher: Teacher): Promise<string[]> {
  const texts = [
    ...benchmark.corpus,
    STEP_BY_STEP_PREFIX.label,
    STEP_BY_STEP_PREFIX.rationale,
    'In summary :',
  ];
  for (const item of benchmark.train) {
    texts.push(itemPromptText(item), ...item.options.map((option) => answerLine(item, option.key)));
  }
  for (const item of benchmark.train) {
    try {
      texts.push(await teacher.explain(item), await teacher.rationale(item, 'chain-of-thought'));
      const wrongKey = item.options.find((option) => option.key !== item.answerKey)?.key ?? item.answerKey;
      texts.push(await teacher.correct(item, answerLine(item, wrongKey), ''));
    } catch {
      // Items the knowledge base cannot answer are screened out later; their words are in the corpus anyway.
    }
  }
  return texts;
}

/** One benchmark draw with its teacher and the student base model made from its words. */
interface Draw {
  benchmark: Benchmark;
  data: SeedData;
  created: Awaited<ReturnType<typeof createModelFile>> | undefined;
  studentPath: string;
  contextLength: number;
}

/** Item ids carry the draw, so the items of different draws never share an id in one report. */
function withDrawIds(items: MultipleChoiceItem[], seed: number): MultipleChoiceItem[] {
  return items.map((item) => ({ ...item, id: `draw${seed}-${item.id}` }));
}

async function prepareDraw(
  settings: DemoSettings,
  directory: string,
  runtime: LlamaCppRuntime,
  draw: { benchmarkSeed: number; studentFile: string; prefixIds: boolean },
): Promise<Draw> {
  const benchmark = buildBenchmark({ ...settings.benchmark, seed: draw.benchmarkSeed });
  // Sampling seeded by the draw: the samples of a draw are the same on every rerun (caches hold).
  const teacher = new KnowledgeBaseTeacher(new KnowledgeTeacher(benchmark.knowledgeBase), {
    seed: draw.benchmarkSeed,
  });
  const studentPath = join(directory, draw.studentFile);
  const corpus = await demoCorpus(benchmark, teacher);
  const longest = Math.max(...corpus.map((text) => text.split(/\s+/).length));
  const longestPrompt = Math.max(...benchmark.train.map((item) => itemPromptText(item).split(/\s+/).length));
  // Prompt and target together in tokens, plus the chat template's, rounded up. Counted in words,
  // one benchmark draw in three came out a few tokens short and its longest examples could not train.
  const tokens = (texts: readonly string[]) => Math.max(...texts.map(wordTokenCount));
  const contextLength =
    Math.ceil((tokens(benchmark.train.map((item) => itemPromptText(item))) + tokens(corpus) + 24) / 32) * 32;
  const created = existsSync(studentPath)
    ? undefined
    : await createModelFile({
        out: studentPath,
        corpus,
        tokenizer: 'word',
        layers: settings.student.layers,
        embeddingLength: settings.student.embeddingLength,
        heads: settings.student.heads,
        contextLength,
        seed: settings.student.seed,
        name: 'medistill-demo-student',
      });
  const train = draw.prefixIds ? withDrawIds(benchmark.train, draw.benchmarkSeed) : benchmark.train;
  const test = draw.prefixIds ? withDrawIds(benchmark.test, draw.benchmarkSeed) : benchmark.test;
  return {
    benchmark,
    created,
    studentPath,
    contextLength,
    data: {
      train,
      test,
      teacher,
      student: {
        baseModel: studentPath,
        engine: new TfjsTrainingEngine({ threads: threadsPerTraining(PARALLEL_STRATEGIES) }),
        hyperparameters: settings.training,
        stage2Hyperparameters: settings.stage2Training,
        maxAnswerTokens: Math.min(contextLength - longestPrompt - 16, longest + 16),
        load: llamaCppStudentLoader(runtime, { parallelSequences: 8 }),
      },
    },
  };
}

/**
 * `medistill demo`: the project's clinical benchmark, a knowledge-grounded teacher and a small
 * student made and trained on this machine; zero-shot, answer-only distillation and MedThink with
 * the same student and budget, evaluated on held-out vignettes whose finding combinations never
 * occur in training. With `perSeedDraws`, each seed gets its own benchmark draw, teacher and
 * student base model (`bench strategies`).
 */
export function runDemo(options: DemoOptions): Promise<DemoSummary> {
  // A second demo on the same directory is refused with the holder's pid, not run twice.
  return withRunLock(options.directory, () => demoInDirectory(options));
}

async function demoInDirectory(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const settings = options.settings ?? demoSettings(options.quick);
  await mkdir(options.directory, { recursive: true });
  const runtime = new LlamaCppRuntime();
  const draws = new Map<number, Draw>();
  if (settings.perSeedDraws) {
    for (const seed of settings.seeds)
      draws.set(
        seed,
        await prepareDraw(settings, options.directory, runtime, {
          benchmarkSeed: seed,
          studentFile: `student-base-draw-${seed}.gguf`,
          prefixIds: true,
        }),
      );
  } else {
    const shared = await prepareDraw(settings, options.directory, runtime, {
      benchmarkSeed: settings.benchmark.seed ?? 1,
      studentFile: 'student-base.gguf',
      prefixIds: false,
    });
    for (const seed of settings.seeds) draws.set(seed, shared);
  }
  const first = draws.get(settings.seeds[0]!)!;
  const distinct = [...new Set(draws.values())];
  // The held-out items as dataset files, so `medistill footprint --data` can score exports on them.
  if (settings.perSeedDraws) {
    for (const [seed, draw] of draws)
      await writeItemsJsonl(draw.data.test, join(options.directory, `test-draw-${seed}.jsonl`));
  } else await writeItemsJsonl(first.data.test, join(options.directory, 'test.jsonl'));
  const { benchmark } = first;
  options.onLog?.(
    `benchmark${distinct.length > 1 ? ` (draw of seed ${settings.seeds[0]}; ${distinct.length} draws, one per seed)` : ''}: ${benchmark.train.length} training vignettes (${benchmark.mislabeledIds.size} deliberately mislabeled), ${benchmark.test.length} test vignettes with unseen finding combinations`,
  );
  const { results, report } = await runDistillation({
    name: options.quick ? 'demo-quick' : 'demo',
    directory: options.directory,
    strategies: settings.strategies,
    seeds: settings.seeds,
    ...first.data,
    ...(settings.perSeedDraws
      ? { perSeed: new Map([...draws].map(([seed, draw]) => [seed, draw.data])) }
      : {}),
    concurrency: 8,
    parallelStrategies: PARALLEL_STRATEGIES,
    samples: settings.samples ?? 1,
    rounds: 3,
    stage2Replay: true,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const shortcut =
    distinct.reduce((sum, draw) => sum + singleFindingShortcutAccuracy(draw.benchmark), 0) / distinct.length;
  const summary: DemoSummary = {
    directory: options.directory,
    benchmark: {
      trainItems: benchmark.train.length,
      testItems: benchmark.test.length,
      mislabeled: benchmark.mislabeledIds.size,
      conditions: benchmark.knowledgeBase.conditions.length,
      singleFindingShortcut: shortcut,
      chance: 0.25,
      draws: distinct.length,
    },
    student: {
      path: first.studentPath,
      parameters: first.created?.parameters ?? 0,
      vocabSize: first.created?.config.vocabSize ?? 0,
      contextLength: first.created?.config.contextLength ?? first.contextLength,
    },
    results,
    elapsedMs: performance.now() - started,
  };
  await writeRunOutputs(
    options.directory,
    { ...summary },
    {
      ...report,
      baselines: [
        { name: 'chance', accuracy: 0.25 },
        { name: 'one-finding shortcut', accuracy: summary.benchmark.singleFindingShortcut },
      ],
    },
  );
  return summary;
}
