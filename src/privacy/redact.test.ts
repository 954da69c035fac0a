import { describe, expect, it } from 'vitest';
import type { Item } from '../datasets/item.js';
import { redactItems } from './redact.js';

describe('redactItems', () => {
  it('replaces identifiers with placeholders that stay the same across items, and records which items changed', () => {
    const items: Item[] = [
      {
        kind: 'open-ended',
        id: 'a',
        question: 'Mr. Smith (MRN: 4839201) was admitted 03/14/2021. Dr. Haddad saw Mr. Smith.',
        referenceAnswer: 'Call 617-555-0147',
      },
      {
        kind: 'open-ended',
        id: 'b',
        question: 'What treats Wilson disease?',
        referenceAnswer: 'penicillamine',
      },
      { kind: 'open-ended', id: 'c', question: 'Mr. Smith returned.', referenceAnswer: 'ok' },
    ];
    const { items: redacted, redacted: records } = redactItems(items);
    expect(redacted[0]).toMatchObject({
      question: 'Mr. [NAME-1] (MRN: [RECORD-NUMBER-1]) was admitted [DATE-1]. Dr. [NAME-2] saw Mr. [NAME-1].',
      referenceAnswer: 'Call [PHONE-1]',
    });
    expect(redacted[1]).toBe(items[1]);
    expect(redacted[2]).toMatchObject({ question: 'Mr. [NAME-1] returned.' });
    expect(records).toEqual([
      { itemId: 'a', byKind: { name: 3, 'record-number': 1, date: 1, phone: 1 } },
      { itemId: 'c', byKind: { name: 1 } },
    ]);
  });
});
