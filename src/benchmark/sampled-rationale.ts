import { createHash } from 'node:crypto';
import type { Condition } from './knowledge-base.js';
import type { TeacherReading } from './knowledge-teacher.js';
import {
  answerSentence,
  findingsIndicateSentence,
  lookAlikeSentence,
  managedWithSentence,
} from './reasoning-text.js';
import { SeededRandom } from './seeded-random.js';

/**
 * The share of sampled rationales that make a reasoning slip when none is set. About one in five
 * sampled chains going wrong is in the range reported for chain-of-thought sampling at moderate
 * temperature on clinical multiple choice, and it leaves a clear majority for k = 5.
 */
export const defaultSlipRate = 0.2;

/** How a sampled rationale is drawn: the sampling seed, the item, the sample number and the slip rate. */
export interface RationaleSampleOptions {
  seed: number;
  /** Identifies the item; the same item and sample always give the same rationale. */
  itemKey: string;
  sample: number;
  slipRate?: number;
}

/** A sampled chain of reasoning, its answer, and whether it slipped. */
export interface SampledRationale {
  readonly rationale: string;
  readonly key: string;
  /** The condition the chain concluded, wrong when it slipped. */
  readonly conditionId: string;
  readonly slipped: boolean;
}

/** A stable 32-bit seed for one (sampling seed, item, sample): sampling is reproducible and cacheable. */
export function sampleSeed(seed: number, itemKey: string, sample: number): number {
  return createHash('sha256').update(`${seed}\u0000${itemKey}\u0000${sample}`).digest().readUInt32LE(0);
}

/**
 * One sampled rationale, as a teacher sampling at temperature > 0 writes it. It states a varying
 * subset of the knowledge points in a varying order: the findings in either order, and each
 * look-alike's missing finding or not. At `slipRate` it slips: it reads the findings as the
 * condition of a look-alike among the options (a wrong intermediate condition) and follows it to
 * that condition's management, a wrong answer reached by a fluent chain.
 */
export function sampleRationale(
  reading: TeacherReading,
  optionConditions: readonly { key: string; condition: Condition }[],
  options: RationaleSampleOptions,
): SampledRationale {
  const slipRate = options.slipRate ?? defaultSlipRate;
  if (!(slipRate >= 0 && slipRate <= 1)) throw new RangeError(`slip rate must be in [0, 1], got ${slipRate}`);
  const random = new SeededRandom(sampleSeed(options.seed, options.itemKey, options.sample));
  const slipTargets = reading.lookAlikes.length
    ? reading.lookAlikes.map((lookAlike) => ({ key: lookAlike.key, condition: lookAlike.condition }))
    : optionConditions.filter((entry) => entry.condition.id !== reading.condition.id);
  // The slip draw comes first, so the rate holds exactly whatever the rest of the sample uses.
  const slips = random.next() < slipRate && slipTargets.length > 0;
  const concluded = slips ? random.pick(slipTargets) : { key: reading.key, condition: reading.condition };
  const findings = random.shuffle(reading.findings);
  const points = reading.lookAlikes
    .filter((lookAlike) => lookAlike.condition.id !== concluded.condition.id && random.next() < 0.5)
    .map((lookAlike) => lookAlikeSentence(lookAlike.condition, lookAlike.missingFinding));
  const stated = random.shuffle([...points, findingsIndicateSentence(findings, concluded.condition)]);
  return {
    rationale: [...stated, managedWithSentence(concluded.condition)].join(' '),
    key: concluded.key,
    conditionId: concluded.condition.id,
    slipped: slips,
  };
}

/** The answer sentence of a sampled rationale, for the chain-of-thought target. */
export function sampledChainOfThought(sample: SampledRationale): string {
  return `${sample.rationale} ${answerSentence(sample.key)}`;
}
