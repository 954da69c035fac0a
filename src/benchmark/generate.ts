import { z } from 'zod';
import { type MultipleChoiceItem, multipleChoiceItemSchema } from '../datasets/item.js';
import { ConfigError } from '../errors.js';
import type {
  Benchmark,
  BenchmarkContent,
  ResolvedBenchmarkOptions,
  VignetteTruth,
} from './benchmark-types.js';
import { benchmarkCorpus } from './corpus.js';
import {
  type Condition,
  defaultKnowledgeBase,
  type FindingPair,
  type KnowledgeBase,
} from './knowledge-base.js';
import { splitConditionPairs } from './pair-split.js';
import { SeededRandom } from './seeded-random.js';
import { buildVignetteOptions } from './vignette-options.js';
import { vignetteAges, vignetteTemplates } from './vignette-templates.js';

/** Benchmark sizes and seed. Strict: a misspelt option is a mistake, not something to ignore. */
export const benchmarkOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** How many conditions to use; a connected group of look-alikes is chosen. Default: all. */
    conditionCount: z.number().int().min(4).optional(),
    trainPairsPerCondition: z.number().int().min(1).default(4),
    testPairsPerCondition: z.number().int().min(1).default(2),
    trainVignettesPerPair: z.number().int().min(1).default(8),
    testVignettesPerPair: z.number().int().min(1).default(4),
    templateCount: z.number().int().min(1).max(vignetteTemplates.length).default(3),
    /** Share of training items given a deliberately wrong label (a look-alike's option). */
    mislabeledShare: z.number().min(0).max(0.5).default(0.08),
  })
  .strict();

export type BenchmarkOptions = z.input<typeof benchmarkOptionsSchema>;

interface Draft {
  readonly condition: Condition;
  readonly findings: readonly [string, string];
}

function resolveOptions(options: BenchmarkOptions, knowledgeBase: KnowledgeBase): ResolvedBenchmarkOptions {
  const parsed = benchmarkOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`benchmark option ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`);
  }
  const total = knowledgeBase.conditions.length;
  const conditionCount = parsed.data.conditionCount ?? total;
  if (conditionCount > total) {
    throw new ConfigError(
      `conditionCount ${conditionCount} exceeds the ${total} conditions of the knowledge base`,
    );
  }
  return { ...parsed.data, conditionCount };
}

/** A connected group of look-alikes (breadth-first from a seeded start), so distractors stay plausible. */
function selectConditions(knowledgeBase: KnowledgeBase, count: number, random: SeededRandom): KnowledgeBase {
  if (count >= knowledgeBase.conditions.length) return knowledgeBase;
  const order: Condition[] = [];
  const seen = new Set<string>();
  const visit = (condition: Condition) => {
    if (order.length < count && !seen.has(condition.id)) {
      seen.add(condition.id);
      order.push(condition);
    }
  };
  let head = 0;
  while (order.length < count) {
    const current = order[head];
    if (!current) {
      // Nothing chosen yet, or this group of look-alikes is used up: start from a fresh condition.
      visit(random.pick(knowledgeBase.conditions.filter((condition) => !seen.has(condition.id))));
      continue;
    }
    head++;
    for (const lookAlike of random.shuffle(knowledgeBase.lookAlikes(current.id))) visit(lookAlike.condition);
  }
  return knowledgeBase.subset(order.map((condition) => condition.id));
}

function pairDrafts(
  condition: Condition,
  pairs: readonly FindingPair[],
  perPair: number,
  random: SeededRandom,
) {
  const drafts: Draft[] = [];
  for (const [first, second] of pairs) {
    for (let copy = 0; copy < perPair; copy++) {
      drafts.push({ condition, findings: random.next() < 0.5 ? [first, second] : [second, first] });
    }
  }
  return drafts;
}

function toItems(
  split: 'train' | 'test',
  drafts: readonly Draft[],
  context: { knowledgeBase: KnowledgeBase; options: ResolvedBenchmarkOptions; random: SeededRandom },
  truth: Map<string, VignetteTruth>,
): MultipleChoiceItem[] {
  const { knowledgeBase, options, random } = context;
  return random.shuffle(drafts).map((draft, index) => {
    const id = `medbench-${split}-${String(index + 1).padStart(4, '0')}`;
    const templateIndex = random.integer(options.templateCount);
    const template = vignetteTemplates[templateIndex] as (typeof vignetteTemplates)[number];
    const [first, second] = draft.findings;
    const question = template({
      age: random.pick(vignetteAges),
      sex: random.pick(['man', 'woman']),
      first,
      second,
    });
    const built = buildVignetteOptions(knowledgeBase, draft.condition, draft.findings, random);
    truth.set(id, {
      conditionId: draft.condition.id,
      findings: draft.findings,
      correctKey: built.correctKey,
      optionConditionIds: built.optionConditionIds,
      templateIndex,
    });
    return multipleChoiceItemSchema.parse({
      kind: 'multiple-choice',
      id,
      question,
      options: built.options,
      answerKey: built.correctKey,
      subject: 'gastroenterology',
      split,
      source: { file: 'medistill-benchmark' },
    });
  });
}

/** Sets a look-alike's option as the label of a seeded share of training items; returns their ids. */
function mislabel(
  train: MultipleChoiceItem[],
  share: number,
  knowledgeBase: KnowledgeBase,
  truth: ReadonlyMap<string, VignetteTruth>,
  random: SeededRandom,
): Set<string> {
  const count = Math.round(share * train.length);
  const ids = new Set<string>();
  for (const item of random.shuffle(train).slice(0, count)) {
    const known = truth.get(item.id) as VignetteTruth;
    const wrongKeys = item.options.map((option) => option.key).filter((key) => key !== known.correctKey);
    const lookAlikeKeys = wrongKeys.filter((key) => {
      const condition = knowledgeBase.condition(known.optionConditionIds[key] as string);
      return known.findings.some((finding) => condition.findings.includes(finding));
    });
    item.answerKey = random.pick(lookAlikeKeys.length > 0 ? lookAlikeKeys : wrongKeys);
    ids.add(item.id);
  }
  return ids;
}

/**
 * Builds the project's clinical-reasoning benchmark: MedQA-style vignettes naming two findings,
 * asking for the first-line management. Training and test use disjoint finding pairs of each
 * condition; a seeded share of training labels is wrong on purpose. Same options, same benchmark.
 */
export function buildBenchmark(
  options: BenchmarkOptions = {},
  knowledgeBase: KnowledgeBase = defaultKnowledgeBase(),
): Benchmark {
  const resolved = resolveOptions(options, knowledgeBase);
  const random = new SeededRandom(resolved.seed);
  const used = selectConditions(knowledgeBase, resolved.conditionCount, random);
  const needed = resolved.trainPairsPerCondition + resolved.testPairsPerCondition;
  const trainDrafts: Draft[] = [];
  const testDrafts: Draft[] = [];
  for (const condition of used.conditions) {
    const pairs = used.identifyingPairs(condition.id);
    if (pairs.length < needed) {
      throw new ConfigError(
        `${condition.name} has ${pairs.length} identifying finding pairs; ${needed} are asked for (train plus test)`,
      );
    }
    const split = splitConditionPairs({
      findings: condition.findings,
      pairs,
      trainCount: resolved.trainPairsPerCondition,
      testCount: resolved.testPairsPerCondition,
      random,
      isAmbiguous: (finding) => used.conditionsWithFinding(finding).length > 1,
    });
    trainDrafts.push(...pairDrafts(condition, split.train, resolved.trainVignettesPerPair, random));
    testDrafts.push(...pairDrafts(condition, split.test, resolved.testVignettesPerPair, random));
  }
  const truth = new Map<string, VignetteTruth>();
  const context = { knowledgeBase: used, options: resolved, random };
  const train = toItems('train', trainDrafts, context, truth);
  const test = toItems('test', testDrafts, context, truth);
  const mislabeledIds = mislabel(train, resolved.mislabeledShare, used, truth, random);
  const content: BenchmarkContent = {
    options: resolved,
    knowledgeBase: used,
    train,
    test,
    mislabeledIds,
    truth,
  };
  return { ...content, corpus: benchmarkCorpus(content) };
}
