import { describe, expect, it } from 'vitest';
import { buildBenchmark } from '../../benchmark/generate.js';
import { studentCorpus } from './student-corpus.js';

describe('studentCorpus', () => {
  const benchmark = buildBenchmark({ seed: 3 });

  it('holds every training prompt and answer line, and no test question', () => {
    const corpus = new Set(studentCorpus(benchmark.train));
    const trainText = [...corpus].join('\n');
    for (const item of benchmark.train) expect(trainText).toContain(item.question);
    const trainQuestions = new Set(benchmark.train.map((item) => item.question));
    const testOnly = benchmark.test.filter((item) => !trainQuestions.has(item.question));
    expect(testOnly.length).toBeGreaterThan(0);
    for (const item of testOnly) expect(trainText).not.toContain(item.question);
  });
});
