import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../../errors.js';

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  /** A string, or OpenAI-style parts of which only text parts are supported here. */
  content: z.union([z.string(), z.array(textPartSchema)]),
  /** OpenAI's per-message switch: an assistant message with weight 0 is context, not a target. */
  weight: z.union([z.literal(0), z.literal(1)]).optional(),
});

const exampleSchema = z.object({ messages: z.array(messageSchema).min(1) });

export interface ChatExampleMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** False for an assistant message that is context only (weight 0). */
  trained: boolean;
}

/** One line of a `messages` JSONL file, validated. */
export interface ChatExample {
  line: number;
  messages: ChatExampleMessage[];
}

function issueField(issue: z.core.$ZodIssue | undefined): string | undefined {
  return issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

/**
 * Read chat examples (`{"messages":[{"role","content"}...]}` per line). A bad line stops the
 * read with an InputError naming the file, line and field: training on silently thinned data
 * would be worse than no training.
 */
export async function readChatExamples(path: string): Promise<ChatExample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError('cannot read training data', { file: path }, { cause: error });
  }
  const examples: ChatExample[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const source = lines[index]!.trim();
    if (source.length === 0) continue;
    const line = index + 1;
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch (error) {
      throw new InputError('not valid JSON', { file: path, line }, { cause: error });
    }
    const parsed = exampleSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issueField(issue);
      throw new InputError(issue?.message ?? 'invalid example', {
        file: path,
        line,
        ...(field ? { field } : {}),
      });
    }
    const messages = parsed.data.messages.map((message) => ({
      role: message.role,
      content:
        typeof message.content === 'string'
          ? message.content
          : message.content.map((part) => part.text).join(''),
      trained: message.role === 'assistant' && message.weight !== 0,
    }));
    if (!messages.some((message) => message.trained)) {
      throw new InputError('the example has no assistant message to learn', {
        file: path,
        line,
        field: 'messages',
      });
    }
    examples.push({ line, messages });
  }
  if (examples.length === 0) throw new InputError('training data is empty', { file: path });
  return examples;
}
