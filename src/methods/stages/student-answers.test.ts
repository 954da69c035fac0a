import { describe, expect, it } from 'vitest';
import type { Item } from '../../datasets/item.js';
import { readStudentReply } from './student-answers.js';

describe('readStudentReply', () => {
  const yesNo: Item = { kind: 'yes-no-maybe', id: 'y', question: 'q', context: [], answer: 'no' };

  it('does not read "no" out of "No doubt ..." (the bare-word trap)', () => {
    // A bare \b(yes|no|maybe)\b regex read this reply as "no" and scored it correct.
    expect(readStudentReply(yesNo, 'No doubt the trial supports it, maybe more than expected.')).toEqual({
      answer: null,
      correct: false,
    });
    expect(readStudentReply(yesNo, 'Answer: I cannot say no or yes')).toEqual({
      answer: null,
      correct: false,
    });
  });

  it('reads the answer line the student was trained to end with', () => {
    expect(readStudentReply(yesNo, 'No doubt the trial was small.\nAnswer: no')).toEqual({
      answer: 'no',
      correct: true,
    });
    expect(readStudentReply(yesNo, 'Answer: maybe.')).toEqual({ answer: 'maybe', correct: false });
  });

  it('reads option text for multiple choice and leaves open-ended answers to the judge', () => {
    const choice: Item = {
      kind: 'multiple-choice',
      id: 'm',
      question: 'q',
      options: [
        { key: 'A', text: 'Furosemide' },
        { key: 'B', text: 'Spironolactone' },
      ],
      answerKey: 'B',
    };
    expect(readStudentReply(choice, 'Ascites from cirrhosis.\nAnswer: Spironolactone')).toEqual({
      answer: 'B',
      correct: true,
    });
    const open: Item = { kind: 'open-ended', id: 'o', question: 'q', referenceAnswer: 'Celiac disease' };
    expect(readStudentReply(open, 'Answer: celiac sprue')).toEqual({
      answer: 'celiac sprue',
      correct: undefined,
    });
    expect(readStudentReply(open, '   ')).toEqual({ answer: null, correct: false });
  });
});
