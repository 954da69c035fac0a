import type { BenchmarkContent } from './benchmark-types.js';
import { reasoningChain } from './reasoning-text.js';

/**
 * The canonical reasoning chain of an item, from the generator's record rather than a teacher:
 * `Findings <x> and <y> indicate <condition> . <condition> is managed with <management> .`
 * It follows the knowledge base, so on a mislabeled training item it disagrees with `answerKey`.
 */
export function canonicalReasoningChain(benchmark: BenchmarkContent, itemId: string): string {
  const truth = benchmark.truth.get(itemId);
  if (!truth) throw new RangeError(`no benchmark item "${itemId}"`);
  return reasoningChain(truth.findings, benchmark.knowledgeBase.condition(truth.conditionId));
}
