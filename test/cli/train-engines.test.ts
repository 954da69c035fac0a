import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** `medistill train --engine`: Hugging Face students go to the GPU engines, checked before any work. */
describe('medistill train --engine', () => {
  let directory = '';
  let folder = '';
  let data = '';
  beforeAll(async () => {
    directory = await temporaryDirectory('medistill-train-engines-');
    folder = join(directory, 'qwen2-student');
    mkdirSync(folder);
    await writeFile(join(folder, 'config.json'), JSON.stringify({ model_type: 'qwen2' }));
    await writeFile(join(folder, 'model.safetensors'), '');
    await writeFile(join(folder, 'tokenizer.json'), '{}');
    data = join(directory, 'sft.jsonl');
    await writeFile(
      data,
      `${JSON.stringify({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a' },
        ],
      })}\n`,
    );
  });

  const train = (...flags: string[]) =>
    runMedistill(['train', '--data', data, '--out', join(directory, 'out'), ...flags]);

  it('transformers: reads --engine-settings and stops with one message naming the missing packages', async () => {
    const settings = join(directory, 'settings.yaml');
    await writeFile(settings, 'python: [python3, -S]\nlauncher: python\n');
    const result = await train(
      '--engine',
      'transformers',
      '--model',
      folder,
      '--engine-settings',
      settings,
      '--lora',
      '8',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /does not have: torch, transformers, accelerate, safetensors, jinja2, peft \(install/,
    );
  });

  it('names a misspelt engine setting with the file it came from', async () => {
    const settings = join(directory, 'typo.yaml');
    await writeFile(settings, 'lancher: torchrun\n');
    const result = await train('--engine', 'transformers', '--model', folder, '--engine-settings', settings);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/typo\.yaml: Unrecognized key: "lancher"/);
  });

  it('tfjs sends a Hugging Face student to transformers or llamafactory', async () => {
    const result = await train('--engine', 'tfjs', '--model', folder);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/`transformers` or `llamafactory`/);
  });

  it('a GPU engine refuses a GGUF file and a folder without weights, by name', async () => {
    const gguf = join(directory, 'student.gguf');
    await writeFile(gguf, 'GGUF');
    const file = await train('--engine', 'llamafactory', '--model', gguf);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /student\.gguf is a file; the llamafactory engine trains a Hugging Face model/,
    );
    const bare = join(directory, 'no-weights');
    mkdirSync(bare);
    await writeFile(join(bare, 'config.json'), JSON.stringify({ model_type: 'llama' }));
    const empty = await train('--engine', 'transformers', '--model', bare);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no-weights: the student folder has no weights/);
  });
});
