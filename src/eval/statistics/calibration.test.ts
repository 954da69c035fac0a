import { describe, expect, it } from 'vitest';
import { calibration } from './calibration.js';
import { binaryAgreement } from './cohen-kappa.js';

describe('calibration', () => {
  it('computes ECE by hand on four predictions', () => {
    // Bins (0.9,1]: 0.95 right + 0.95 wrong -> gap 0.45, weight 1/2; (0.2,0.3]: 0.25 wrong -> gap 0.25,
    // weight 1/4; (0.3,0.4]: 0.35 right -> gap 0.65, weight 1/4. ECE = 0.225 + 0.0625 + 0.1625 = 0.45.
    const result = calibration([
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.25, correct: false },
      { confidence: 0.35, correct: true },
    ]);
    expect(result?.ece).toBeCloseTo(0.45, 12);
    expect(result?.maximumCalibrationError).toBeCloseTo(0.65, 12);
    expect(result?.bins).toHaveLength(10);
    expect(result?.bins[9]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(result?.bins[0]).toMatchObject({ count: 0, accuracy: null, meanConfidence: null });
  });

  it('puts bin edges in the lower bin and the extremes in the end bins', () => {
    const result = calibration(
      [0, 0.3, 1].map((confidence) => ({ confidence, correct: true })),
      10,
    );
    expect(result?.bins.map((bin) => bin.count)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('is zero for a perfectly calibrated model and null without data', () => {
    const perfect = [
      ...Array.from({ length: 8 }, (_, index) => ({ confidence: 0.75, correct: index < 6 })),
      ...Array.from({ length: 4 }, (_, index) => ({ confidence: 0.25, correct: index < 1 })),
    ];
    expect(calibration(perfect)?.ece).toBeCloseTo(0, 12);
    expect(calibration([])).toBeNull();
  });
});

describe('binaryAgreement', () => {
  it("reproduces the textbook Cohen's kappa example (po 0.7, pe 0.5, kappa 0.4)", () => {
    // 50 items: both yes 20, first yes / second no 5, first no / second yes 10, both no 15.
    const first = [
      ...Array(20).fill(true),
      ...Array(5).fill(true),
      ...Array(10).fill(false),
      ...Array(15).fill(false),
    ];
    const second = [
      ...Array(20).fill(true),
      ...Array(5).fill(false),
      ...Array(10).fill(true),
      ...Array(15).fill(false),
    ];
    const result = binaryAgreement(first, second);
    expect(result.rawAgreement).toBeCloseTo(0.7, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('returns null kappa when chance agreement is certain', () => {
    expect(binaryAgreement([true, true], [true, true]).kappa).toBeNull();
    expect(binaryAgreement([true, false], [false, true]).kappa).toBeCloseTo(-1, 12);
  });
});
