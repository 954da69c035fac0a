import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBenchmark } from '../../src/benchmark/index.js';
import { itemPromptText } from '../../src/datasets/item-prompt.js';
import { LlamaCppRuntime } from '../../src/engines/llama-cpp/llama-cpp-runtime.js';
import { answerLine } from '../../src/methods/answer-format.js';
import { buildRunReport } from '../../src/methods/run/build-report.js';
import { summarise } from '../../src/methods/run/results.js';
import { StageCache } from '../../src/methods/run/stage-cache.js';
import { zeroShot } from '../../src/methods/strategies/baselines.js';
import type { StrategyContext } from '../../src/methods/strategy-context.js';
import type { Teacher } from '../../src/methods/teacher/teacher.js';
import { createModelFile } from '../../src/model/create-model.js';
import { renderHtmlReport } from '../../src/report/render-html-report.js';
import { renderMarkdownReport } from '../../src/report/render-markdown-report.js';
import type { TrainingEngine } from '../../src/training/training-engine.js';
import { temporaryDirectory } from '../support/paths.js';

describe('zero-shot scoring of an untrained student', () => {
  it('is near 0 by generated answer and near chance (25%) by log-likelihood on the benchmark', async () => {
    const directory = await temporaryDirectory();
    const benchmark = buildBenchmark({ seed: 1 });
    // A random-weight student, as `student.model: new` makes one (tokenizer from training text).
    const { path } = await createModelFile({
      out: join(directory, 'student.gguf'),
      corpus: benchmark.train.flatMap((item) => [itemPromptText(item), answerLine(item)]),
      layers: 2,
      embeddingLength: 128,
      contextLength: 256,
      tokenizer: 'word',
      seed: 1,
    });
    const runtime = new LlamaCppRuntime();
    const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by zero-shot')) });
    const context: StrategyContext = {
      strategy: 'zero-shot',
      seed: 1,
      directory,
      stages: new StageCache(join(directory, 'stages')),
      train: benchmark.train,
      test: benchmark.test,
      teacher: unused as Teacher,
      student: {
        baseModel: path,
        engine: unused as TrainingEngine,
        hyperparameters: {} as never,
        maxAnswerTokens: 24,
        load: (model) => runtime.loadModel(model, { parallelSequences: 4 }),
      },
      concurrency: 4,
      samples: 1,
      rounds: 1,
      stage2Replay: false,
      emit: () => {},
    };
    const outcome = await zeroShot.run(context);
    const evaluation = outcome.evaluations[0]!;
    const n = benchmark.test.length;
    expect(n).toBeGreaterThanOrEqual(300);
    expect(evaluation.correct / n).toBeLessThan(0.05);
    // 4 options: chance is 25%; with n > 300 the binomial spread is under 2.5 points.
    expect(evaluation.loglik).toMatchObject({ total: n, failed: 0 });
    const loglikAccuracy = evaluation.loglik!.correct / n;
    expect(loglikAccuracy).toBeGreaterThan(0.15);
    expect(loglikAccuracy).toBeLessThan(0.35);

    // results.json and both reports carry the two scores side by side.
    const outcomes = new Map([['zero-shot', [outcome]]]);
    const results = summarise({
      name: 'zero-shot',
      outcomes,
      errors: new Map(),
      descriptions: new Map([['zero-shot', zeroShot.description]]),
      seeds: [1],
      train: benchmark.train,
      test: benchmark.test,
    });
    expect(results.strategies[0]!.seeds[0]!.loglik).toMatchObject({
      correct: evaluation.loglik!.correct,
      total: n,
    });
    const report = buildRunReport({ results, outcomes, test: benchmark.test, reference: undefined });
    expect(report.strategies[0]!.loglik).toMatchObject({ n, correct: evaluation.loglik!.correct });
    const percent = `${(loglikAccuracy * 100).toFixed(1)}%`;
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain('by log-likelihood');
    expect(markdown).toContain(percent);
    expect(await renderHtmlReport(report)).toContain(percent);
  }, 300_000);
});
