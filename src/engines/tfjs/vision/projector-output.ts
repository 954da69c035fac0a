import type { TrainingJob } from '../../../training/training-engine.js';

/** Where a vision job's trained mmproj goes: `projectorOutputPath`, else beside `outputPath`. */
export function projectorOutputPath(job: Pick<TrainingJob, 'outputPath' | 'projectorOutputPath'>): string {
  if (job.projectorOutputPath) return job.projectorOutputPath;
  return job.outputPath.endsWith('.gguf')
    ? `${job.outputPath.slice(0, -'.gguf'.length)}.mmproj.gguf`
    : `${job.outputPath}.mmproj.gguf`;
}
