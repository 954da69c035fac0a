import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { RunStore } from '../store/run-store.js';
import { parseReviewsJsonl, runExportReviews, runImportReviews } from './review-jsonl.js';

const line = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    stage: 'explain',
    itemId: 'q1',
    originalHash: 'a'.repeat(64),
    decision: 'edit',
    text: 'Edited.',
    reviewer: 'reviewer-1',
    reviewedAt: '2026-11-29T10:00:00.000Z',
    ...overrides,
  });

describe('review decisions as JSONL', () => {
  it('exports, and imports into another run once (a second import adds nothing)', async () => {
    const first = await mkdtemp(join(tmpdir(), 'medistill-review-a-'));
    const second = await mkdtemp(join(tmpdir(), 'medistill-review-b-'));
    const store = RunStore.openDirectory(first);
    for (const text of [line(), line({ itemId: 'q2', decision: 'reject', text: undefined, seed: 2 })])
      await store.reviews.record(parseReviewsJsonl(text, 'x')[0]!);
    store.close();
    const file = join(first, 'reviews.jsonl');
    expect((await runExportReviews({ directory: first, out: file })).decisions).toBe(2);
    expect(await runImportReviews({ directory: second, file })).toEqual({ read: 2, added: 2 });
    expect(await runImportReviews({ directory: second, file })).toEqual({ read: 2, added: 0 });
    const exported = await runExportReviews({ directory: second });
    expect(exported.text).toBe((await runExportReviews({ directory: first })).text);
  });

  it('names the file, line and field of a bad decision', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'medistill-review-c-')), 'bad.jsonl');
    await writeFile(file, `${line()}\n\n${line({ decision: 'edit', text: undefined })}\n`);
    const directory = await mkdtemp(join(tmpdir(), 'medistill-review-d-'));
    const error = await runImportReviews({ directory, file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${file}:3 (field "text"): an edit needs its text`);
    expect(() => parseReviewsJsonl(line({ originalHash: 'xyz' }), 'f.jsonl')).toThrow(
      /f\.jsonl:1 \(field "originalHash"\)/,
    );
    expect(() => parseReviewsJsonl('{', 'f.jsonl')).toThrow(/f\.jsonl:1: not JSON/);
    expect(() => parseReviewsJsonl(line({ extra: 1 }), 'f.jsonl')).toThrow(/f\.jsonl:1/);
  });
});
