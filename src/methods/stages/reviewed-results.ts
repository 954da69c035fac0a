import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { contentHash } from '../../util/canonical-json.js';
import type { StrategyContext } from '../strategy-context.js';
import type { TeacherStageResult } from './teacher-stage.js';

/** What a review changed in one stage: the input of its fingerprint. */
interface ReviewChange {
  itemId: string;
  decision: 'reject' | 'edit';
  text?: string;
}

/**
 * Applies reviewer decisions to a teacher stage's results, where they become training data:
 * an edit replaces the teacher's text, a rejection drops the item, an acceptance keeps it. The
 * stage file keeps the teacher's original. When the set of changes differs from what the last run
 * applied here, every stage this strategy finished after this one is discarded (and its training
 * checkpoints), so the rerun redoes what depends on the reviewed text; the training cache, keyed
 * on the data, then retrains only the trainings whose data really changed.
 */
export async function applyReviews<T>(
  context: StrategyContext,
  stage: string,
  result: TeacherStageResult<T>,
): Promise<TeacherStageResult<T>> {
  const reviews = context.reviews;
  if (!reviews) return result;
  const changes: ReviewChange[] = [];
  const results: TeacherStageResult<T>['results'] = [];
  for (const entry of result.results) {
    const decision =
      typeof entry.value === 'string' ? reviews.decisionFor(stage, entry.itemId, entry.value) : undefined;
    if (decision?.decision === 'reject') {
      changes.push({ itemId: entry.itemId, decision: 'reject' });
      continue;
    }
    if (decision?.decision === 'edit' && decision.text !== undefined && decision.text !== entry.value) {
      changes.push({ itemId: entry.itemId, decision: 'edit', text: decision.text });
      results.push({ itemId: entry.itemId, value: decision.text as T });
      continue;
    }
    results.push(entry);
  }
  await settleReviewMark(context, stage, changes.length > 0 ? contentHash(changes) : undefined);
  return changes.length > 0 ? { ...result, results } : result;
}

const markSuffix = '.review.json';

/** Compares this run's review fingerprint for the stage with the last one, discarding later stages on a change. */
async function settleReviewMark(
  context: StrategyContext,
  stage: string,
  fingerprint: string | undefined,
): Promise<void> {
  const mark = join(context.directory, `${stage}${markSuffix}`);
  const recorded = existsSync(mark)
    ? (JSON.parse(await readFile(mark, 'utf8')) as { fingerprint?: string }).fingerprint
    : undefined;
  if (recorded === fingerprint) return;
  await discardStagesAfter(context, stage);
  if (fingerprint === undefined) await rm(mark, { force: true });
  else await writeFileAtomically(mark, `${JSON.stringify({ fingerprint })}\n`);
}

/**
 * Stage files finished after `stage` (a strategy runs its stages one after another, so those are
 * the ones that may depend on it). Ties count as later: redoing a stage costs time, keeping a
 * stale one would train on the wrong text.
 */
async function discardStagesAfter(context: StrategyContext, stage: string): Promise<void> {
  const stageFile = context.stages.path(stage);
  if (!existsSync(stageFile)) return;
  const finished = statSync(stageFile, { bigint: true }).mtimeNs;
  const own = new Set([stageFile, join(context.directory, `${stage}${markSuffix}`)]);
  for (const name of await readdir(context.directory)) {
    const path = join(context.directory, name);
    if (!name.endsWith('.json') || own.has(path)) continue;
    if (statSync(path, { bigint: true }).mtimeNs < finished) continue;
    await rm(path, { force: true });
    // An interrupted training of the old data would refuse to resume on the new data.
    if (name.endsWith('.train.json'))
      await rm(join(context.directory, 'checkpoints', name.slice(0, -'.train.json'.length)), {
        recursive: true,
        force: true,
      });
  }
}
