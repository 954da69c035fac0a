/**
 * Training throughput and memory of the embedded trainer (TensorFlow.js, wasm, one thread)
 * against PyTorch on the CPU with one thread, on the same Llama architecture, batch and length.
 *
 *   npx tsx bench/training.ts [--batch 16] [--length 64] [--models 0.5M,4M,30M,30M-lora] [--skip-torch]
 *
 * Each measurement runs in its own process, so peak RSS is that training's alone. PyTorch comes
 * from Debian's python3-torch; when `import torch` fails the script installs it with
 * `apt-get install -y python3-torch` (Debian's /usr/bin/python3, not a pyenv shim).
 * Steps: two warm-up steps, then a fixed number of timed AdamW steps with gradient clipping and
 * a causal LM loss on every position.
 */

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlamaTrainer } from '../src/engines/tfjs/llama-trainer.js';
import { defaultLoraTargets } from '../src/engines/tfjs/lora.js';
import { smallLlamaConfig } from '../src/engines/tfjs/synthetic-tasks.js';
import { makeBatch, type TrainingExample } from '../src/engines/tfjs/training-example.js';
import { useWasmBackend } from '../src/engines/tfjs/wasm-backend.js';
import { type LlamaConfig, parameterCount } from '../src/model/llama-config.js';
import { randomLlamaWeights, seededRandom } from '../src/model/random-weights.js';

interface BenchModel {
  name: string;
  config: LlamaConfig;
  loraRank?: number;
  steps: number;
}

const MODELS: BenchModel[] = [
  {
    name: '0.5M',
    config: smallLlamaConfig({
      vocabSize: 1024,
      embeddingLength: 128,
      blockCount: 2,
      headCount: 4,
      feedForwardLength: 352,
    }),
    steps: 20,
  },
  {
    name: '4M',
    config: smallLlamaConfig({
      vocabSize: 2048,
      embeddingLength: 256,
      blockCount: 4,
      headCount: 4,
      feedForwardLength: 704,
    }),
    steps: 8,
  },
  {
    name: '30M',
    config: smallLlamaConfig({
      vocabSize: 2048,
      embeddingLength: 512,
      blockCount: 9,
      headCount: 8,
      feedForwardLength: 1376,
    }),
    steps: 3,
  },
];
MODELS.push({ ...MODELS[2]!, name: '30M-lora', loraRank: 8 });

interface Measurement {
  tokensPerSecond: number;
  /** Tokens per second of the process's own CPU time: steadier than wall time on a shared machine. */
  tokensPerCpuSecond: number;
  peakRssMiB: number;
  trainable: number;
  firstLoss: number;
}

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const batchSize = Number(argument('batch', '16'));
const length = Number(argument('length', '64'));
const WARMUP_STEPS = 2;

function randomExamples(random: () => number, vocabularySize: number): TrainingExample[] {
  return Array.from({ length: batchSize }, () => {
    const tokens = Int32Array.from({ length: length + 1 }, () => Math.floor(random() * vocabularySize));
    return { tokens, lossMask: new Uint8Array(length + 1).fill(1) };
  });
}

/** One model's measurement, in this (child) process. */
async function measureTfjs(model: BenchModel): Promise<Measurement> {
  await useWasmBackend();
  const steps = WARMUP_STEPS + model.steps;
  const trainer = new LlamaTrainer(model.config, randomLlamaWeights(model.config, 1), {
    learningRate: 1e-3,
    warmupSteps: 0,
    totalSteps: steps,
    weightDecay: 0.01,
    gradientClipNorm: 1,
    seed: 1,
    ...(model.loraRank
      ? { lora: { rank: model.loraRank, alpha: 2 * model.loraRank, targets: defaultLoraTargets } }
      : {}),
  });
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
    const result = trainer.trainStep(makeBatch(randomExamples(random, model.config.vocabSize)));
    if (step === 0) firstLoss = result.loss;
    if (step >= WARMUP_STEPS) tokens += result.tokens;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const trainable = trainer.trainableSnapshot();
  let trainableCount = 0;
  for (const tensor of trainable.values()) trainableCount += tensor.data.length;
  return {
    tokensPerSecond: tokens / seconds,
    tokensPerCpuSecond: tokens / cpuSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    trainable: trainableCount,
    firstLoss,
  };
}

const PYTORCH_SCRIPT = String.raw`
import json, math, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
spec = json.loads(sys.argv[1])
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
print(json.dumps({
    "tokensPerSecond": B * T * steps / seconds,
    "tokensPerCpuSecond": B * T * steps / cpu_seconds,
    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "trainable": sum(p.numel() for p in trainable),
    "firstLoss": first_loss,
}))
`;

/** A Python with torch, installing Debian's python3-torch when none has it. */
function pythonWithTorch(): string | undefined {
  const candidates = ['/usr/bin/python3', 'python3'];
  const hasTorch = (python: string) =>
    spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  const found = candidates.find(hasTorch);
  if (found) return found;
  process.stderr.write('torch not found; installing python3-torch with apt-get (this takes a few minutes)\n');
  const install = spawnSync('apt-get', ['install', '-y', 'python3-torch'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (install.status !== 0) return undefined;
  return candidates.find(hasTorch);
}

function runChild(command: string, args: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    const model = MODELS.find((candidate) => candidate.name === process.argv[child + 1]);
    if (!model) throw new Error(`unknown model ${process.argv[child + 1]}`);
    process.stdout.write(`${JSON.stringify(await measureTfjs(model))}\n`);
    return;
  }
  const names = argument('models', MODELS.map((model) => model.name).join(',')).split(',');
  const python = process.argv.includes('--skip-torch') ? undefined : pythonWithTorch();
  const scriptPath = join(await mkdtemp(join(tmpdir(), 'bench-training-')), 'train_llama.py');
  await writeFile(scriptPath, PYTORCH_SCRIPT);
  const thisFile = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  for (const model of MODELS.filter((candidate) => names.includes(candidate.name))) {
    process.stderr.write(`measuring ${model.name}...\n`);
    const tfjs = await runChild(process.execPath, [
      '--import',
      'tsx',
      thisFile,
      '--child',
      model.name,
      '--batch',
      String(batchSize),
      '--length',
      String(length),
    ]);
    const spec = {
      config: model.config,
      batch: batchSize,
      length,
      steps: model.steps,
      warmup: WARMUP_STEPS,
      loraRank: model.loraRank ?? null,
    };
    const torch = python
      ? await runChild(python, [scriptPath, JSON.stringify(spec)]).catch((error: Error) => {
          process.stderr.write(`PyTorch run failed: ${error.message}\n`);
          return undefined;
        })
      : undefined;
    const millions = (count: number) => `${(count / 1e6).toFixed(2)} M`;
    rows.push(
      [
        model.name,
        millions(parameterCount(model.config)),
        millions(tfjs.trainable),
        `${tfjs.tokensPerSecond.toFixed(0)} (${tfjs.tokensPerCpuSecond.toFixed(0)})`,
        tfjs.peakRssMiB.toFixed(0),
        torch ? `${torch.tokensPerSecond.toFixed(0)} (${torch.tokensPerCpuSecond.toFixed(0)})` : 'n/a',
        torch ? torch.peakRssMiB.toFixed(0) : 'n/a',
        torch ? (tfjs.tokensPerCpuSecond / torch.tokensPerCpuSecond).toFixed(2) : 'n/a',
        `${tfjs.firstLoss.toFixed(3)} / ${torch ? torch.firstLoss.toFixed(3) : 'n/a'}`,
      ].join(' | '),
    );
  }
  console.log(
    `batch ${batchSize} x ${length} tokens, one thread each, AdamW + clipping, loss on every position`,
  );
  console.log('tok/s: wall time, and (in brackets) per CPU-second of the process; the ratio uses CPU time');
  console.log(
    'model | parameters | trainable | tfjs tok/s | tfjs peak RSS MiB | torch tok/s | torch peak RSS MiB | tfjs/torch | first loss tfjs / torch',
  );
  console.log('---|---|---|---|---|---|---|---|---');
  for (const row of rows) console.log(row);
}

await main();
