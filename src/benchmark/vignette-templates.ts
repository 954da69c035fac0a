/**
 * MedQA-style vignette frames. Few and fixed on purpose: the benchmark tests reasoning over
 * findings, not reading of varied prose, and every added frame grows the student's vocabulary.
 * None contains a finding phrase, so the findings of a vignette can be read back unambiguously.
 */
export interface VignetteSlots {
  age: number;
  sex: 'man' | 'woman';
  first: string;
  second: string;
}

export const vignetteTemplates: ReadonlyArray<(slots: VignetteSlots) => string> = [
  ({ age, sex, first, second }) =>
    `A ${age}-year-old ${sex} presents with ${first} and ${second} . What is the most appropriate management ?`,
  ({ age, sex, first, second }) =>
    `A ${age}-year-old ${sex} is assessed for ${first} and is found to have ${second} . What is the best management ?`,
  ({ age, sex, first, second }) =>
    `A ${sex} aged ${age} has ${first} and ${second} . Which management is most appropriate ?`,
  ({ age, sex, first, second }) =>
    `A ${age}-year-old ${sex} is admitted with ${first} together with ${second} . What is the first-line management ?`,
  ({ age, sex, first, second }) =>
    `In a ${age}-year-old ${sex} with ${first} and ${second} , what is the most appropriate management ?`,
  ({ age, sex, first, second }) =>
    `A ${age}-year-old ${sex} reports ${first} ; ${second} is also noted . What is the best management ?`,
];

/** Ages drawn for vignettes: a small set keeps the vocabulary small. */
export const vignetteAges: readonly number[] = [25, 35, 45, 55, 65, 75];
