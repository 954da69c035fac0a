import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Item, optionSchema } from '../datasets/item.js';
import {
  explainChoiceExtraction,
  extractAnswer,
  extractFinalAnswerText,
  extractYesNoMaybe,
  matchesReference,
  normalizeAnswerText,
} from './extract-answer.js';

const corpusPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/eval/extraction-corpus.json',
);
const corpus = z
  .object({
    optionSets: z.record(z.string(), z.array(optionSchema)),
    cases: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(['multiple-choice', 'yes-no-maybe']),
        optionSet: z.string().optional(),
        output: z.string(),
        expected: z.string().nullable(),
        note: z.string(),
      }),
    ),
  })
  .parse(JSON.parse(readFileSync(corpusPath, 'utf8')));

describe('answer extraction corpus', () => {
  it('holds at least 40 cases, failures and traps included', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40);
    expect(corpus.cases.filter((entry) => entry.expected === null).length).toBeGreaterThanOrEqual(8);
    expect(corpus.cases.filter((entry) => entry.note.startsWith('trap')).length).toBeGreaterThanOrEqual(10);
  });

  const multipleChoice = corpus.cases.filter((entry) => entry.kind === 'multiple-choice');
  it.each(multipleChoice.map((entry) => [entry.id, entry.note, entry] as const))(
    '%s: %s',
    (_id, _note, entry) => {
      const options = corpus.optionSets[entry.optionSet ?? ''];
      if (!options) throw new Error(`unknown option set ${entry.optionSet}`);
      const item: Item = {
        kind: 'multiple-choice',
        id: entry.id,
        question: 'q',
        options,
        answerKey: options[0]!.key,
      };
      const explanation = explainChoiceExtraction(entry.output, options);
      expect({ key: extractAnswer(entry.output, item), rule: explanation.rule }).toEqual({
        key: entry.expected,
        rule: expect.any(String),
      });
    },
  );

  const yesNoMaybe = corpus.cases.filter((entry) => entry.kind === 'yes-no-maybe');
  it.each(yesNoMaybe.map((entry) => [entry.id, entry.note, entry] as const))(
    '%s: %s',
    (_id, _note, entry) => {
      const item: Item = { kind: 'yes-no-maybe', id: entry.id, question: 'q', context: [], answer: 'yes' };
      expect(extractAnswer(entry.output, item)).toBe(entry.expected);
      expect(extractYesNoMaybe(entry.output)).toBe(entry.expected);
    },
  );
});

describe('open-ended answers', () => {
  it('takes the text after the last final-answer marker, else the reply after thinking', () => {
    expect(extractFinalAnswerText('Reasoning...\nFinal Answer: **Celiac disease**')).toBe('Celiac disease');
    expect(extractFinalAnswerText('<think>maybe IBS</think>\nCrohn disease')).toBe('Crohn disease');
    expect(extractFinalAnswerText('分析……\n答案：克罗恩病')).toBe('克罗恩病');
  });

  it('normalises answers for exact match', () => {
    expect(normalizeAnswerText('The  Celiac disease.')).toBe(normalizeAnswerText('celiac Disease'));
    expect(normalizeAnswerText('Crohn disease')).not.toBe(normalizeAnswerText('Celiac disease'));
  });

  it('returns null for an empty open-ended reply', () => {
    const item: Item = { kind: 'open-ended', id: 'o', question: 'q', referenceAnswer: 'r' };
    expect(extractAnswer('  ', item)).toBeNull();
  });
});

// Cases the benchmark's and the methods' own readers handled before they were folded into this one.
describe('replies in the shape medistill trains and its knowledge-base teacher writes', () => {
  const options = [
    { key: 'A', text: 'ERCP drainage and antibiotics' },
    { key: 'B', text: 'early laparoscopic cholecystectomy' },
    { key: 'C', text: 'percutaneous drainage and antibiotics' },
    { key: 'D', text: 'oral lactulose' },
  ];
  const item: Item = { kind: 'multiple-choice', id: 'm', question: 'q', options, answerKey: 'D' };

  it('reads the last stated key, tokens spaced as the knowledge base writes them', () => {
    expect(extractAnswer('The answer is B .', item)).toBe('B');
    expect(extractAnswer('reasoning ... Final Answer: **D**', item)).toBe('D');
    expect(extractAnswer('The answer is A . ... In summary , the answer is C .', item)).toBe('C');
    expect(extractAnswer(' (B) ', item)).toBe('B');
    expect(extractAnswer('the answer is a hard one', item)).toBeNull();
  });

  it('reads the answer line "Answer: <management>" with free-text options', () => {
    expect(extractAnswer('Answer : oral lactulose', item)).toBe('D');
    expect(
      extractAnswer('1 . jaundice and fever point to cholangitis .\nAnswer: oral lactulose.', item),
    ).toBe('D');
    expect(extractAnswer('answer: early laparoscopic cholecystectomy, not oral lactulose', item)).toBe('B');
    expect(extractAnswer('Answer: oral lactulose or early laparoscopic cholecystectomy', item)).toBeNull();
  });

  it('does not take an option text merely mentioned as the answer', () => {
    // The benchmark's old reader took the last option text mentioned anywhere; a reply that
    // discusses an option has not chosen it.
    expect(extractAnswer('it needs percutaneous drainage and antibiotics', item)).toBeNull();
  });

  it('reads an open-ended answer line', () => {
    const open: Item = { kind: 'open-ended', id: 'o', question: 'q', referenceAnswer: 'Celiac disease' };
    const answer = extractAnswer('Villous atrophy with anti-tTG.\nAnswer: celiac disease.', open);
    expect(answer).toBe('celiac disease.');
    expect(matchesReference(open, answer)).toBe(true);
  });

  it('has one correctness check for every kind', () => {
    const yesNo: Item = { kind: 'yes-no-maybe', id: 'y', question: 'q', context: [], answer: 'no' };
    expect(matchesReference(item, 'D')).toBe(true);
    expect(matchesReference(item, 'A')).toBe(false);
    expect(matchesReference(item, null)).toBe(false);
    expect(matchesReference(yesNo, 'no')).toBe(true);
    expect(matchesReference(yesNo, null)).toBe(false);
  });
});
