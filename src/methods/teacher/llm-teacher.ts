import { z } from 'zod';
import type { Item } from '../../datasets/item.js';
import { referenceAnswerText } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { extractAnswer } from '../../eval/extract-answer.js';
import type { LanguageModel } from '../../models/language-model.js';
import { withContext } from '../../models/middleware/call-context.js';
import { answerText } from '../answer-format.js';
import { fillTemplate, type PromptTemplate, type TeacherRole } from './prompt-templates.js';
import { checkCorrection, checkExplanation, parseJudgement } from './reply-parsers.js';
import { roleSchema, structuredToText } from './structured-replies.js';
import { type RationaleStyle, type Teacher, TeacherReplyError } from './teacher.js';

export interface LlmTeacherOptions {
  model: LanguageModel;
  /** The judge may be a different model; defaults to the teacher. */
  judge?: LanguageModel;
  templates: Record<TeacherRole, PromptTemplate>;
  /** Tries per role before the item is recorded as failed (default 3). */
  attempts?: number;
  maxTokens?: number;
  /** Sampling temperature for k-sample screening and self-consistency. */
  sampleTemperature?: number;
  /** Ask for JSON against a schema per role (constrained decoding on the server) instead of free text. */
  structured?: boolean;
  /** In structured mode, the longest reasoning a reply may hold (a cost cap; default 4000 characters). */
  maxReplyCharacters?: number;
}

/** A teacher played by an LLM through the versioned prompt templates; replies are checked and retried. */
export class LlmTeacher implements Teacher {
  readonly id: string;

  constructor(private readonly options: LlmTeacherOptions) {
    this.id = options.model.id;
  }

  private async ask(
    role: TeacherRole,
    item: Item,
    values: Record<string, string>,
    check: (reply: string) => string | undefined,
    settings: { model?: LanguageModel; maxTokens?: number; sample?: number } = {},
  ): Promise<string> {
    const template = this.options.templates[role];
    const user = fillTemplate(template.user, {
      question: itemPromptText(item),
      reference: referenceAnswerText(item),
      referenceText: answerText(item),
      answerFormat:
        item.kind === 'multiple-choice'
          ? item.options.map((option) => option.key).join('/')
          : item.kind === 'yes-no-maybe'
            ? 'yes/no/maybe'
            : '<answer>',
      ...values,
    });
    const attempts = this.options.attempts ?? 3;
    let problem = 'no reply';
    let lastReply: string | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const sample = settings.sample ?? 0;
      // A retry or a further sample must be a different request, or the cache would replay the same reply.
      const varied = attempt > 0 || sample > 0;
      const schema = this.options.structured
        ? roleSchema(role, item, this.options.maxReplyCharacters)
        : undefined;
      const response = await (settings.model ?? this.options.model).generate(
        {
          messages: [
            { role: 'system', content: `${template.system}` },
            { role: 'user', content: user },
          ],
          // A structured judge writes JSON, not one token.
          maxTokens: schema
            ? (this.options.maxTokens ?? 1024)
            : (settings.maxTokens ?? this.options.maxTokens ?? 1024),
          temperature: varied ? (this.options.sampleTemperature ?? 0.7) : 0,
          seed: sample * 1000 + attempt,
          ...(schema ? { jsonSchema: z.toJSONSchema(schema) as Record<string, unknown> } : {}),
          // The run store logs each call with the role and item it served.
        },
        withContext(undefined, { stage: role, itemId: item.id }),
      );
      const raw = response.choices[0]?.text ?? '';
      lastReply = raw;
      const reply = schema ? structuredReply(role, item, schema, raw) : raw;
      if (reply === undefined) {
        problem = `reply is not JSON matching the ${role} schema`;
        continue;
      }
      const failure = check(reply);
      if (failure === undefined) return reply.trim();
      problem = failure;
    }
    throw new TeacherReplyError(
      `${role}@${template.version}`,
      item.id,
      `invalid reply after ${attempts} tries: ${problem}${lastReply === undefined ? '' : `: ${lastReply.replace(/\s+/g, ' ').slice(0, 120)}`}`,
      { reason: problem, ...(lastReply !== undefined ? { reply: lastReply } : {}) },
    );
  }

  async answer(item: Item, options: { sample?: number } = {}): Promise<string> {
    let parsed: string | null = null;
    await this.ask(
      'answer',
      item,
      {},
      (reply) => {
        parsed = parseFinalAnswer(item, reply);
        return parsed === null ? 'no "Final Answer:"' : undefined;
      },
      options.sample !== undefined ? { sample: options.sample } : {},
    );
    return parsed!;
  }

  explain(item: Item): Promise<string> {
    return this.ask('explain', item, {}, checkExplanation);
  }

  async judge(item: Item, studentReply: string): Promise<boolean> {
    let verdict: boolean | undefined;
    await this.ask(
      'judge',
      item,
      { reply: studentReply },
      (reply) => {
        verdict = parseJudgement(reply);
        return verdict === undefined ? 'judge did not answer 1 or 2' : undefined;
      },
      // MedThink's judge generates a single token.
      { model: this.options.judge ?? this.options.model, maxTokens: 1 },
    );
    return verdict!;
  }

  correct(item: Item, studentReply: string, knowledge: string): Promise<string> {
    return this.ask('correct', item, { reply: studentReply, knowledge }, (reply) =>
      checkCorrection(item, reply),
    );
  }

  rationale(item: Item, style: RationaleStyle, options: { sample?: number } = {}): Promise<string> {
    const check =
      style === 'chain-of-thought'
        ? (reply: string) => (/Answer:/i.test(reply) ? undefined : 'no "Answer:" line')
        : () => undefined;
    return this.ask(style, item, {}, check, options.sample !== undefined ? { sample: options.sample } : {});
  }
}

/**
 * The teacher's answer, read by the one answer reader: an option key, yes/no/maybe, or text. An
 * open-ended reply must state it after "Final Answer:" (else it is retried), since the reader
 * would otherwise take the whole reply as the answer.
 */
export function parseFinalAnswer(item: Item, reply: string): string | null {
  if (item.kind === 'open-ended' && !/final\s+answer\s*[:：]/i.test(reply)) return null;
  return extractAnswer(reply, item);
}

function structuredReply(role: TeacherRole, item: Item, schema: z.ZodType, raw: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? structuredToText(role, item, parsed.data as Record<string, unknown>) : undefined;
}
