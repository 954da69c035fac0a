import { ConfigError } from '../../errors.js';
import { answerOnly, chainOfThought, goldLabel, selfConsistency, stepByStep, zeroShot } from './baselines.js';
import { cotVl, cotVlCaptions } from './cot-vl.js';
import { explanationAugmented, medThink, medThinkIterative } from './medthink.js';
import type { Strategy } from './strategy.js';

export const strategies: readonly Strategy[] = [
  zeroShot,
  goldLabel,
  answerOnly,
  explanationAugmented,
  chainOfThought,
  stepByStep,
  selfConsistency,
  medThink,
  medThinkIterative,
  cotVl,
  cotVlCaptions,
];

export const strategyNames = strategies.map((strategy) => strategy.name);

export function strategyNamed(name: string): Strategy {
  const found = strategies.find((strategy) => strategy.name === name);
  if (!found) throw new ConfigError(`unknown strategy "${name}" (known: ${strategyNames.join(', ')})`);
  return found;
}
