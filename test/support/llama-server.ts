import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/deploy/serve/llama-server-process.js';
import { llamaServerBinary } from '../../src/engines/llama-cpp/llama-server-binary.js';
import { createModelFile } from '../../src/model/create-model.js';

/** Builds llama-server if it is not in the cache yet (minutes the first time) and returns its path. */
export const ensureLlamaServerBinary = llamaServerBinary;

/** A port the OS says is free on loopback right now. */
export const freePort = freeLoopbackPort;

export interface LlamaServerOptions {
  modelPath: string;
  /** Total context, shared by the slots (default 4096). */
  contextSize?: number;
  /** Parallel slots (default 4). */
  parallel?: number;
  extraArgs?: string[];
  /** Extra environment variables for the server process (e.g. LLAMA_MEDIA_MARKER). */
  env?: Record<string, string>;
}

export interface RunningLlamaServer {
  /** The OpenAI-compatible base URL, e.g. `http://127.0.0.1:40123/v1`. */
  baseUrl: string;
  origin: string;
  /** Prometheus counters from /metrics (tokens predicted, prompt tokens, decode calls). */
  metrics(): Promise<Record<string, number>>;
  /** What the server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts llama-server on 127.0.0.1 at a free port and waits until /health answers 200. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<RunningLlamaServer> {
  const binary = await ensureLlamaServerBinary();
  let lastError: unknown;
  // A free port can be taken between the probe and the bind: try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await launch(binary, port, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(
  binary: string,
  port: number,
  options: LlamaServerOptions,
): Promise<RunningLlamaServer> {
  const args = [
    ...['-m', options.modelPath, '--host', '127.0.0.1', '--port', String(port)],
    ...['-c', String(options.contextSize ?? 4096), '-np', String(options.parallel ?? 4)],
    // One thread: on two shared cores more threads spin and slow everything (engine-notes.md).
    ...['-t', '1', '-tb', '1', '--metrics', '--no-webui', '--no-warmup'],
    ...(options.extraArgs ?? []),
  ];
  const child: ChildProcess = spawn(binary, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(forced);
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`llama-server exited during start-up:\n${output.slice(-3000)}`);
    }
    try {
      const response = await fetch(`${origin}/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server did not become healthy in 60 s:\n${output.slice(-3000)}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    baseUrl: `${origin}/v1`,
    origin,
    log: () => output,
    stop,
    metrics: async () => {
      const text = await (await fetch(`${origin}/metrics`)).text();
      const values: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^llamacpp:(\w+)\s+([-+\d.eE]+)$/.exec(line.trim());
        if (match?.[1] && match[2]) values[match[1]] = Number(match[2]);
      }
      return values;
    },
  };
}

/** Texts the tiny test model's tokenizer is learned from. */
const tinyCorpus = [
  'A 54-year-old man presents with fever, cough and pleuritic chest pain.',
  'Which is the most appropriate next step in management?',
  'Answer: A. Start empirical antibiotics.',
  '{"answer": "B", "rationale": "the findings indicate pneumonia"}',
  'yes no maybe',
];

/** Writes a tiny random-weight Llama GGUF (ChatML template) into `directory`. */
export async function createTinyModel(directory: string, seed = 7): Promise<string> {
  const { path } = await createModelFile({
    out: join(directory, 'tiny.gguf'),
    corpus: tinyCorpus,
    layers: 2,
    embeddingLength: 64,
    contextLength: 1024,
    seed,
  });
  return path;
}

/** A running llama-server over a fresh tiny model; `stop` also removes the model's folder. */
export async function startTinyLlamaServer(
  options: Omit<LlamaServerOptions, 'modelPath'> = {},
): Promise<RunningLlamaServer & { modelPath: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-llama-server-'));
  const modelPath = await createTinyModel(directory);
  const server = await startLlamaServer({ ...options, modelPath });
  return {
    ...server,
    modelPath,
    stop: async () => {
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
