import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import type { DatasetProblem } from '../dataset-problem.js';
import { readJsonMembers } from '../sources/json-reader.js';
import { readDatasetInfo } from './dataset-info.js';
import { countImageTags } from './image-tags.js';

const recordSchema = z.looseObject({
  messages: z.array(z.looseObject({ content: z.string() })).optional(),
  instruction: z.string().optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  system: z.string().optional(),
  images: z.array(z.string()).optional(),
});

export interface LlamaFactoryCheck {
  dataset: string;
  records: number;
  images: number;
  problems: DatasetProblem[];
}

/**
 * Check a LLaMA-Factory dataset folder the way its loader would fail on it, before a training
 * run does: every entry of `dataset_info.json` (or the named ones) has its file; in every record
 * the `<image>` count equals the images listed, `images` is a list, and every path exists.
 */
export async function checkLlamaFactoryDataset(
  folder: string,
  names?: string[],
): Promise<LlamaFactoryCheck[]> {
  const info = await readDatasetInfo(folder);
  const results: LlamaFactoryCheck[] = [];
  for (const name of names ?? Object.keys(info)) {
    const entry = info[name];
    const file = join(folder, entry?.file_name ?? `${name}.json`);
    const check: LlamaFactoryCheck = { dataset: name, records: 0, images: 0, problems: [] };
    results.push(check);
    const problem = (message: string, line?: number, field?: string): void => {
      check.problems.push({
        code: 'invalid-value',
        severity: 'error',
        file,
        message,
        ...(line === undefined ? {} : { line }),
        ...(field === undefined ? {} : { field }),
      });
    };
    if (!entry) problem(`no entry "${name}" in dataset_info.json`);
    if (!existsSync(file)) {
      problem('the data file is missing');
      continue;
    }
    for await (const member of readJsonMembers(file)) {
      if ('error' in member) {
        problem(member.error, member.line);
        continue;
      }
      check.records += 1;
      const parsed = recordSchema.safeParse(member.value);
      if (!parsed.success) {
        problem(
          parsed.error.issues[0]?.message ?? 'not a record',
          member.line,
          parsed.error.issues[0]?.path.join('.'),
        );
        continue;
      }
      const record = parsed.data;
      const texts = [
        ...(record.messages ?? []).map((message) => message.content),
        record.instruction,
        record.input,
        record.output,
        record.system,
      ];
      const tags = texts.reduce((sum, text) => sum + (text === undefined ? 0 : countImageTags(text)), 0);
      const images = record.images ?? [];
      check.images += images.length;
      if (tags !== images.length)
        problem(`${tags} <image> tags but ${images.length} images`, member.line, 'images');
      for (const image of images) {
        if (!existsSync(isAbsolute(image) ? image : join(folder, image)))
          problem(`image "${image}" does not exist`, member.line, 'images');
      }
    }
  }
  return results;
}
