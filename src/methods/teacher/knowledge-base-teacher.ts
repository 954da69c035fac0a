import type { KnowledgeTeacher } from '../../benchmark/knowledge-teacher.js';
import { answerSentence } from '../../benchmark/reasoning-text.js';
import type { Item, MultipleChoiceItem } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { answerLine } from '../answer-format.js';
import { type RationaleStyle, type Teacher, TeacherReplyError } from './teacher.js';

/**
 * The project's knowledge-grounded teacher behind the Teacher seam, so `medistill demo` runs
 * every role offline. Its sentences name the answer by letter; here they are rewritten into the
 * `Answer: <text>` line every medistill target ends in, on a line of its own.
 */
export class KnowledgeBaseTeacher implements Teacher {
  readonly id = 'knowledge-base';

  constructor(private readonly teacher: KnowledgeTeacher) {}

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

  async rationale(item: Item, style: RationaleStyle): Promise<string> {
    const question = this.multipleChoice(item, 'rationale');
    const key = this.key(question, 'rationale');
    const { rationale } = this.teacher.rationale(question);
    return style === 'chain-of-thought' ? `${rationale}\n${answerLine(question, key)}` : rationale;
  }
}
