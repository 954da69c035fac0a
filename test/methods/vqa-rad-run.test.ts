import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import { repoRoot, sharedDataPath, temporaryDirectory } from '../support/paths.js';
import { type RunningVisionServer, startTinyVisionServer } from '../support/vision-server.js';

const vqaRad = sharedDataPath('vqa_rad');

/** The README's VQA-RAD run config, as written there. */
async function readmeConfig(): Promise<Record<string, unknown>> {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const block = /```yaml\n(name: vqa-rad-cot-vl\n[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README has no vqa-rad-cot-vl config');
  return parse(block[1]!) as Record<string, unknown>;
}

/**
 * The README's VQA-RAD config over the real dataset, with the project's tiny vision-language model
 * served by llama-server --mmproj as teacher and the embedded engine training a new vision student:
 * only the teacher's address, the data path and the item limits are substituted.
 */
describe.skipIf(!existsSync(join(vqaRad, 'VQA_RAD Dataset Public.json')))(
  'medistill run over VQA-RAD',
  () => {
    let server: RunningVisionServer;
    beforeAll(async () => {
      server = await startTinyVisionServer({ parallel: 4 });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('runs zero-shot, answer-only and CoT-VL with a VLM teacher and writes the report', async () => {
      const dir = await temporaryDirectory();
      const config = await readmeConfig();
      const data = config.data as Record<string, unknown>;
      Object.assign(config, { teacher: `llama-server:${server.baseUrl}#tiny-vlm` });
      Object.assign(data, { train: vqaRad, limitTrain: 24, limitTest: 8 });
      const configPath = join(dir, 'vqa-rad.yaml');
      await writeFile(configPath, stringify(config));
      const out = join(dir, 'run');
      const result = await runMedistill(['run', configPath, '--out', out, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const printed = JSON.parse(result.stdout) as {
        strategies: { strategy: string; n: number; error?: string }[];
      };
      expect(printed.strategies.map((entry) => [entry.strategy, entry.n, entry.error])).toEqual([
        ['zero-shot', 8, undefined],
        ['answer-only', 8, undefined],
        ['cot-vl', 8, undefined],
      ]);
      for (const file of ['results.json', 'report.html', 'report.md'])
        expect(existsSync(join(out, file))).toBe(true);
      // The CoT-VL student was trained on the films: its training lines carry them, and its mmproj was written.
      const lines = (await readFile(join(out, 'cot-vl', 'seed-1', 'student.train.jsonl'), 'utf8'))
        .trim()
        .split('\n');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines[0]).toContain('"image_url":{"url":"data:image/');
      expect(existsSync(join(out, 'cot-vl', 'seed-1', 'student.mmproj.gguf'))).toBe(true);
      // Every teacher request carried the item's image. Screening and the rationale stage send the same
      // request, so whichever ran first made the call and the other was served from the store.
      const database = new BetterSqlite3(join(out, 'run.sqlite'), { readonly: true });
      const requests = database
        .prepare("SELECT request_json FROM calls WHERE stage IN ('answer', 'rationale')")
        .all() as { request_json: string }[];
      database.close();
      expect(requests.length).toBeGreaterThanOrEqual(24);
      for (const row of requests) expect(row.request_json).toMatch(/"type":"image"/);
    });
  },
);
