/**
 * Serving a small student to concurrent clients: `medistill serve` (llama-server, supervised,
 * behind the node:http front) against node-llama-cpp in-process (GgufLanguageModel.generate with
 * parallel sequences, called directly: no HTTP at all, so a lower bound on what an in-process
 * server could cost). Same model, greedy, one llama.cpp thread each, the same requests.
 *   npx tsx bench/serving.ts [model.gguf] [--requests 24] [--clients 4] [--tokens 32]
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { serveModel } from '../src/deploy/serve/serve-model.js';
import { LlamaCppRuntime } from '../src/engines/llama-cpp/llama-cpp-runtime.js';
import { mapConcurrent } from '../src/util/map-concurrent.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const model =
  process.argv[2] && !process.argv[2].startsWith('--')
    ? process.argv[2]
    : join(homedir(), '.cache', 'medistill', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const requests = argument('--requests', 24);
const clients = argument('--clients', 4);
const tokens = argument('--tokens', 32);
const prompts = Array.from(
  { length: requests },
  (_, i) => `Case ${i}: a patient with fever and cough. What next?`,
);

async function timed(call: (prompt: string) => Promise<number>) {
  const latencies: number[] = [];
  let generated = 0;
  const started = performance.now();
  const outcomes = await mapConcurrent(prompts, clients, async (prompt) => {
    const t = performance.now();
    generated += await call(prompt);
    latencies.push(performance.now() - t);
  });
  const seconds = (performance.now() - started) / 1000;
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return `${(requests / seconds).toFixed(2)} req/s, ${Math.round(generated / seconds)} tok/s, latency p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, failed ${failed}`;
}

const server = await serveModel({ model, port: 0, parallel: clients, threads: 1 });
const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'none' });
const viaServe = await timed(async (prompt) => {
  const completion = await client.chat.completions.create({
    model: server.modelName,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: tokens,
    temperature: 0,
  });
  return completion.usage?.completion_tokens ?? 0;
});
await server.close();

const runtime = new LlamaCppRuntime();
const inProcess = await runtime.loadModel(model, {
  parallelSequences: clients,
  threads: 1,
  maxContextSize: 1024,
});
const viaNodeLlamaCpp = await timed(async (prompt) => {
  const response = await inProcess.generate({
    messages: [{ role: 'user', content: prompt }],
    maxTokens: tokens,
    temperature: 0,
  });
  return response.usage.completionTokens;
});
await inProcess.close?.();

console.log(`model ${model}, ${requests} requests, ${clients} concurrent clients, ${tokens} tokens each`);
console.log(`| medistill serve (llama-server, over HTTP) | ${viaServe} |`);
console.log(`| node-llama-cpp in-process (no HTTP) | ${viaNodeLlamaCpp} |`);
