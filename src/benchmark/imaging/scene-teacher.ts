import type { MultipleChoiceItem } from '../../datasets/item.js';
import { sampleSeed } from '../sampled-rationale.js';
import { SeededRandom } from '../seeded-random.js';
import {
  describeSignature,
  findingCounts,
  findingDensities,
  findingShapes,
  findingSides,
  findingZones,
  type ImagingCondition,
  type ImagingKnowledgeBase,
  type ImagingSignature,
  shapePhrases,
} from './imaging-knowledge.js';

/** What the teacher read from a scene description. */
export interface SceneReading {
  signature: ImagingSignature;
  side: (typeof findingSides)[number];
}

/** A rationale with the option it reaches and whether a sampled reading slipped. */
export interface SceneRationale {
  rationale: string;
  key: string;
  conditionId: string;
  slipped: boolean;
}

export interface SceneSampling {
  seed: number;
  sample: number;
  /** Share of samples that misread the finding as a look-alike's (default 0.2). */
  slipRate?: number;
}

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z-]+/)
    .filter(Boolean);

/**
 * Read a scene description back into a finding, from the knowledge base's own words: the shape
 * phrase, density, zone, count and side. Undefined when the text names none of them (not a
 * benchmark description), so the teacher fails the item rather than guess.
 */
export function readScene(description: string): SceneReading | undefined {
  const lower = description.toLowerCase();
  const tokens = new Set(words(description));
  const shape = findingShapes.find((candidate) => lower.includes(shapePhrases[candidate]));
  const density = findingDensities.find((candidate) => tokens.has(candidate));
  const zone = findingZones.find((candidate) => tokens.has(candidate));
  const side = findingSides.find((candidate) => tokens.has(candidate));
  if (!shape || !density || !zone || !side) return undefined;
  const count = tokens.has('multiple') ? findingCounts[1] : findingCounts[0];
  return { signature: { shape, density, zone, count }, side };
}

/**
 * The imaging benchmark's teacher: it reads the study's scene description (the caption, which the
 * student never sees), looks the finding up in the knowledge base and names the condition and its
 * management: finding, condition, management, the one knowledge step the question needs. It never
 * reads the item's label, so a planted label error shows as a disagreement. A numbered sample
 * misreads the finding as a look-alike's at the slip rate, so filtering by agreement has work.
 */
export class SceneTeacher {
  constructor(readonly knowledgeBase: ImagingKnowledgeBase) {}

  /** The deterministic reading: the option key the description implies, or undefined. */
  answer(item: MultipleChoiceItem): string | undefined {
    return this.rationale(item)?.key;
  }

  rationale(item: MultipleChoiceItem, sampling?: SceneSampling): SceneRationale | undefined {
    const reading = item.caption === undefined ? undefined : readScene(item.caption);
    if (!reading) return undefined;
    const truth = this.knowledgeBase.conditionFor(reading.signature);
    if (!truth) return undefined;
    let condition = truth;
    if (sampling) {
      const random = new SeededRandom(sampleSeed(sampling.seed, item.id, sampling.sample));
      if (random.next() < (sampling.slipRate ?? 0.2)) {
        const offered = truth.lookAlikes
          .map((id) => this.knowledgeBase.condition(id))
          .filter((candidate) => optionKey(item, candidate) !== undefined);
        if (offered.length > 0) condition = random.pick(offered);
      }
    }
    const key = optionKey(item, condition);
    if (key === undefined) return undefined;
    return {
      rationale: rationaleText(condition, reading),
      key,
      conditionId: condition.id,
      slipped: condition !== truth,
    };
  }
}

function optionKey(item: MultipleChoiceItem, condition: ImagingCondition): string | undefined {
  return item.options.find((option) => option.text === condition.management)?.key;
}

/** Finding, condition, management, in the knowledge base's words; a slip reads the look-alike's finding. */
function rationaleText(condition: ImagingCondition, reading: SceneReading): string {
  const seen = describeSignature(condition.signature).replace(
    ` in the ${condition.signature.zone} zone`,
    ` in the ${reading.side} ${condition.signature.zone} zone`,
  );
  return [
    `Finding : ${seen} .`,
    `Condition : ${condition.name} .`,
    `Management : ${condition.management} .`,
  ].join(' ');
}
