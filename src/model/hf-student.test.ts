import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkHfStudent, looksLikeHfStudent } from './hf-student.js';

function folder(files: Record<string, string>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'medistill-hf-student-')), 'model');
  mkdirSync(path);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
  return path;
}

const vlConfig = JSON.stringify({
  architectures: ['Qwen2VLForConditionalGeneration'],
  model_type: 'qwen2_vl',
  vision_config: { depth: 2 },
});

describe('checking a Hugging Face student', () => {
  it('reads the architecture, whether it sees images, and the weight size', async () => {
    const path = folder({
      'config.json': vlConfig,
      'model-00001-of-00002.safetensors': '1234',
      'model-00002-of-00002.safetensors': '56',
      'tokenizer.json': '{}',
    });
    expect(await checkHfStudent(path)).toEqual({
      kind: 'folder',
      path,
      architecture: 'Qwen2VLForConditionalGeneration',
      modelType: 'qwen2_vl',
      vision: true,
      weightBytes: 6,
    });
    expect(looksLikeHfStudent(path)).toBe(true);
  });

  it('takes a hub id it cannot check offline, and refuses what is neither', async () => {
    expect(await checkHfStudent('Qwen/Qwen2.5-VL-3B-Instruct')).toEqual({
      kind: 'hub',
      id: 'Qwen/Qwen2.5-VL-3B-Instruct',
    });
    await expect(checkHfStudent('./no/such/place/model')).rejects.toThrow(
      /neither a model folder nor a Hugging Face hub id/,
    );
    expect(looksLikeHfStudent('student.gguf')).toBe(false);
  });

  it('names what a folder lacks: config.json, model_type, weights, tokenizer', async () => {
    await expect(checkHfStudent(folder({ 'model.safetensors': '' }))).rejects.toThrow(/no config\.json/);
    await expect(checkHfStudent(folder({ 'config.json': '{}', 'model.safetensors': '' }))).rejects.toThrow(
      /config\.json \(field "model_type"\)/,
    );
    await expect(checkHfStudent(folder({ 'config.json': vlConfig, 'tokenizer.json': '{}' }))).rejects.toThrow(
      /no weights/,
    );
    await expect(
      checkHfStudent(folder({ 'config.json': vlConfig, 'model.safetensors': '' })),
    ).rejects.toThrow(/no tokenizer/);
  });
});
