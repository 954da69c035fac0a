import type { Condition, KnowledgeBase } from './knowledge-base.js';

/**
 * The sentences the benchmark is written in. Every output (vignettes, teacher roles, fact lines)
 * is built here so the wording stays regular and the vocabulary closed: a tiny word-level student
 * learns a handful of sentence frames, not prose. Punctuation stands apart as its own word so a
 * whitespace tokenizer needs nothing else.
 */

/** `Findings <x> and <y> indicate <condition> .` */
export function findingsIndicateSentence(findings: readonly string[], condition: Condition): string {
  return `Findings ${findings.join(' and ')} indicate ${condition.name} .`;
}

/** `<condition> is managed with <management> .` */
export function managedWithSentence(condition: Condition): string {
  return `${condition.name} is managed with ${condition.management} .`;
}

/** The canonical two-step chain: findings, then condition, then management. */
export function reasoningChain(findings: readonly string[], condition: Condition): string {
  return `${findingsIndicateSentence(findings, condition)} ${managedWithSentence(condition)}`;
}

/** `The answer is <key> .` — the one answer sentence every output ends or starts with. */
export function answerSentence(key: string): string {
  return `The answer is ${key} .`;
}

/** `<look-alike> lacks <finding> .` — the finding that tells a look-alike apart. */
export function lookAlikeSentence(lookAlike: Condition, missingFinding: string): string {
  return `${lookAlike.name} lacks ${missingFinding} .`;
}

/** `<finding> suggests <condition> or <condition> .` */
export function findingSuggestsSentence(finding: string, conditions: readonly Condition[]): string {
  return `${finding} suggests ${conditions.map((condition) => condition.name).join(' or ')} .`;
}

export interface FactLineOptions {
  /** Add `<condition> is confirmed by <investigation> .` and `<hallmark> points to <condition> .` lines. */
  includeInvestigations?: boolean;
}

/**
 * Plain knowledge-base statements for mixing into training batches, as in the project's probe:
 * one management line per condition and one line per finding naming the conditions it suggests.
 * They never pair two findings, so they cannot leak a held-out finding combination.
 */
export function knowledgeFactLines(knowledgeBase: KnowledgeBase, options: FactLineOptions = {}): string[] {
  const lines = knowledgeBase.conditions.map(managedWithSentence);
  for (const finding of knowledgeBase.findings) {
    lines.push(findingSuggestsSentence(finding, knowledgeBase.conditionsWithFinding(finding)));
  }
  if (options.includeInvestigations) {
    for (const condition of knowledgeBase.conditions) {
      lines.push(`${condition.name} is confirmed by ${condition.keyInvestigation} .`);
      for (const hallmark of condition.hallmarks) lines.push(`${hallmark} points to ${condition.name} .`);
    }
  }
  return lines;
}
