import { z } from 'zod';

/**
 * The parts of Together AI's fine-tuning API that medistill uses, as published
 * (docs.together.ai/reference: upload-file, post-fine-tunes, get-fine-tunes-id,
 * get-fine-tunes-id-events). Lenient: the service adds fields freely.
 */
export const uploadedFileSchema = z.looseObject({ id: z.string().min(1) });

export const fineTuneStatuses = [
  'pending',
  'queued',
  'running',
  'compressing',
  'uploading',
  'cancel_requested',
  'cancelled',
  'error',
  'user_error',
  'completed',
] as const;

export const fineTuneSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  model_output_name: z.string().nullish(),
  total_steps: z.number().nullish(),
  steps_completed: z.number().nullish(),
  epochs_completed: z.number().nullish(),
});
export type FineTune = z.infer<typeof fineTuneSchema>;

export const fineTuneEventSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().optional(),
  created_at: z.string().optional(),
  step: z.number().nullish(),
  total_steps: z.number().nullish(),
  level: z.string().nullish(),
});
export type FineTuneEvent = z.infer<typeof fineTuneEventSchema>;

export const fineTuneEventsSchema = z.looseObject({ data: z.array(fineTuneEventSchema) });

/** A job that has ended: done, failed, or stopped. */
export function isFinished(status: string): boolean {
  return ['completed', 'cancelled', 'error', 'user_error'].includes(status);
}
