import type { Item } from '../datasets/item.js';
import { referenceAnswerText } from '../datasets/item.js';
import type { GroundingExample } from '../report/grounding-report.js';
import type { RunReportInput } from '../report/run-report.js';

/**
 * The first `count` test items of a strategy's evaluation, half answered right and half wrong
 * where there are both, with the path of each film: the report reads the films when it renders.
 */
export function shownExamples(
  report: RunReportInput,
  test: readonly Item[],
  strategy: string,
  count: number,
): GroundingExample[] {
  const outcomes = report.strategies.find((entry) => entry.name === strategy)?.outcomes ?? [];
  const right = outcomes.filter((outcome) => outcome.correct);
  const wrong = outcomes.filter((outcome) => !outcome.correct);
  const fromWrong = wrong.slice(0, count - Math.min(Math.ceil(count / 2), right.length));
  const picked = [...right.slice(0, count - fromWrong.length), ...fromWrong];
  const byId = new Map(test.map((item) => [item.id, item]));
  const shown: GroundingExample[] = [];
  for (const outcome of picked) {
    const item = byId.get(outcome.itemId);
    const image = item?.images?.[0];
    if (!item || !image || !('path' in image)) continue;
    shown.push({
      itemId: item.id,
      imagePath: image.path,
      question: item.question,
      options:
        item.kind === 'multiple-choice' ? item.options.map((option) => `${option.key}. ${option.text}`) : [],
      reference: referenceAnswerText(item),
      ...(item.caption ? { caption: item.caption } : {}),
      reply: outcome.rawOutput ?? outcome.prediction ?? '',
      correct: outcome.correct,
    });
  }
  return shown;
}
