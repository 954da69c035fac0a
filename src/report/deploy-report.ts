import { z } from 'zod';

const interval = z.tuple([z.number(), z.number()]);

/** One exported variant of the student as the report shows it (from `medistill footprint`). */
export const deployRowSchema = z.strictObject({
  label: z.string().min(1),
  path: z.string(),
  weightType: z.string(),
  fileBytes: z.number().nonnegative(),
  loadMs: z.number().nonnegative(),
  peakRssBytes: z.number().nonnegative(),
  promptTokensPerSecond: z.number().nonnegative(),
  generationTokensPerSecond: z.number().nonnegative(),
  /** Fallback weight matrices the quantizer reported, as "name: TYPE". */
  fallbacks: z.array(z.string()).default([]),
  accuracy: z.number().min(0).max(1).optional(),
  ci95: interval.optional(),
  n: z.number().int().nonnegative().optional(),
  /** Against the unquantized student, paired on the same items. */
  difference: z.number().optional(),
  differenceCi95: interval.optional(),
  pValue: z.number().min(0).max(1).optional(),
});

/** The run's deploy stage: the reference student exported and measured per type. */
export const deployReportSchema = z.strictObject({
  reference: z.string(),
  /** How the runtime figures were taken, shown under the table. */
  method: z.string(),
  rows: z.array(deployRowSchema).min(1),
});

export type DeployReport = z.infer<typeof deployReportSchema>;
export type DeployReportInput = z.input<typeof deployReportSchema>;
