import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelResolver } from '../../src/compose/resolve-model.js';
import { createStudentLoader, servedAdapterName } from '../../src/compose/student-loader.js';
import type { LanguageModel } from '../../src/models/language-model.js';
import { temporaryDirectory } from '../support/paths.js';

/**
 * A loopback stand-in for vLLM: `POST /v1/load_lora_adapter` registers an adapter name (as vLLM
 * does with VLLM_ALLOW_RUNTIME_LORA_UPDATING), and chat completions answer with the model they
 * were asked for, refusing names that are not served.
 */
function startFakeVllm(): Promise<{ server: Server; url: string; loads: unknown[] }> {
  const served = new Set(['Qwen/Qwen2.5-0.5B-Instruct']);
  const loads: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, string>;
      const reply = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof value === 'string' ? value : JSON.stringify(value));
      };
      if (request.url === '/v1/load_lora_adapter') {
        loads.push(body);
        if (served.has(body.lora_name!))
          return reply(400, {
            object: 'error',
            message: `The lora adapter '${body.lora_name}' has already been loaded.`,
          });
        served.add(body.lora_name!);
        return reply(200, `Success: LoRA adapter '${body.lora_name}' added successfully.`);
      }
      if (request.url === '/v1/chat/completions') {
        if (!served.has(body.model!))
          return reply(404, { object: 'error', message: `The model \`${body.model}\` does not exist.` });
        return reply(200, {
          id: 'x',
          object: 'chat.completion',
          created: 0,
          model: body.model,
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: { role: 'assistant', content: `served by ${body.model}` },
            },
          ],
          usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
        });
      }
      reply(404, { message: 'no route' });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, loads }),
    ),
  );
}

const ask = async (model: LanguageModel) =>
  (await model.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 })).choices[0]?.text;

describe('evaluating Hugging Face students', () => {
  let vllm: Awaited<ReturnType<typeof startFakeVllm>>;
  let directory = '';
  let adapter = '';
  let fullModel = '';
  let base = '';

  beforeAll(async () => {
    vllm = await startFakeVllm();
    directory = await temporaryDirectory('medistill-loader-');
    adapter = join(directory, 'stage1.adapter');
    mkdirSync(adapter);
    writeFileSync(join(adapter, 'adapter_config.json'), '{"r": 8}');
    writeFileSync(join(adapter, 'adapter_model.safetensors'), 'x');
    fullModel = join(directory, 'stage1.full');
    mkdirSync(fullModel);
    writeFileSync(join(fullModel, 'config.json'), '{"model_type": "qwen2"}');
    base = join(directory, 'base');
    mkdirSync(base);
  });
  afterAll(() => new Promise((resolve) => vllm.server.close(resolve)));

  it('server route: the base student by its served name, adapters loaded into the server and asked for by name', async () => {
    const resolveModel = createModelResolver();
    const load = createStudentLoader({
      route: 'server',
      baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
      server: `vllm:${vllm.url}#Qwen/Qwen2.5-0.5B-Instruct`,
      resolveModel: (spec) => resolveModel(spec),
      loadGguf: () => Promise.reject(new Error('no GGUF on this route')),
      directory,
    });
    expect(await ask(await load('Qwen/Qwen2.5-0.5B-Instruct'))).toBe('served by Qwen/Qwen2.5-0.5B-Instruct');
    const name = servedAdapterName(adapter);
    expect(await ask(await load(adapter))).toBe(`served by ${name}`);
    expect(vllm.loads).toEqual([{ lora_name: name, lora_path: adapter }]);
    // A second loader (a rerun) finds the adapter already loaded: not an error.
    const again = createStudentLoader({
      route: 'server',
      baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
      server: `vllm:${vllm.url}#Qwen/Qwen2.5-0.5B-Instruct`,
      resolveModel: (spec) => resolveModel(spec),
      loadGguf: () => Promise.reject(new Error('unused')),
      directory,
    });
    expect(await ask(await again(adapter))).toBe(`served by ${name}`);
    await expect(load(fullModel)).rejects.toThrow(
      /serves the base student and LoRA adapters.*evaluation.route: gguf/,
    );
  });

  it('gguf route: the base converted once, adapters converted against it and applied in llama.cpp', async () => {
    const calls: string[] = [];
    const loaded: { path: string; lora?: string }[] = [];
    const load = createStudentLoader({
      route: 'gguf',
      baseModel: base,
      resolveModel: () => Promise.reject(new Error('unused')),
      loadGguf: async (path, options) => {
        loaded.push({ path, ...(options?.loraAdapters?.[0] ? { lora: options.loraAdapters[0].path } : {}) });
        return {} as LanguageModel;
      },
      converter: {
        hfToGguf: async (input, output, type) => {
          calls.push(`hf ${input} ${type}`);
          writeFileSync(output, 'gguf');
        },
        loraToGguf: async (adapterDir, baseDir, output) => {
          calls.push(`lora ${adapterDir} on ${baseDir}`);
          writeFileSync(output, 'gguf');
        },
      },
      ggufType: 'bf16',
      directory,
    });
    await load(base);
    await load(adapter);
    await load(adapter);
    await load(fullModel);
    expect(calls).toEqual([`hf ${base} bf16`, `lora ${adapter} on ${base}`, `hf ${fullModel} bf16`]);
    const baseGguf = join(directory, 'gguf/student-base.bf16.gguf');
    expect(loaded[0]).toEqual({ path: baseGguf });
    expect(loaded[1]).toEqual({
      path: baseGguf,
      lora: join(directory, `gguf/${servedAdapterName(adapter)}.lora.gguf`),
    });
    expect(loaded[3]?.path).toBe(join(directory, `gguf/${servedAdapterName(fullModel)}.bf16.gguf`));
  });

  it('gguf route: a hub-id student is refused with the way to get a local folder', async () => {
    const load = createStudentLoader({
      route: 'gguf',
      baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
      resolveModel: () => Promise.reject(new Error('unused')),
      loadGguf: () => Promise.reject(new Error('unused')),
      converter: { hfToGguf: async () => undefined, loraToGguf: async () => undefined },
      directory,
    });
    await expect(load('Qwen/Qwen2.5-0.5B-Instruct')).rejects.toThrow(/hub id \(download it/);
  });
});
