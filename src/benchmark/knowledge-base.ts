import { ConfigError, InputError } from '../errors.js';
import { hepatobiliaryConditions } from './knowledge/hepatobiliary-conditions.js';
import { luminalConditions } from './knowledge/luminal-conditions.js';
import { type ConditionDefinition, knowledgeDefinitionsSchema } from './knowledge-schema.js';

/** A condition of the knowledge base, with a stable id derived from its name. */
export interface Condition extends ConditionDefinition {
  readonly id: string;
}

/** A finding pair, unordered; stored in the order the knowledge base lists the findings. */
export type FindingPair = readonly [string, string];

/** A condition that shares findings with another, and what tells the two apart. */
export interface LookAlike {
  readonly condition: Condition;
  /** Findings both conditions have: each alone cannot separate them. */
  readonly sharedFindings: readonly string[];
  /** Findings of the first condition that the look-alike lacks: any one of them tells them apart. */
  readonly distinguishingFindings: readonly string[];
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The clinical knowledge the benchmark is built from and the knowledge teacher answers from:
 * conditions, their shared findings, key investigation and first-line management. Immutable;
 * `subset` gives a smaller knowledge base for smaller benchmarks.
 */
export class KnowledgeBase {
  readonly conditions: readonly Condition[];
  /** Every finding, in first-listed order. */
  readonly findings: readonly string[];
  private readonly byId: ReadonlyMap<string, Condition>;
  private readonly byFinding: ReadonlyMap<string, readonly Condition[]>;
  private readonly byManagement: ReadonlyMap<string, Condition>;
  /** Findings as lower-case word lists, indexed by first word: for reading findings from text. */
  private readonly phrasesByFirstWord: ReadonlyMap<
    string,
    ReadonlyArray<{ finding: string; words: string[] }>
  >;

  private constructor(conditions: readonly Condition[]) {
    this.conditions = conditions;
    this.byId = new Map(conditions.map((condition) => [condition.id, condition]));
    this.byManagement = new Map(
      conditions.map((condition) => [condition.management.toLowerCase(), condition]),
    );
    const byFinding = new Map<string, Condition[]>();
    for (const condition of conditions) {
      for (const finding of condition.findings) {
        const list = byFinding.get(finding) ?? [];
        list.push(condition);
        byFinding.set(finding, list);
      }
    }
    this.byFinding = byFinding;
    this.findings = [...byFinding.keys()];
    const phrases = new Map<string, Array<{ finding: string; words: string[] }>>();
    for (const finding of this.findings) {
      const words = tokens(finding);
      const first = words[0] ?? '';
      phrases.set(first, [...(phrases.get(first) ?? []), { finding, words }]);
    }
    this.phrasesByFirstWord = phrases;
  }

  /**
   * Validates condition definitions (schema, then uniqueness of names, managements and hallmarks)
   * and builds a knowledge base. `source` names the input in error messages.
   */
  static fromDefinitions(input: unknown, source = 'knowledge base'): KnowledgeBase {
    const parsed = knowledgeDefinitionsSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = (issue?.path ?? []).map((part) =>
        typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
      );
      throw new InputError(issue?.message ?? 'invalid knowledge base', {
        file: source,
        field: `conditions${path.join('')}`,
      });
    }
    const seen = { name: new Set<string>(), management: new Set<string>(), hallmark: new Set<string>() };
    const findingNames = new Set(parsed.data.flatMap((definition) => definition.findings));
    parsed.data.forEach((definition, index) => {
      const where = (field: string) => ({ file: source, field: `conditions[${index}].${field}` });
      const checkUnique = (kind: keyof typeof seen, value: string, field: string) => {
        if (seen[kind].has(value.toLowerCase()))
          throw new InputError(`duplicate ${kind} "${value}"`, where(field));
        seen[kind].add(value.toLowerCase());
      };
      checkUnique('name', slug(definition.name), 'name');
      checkUnique('management', definition.management, 'management');
      for (const hallmark of definition.hallmarks) {
        checkUnique('hallmark', hallmark, 'hallmarks');
        if (findingNames.has(hallmark))
          throw new InputError(`hallmark "${hallmark}" is also a finding`, where('hallmarks'));
      }
      if (new Set(definition.findings).size !== definition.findings.length) {
        throw new InputError(`"${definition.name}" lists a finding twice`, where('findings'));
      }
    });
    return new KnowledgeBase(parsed.data.map((definition) => ({ ...definition, id: slug(definition.name) })));
  }

  /** The condition with this id; a ConfigError names the unknown id. */
  condition(id: string): Condition {
    const condition = this.byId.get(id);
    if (!condition) throw new ConfigError(`unknown condition "${id}" in the knowledge base`);
    return condition;
  }

  /** Conditions that list this finding (none for an unknown finding). */
  conditionsWithFinding(finding: string): readonly Condition[] {
    return this.byFinding.get(finding) ?? [];
  }

  /** Conditions that list every one of these findings. */
  conditionsWithAllFindings(findings: readonly string[]): Condition[] {
    return this.conditions.filter((condition) =>
      findings.every((finding) => condition.findings.includes(finding)),
    );
  }

  /** The condition whose first-line management is this text (case-insensitive). */
  conditionForManagement(management: string): Condition | undefined {
    return this.byManagement.get(management.trim().toLowerCase());
  }

  /** Conditions sharing at least one finding with this one, with what tells each apart. */
  lookAlikes(conditionId: string): LookAlike[] {
    const condition = this.condition(conditionId);
    return this.conditions
      .filter((other) => other.id !== condition.id)
      .map((other) => ({
        condition: other,
        sharedFindings: condition.findings.filter((finding) => other.findings.includes(finding)),
        distinguishingFindings: condition.findings.filter((finding) => !other.findings.includes(finding)),
      }))
      .filter((lookAlike) => lookAlike.sharedFindings.length > 0);
  }

  /** Finding pairs of this condition that no other condition has both of. */
  identifyingPairs(conditionId: string): FindingPair[] {
    const { findings } = this.condition(conditionId);
    const pairs: FindingPair[] = [];
    for (let first = 0; first < findings.length; first++) {
      for (let second = first + 1; second < findings.length; second++) {
        const pair = [findings[first], findings[second]] as FindingPair;
        if (this.conditionsWithAllFindings(pair).length === 1) pairs.push(pair);
      }
    }
    return pairs;
  }

  /** A knowledge base with only these conditions (in this knowledge base's order). */
  subset(conditionIds: Iterable<string>): KnowledgeBase {
    const wanted = new Set(conditionIds);
    for (const id of wanted) this.condition(id);
    return new KnowledgeBase(this.conditions.filter((condition) => wanted.has(condition.id)));
  }

  /**
   * The findings named in a text, in order of first appearance. Matches whole words,
   * case-insensitively; no finding is a sub-phrase of another, so the match is unambiguous.
   */
  findingsIn(text: string): string[] {
    const words = tokens(text);
    const found: string[] = [];
    words.forEach((word, position) => {
      for (const phrase of this.phrasesByFirstWord.get(word) ?? []) {
        const matches = phrase.words.every((part, offset) => words[position + offset] === part);
        if (matches && !found.includes(phrase.finding)) found.push(phrase.finding);
      }
    });
    return found;
  }
}

/** The knowledge base shipped with medistill: 46 gastroenterology and hepatology conditions. */
export function defaultKnowledgeBase(): KnowledgeBase {
  return KnowledgeBase.fromDefinitions(
    [...hepatobiliaryConditions, ...luminalConditions],
    'src/benchmark/knowledge',
  );
}
