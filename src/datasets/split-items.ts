import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { Item } from './item.js';

export type StratifyBy = 'answer' | 'subject' | 'answer-subject' | 'none';

export interface SplitOptions {
  /** Fraction of items for the test split, in [0, 1). */
  test: number;
  /** Fraction of items for the validation split (default 0). */
  validation?: number;
  seed: number | string;
  /** Keep each answer's (and/or subject's) share equal across splits. Default `answer`. */
  stratify?: StratifyBy;
}

export interface SplitItems {
  train: Item[];
  validation: Item[];
  test: Item[];
}

/** The stratum an item belongs to: its answer (option key, yes/no/maybe) and/or its subject. */
export function stratumOf(item: Item, by: StratifyBy): string {
  const answer =
    item.kind === 'multiple-choice'
      ? item.answerKey
      : item.kind === 'yes-no-maybe'
        ? item.answer
        : 'open-ended';
  const subject = item.subject ?? '(no subject)';
  switch (by) {
    case 'answer':
      return answer;
    case 'subject':
      return subject;
    case 'answer-subject':
      return `${answer}\u0000${subject}`;
    case 'none':
      return '';
  }
}

/**
 * Seeded, stratified train/validation/test split. Within each stratum items are ordered by a
 * hash of (seed, id), so the result depends only on the seed and the items, not on their order
 * in the file; quotas per stratum use largest remainders, so split sizes hit round(n x fraction)
 * exactly. Items keep their input order within each split.
 */
export function splitItems(items: readonly Item[], options: SplitOptions): SplitItems {
  const validation = options.validation ?? 0;
  if (!(options.test >= 0 && validation >= 0 && options.test + validation < 1)) {
    throw new ConfigError(
      `split fractions must be >= 0 and leave some training data: test ${options.test}, validation ${validation}`,
    );
  }
  const strata = new Map<string, { item: Item; order: string }[]>();
  for (const item of items) {
    const key = stratumOf(item, options.stratify ?? 'answer');
    const order = createHash('sha256').update(`${options.seed}\u0000${item.id}`).digest('hex');
    const members = strata.get(key) ?? [];
    if (members.length === 0) strata.set(key, members);
    members.push({ item, order });
  }
  const keys = [...strata.keys()].sort();
  const sizes = keys.map((key) => strata.get(key)?.length ?? 0);
  const testQuota = allocate(sizes, sizes, options.test);
  const validationQuota = allocate(
    sizes,
    sizes.map((size, index) => size - (testQuota[index] ?? 0)),
    validation,
  );
  const assignment = new Map<Item, keyof SplitItems>();
  keys.forEach((key, index) => {
    const members = (strata.get(key) ?? []).sort((a, b) =>
      a.order < b.order ? -1 : a.order > b.order ? 1 : 0,
    );
    const testCount = testQuota[index] ?? 0;
    const validationCount = validationQuota[index] ?? 0;
    members.forEach(({ item }, position) => {
      assignment.set(
        item,
        position < testCount ? 'test' : position < testCount + validationCount ? 'validation' : 'train',
      );
    });
  });
  const result: SplitItems = { train: [], validation: [], test: [] };
  for (const item of items) result[assignment.get(item) ?? 'train'].push(item);
  return result;
}

/**
 * Share round(total x fraction) among strata in proportion to their sizes (largest remainder),
 * never giving a stratum more than its capacity.
 */
function allocate(sizes: readonly number[], capacities: readonly number[], fraction: number): number[] {
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const target = Math.round(total * fraction);
  const exact = sizes.map((size) => size * fraction);
  const quotas = exact.map((value, index) => Math.min(Math.floor(value), capacities[index] ?? 0));
  let remaining = target - quotas.reduce((sum, quota) => sum + quota, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let pass = 0; remaining > 0 && pass < 2; pass++) {
    for (const { index } of byRemainder) {
      if (remaining === 0) break;
      if ((quotas[index] ?? 0) < (capacities[index] ?? 0)) {
        quotas[index] = (quotas[index] ?? 0) + 1;
        remaining -= 1;
      }
    }
  }
  return quotas;
}
