import { z } from 'zod';
import type { Item } from '../../datasets/item.js';
import { answerLine, answerText } from '../answer-format.js';
import type { TeacherRole } from './prompt-templates.js';

/**
 * Structured mode: each role asks the server for JSON against a schema (vLLM, SGLang and
 * llama-server constrain decoding to it), then the JSON is turned into the same text targets the
 * free-text mode produces. Malformed JSON is a failed attempt, retried like a malformed reply.
 */
export function roleSchema(role: TeacherRole, item: Item, maxCharacters = 4000): z.ZodType {
  // Bounded strings make the grammar close every string and object, so a reply never runs on.
  const text = (limit: number) => z.string().min(1).max(limit);
  const short = Math.min(300, maxCharacters);
  const answer =
    item.kind === 'multiple-choice'
      ? z.enum(item.options.map((option) => option.key) as [string, ...string[]])
      : item.kind === 'yes-no-maybe'
        ? z.enum(['yes', 'no', 'maybe'])
        : text(short);
  switch (role) {
    case 'answer':
      return z.object({ answer });
    case 'explain':
      return z.object({ answer: text(short), knowledge: z.array(text(short)).min(1).max(8) });
    case 'judge':
      return z.object({ correct: z.boolean() });
    case 'correct':
      return z.object({ reasoning: text(maxCharacters) });
    case 'chain-of-thought':
      return z.object({ reasoning: text(maxCharacters), answer });
    case 'step-by-step':
      return z.object({ rationale: text(maxCharacters) });
  }
}

/** The text a structured reply stands for, in the free-text formats the parsers and students expect. */
export function structuredToText(role: TeacherRole, item: Item, value: Record<string, unknown>): string {
  const text = (key: string): string => String(value[key] ?? '').trim();
  switch (role) {
    case 'answer':
      return `Final Answer: ${text('answer')}`;
    case 'explain': {
      const points = (value.knowledge as string[]).map((point, index) => `${index + 1}. ${point.trim()}`);
      return `Answer: ${text('answer')}\nKnowledge:\n${points.join('\n')}`;
    }
    case 'judge':
      return value.correct ? '1' : '2';
    case 'correct':
      // The teacher is told the reference; the chain's last line states it so every target ends alike.
      return `${text('reasoning')}\n${answerLine(item)}`;
    case 'chain-of-thought':
      return `${text('reasoning')}\nAnswer: ${item.kind === 'multiple-choice' ? answerText(item, text('answer')) : text('answer')}`;
    case 'step-by-step':
      return text('rationale');
  }
}
