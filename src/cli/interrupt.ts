/**
 * Run a command's work with a signal that Ctrl-C (SIGINT) or SIGTERM aborts. Library code stops at
 * its next safe point and keeps what it finished (runs and trainings resume from there), unwinding
 * through its own `finally` blocks, so the run directory's lock is released and the store closed;
 * the CLI's top-level handler then prints the interruption. A second signal of the same kind gets
 * Node's default: the process ends at once.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.once(signal, stop);
  try {
    return await work(controller.signal);
  } finally {
    for (const signal of signals) process.off(signal, stop);
  }
}
