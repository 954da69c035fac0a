import type { BenchmarkContent } from './benchmark-types.js';
import { KnowledgeTeacher } from './knowledge-teacher.js';
import { answerSentence, knowledgeFactLines } from './reasoning-text.js';

/** Whitespace words: the unit of the benchmark's texts (punctuation already stands apart). */
export function benchmarkWords(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/**
 * The texts a student's tokenizer may be learned from: knowledge-base statements, the training
 * split's questions and options, and the knowledge teacher's outputs for them (explanations,
 * rationales, corrections for every wrong option). Test items never enter it, so the vocabulary
 * cannot carry anything of the test set. Distinct lines, in a stable order. Prompt scaffolding
 * added by a method (role names, task prefixes) is not included.
 */
export function benchmarkCorpus(benchmark: BenchmarkContent): string[] {
  const teacher = new KnowledgeTeacher(benchmark.knowledgeBase);
  const lines = new Set<string>(knowledgeFactLines(benchmark.knowledgeBase, { includeInvestigations: true }));
  for (const item of benchmark.train) {
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
