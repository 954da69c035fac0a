import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import type { OpenEndedItem } from './item.js';
import { loadDataset } from './load-dataset.js';

describe('conversations JSON (Qwen / LLaMA-Factory, MedThink)', () => {
  it('turns the first exchange into an open-ended item with the assistant turn as reference', async () => {
    const file = fixture('medthink_conversations.json');
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('conversations');
    const byId = new Map(items.map((item) => [item.id, item as OpenEndedItem]));
    expect([...byId.keys()]).toEqual(['gastro-001', 'gastro-002', 'gastro-004', 'gastro-005']);
    expect(byId.get('gastro-001')).toMatchObject({
      kind: 'open-ended',
      question: 'What is the first-line treatment for Helicobacter pylori infection?',
      referenceAnswer: expect.stringMatching(/^Triple therapy.*\n1\. H\. pylori/s),
    });
    // human/gpt roles are read too; a leading <think> block is reasoning, not the reference.
    expect(byId.get('gastro-002')?.referenceAnswer).toBe('Alpha-fetoprotein (AFP).');
    expect(byId.get('gastro-004')?.referenceAnswer).toBe('Oesophageal adenocarcinoma.');
    // The <image> tag leaves the question; the image is resolved beside the file.
    expect(byId.get('gastro-005')?.question).toBe('What does this endoscopic image show?');
    expect(byId.get('gastro-005')?.images).toEqual([{ path: fixture('images', 'scan-1.png') }]);

    const summary = problems.map((problem) => [
      problem.itemId ?? null,
      problem.code,
      problem.severity,
      problem.field,
    ]);
    expect(summary).toEqual([
      [null, 'missing-field', 'error', 'conversations'],
      ['gastro-004', 'unsupported', 'warning', 'conversations'],
      ['gastro-006', 'missing-image', 'error', 'images'],
    ]);
    // Lines point at the records inside the JSON array: the line of each record's opening brace.
    const lines = (await readFile(file, 'utf8')).split('\n');
    const recordLine = (id: string) => lines.findIndex((line) => line.includes(`"id": "${id}"`));
    expect(problems.map((problem) => problem.line)).toEqual(
      ['gastro-003', 'gastro-004', 'gastro-006'].map(recordLine),
    );
  });
});

describe('OpenAI messages JSONL', () => {
  it('reads user/assistant turns, ignores the system turn, and refuses inline images', async () => {
    const file = fixture('chat_messages_train.jsonl');
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('openai-messages');
    expect(items).toEqual([
      expect.objectContaining({
        id: 'chat_messages_train:1',
        question: 'What is the antidote for paracetamol overdose?',
        referenceAnswer: 'N-acetylcysteine.',
        split: 'train',
      }),
      expect.objectContaining({
        id: 'msg-4',
        referenceAnswer: 'Hepatitis B vaccine (and BCG in some countries).',
      }),
    ]);
    expect(problems.map((problem) => [problem.line, problem.code, problem.field])).toEqual([
      [2, 'unsupported', 'messages.0'],
      [3, 'malformed-record', undefined],
    ]);
  });
});
