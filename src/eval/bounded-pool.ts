/**
 * Run `worker` over `inputs` with at most `concurrency` calls in flight, results in input order.
 * Workers pull the next index as they finish, so a slow item never holds back the others. The
 * first rejection stops new work and is rethrown once in-flight calls settle; an aborted signal
 * stops new work too (the caller decides what an abort means).
 */
export async function runBoundedPool<Input, Output>(
  inputs: readonly Input[],
  concurrency: number,
  worker: (input: Input, index: number) => Promise<Output>,
  signal?: AbortSignal,
): Promise<Output[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const results = new Array<Output>(inputs.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && !signal?.aborted && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await worker(inputs[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
