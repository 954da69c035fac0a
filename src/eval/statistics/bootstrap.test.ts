import { describe, expect, it } from 'vitest';
import { bootstrapAccuracyInterval, pairedBootstrapDifference, quantileOfSorted } from './bootstrap.js';
import { comparePaired } from './paired-comparison.js';

function outcomes(correct: number, total: number): boolean[] {
  return Array.from({ length: total }, (_, index) => index < correct);
}

describe('bootstrap intervals', () => {
  it('approximates the normal interval for accuracy 81/263', () => {
    const p = 81 / 263;
    const halfWidth = 1.959964 * Math.sqrt((p * (1 - p)) / 263);
    const [low, high] = bootstrapAccuracyInterval(outcomes(81, 263), { seed: 7 });
    expect(low).toBeCloseTo(p - halfWidth, 1);
    expect(high).toBeCloseTo(p + halfWidth, 1);
    expect(Math.abs(low - (p - halfWidth))).toBeLessThan(0.01);
    expect(Math.abs(high - (p + halfWidth))).toBeLessThan(0.01);
  });

  it('is reproducible from its seed and changes with it', () => {
    const data = outcomes(40, 97);
    const first = bootstrapAccuracyInterval(data, { seed: 3, resamples: 500 });
    expect(bootstrapAccuracyInterval(data, { seed: 3, resamples: 500 })).toEqual(first);
    expect(bootstrapAccuracyInterval(data, { seed: 4, resamples: 500 })).not.toEqual(first);
  });

  it('interpolates quantiles like R type 7', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileOfSorted([5], 0.9)).toBe(5);
  });
});

describe('paired comparison', () => {
  it('gives a zero-width interval when the models never disagree', () => {
    const same = outcomes(30, 50);
    expect(pairedBootstrapDifference(same, same)).toEqual({ difference: 0, ci95: [0, 0] });
  });

  it('builds the 2x2 table, the difference and its paired interval', () => {
    // 100 items: both right 50, only A right 15, only B right 5, both wrong 30.
    const a = [
      ...Array(50).fill(true),
      ...Array(15).fill(true),
      ...Array(5).fill(false),
      ...Array(30).fill(false),
    ];
    const b = [
      ...Array(50).fill(true),
      ...Array(15).fill(false),
      ...Array(5).fill(true),
      ...Array(30).fill(false),
    ];
    const result = comparePaired(a, b, { seed: 11 });
    expect(result).toMatchObject({
      n: 100,
      bothCorrect: 50,
      onlyACorrect: 15,
      onlyBCorrect: 5,
      bothWrong: 30,
    });
    expect(result.accuracyA).toBeCloseTo(0.65, 12);
    expect(result.accuracyB).toBeCloseTo(0.55, 12);
    expect(result.difference).toBeCloseTo(0.1, 12);
    // Exact McNemar on 15 vs 5 discordant: 2 * P(X <= 5), X ~ Bin(20, 1/2) = 2 * 21700 / 2^20.
    expect(result.pValue).toBeCloseTo((2 * 21700) / 2 ** 20, 12);
    // Normal approximation of the paired difference: sd = sqrt((b + c)/n - d^2)/sqrt(n) = 0.0424.
    const standardError = Math.sqrt(20 / 100 - 0.01) / 10;
    expect(result.differenceCi95[0]).toBeCloseTo(0.1 - 1.96 * standardError, 1);
    expect(result.differenceCi95[1]).toBeCloseTo(0.1 + 1.96 * standardError, 1);
  });

  it('rejects misaligned outcomes', () => {
    expect(() => comparePaired([true], [true, false])).toThrow(RangeError);
  });
});
