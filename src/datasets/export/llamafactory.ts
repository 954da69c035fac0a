import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageLibrary } from '../images/image-library.js';
import type { Item } from '../item.js';
import type { DatasetInfoEntry } from './dataset-info.js';
import { registerDataset } from './dataset-info.js';
import type { ExportOptions, ExportResult } from './export-options.js';
import { answerFor, exportProblem, promptFor } from './export-options.js';
import type { ImagePlacement } from './image-placer.js';
import { ImagePlacer } from './image-placer.js';
import { escapeMediaPlaceholders } from './image-tags.js';
import { writeTextFileAtomically } from './text-file-writer.js';

export interface LlamaFactoryExportOptions extends ExportOptions {
  /** The dataset's name in dataset_info.json and its file name (`<name>.json`). */
  name: string;
  /** Copy images into the folder (default) or reference the originals by relative path. */
  images?: ImagePlacement;
  /** `sharegpt` (messages, default) or `alpaca` (instruction/input/output). */
  formatting?: 'sharegpt' | 'alpaca';
}

/**
 * Write a LLaMA-Factory dataset folder: `<name>.json`, its entry in `dataset_info.json`, and the
 * images. Each record's user turn starts with one `<image>` per image, `images` lists paths
 * relative to the folder (all present), and literal placeholders in the text are escaped, so
 * LLaMA-Factory's image-count check passes for every record.
 */
export async function exportLlamaFactory(
  items: AsyncIterable<Item> | Iterable<Item>,
  folder: string,
  options: LlamaFactoryExportOptions,
): Promise<ExportResult> {
  const formatting = options.formatting ?? 'sharegpt';
  const library = new ImageLibrary();
  const placer = new ImagePlacer(folder, options.images ?? 'copy', library);
  const dataFile = join(folder, `${options.name}.json`);
  let written = 0;
  let skipped = 0;
  let anyImages = false;
  await mkdir(folder, { recursive: true });
  try {
    await writeTextFileAtomically(dataFile, async (write) => {
      await write('[');
      for await (const item of items) {
        const images = await placeImages(item, placer, options);
        if (images === undefined) {
          skipped += 1;
          continue;
        }
        anyImages ||= images.length > 0;
        const prompt = '<image>'.repeat(images.length) + escapeMediaPlaceholders(promptFor(item, options));
        const answer = escapeMediaPlaceholders(answerFor(item, options));
        const record =
          formatting === 'sharegpt'
            ? {
                messages: [
                  { role: 'user', content: prompt },
                  { role: 'assistant', content: answer },
                ],
              }
            : { instruction: prompt, input: '', output: answer };
        const full = {
          ...record,
          ...(options.system === undefined ? {} : { system: escapeMediaPlaceholders(options.system) }),
          ...(images.length > 0 ? { images } : {}),
        };
        await write(`${written === 0 ? '\n' : ',\n'}${JSON.stringify(full)}`);
        written += 1;
      }
      await write('\n]\n');
    });
  } finally {
    await library.close();
  }
  const infoFile = await registerDataset(
    folder,
    options.name,
    datasetInfoEntry(dataFile, formatting, anyImages, options),
  );
  return { files: [dataFile, infoFile], written, skipped };
}

function datasetInfoEntry(
  dataFile: string,
  formatting: 'sharegpt' | 'alpaca',
  images: boolean,
  options: ExportOptions,
): DatasetInfoEntry {
  const columns: Record<string, string> =
    formatting === 'sharegpt'
      ? { messages: 'messages' }
      : { prompt: 'instruction', query: 'input', response: 'output' };
  if (images) columns.images = 'images';
  if (options.system !== undefined) columns.system = 'system';
  const entry: DatasetInfoEntry = {
    file_name: dataFile.split(/[\\/]/).pop() ?? dataFile,
    formatting,
    columns,
  };
  if (formatting === 'sharegpt') {
    entry.tags = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' };
  }
  return entry;
}

async function placeImages(
  item: Item,
  placer: ImagePlacer,
  options: ExportOptions,
): Promise<string[] | undefined> {
  const paths: string[] = [];
  for (const image of item.images ?? []) {
    try {
      paths.push(await placer.place(image));
    } catch (error) {
      options.onProblem?.(
        exportProblem(
          item,
          'missing-image',
          `an image could not be copied (${(error as Error).message}); item skipped`,
        ),
      );
      return undefined;
    }
  }
  return paths;
}
