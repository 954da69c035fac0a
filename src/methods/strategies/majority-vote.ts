import type { Item } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';

/** What self-consistency keeps of one item's k sampled rationales. */
export interface MajorityVote {
  /** The plurality answer of the samples; undefined when none is read or the top answers tie. */
  majority: string | undefined;
  /** Distinct rationales that reach the majority answer, kept only when that answer is the reference. */
  kept: string[];
  /** Samples not kept: another answer, no answer, a duplicate, or a majority that misses the reference. */
  rejected: number;
}

/**
 * Self-consistency's filter (Wang et al. 2023, as used for distillation by Huang et al. 2022):
 * the answer most samples reach is the teacher's answer; the rationales reaching it are kept,
 * once each, when it agrees with the reference. A sample that slipped to another answer is out
 * voted and dropped even when the item is kept.
 */
export function majorityVote(item: Item, replies: readonly string[]): MajorityVote {
  const answers = replies.map((reply) => extractAnswer(reply, item));
  const tally = new Map<string, number>();
  for (const answer of answers) if (answer !== null) tally.set(answer, (tally.get(answer) ?? 0) + 1);
  const ranked = [...tally].sort((left, right) => right[1] - left[1]);
  const top = ranked[0];
  const majority = top && top[1] !== ranked[1]?.[1] ? top[0] : undefined;
  const kept =
    majority !== undefined && matchesReference(item, majority)
      ? [...new Set(replies.filter((_, index) => answers[index] === majority))]
      : [];
  return { majority, kept, rejected: replies.length - kept.length };
}
