import { seededRandom } from '../util/seeded-random.js';

/**
 * A small seeded pseudo-random source (mulberry32), so that one seed always yields the same
 * benchmark on every machine and Node version. Not for anything security related.
 */
export class SeededRandom {
  private readonly source: () => number;

  constructor(seed: number) {
    // Mix the seed so that small neighbouring seeds (1, 2, 3) start far apart.
    this.source = seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.source();
  }

  /** An integer in [0, maxExclusive). */
  integer(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.integer(items.length)] as T;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = this.integer(index + 1);
      [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
    }
    return copy;
  }
}
