import { AbortedError } from '../errors.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Run `work` over items with at most `concurrency` in flight, keeping input order. Per-item
 * failures are returned as data (a teacher that fails one item must not stop the run); an abort
 * stops handing out new items.
 */
export async function mapConcurrent<I, T>(
  items: readonly I[],
  concurrency: number,
  work: (item: I, index: number) => Promise<T>,
  options: { signal?: AbortSignal; onSettled?: (outcome: Outcome<T>, index: number) => void } = {},
): Promise<Outcome<T>[]> {
  const results: Outcome<T>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (options.signal?.aborted) throw new AbortedError('stopped');
      const index = next++;
      try {
        results[index] = { ok: true, value: await work(items[index]!, index) };
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        results[index] = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      }
      options.onSettled?.(results[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
