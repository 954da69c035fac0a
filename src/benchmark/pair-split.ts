import type { FindingPair } from './knowledge-base.js';
import type { SeededRandom } from './seeded-random.js';

export interface PairSplitRequest {
  readonly findings: readonly string[];
  /** The condition's identifying pairs: the only pairs a vignette may use. */
  readonly pairs: readonly FindingPair[];
  readonly trainCount: number;
  readonly testCount: number;
  readonly random: SeededRandom;
  /** Whether a finding is shared with another condition in the knowledge base in use. */
  readonly isAmbiguous: (finding: string) => boolean;
}

export interface PairSplit {
  readonly train: FindingPair[];
  readonly test: FindingPair[];
}

function covers(pairs: readonly FindingPair[], findings: readonly string[]): boolean {
  return findings.every((finding) => pairs.some((pair) => pair.includes(finding)));
}

/**
 * Chooses a condition's held-out finding pairs and its training pairs. Held-out pairs prefer two
 * ambiguous findings (so one finding alone cannot answer) and are chosen so that every finding
 * still occurs in some training pair: the student sees each finding-condition link, never the
 * held-out combination. The caller checks there are enough pairs.
 */
export function splitConditionPairs(request: PairSplitRequest): PairSplit {
  const { findings, pairs, trainCount, testCount, random, isAmbiguous } = request;
  const ambiguity = (pair: FindingPair) => pair.filter(isAmbiguous).length;
  const candidates = random.shuffle(pairs).sort((left, right) => ambiguity(right) - ambiguity(left));

  const test: FindingPair[] = [];
  for (const candidate of candidates) {
    if (test.length === testCount) break;
    const remaining = pairs.filter((pair) => pair !== candidate && !test.includes(pair));
    if (covers(remaining, findings)) test.push(candidate);
  }
  // Coverage cannot always be kept (few pairs); held-out pairs come first.
  for (const candidate of candidates) {
    if (test.length === testCount) break;
    if (!test.includes(candidate)) test.push(candidate);
  }

  const remaining = random.shuffle(pairs.filter((pair) => !test.includes(pair)));
  const uncovered = new Set(findings);
  const train: FindingPair[] = [];
  while (train.length < trainCount && remaining.length > 0) {
    let bestIndex = 0;
    let bestGain = -1;
    remaining.forEach((pair, index) => {
      const gain = pair.filter((finding) => uncovered.has(finding)).length;
      if (gain > bestGain) {
        bestGain = gain;
        bestIndex = index;
      }
    });
    const [chosen] = remaining.splice(bestIndex, 1);
    if (!chosen) break;
    train.push(chosen);
    for (const finding of chosen) uncovered.delete(finding);
  }
  return { train, test };
}
