import { binomialCdf } from './binomial.js';

export interface McNemarResult {
  /** Items only the first model got right. */
  onlyFirstCorrect: number;
  /** Items only the second model got right. */
  onlySecondCorrect: number;
  /** Two-sided exact p-value. */
  pValue: number;
}

/**
 * The exact McNemar test: under the null hypothesis that two models are equally accurate, each
 * discordant item (one right, the other wrong) is a fair coin, so the smaller discordant count
 * is Binomial(b + c, 1/2). Two-sided p = min(1, 2 P(X <= min(b, c))). With no discordant items
 * there is no evidence of a difference and p = 1.
 */
export function exactMcNemarTest(onlyFirstCorrect: number, onlySecondCorrect: number): McNemarResult {
  for (const count of [onlyFirstCorrect, onlySecondCorrect]) {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`McNemar counts must be non-negative integers, got ${count}`);
  }
  const discordant = onlyFirstCorrect + onlySecondCorrect;
  const smaller = Math.min(onlyFirstCorrect, onlySecondCorrect);
  const pValue = discordant === 0 ? 1 : Math.min(1, 2 * binomialCdf(smaller, discordant, 0.5));
  return { onlyFirstCorrect, onlySecondCorrect, pValue };
}
