import { describe, expect, it } from 'vitest';
import { benchmarkCorpus, benchmarkWords, corpusVocabulary } from './corpus.js';
import { buildBenchmark } from './generate.js';
import { KnowledgeTeacher } from './knowledge-teacher.js';
import { knowledgeFactLines } from './reasoning-text.js';

const benchmark = buildBenchmark({ seed: 4 });
const vocabulary = new Set(corpusVocabulary(benchmark.corpus));

describe('benchmarkCorpus', () => {
  it('stays under a thousand distinct words', () => {
    expect(vocabulary.size).toBeGreaterThan(100);
    expect(vocabulary.size).toBeLessThan(1000);
  });

  it('is learned from training items only, yet covers every word of the test split through the knowledge base', () => {
    const teacher = new KnowledgeTeacher(benchmark.knowledgeBase);
    const texts = [...benchmark.train, ...benchmark.test].flatMap((item) => [
      item.question,
      ...item.options.map((option) => `${option.key} ${option.text}`),
      teacher.explain(item),
      teacher.rationale(item).chainOfThought,
      teacher.correct(item, 'The answer is A .').chain,
    ]);
    const missing = new Set(texts.flatMap(benchmarkWords).filter((word) => !vocabulary.has(word)));
    expect([...missing]).toEqual([]);
  });

  it('holds no test question', () => {
    const lines = new Set(benchmark.corpus);
    const trainQuestions = new Set(benchmark.train.map((item) => item.question));
    const testOnly = benchmark.test.filter((item) => !trainQuestions.has(item.question));
    expect(testOnly.length).toBeGreaterThan(0);
    for (const item of testOnly) expect(lines.has(item.question)).toBe(false);
  });

  it('is the same for the same benchmark', () => {
    expect(benchmarkCorpus(benchmark)).toEqual(benchmark.corpus);
  });
});

describe('knowledgeFactLines', () => {
  it('states each management and what each finding suggests, never pairing two findings', () => {
    const lines = knowledgeFactLines(benchmark.knowledgeBase, { includeInvestigations: true });
    for (const condition of benchmark.knowledgeBase.conditions) {
      expect(lines).toContain(`${condition.name} is managed with ${condition.management} .`);
    }
    expect(lines).toContain('fever with rigors suggests acute cholangitis or pyogenic liver abscess .');
    for (const line of lines) expect(benchmark.knowledgeBase.findingsIn(line).length).toBeLessThanOrEqual(1);
  });
});
