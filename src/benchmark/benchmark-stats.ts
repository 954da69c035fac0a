import type { Benchmark, BenchmarkContent } from './benchmark-types.js';
import { benchmarkWords, corpusVocabulary } from './corpus.js';
import { KnowledgeTeacher } from './knowledge-teacher.js';

/**
 * Expected accuracy of a reader that uses one finding only: for each item and each of its two
 * findings, it picks uniformly among the options whose condition has that finding. The bar a
 * student must clear to show it combines findings.
 */
export function singleFindingShortcutAccuracy(
  benchmark: BenchmarkContent,
  split: 'train' | 'test' = 'test',
): number {
  const items = split === 'train' ? benchmark.train : benchmark.test;
  let total = 0;
  let count = 0;
  for (const item of items) {
    const truth = benchmark.truth.get(item.id);
    if (!truth) continue;
    for (const finding of truth.findings) {
      const candidates = Object.values(truth.optionConditionIds).filter((conditionId) =>
        benchmark.knowledgeBase.condition(conditionId).findings.includes(finding),
      );
      total += candidates.length > 0 ? 1 / candidates.length : 0;
      count++;
    }
  }
  return count === 0 ? 0 : total / count;
}

export interface TargetLength {
  readonly mean: number;
  readonly max: number;
}

export interface BenchmarkSummary {
  readonly conditions: number;
  readonly findings: number;
  readonly trainItems: number;
  readonly testItems: number;
  readonly mislabeledItems: number;
  readonly vocabularySize: number;
  readonly chanceAccuracy: number;
  readonly singleFindingShortcutAccuracy: number;
  /** Words per knowledge-teacher output over the training split. */
  readonly targetWords: {
    readonly question: TargetLength;
    readonly explanation: TargetLength;
    readonly chainOfThought: TargetLength;
    readonly correctionChain: TargetLength;
    readonly correctionWithKnowledge: TargetLength;
  };
}

function lengths(texts: readonly string[]): TargetLength {
  const counts = texts.map((text) => benchmarkWords(text).length);
  const sum = counts.reduce((left, right) => left + right, 0);
  return { mean: counts.length === 0 ? 0 : sum / counts.length, max: Math.max(0, ...counts) };
}

/** Sizes, vocabulary, baselines and target lengths: what is needed to size a demo run. */
export function summarizeBenchmark(benchmark: Benchmark): BenchmarkSummary {
  const teacher = new KnowledgeTeacher(benchmark.knowledgeBase);
  const explanations = benchmark.train.map((item) => teacher.explain(item));
  const corrections = benchmark.train.flatMap((item, index) =>
    item.options
      .filter((option) => option.key !== teacher.answer(item))
      .map((option) => teacher.correct(item, `The answer is ${option.key} .`, explanations[index])),
  );
  const firstItem = benchmark.train[0] ?? benchmark.test[0];
  return {
    conditions: benchmark.knowledgeBase.conditions.length,
    findings: benchmark.knowledgeBase.findings.length,
    trainItems: benchmark.train.length,
    testItems: benchmark.test.length,
    mislabeledItems: benchmark.mislabeledIds.size,
    vocabularySize: corpusVocabulary(benchmark.corpus).length,
    chanceAccuracy: firstItem ? 1 / firstItem.options.length : 0,
    singleFindingShortcutAccuracy: singleFindingShortcutAccuracy(benchmark, 'test'),
    targetWords: {
      question: lengths(benchmark.train.map((item) => item.question)),
      explanation: lengths(explanations),
      chainOfThought: lengths(benchmark.train.map((item) => teacher.rationale(item).chainOfThought)),
      correctionChain: lengths(corrections.map((correction) => correction.chain)),
      correctionWithKnowledge: lengths(corrections.map((correction) => correction.text)),
    },
  };
}
