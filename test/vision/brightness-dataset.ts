import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { GenerateRequest, GenerateResponse, LanguageModel } from '../../src/models/language-model.js';
import { solidPng } from './synthetic-images.js';

/**
 * A small VQA-RAD-format dataset whose answers can be read from the pixels: "Is the image
 * bright?" over bright and dark images. A teacher that really decodes the image it is sent can
 * answer it; one that is sent no image, or the wrong one, cannot.
 */
export async function writeBrightnessDataset(
  folder: string,
  options: { count?: number; corrupt?: boolean } = {},
): Promise<string> {
  const count = options.count ?? 6;
  await mkdir(join(folder, 'images'), { recursive: true });
  const records: Record<string, unknown>[] = [];
  for (let index = 0; index < count; index++) {
    const bright = index % 2 === 0;
    const level = bright ? 220 - index : 30 + index;
    const name = `scan${index}.png`;
    await writeFile(
      join(folder, 'images', name),
      await solidPng(40 + index, 36, { r: level, g: level, b: level }),
    );
    records.push({
      qid: index + 1,
      phrase_type: 'freeform',
      image_name: name,
      image_organ: 'CHEST',
      // A literal <image> in the text must not count as an image tag in the exported data.
      question: index === 1 ? 'Is the <image> bright?' : `Is scan ${index} bright?`,
      question_type: 'PRES',
      answer: bright ? 'Yes' : 'No',
      answer_type: 'CLOSED',
    });
  }
  if (options.corrupt) {
    await writeFile(join(folder, 'images', 'broken.png'), 'not a png');
    records.push({
      qid: count + 1,
      phrase_type: 'freeform',
      image_name: 'broken.png',
      image_organ: 'CHEST',
      question: 'Is the broken scan bright?',
      question_type: 'PRES',
      answer: 'Yes',
      answer_type: 'CLOSED',
    });
  }
  const file = join(folder, 'VQA_RAD Dataset Public.json');
  await writeFile(file, JSON.stringify(records, null, 2));
  return file;
}

/**
 * A teacher at the model boundary that looks at the image it is sent: it decodes the bytes and
 * reasons from the mean grey level. Sample 1 of every request argues itself into the wrong
 * answer, so filtering by the reference has something to drop.
 */
export function brightnessTeacher(): LanguageModel & { requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    id: 'test:brightness-teacher',
    requests,
    async generate(request: GenerateRequest): Promise<GenerateResponse> {
      requests.push(request);
      const user = request.messages.find((message) => message.role === 'user');
      const image = Array.isArray(user?.content)
        ? user.content.find((part) => part.type === 'image')
        : undefined;
      const choices = [];
      for (let sample = 0; sample < (request.n ?? 1); sample++) {
        if (image?.type !== 'image') {
          choices.push({ text: 'I cannot see an image. Final Answer: maybe' });
          continue;
        }
        const { channels } = await sharp(image.data).stats();
        const mean = channels[0]!.mean;
        const bright = mean > 128 !== (sample === 1);
        choices.push({
          text: `The image has a mean grey level of ${mean.toFixed(0)}, which looks ${bright ? 'bright' : 'dark'} <image> to me.\nFinal Answer: ${bright ? 'yes' : 'no'}`,
        });
      }
      return { choices, usage: { promptTokens: 10, completionTokens: 10 } };
    },
  };
}
