import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewDecision } from './review-log.js';
import { RunStore } from './run-store.js';

const decision = (overrides: Partial<ReviewDecision> = {}): ReviewDecision => ({
  stage: 'stage2.correct',
  itemId: 'q1',
  originalHash: 'a'.repeat(64),
  decision: 'edit',
  text: 'An edited chain.',
  reviewer: 'reviewer-1',
  reviewedAt: '2026-11-29T10:00:00.000Z',
  ...overrides,
});

describe('review log', () => {
  let directory: string;
  let store: RunStore;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medistill-reviews-'));
    store = RunStore.openDirectory(directory);
  });
  afterEach(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('appends decisions, keeps the history and counts the latest per text', async () => {
    await store.reviews.record(decision());
    await store.reviews.record(decision({ decision: 'reject', reviewedAt: '2026-11-29T11:00:00.000Z' }));
    await store.reviews.record(decision({ itemId: 'q2', decision: 'accept', strategy: 'medthink', seed: 1 }));
    expect(store.reviews.history()).toHaveLength(3);
    const latest = store.reviews.latest();
    expect(latest).toHaveLength(2);
    expect(latest.find((entry) => entry.itemId === 'q1')).toMatchObject({ decision: 'reject' });
    // A rejection keeps no text; an edit keeps its text.
    expect(latest.find((entry) => entry.itemId === 'q1')?.text).toBeUndefined();
    expect(store.reviews.history()[0]?.text).toBe('An edited chain.');
    expect(latest.find((entry) => entry.itemId === 'q2')).toMatchObject({ strategy: 'medthink', seed: 1 });
  });

  it('refuses a decision that is not accept, reject or edit', async () => {
    await expect(
      store.reviews.record(decision({ decision: 'approve' as ReviewDecision['decision'] })),
    ).rejects.toThrow(/CHECK constraint/);
  });

  it('is emptied by a teacher-text purge', async () => {
    await store.reviews.record(decision());
    store.purgeText();
    expect(store.reviews.history()).toEqual([]);
  });

  it('reads a version-2 store read-only as having no reviews, and migrates it when opened to write', () => {
    store.close();
    const database = new BetterSqlite3(join(directory, 'run.sqlite'));
    database.exec('DROP TABLE reviews');
    database.pragma('user_version = 2');
    database.close();
    const old = RunStore.openDirectory(directory, { readOnly: true });
    expect(old.reviews.latest()).toEqual([]);
    old.close();
    store = RunStore.openDirectory(directory);
    expect(store.reviews.history()).toEqual([]);
  });
});
