import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';

/**
 * Versioned prompt templates for every teacher role, in English and Chinese (the MedThink data
 * is Chinese). The version is part of the rendered text, hence of every cache key: changing a
 * template never serves stale cached replies. Users override a role with their own text.
 */
export const teacherRoles = [
  'answer',
  'explain',
  'judge',
  'correct',
  'chain-of-thought',
  'step-by-step',
] as const;
export type TeacherRole = (typeof teacherRoles)[number];
export type PromptLanguage = 'en' | 'zh';

export interface PromptTemplate {
  version: string;
  system: string;
  user: string;
}

const en: Record<TeacherRole, PromptTemplate> = {
  answer: {
    version: 'answer@1',
    system: 'You are a senior physician answering medical exam questions.',
    user: '{{question}}\n\nEnd your response with exactly this format: Final Answer: {{answerFormat}}',
  },
  explain: {
    version: 'explain@1',
    system: 'You are a senior physician who teaches the domain knowledge behind each answer.',
    user:
      '{{question}}\n\nThe correct answer is: {{reference}}\n' +
      'Write the answer, then the domain knowledge needed to reach it as numbered points, in this format:\n' +
      'Answer: <the answer>\nKnowledge:\n1. <point>\n2. <point>',
  },
  judge: {
    version: 'judge@1',
    system: 'You grade answers to medical questions.',
    user:
      'Question:\n{{question}}\n\nReference answer: {{reference}}\n\nStudent answer:\n{{reply}}\n\n' +
      'Is the student answer correct? Reply with a single digit: 1 if correct, 2 if wrong.',
  },
  correct: {
    version: 'correct@1',
    system: 'You are a senior physician correcting a student.',
    user:
      'Question:\n{{question}}\n\nKnowledge points:\n{{knowledge}}\n\nThe student answered:\n{{reply}}\n\n' +
      'This is wrong; the correct answer is: {{reference}}\n' +
      "Write a reasoning chain that starts from the knowledge points, says exactly where the student's reasoning went wrong, " +
      'and reaches the correct answer. Begin with "From the knowledge points we can infer" and end with the line:\nAnswer: {{referenceText}}',
  },
  'chain-of-thought': {
    version: 'cot@1',
    system: 'You are a senior physician who reasons step by step.',
    user: '{{question}}\n\nThink step by step, then end with the line:\nAnswer: <the answer>',
  },
  'step-by-step': {
    version: 'rationale@1',
    system: 'You are a senior physician who explains answers.',
    user: '{{question}}\n\nThe correct answer is: {{reference}}\nExplain briefly why, as a rationale that leads to this answer.',
  },
};

const zh: Record<TeacherRole, PromptTemplate> = {
  answer: {
    version: 'answer@1-zh',
    system: '你是一名回答医学考试题目的资深医师。',
    user: '{{question}}\n\n请在回答最后严格使用以下格式：Final Answer: {{answerFormat}}',
  },
  explain: {
    version: 'explain@1-zh',
    system: '你是一名讲解答案背后医学知识的资深医师。',
    user: '{{question}}\n\n正确答案是：{{reference}}\n请先写出答案，再分点列出得出答案所需的领域知识，格式如下：\nAnswer: <答案>\nKnowledge:\n1. <知识点>\n2. <知识点>',
  },
  judge: {
    version: 'judge@1-zh',
    system: '你负责评判医学问题的回答。',
    user: '问题：\n{{question}}\n\n参考答案：{{reference}}\n\n学生回答：\n{{reply}}\n\n学生回答是否正确？只回复一个数字：正确回复1，错误回复2。',
  },
  correct: {
    version: 'correct@1-zh',
    system: '你是一名纠正学生错误的资深医师。',
    user: '问题：\n{{question}}\n\n知识点：\n{{knowledge}}\n\n学生的回答：\n{{reply}}\n\n该回答是错误的，正确答案是：{{reference}}\n请从知识点出发写出推理链，指出学生推理出错之处，并得出正确答案。以“根据知识点可以推断”开头，以这一行结尾：\nAnswer: {{referenceText}}',
  },
  'chain-of-thought': {
    version: 'cot@1-zh',
    system: '你是一名逐步推理的资深医师。',
    user: '{{question}}\n\n请逐步推理，最后一行写：\nAnswer: <答案>',
  },
  'step-by-step': {
    version: 'rationale@1-zh',
    system: '你是一名解释答案的资深医师。',
    user: '{{question}}\n\n正确答案是：{{reference}}\n请简要说明理由，推理应指向这个答案。',
  },
};

export const builtInTemplates: Record<PromptLanguage, Record<TeacherRole, PromptTemplate>> = { en, zh };

export const templateOverrideSchema = z.strictObject({
  system: z.string().optional(),
  user: z.string().optional(),
  /** A file holding the user template. */
  file: z.string().optional(),
  version: z.string().optional(),
});
export type TemplateOverride = z.infer<typeof templateOverrideSchema>;

/** The templates for a language with the user's overrides applied. */
export function resolveTemplates(
  language: PromptLanguage,
  overrides: Partial<Record<TeacherRole, TemplateOverride>> = {},
): Record<TeacherRole, PromptTemplate> {
  const templates = { ...builtInTemplates[language] };
  for (const [role, override] of Object.entries(overrides) as [TeacherRole, TemplateOverride][]) {
    const base = templates[role];
    let user = override.user ?? base.user;
    if (override.file) {
      try {
        user = readFileSync(override.file, 'utf8');
      } catch (error) {
        throw new ConfigError(`cannot read the ${role} prompt template ${override.file}`, { cause: error });
      }
    }
    templates[role] = {
      version: override.version ?? `${base.version}+custom`,
      system: override.system ?? base.system,
      user,
    };
  }
  return templates;
}

/** Fill `{{name}}` placeholders; an unknown placeholder is a configuration error, not silent text. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ConfigError(`prompt template uses unknown placeholder {{${name}}}`);
    return value;
  });
}
