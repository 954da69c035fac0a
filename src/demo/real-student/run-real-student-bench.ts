import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildBenchmark, KnowledgeTeacher } from '../../benchmark/index.js';
import { threadsPerTraining } from '../../compose/create-training-engine.js';
import type { MultipleChoiceItem } from '../../datasets/item.js';
import { LlamaCppRuntime } from '../../engines/llama-cpp/llama-cpp-runtime.js';
import { TfjsTrainingEngine } from '../../engines/tfjs/tfjs-training-engine.js';
import { ConfigError } from '../../errors.js';
import { runDistillation, type SeedData } from '../../methods/run/run-distillation.js';
import type { RunEvent } from '../../methods/strategy-context.js';
import { llamaCppStudentLoader } from '../../methods/student-files.js';
import { KnowledgeBaseTeacher } from '../../methods/teacher/knowledge-base-teacher.js';
import { cachedPublishedModel } from '../../model/fetch/fetch-published-model.js';
import { withRunLock } from '../../store/run-lock.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { REAL_STUDENT, type RealStudentSettings, realStudentSettings } from './real-student-settings.js';
import {
  type ArmResult,
  realStudentArms,
  realStudentMarkdownTable,
  timingKey,
} from './real-student-table.js';

/** Two runs side by side, one training worker (and one llama.cpp thread) per core. */
const PARALLEL_RUNS = 2;
/** Longest runs first, so the two workers finish together. */
const STRATEGIES = ['medthink', 'answer-only', 'zero-shot'];

export interface RealStudentBenchOptions {
  /** Run directory; reruns resume in it. */
  directory: string;
  quick: boolean;
  /** How many seeds (each its own benchmark draw); default from the settings. */
  seeds?: number;
  /** The GGUF base (default: the cached SmolLM2-135M-Instruct Q4_1 from `medistill model fetch`). */
  model?: string;
  onEvent?: (event: RunEvent) => void;
  onLog?: (message: string) => void;
  signal?: AbortSignal;
}

export interface RealStudentBenchResult {
  directory: string;
  quick: boolean;
  model: string;
  settings: RealStudentSettings;
  trainItems: number;
  testItems: number;
  arms: ArmResult[];
  elapsedMs: number;
  /** `real-student.json` and `real-student.md` in the directory. */
  files: { json: string; markdown: string };
}

function withDrawIds(items: MultipleChoiceItem[], seed: number): MultipleChoiceItem[] {
  return items.map((item) => ({ ...item, id: `draw${seed}-${item.id}` }));
}

/**
 * `medistill bench real-student`: the published SmolLM2-135M-Instruct (its Q4_1 file as it is)
 * as a LoRA student on the project's clinical benchmark with the knowledge-base teacher. Arms:
 * zero-shot, answer-only, MedThink stage 1 and stage 2 (one MedThink run gives both), each seed on
 * its own benchmark draw, with seed-aware intervals, paired tests against answer-only, and the
 * wall time of each run. Writes `real-student.json` and `real-student.md` into the directory.
 */
export function runRealStudentBench(options: RealStudentBenchOptions): Promise<RealStudentBenchResult> {
  return withRunLock(options.directory, () => benchInDirectory(options));
}

async function benchInDirectory(options: RealStudentBenchOptions): Promise<RealStudentBenchResult> {
  const started = performance.now();
  const model = options.model ?? (await cachedPublishedModel(REAL_STUDENT));
  if (!model)
    throw new ConfigError(
      `the real student is not in the cache: run \`medistill model fetch ${REAL_STUDENT}\` first (or pass --model FILE.gguf)`,
    );
  const defaults = realStudentSettings(options.quick);
  const settings: RealStudentSettings = options.seeds
    ? { ...defaults, seeds: Array.from({ length: options.seeds }, (_, index) => index + 1) }
    : defaults;
  await mkdir(options.directory, { recursive: true });
  const runtime = new LlamaCppRuntime();
  const engine = new TfjsTrainingEngine({ threads: threadsPerTraining(PARALLEL_RUNS) });
  const perSeed = new Map<number, SeedData>();
  for (const seed of settings.seeds) {
    const benchmark = buildBenchmark({ ...settings.benchmark, seed });
    perSeed.set(seed, {
      train: withDrawIds(benchmark.train, seed),
      test: withDrawIds(benchmark.test, seed),
      teacher: new KnowledgeBaseTeacher(new KnowledgeTeacher(benchmark.knowledgeBase), { seed }),
      student: {
        baseModel: model,
        engine,
        hyperparameters: settings.training,
        stage2Hyperparameters: settings.stage2Training,
        maxAnswerTokens: settings.maxAnswerTokens,
        load: llamaCppStudentLoader(runtime, { parallelSequences: 4 }),
      },
    });
  }
  const first = perSeed.get(settings.seeds[0]!)!;
  options.onLog?.(
    `real student ${model}: LoRA rank ${settings.training.loraRank}; ${settings.seeds.length} seed(s), each its own draw of ${first.train.length} training and ${first.test.length} test vignettes`,
  );
  const timings = new Map<string, { start: number; end: number; stages: Map<string, number> }>();
  const { outcomes } = await runDistillation({
    name: options.quick ? 'bench-real-student-quick' : 'bench-real-student',
    directory: options.directory,
    strategies: STRATEGIES,
    seeds: settings.seeds,
    ...first,
    perSeed,
    concurrency: 4,
    parallelStrategies: PARALLEL_RUNS,
    samples: 1,
    rounds: 1,
    stage2Replay: true,
    onEvent: (event) => {
      const now = performance.now();
      const key = timingKey(event.strategy, event.seed);
      const timing = timings.get(key) ?? { start: now, end: now, stages: new Map() };
      timing.end = now;
      timing.stages.set(event.stage.split('.')[0]!, now);
      timings.set(key, timing);
      options.onEvent?.(event);
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const arms = realStudentArms({
    outcomes,
    seeds: settings.seeds,
    testFor: (seed) => perSeed.get(seed)!.test,
    timings,
  });
  const elapsedMs = performance.now() - started;
  const files = {
    json: join(options.directory, 'real-student.json'),
    markdown: join(options.directory, 'real-student.md'),
  };
  const result: RealStudentBenchResult = {
    directory: options.directory,
    quick: options.quick,
    model,
    settings,
    trainItems: first.train.length,
    testItems: first.test.length,
    arms,
    elapsedMs,
    files,
  };
  await writeFileAtomically(files.json, `${JSON.stringify(result, null, 1)}\n`);
  await writeFileAtomically(files.markdown, realStudentMarkdown(result));
  return result;
}

function realStudentMarkdown(result: RealStudentBenchResult): string {
  const { settings } = result;
  const t = settings.training;
  const s2 = settings.stage2Training;
  return [
    `# medistill bench real-student${result.quick ? ' --quick' : ''}`,
    '',
    `Student: \`${result.model}\` (Q4_1 base as it is, LoRA rank ${t.loraRank}, alpha ${t.loraAlpha}, all seven projections per block). Teacher: the knowledge base. ${settings.seeds.length} seed(s), each its own benchmark draw of ${result.trainItems} training and ${result.testItems} test vignettes (${settings.benchmark.conditionCount} conditions). Training: ${t.epochs} epoch(s), lr ${t.learningRate}, batch ${t.batchSize}, max length ${t.maxLength}; MedThink stage 2 continues stage 1's adapter for ${s2.epochs} epoch(s) at lr ${s2.learningRate}. Answers up to ${settings.maxAnswerTokens} tokens. Total wall time ${(result.elapsedMs / 60_000).toFixed(1)} min (of this invocation; a resumed run counts only what it redid).`,
    '',
    realStudentMarkdownTable(result.arms),
    `Accuracy: mean of per-seed accuracies; interval: ${
      settings.seeds.length > 1
        ? 'Wilson at the effective sample size of a two-level (seed, item within seed) variance'
        : 'Wilson over items'
    }. Against answer-only: paired on the same (seed, item) units, ${
      settings.seeds.length > 1
        ? 'two-level paired bootstrap interval and exact sign-flip p'
        : 'paired bootstrap interval and exact McNemar p'
    }. * stage 2 had no training errors to correct for that seed (the row repeats stage 1).`,
    '',
  ].join('\n');
}
