/**
 * Run a command's work with a signal that Ctrl-C aborts. Library code stops at its next safe point
 * and keeps what it finished (runs and trainings resume from there); the CLI's top-level handler
 * then prints the interruption.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
  }
}
