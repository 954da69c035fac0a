import { existsSync, readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ModelFormatError } from '../../errors.js';
import { writeFileAtomically } from '../../util/atomic-write.js';

/**
 * What a hosted fine-tuning engine leaves at the job's output path: not weights, but where the
 * trained model is served and the model spec that evaluates it.
 */
export const hostedModelSchema = z.strictObject({
  kind: z.literal('hosted-model'),
  provider: z.string().min(1),
  jobId: z.string().min(1),
  /** The provider's name for the trained model. */
  model: z.string().min(1),
  /** A model spec (`openai-compatible:URL#name?key_env=...`) for evaluation. */
  spec: z.string().min(1),
  adapter: z.boolean(),
});
export type HostedModel = z.infer<typeof hostedModelSchema>;

export async function writeHostedModel(path: string, record: HostedModel): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** The hosted-model record at `path`, or undefined when the path is something else (a model file or folder). */
export function readHostedModel(path: string): HostedModel | undefined {
  // A model file can be gigabytes: only a small file can be a record.
  if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > 64 * 1024) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if ((value as { kind?: unknown } | null)?.kind !== 'hosted-model') return undefined;
  const parsed = hostedModelSchema.safeParse(value);
  if (!parsed.success)
    throw new ModelFormatError(parsed.error.issues[0]?.message ?? 'bad record', { file: path });
  return parsed.data;
}
