import { ConfigError } from '../errors.js';
import { createSeededRandom } from '../eval/statistics/seeded-random.js';

/**
 * A seeded derangement for the "another item's image" control: `result[i]` is the index whose
 * image item i is shown instead of its own. No item keeps its own image, and none is given an
 * image equal to its own (`keys` names the image: VQA-RAD asks several questions of one image,
 * and swapping those would be no control at all).
 *
 * Sattolo's algorithm gives a uniformly random single cycle (so no fixed points); a repair pass
 * then swaps targets until no item receives its own image key. Throws when fewer than two
 * distinct images exist, or no assignment avoids a clash.
 */
export function seededDerangement(keys: readonly string[], seed: number): number[] {
  const count = keys.length;
  if (count < 2 || new Set(keys).size < 2)
    throw new ConfigError('the other-image control needs at least two items with different images');
  const random = createSeededRandom(seed);
  const target = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * index);
    [target[index], target[other]] = [target[other]!, target[index]!];
  }
  const clashes = (index: number, donor: number): boolean => keys[index] === keys[donor];
  for (let index = 0; index < count; index++) {
    if (!clashes(index, target[index]!)) continue;
    // Swap donors with an item for which both assignments are then clean.
    const start = Math.floor(random() * count);
    let fixed = false;
    for (let step = 0; step < count && !fixed; step++) {
      const other = (start + step) % count;
      if (other === index) continue;
      if (!clashes(index, target[other]!) && !clashes(other, target[index]!)) {
        [target[index], target[other]] = [target[other]!, target[index]!];
        fixed = true;
      }
    }
    if (!fixed)
      throw new ConfigError(
        `no other-image assignment avoids giving item ${index + 1} its own image: too many items share one image`,
      );
  }
  return target;
}
