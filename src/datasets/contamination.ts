import { comparisonText } from './comparison-text.js';
import type { Item } from './item.js';
import { comparisonWords } from './normalise-text.js';
import { hashText53 } from './text-hash.js';

export interface ContaminationOptions {
  /** Words per n-gram; 13 as in GPT-3's decontamination. */
  n?: number;
  /** Shared n-grams needed to flag an item (default 1: any overlap, as GPT-3 did). */
  minShared?: number;
}

/** A checked item that shares n-grams with reference items. */
export interface ContaminationHit {
  id: string;
  /** The reference items it overlaps, by id. */
  overlapsWith: string[];
  sharedNgrams: number;
  /** How many n-grams the item has: sharedNgrams / ngramCount is the overlap fraction. */
  ngramCount: number;
}

/**
 * Hashes of an item's word n-grams over its normalised text (context, question, options). A text
 * shorter than n words counts as one n-gram of all its words, so short copies are still caught.
 */
export function itemNgramHashes(item: Item, n: number): Set<number> {
  const words = comparisonWords(comparisonText(item));
  const hashes = new Set<number>();
  if (words.length === 0) return hashes;
  if (words.length < n) {
    hashes.add(hashText53(words.join(' ')));
    return hashes;
  }
  for (let start = 0; start + n <= words.length; start++)
    hashes.add(hashText53(words.slice(start, start + n).join(' ')));
  return hashes;
}

/**
 * Find items in `checked` (a test split, say) that share word n-grams with `reference` (the
 * training split): the GPT-3 style test for benchmark contamination.
 */
export function findContamination(
  reference: Iterable<Item>,
  checked: Iterable<Item>,
  options: ContaminationOptions = {},
): ContaminationHit[] {
  const n = options.n ?? 13;
  const minShared = options.minShared ?? 1;
  const referenceIds: string[] = [];
  // Most n-grams belong to one item: a number, upgraded to an array on the first repeat.
  const owners = new Map<number, number | number[]>();
  for (const item of reference) {
    const index = referenceIds.push(item.id) - 1;
    for (const hash of itemNgramHashes(item, n)) {
      const current = owners.get(hash);
      if (current === undefined) owners.set(hash, index);
      else if (Array.isArray(current)) current.push(index);
      else if (current !== index) owners.set(hash, [current, index]);
    }
  }
  const hits: ContaminationHit[] = [];
  for (const item of checked) {
    const hashes = itemNgramHashes(item, n);
    let shared = 0;
    const overlapping = new Set<number>();
    for (const hash of hashes) {
      const owner = owners.get(hash);
      if (owner === undefined) continue;
      shared += 1;
      for (const index of Array.isArray(owner) ? owner : [owner]) overlapping.add(index);
    }
    if (shared >= minShared && shared > 0) {
      const overlapsWith = [...overlapping]
        .sort((a, b) => a - b)
        .map((index) => referenceIds[index] ?? String(index));
      hits.push({ id: item.id, overlapsWith, sharedNgrams: shared, ngramCount: hashes.size });
    }
  }
  return hits;
}
