import { constants } from 'node:os';

/**
 * Run a command's work with a signal that Ctrl-C (SIGINT) or SIGTERM aborts. Library code stops at
 * its next safe point and keeps what it finished (runs and trainings resume from there), unwinding
 * through its own `finally` blocks, so the run directory's lock is released and the store closed;
 * the CLI's top-level handler then prints the interruption. A second signal ends the process at
 * once (its `exit` handlers still run, so the lock is released even then).
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withStopSignals(['SIGINT', 'SIGTERM'], (stop) => work(stop.signal));
}

/** What a command sees of the signals that stop it. */
export interface StopSignals {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Resolves with the first signal's name. */
  received: Promise<NodeJS.Signals>;
}

/**
 * Handle `signals` for as long as `work` runs: the first aborts, a second ends the process.
 *
 * The listeners stay registered until `work` has unwound, never `once`: node-llama-cpp loads
 * `signal-exit`, whose own listener re-raises the signal (ending the process without unwinding)
 * when it finds itself the only listener left, which is what a `once` listener leaves behind.
 */
export async function withStopSignals<T>(
  signals: readonly NodeJS.Signals[],
  work: (stop: StopSignals) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let resolveReceived: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    resolveReceived = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(128 + (constants.signals[signal] ?? 0));
    controller.abort();
    resolveReceived(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  try {
    return await work({ signal: controller.signal, received });
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
