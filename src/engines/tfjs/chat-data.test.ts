import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { createModel } from '../../model/create-model.js';
import { ownChatTokenizer } from '../../tokenizer/chat-tokenizer.js';
import { readChatExamples } from './chat-examples.js';
import { tokenizeChat } from './chat-tokenization.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'chat-data-'));
});

async function file(name: string, text: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, text);
  return path;
}

async function inputError(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('messages JSONL', () => {
  const good = JSON.stringify({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ],
  });

  it('reads examples with their line numbers, skipping blank lines, text parts joined as llama-server joins them', async () => {
    const parts = JSON.stringify({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'assistant', content: 'c' },
      ],
    });
    const examples = await readChatExamples(await file('good.jsonl', `${good}\n\n${parts}\n`));
    expect(examples.map((example) => example.line)).toEqual([1, 3]);
    // llama.cpp's concat_content_parts puts a newline between text parts.
    expect(examples[1]!.messages[0]!.content).toBe('a\nb');
  });

  it('names the file, line and field of a bad line', async () => {
    const badJson = await inputError(readChatExamples(await file('bad-json.jsonl', `${good}\n{oops\n`)));
    expect(badJson.location).toMatchObject({ line: 2 });
    const missing = await inputError(
      readChatExamples(await file('missing.jsonl', `${good}\n${good}\n{"messages":[{"role":"user"}]}\n`)),
    );
    expect(missing.location).toMatchObject({ line: 3, field: 'messages.0.content' });
    expect(missing.message).toContain('missing.jsonl:3');
    const role = await inputError(
      readChatExamples(await file('role.jsonl', '{"messages":[{"role":"doctor","content":"x"}]}')),
    );
    expect(role.location).toMatchObject({ line: 1, field: 'messages.0.role' });
    const noAnswer = await inputError(
      readChatExamples(await file('no-answer.jsonl', '{"messages":[{"role":"user","content":"x"}]}')),
    );
    expect(noAnswer.location).toMatchObject({ line: 1, field: 'messages' });
  });

  it('refuses an empty file and a missing one', async () => {
    expect((await inputError(readChatExamples(await file('empty.jsonl', '\n\n')))).message).toContain(
      'empty',
    );
    await inputError(readChatExamples(join(directory, 'absent.jsonl')));
  });
});

describe('chat tokenization with an answer mask', () => {
  const model = createModel({
    corpus: ['what treats a fever', 'paracetamol treats a fever'],
    layers: 1,
    embeddingLength: 32,
  });
  const decodeMasked = (tokens: Int32Array, mask: Uint8Array, value: number): string =>
    model.tokenizer.decode(
      [...tokens].filter((_, i) => mask[i] === value),
      { special: true },
    );

  it('masks exactly the assistant content and its end-of-turn token', () => {
    const messages = [
      { role: 'system' as const, content: 'be brief', trained: false },
      { role: 'user' as const, content: 'what treats a fever', trained: false },
      { role: 'assistant' as const, content: 'paracetamol', trained: true },
      { role: 'user' as const, content: 'and a cough', trained: false },
      { role: 'assistant' as const, content: 'honey', trained: true },
    ];
    const example = tokenizeChat(messages, ownChatTokenizer(model.tokenizer), model.chatTemplate);
    expect(decodeMasked(example.tokens, example.lossMask, 1)).toBe('paracetamol<|im_end|>honey<|im_end|>');
    expect(decodeMasked(example.tokens, example.lossMask, 0)).toBe(
      '<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nwhat treats a fever<|im_end|>\n<|im_start|>assistant\n\n<|im_start|>user\nand a cough<|im_end|>\n<|im_start|>assistant\n\n',
    );
    // The prompt tokens are the ones inference sees for the same conversation so far.
    const prompt = model.tokenizer.encode(
      '<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nwhat treats a fever<|im_end|>\n<|im_start|>assistant\n',
      { parseSpecial: true },
    );
    expect([...example.tokens.subarray(0, prompt.length)]).toEqual(prompt);
  });

  it('leaves context-only assistant turns (weight 0) unmasked', () => {
    const example = tokenizeChat(
      [
        { role: 'user', content: 'a', trained: false },
        { role: 'assistant', content: 'old answer', trained: false },
        { role: 'user', content: 'b', trained: false },
        { role: 'assistant', content: 'new answer', trained: true },
      ],
      ownChatTokenizer(model.tokenizer),
      model.chatTemplate,
    );
    expect(decodeMasked(example.tokens, example.lossMask, 1)).toBe('new answer<|im_end|>');
  });
});
