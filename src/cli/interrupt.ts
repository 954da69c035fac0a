/**
 * Calls `stop` on the first SIGINT or SIGTERM, so a long command winds down through its own
 * `finally` blocks (the run directory's lock is released, the store closed) instead of dying
 * mid-write. A second signal of the same kind gets Node's default: the process ends at once.
 * Returns a function that stops listening.
 */
export function onInterrupt(stop: () => void): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.once(signal, stop);
  return () => {
    for (const signal of signals) process.off(signal, stop);
  };
}
