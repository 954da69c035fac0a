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
import { itemPromptText } from '../datasets/item-prompt.js';
import { LlamaCppRuntime } from '../engines/llama-cpp/llama-cpp-runtime.js';
import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import { answerLine } from '../methods/answer-format.js';
import type { DistillationResults } from '../methods/run/results.js';
import { runDistillation } from '../methods/run/run-distillation.js';
import { writeRunOutputs } from '../methods/run/write-run-outputs.js';
import type { RunEvent } from '../methods/strategy-context.js';
import { KnowledgeBaseTeacher } from '../methods/teacher/knowledge-base-teacher.js';
import type { Teacher } from '../methods/teacher/teacher.js';
import { STEP_BY_STEP_PREFIX } from '../methods/training-examples.js';
import { createModelFile } from '../model/create-model.js';
import { withRunLock } from '../store/run-lock.js';
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
  benchmark: {
    trainItems: number;
    testItems: number;
    mislabeled: number;
    conditions: number;
    singleFindingShortcut: number;
    chance: number;
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

/**
 * `medistill demo`: the project's clinical benchmark, a knowledge-grounded teacher and a small
 * student made and trained on this machine; zero-shot, answer-only distillation and MedThink with
 * the same student and budget, evaluated on held-out vignettes whose finding combinations never
 * occur in training.
 */
export function runDemo(options: DemoOptions): Promise<DemoSummary> {
  // A second demo on the same directory is refused with the holder's pid, not run twice.
  return withRunLock(options.directory, () => demoInDirectory(options));
}

async function demoInDirectory(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const settings = options.settings ?? demoSettings(options.quick);
  await mkdir(options.directory, { recursive: true });
  const benchmark = buildBenchmark(settings.benchmark);
  // The held-out items as a dataset file, so `medistill footprint --data` can score exports on them.
  await writeItemsJsonl(benchmark.test, join(options.directory, 'test.jsonl'));
  const teacher = new KnowledgeBaseTeacher(new KnowledgeTeacher(benchmark.knowledgeBase));
  const studentPath = join(options.directory, 'student-base.gguf');
  const corpus = await demoCorpus(benchmark, teacher);
  const longest = Math.max(...corpus.map((text) => text.split(/\s+/).length));
  // Prompt and target together, plus the chat template's tokens, rounded up.
  const longestPrompt = Math.max(...benchmark.train.map((item) => itemPromptText(item).split(/\s+/).length));
  const contextLength = Math.ceil((longestPrompt + longest + 24) / 32) * 32;
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
  options.onLog?.(
    `benchmark: ${benchmark.train.length} training vignettes (${benchmark.mislabeledIds.size} deliberately mislabeled), ${benchmark.test.length} test vignettes with unseen finding combinations`,
  );
  const runtime = new LlamaCppRuntime();
  const { results, report } = await runDistillation({
    name: options.quick ? 'demo-quick' : 'demo',
    directory: options.directory,
    strategies: settings.strategies,
    seeds: settings.seeds,
    train: benchmark.train,
    test: benchmark.test,
    teacher,
    student: {
      baseModel: studentPath,
      engine: new TfjsTrainingEngine({ threads: threadsPerTraining(PARALLEL_STRATEGIES) }),
      hyperparameters: settings.training,
      stage2Hyperparameters: settings.stage2Training,
      maxAnswerTokens: Math.min(contextLength - longestPrompt - 16, longest + 16),
      load: (path) => runtime.loadModel(path, { parallelSequences: 8 }),
    },
    concurrency: 8,
    parallelStrategies: PARALLEL_STRATEGIES,
    samples: 1,
    rounds: 3,
    stage2Replay: true,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const summary: DemoSummary = {
    directory: options.directory,
    benchmark: {
      trainItems: benchmark.train.length,
      testItems: benchmark.test.length,
      mislabeled: benchmark.mislabeledIds.size,
      conditions: benchmark.knowledgeBase.conditions.length,
      singleFindingShortcut: singleFindingShortcutAccuracy(benchmark),
      chance: 0.25,
    },
    student: {
      path: studentPath,
      parameters: created?.parameters ?? 0,
      vocabSize: created?.config.vocabSize ?? 0,
      contextLength: created?.config.contextLength ?? contextLength,
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
