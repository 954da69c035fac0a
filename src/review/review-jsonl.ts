import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors.js';
import type { ReviewDecision } from '../store/review-log.js';
import { RunStore, runStoreFileName } from '../store/run-store.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import { canonicalJson } from '../util/canonical-json.js';

/** One exported decision per line; strict, because we write it ourselves and a team merges these files. */
export const reviewDecisionSchema = z
  .object({
    stage: z.string().min(1),
    itemId: z.string().min(1),
    originalHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest'),
    decision: z.enum(['accept', 'reject', 'edit']),
    text: z.string().optional(),
    reviewer: z.string().min(1),
    reviewedAt: z.iso.datetime({ offset: true }),
    strategy: z.string().optional(),
    seed: z.number().int().optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((decision) => decision.decision !== 'edit' || decision.text !== undefined, {
    message: 'an edit needs its text',
    path: ['text'],
  });

/** Every decision in the store, oldest first, as JSONL. */
export function exportReviews(store: RunStore): string {
  return store.reviews
    .history()
    .map((decision) => `${JSON.stringify(decision)}\n`)
    .join('');
}

/** Parses exported decisions; the first bad line is an InputError naming the file, line and field. */
export function parseReviewsJsonl(text: string, file: string): ReviewDecision[] {
  const decisions: ReviewDecision[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError('not JSON', { file, line: index + 1 }, { cause: error });
    }
    const parsed = reviewDecisionSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(issue.message, {
        file,
        line: index + 1,
        ...(issue.path.length > 0 ? { field: issue.path.map(String).join('.') } : {}),
      });
    }
    const { text: edited, strategy, seed, note, ...required } = parsed.data;
    decisions.push({
      ...required,
      ...(edited !== undefined ? { text: edited } : {}),
      ...(strategy !== undefined ? { strategy } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(note !== undefined ? { note } : {}),
    });
  });
  return decisions;
}

/**
 * Adds exported decisions to the store, skipping ones it already holds (importing a file twice, or
 * a colleague's file that includes yours, changes nothing). Returns how many were new.
 */
export async function importReviews(store: RunStore, decisions: readonly ReviewDecision[]): Promise<number> {
  const identity = (decision: ReviewDecision) => canonicalJson(decision);
  const known = new Set(store.reviews.history().map(identity));
  let added = 0;
  for (const decision of decisions) {
    if (known.has(identity(decision))) continue;
    known.add(identity(decision));
    await store.reviews.record(decision);
    added++;
  }
  return added;
}

function requireStore(directory: string, readOnly: boolean): RunStore {
  if (readOnly && !existsSync(join(directory, runStoreFileName)))
    throw new ConfigError(`${directory} has no run store (${runStoreFileName}) and so no reviews`);
  return RunStore.openDirectory(directory, { readOnly });
}

/** `medistill review export`: the run's decisions as JSONL (to `out`, or returned). */
export async function runExportReviews(options: { directory: string; out?: string }) {
  const store = requireStore(options.directory, true);
  try {
    const text = exportReviews(store);
    if (options.out) await writeFileAtomically(options.out, text);
    return { text, decisions: text === '' ? 0 : text.trimEnd().split('\n').length };
  } finally {
    store.close();
  }
}

/** `medistill review import`: adds a JSONL file's decisions to the run (ones already there are skipped). */
export async function runImportReviews(options: { directory: string; file: string }) {
  const decisions = parseReviewsJsonl(await readFile(options.file, 'utf8'), options.file);
  if (!existsSync(options.directory)) throw new ConfigError(`run directory not found: ${options.directory}`);
  const store = requireStore(options.directory, false);
  try {
    return { read: decisions.length, added: await importReviews(store, decisions) };
  } finally {
    store.close();
  }
}
