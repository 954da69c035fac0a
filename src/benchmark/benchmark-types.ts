import type { MultipleChoiceItem } from '../datasets/item.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** What the generator knows about one vignette: never shown to a model, used by tests and reports. */
export interface VignetteTruth {
  readonly conditionId: string;
  /** The two findings, in the order the question names them. */
  readonly findings: readonly [string, string];
  /** The option the knowledge base implies; differs from `answerKey` on a mislabeled item. */
  readonly correctKey: string;
  /** The condition whose management each option key holds. */
  readonly optionConditionIds: Readonly<Record<string, string>>;
  readonly templateIndex: number;
}

/** The settings a benchmark was built with, every default filled in. */
export interface ResolvedBenchmarkOptions {
  readonly seed: number;
  readonly conditionCount: number;
  readonly trainPairsPerCondition: number;
  readonly testPairsPerCondition: number;
  readonly trainVignettesPerPair: number;
  readonly testVignettesPerPair: number;
  readonly templateCount: number;
  readonly mislabeledShare: number;
}

/** A generated benchmark before its corpus is computed. */
export interface BenchmarkContent {
  readonly options: ResolvedBenchmarkOptions;
  /** The knowledge base of the conditions used (a subset when `conditionCount` is smaller). */
  readonly knowledgeBase: KnowledgeBase;
  readonly train: MultipleChoiceItem[];
  readonly test: MultipleChoiceItem[];
  /** Training items whose `answerKey` was deliberately set to a look-alike's option. */
  readonly mislabeledIds: ReadonlySet<string>;
  /** Per item id, what the generator knows (condition, findings, the knowledge base's key). */
  readonly truth: ReadonlyMap<string, VignetteTruth>;
}

/** A generated benchmark with the text corpus a word-level tokenizer is built from. */
export interface Benchmark extends BenchmarkContent {
  readonly corpus: string[];
}
