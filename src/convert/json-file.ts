import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import { ModelFormatError } from '../errors.js';

/** True when the path exists (file or folder). */
export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Read a JSON file and check it against a schema; a missing file, bad JSON or the first failing
 * field becomes one ModelFormatError naming the file and the field.
 */
export async function readJsonFile<Schema extends z.ZodType>(
  file: string,
  schema: Schema,
  missing: string,
): Promise<z.infer<Schema>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ModelFormatError(missing, { file }, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`not valid JSON (${(error as Error).message})`, { file }, { cause: error });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const absent = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  throw new ModelFormatError(absent ? 'required field is missing' : issue.message, {
    file,
    ...(field ? { field } : {}),
  });
}
