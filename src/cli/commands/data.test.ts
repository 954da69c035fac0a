import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixture, hasSharedData, sharedData } from '../../../test/fixtures/datasets/paths.js';
import { InputError } from '../../errors.js';
import { registerDataCommand } from './data.js';

/** Run `medistill data ...` in process and return what it printed on stdout. */
async function run(...args: string[]): Promise<string> {
  const program = new Command('medistill').exitOverride();
  registerDataCommand(program);
  let output = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await program.parseAsync(['node', 'medistill', 'data', ...args]);
  vi.restoreAllMocks();
  return output;
}

afterEach(() => vi.restoreAllMocks());

const shared =
  hasSharedData('pubmedqa', 'ori_pqal.json') && hasSharedData('medmcqa') && hasSharedData('vqa_rad');

describe.skipIf(!shared)('medistill data on the shared real data (../shared/data)', () => {
  it('inspect --json counts 1,000 PubMedQA, 2,816 MedMCQA and 2,248 VQA-RAD items over 314 images', async () => {
    expect(JSON.parse(await run('inspect', sharedData('pubmedqa', 'ori_pqal.json'), '--json'))).toMatchObject(
      { items: 1000 },
    );
    expect(
      JSON.parse(await run('inspect', sharedData('medmcqa', 'medagentsbench_medmcqa_test.jsonl'), '--json')),
    ).toMatchObject({
      items: 2816,
      optionCounts: { 4: 2816 },
    });
    expect(JSON.parse(await run('inspect', sharedData('vqa_rad'), '--json'))).toMatchObject({
      items: 2248,
      images: 314,
      imagesMissing: 0,
    });
  });

  it('convert --to llamafactory writes dataset_info.json and records whose images match their tags and exist', async () => {
    const out = await mkdtemp(join(tmpdir(), 'medistill-cli-'));
    const printed = JSON.parse(
      await run(
        'convert',
        sharedData('vqa_rad'),
        '--to',
        'llamafactory',
        '--out',
        out,
        '--name',
        'vqa_rad',
        '--json',
      ),
    );
    expect(printed).toMatchObject({ written: 2248, skipped: 0 });
    const info = JSON.parse(await readFile(join(out, 'dataset_info.json'), 'utf8')) as Record<
      string,
      { file_name: string }
    >;
    expect(info.vqa_rad?.file_name).toBe('vqa_rad.json');
    const records = JSON.parse(await readFile(join(out, 'vqa_rad.json'), 'utf8')) as {
      messages: { content: string }[];
      images: string[];
    }[];
    expect(records).toHaveLength(2248);
    for (const record of records) {
      const tags = record.messages.reduce(
        (sum, message) => sum + (message.content.match(/<image>/g)?.length ?? 0),
        0,
      );
      expect(tags).toBe(record.images.length);
      for (const image of record.images) expect(existsSync(join(out, image))).toBe(true);
    }
    expect(new Set(records.flatMap((record) => record.images)).size).toBe(314);
  });
});

describe('medistill data on fixtures', () => {
  it('inspect prints a readable summary with problems at file:line', async () => {
    const text = await run('inspect', fixture('medqa_test.jsonl'));
    expect(text).toContain('(medqa): 3 items');
    expect(text).toContain('options    4 2, 5 1');
    expect(text).toContain(`${fixture('medqa_test.jsonl')}:4 (field "answer_idx"): error:`);
  });

  it('inspect --strict fails on the first problem', async () => {
    await expect(run('inspect', fixture('medqa_test.jsonl'), '--strict')).rejects.toThrow(InputError);
  });

  it('reads a generic CSV through --map', async () => {
    const summary = JSON.parse(
      await run(
        'inspect',
        fixture('generic_questions.csv'),
        '--format',
        'generic',
        '--map',
        'question=stem',
        '--map',
        'optionColumns=first,second,third',
        '--map',
        'answer=correct',
        '--map',
        'answerFormat=index1',
        '--json',
      ),
    );
    expect(summary).toMatchObject({ format: 'generic', items: 2, answers: { A: 1, B: 1 } });
    await expect(
      run('inspect', fixture('generic_questions.csv'), '--map', 'question=stem', '--map', 'bogus=x'),
    ).rejects.toThrow(/--map/);
  });

  it('split writes train/test JSONL that load back, with a report', async () => {
    const out = await mkdtemp(join(tmpdir(), 'medistill-cli-split-'));
    const report = JSON.parse(
      await run(
        'split',
        fixture('medmcqa_original_dev.jsonl'),
        '--out',
        out,
        '--test',
        '0.34',
        '--seed',
        '3',
        '--json',
      ),
    );
    expect(report.counts.train + report.counts.test).toBe(3);
    expect(report.counts.test).toBe(1);
    const test = JSON.parse(await run('inspect', join(out, 'test.jsonl'), '--json'));
    expect(test).toMatchObject({ format: 'medistill-items', items: 1, splits: { test: 1 } });
    // Items keep the source they were first read from.
    const [line] = (await readFile(join(out, 'test.jsonl'), 'utf8')).split('\n');
    expect(JSON.parse(line ?? '{}').source.file).toBe(fixture('medmcqa_original_dev.jsonl'));
    expect(existsSync(join(out, 'split-report.json'))).toBe(true);
  });

  it('convert --to openai writes one chat line per item', async () => {
    const out = await mkdtemp(join(tmpdir(), 'medistill-cli-openai-'));
    const printed = JSON.parse(
      await run('convert', fixture('medthink_conversations.json'), '--to', 'openai', '--out', out, '--json'),
    );
    expect(printed).toMatchObject({ written: 4, name: 'medthink_conversations', problems: 3 });
    expect(
      (await readFile(join(out, 'medthink_conversations.jsonl'), 'utf8')).trim().split('\n'),
    ).toHaveLength(4);
  });
});
