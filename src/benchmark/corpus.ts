import type { BenchmarkContent } from './benchmark-types.js';
import { KnowledgeTeacher } from './knowledge-teacher.js';
import { answerSentence, knowledgeFactLines } from './reasoning-text.js';

/** Whitespace words: the unit of the benchmark's texts (punctuation already stands apart). */
export function benchmarkWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/**
 * Every text the benchmark can show a model or ask it to write: knowledge-base statements,
 * questions and options of both splits, and the knowledge teacher's outputs for the training
 * split (explanations, rationales, corrections for every wrong option). Distinct lines, in a
 * stable order. Build a word-level tokenizer from it; prompt scaffolding added by a method
 * (role names, task prefixes) is not included.
 */
export function benchmarkCorpus(benchmark: BenchmarkContent): string[] {
  const teacher = new KnowledgeTeacher(benchmark.knowledgeBase);
  const lines = new Set<string>(knowledgeFactLines(benchmark.knowledgeBase, { includeInvestigations: true }));
  for (const item of [...benchmark.train, ...benchmark.test]) {
    lines.add(item.question);
    for (const option of item.options) lines.add(`${option.key} ${option.text}`);
  }
  for (const item of benchmark.train) {
    lines.add(teacher.explain(item));
    lines.add(teacher.rationale(item).chainOfThought);
    lines.add(teacher.correct(item, '').chain);
    for (const option of item.options) lines.add(teacher.correct(item, answerSentence(option.key)).chain);
  }
  lines.add('1');
  lines.add('2');
  return [...lines];
}

/** The distinct words of a corpus, sorted. */
export function corpusVocabulary(corpus: readonly string[]): string[] {
  const words = new Set<string>();
  for (const line of corpus) for (const word of benchmarkWords(line)) words.add(word);
  return [...words].sort();
}
