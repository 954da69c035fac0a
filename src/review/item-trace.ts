import type { Item } from '../datasets/item.js';
import type { StudentPrediction } from '../methods/stages/student-answers.js';
import type { TeacherStageResult } from '../methods/stages/teacher-stage.js';
import { type ReviewDecision, reviewTargetKey } from '../store/review-log.js';
import { sha256Hex } from '../util/canonical-json.js';
import { readStageFile, type StrategyRun } from './run-directory.js';

/** The student's answer to an item after one stage (a probe on training items, evaluation on test items). */
export interface StageAnswer {
  stage: string;
  reply: string;
  answer: string | null;
  /** Right or wrong, by exact match or by the judge; undefined when not decided. */
  correct: boolean | undefined;
  /** The judge's verdict, where the teacher judged the reply. */
  judged?: boolean;
}

/** A teacher text that becomes training data, with the review decision that applies to it. */
export interface TeacherText {
  stage: string;
  kind: 'explanation' | 'rationale' | 'corrective chain';
  original: string;
  originalHash: string;
  /** The latest decision on exactly this text. */
  review?: ReviewDecision;
  /** What training uses: the edit, the original, or undefined when rejected. */
  effective: string | undefined;
}

/** One item's path through one strategy at one seed. */
export interface ItemTrace {
  itemId: string;
  item: Item | undefined;
  set: 'train' | 'test';
  screening?: { answers: string[]; majority: string; agrees: boolean };
  texts: TeacherText[];
  answers: StageAnswer[];
  /** Failures recorded for the item, by stage. */
  failures: { stage: string; error: string }[];
}

type Screening = NonNullable<ItemTrace['screening']>;

/** Which teacher stages write training text, and what to call it. */
function textKind(stage: string): TeacherText['kind'] | undefined {
  if (stage === 'explain') return 'explanation';
  if (stage === 'rationale' || stage === 'rationale-task') return 'rationale';
  if (stage.endsWith('.correct')) return 'corrective chain';
  return undefined;
}

/**
 * Every item's trace for one strategy run, from its stage files in the order they finished:
 * screening, teacher texts (with review decisions), judge verdicts and the student's answer per stage.
 */
export async function readItemTraces(
  run: StrategyRun,
  items: ReadonlyMap<string, Item>,
  decisions: readonly ReviewDecision[],
): Promise<Map<string, ItemTrace>> {
  const traces = new Map<string, ItemTrace>();
  const reviews = new Map(decisions.map((decision) => [reviewTargetKey(decision), decision]));
  const trace = (itemId: string, set: ItemTrace['set']): ItemTrace => {
    let found = traces.get(itemId);
    if (!found) {
      found = { itemId, item: items.get(itemId), set, texts: [], answers: [], failures: [] };
      traces.set(itemId, found);
    }
    return found;
  };
  const verdicts = new Map<string, boolean>();
  for (const stage of run.stages) {
    const value = await readStageFile(stage);
    const name = stage.name;
    if (name.endsWith('.probe') || name.endsWith('.evaluate')) {
      const set = name.endsWith('.probe') ? 'train' : 'test';
      const label = name.slice(0, name.lastIndexOf('.'));
      for (const prediction of value as StudentPrediction[])
        trace(prediction.itemId, set).answers.push({
          stage: label,
          reply: prediction.reply,
          answer: prediction.answer,
          correct: prediction.correct,
        });
      continue;
    }
    if (!isTeacherStageResult(value)) continue;
    for (const failure of value.failures)
      trace(failure.itemId, name.includes('evaluate') ? 'test' : 'train').failures.push({
        stage: name,
        error: failure.error,
      });
    if (name.endsWith('.judge') || name.endsWith('.evaluate-judge')) {
      const label = name.slice(0, name.lastIndexOf('.'));
      for (const { itemId, value: verdict } of value.results as { itemId: string; value: boolean }[])
        verdicts.set(`${label}\u0000${itemId}`, verdict);
      continue;
    }
    if (name === 'screen') {
      for (const { itemId, value: screening } of value.results as { itemId: string; value: Screening }[])
        trace(itemId, 'train').screening = screening;
      continue;
    }
    const kind = textKind(name);
    if (!kind) continue;
    for (const { itemId, value: original } of value.results as { itemId: string; value: unknown }[]) {
      if (typeof original !== 'string') continue;
      const originalHash = sha256Hex(original);
      const review = reviews.get(reviewTargetKey({ stage: name, itemId, originalHash }));
      const effective =
        review?.decision === 'reject' ? undefined : review?.decision === 'edit' ? review.text : original;
      trace(itemId, 'train').texts.push({
        stage: name,
        kind,
        original,
        originalHash,
        ...(review ? { review } : {}),
        effective,
      });
    }
  }
  // Replies without an exact key were judged afterwards; the verdict decides them.
  for (const entry of traces.values())
    for (const answer of entry.answers) {
      const verdict = verdicts.get(`${answer.stage}\u0000${entry.itemId}`);
      if (verdict === undefined) continue;
      answer.judged = verdict;
      answer.correct ??= verdict;
    }
  return traces;
}

function isTeacherStageResult(value: unknown): value is TeacherStageResult<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { results?: unknown }).results) &&
    Array.isArray((value as { failures?: unknown }).failures)
  );
}

/** Whether the student's answer or its correctness changed from one stage to the next. */
export function changedBetweenStages(trace: ItemTrace): boolean {
  return trace.answers.some((answer, index) => {
    const previous = trace.answers[index - 1];
    return (
      previous !== undefined && (previous.answer !== answer.answer || previous.correct !== answer.correct)
    );
  });
}

/** The student's last answer (the final student, for test items). */
export function finalAnswer(trace: ItemTrace): StageAnswer | undefined {
  return trace.answers.at(-1);
}
