import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../util/seeded-random.js';
import {
  multiSeedAccuracy,
  perSeedDrawVariance,
  sharedItemsAccuracyMethod,
  sharedItemsVariance,
  singleSeedAccuracyMethod,
} from './multi-seed-accuracy.js';
import { compareMultiSeed, twoLevelBootstrapMean } from './multi-seed-comparison.js';
import { comparePaired } from './paired-comparison.js';
import { seedSpread } from './seed-spread.js';
import { exactSignFlipTest } from './sign-flip.js';
import { wilsonInterval, wilsonScoreInterval } from './wilson-interval.js';

const bits = (text: string) => [...text].map((character) => character === '1');

function randomOutcomes(items: number, rate: number, seed: number): boolean[] {
  const random = seededRandom(seed);
  return Array.from({ length: items }, () => random() < rate);
}

describe('seedSpread', () => {
  it('gives the mean, the sample standard deviation and the range', () => {
    const spread = seedSpread([0.5, 0.6, 0.7]);
    expect(spread.mean).toBeCloseTo(0.6, 12);
    expect(spread.sd).toBeCloseTo(0.1, 12);
    expect([spread.min, spread.max]).toEqual([0.5, 0.7]);
    expect(seedSpread([0.4]).sd).toBe(0);
  });
});

describe('exactSignFlipTest', () => {
  it('equals the exact McNemar test for differences in {-1, 0, 1}', () => {
    // b = 3, c = 1: 2 P(X <= 1), X ~ Bin(4, 1/2) = 2 · 5/16.
    expect(exactSignFlipTest([1, 1, 1, -1, 0, 0])).toBeCloseTo(0.625, 12);
  });

  it('counts the sign choices of integer differences exactly', () => {
    // ±2 ±1: sums 3, 1, -1, -3; |S| >= 3 in 2 of 4.
    expect(exactSignFlipTest([2, 1])).toBeCloseTo(0.5, 12);
    // ±2 ±1 ±1: sums 4, 2, 2, 0, 0, -2, -2, -4; |S| >= 2 in 6 of 8.
    expect(exactSignFlipTest([2, -1, 1])).toBeCloseTo(0.75, 12);
    expect(exactSignFlipTest([3, 3, 3])).toBeCloseTo(0.25, 12);
    expect(exactSignFlipTest([0, 0])).toBe(1);
  });
});

describe('sharedItemsVariance (two-way method of moments)', () => {
  it('has no seed component when seeds differ only item by item', () => {
    // Item means 1, .5, .5, 0 around .5: item variance .125; the seeds agree in accuracy.
    expect(sharedItemsVariance([bits('1100'), bits('1010')])).toBeCloseTo(0.125 / 4, 12);
  });

  it('adds the seed component when one seed is better as a whole', () => {
    // Seed accuracies .75 and .25: seed mean square .125; residual mean square .5 / 3.
    // Seed component .125 - (1/6)/4; variance .125/4 + that / 2.
    const expected = 0.125 / 4 + (0.125 - 1 / 6 / 4) / 2;
    expect(sharedItemsVariance([bits('1110'), bits('1000')])).toBeCloseTo(expected, 12);
    const result = multiSeedAccuracy([bits('1110'), bits('1000')], 'shared-items');
    expect(result.effectiveItems).toBeCloseTo(0.25 / expected, 9);
    expect(result.ci95).toEqual(wilsonScoreInterval(0.5, 0.25 / expected));
    expect(result.method).toBe(sharedItemsAccuracyMethod);
  });
});

describe('perSeedDrawVariance (two-level method of moments)', () => {
  it('is the mean within-draw binomial variance over seeds when draws agree within chance', () => {
    // p = .5 and .75 on 4 items each: within (.0625 + .046875) / 2; between .03125 - within < 0, so 0.
    expect(perSeedDrawVariance([bits('1100'), bits('1110')])).toBeCloseTo(0.0546875 / 2, 12);
  });

  it('adds the between-seed variance when draws differ beyond chance', () => {
    const high = Array.from({ length: 100 }, (_, index) => index < 90);
    const low = Array.from({ length: 100 }, (_, index) => index < 30);
    const within = (0.9 * 0.1 + 0.3 * 0.7) / 100 / 2;
    const between = 0.18 - within;
    expect(perSeedDrawVariance([high, low])).toBeCloseTo((within + between) / 2, 12);
  });
});

describe('multiSeedAccuracy', () => {
  it('is the Wilson interval for one seed', () => {
    const row = bits('1101101001');
    expect(multiSeedAccuracy([row], 'shared-items')).toEqual({
      accuracy: 0.6,
      ci95: wilsonInterval(6, 10),
      effectiveItems: 10,
      method: singleSeedAccuracyMethod,
    });
  });

  it('three copies of one seed give exactly the one-seed interval, never a narrower one', () => {
    const row = randomOutcomes(128, 0.6, 7);
    const one = multiSeedAccuracy([row], 'shared-items');
    const three = multiSeedAccuracy([row, row, row], 'shared-items');
    expect(three.accuracy).toBeCloseTo(one.accuracy, 12);
    expect(three.effectiveItems).toBeCloseTo(128, 9);
    expect(three.ci95[0]).toBeCloseTo(one.ci95[0], 12);
    expect(three.ci95[1]).toBeCloseTo(one.ci95[1], 12);
  });

  it('never counts seeds as items: three independent seeds stay wider than pooling 3n items', () => {
    const rows = [1, 2, 3].map((seed) => randomOutcomes(128, 0.6, seed));
    const result = multiSeedAccuracy(rows, 'shared-items');
    const correct = rows.flat().filter(Boolean).length;
    const pooled = wilsonInterval(correct, 384);
    expect(result.ci95[1] - result.ci95[0]).toBeGreaterThanOrEqual(pooled[1] - pooled[0] - 1e-12);
    expect(result.effectiveItems).toBeLessThanOrEqual(384);
  });

  it('widens when seeds disagree as a whole', () => {
    const good = Array.from({ length: 100 }, (_, index) => index < 80);
    const bad = Array.from({ length: 100 }, (_, index) => index < 40);
    const result = multiSeedAccuracy([good, bad], 'shared-items');
    const one = wilsonInterval(60, 100);
    expect(result.accuracy).toBeCloseTo(0.6, 12);
    expect(result.ci95[1] - result.ci95[0]).toBeGreaterThan(one[1] - one[0]);
  });
});

describe('compareMultiSeed', () => {
  const a = randomOutcomes(128, 0.7, 11);
  const b = randomOutcomes(128, 0.55, 12);

  it('is the exact McNemar test and paired bootstrap for one seed', () => {
    const single = compareMultiSeed([a], [b], 'shared-items');
    const paired = comparePaired(a, b);
    expect(single.pValue).toBe(paired.pValue);
    expect(single.differenceCi95).toEqual(paired.differenceCi95);
    expect(single.units).toBe(128);
  });

  it('three copies of one seed give the same p-value and interval as one seed', () => {
    const one = compareMultiSeed([a], [b], 'shared-items');
    const three = compareMultiSeed([a, a, a], [b, b, b], 'shared-items');
    expect(three.units).toBe(128);
    expect(three.difference).toBeCloseTo(one.difference, 12);
    expect(three.pValue).toBeCloseTo(one.pValue, 12);
    expect(three.differenceCi95[0]).toBeCloseTo(one.differenceCi95[0], 12);
    expect(three.differenceCi95[1]).toBeCloseTo(one.differenceCi95[1], 12);
  });

  it('tests per-item mean differences: a hand-worked shared-item case', () => {
    // Item 1: A right in 2 seeds, B in 0 → +2; item 2: A 1, B 0 → +1; item 3: A 0, B 1 → -1.
    const result = compareMultiSeed([bits('110'), bits('100')], [bits('001'), bits('000')], 'shared-items', {
      resamples: 200,
    });
    expect(result.difference).toBeCloseTo(2 / 6, 12);
    expect([result.aBetter, result.bBetter]).toEqual([2, 1]);
    expect(result.pValue).toBeCloseTo(0.75, 12);
  });

  it('pairs within draws and resamples seeds, then items, for per-seed draws', () => {
    const result = compareMultiSeed(
      [bits('1100'), bits('1110')],
      [bits('1000'), bits('0110')],
      'per-seed-draws',
      { resamples: 500 },
    );
    // Draw 1 (1100 vs 1000) and draw 2 (1110 vs 0110): A is better on one item of each, B on none.
    expect(result.difference).toBeCloseTo(0.25, 12);
    expect(result.units).toBe(8);
    expect(result.pValue).toBeCloseTo(0.5, 12);
  });
});

describe('twoLevelBootstrapMean', () => {
  it('is a point when every value is the same, and covers the draws when they differ', () => {
    expect(
      twoLevelBootstrapMean(
        [
          [1, 1],
          [1, 1, 1],
        ],
        { resamples: 100 },
      ),
    ).toEqual([1, 1]);
    const [low, high] = twoLevelBootstrapMean([Array(50).fill(1), Array(50).fill(0)], {
      resamples: 2000,
      seed: 3,
    });
    // Half the resamples of two draws pick the same draw twice: the interval spans 0 to 1.
    expect(low).toBe(0);
    expect(high).toBe(1);
  });
});
