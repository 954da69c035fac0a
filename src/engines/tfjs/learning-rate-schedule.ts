/**
 * Linear warm-up to the peak rate over the first `warmupSteps` updates, then cosine decay to
 * zero at `totalSteps`. `step` counts from 0 (the first update).
 */
export function learningRateAt(step: number, peak: number, warmupSteps: number, totalSteps: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}
