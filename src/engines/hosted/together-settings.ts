import { z } from 'zod';

/** How medistill uses Together AI's fine-tuning API. Strict, like every engine's settings. */
export const togetherSettingsSchema = z.strictObject({
  /** The API root; the published one by default. Tests point it at a loopback server. */
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.together.xyz/v1'),
  /** Name (never the value) of the environment variable holding the API key. */
  keyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .default('TOGETHER_API_KEY'),
  /** Added to the fine-tuned model's name (Together allows up to 40 characters). */
  suffix: z.string().min(1).max(40).optional(),
  /** Checkpoints Together keeps during the job. */
  checkpoints: z.number().int().positive().default(1),
  /** LoRA layers: Together's `all-linear` by default. */
  loraTrainableModules: z.string().min(1).default('all-linear'),
  loraDropout: z.number().min(0).max(1).optional(),
  /** How often the job's status and events are read, in milliseconds. */
  pollIntervalMs: z.number().int().positive().default(15_000),
  /** Give up following the job after this long (the job itself keeps running; resume re-attaches). */
  maxWaitMs: z
    .number()
    .int()
    .positive()
    .default(48 * 3600 * 1000),
});
export type TogetherSettings = z.infer<typeof togetherSettingsSchema>;
export type TogetherSettingsInput = z.input<typeof togetherSettingsSchema>;
