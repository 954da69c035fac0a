import { join } from 'node:path';
import { z } from 'zod';
import type { MultipleChoiceItem } from '../../datasets/item.js';
import { ConfigError } from '../../errors.js';
import { SeededRandom } from '../seeded-random.js';
import { type DrawnFinding, drawChestFilm, type GrayImage } from './draw-study.js';
import {
  defaultImagingKnowledgeBase,
  findingSides,
  findingSizes,
  type ImagingCondition,
  ImagingKnowledgeBase,
} from './imaging-knowledge.js';
import { describeScene } from './scene-description.js';

/** Sizes and seed of the imaging benchmark. Strict: a misspelt option is a mistake. */
export const imagingBenchmarkOptionsSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** How many of the knowledge base's conditions to use (the first n). Default: all. */
  conditionCount: z.number().int().min(4).optional(),
  trainStudiesPerCombination: z.number().int().min(1).default(6),
  testStudiesPerCombination: z.number().int().min(1).default(6),
  /** Side x size combinations per condition kept out of training (of 4). */
  heldOutCombinations: z.number().int().min(1).max(2).default(1),
  /** Share of training studies given a deliberately wrong label (a look-alike's management). */
  mislabeledShare: z.number().min(0).max(0.5).default(0.08),
  /** Side of the square films in pixels; the tiny vision student reads 32 px. */
  imageSize: z.number().int().min(16).max(256).default(32),
});
export type ImagingBenchmarkOptions = z.input<typeof imagingBenchmarkOptionsSchema>;
export type ResolvedImagingOptions = z.output<typeof imagingBenchmarkOptionsSchema>;

/** What the generator knows about a study: never shown to a model; used by tests and the report. */
export interface StudyTruth {
  conditionId: string;
  finding: DrawnFinding;
  /** The key the knowledge base implies; differs from `answerKey` on a mislabeled study. */
  correctKey: string;
}

export interface ImagingBenchmark {
  options: ResolvedImagingOptions;
  knowledgeBase: ImagingKnowledgeBase;
  /** Items with their image paths under `imageDirectory` and the scene description as `caption`. */
  train: MultipleChoiceItem[];
  test: MultipleChoiceItem[];
  imageDirectory: string;
  /** The films by item id, to be written with `writeImagingImages`. */
  images: ReadonlyMap<string, GrayImage>;
  truth: ReadonlyMap<string, StudyTruth>;
  mislabeledIds: ReadonlySet<string>;
  /** Per condition, the side/size combinations only the test split shows. */
  heldOut: ReadonlyMap<string, string[]>;
}

const questionTemplates = [
  'A frontal chest film of an adult with breathlessness is shown. What is the most appropriate next step in management?',
  'Review the chest radiograph. Which management does its finding call for?',
  'This chest film was taken in the emergency department. What should be done next?',
];

const keys = ['A', 'B', 'C', 'D'];

function combinationName(finding: Pick<DrawnFinding, 'side' | 'size'>): string {
  return `${finding.side}/${finding.size}`;
}

function resolve(options: ImagingBenchmarkOptions, knowledgeBase: ImagingKnowledgeBase) {
  const parsed = imagingBenchmarkOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `imaging benchmark option ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const count = parsed.data.conditionCount ?? knowledgeBase.conditions.length;
  if (count > knowledgeBase.conditions.length)
    throw new ConfigError(
      `imaging benchmark option conditionCount: ${count} exceeds the ${knowledgeBase.conditions.length} conditions of the knowledge base`,
    );
  return parsed.data;
}

/** The four management options: the answer, its look-alikes, then others, shuffled. */
function optionConditions(
  condition: ImagingCondition,
  pool: readonly ImagingCondition[],
  random: SeededRandom,
): ImagingCondition[] {
  const inPool = (id: string) => pool.find((candidate) => candidate.id === id);
  const chosen = [condition, ...condition.lookAlikes.flatMap((id) => inPool(id) ?? [])];
  for (const other of random.shuffle(pool)) {
    if (chosen.length >= keys.length) break;
    if (!chosen.includes(other)) chosen.push(other);
  }
  return random.shuffle(chosen.slice(0, keys.length));
}

/**
 * Build the imaging benchmark: for each condition, chest films drawn with its defining finding in
 * every side x size combination, one (or two) combinations held out for the test split; a
 * multiple-choice management question per film (read the finding, name the condition, pick its
 * management); a few training labels deliberately set to a look-alike's management; the scene
 * description kept as the item's caption. Seeded and offline: one seed, one benchmark.
 */
export function buildImagingBenchmark(
  options: ImagingBenchmarkOptions & { imageDirectory: string },
  knowledgeBase: ImagingKnowledgeBase = defaultImagingKnowledgeBase,
): ImagingBenchmark {
  const { imageDirectory, ...rest } = options;
  const resolved = resolve(rest, knowledgeBase);
  const random = new SeededRandom(resolved.seed);
  const conditions = knowledgeBase.conditions.slice(
    0,
    resolved.conditionCount ?? knowledgeBase.conditions.length,
  );
  // Look-alikes outside the chosen conditions are dropped; a condition left with none borrows one.
  const chosen = (id: string) => conditions.some((other) => other.id === id);
  const pool = new ImagingKnowledgeBase(
    conditions.map((condition) => {
      const lookAlikes = condition.lookAlikes.filter(chosen);
      return {
        ...condition,
        lookAlikes:
          lookAlikes.length > 0 ? lookAlikes : [conditions.find((other) => other !== condition)!.id],
      };
    }),
  );
  const images = new Map<string, GrayImage>();
  const truth = new Map<string, StudyTruth>();
  const heldOut = new Map<string, string[]>();
  const train: MultipleChoiceItem[] = [];
  const test: MultipleChoiceItem[] = [];
  const make = (condition: ImagingCondition, finding: DrawnFinding, split: 'train' | 'test') => {
    const list = split === 'train' ? train : test;
    const id = `img-${split}-${String(list.length + 1).padStart(4, '0')}`;
    const optionList = optionConditions(condition, pool.conditions, random);
    const correctKey = keys[optionList.indexOf(condition)]!;
    const item: MultipleChoiceItem = {
      kind: 'multiple-choice',
      id,
      question: random.pick(questionTemplates),
      options: optionList.map((option, index) => ({ key: keys[index]!, text: option.management })),
      answerKey: correctKey,
      images: [{ path: join(imageDirectory, `${id}.png`) }],
      caption: describeScene(finding),
      split,
      subject: 'radiology',
      topic: condition.id,
    };
    images.set(id, drawChestFilm(finding, resolved.imageSize, random.integer(0x7fffffff)));
    truth.set(id, { conditionId: condition.id, finding, correctKey });
    list.push(item);
  };
  for (const condition of pool.conditions) {
    const combinations = findingSides.flatMap((side) => findingSizes.map((size) => ({ side, size })));
    const testCombinations = random.shuffle(combinations).slice(0, resolved.heldOutCombinations);
    heldOut.set(condition.id, testCombinations.map(combinationName));
    for (const combination of combinations) {
      const split = testCombinations.includes(combination) ? 'test' : 'train';
      const studies =
        split === 'train' ? resolved.trainStudiesPerCombination : resolved.testStudiesPerCombination;
      for (let index = 0; index < studies; index++)
        make(condition, { signature: condition.signature, ...combination }, split);
    }
  }
  // Planted label errors: the management of a look-alike, as a hurried annotator would confuse.
  const mislabeledIds = new Set<string>();
  const mislabelCount = Math.round(train.length * resolved.mislabeledShare);
  for (const item of random.shuffle(train).slice(0, mislabelCount)) {
    const condition = pool.condition(truth.get(item.id)!.conditionId);
    const lookAlike = pool.condition(random.pick(condition.lookAlikes));
    const wrong = item.options.find((option) => option.text === lookAlike.management);
    if (!wrong) continue;
    item.answerKey = wrong.key;
    mislabeledIds.add(item.id);
  }
  return {
    options: resolved,
    knowledgeBase: pool,
    train: random.shuffle(train),
    test,
    imageDirectory,
    images,
    truth,
    mislabeledIds,
    heldOut,
  };
}
