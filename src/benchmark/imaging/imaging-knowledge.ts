import { z } from 'zod';

/**
 * The imaging benchmark's knowledge base: what each condition looks like on a frontal chest film
 * (its defining finding) and how it is managed. Data, not code: the generator draws the finding,
 * the scene-grounded teacher reads a description of it and looks the condition up here, and the
 * student has to learn the same lookup from the pixels.
 */

export const findingShapes = ['wedge', 'meniscus', 'rim', 'round', 'ring', 'band'] as const;
export const findingDensities = ['dense', 'lucent'] as const;
export const findingZones = ['upper', 'lower'] as const;
export const findingCounts = ['single', 'multiple'] as const;
export const findingSizes = ['small', 'large'] as const;
export const findingSides = ['right', 'left'] as const;

export type FindingShape = (typeof findingShapes)[number];
export type FindingDensity = (typeof findingDensities)[number];
export type FindingZone = (typeof findingZones)[number];
export type FindingCount = (typeof findingCounts)[number];
export type FindingSize = (typeof findingSizes)[number];
export type FindingSide = (typeof findingSides)[number];

/** What defines a condition on the film; side and size are drawn freely around it. */
export const imagingSignatureSchema = z.strictObject({
  shape: z.enum(findingShapes),
  density: z.enum(findingDensities),
  zone: z.enum(findingZones),
  count: z.enum(findingCounts),
});
export type ImagingSignature = z.infer<typeof imagingSignatureSchema>;

export const imagingConditionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string().min(1),
  signature: imagingSignatureSchema,
  /** The management step the questions ask for: one knowledge step from the condition. */
  management: z.string().min(1),
  /** Conditions a reader confuses it with (one finding read differently): distractors and slips. */
  lookAlikes: z.array(z.string()).min(1),
});
export type ImagingCondition = z.infer<typeof imagingConditionSchema>;

const conditions: ImagingCondition[] = [
  {
    id: 'lobar-pneumonia',
    name: 'lobar pneumonia',
    signature: { shape: 'wedge', density: 'dense', zone: 'lower', count: 'single' },
    management: 'start empirical antibiotics',
    lookAlikes: ['pleural-effusion', 'lobar-collapse'],
  },
  {
    id: 'pleural-effusion',
    name: 'pleural effusion',
    signature: { shape: 'meniscus', density: 'dense', zone: 'lower', count: 'single' },
    management: 'perform a diagnostic pleural tap',
    lookAlikes: ['lobar-pneumonia', 'pneumothorax'],
  },
  {
    id: 'pneumothorax',
    name: 'pneumothorax',
    signature: { shape: 'rim', density: 'lucent', zone: 'upper', count: 'single' },
    management: 'insert a chest drain',
    lookAlikes: ['emphysematous-bulla', 'pleural-effusion'],
  },
  {
    id: 'solitary-nodule',
    name: 'a solitary pulmonary nodule',
    signature: { shape: 'round', density: 'dense', zone: 'upper', count: 'single' },
    management: 'arrange a follow-up chest CT',
    lookAlikes: ['metastases', 'lung-abscess'],
  },
  {
    id: 'metastases',
    name: 'pulmonary metastases',
    signature: { shape: 'round', density: 'dense', zone: 'upper', count: 'multiple' },
    management: 'search for the primary tumour',
    lookAlikes: ['solitary-nodule', 'lung-abscess'],
  },
  {
    id: 'lung-abscess',
    name: 'a lung abscess',
    signature: { shape: 'ring', density: 'dense', zone: 'upper', count: 'single' },
    management: 'give prolonged antibiotics and drain',
    lookAlikes: ['solitary-nodule', 'emphysematous-bulla'],
  },
  {
    id: 'emphysematous-bulla',
    name: 'an emphysematous bulla',
    signature: { shape: 'round', density: 'lucent', zone: 'upper', count: 'single' },
    management: 'refer for bullectomy assessment',
    lookAlikes: ['pneumothorax', 'lung-abscess'],
  },
  {
    id: 'lobar-collapse',
    name: 'lobar collapse',
    signature: { shape: 'band', density: 'dense', zone: 'lower', count: 'single' },
    management: 'arrange bronchoscopy',
    lookAlikes: ['lobar-pneumonia', 'pleural-effusion'],
  },
];

/** The conditions, checked: look-alikes exist and no two conditions share a signature. */
export class ImagingKnowledgeBase {
  readonly conditions: readonly ImagingCondition[];
  readonly #byId: Map<string, ImagingCondition>;

  constructor(definitions: readonly ImagingCondition[]) {
    this.conditions = definitions.map((definition) => imagingConditionSchema.parse(definition));
    this.#byId = new Map(this.conditions.map((condition) => [condition.id, condition]));
    const signatures = new Set<string>();
    for (const condition of this.conditions) {
      const key = signatureKey(condition.signature);
      if (signatures.has(key)) throw new Error(`two conditions share the signature ${key}`);
      signatures.add(key);
      for (const other of condition.lookAlikes)
        if (!this.#byId.has(other)) throw new Error(`${condition.id}: unknown look-alike ${other}`);
    }
  }

  condition(id: string): ImagingCondition {
    const found = this.#byId.get(id);
    if (!found) throw new Error(`unknown imaging condition ${id}`);
    return found;
  }

  /** The condition a finding signature belongs to, if any: the one knowledge lookup. */
  conditionFor(signature: ImagingSignature): ImagingCondition | undefined {
    const key = signatureKey(signature);
    return this.conditions.find((condition) => signatureKey(condition.signature) === key);
  }

  /** One line per condition: the texts a student tokenizer needs to know. */
  factLines(): string[] {
    return this.conditions.map(
      (condition) =>
        `Finding : ${describeSignature(condition.signature)} . Condition : ${condition.name} . Management : ${condition.management} .`,
    );
  }
}

export function signatureKey(signature: ImagingSignature): string {
  return `${signature.shape}/${signature.density}/${signature.zone}/${signature.count}`;
}

const shapeWords: Record<FindingShape, string> = {
  wedge: 'wedge-shaped opacity',
  meniscus: 'basal meniscus',
  rim: 'peripheral rim without lung markings',
  round: 'round lesion',
  ring: 'ring lesion with a lucent centre',
  band: 'horizontal band',
};

/** The signature in words, as the knowledge base and the teacher's rationale state it. */
export function describeSignature(signature: ImagingSignature): string {
  const count = signature.count === 'multiple' ? 'multiple' : 'a single';
  const noun =
    signature.count === 'multiple' ? `${shapeWords[signature.shape]}s` : shapeWords[signature.shape];
  return `${count} ${signature.density} ${noun} in the ${signature.zone} zone`;
}

/** The words of each shape, so a description can be read back (by the teacher). */
export const shapePhrases: Readonly<Record<FindingShape, string>> = shapeWords;

export const defaultImagingKnowledgeBase = new ImagingKnowledgeBase(conditions);
