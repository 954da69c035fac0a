/**
 * Training throughput and memory of the embedded trainer (TensorFlow.js graph, matrix products in
 * a native BLAS where one loads, else wasm) against PyTorch on the CPU on an optimized BLAS, on the
 * same Llama architecture, batch, length and optimizer, at one thread and at all threads.
 *
 *   npx tsx bench/training.ts [--batch 16] [--length 64] [--models 0.5M,4M,30M,30M-lora]
 *                             [--repeats 1] [--skip-torch] [--skip-wasm]
 *
 * The anchor: Debian's python3-torch links `libblas.so.3`, which is the reference (netlib) BLAS
 * unless an optimized one is installed. This script installs python3-torch and
 * libopenblas0-pthread when absent (apt-get), checks that libblas.so.3 resolves to OpenBLAS, and
 * prints the BLAS torch reports and the BLAS libraries mapped into the torch process. One thread
 * is `OPENBLAS_NUM_THREADS=1` and `torch.set_num_threads(1)`; all threads leaves OpenBLAS at its
 * default and sets torch to the cores available, as a user has it.
 *
 * Each measurement runs in its own process, so peak RSS is that training's alone; torch and the
 * embedded trainer alternate, and with `--repeats` each cell is the best of its runs (the machine
 * may be shared: the load average is printed beside the figures). Steps: two warm-up steps, then a
 * fixed number of timed AdamW steps with gradient clipping and a causal LM loss on every position.
 */

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBatch } from '../src/engines/tfjs/training-example.js';
import { configureWasmBackend } from '../src/engines/tfjs/wasm-backend.js';
import { parameterCount } from '../src/model/llama-config.js';
import { seededRandom } from '../src/model/random-weights.js';
import { type BenchModel, createBenchTrainer, MODELS, randomExamples } from './training-models.js';

interface Measurement {
  tokensPerSecond: number;
  /** Tokens per second of the process's own CPU time: steadier than wall time on a shared machine. */
  tokensPerCpuSecond: number;
  peakRssMiB: number;
  trainable: number;
  firstLoss: number;
  /** The kernel path (embedded) or the mapped BLAS libraries (torch). */
  blas: string;
  threads: number;
}

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const batchSize = Number(argument('batch', '16'));
const length = Number(argument('length', '64'));
const repeats = Number(argument('repeats', '1'));
const cores = availableParallelism();
const WARMUP_STEPS = 2;

/** One model's measurement, in this (child) process; `threads` 0 keeps the wasm kernels. */
async function measureTfjs(model: BenchModel, threads: number): Promise<Measurement> {
  const path = await configureWasmBackend(threads > 0 ? { threads } : { kernels: 'wasm' });
  if (threads > 0 && path.kind !== 'native') throw new Error(`native kernels did not load: ${path.reason}`);
  const steps = WARMUP_STEPS + model.steps;
  const trainer = createBenchTrainer(model, steps);
  const random = seededRandom(3);
  let firstLoss = Number.NaN;
  let tokens = 0;
  let started = 0;
  let cpuStart = process.cpuUsage();
  for (let step = 0; step < steps; step++) {
    if (step === WARMUP_STEPS) {
      started = performance.now();
      cpuStart = process.cpuUsage();
    }
    const result = trainer.trainStep(
      makeBatch(randomExamples(random, model.config.vocabSize, batchSize, length)),
    );
    if (step === 0) firstLoss = result.loss;
    if (step >= WARMUP_STEPS) tokens += result.tokens;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  let trainableCount = 0;
  for (const tensor of trainer.trainableSnapshot().values()) trainableCount += tensor.data.length;
  return {
    tokensPerSecond: tokens / seconds,
    tokensPerCpuSecond: tokens / cpuSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    trainable: trainableCount,
    firstLoss,
    blas: path.kind === 'native' ? path.library : 'wasm',
    threads: path.kind === 'native' ? path.threads : 1,
  };
}

const PYTORCH_SCRIPT = `
import json, math, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

spec = json.loads(sys.argv[1])
torch.set_num_threads(spec["threads"])
torch.manual_seed(0)
c = spec["config"]
E, L, H, HKV, FF, V = c["embeddingLength"], c["blockCount"], c["headCount"], c["headCountKv"], c["feedForwardLength"], c["vocabSize"]
D = E // H
B, T, rank, steps, warmup = spec["batch"], spec["length"], spec.get("loraRank"), spec["steps"], spec["warmup"]
eps, base = c["rmsNormEpsilon"], c["ropeFreqBase"]

class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(E))
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.weight

class Projection(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in) * 0.02)
        if rank:
            self.a = nn.Parameter((torch.rand(rank, n_in) * 2 - 1) / math.sqrt(n_in))
            self.b = nn.Parameter(torch.zeros(n_out, rank))
    def forward(self, x):
        y = F.linear(x, self.weight)
        if rank:
            y = y + F.linear(F.linear(x, self.a), self.b) * 2.0
        return y

positions = torch.arange(T, dtype=torch.float32)
inverse = base ** (-torch.arange(0, D, 2, dtype=torch.float32) / D)
angles = positions[:, None] * inverse[None, :]
cos = torch.cos(angles).repeat_interleave(2, -1)[None, :, None, :]
sin = torch.sin(angles).repeat_interleave(2, -1)[None, :, None, :]
mask = torch.full((T, T), float("-inf")).triu(1)

def rope(x):
    turned = torch.stack((-x[..., 1::2], x[..., 0::2]), -1).flatten(-2)
    return x * cos + turned * sin

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_norm, self.ffn_norm = RMSNorm(), RMSNorm()
        self.q, self.k, self.v, self.o = Projection(E, E), Projection(E, HKV * D), Projection(E, HKV * D), Projection(E, E)
        self.gate, self.up, self.down = Projection(E, FF), Projection(E, FF), Projection(FF, E)
    def forward(self, x):
        h = self.attn_norm(x)
        q = rope(self.q(h).view(B, T, H, D)).transpose(1, 2)
        k = rope(self.k(h).view(B, T, HKV, D)).transpose(1, 2).repeat_interleave(H // HKV, 1)
        v = self.v(h).view(B, T, HKV, D).transpose(1, 2).repeat_interleave(H // HKV, 1)
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + mask, -1)
        x = x + self.o((p @ v).transpose(1, 2).reshape(B, T, E))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Parameter(torch.randn(V, E) * 0.02)
        self.blocks = nn.ModuleList([Block() for _ in range(L)])
        self.norm = RMSNorm()
    def forward(self, tokens):
        x = F.embedding(tokens, self.embedding)
        for block in self.blocks:
            x = block(x)
        return self.norm(x) @ self.embedding.t()

model = Model()
if rank:
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name.endswith(".a") or name.endswith(".b")
trainable = [p for p in model.parameters() if p.requires_grad]
decay = [p for p in trainable if p.dim() > 1]
no_decay = [p for p in trainable if p.dim() <= 1]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
first_loss = None
for step in range(warmup + steps):
    if step == warmup:
        started = time.perf_counter()
        cpu_started = time.process_time()
    data = torch.randint(0, V, (B, T + 1))
    logits = model(data[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, V), data[:, 1:].reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    optimizer.step()
    if first_loss is None:
        first_loss = loss.item()
seconds = time.perf_counter() - started
cpu_seconds = time.process_time() - cpu_started
# The BLAS this process really runs: the shared libraries mapped into it.
with open("/proc/self/maps") as maps:
    blas = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line.lower() and "/" in line})
print(json.dumps({
    "blas": ", ".join(blas) or "none mapped",
    "threads": torch.get_num_threads(),
    "tokensPerSecond": B * T * steps / seconds,
    "tokensPerCpuSecond": B * T * steps / cpu_seconds,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "trainable": sum(p.numel() for p in trainable),
    "firstLoss": first_loss,
}))
`;

const apt = (packages: string[]) =>
  spawnSync('apt-get', ['install', '-y', ...packages], { stdio: ['ignore', 'ignore', 'inherit'] }).status ===
  0;

/** What `libblas.so.3` resolves to, per Debian's alternatives (undefined off Debian). */
function blasAlternative(): string | undefined {
  const shown = spawnSync('update-alternatives', ['--display', 'libblas.so.3-x86_64-linux-gnu'], {
    encoding: 'utf8',
  });
  if (shown.status !== 0) return undefined;
  return /link currently points to (\S+)/.exec(shown.stdout)?.[1];
}

/**
 * A Python with torch on an optimized BLAS, installing Debian's python3-torch and
 * libopenblas0-pthread with apt-get when absent (Debian's /usr/bin/python3, not a pyenv shim).
 */
function pythonWithTorch(): string | undefined {
  const candidates = ['/usr/bin/python3', 'python3'];
  const hasTorch = (python: string) =>
    spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  let found = candidates.find(hasTorch);
  if (!found) {
    process.stderr.write(
      'torch not found; installing python3-torch with apt-get (this takes a few minutes)\n',
    );
    if (!apt(['python3-torch'])) return undefined;
    found = candidates.find(hasTorch);
  }
  const alternative = blasAlternative();
  if (alternative !== undefined && !alternative.includes('openblas')) {
    process.stderr.write(`libblas.so.3 is ${alternative}; installing libopenblas0-pthread with apt-get\n`);
    apt(['libopenblas0-pthread']);
  }
  return found;
}

/** The BLAS line of `torch.__config__.show()` (Debian's build says `generic`: it links libblas.so.3). */
function torchBlasInfo(python: string): string {
  const shown = spawnSync(python, ['-c', 'import torch; print(torch.__config__.show())'], {
    encoding: 'utf8',
  });
  return /BLAS_INFO=([^,\s]+)/.exec(shown.stdout)?.[1] ?? 'unknown';
}

function runChild(
  command: string,
  args: string[],
  environment: NodeJS.ProcessEnv = process.env,
): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: environment });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`${command} exited with code ${code}: ${last}`));
      else resolve(JSON.parse(last) as Measurement);
    });
  });
}

/** The best (fastest by wall time) of several measurements; undefined when none succeeded. */
const best = (runs: (Measurement | undefined)[]) =>
  runs
    .filter((run): run is Measurement => run !== undefined)
    .sort((a, b) => b.tokensPerSecond - a.tokensPerSecond)[0];

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    const model = MODELS.find((candidate) => candidate.name === process.argv[child + 1]);
    if (!model) throw new Error(`unknown model ${process.argv[child + 1]}`);
    process.stdout.write(`${JSON.stringify(await measureTfjs(model, Number(argument('threads', '1'))))}\n`);
    return;
  }
  const names = argument('models', MODELS.map((model) => model.name).join(',')).split(',');
  const python = process.argv.includes('--skip-torch') ? undefined : pythonWithTorch();
  const scriptPath = join(await mkdtemp(join(tmpdir(), 'bench-training-')), 'train_llama.py');
  await writeFile(scriptPath, PYTORCH_SCRIPT);
  const thisFile = fileURLToPath(import.meta.url);
  const threadCounts = [...new Set([1, 2, cores])];
  const loadBefore = loadavg();
  const embedded = (model: BenchModel, threads: number) =>
    runChild(process.execPath, [
      '--import',
      'tsx',
      thisFile,
      '--child',
      model.name,
      '--threads',
      String(threads),
      '--batch',
      String(batchSize),
      '--length',
      String(length),
    ]).catch((error: Error) => {
      process.stderr.write(`embedded run failed: ${error.message}\n`);
      return undefined;
    });
  const torch = (model: BenchModel, threads: number) => {
    if (!python) return Promise.resolve(undefined);
    const spec = {
      config: model.config,
      batch: batchSize,
      length,
      steps: model.steps,
      warmup: WARMUP_STEPS,
      loraRank: model.loraRank ?? null,
      threads,
    };
    const environment = { ...process.env };
    if (threads === 1) environment.OPENBLAS_NUM_THREADS = '1';
    else delete environment.OPENBLAS_NUM_THREADS;
    return runChild(python, [scriptPath, JSON.stringify(spec)], environment).catch((error: Error) => {
      process.stderr.write(`PyTorch run failed: ${error.message}\n`);
      return undefined;
    });
  };

  const results: { model: BenchModel; cells: Map<string, Measurement | undefined> }[] = [];
  for (const model of MODELS.filter((candidate) => names.includes(candidate.name))) {
    process.stderr.write(`measuring ${model.name}...\n`);
    const runs = new Map<string, (Measurement | undefined)[]>();
    const record = async (key: string, run: Promise<Measurement | undefined>) =>
      runs.set(key, [...(runs.get(key) ?? []), await run]);
    for (let repeat = 0; repeat < repeats; repeat++) {
      // Alternate torch and the embedded trainer so a change in the machine's load hits both.
      for (const threads of [1, cores]) {
        await record(`torch-${threads}`, torch(model, threads));
        await record(`native-${threads}`, embedded(model, threads));
      }
      for (const threads of threadCounts.filter((count) => count !== 1 && count !== cores)) {
        await record(`native-${threads}`, embedded(model, threads));
      }
      if (!process.argv.includes('--skip-wasm')) await record('wasm-1', embedded(model, 0));
    }
    results.push({ model, cells: new Map([...runs].map(([key, values]) => [key, best(values)])) });
  }
  const loadAfter = loadavg();

  const anyTorch = results
    .flatMap(({ cells }) => [cells.get('torch-1'), cells.get(`torch-${cores}`)])
    .find(Boolean);
  const anyNative = results.flatMap(({ cells }) => [cells.get('native-1')]).find(Boolean);
  console.log(
    `batch ${batchSize} x ${length} tokens, AdamW + clipping, loss on every position; ${cores} cores available`,
  );
  console.log(
    `torch: ${python ? `BLAS_INFO=${torchBlasInfo(python)}, libblas.so.3 -> ${blasAlternative() ?? 'n/a'}, mapped: ${anyTorch?.blas ?? 'n/a'}` : 'skipped'}`,
  );
  console.log(
    `embedded: TensorFlow.js wasm graph, matrix products in ${anyNative?.blas ?? 'wasm (no native BLAS loaded)'}`,
  );
  console.log(
    `load average before ${loadBefore.map((value) => value.toFixed(1)).join(' ')}, after ${loadAfter.map((value) => value.toFixed(1)).join(' ')}` +
      (repeats > 1 ? `; best of ${repeats} alternated runs per cell` : ''),
  );
  console.log(
    'tok/s: wall time (in brackets: per CPU-second of the process); ratio: embedded / torch, wall time\n',
  );
  const millions = (count: number) => `${(count / 1e6).toFixed(2)} M`;
  const speed = (run: Measurement | undefined) =>
    run ? `${run.tokensPerSecond.toFixed(0)} (${run.tokensPerCpuSecond.toFixed(0)})` : 'n/a';
  const rss = (run: Measurement | undefined) => (run ? run.peakRssMiB.toFixed(0) : 'n/a');
  const ratio = (a: Measurement | undefined, b: Measurement | undefined) =>
    a && b ? `${(a.tokensPerSecond / b.tokensPerSecond).toFixed(2)}x` : 'n/a';
  console.log(
    'model | parameters | trainable | threads | torch tok/s | torch RSS MiB | embedded tok/s | embedded RSS MiB | embedded/torch | first loss embedded / torch',
  );
  console.log('---|---|---|---|---|---|---|---|---|---');
  for (const { model, cells } of results) {
    for (const threads of [1, cores]) {
      const torchRun = cells.get(`torch-${threads}`);
      const nativeRun = cells.get(`native-${threads}`);
      console.log(
        [
          model.name,
          millions(parameterCount(model.config)),
          millions(nativeRun?.trainable ?? 0),
          threads === 1 ? '1' : `all (${cores})`,
          speed(torchRun),
          rss(torchRun),
          speed(nativeRun),
          rss(nativeRun),
          ratio(nativeRun, torchRun),
          `${nativeRun ? nativeRun.firstLoss.toFixed(3) : 'n/a'} / ${torchRun ? torchRun.firstLoss.toFixed(3) : 'n/a'}`,
        ].join(' | '),
      );
    }
  }
  console.log('\nscaling of the embedded trainer (tok/s, wall; speed-up over its own 1 thread)');
  const wasmShown = !process.argv.includes('--skip-wasm');
  console.log(
    `model | ${threadCounts.map((count) => `${count} thread${count > 1 ? 's' : ''}`).join(' | ')}${wasmShown ? ' | wasm kernels, 1 thread (before) | RSS MiB wasm' : ''}`,
  );
  console.log(`---|${threadCounts.map(() => '---').join('|')}${wasmShown ? '|---|---' : ''}`);
  for (const { model, cells } of results) {
    const one = cells.get('native-1');
    const wasm = cells.get('wasm-1');
    console.log(
      [
        model.name,
        ...threadCounts.map((count) => {
          const run = cells.get(`native-${count}`);
          return run && one ? `${run.tokensPerSecond.toFixed(0)} (${ratio(run, one)})` : 'n/a';
        }),
        ...(wasmShown
          ? [
              wasm ? `${wasm.tokensPerSecond.toFixed(0)} (native 1 thread: ${ratio(one, wasm)})` : 'n/a',
              rss(wasm),
            ]
          : []),
      ].join(' | '),
    );
  }
}

await main();
