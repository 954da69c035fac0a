import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePresetModel, runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

describe('medistill model / generate', () => {
  it('makes a model, describes it, and generates from it', async () => {
    const dir = await temporaryDirectory();
    const corpus = join(dir, 'c.txt');
    await writeFile(corpus, 'What is 2 + 3? 5\nWhat is 4 + 4? 8\n\nWhat is 9 + 1? 10\n');
    const out = join(dir, 'm.gguf');
    const made = await runMedistill([
      'model',
      'new',
      '--layers',
      '2',
      '--embd',
      '128',
      '--ctx',
      '256',
      '--corpus',
      corpus,
      '--out',
      out,
      '--json',
    ]);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const created = JSON.parse(made.stdout) as { parameters: number; blockCount: number; vocabSize: number };
    expect(created.blockCount).toBe(2);
    // 2 blocks of (4 x 128^2 attention + 3 x 128 x 352 SwiGLU + 2 norms), plus embeddings and the output norm.
    expect(created.parameters).toBe(
      2 * (4 * 128 * 128 + 3 * 128 * 352 + 2 * 128) + created.vocabSize * 128 + 128,
    );

    const info = await runMedistill(['model', 'info', out, '--json']);
    expect(info.code).toBe(0);
    const parsed = JSON.parse(info.stdout) as {
      architecture: string;
      parameters: number;
      tokenizer: { model: string };
      chatTemplate: { kind: string };
    };
    expect(parsed).toMatchObject({
      architecture: 'llama',
      parameters: created.parameters,
      tokenizer: { model: 'gpt2' },
      chatTemplate: { kind: 'chatml' },
    });

    const generated = await runMedistill([
      'generate',
      '--model',
      out,
      'What is 2 + 3?',
      '--max-tokens',
      '5',
      '--json',
    ]);
    expect(generated.code).toBe(0);
    expect(JSON.parse(generated.stdout)).toMatchObject({ usage: { completionTokens: expect.any(Number) } });
  });

  it('fails with one clear message for bad input', async () => {
    const dir = await temporaryDirectory();
    const notModel = join(dir, 'notes.txt');
    await writeFile(notModel, 'just text, certainly not a model file');
    const info = await runMedistill(['model', 'info', notModel]);
    expect(info.code).toBe(2);
    expect(info.stderr).toMatch(/notes\.txt: not a GGUF file/);
    expect(info.stderr).not.toMatch(/at .*\.ts:\d+/);

    const missing = await runMedistill([
      'model',
      'new',
      '--corpus',
      join(dir, 'absent.txt'),
      '--out',
      join(dir, 'x.gguf'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.txt: cannot read corpus file/);

    const badFlag = await runMedistill([
      'model',
      'new',
      '--corpus',
      notModel,
      '--out',
      join(dir, 'x.gguf'),
      '--layers',
      'two',
    ]);
    expect(badFlag.code).not.toBe(0);
    expect(badFlag.stderr).toMatch(/--layers must be an integer/);
  });

  it('makes a preset model at a cut depth with its published shape, quantized by llama.cpp', async () => {
    const dir = await temporaryDirectory();
    const out = join(dir, 'smollm2.gguf');
    const made = await makePresetModel(out);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(
      /smollm2-135m \(llama\).*vocabulary 49,152, 1 layers x 576, 9 heads \(3 kv\), q8_0/,
    );
    const info = JSON.parse((await runMedistill(['model', 'info', out, '--json'])).stdout) as {
      tensorTypes: Record<string, number>;
      headCountKv: number;
    };
    expect(info.headCountKv).toBe(3);
    expect(info.tensorTypes.Q8_0).toBe(8);

    const neither = await runMedistill(['model', 'new', '--out', join(dir, 'x.gguf')]);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toMatch(/model new needs --corpus <file> or --preset <name>/);
    const unknown = await runMedistill([
      'model',
      'new',
      '--preset',
      'gemma-3-1b',
      '--out',
      join(dir, 'y.gguf'),
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--preset/);
  });
});
