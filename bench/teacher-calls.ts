/**
 * Teacher-call throughput: what the run store, cache and middleware cost per call.
 *
 *   npx tsx bench/teacher-calls.ts [--calls 300] [--rounds 3]
 *
 * 1. Cache-hit path: calls/s when every answer is already in the run store.
 * 2. A stage of calls to llama-server (tiny model) through the full teacher stack (cache, retry,
 *    rate limit, accounting, timeout, SQLite commit per call and per item) at concurrency 1, 4,
 *    8 and 16, against a bare fetch loop sending the same requests at the same concurrency.
 *    Target: the stage reaches at least 0.95 of the bare loop.
 * 3. The same at concurrency 1 and 16 with 50 ms added by a proxy: a teacher's real latency.
 * Rounds alternate bare and stage; the medians are reported, with this process's CPU time per
 * call (steadier than wall time on a shared machine). Server prompt caching is off so neither
 * side profits from the other having sent the same prompt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { wrapTeacherModel } from '../src/compose/teacher-model-stack.js';
import type { GenerateRequest, LanguageModel } from '../src/models/language-model.js';
import { createOpenAICompatibleModel } from '../src/models/openai-compatible-model.js';
import { RunStore } from '../src/store/run-store.js';
import type { StageProgress } from '../src/store/stage-progress.js';
import { runModelStage } from '../src/store/stage-runner.js';
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { startTinyLlamaServer } from '../test/support/llama-server.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const callCount = argument('calls', 300);
const rounds = argument('rounds', 3);
const concurrencies = [1, 4, 8, 16];
const maxTokens = 8;

interface Item {
  id: string;
  text: string;
}

const itemsFor = (round: string, concurrency: number, count: number): Item[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `${round}-c${concurrency}-${index}`,
    text: `Round ${round} case ${index}: a patient with fever and cough at concurrency ${concurrency}. Next step?`,
  }));

const requestFor = (item: Item): GenerateRequest => ({
  messages: [{ role: 'user', content: item.text }],
  maxTokens,
  temperature: 0,
});

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
    }),
  );
}

interface Measured {
  callsPerSecond: number;
  /** This process's CPU time per call: less disturbed by other load than wall time. */
  cpuMsPerCall: number;
}

async function measure(count: number, work: () => Promise<void>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { callsPerSecond: (count * 1000) / elapsed, cpuMsPerCall: (used.user + used.system) / 1000 / count };
}

async function bareLoop(baseUrl: string, items: Item[], concurrency: number): Promise<Measured> {
  return measure(items.length, () => bareRequests(baseUrl, items, concurrency));
}

async function bareRequests(baseUrl: string, items: Item[], concurrency: number): Promise<void> {
  await pool(items, concurrency, async (item) => {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer no-key' },
      body: JSON.stringify({
        model: 'tiny',
        messages: [{ role: 'user', content: item.text }],
        max_tokens: maxTokens,
        temperature: 0,
        cache_prompt: false,
      }),
    });
    if (!response.ok) throw new Error(`bare loop: HTTP ${response.status}`);
    await response.json();
  });
}

/** The adapter alone (the mandated openai client, no middleware, no store) over the same requests. */
async function clientLoop(model: LanguageModel, items: Item[], concurrency: number): Promise<Measured> {
  return measure(items.length, () =>
    pool(items, concurrency, async (item) => {
      await model.generate(requestFor(item));
    }),
  );
}

async function stage(
  model: LanguageModel,
  store: RunStore,
  name: string,
  items: Item[],
  concurrency: number,
) {
  let progress: StageProgress | undefined;
  const measured = await measure(items.length, async () => {
    const outcome = await runModelStage({
      store,
      stageName: name,
      items,
      model,
      concurrency,
      call: async (item, itemModel) => ({
        text: (await itemModel.generate(requestFor(item))).choices[0]?.text ?? '',
      }),
    });
    if (outcome.results.size !== items.length)
      throw new Error(`stage ${name}: ${outcome.failures.length} failures`);
    progress = outcome.progress;
  });
  return { ...measured, progress: progress as StageProgress };
}

interface Comparison {
  row: string;
  lastItems: Item[];
  /** Median stage / bare ratio over rounds (each round pairs the two on the same requests), and its range. */
  ratio: { median: number; min: number; max: number };
}

/** Bare loop and stage over the same requests, alternating which goes first, `rounds` times. */
async function compare(
  baseUrl: string,
  store: RunStore,
  label: string,
  concurrency: number,
  count: number,
): Promise<Comparison> {
  const base = createOpenAICompatibleModel({ baseUrl, model: 'tiny', extraBody: { cache_prompt: false } });
  const model = wrapTeacherModel(base, { store, rateLimit: { maxConcurrency: concurrency } });
  const variants = {
    bare: (items: Item[]) => bareLoop(baseUrl, items, concurrency),
    client: (items: Item[]) => clientLoop(base, items, concurrency),
    stage: (items: Item[], round: number) =>
      stage(model, store, `${label}-c${concurrency}-r${round}`, items, concurrency),
  };
  const results: Record<keyof typeof variants, Measured[]> = { bare: [], client: [], stage: [] };
  let lastItems: Item[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const items = itemsFor(`${label}-${round}`, concurrency, count);
    // Rotate the order so no variant always runs first on a warmer (or busier) machine.
    const names = (['bare', 'client', 'stage'] as const).map(
      (_, index, all) => all[(index + round) % all.length]!,
    );
    for (const name of names) results[name].push(await variants[name](items, round));
    lastItems = items;
  }
  const rate = (name: keyof typeof variants) => median(results[name].map((entry) => entry.callsPerSecond));
  const cpu = (name: keyof typeof variants) => median(results[name].map((entry) => entry.cpuMsPerCall));
  const ratios = results.stage.map(
    (entry, index) => entry.callsPerSecond / (results.bare[index]?.callsPerSecond ?? Number.NaN),
  );
  const row =
    `| ${label} | ${concurrency} | ${count} | ${rate('bare').toFixed(0)} | ${rate('client').toFixed(0)} | ` +
    `${rate('stage').toFixed(0)} | ${(rate('stage') / rate('bare')).toFixed(3)} | ` +
    `${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)} | ${(rate('stage') / rate('client')).toFixed(3)} | ` +
    `${cpu('bare').toFixed(2)} / ${cpu('client').toFixed(2)} / ${cpu('stage').toFixed(2)} |`;
  return {
    row,
    lastItems,
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
  };
}

async function main(): Promise<void> {
  const server = await startTinyLlamaServer({ parallel: 16, contextSize: 16 * 256 });
  // A remote teacher answers in tens of milliseconds at best: the same server behind 50 ms.
  const remote = await startFaultProxy(server.origin);
  remote.setPolicy(() => ({ kind: 'delay', ms: 50 }));
  const directory = await mkdtemp(join(tmpdir(), 'medistill-bench-'));
  const store = RunStore.openDirectory(directory);
  try {
    const rows: string[] = [];
    const ratios = new Map<number, Comparison['ratio']>();
    let cacheItems: Item[] = [];
    for (const concurrency of concurrencies) {
      const comparison = await compare(server.baseUrl, store, 'local', concurrency, callCount);
      rows.push(comparison.row);
      ratios.set(concurrency, comparison.ratio);
      cacheItems = comparison.lastItems;
    }
    for (const concurrency of [1, 16]) {
      rows.push(
        (await compare(remote.baseUrl, store, '+50 ms', concurrency, concurrency === 1 ? 40 : 160)).row,
      );
    }

    // Cache-hit path: earlier requests again, under a new stage name so nothing is skipped.
    const cached = wrapTeacherModel(createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tiny' }), {
      store,
    });
    const hitStage = await stage(cached, store, 'cache-hits', cacheItems, 4);
    if (hitStage.progress.cached !== cacheItems.length || hitStage.progress.calls !== 0) {
      throw new Error(`expected ${cacheItems.length} cache hits, got ${hitStage.progress.cached}`);
    }
    const directHits = (
      await measure(cacheItems.length, async () => {
        for (const item of cacheItems) await cached.generate(requestFor(item));
      })
    ).callsPerSecond;

    const [load] = loadavg();
    const out = (text: string) => process.stdout.write(`${text}\n`);
    out(
      `\nTeacher calls: tiny llama-server (16 slots, 1 thread), ${maxTokens} tokens a call, ${rounds} rounds, medians;`,
    );
    out(`${cpus().length} cores, load average ${load?.toFixed(1)} at the end\n`);
    out(
      '| server | concurrency | calls | bare fetch loop (calls/s) | openai adapter alone (calls/s) | stage + full stack (calls/s) | stage / bare | stage / bare per round | stage / adapter | CPU ms/call: bare / adapter / stage |',
    );
    out('|---|---|---|---|---|---|---|---|---|---|');
    out(`${rows.join('\n')}\n`);
    const summary = [8, 16].map((concurrency) => {
      const ratio = ratios.get(concurrency)!;
      return `${ratio.median.toFixed(2)} at concurrency ${concurrency} (rounds ${ratio.min.toFixed(2)} to ${ratio.max.toFixed(2)})`;
    });
    out(
      `Teacher stage / bare HTTP loop, median of ${rounds} paired rounds: ${summary.join(', ')}; target 0.95. ` +
        'On a machine where the server and this process share busy cores the ratio follows CPU per call ' +
        '(docs/teacher-stage-profile.md).\n',
    );
    out('| cache-hit path | calls/s |\n|---|---|');
    out(`| model.generate, sequential | ${directHits.toFixed(0)} |`);
    out(`| runModelStage, concurrency 4 (item commit included) | ${hitStage.callsPerSecond.toFixed(0)} |`);
  } finally {
    store.close();
    await rm(directory, { recursive: true, force: true });
    await remote.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
