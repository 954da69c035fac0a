import type { Item } from '../../datasets/item.js';
import { referenceAnswerText } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { extractChoice } from '../../eval/extract-choice.js';
import type { LanguageModel } from '../../models/language-model.js';
import { answerText } from '../answer-format.js';
import { type PromptTemplate, type TeacherRole, fillTemplate } from './prompt-templates.js';
import { checkCorrection, checkExplanation, parseJudgement } from './reply-parsers.js';
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
      answerFormat: item.kind === 'multiple-choice' ? item.options.map((option) => option.key).join('/') : item.kind === 'yes-no-maybe' ? 'yes/no/maybe' : '<answer>',
      ...values,
    });
    const attempts = this.options.attempts ?? 3;
    let problem = 'no reply';
    for (let attempt = 0; attempt < attempts; attempt++) {
      const sample = settings.sample ?? 0;
      // A retry or a further sample must be a different request, or the cache would replay the same reply.
      const varied = attempt > 0 || sample > 0;
      const response = await (settings.model ?? this.options.model).generate({
        messages: [
          { role: 'system', content: `${template.system}` },
          { role: 'user', content: user },
        ],
        maxTokens: settings.maxTokens ?? this.options.maxTokens ?? 1024,
        temperature: varied ? (this.options.sampleTemperature ?? 0.7) : 0,
        seed: sample * 1000 + attempt,
      });
      const reply = response.choices[0]?.text ?? '';
      const failure = check(reply);
      if (failure === undefined) return reply.trim();
      problem = failure;
    }
    throw new TeacherReplyError(`${role}@${template.version}`, item.id, `invalid reply after ${attempts} tries: ${problem}`);
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
    return this.ask('correct', item, { reply: studentReply, knowledge }, (reply) => checkCorrection(item, reply));
  }

  rationale(item: Item, style: RationaleStyle, options: { sample?: number } = {}): Promise<string> {
    const check = style === 'chain-of-thought' ? (reply: string) => (/Answer:/i.test(reply) ? undefined : 'no "Answer:" line') : () => undefined;
    return this.ask(style, item, {}, check, options.sample !== undefined ? { sample: options.sample } : {});
  }
}

/** The answer after "Final Answer:" as an option key, yes/no/maybe, or text. */
export function parseFinalAnswer(item: Item, reply: string): string | null {
  if (item.kind === 'multiple-choice') return extractChoice(reply, item.options);
  const match = /Final Answer:\s*\**\s*(.+)/i.exec(reply);
  const text = match?.[1]?.trim().replace(/\**$/, '').trim();
  if (item.kind === 'yes-no-maybe') {
    const word = /\b(yes|no|maybe)\b/i.exec(text ?? reply);
    return word ? word[1]!.toLowerCase() : null;
  }
  return text && text.length > 0 ? text : null;
}
