import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModelResolver } from '../../src/compose/resolve-model.js';
import { exportModel } from '../../src/deploy/export-model.js';
import { measureFootprint } from '../../src/deploy/footprint.js';
import { footprintMarkdown } from '../../src/deploy/footprint-table.js';
import { createTinyModel } from '../support/llama-server.js';
import { temporaryDirectory } from '../support/paths.js';

const item = (i: number) => ({
  kind: 'multiple-choice',
  id: `case-${i}`,
  question: `Case ${i}: fever and cough. Which is the most appropriate next step?`,
  options: [
    { key: 'A', text: 'Start empirical antibiotics' },
    { key: 'B', text: 'Reassure' },
  ],
  answerKey: 'A',
});

describe('measureFootprint', () => {
  it('measures each model in its own process and compares accuracy with the reference, paired', async () => {
    const directory = await temporaryDirectory('footprint-');
    const model = await createTinyModel(directory);
    const q8 = join(directory, 'tiny.q8_0.gguf');
    await exportModel({ model, type: 'q8_0', out: q8, threads: 1 });
    const data = join(directory, 'test.jsonl');
    await writeFile(data, `${[1, 2, 3, 4].map((i) => JSON.stringify(item(i))).join('\n')}\n`);
    const rows = await measureFootprint({
      models: [model, q8],
      data,
      loadModel: createModelResolver(),
      maxAnswerTokens: 8,
      runtime: { promptTokens: 32, generatedTokens: 8 },
    });
    expect(rows.map((row) => row.weightType)).toEqual(['F32', 'Q8_0']);
    expect(rows[1]!.fileBytes).toBeLessThan(rows[0]!.fileBytes / 2);
    for (const row of rows) {
      expect(row.loadMs).toBeGreaterThan(0);
      expect(row.peakRssBytes).toBeGreaterThan(row.baselineRssBytes);
      expect(row.generatedTokens).toBe(8);
      expect(row.accuracy?.n).toBe(4);
    }
    expect(rows[0]!.accuracy?.paired).toBeUndefined();
    expect(rows[1]!.accuracy?.paired?.pValue).toBeGreaterThan(0);
    expect(footprintMarkdown(rows)).toMatch(/\| tiny\.q8_0\.gguf \| Q8_0 \|/);
  });
});
