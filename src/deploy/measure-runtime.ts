import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MedistillError } from '../errors.js';

export interface RuntimeMeasurement {
  /** Wall time of llama.cpp's model load (mmap and tensor set-up), in ms. */
  loadMs: number;
  /** Peak resident set of the measuring process (Node, llama.cpp and the model), in bytes. */
  peakRssBytes: number;
  /** Resident set after llama.cpp was initialised and before the model loaded, in bytes. */
  baselineRssBytes: number;
  promptTokens: number;
  promptTokensPerSecond: number;
  generatedTokens: number;
  generationTokensPerSecond: number;
  threads: number;
}

export interface MeasureRuntimeOptions {
  promptTokens?: number;
  generatedTokens?: number;
  /** llama.cpp threads (default 1: on small shared machines more threads spin and slow it). */
  threads?: number;
  signal?: AbortSignal;
}

/**
 * Runs from a temporary file (not `node -e`: node-llama-cpp tests its binary in a child that
 * inherits execArgv) in a fresh Node process per model, so peak RSS and load time belong to that model alone
 * and nothing is cached from an earlier load. The prompt is the model's own vocabulary in order
 * (every model can tokenize it), evaluated in one batch; generation is greedy, one token at a time.
 */
const CHILD_SCRIPT = `
const [moduleUrl, modelPath, wantedPrompt, wantedGenerated, threads] = JSON.parse(process.argv[2]);
const { getLlama } = await import(moduleUrl);
// Never build from source here: a measurement must use the prebuilt binary or fail.
const llama = await getLlama({ gpu: false, logLevel: 'error', build: 'never' });
const baselineRssBytes = process.memoryUsage().rss;
let started = performance.now();
const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
const loadMs = performance.now() - started;
const contextLength = model.trainContextSize;
const promptTokens = Math.max(1, Math.min(wantedPrompt, Math.floor(contextLength / 2)));
const generatedTokens = Math.max(1, Math.min(wantedGenerated, Math.floor(contextLength / 4)));
const context = await model.createContext({ contextSize: promptTokens + generatedTokens + 8, threads, batchSize: promptTokens });
const sequence = context.getSequence();
const vocabulary = model.tokenize('the patient has a fever and a cough since monday , which drug treats it ?');
const source = vocabulary.length > 0 ? vocabulary : [0];
const prompt = Array.from({ length: promptTokens }, (_, i) => source[i % source.length]);
started = performance.now();
await sequence.evaluateWithoutGeneratingNewTokens(prompt);
const promptMs = performance.now() - started;
started = performance.now();
let generated = 0;
for await (const token of sequence.evaluate([prompt.at(-1)], { temperature: 0 })) {
  generated += 1;
  if (generated >= generatedTokens) break;
}
const generationMs = performance.now() - started;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
// Exit at once: disposing a context whose generator was left early can wait forever.
process.stdout.write(JSON.stringify({
  loadMs, peakRssBytes, baselineRssBytes, promptTokens,
  promptTokensPerSecond: promptTokens / (promptMs / 1000), generatedTokens: generated,
  generationTokensPerSecond: generated / (generationMs / 1000), threads,
}), () => process.exit(0));
`;

/** Load time, peak RSS and prompt / generation speed of one GGUF model, measured in a child process. */
export async function measureRuntime(
  modelPath: string,
  options: MeasureRuntimeOptions = {},
): Promise<RuntimeMeasurement> {
  const moduleUrl = import.meta.resolve('node-llama-cpp');
  const args = [
    moduleUrl,
    modelPath,
    options.promptTokens ?? 128,
    options.generatedTokens ?? 64,
    options.threads ?? 1,
  ];
  const folder = await mkdtemp(join(tmpdir(), 'medistill-measure-'));
  const scriptPath = join(folder, 'measure.mjs');
  await writeFile(scriptPath, CHILD_SCRIPT);
  let result: { code: number | null; stdout: string; stderr: string };
  try {
    result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [scriptPath, JSON.stringify(args)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.signal ? { signal: options.signal } : {}),
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err = (err + chunk.toString('utf8')).slice(-4000);
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  const { code, stdout, stderr } = result;
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) {
    throw new MedistillError(
      `could not measure ${modelPath} in llama.cpp (exit ${code}):\n${stderr.trim().split('\n').slice(-6).join('\n')}`,
    );
  }
  return JSON.parse(line) as RuntimeMeasurement;
}
