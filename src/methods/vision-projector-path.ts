import type { StudentSettings } from './strategy-context.js';

/**
 * Where a vision student's mmproj lies: beside its text GGUF, `<name>.mmproj.gguf` (the training
 * engine's default output, and what `createVisionStudent` writes), so a trained stage's model path
 * is all a later stage or the evaluation needs.
 */
export function projectorBeside(modelPath: string): string {
  return `${modelPath.replace(/\.gguf$/i, '')}.mmproj.gguf`;
}

/** The mmproj a training from `baseModel` starts from: the configured one for the base, else the one beside it. */
export function startingProjector(
  student: Pick<StudentSettings, 'baseModel' | 'visionProjector'>,
  baseModel: string,
): string | undefined {
  if (!student.visionProjector) return undefined;
  return baseModel === student.baseModel ? student.visionProjector : projectorBeside(baseModel);
}
