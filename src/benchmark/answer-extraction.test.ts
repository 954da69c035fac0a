import { describe, expect, it } from 'vitest';
import { extractAnswerKey } from './answer-extraction.js';

const options = [
  { key: 'A', text: 'ERCP drainage and antibiotics' },
  { key: 'B', text: 'early laparoscopic cholecystectomy' },
  { key: 'C', text: 'percutaneous drainage and antibiotics' },
  { key: 'D', text: 'oral lactulose' },
];

describe('extractAnswerKey', () => {
  it('reads the last stated key in the usual forms', () => {
    expect(extractAnswerKey('The answer is B .', options)).toBe('B');
    expect(extractAnswerKey('Answer: C', options)).toBe('C');
    expect(extractAnswerKey('reasoning ... Final Answer: **D**', options)).toBe('D');
    expect(extractAnswerKey('Final Answer: D', options)).toBe('D');
    expect(extractAnswerKey('The answer is A . ... In summary , the answer is C .', options)).toBe('C');
  });

  it('does not read the article "a" as option A', () => {
    expect(extractAnswerKey('the answer is a hard one', options)).toBeUndefined();
  });

  it('reads a bare key', () => {
    expect(extractAnswerKey(' (B) ', options)).toBe('B');
  });

  it('falls back to the option text, preferring the one stated as the answer', () => {
    expect(extractAnswerKey('Answer : oral lactulose', options)).toBe('D');
    expect(extractAnswerKey('answer: early laparoscopic cholecystectomy, not oral lactulose', options)).toBe(
      'B',
    );
    expect(extractAnswerKey('it needs percutaneous drainage and antibiotics', options)).toBe('C');
    expect(extractAnswerKey('nothing relevant', options)).toBeUndefined();
  });
});
