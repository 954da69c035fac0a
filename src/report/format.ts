import type { Interval } from '../eval/statistics/interval.js';

/** 0.6251 -> "62.5%". */
export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** [0.577, 0.671] -> "[57.7, 67.1]" (percentage points). */
export function formatInterval(interval: Interval | readonly [number, number]): string {
  return `[${(interval[0] * 100).toFixed(1)}, ${(interval[1] * 100).toFixed(1)}]`;
}

/** A signed difference in percentage points: 0.1 -> "+10.0 pp". */
export function formatDifference(value: number): string {
  const points = value * 100;
  return `${points >= 0 ? '+' : '\u2212'}${Math.abs(points).toFixed(1)} pp`;
}

/** p-values as reviewers expect: three significant digits, and "<0.001" below that. */
export function formatPValue(value: number): string {
  if (value < 0.001) return '<0.001';
  if (value >= 0.9995) return '1.000';
  return value.toPrecision(3).replace(/^0\.(\d{3})\d*$/, '0.$1');
}
