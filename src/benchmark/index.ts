/**
 * The project's clinical-reasoning benchmark: a gastroenterology and hepatology knowledge base,
 * a seeded MedQA-style vignette generator with held-out finding combinations and planted label
 * errors, and a knowledge-grounded teacher that plays every MedThink role offline.
 */
export {
  type BenchmarkSummary,
  singleFindingShortcutAccuracy,
  summarizeBenchmark,
  type TargetLength,
} from './benchmark-stats.js';
export type {
  Benchmark,
  BenchmarkContent,
  ResolvedBenchmarkOptions,
  VignetteTruth,
} from './benchmark-types.js';
export { canonicalReasoningChain } from './canonical-chain.js';
export { benchmarkCorpus, benchmarkWords, corpusVocabulary } from './corpus.js';
export { type BenchmarkOptions, benchmarkOptionsSchema, buildBenchmark } from './generate.js';
// The imaging benchmark (chest films) for vision students.
export * from './imaging/index.js';
export {
  type Condition,
  defaultKnowledgeBase,
  type FindingPair,
  KnowledgeBase,
  type LookAlike,
} from './knowledge-base.js';
export {
  type ConditionCategory,
  type ConditionDefinition,
  conditionDefinitionSchema,
} from './knowledge-schema.js';
export {
  type Correction,
  type JudgeVerdict,
  KnowledgeTeacher,
  type KnowledgeTeacherOptions,
  type OptionLookAlike,
  type TeacherRationale,
  type TeacherReading,
} from './knowledge-teacher.js';
export {
  answerSentence,
  type FactLineOptions,
  knowledgeFactLines,
  reasoningChain,
} from './reasoning-text.js';
export { SeededRandom } from './seeded-random.js';
