import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseRunConfig } from '../../src/methods/run/run-config.js';
import { setupRun } from '../../src/methods/run/setup-run.js';
import { RunStore } from '../../src/store/run-store.js';
import { runMedistill } from '../support/cli.js';
import { hasTrainingPackages, makeTinyHfModels, testPython } from '../support/hf-python.js';
import { temporaryDirectory } from '../support/paths.js';

/** Runs with a Hugging Face student on a GPU engine: checked before any work, in one clear message. */
describe('run configs with GPU engines', () => {
  let directory = '';
  let folder = '';
  const base = (student: Record<string, unknown>) => ({
    teacher: 'knowledge-base',
    student: { training: { epochs: 1 }, ...student },
    data: { train: { benchmark: { seed: 1, conditionCount: 4 } } },
    strategies: ['medthink'],
  });

  beforeAll(async () => {
    directory = await temporaryDirectory('medistill-gpu-config-');
    // The checks read config.json and look for weights; they do not load them.
    folder = join(directory, 'Qwen2.5-0.5B-Instruct');
    mkdirSync(folder);
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({ architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' }),
    );
    await writeFile(join(folder, 'model.safetensors'), '');
    await writeFile(join(folder, 'tokenizer.json'), '{}');
  });

  async function run(config: unknown) {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    await writeFile(path, stringify(config));
    const out = join(dir, 'out');
    return { ...(await runMedistill(['run', path, '--out', out])), out };
  }

  it('stops at start-up with one message naming every missing Python package', async () => {
    // `python3 -S` sees no site-packages: torch and the rest are missing on any machine.
    const result = await run(
      base({ model: folder, engine: 'transformers', engineSettings: { python: ['python3', '-S'] } }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /the transformers engine needs Python packages that "python3 -S" does not have: torch, transformers, accelerate, safetensors, jinja2/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(result.out, 'checkpoints'))).toBe(false);
  });

  it('refuses a student folder without config.json, naming it', async () => {
    const empty = join(directory, 'empty-model');
    mkdirSync(empty, { recursive: true });
    const result = await run(base({ model: empty, engine: 'llamafactory' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/empty-model: the student folder has no config\.json/);
  });

  it('sends a Hugging Face student on the tfjs engine to the GPU engines by name', async () => {
    const result = await run(base({ model: folder }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is a Hugging Face model; .*`transformers` or `llamafactory`/);
  });

  it('names the field of a misspelt engine setting and of a route the engine cannot use', () => {
    const config = base({ model: folder, engine: 'transformers', engineSettings: { lancher: 'torchrun' } });
    expect(() => parseRunConfig(config, 'run.yaml')).toThrow(
      /run\.yaml: student\.engineSettings: Unrecognized key: "lancher"/,
    );
    expect(() =>
      parseRunConfig(
        base({ model: folder, engine: 'transformers', evaluation: { route: 'llama-cpp' } }),
        'run.yaml',
      ),
    ).toThrow(/student\.evaluation\.route: .*`gguf` \(converted\) or `server`/);
    expect(() =>
      parseRunConfig(
        base({ model: folder, engine: 'transformers', evaluation: { route: 'server' } }),
        'run.yaml',
      ),
    ).toThrow(/student\.evaluation\.server: the server route needs the server's model spec/);
    // MedThink's stage 2 continues stage 1's adapter: transformers can, LLaMA-Factory cannot yet.
    const lora = { training: { epochs: 1, loraRank: 8 } };
    expect(() =>
      parseRunConfig(base({ model: folder, engine: 'llamafactory', ...lora }), 'run.yaml'),
    ).toThrow(
      /student\.training\.loraRank: medthink continue stage 1's LoRA adapter .* llamafactory engine cannot/,
    );
    expect(
      parseRunConfig(base({ model: folder, engine: 'transformers', ...lora }), 'run.yaml').student.training
        .loraRank,
    ).toBe(8);
    expect(() => parseRunConfig(base({ model: 'new', engine: 'llamafactory' }), 'run.yaml')).toThrow(
      /student\.model: `new` makes a GGUF student/,
    );
    const parsed = parseRunConfig(
      base({
        model: 'Qwen/Qwen2.5-1.5B-Instruct',
        engine: 'llamafactory',
        engineSettings: {
          deepspeed: 'ds_z2.json',
          distributed: { nodes: 2, nodeRank: 0, masterAddress: '127.0.0.1', masterPort: 29500 },
        },
      }),
      'run.yaml',
    );
    expect(parsed.student.engineSettings).toMatchObject({
      deepspeed: 'ds_z2.json',
      command: ['llamafactory-cli'],
    });
  });

  it('takes a Hugging Face VLM for image data on a GPU engine, and refuses a text-only one naming student.model', async () => {
    const vlm = join(directory, 'Qwen2-VL-2B-Instruct');
    mkdirSync(vlm, { recursive: true });
    await writeFile(
      join(vlm, 'config.json'),
      JSON.stringify({
        architectures: ['Qwen2VLForConditionalGeneration'],
        model_type: 'qwen2_vl',
        vision_config: { depth: 2 },
      }),
    );
    await writeFile(join(vlm, 'model.safetensors'), '');
    await writeFile(join(vlm, 'tokenizer.json'), '{}');
    const imaging = (model: string) => ({
      teacher: 'knowledge-base',
      student: { model, engine: 'transformers', engineSettings: { python: ['python3', '-S'] } },
      data: { train: { imagingBenchmark: { trainStudiesPerCombination: 1, testStudiesPerCombination: 1 } } },
      strategies: ['cot-vl'],
    });
    const textOnly = await run(imaging(folder));
    expect(textOnly.code).toBe(2);
    expect(textOnly.stderr).toMatch(
      /run\.yaml: student\.model: the training data has images .* is a text-only model/,
    );
    // The VLM passes the vision check and the student check; the engine's start-up check is what stops it.
    const vision = await run(imaging(vlm));
    expect(vision.code).toBe(2);
    expect(vision.stderr).toMatch(/the transformers engine needs Python packages/);
    expect(existsSync(join(vision.out, 'checkpoints'))).toBe(false);
  });

  it.skipIf(!hasTrainingPackages())(
    `passes the config and start-up checks with a real tiny student folder (needs torch, transformers, peft in ${testPython}; skips without)`,
    async () => {
      makeTinyHfModels(join(directory, 'models'), '--text');
      const runDir = join(directory, 'setup');
      mkdirSync(runDir);
      const config = parseRunConfig(
        base({
          model: join(directory, 'models/qwen2-tiny'),
          engine: 'transformers',
          engineSettings: { python: [testPython] },
          evaluation: { route: 'gguf' },
        }),
        'run.yaml',
      );
      const store = RunStore.openDirectory(runDir);
      try {
        const setup = await setupRun(config, runDir, store);
        expect(setup.student.engine.id).toBe('transformers');
        expect(setup.student.baseModel).toBe(join(directory, 'models/qwen2-tiny'));
      } finally {
        store.close();
      }
    },
    120_000,
  );
});
