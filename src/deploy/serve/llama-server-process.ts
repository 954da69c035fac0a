import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { MedistillError } from '../../errors.js';

export interface LlamaServerProcessOptions {
  binary: string;
  model: string;
  adapter?: string;
  /** A vision model's image encoder and projector (`--mmproj`). */
  projector?: string;
  /** Context per slot (tokens). */
  contextSize: number;
  /** Slots: requests llama-server answers at once (continuous batching). */
  parallel: number;
  threads: number;
  /** Restarts allowed within one minute before the supervisor gives up. */
  maxRestartsPerMinute?: number;
}

/** A port the OS says is free on loopback right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/**
 * One llama-server child on a private loopback port, restarted when it dies unexpectedly. The
 * front server asks `ready()` before each request and `onCrash` tells it which requests were cut.
 */
export class LlamaServerProcess {
  private child: ChildProcess | undefined;
  private port = 0;
  private starting: Promise<void> | undefined;
  private stopping = false;
  private readonly restarts: number[] = [];
  private output = '';
  private crashListeners: ((reason: string) => void)[] = [];

  constructor(private readonly options: LlamaServerProcessOptions) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines llama-server printed, for error messages. */
  logTail(lines = 8): string {
    return this.output.trim().split('\n').slice(-lines).join('\n');
  }

  onCrash(listener: (reason: string) => void): void {
    this.crashListeners.push(listener);
  }

  async start(): Promise<void> {
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Resolves when llama-server is up (waiting out a restart); throws when it cannot come back. */
  async ready(): Promise<void> {
    if (this.starting) await this.starting;
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) await this.start();
  }

  private async launch(): Promise<void> {
    const { options } = this;
    this.port = await freeLoopbackPort();
    const args = [
      ...['-m', options.model, '--host', '127.0.0.1', '--port', String(this.port)],
      ...['-c', String(options.contextSize * options.parallel), '-np', String(options.parallel)],
      ...['-t', String(options.threads), '-tb', String(options.threads), '--no-webui'],
      ...(options.adapter ? ['--lora', options.adapter] : []),
      ...(options.projector ? ['--mmproj', options.projector] : []),
    ];
    const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // However this process ends, llama-server must not outlive it (exit handlers run synchronously).
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    this.output = '';
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      const reason = `llama-server stopped unexpectedly (${signal ?? `exit code ${code}`})`;
      for (const listener of this.crashListeners) listener(reason);
      this.child = undefined;
      this.restartAfterCrash();
    });
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new MedistillError(`llama-server could not start on ${options.model}:\n${this.logTail()}`);
      try {
        if ((await fetch(`${this.origin}/health`)).ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new MedistillError(`llama-server did not become healthy in 120 s:\n${this.logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private restartAfterCrash(): void {
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > 60_000) this.restarts.shift();
    if (this.restarts.length >= (this.options.maxRestartsPerMinute ?? 5)) return;
    this.restarts.push(now);
    this.start().catch(() => {
      // ready() reports the failure to the next request.
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(forced);
  }
}
