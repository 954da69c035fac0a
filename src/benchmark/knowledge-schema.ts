import { z } from 'zod';

/**
 * The shape of one condition in the benchmark's knowledge base. Kept strict: the knowledge base
 * is project data, so a typo in a field name is a bug to catch at load time, not to tolerate.
 */

/** A short canonical phrase (one to four words) that a word-level model reads as a unit. */
const phraseSchema = z
  .string()
  .trim()
  .min(1)
  .refine((text) => text.split(/\s+/).length <= 4, { message: 'a finding is at most four words' })
  .refine((text) => !/[.,;:?!]/.test(text), { message: 'a finding carries no sentence punctuation' });

/** Free text the teacher quotes (investigation, management): short, no sentence punctuation. */
const statementSchema = z
  .string()
  .trim()
  .min(1)
  .refine((text) => text.split(/\s+/).length <= 6, { message: 'at most six words' })
  .refine((text) => !/[.,;:?!]/.test(text), { message: 'no sentence punctuation' });

export const conditionCategorySchema = z.enum([
  'biliary',
  'pancreas',
  'liver',
  'esophagus',
  'stomach',
  'bowel',
]);
export type ConditionCategory = z.infer<typeof conditionCategorySchema>;

export const conditionDefinitionSchema = z
  .object({
    /** The condition's name as the teacher writes it, e.g. `acute cholangitis`. */
    name: statementSchema,
    category: conditionCategorySchema,
    /**
     * Characteristic findings (symptoms, signs, laboratory or imaging results) that the condition
     * shares with at least one look-alike: the material of the vignettes. One alone is ambiguous.
     */
    findings: z.array(phraseSchema).min(4).max(6),
    /** Distinctive findings (Kayser-Fleischer rings, a positive Murphy sign): knowledge, not vignette material. */
    hallmarks: z.array(phraseSchema).max(3),
    /** The investigation that confirms the condition. */
    keyInvestigation: statementSchema,
    /** First-line management, the text of the correct option. Unique across the knowledge base. */
    management: statementSchema,
  })
  .strict();

export type ConditionDefinition = z.infer<typeof conditionDefinitionSchema>;

export const knowledgeDefinitionsSchema = z.array(conditionDefinitionSchema).min(2);
