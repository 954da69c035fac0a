import type { ColumnMapping } from '../dataset-format.js';
import type { Item, Option } from '../item.js';
import { normaliseForComparison } from '../normalise-text.js';
import { multipleChoiceResult } from './multiple-choice.js';
import type { RecordContext, RecordResult } from './record-result.js';
import { OPTION_LETTERS, optionalItemFields, rejected } from './record-result.js';

/**
 * A converter driven by a column mapping, for CSV, JSONL, JSON or Parquet files in no known
 * layout. With option columns the items are multiple choice; with a context column,
 * yes/no/maybe; otherwise open-ended with the answer column as the reference.
 */
export function mappedConverter(mapping: ColumnMapping) {
  return (value: unknown, context: RecordContext): RecordResult => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return rejected({ code: 'malformed-record', message: 'expected a record with named columns' });
    }
    const row = value as Record<string, unknown>;
    const text = (column: string | undefined): string | undefined => {
      if (column === undefined) return undefined;
      const cell = row[column];
      if (cell === null || cell === undefined) return undefined;
      const result = (typeof cell === 'string' ? cell : JSON.stringify(cell)).trim();
      return result === '' ? undefined : result;
    };
    const question = text(mapping.question);
    if (question === undefined)
      return rejected({
        code: 'missing-field',
        field: mapping.question,
        message: 'the question is missing or empty',
      });
    const answer = text(mapping.answer);
    if (answer === undefined)
      return rejected({
        code: 'missing-field',
        field: mapping.answer,
        message: 'the answer is missing or empty',
      });
    const id = text(mapping.id) ?? context.fallbackId;
    const fields = optionalItemFields({
      subject: text(mapping.subject),
      topic: text(mapping.topic),
      explanation: text(mapping.explanation),
      split: text(mapping.split) ?? context.defaultSplit,
    });
    const imageNames = text(mapping.image) === undefined ? [] : [text(mapping.image) as string];
    const options = readOptions(mapping, row);
    if (options !== undefined) {
      const answerKey = answerKeyFor(answer, options, mapping.answerFormat ?? 'letter');
      if (answerKey.startsWith('#')) {
        const range = mapping.answerFormat === 'index1' ? `1-${options.length}` : `0-${options.length - 1}`;
        return rejected({
          code: 'answer-out-of-range',
          field: mapping.answer,
          message: `answer index ${answer} is outside ${range}`,
        });
      }
      const result = multipleChoiceResult({
        id,
        question,
        options,
        answerKey,
        answerField: mapping.answer,
        fields,
      });
      return { ...result, imageNames };
    }
    if (mapping.context !== undefined) {
      const lowered = answer.toLowerCase();
      if (lowered !== 'yes' && lowered !== 'no' && lowered !== 'maybe') {
        return rejected({
          code: 'unknown-answer',
          field: mapping.answer,
          message: `answer "${answer}" is not yes, no or maybe`,
        });
      }
      const cell = row[mapping.context];
      const contexts = Array.isArray(cell)
        ? cell.map(String)
        : cell === undefined || cell === null
          ? []
          : [String(cell)];
      const item: Item = {
        kind: 'yes-no-maybe',
        id,
        question,
        context: contexts,
        answer: lowered,
        ...fields,
      };
      return { item, problems: [], imageNames };
    }
    return {
      item: { kind: 'open-ended', id, question, referenceAnswer: answer, ...fields },
      problems: [],
      imageNames,
    };
  };
}

function readOptions(mapping: ColumnMapping, row: Record<string, unknown>): Option[] | undefined {
  if (mapping.optionColumns) {
    return mapping.optionColumns.map((column, index) => ({
      key: OPTION_LETTERS.charAt(index),
      text: row[column] === undefined || row[column] === null ? '' : String(row[column]).trim(),
    }));
  }
  if (mapping.options === undefined) return undefined;
  let cell = row[mapping.options];
  if (typeof cell === 'string') {
    try {
      cell = JSON.parse(cell) as unknown;
    } catch {
      return [];
    }
  }
  if (Array.isArray(cell))
    return cell.map((text, index) => ({ key: OPTION_LETTERS.charAt(index), text: String(text).trim() }));
  if (typeof cell === 'object' && cell !== null) {
    return Object.entries(cell).map(([key, text]) => ({ key, text: String(text).trim() }));
  }
  return [];
}

/** The option key an answer cell names; an unmatched answer yields a key no option has. */
function answerKeyFor(
  answer: string,
  options: Option[],
  format: NonNullable<ColumnMapping['answerFormat']>,
): string {
  switch (format) {
    case 'letter':
      return answer.toUpperCase();
    case 'index0':
    case 'index1': {
      const index = Number(answer) - (format === 'index1' ? 1 : 0);
      return Number.isInteger(index) ? (options[index]?.key ?? `#${answer}`) : `#${answer}`;
    }
    case 'text': {
      const wanted = normaliseForComparison(answer);
      return options.find((option) => normaliseForComparison(option.text) === wanted)?.key ?? answer;
    }
  }
}
