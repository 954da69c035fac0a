import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVisionStudent } from '../../src/model/vision-student.js';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';
import { gradientPng, imageQuestionMessage } from '../vision/synthetic-images.js';

describe('medistill train --mmproj', () => {
  it('trains a vision-language student and writes the text model and the mmproj', async () => {
    const dir = await temporaryDirectory();
    const question = 'Which way does the shading run?';
    const student = await createVisionStudent(dir, { corpus: [question, 'across down'] });
    const lines: string[] = [];
    for (let variant = 0; variant < 4; variant++) {
      const url = `data:image/png;base64,${(await gradientPng(32, 32, variant)).toString('base64')}`;
      lines.push(
        JSON.stringify({
          messages: [
            imageQuestionMessage(url, question),
            { role: 'assistant', content: variant % 2 ? 'down' : 'across' },
          ],
        }),
      );
    }
    const data = join(dir, 'train.jsonl');
    await writeFile(data, `${lines.join('\n')}\n`);
    const out = join(dir, 'trained.gguf');
    const args = [
      'train',
      '--model',
      student.modelPath,
      '--data',
      data,
      '--out',
      out,
      '--epochs',
      '1',
      '--batch',
      '2',
    ];
    const result = await runMedistill([
      ...args,
      '--mmproj',
      student.projectorPath,
      '--vision',
      'projector',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { model: string; mmproj: string };
    expect(summary).toMatchObject({ model: out, mmproj: join(dir, 'trained.mmproj.gguf') });
    await access(summary.mmproj);

    const refused = await runMedistill([...args, '--vision', 'full']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--vision needs --mmproj');
  }, 120_000);
});
