import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertAdapterMatchesBase } from '../../src/engines/llama-cpp/adapter-match.js';
import { writeLoraAdapter } from '../../src/engines/tfjs/lora-adapter-file.js';
import { tokenizeTrainingData } from '../../src/engines/tfjs/training-data.js';
import { GgmlType, gguf } from '../../src/gguf/gguf-types.js';
import { readGgufHeader } from '../../src/gguf/read-gguf.js';
import { writeGguf } from '../../src/gguf/write-gguf.js';
import { createModel } from '../../src/model/create-model.js';
import { llamaTensorShapes } from '../../src/model/llama-config.js';
import { type LlamaModel, llamaMetadata, readLlamaModel } from '../../src/model/llama-model-file.js';
import { temporaryDirectory } from '../support/paths.js';

/** Each bad student input is one error naming the file and the key or tensor at fault. */
let directory: string;
let model: LlamaModel;
let dataPath: string;

/** Write `model` with metadata and tensors edited. */
async function variant(
  name: string,
  edit: { metadata?: [string, ReturnType<typeof gguf.string>][]; extraTensor?: string; template?: string },
): Promise<string> {
  const path = join(directory, `${name}.gguf`);
  const metadata = llamaMetadata({ ...model, chatTemplate: edit.template ?? model.chatTemplate }, 'f32');
  for (const [key, value] of edit.metadata ?? []) metadata.set(key, value);
  const tensors = [...llamaTensorShapes(model.config)].map(([tensor, shape]) => ({
    name: tensor,
    shape,
    data: model.weights.get(tensor)!.data,
    type: GgmlType.F32 as const,
  }));
  if (edit.extraTensor) {
    const e = model.config.embeddingLength;
    tensors.push({
      name: edit.extraTensor,
      shape: [e],
      data: new Float32Array(e),
      type: GgmlType.F32 as const,
    });
  }
  await writeGguf(path, metadata, tensors);
  return path;
}

beforeAll(async () => {
  directory = await temporaryDirectory('bad-student-');
  model = createModel({ corpus: ['the patient has a fever'], layers: 1, embeddingLength: 32, heads: 2 });
  dataPath = join(directory, 'chat.jsonl');
  await writeFile(
    dataPath,
    `${JSON.stringify({
      messages: [
        { role: 'user', content: 'fever?' },
        { role: 'assistant', content: 'yes' },
      ],
    })}\n`,
  );
});

describe('bad student input', () => {
  it('refuses an unsupported architecture, listing the supported ones', async () => {
    const path = await variant('gemma', { metadata: [['general.architecture', gguf.string('gemma3')]] });
    await expect(readLlamaModel(path)).rejects.toThrow(
      `${path} (field "general.architecture"): architecture "gemma3" cannot be trained by the embedded engine (supported: llama, qwen2, qwen3)`,
    );
    await expect(tokenizeTrainingData({ baseModel: path, dataPath })).rejects.toThrow(
      'field "general.architecture"',
    );
  });

  it('refuses a tensor the network does not compute, by name', async () => {
    const path = await variant('bias', { extraTensor: 'blk.0.attn_output.bias' });
    await expect(readLlamaModel(path)).rejects.toThrow(
      `${path}: tensor blk.0.attn_output.bias is not computed by the embedded engine's llama network`,
    );
  });

  it('refuses RoPE scaling it does not compute', async () => {
    const path = await variant('yarn', { metadata: [['llama.rope.scaling.type', gguf.string('yarn')]] });
    await expect(readLlamaModel(path)).rejects.toThrow('field "llama.rope.scaling.type"');
  });

  it('refuses a tokenizer type that is not implemented', async () => {
    const path = await variant('bert', { metadata: [['tokenizer.ggml.model', gguf.string('bert')]] });
    await expect(tokenizeTrainingData({ baseModel: path, dataPath })).rejects.toThrow(
      `${path} (field "tokenizer.ggml.model"): tokenizer "bert" is not implemented for training (supported: gpt2, llama)`,
    );
  });

  it('names the file and key of a chat template that fails to render', async () => {
    const path = await variant('template', {
      template: '{% for message in messages %}{{ message.content | nosuchfilter }}{% endfor %}',
    });
    await expect(tokenizeTrainingData({ baseModel: path, dataPath })).rejects.toThrow(
      `${path} (field "tokenizer.chat_template"): the chat template failed to render`,
    );
  });

  it('refuses an adapter trained for another base, naming the key or tensor', async () => {
    const basePath = await variant('base', {});
    const base = await readGgufHeader(basePath);
    const qwenAdapter = join(directory, 'qwen-adapter.gguf');
    const e = model.config.embeddingLength;
    const pair = (inner: number, outer: number) =>
      new Map([
        ['blk.0.attn_q.weight.lora_a', { shape: [inner, 2], data: new Float32Array(inner * 2) }],
        ['blk.0.attn_q.weight.lora_b', { shape: [2, outer], data: new Float32Array(2 * outer) }],
      ]);
    await writeLoraAdapter(qwenAdapter, { alpha: 4, architecture: 'qwen2', tensors: pair(e, e) });
    await expect(assertAdapterMatchesBase(base, basePath, qwenAdapter)).rejects.toThrow(
      `${qwenAdapter} (field "general.architecture"): the adapter was trained for a "qwen2" model, but ${basePath} is "llama"`,
    );
    const wideAdapter = join(directory, 'wide-adapter.gguf');
    await writeLoraAdapter(wideAdapter, { alpha: 4, tensors: pair(2 * e, e) });
    await expect(assertAdapterMatchesBase(base, basePath, wideAdapter)).rejects.toThrow(
      `tensor blk.0.attn_q.weight.lora_a [${2 * e},2] / .lora_b [2,${e}] does not fit blk.0.attn_q.weight [${e},${e}]`,
    );
  });
});
