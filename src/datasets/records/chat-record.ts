import { z } from 'zod';
import type { ProblemDraft } from '../dataset-problem.js';
import type { RecordContext, RecordResult } from './record-result.js';
import { optionalItemFields, optionalText, parseRecord, rejected } from './record-result.js';

const contentPartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional(),
  image: z.string().optional(),
});
const contentSchema = z.union([z.string(), z.array(contentPartSchema)]);
const turnSchema = z.looseObject({
  from: z.string().optional(),
  role: z.string().optional(),
  value: contentSchema.optional(),
  content: contentSchema.nullish(),
});

/**
 * A chat record: LLaMA-Factory / Qwen "conversations" ({from, value}, MedThink's format) or
 * OpenAI "messages" ({role, content}); `images` lists image paths, as LLaMA-Factory writes them.
 */
export const chatRecordSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).nullish(),
  conversations: z.array(turnSchema).optional(),
  messages: z.array(turnSchema).optional(),
  images: z.array(z.string()).optional(),
  subject: z.string().nullish(),
  split: z.string().nullish(),
});

type Turn = z.infer<typeof turnSchema>;
const USER_ROLES = new Set(['user', 'human']);
const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model', 'bot']);
const IMAGE_TAG = /<image>/g;
const LEADING_THINKING = /^\s*<think>[\s\S]*?<\/think>\s*/;

/**
 * Convert a chat record into an open-ended item: the first user turn is the question and the
 * assistant turn after it the reference answer (minus a leading `<think>` block, which is
 * reasoning, not the answer). Later turns are dropped with a warning; system turns are ignored.
 */
export function convertChatRecord(value: unknown, context: RecordContext): RecordResult {
  const parsed = parseRecord(chatRecordSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  const record = parsed.data;
  const field = record.conversations ? 'conversations' : 'messages';
  const turns = record.conversations ?? record.messages;
  if (!turns)
    return rejected({
      code: 'missing-field',
      field: 'conversations',
      message: 'no "conversations" or "messages" list',
    });
  const userIndex = turns.findIndex((turn) => USER_ROLES.has(roleOf(turn)));
  if (userIndex < 0) return rejected({ code: 'missing-field', field, message: 'no user turn' });
  const assistantIndex = turns.findIndex(
    (turn, index) => index > userIndex && ASSISTANT_ROLES.has(roleOf(turn)),
  );
  if (assistantIndex < 0)
    return rejected({ code: 'missing-field', field, message: 'no assistant turn after the user turn' });

  const problems: ProblemDraft[] = [];
  const user = readContent(turns[userIndex], `${field}.${userIndex}`, problems);
  const assistant = readContent(turns[assistantIndex], `${field}.${assistantIndex}`, problems);
  if (problems.length > 0) return { problems };
  const question = user.text.replace(IMAGE_TAG, '').trim();
  const referenceAnswer = assistant.text.replace(LEADING_THINKING, '').trim();
  if (question === '')
    return rejected({
      code: 'missing-field',
      field: `${field}.${userIndex}`,
      message: 'the user turn is empty',
    });
  if (referenceAnswer === '') {
    return rejected({
      code: 'missing-field',
      field: `${field}.${assistantIndex}`,
      message: 'the assistant turn is empty',
    });
  }
  const imageNames = [...(record.images ?? []), ...user.images];
  const tagCount = user.text.match(IMAGE_TAG)?.length ?? 0;
  if (tagCount > 0 && tagCount !== imageNames.length) {
    problems.push({
      code: 'invalid-value',
      field: 'images',
      message: `${tagCount} <image> tags but ${imageNames.length} images`,
    });
  }
  const later = turns.filter((turn, index) => index > assistantIndex && roleOf(turn) !== 'system').length;
  if (later > 0) {
    problems.push({
      code: 'unsupported',
      field,
      message: `only the first exchange is used; ${later} later turns were dropped`,
    });
  }
  return {
    item: {
      kind: 'open-ended',
      id: optionalText(record.id) ?? context.fallbackId,
      question,
      referenceAnswer,
      ...optionalItemFields({
        subject: optionalText(record.subject),
        split: optionalText(record.split) ?? context.defaultSplit,
      }),
    },
    problems,
    imageNames,
  };
}

function roleOf(turn: Turn): string {
  return (turn.from ?? turn.role ?? '').toLowerCase();
}

/** A turn's text and the local images it points to; inline and remote images are problems. */
function readContent(
  turn: Turn | undefined,
  field: string,
  problems: ProblemDraft[],
): { text: string; images: string[] } {
  const content = turn?.value ?? turn?.content ?? '';
  if (typeof content === 'string') return { text: content, images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (part.text !== undefined) texts.push(part.text);
    const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url?.url ?? part.image);
    if (url === undefined) continue;
    if (url.startsWith('data:') || /^https?:/.test(url)) {
      problems.push({
        code: 'unsupported',
        field,
        message: `${url.startsWith('data:') ? 'inline (data URL)' : 'remote'} images are not supported; save the image as a file and give its path`,
      });
    } else images.push(url.replace(/^file:\/\//, ''));
  }
  return { text: texts.join('\n'), images };
}
