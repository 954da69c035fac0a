import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../../errors.js';

const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const imagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1) }),
});

/**
 * Where an image sits in a message's text: mtmd's default media marker. llama-server puts its
 * marker (random per process unless LLAMA_MEDIA_MARKER pins it) in place of each `image_url`
 * part before it renders the chat template, then splits the prompt there; tokenization for
 * training splits at this marker the same way.
 */
export const MEDIA_MARKER = '<__media__>';

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  /** A string, or OpenAI-style parts: text, and images as `image_url` (data URLs). */
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPartSchema, imagePartSchema]))]),
  /** OpenAI's per-message switch: an assistant message with weight 0 is context, not a target. */
  weight: z.union([z.literal(0), z.literal(1)]).optional(),
});

const exampleSchema = z.object({ messages: z.array(messageSchema).min(1) });

export interface ChatExampleMessage {
  role: 'system' | 'user' | 'assistant';
  /** The text; each image is a MEDIA_MARKER at its place. */
  content: string;
  /** False for an assistant message that is context only (weight 0). */
  trained: boolean;
  /** The image URLs, in the order of the markers in `content` (absent: no images). */
  images?: string[];
}

/** One line of a `messages` JSONL file, validated. */
export interface ChatExample {
  line: number;
  messages: ChatExampleMessage[];
}

/**
 * The text llama-server renders for a parts array: text parts joined by a newline, images as
 * media markers with no newline next to them (llama.cpp common/chat.cpp, concat_content_parts).
 */
function joinContentParts(
  parts: readonly ({ type: 'text'; text: string } | { type: 'image_url' })[],
): string {
  let text = '';
  let lastWasMarker = false;
  for (const part of parts) {
    if (part.type === 'image_url') {
      text += MEDIA_MARKER;
      lastWasMarker = true;
      continue;
    }
    if (!lastWasMarker && text.length > 0) text += '\n';
    text += part.text;
    lastWasMarker = false;
  }
  return text;
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
    const messages = parsed.data.messages.map((message): ChatExampleMessage => {
      const trained = message.role === 'assistant' && message.weight !== 0;
      if (typeof message.content === 'string')
        return { role: message.role, content: message.content, trained };
      const images = message.content.flatMap((part) =>
        part.type === 'image_url' ? [part.image_url.url] : [],
      );
      return {
        role: message.role,
        content: joinContentParts(message.content),
        trained,
        ...(images.length > 0 ? { images } : {}),
      };
    });
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
