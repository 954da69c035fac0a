import { spawn } from 'node:child_process';
import { AbortedError, ConfigError } from '../../errors.js';

export interface ProcessRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The last part of what the process printed, for error messages. */
  outputTail: string;
}

export interface RunProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called every `intervalMs` while the process runs, and once after it exits. */
  onTick?: () => Promise<void>;
  intervalMs: number;
  /** Called with each complete line the process prints on stdout. */
  onStdoutLine?: (line: string) => void;
  /** What to tell the user when the command is not found (default: about LLaMA-Factory). */
  notFoundHint?: string;
}

/**
 * Run a trainer process to the end, ticking while it runs. It gets its own process group, so an
 * abort stops torchrun's workers too (SIGTERM, then SIGKILL after 10 s).
 */
export async function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<ProcessRun> {
  const [command, ...args] = argv;
  if (command === undefined) throw new ConfigError('the trainer command is empty');
  if (options.signal?.aborted) throw new AbortedError('training was aborted before it started');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let outputTail = '';
  const keep = (chunk: Buffer): void => {
    outputTail = (outputTail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  let partialLine = '';
  if (options.onStdoutLine) {
    const onLine = options.onStdoutLine;
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partialLine + chunk.toString('utf8')).split('\n');
      partialLine = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    child.stdout?.on('end', () => {
      if (partialLine) onLine(partialLine);
      partialLine = '';
    });
  }
  child.stderr?.on('data', keep);
  const finished = new Promise<ProcessRun>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new ConfigError(
              `cannot start "${command}": not found (${options.notFoundHint ?? 'install LLaMA-Factory or set the command'})`,
            )
          : error,
      ),
    );
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal, outputTail }));
  });
  const stop = (): void => {
    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Already gone.
      }
    };
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), 10_000).unref();
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  let running = true;
  // The wait between ticks ends early when the process exits, so a run is not held up by a tick.
  let wake = (): void => undefined;
  const ticking = (async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      // A failed read of the log is retried on the next tick; the final one after exit reports it.
      if (running) await options.onTick?.().catch(() => undefined);
    }
  })();
  try {
    const run = await finished;
    return { ...run, outputTail };
  } finally {
    running = false;
    wake();
    await ticking;
    options.signal?.removeEventListener('abort', stop);
    await options.onTick?.();
  }
}
