import type { DrawnFinding } from './draw-study.js';
import { shapePhrases } from './imaging-knowledge.js';

/**
 * The scene description ("caption") of a study: what a radiologist would dictate about the film.
 * Only the teacher reads it; the student sees the pixels (or, in the caption ablation, this text).
 */
export function describeScene(finding: DrawnFinding): string {
  const { shape, density, zone, count } = finding.signature;
  const phrase = shapePhrases[shape];
  if (count === 'multiple')
    return `Frontal chest film. There are multiple ${finding.size} ${density} ${phrase}s in both lungs , most in the ${finding.side} ${zone} zone .`;
  return `Frontal chest film. There is a ${finding.size} ${density} ${phrase} in the ${finding.side} ${zone} zone .`;
}
