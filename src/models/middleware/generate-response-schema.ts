import { z } from 'zod';
import type { GenerateResponse } from '../language-model.js';

/** A GenerateResponse as stored in the call log; checked on the way back out of the cache. */
export const generateResponseSchema = z.object({
  choices: z.array(
    z.object({
      text: z.string(),
      finishReason: z.enum(['stop', 'length', 'error', 'other']).optional(),
      logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
    }),
  ),
  usage: z.object({ promptTokens: z.number(), completionTokens: z.number() }),
  modelName: z.string().optional(),
});

/** Parses stored response JSON; undefined if it is unreadable (then the call is simply made again). */
export function parseStoredResponse(json: string): GenerateResponse | undefined {
  try {
    const parsed = generateResponseSchema.safeParse(JSON.parse(json));
    return parsed.success ? (parsed.data as GenerateResponse) : undefined;
  } catch {
    return undefined;
  }
}
