import { describe, expect, it } from 'vitest';
import { binomialCdf } from './binomial.js';
import { holmAdjust } from './holm.js';
import { exactMcNemarTest } from './mcnemar.js';

describe('exactMcNemarTest', () => {
  // Each value below is 2 * sum_{i<=min(b,c)} C(b+c, i) / 2^(b+c), worked by hand.
  it.each([
    [1, 8, (2 * (1 + 9)) / 512], // 0.0390625
    [0, 5, 2 / 32], // 0.0625
    [2, 10, (2 * (1 + 12 + 66)) / 4096], // 0.03857...
    [10, 2, (2 * (1 + 12 + 66)) / 4096], // symmetric in b and c
    [4, 6, (2 * (1 + 10 + 45 + 120 + 210)) / 1024], // 0.75390625
  ])('b=%i c=%i', (b, c, expected) => {
    expect(exactMcNemarTest(b, c).pValue).toBeCloseTo(expected, 12);
  });

  it('caps p at 1 when discordant counts are equal or absent', () => {
    expect(exactMcNemarTest(3, 3).pValue).toBe(1);
    expect(exactMcNemarTest(0, 0).pValue).toBe(1);
  });

  it('stays finite and tiny for large, lopsided tables', () => {
    const { pValue } = exactMcNemarTest(100, 2000);
    expect(pValue).toBeGreaterThanOrEqual(0);
    expect(pValue).toBeLessThan(1e-300);
    expect(exactMcNemarTest(1500, 1500).pValue).toBe(1);
  });
});

describe('binomialCdf', () => {
  it('matches direct summation for a small case', () => {
    // P(X <= 2), X ~ Bin(5, 0.3) = 0.7^5 + 5 * 0.3 * 0.7^4 + 10 * 0.09 * 0.7^3 = 0.83692
    expect(binomialCdf(2, 5, 0.3)).toBeCloseTo(0.83692, 10);
    expect(binomialCdf(5, 5, 0.3)).toBe(1);
    expect(binomialCdf(-1, 5, 0.3)).toBe(0);
  });
});

describe('holmAdjust', () => {
  it('matches R p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted).toEqual([0.03, 0.06, 0.06, 0.02].map((expected) => expect.closeTo(expected, 12)));
  });

  it('keeps monotonicity and caps at 1', () => {
    // Sorted: 0.02*3 = 0.06, 0.5*2 = 1, 0.6*1 = 0.6 -> raised to 1 by monotonicity.
    const adjusted = holmAdjust([0.6, 0.02, 0.5]);
    expect(adjusted).toEqual([1, expect.closeTo(0.06, 12), 1]);
  });

  it('leaves a single p-value unchanged', () => {
    expect(holmAdjust([0.037])).toEqual([0.037]);
    expect(holmAdjust([])).toEqual([]);
  });
});
