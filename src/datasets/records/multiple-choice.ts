import type { ProblemDraft } from '../dataset-problem.js';
import type { Option } from '../item.js';
import { normaliseForComparison } from '../normalise-text.js';
import type { OptionalItemFields, RecordResult } from './record-result.js';

export interface MultipleChoiceParts {
  id: string;
  question: string;
  options: Option[];
  answerKey: string;
  /** The field the answer key came from, named in problems. */
  answerField: string;
  /** The answer's text where the record repeats it; a mismatch is a warning. */
  answerText?: string | undefined;
  answerTextField?: string;
  fields: OptionalItemFields;
}

/** Assemble a multiple-choice item, checking that the answer key names one of the options. */
export function multipleChoiceResult(parts: MultipleChoiceParts): RecordResult {
  const keys = parts.options.map((option) => option.key);
  const correct = parts.options.find((option) => option.key === parts.answerKey);
  if (!correct) {
    return {
      problems: [
        {
          code: 'unknown-answer',
          field: parts.answerField,
          message: `answer "${parts.answerKey}" is not one of the option keys ${keys.join(', ')}`,
        },
      ],
    };
  }
  const problems: ProblemDraft[] = [];
  // Normalising is costly; most answer texts match the option exactly and skip it.
  if (
    parts.answerText !== undefined &&
    parts.answerText !== correct.text &&
    normaliseForComparison(parts.answerText) !== normaliseForComparison(correct.text)
  ) {
    problems.push({
      code: 'answer-text-mismatch',
      field: parts.answerTextField ?? 'answer',
      message: `answer text "${parts.answerText}" differs from option ${parts.answerKey} "${correct.text}"; the key ${parts.answerKey} was kept`,
    });
  }
  return {
    item: {
      kind: 'multiple-choice',
      id: parts.id,
      question: parts.question,
      options: parts.options,
      answerKey: parts.answerKey,
      ...parts.fields,
    },
    problems,
  };
}
