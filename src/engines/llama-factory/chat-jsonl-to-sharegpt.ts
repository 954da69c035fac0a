import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { registerDataset } from '../../datasets/export/dataset-info.js';
import { escapeMediaPlaceholders } from '../../datasets/export/image-tags.js';
import { writeTextFileAtomically } from '../../datasets/export/text-file-writer.js';
import { readJsonLines } from '../../datasets/sources/jsonl-reader.js';
import { InputError } from '../../errors.js';

const partSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text'), text: z.string() }),
  z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string().min(1) }) }),
]);

const messageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.union([z.string(), z.array(partSchema)]),
});

const exampleSchema = z.looseObject({ messages: z.array(messageSchema).min(2) });

const extensions: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/**
 * Convert OpenAI-style chat JSONL (what medistill's exporters and methods write) into a
 * LLaMA-Factory sharegpt dataset: data-URL images become files, each image part becomes an
 * `<image>` tag where it stood, literal tags in text are escaped, a system turn becomes the
 * `system` column. A bad line stops the conversion with an InputError naming file, line and field.
 */
export async function chatJsonlToSharegpt(
  file: string,
  folder: string,
  name: string,
): Promise<{ dataFile: string; records: number }> {
  const imagesFolder = join(folder, 'images');
  await mkdir(imagesFolder, { recursive: true });
  const dataFile = join(folder, `${name}.json`);
  let records = 0;
  let imageCount = 0;
  let anyImages = false;
  let anySystem = false;
  await writeTextFileAtomically(dataFile, async (write) => {
    await write('[');
    for await (const entry of readJsonLines(file)) {
      if ('error' in entry) throw new InputError(entry.error, { file, line: entry.line ?? entry.ordinal });
      const parsed = exampleSchema.safeParse(entry.value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(issue?.message ?? 'not a chat example', {
          file,
          line: entry.line ?? entry.ordinal,
          field: issue?.path.join('.') ?? 'messages',
        });
      }
      const images: string[] = [];
      let system: string | undefined;
      const messages: { role: string; content: string }[] = [];
      for (const [index, message] of parsed.data.messages.entries()) {
        const where = { file, line: entry.line ?? entry.ordinal, field: `messages.${index}.content` };
        let text = '';
        for (const part of typeof message.content === 'string'
          ? [{ type: 'text' as const, text: message.content }]
          : message.content) {
          if (part.type === 'text') text += escapeMediaPlaceholders(part.text);
          else {
            if (message.role !== 'user') throw new InputError('only user messages may carry images', where);
            imageCount += 1;
            images.push(await saveImage(part.image_url.url, imagesFolder, imageCount, file, where));
            text += '<image>';
          }
        }
        if (message.role === 'system') system = text;
        else messages.push({ role: message.role, content: text });
      }
      anyImages ||= images.length > 0;
      anySystem ||= system !== undefined;
      const record = {
        messages,
        ...(system === undefined ? {} : { system }),
        ...(images.length > 0 ? { images } : {}),
      };
      await write(`${records === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
      records += 1;
    }
    await write('\n]\n');
  });
  if (records === 0) throw new InputError('the training data holds no examples', { file });
  await registerDataset(folder, name, {
    file_name: `${name}.json`,
    formatting: 'sharegpt',
    columns: {
      messages: 'messages',
      ...(anyImages ? { images: 'images' } : {}),
      ...(anySystem ? { system: 'system' } : {}),
    },
    tags: { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant' },
  });
  return { dataFile, records };
}

/** A data URL is written out; a path (plain or file://) is kept, resolved against the JSONL's folder. */
async function saveImage(
  url: string,
  imagesFolder: string,
  counter: number,
  file: string,
  where: { file: string; line: number; field: string },
): Promise<string> {
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (dataUrl) {
    const extension = extensions[dataUrl[1]!.toLowerCase()];
    if (extension === undefined) throw new InputError(`image type ${dataUrl[1]} is not supported`, where);
    const relative = `images/${String(counter).padStart(6, '0')}.${extension}`;
    await writeFile(join(dirname(imagesFolder), relative), Buffer.from(dataUrl[2]!, 'base64'));
    return relative;
  }
  if (/^https?:/i.test(url))
    throw new InputError('remote image URLs cannot be trained on offline; embed or save them', where);
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return isAbsolute(path) ? path : resolve(dirname(file), path);
}
