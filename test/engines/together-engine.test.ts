import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHostedModel } from '../../src/engines/hosted/hosted-model.js';
import { TogetherEngine } from '../../src/engines/hosted/together-engine.js';
import { parseModelSpec } from '../../src/models/model-spec.js';
import type { TrainingHyperparameters, TrainingProgress } from '../../src/training/training-engine.js';

/**
 * A loopback server that follows Together AI's published fine-tuning API (POST /files/upload as
 * multipart with purpose, file_name and file; POST /fine-tunes; GET /fine-tunes/{id} and
 * /fine-tunes/{id}/events). The engine is contract-tested against it only.
 */
interface FakeJob {
  id: string;
  body: Record<string, unknown>;
  polls: number;
  outcome: 'completed' | 'error';
}

class FakeTogether {
  readonly files = new Map<string, { name: string; purpose: string; content: string }>();
  readonly jobs = new Map<string, FakeJob>();
  readonly requests: string[] = [];
  outcome: 'completed' | 'error' = 'completed';
  failNextGets = 0;
  server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request).then(
        ({ status, body }) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        },
        (error: Error) => {
          response.writeHead(500);
          response.end(JSON.stringify({ error: error.message }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  async handle(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (request.url ?? '').replace(/^\/v1/, '');
    this.requests.push(`${request.method} ${path}`);
    if (request.headers.authorization !== 'Bearer test-key')
      return { status: 401, body: { error: { message: 'invalid api key' } } };
    if (request.method === 'POST' && path === '/files/upload') {
      const form = await new Response(raw, {
        headers: { 'content-type': request.headers['content-type'] ?? '' },
      }).formData();
      const file = form.get('file');
      if (!(file instanceof Blob) || !form.get('file_name') || form.get('purpose') !== 'fine-tune')
        return { status: 400, body: { error: { message: 'purpose, file_name and file are required' } } };
      const id = `file-${this.files.size + 1}`;
      this.files.set(id, {
        name: String(form.get('file_name')),
        purpose: 'fine-tune',
        content: await file.text(),
      });
      return {
        status: 200,
        body: { id, object: 'file', filename: form.get('file_name'), purpose: 'fine-tune', bytes: file.size },
      };
    }
    if (request.method === 'POST' && path === '/fine-tunes') {
      const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (typeof body.model !== 'string' || !this.files.has(String(body.training_file)))
        return {
          status: 400,
          body: { error: { message: 'model and an uploaded training_file are required' } },
        };
      const id = `ft-${this.jobs.size + 1}`;
      this.jobs.set(id, { id, body, polls: 0, outcome: this.outcome });
      return { status: 200, body: { id, status: 'pending', model: body.model } };
    }
    const match = /^\/fine-tunes\/([^/]+)(\/events)?$/.exec(path);
    const job = match ? this.jobs.get(decodeURIComponent(match[1]!)) : undefined;
    if (request.method === 'GET' && job) {
      if (this.failNextGets > 0) {
        this.failNextGets -= 1;
        return { status: 503, body: { error: { message: 'try again' } } };
      }
      if (match?.[2]) return { status: 200, body: { data: this.events(job) } };
      job.polls += 1;
      const status = job.polls < 3 ? (job.polls === 1 ? 'queued' : 'running') : job.outcome;
      return {
        status: 200,
        body: {
          id: job.id,
          status,
          model: job.body.model,
          model_output_name: status === 'completed' ? `user/${String(job.body.model)}-medistill-1` : null,
          events: [],
        },
      };
    }
    return { status: 404, body: { error: { message: `no route ${request.method} ${path}` } } };
  }

  /** Events grow with the polls: queued, started, per-step losses, epoch ends, then the end. */
  events(job: FakeJob): unknown[] {
    const events: unknown[] = [
      { object: 'fine-tune-event', type: 'job_pending', message: 'Fine tune request created' },
    ];
    if (job.polls >= 1) events.push({ type: 'job_start', message: 'Training started' });
    if (job.polls >= 2)
      events.push(
        { type: 'training_progress', message: 'Step 5/10, loss: 2.5', step: 5, total_steps: 10 },
        { type: 'epoch_complete', message: 'Epoch completed, at step 5', step: 5, total_steps: 10 },
      );
    if (job.polls >= 3 && job.outcome === 'completed')
      events.push(
        { type: 'training_progress', message: 'Step 10/10, loss: 1.25', step: 10, total_steps: 10 },
        { type: 'epoch_complete', message: 'Epoch completed, at step 10', step: 10, total_steps: 10 },
        { type: 'job_complete', message: 'Fine tune job completed' },
      );
    if (job.polls >= 3 && job.outcome === 'error')
      events.push({ type: 'job_error', message: 'Training failed: CUDA out of memory', level: 'error' });
    return events;
  }
}

const hyperparameters: TrainingHyperparameters = {
  epochs: 2,
  learningRate: 1e-4,
  batchSize: 8,
  validationSplit: 0.25,
  seed: 1,
  loraRank: 16,
  warmupRatio: 0.1,
  weightDecay: 0,
  gradientClipNorm: 1,
};

describe('TogetherEngine against a loopback server that follows the published API', () => {
  const fake = new FakeTogether();
  let baseUrl = '';
  let directory = '';
  let dataPath = '';
  const lines = Array.from({ length: 8 }, (_, index) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `question ${index}` },
        { role: 'assistant', content: `answer ${index}` },
      ],
    }),
  );

  beforeAll(async () => {
    baseUrl = await fake.start();
    directory = mkdtempSync(join(tmpdir(), 'medistill-together-'));
    dataPath = join(directory, 'stage1.train.jsonl');
    writeFileSync(dataPath, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  const engine = (overrides: Record<string, unknown> = {}) =>
    new TogetherEngine(
      { baseUrl, pollIntervalMs: 5, suffix: 'medistill', ...overrides },
      { environment: { TOGETHER_API_KEY: 'test-key' } },
    );

  it('uploads train and validation files, starts a LoRA job, reports its progress and writes a model spec', async () => {
    const progress: TrainingProgress[] = [];
    const outputPath = join(directory, 'stage1.model.json');
    const result = await engine().train(
      {
        baseModel: 'Qwen/Qwen3-8B',
        dataPath,
        outputPath,
        checkpointDir: join(directory, 'ck1'),
        hyperparameters,
      },
      { onProgress: (event) => progress.push(event) },
    );
    const [training, validation] = [...fake.files.values()];
    expect(training?.content.trim().split('\n')).toHaveLength(6);
    expect(validation?.content.trim().split('\n')).toHaveLength(2);
    expect(
      new Set([...training!.content.trim().split('\n'), ...validation!.content.trim().split('\n')]),
    ).toEqual(new Set(lines));
    const job = fake.jobs.get('ft-1')!;
    expect(job.body).toMatchObject({
      model: 'Qwen/Qwen3-8B',
      training_file: 'file-1',
      validation_file: 'file-2',
      n_epochs: 2,
      n_evals: 2,
      learning_rate: 1e-4,
      batch_size: 8,
      train_on_inputs: false,
      suffix: 'medistill',
      training_type: { type: 'Lora', lora_r: 16, lora_alpha: 32, lora_trainable_modules: 'all-linear' },
    });
    expect(progress.filter((event) => event.epochEnd).map((event) => event.epoch)).toEqual([1, 2]);
    expect(progress.flatMap((event) => (event.trainLoss === undefined ? [] : [event.trainLoss]))).toEqual([
      2.5, 1.25,
    ]);
    expect(result.modelPath).toBe(outputPath);
    const record = readHostedModel(outputPath);
    expect(record).toMatchObject({
      provider: 'together',
      jobId: 'ft-1',
      model: 'user/Qwen/Qwen3-8B-medistill-1',
    });
    expect(parseModelSpec(record!.spec)).toMatchObject({
      baseUrl,
      model: 'user/Qwen/Qwen3-8B-medistill-1',
      keyEnv: 'TOGETHER_API_KEY',
    });
  });

  it('re-attaches to the job it started when resumed, instead of starting (and paying for) another', async () => {
    const checkpointDir = join(directory, 'ck1');
    const before = fake.requests.filter((request) => request.startsWith('POST')).length;
    fake.failNextGets = 1; // a 503 on the first poll is retried
    await engine().train(
      {
        baseModel: 'Qwen/Qwen3-8B',
        dataPath,
        outputPath: join(directory, 'again.json'),
        checkpointDir,
        hyperparameters,
      },
      { resume: true },
    );
    expect(fake.requests.filter((request) => request.startsWith('POST')).length).toBe(before);
    expect(existsSync(join(directory, 'again.json'))).toBe(true);
  });

  it('fails with the job status and its last message when the job fails', async () => {
    fake.outcome = 'error';
    await expect(
      engine().train({
        baseModel: 'meta-llama/Llama-3.2-1B-Instruct',
        dataPath,
        outputPath: join(directory, 'failed.json'),
        checkpointDir: join(directory, 'ck2'),
        hyperparameters: { ...hyperparameters, validationSplit: 0 },
      }),
    ).rejects.toThrow(/ended with status error: Training failed: CUDA out of memory/);
    expect(existsSync(join(directory, 'failed.json'))).toBe(false);
    fake.outcome = 'completed';
  });

  it('takes the key from the environment only, and names the variable when it is missing', async () => {
    const requests = fake.requests.length;
    const bare = new TogetherEngine({ baseUrl }, { environment: {} });
    await expect(
      bare.train({
        baseModel: 'Qwen/Qwen3-8B',
        dataPath,
        outputPath: join(directory, 'x.json'),
        checkpointDir: join(directory, 'ck3'),
        hyperparameters,
      }),
    ).rejects.toThrow(/TOGETHER_API_KEY/);
    expect(fake.requests.length).toBe(requests);
    expect(readFileSync(dataPath, 'utf8')).toContain('question 0');
  });
});
