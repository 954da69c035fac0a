/**
 * Where a teacher stage's time goes, against a bare HTTP loop sending the same requests.
 *
 *   npx tsx bench/teacher-stage-profile.ts [--calls 1500] [--concurrency 8] [--rounds 3]
 *
 * Runs the bare fetch loop and the stage (full teacher stack, run store, stage runner) in turn
 * under V8's sampling profiler, and prints this process's CPU time per call by component: the
 * HTTP stack (undici, streams), the openai client, SQLite (time in better-sqlite3's native calls
 * is counted in the JS frame that made them), medistill's own code, garbage collection. The
 * difference between the two columns is what the stage costs on top of the bare loop.
 * docs/teacher-stage-profile.md reads these figures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapTeacherModel } from '../src/compose/teacher-model-stack.js';
import { createOpenAICompatibleModel } from '../src/models/openai-compatible-model.js';
import { RunStore } from '../src/store/run-store.js';
import { runModelStage } from '../src/store/stage-runner.js';
import { startTinyLlamaServer } from '../test/support/llama-server.js';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const calls = argument('calls', 1500);
const concurrency = argument('concurrency', 8);
const rounds = argument('rounds', 3);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const components: [string, (url: string, name: string) => boolean][] = [
  ['idle (waiting for the server)', (_, name) => name === '(idle)'],
  ['garbage collection', (_, name) => name === '(garbage collector)'],
  ['SQLite (better-sqlite3)', (url) => url.includes('node_modules/better-sqlite3')],
  ['openai client', (url) => url.includes('node_modules/openai')],
  ['zod', (url) => url.includes('node_modules/zod')],
  ['HTTP: undici, sockets, streams, events', (url) => url.startsWith('node:')],
  ['medistill: store', (url) => url.includes('/src/store/')],
  ['medistill: middleware', (url) => url.includes('/src/models/middleware/')],
  ['medistill: openai adapter', (url) => url.includes('/src/models/')],
  ['medistill: other', (url) => url.includes('/src/') || url.includes('/bench/')],
  ['VM, module loader, other', () => true],
];

/**
 * Self time per component, in milliseconds. A native function (a socket write, a SQLite step)
 * has no script of its own: its time goes to the nearest caller that has one.
 */
function byComponent(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = (id: number): { url: string; name: string } => {
    const frame = byId.get(id)?.callFrame;
    const name = frame?.functionName ?? '';
    if (frame?.url || name.startsWith('(')) return { url: frame?.url ?? '', name };
    const up = parent.get(id);
    return up === undefined ? { url: '', name } : owner(up);
  };
  const totals = new Map<string, number>(components.map(([name]) => [name, 0]));
  profile.samples.forEach((id, index) => {
    const { url, name: functionName } = owner(id);
    const [name] = components.find(([, matches]) => matches(url, functionName))!;
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

/**
 * CPU seconds used so far by this process's llama-server children (Linux /proc; 0 elsewhere).
 * Clock ticks are 1/100 s on Linux.
 */
function serverCpuSeconds(): number {
  let ticks = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(llama-server)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks / 100;
}

async function profiled(session: Session, work: () => Promise<void>) {
  await session.post('Profiler.start');
  const server = serverCpuSeconds();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const serverMsPerCall = ((serverCpuSeconds() - server) * 1000) / calls;
  const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
  return {
    callsPerSecond: (calls * 1000) / elapsed,
    cpuMsPerCall: (used.user + used.system) / 1000 / calls,
    serverMsPerCall,
    components: byComponent(profile),
  };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const server = await startTinyLlamaServer({ parallel: 16, contextSize: 16 * 256 });
  const directory = await mkdtemp(join(tmpdir(), 'medistill-profile-'));
  const store = RunStore.openDirectory(directory);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  const base = createOpenAICompatibleModel({
    baseUrl: server.baseUrl,
    model: 'tiny',
    extraBody: { cache_prompt: false },
  });
  const model = wrapTeacherModel(base, { store, rateLimit: { maxConcurrency: concurrency } });
  const items = (round: number) =>
    Array.from({ length: calls }, (_, index) => ({
      id: `r${round}-${index}`,
      text: `Round ${round} case ${index}: a patient with fever and cough. Next step?`,
    }));
  const bare = (list: { text: string }[]) =>
    profiled(session, async () => {
      let next = 0;
      const worker = async () => {
        for (let index = next++; index < list.length; index = next++) {
          const response = await fetch(`${server.baseUrl}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer no-key' },
            body: JSON.stringify({
              model: 'tiny',
              messages: [{ role: 'user', content: list[index]!.text }],
              max_tokens: 8,
              temperature: 0,
              cache_prompt: false,
            }),
          });
          await response.json();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    });
  const stage = (list: { id: string; text: string }[], round: number) =>
    profiled(session, async () => {
      await runModelStage({
        store,
        stageName: `profile-${round}`,
        items: list,
        model,
        concurrency,
        call: async (item, itemModel) => ({
          text:
            (
              await itemModel.generate({
                messages: [{ role: 'user', content: item.text }],
                maxTokens: 8,
                temperature: 0,
              })
            ).choices[0]?.text ?? '',
        }),
      });
    });
  try {
    const results: { bare: Awaited<ReturnType<typeof bare>>[]; stage: Awaited<ReturnType<typeof bare>>[] } = {
      bare: [],
      stage: [],
    };
    // One round of each first, uncounted: JIT warm-up and lazily loaded modules.
    await bare(items(-1));
    await stage(items(-1), -1);
    for (let round = 0; round < rounds; round++) {
      const list = items(round);
      // Alternate which goes first, so neither always meets a warmer (or busier) machine.
      if (round % 2 === 0) {
        results.bare.push(await bare(list));
        results.stage.push(await stage(list, round));
      } else {
        results.stage.push(await stage(list, round));
        results.bare.push(await bare(list));
      }
    }
    const out = (text: string) => process.stdout.write(`${text}\n`);
    const [load] = loadavg();
    out(
      `\nTeacher stage profile: ${calls} calls at concurrency ${concurrency}, ${rounds} rounds, medians; ` +
        `${cpus().length} cores, load average ${load?.toFixed(1)} at the end\n`,
    );
    const rate = (list: typeof results.bare) => median(list.map((entry) => entry.callsPerSecond));
    const ratios = results.stage.map(
      (entry, index) => entry.callsPerSecond / results.bare[index]!.callsPerSecond,
    );
    out(
      `calls/s: bare ${rate(results.bare).toFixed(0)}, stage ${rate(results.stage).toFixed(0)}; stage / bare ${median(ratios).toFixed(3)} (rounds ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)})`,
    );
    const cpu = (list: typeof results.bare) => median(list.map((entry) => entry.cpuMsPerCall));
    out(
      `CPU ms per call (process): bare ${cpu(results.bare).toFixed(3)}, stage ${cpu(results.stage).toFixed(3)}`,
    );
    const server = median([...results.bare, ...results.stage].map((entry) => entry.serverMsPerCall));
    out(
      `CPU ms per call (llama-server): ${server.toFixed(3)}; where the two share saturated cores, ` +
        `stage / bare is bounded by (server + bare) / (server + stage) = ` +
        `${((server + cpu(results.bare)) / (server + cpu(results.stage))).toFixed(3)}\n`,
    );
    out('| component | bare (µs/call) | stage (µs/call) | stage - bare (µs/call) |');
    out('|---|---|---|---|');
    for (const [name] of components) {
      const per = (list: typeof results.bare) =>
        (median(list.map((entry) => entry.components.get(name) ?? 0)) * 1000) / calls;
      const a = per(results.bare);
      const b = per(results.stage);
      out(`| ${name} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b - a).toFixed(0)} |`);
    }
  } finally {
    session.disconnect();
    store.close();
    await rm(directory, { recursive: true, force: true });
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
