import { describe, expect, it } from 'vitest';
import { normalQuantile, twoSidedCriticalValue } from './normal-quantile.js';
import { wilsonInterval } from './wilson-interval.js';

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('matches Newcombe 1998 for %i/%i', (successes, trials, low, high) => {
    const [actualLow, actualHigh] = wilsonInterval(successes, trials);
    expect(actualLow).toBeCloseTo(low, 4);
    expect(actualHigh).toBeCloseTo(high, 4);
  });

  it('is symmetric under swapping successes and failures', () => {
    const [low, high] = wilsonInterval(30, 100);
    const [mirrorLow, mirrorHigh] = wilsonInterval(70, 100);
    expect(low).toBeCloseTo(1 - mirrorHigh, 12);
    expect(high).toBeCloseTo(1 - mirrorLow, 12);
  });

  it('reaches 1 exactly for all successes and gives [0, 1] without trials', () => {
    expect(wilsonInterval(20, 20)[1]).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it('narrows at a lower confidence level', () => {
    const [low95, high95] = wilsonInterval(81, 263, 0.95);
    const [low90, high90] = wilsonInterval(81, 263, 0.9);
    expect(high90 - low90).toBeLessThan(high95 - low95);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(5, 3)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 3)).toThrow(RangeError);
  });
});

describe('normalQuantile', () => {
  it('gives the familiar critical values', () => {
    expect(twoSidedCriticalValue(0.95)).toBeCloseTo(1.959964, 6);
    expect(twoSidedCriticalValue(0.99)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });
});
