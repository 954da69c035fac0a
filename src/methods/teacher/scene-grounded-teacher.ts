import type { SceneTeacher } from '../../benchmark/imaging/scene-teacher.js';
import type { Item, MultipleChoiceItem } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { answerLine } from '../answer-format.js';
import { type KnowledgeBaseSampling, resolveSampling } from './knowledge-base-teacher.js';
import { type RationaleStyle, type Teacher, TeacherReplyError } from './teacher.js';

/**
 * The imaging benchmark's teacher behind the Teacher seam: it reads each study's scene
 * description (never the label, never the pixels) and the imaging knowledge base, so the vision
 * strategies run offline. A numbered sample at temperature > 0 may misread the finding as a
 * look-alike's (the slip rate), which filtering by agreement with the reference removes.
 */
export class SceneGroundedTeacher implements Teacher {
  readonly id = 'scene-knowledge-base';
  private readonly sampling: Required<KnowledgeBaseSampling>;

  constructor(
    private readonly teacher: SceneTeacher,
    sampling: KnowledgeBaseSampling = {},
  ) {
    this.sampling = resolveSampling(sampling);
  }

  private chain(item: Item, role: string, sample?: number) {
    if (item.kind !== 'multiple-choice')
      throw new TeacherReplyError(role, item.id, 'the scene teacher answers only the imaging benchmark');
    const sampled = sample !== undefined && this.sampling.temperature > 0;
    const chain = this.teacher.rationale(
      item,
      sampled ? { seed: this.sampling.seed, sample, slipRate: this.sampling.slipRate } : undefined,
    );
    if (!chain) throw new TeacherReplyError(role, item.id, 'the study has no readable scene description');
    return { question: item as MultipleChoiceItem, ...chain };
  }

  /** The deterministic reading, as the knowledge-base teacher answers: screening labels do not slip. */
  async answer(item: Item): Promise<string> {
    return this.chain(item, 'answer').key;
  }

  async explain(item: Item): Promise<string> {
    const { question, rationale, key } = this.chain(item, 'explain');
    return `${answerLine(question, key)}\n${rationale}`;
  }

  async judge(item: Item, studentReply: string): Promise<boolean> {
    return matchesReference(item, extractAnswer(studentReply, item));
  }

  async correct(item: Item): Promise<string> {
    const { question, rationale, key } = this.chain(item, 'correct');
    return `${rationale}\n${answerLine(question, key)}`;
  }

  async rationale(item: Item, style: RationaleStyle, options: { sample?: number } = {}): Promise<string> {
    const { question, rationale, key } = this.chain(item, 'rationale', options.sample);
    return style === 'chain-of-thought' ? `${rationale}\n${answerLine(question, key)}` : rationale;
  }
}
