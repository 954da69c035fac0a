import { multipleChoiceResult } from './multiple-choice.js';
import type { RecordContext, RecordResult } from './record-result.js';
import { optionalItemFields, rejected } from './record-result.js';

/** Settings MMLU takes from its file name, e.g. `anatomy_test.csv`. */
export interface MmluFileFacts {
  subject?: string;
}

/**
 * MMLU's headerless CSV rows: question, A, B, C, D, answer letter. The subject comes from the
 * file name (`clinical_knowledge_test.csv` -> "clinical knowledge").
 */
export function mmluConverter(facts: MmluFileFacts) {
  return (value: unknown, context: RecordContext): RecordResult => {
    if (!Array.isArray(value) || value.length !== 6) {
      const count = Array.isArray(value) ? value.length : 0;
      return rejected({
        code: 'malformed-record',
        message: `expected 6 columns (question, A, B, C, D, answer), found ${count}`,
      });
    }
    const [question, a, b, c, d, answer] = value.map((cell) => String(cell).trim());
    if (!question)
      return rejected({ code: 'missing-field', field: 'question', message: 'the question column is empty' });
    const options = [a, b, c, d].map((text, position) => ({
      key: 'ABCD'.charAt(position),
      text: text ?? '',
    }));
    return multipleChoiceResult({
      id: context.fallbackId,
      question,
      options,
      answerKey: (answer ?? '').toUpperCase(),
      answerField: 'answer',
      fields: optionalItemFields({ subject: facts.subject, split: context.defaultSplit }),
    });
  };
}

/** `clinical_knowledge_test.csv` -> "clinical knowledge": MMLU names files `<subject>_<split>.csv`. */
export function mmluSubjectFromFileName(fileName: string): string | undefined {
  const stem = fileName.replace(/\.csv$/i, '');
  const subject = stem.replace(/_(test|dev|val|validation|train|auxiliary_train)$/i, '');
  return subject === '' ? undefined : subject.replace(/_/g, ' ');
}
