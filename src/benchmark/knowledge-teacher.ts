import { z } from 'zod';
import type { MultipleChoiceItem } from '../datasets/item.js';
import { ConfigError, InputError } from '../errors.js';
import { matchesReference } from '../eval/extract-answer.js';
import { extractChoice } from '../eval/extract-choice.js';
import type { Condition, KnowledgeBase } from './knowledge-base.js';
import {
  answerSentence,
  findingsIndicateSentence,
  lookAlikeSentence,
  managedWithSentence,
  reasoningChain,
} from './reasoning-text.js';

export const knowledgeTeacherOptionsSchema = z
  .object({
    /** The language of the outputs. Only English: the knowledge base is written in English. */
    language: z.enum(['english']).default('english'),
  })
  .strict();

export type KnowledgeTeacherOptions = z.input<typeof knowledgeTeacherOptionsSchema>;

/** A look-alike among an item's options, and the finding that tells it apart. */
export interface OptionLookAlike {
  readonly condition: Condition;
  readonly key: string;
  readonly sharedFinding: string;
  readonly missingFinding: string;
}

/** What the teacher reads from a question and its options. The label plays no part. */
export interface TeacherReading {
  readonly findings: readonly string[];
  readonly condition: Condition;
  /** The option holding the condition's management. */
  readonly key: string;
  readonly lookAlikes: readonly OptionLookAlike[];
}

/** The judge's verdict, with MedThink's one-token form (1 correct, 2 wrong). */
export interface JudgeVerdict {
  readonly verdict: 'correct' | 'wrong';
  readonly token: '1' | '2';
  readonly studentKey: string | undefined;
}

export interface Correction {
  /** The stage-2 target: the knowledge points followed by the corrective chain. */
  readonly text: string;
  /** The chain alone: from the knowledge points, through the student's confusion, to the answer. */
  readonly chain: string;
  readonly studentKey: string | undefined;
  /** The look-alike whose management the student chose, where it chose one. */
  readonly confusedConditionId: string | undefined;
  /** The finding that look-alike shares: the one the student read as pointing to it. */
  readonly misreadFinding: string | undefined;
}

export interface TeacherRationale {
  /** Rationale then answer: the target of chain-of-thought distillation. */
  readonly chainOfThought: string;
  /** The rationale alone: the rationale task of Distilling step-by-step. */
  readonly rationale: string;
  /** The answer alone: the label task of Distilling step-by-step. */
  readonly label: string;
}

/**
 * A teacher that plays every MedThink role from the knowledge base, so the whole method runs
 * offline. It reads the findings from the question and the managements from the options; only
 * the judge looks at the reference answer, as a real judge does. Outputs are short and regular
 * (see reasoning-text.ts) so that a tiny word-level student can learn them.
 */
export class KnowledgeTeacher {
  readonly language: 'english';
  private readonly knowledgeBase: KnowledgeBase;

  constructor(knowledgeBase: KnowledgeBase, options: KnowledgeTeacherOptions = {}) {
    const parsed = knowledgeTeacherOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new ConfigError(`knowledge teacher: ${parsed.error.issues[0]?.message ?? 'invalid options'}`);
    }
    this.language = parsed.data.language;
    this.knowledgeBase = knowledgeBase;
  }

  /** Findings, condition and look-alikes as the knowledge base reads them; undefined when it cannot decide. */
  read(item: MultipleChoiceItem): TeacherReading | undefined {
    const findings = this.knowledgeBase.findingsIn(item.question);
    if (findings.length === 0) return undefined;
    const scored = item.options.flatMap((option) => {
      const condition = this.knowledgeBase.conditionForManagement(option.text);
      if (!condition) return [];
      const matched = findings.filter((finding) => condition.findings.includes(finding)).length;
      return [{ key: option.key, condition, matched }];
    });
    const best = Math.max(0, ...scored.map((entry) => entry.matched));
    const top = scored.filter((entry) => entry.matched === best);
    const chosen = top[0];
    if (best === 0 || top.length !== 1 || !chosen) return undefined;
    const lookAlikes = scored.flatMap((entry) => {
      const shared = findings.find((finding) => entry.condition.findings.includes(finding));
      const missing = findings.find((finding) => !entry.condition.findings.includes(finding));
      if (entry === chosen || shared === undefined || missing === undefined) return [];
      return [{ condition: entry.condition, key: entry.key, sharedFinding: shared, missingFinding: missing }];
    });
    lookAlikes.sort(
      (left, right) => findings.indexOf(left.sharedFinding) - findings.indexOf(right.sharedFinding),
    );
    return { findings, condition: chosen.condition, key: chosen.key, lookAlikes };
  }

  /** Screening: the option key the knowledge base implies, or undefined when it cannot tell. */
  answer(item: MultipleChoiceItem): string | undefined {
    return this.read(item)?.key;
  }

  /** Stage 1: the answer, then numbered knowledge points citing the facts used. */
  explain(item: MultipleChoiceItem): string {
    const reading = this.require(item);
    const points = [
      findingsIndicateSentence(reading.findings, reading.condition),
      managedWithSentence(reading.condition),
      ...reading.lookAlikes
        .slice(0, 2)
        .map((lookAlike) => lookAlikeSentence(lookAlike.condition, lookAlike.missingFinding)),
    ];
    const numbered = points.map((point, index) => `${index + 1} . ${point}`).join(' ');
    return `${answerSentence(reading.key)} Knowledge points : ${numbered}`;
  }

  /** Stage 2 judge: the student's extracted answer against the reference answer. */
  judge(item: MultipleChoiceItem, studentReply: string): JudgeVerdict {
    const studentKey = extractChoice(studentReply, item.options) ?? undefined;
    const correct = matchesReference(item, studentKey ?? null);
    return { verdict: correct ? 'correct' : 'wrong', token: correct ? '1' : '2', studentKey };
  }

  /**
   * Stage 2 correction: from the knowledge points, through what the student confused (the
   * look-alike whose management it chose and the finding that look-alike shares), to the answer.
   */
  correct(item: MultipleChoiceItem, studentReply: string, knowledge = ''): Correction {
    const reading = this.require(item);
    const studentKey = extractChoice(studentReply, item.options) ?? undefined;
    const prefix = 'From the knowledge points we can infer that';
    let opening = `${prefix} the reply gives no answer .`;
    let confused: Condition | undefined;
    let misreadFinding: string | undefined;
    if (studentKey === reading.key) {
      opening = `${prefix} option ${studentKey} fits all findings .`;
    } else if (studentKey !== undefined) {
      const text = item.options.find((option) => option.key === studentKey)?.text ?? '';
      confused = this.knowledgeBase.conditionForManagement(text);
      if (!confused) {
        opening = `${prefix} option ${studentKey} fits no finding .`;
      } else {
        const shared = reading.findings.filter((finding) => confused?.findings.includes(finding));
        const missing = reading.findings.filter((finding) => !confused?.findings.includes(finding));
        misreadFinding = shared[0];
        const fit =
          shared.length === 0
            ? `has neither ${reading.findings.join(' nor ')}`
            : `has ${shared.join(' and ')} but not ${missing.join(' and ')}`;
        opening = `${prefix} option ${studentKey} treats ${confused.name} , which ${fit} .`;
      }
    }
    const chain = `${opening} ${reasoningChain(reading.findings, reading.condition)} In summary , the answer is ${reading.key} .`;
    return {
      text: knowledge.trim() === '' ? chain : `${knowledge.trim()} ${chain}`,
      chain,
      studentKey,
      confusedConditionId: confused?.id,
      misreadFinding,
    };
  }

  /** Rationales for chain-of-thought distillation and for Distilling step-by-step. */
  rationale(item: MultipleChoiceItem): TeacherRationale {
    const reading = this.require(item);
    const rationale = reasoningChain(reading.findings, reading.condition);
    const label = answerSentence(reading.key);
    return { chainOfThought: `${rationale} ${label}`, rationale, label };
  }

  private require(item: MultipleChoiceItem): TeacherReading {
    const reading = this.read(item);
    if (!reading) {
      throw new InputError(`item ${item.id}: the knowledge base cannot answer this question`, {
        file: item.source?.file ?? item.id,
        field: 'question',
      });
    }
    return reading;
  }
}
