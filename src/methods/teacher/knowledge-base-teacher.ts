import type { KnowledgeTeacher } from '../../benchmark/knowledge-teacher.js';
import { answerSentence } from '../../benchmark/reasoning-text.js';
import { defaultSlipRate } from '../../benchmark/sampled-rationale.js';
import type { Item, MultipleChoiceItem } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { answerLine } from '../answer-format.js';
import { type RationaleStyle, type Teacher, TeacherReplyError } from './teacher.js';

/** How the knowledge-base teacher samples (self-consistency's k rationales per item). */
export interface KnowledgeBaseSampling {
  /**
   * Above 0, a numbered sample (`rationale(item, style, { sample })`) is drawn, not the
   * deterministic chain: varying knowledge points and order, and a reasoning slip at `slipRate`.
   * At 0 every sample is the deterministic chain, as before sampling existed. Default 0.7, the
   * LLM teacher's sampling temperature. The temperature switches sampling on; its size does not
   * scale the variation or the slip rate, which `slipRate` sets.
   */
  temperature?: number;
  /** Share of sampled rationales with a wrong intermediate condition. Default 0.2. */
  slipRate?: number;
  /** Seeds the draws, so a run's samples are reproducible and its caches hold. Default 1. */
  seed?: number;
}

/** Sampling settings with their defaults filled in (shared with the imaging benchmark's teacher). */
export function resolveSampling(sampling: KnowledgeBaseSampling): Required<KnowledgeBaseSampling> {
  return {
    temperature: sampling.temperature ?? 0.7,
    slipRate: sampling.slipRate ?? defaultSlipRate,
    seed: sampling.seed ?? 1,
  };
}

/**
 * The project's knowledge-grounded teacher behind the Teacher seam, so `medistill demo` runs
 * every role offline. Its sentences name the answer by letter; here they are rewritten into the
 * `Answer: <text>` line every medistill target ends in, on a line of its own.
 */
export class KnowledgeBaseTeacher implements Teacher {
  readonly id = 'knowledge-base';

  private readonly sampling: Required<KnowledgeBaseSampling>;

  constructor(
    private readonly teacher: KnowledgeTeacher,
    sampling: KnowledgeBaseSampling = {},
  ) {
    this.sampling = resolveSampling(sampling);
  }

  private multipleChoice(item: Item, role: string): MultipleChoiceItem {
    if (item.kind !== 'multiple-choice')
      throw new TeacherReplyError(
        role,
        item.id,
        'the knowledge-base teacher answers only the benchmark vignettes',
      );
    return item;
  }

  private key(item: MultipleChoiceItem, role: string): string {
    const key = this.teacher.answer(item);
    if (key === undefined)
      throw new TeacherReplyError(role, item.id, 'the knowledge base cannot decide this question');
    return key;
  }

  async answer(item: Item): Promise<string> {
    return this.key(this.multipleChoice(item, 'answer'), 'answer');
  }

  async explain(item: Item): Promise<string> {
    const question = this.multipleChoice(item, 'explain');
    const key = this.key(question, 'explain');
    return this.teacher
      .explain(question)
      .replace(`${answerSentence(key)} `, `${answerLine(question, key)}\n`);
  }

  async judge(item: Item, studentReply: string): Promise<boolean> {
    const question = this.multipleChoice(item, 'judge');
    return matchesReference(question, extractAnswer(studentReply, question));
  }

  async correct(item: Item, studentReply: string): Promise<string> {
    const question = this.multipleChoice(item, 'correct');
    const key = this.key(question, 'correct');
    const { chain } = this.teacher.correct(question, studentReply);
    return chain.replace(`In summary , the answer is ${key} .`, `In summary :\n${answerLine(question, key)}`);
  }

  /** The deterministic chain; a numbered sample at temperature > 0 is drawn instead (see {@link KnowledgeBaseSampling}). */
  async rationale(item: Item, style: RationaleStyle, options: { sample?: number } = {}): Promise<string> {
    const question = this.multipleChoice(item, 'rationale');
    let key = this.key(question, 'rationale');
    let { rationale } = this.teacher.rationale(question);
    if (options.sample !== undefined && this.sampling.temperature > 0) {
      const sampled = this.teacher.sampledRationale(question, {
        seed: this.sampling.seed,
        sample: options.sample,
        slipRate: this.sampling.slipRate,
      });
      rationale = sampled.rationale;
      key = sampled.sample.key;
    }
    return style === 'chain-of-thought' ? `${rationale}\n${answerLine(question, key)}` : rationale;
  }
}
