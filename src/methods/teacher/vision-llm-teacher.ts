import { z } from 'zod';
import type { Item } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { ConfigError } from '../../errors.js';
import type { LanguageModel } from '../../models/language-model.js';
import { withContext } from '../../models/middleware/call-context.js';
import { loadSharp } from '../../util/load-sharp.js';
import { choicesFor, visualRationalePrompt } from '../../vision/cot-vl.js';
import type { VisionImages } from '../../vision/images.js';
import { visionMessages } from '../../vision/vision-prompt.js';
import { parseFinalAnswer } from './llm-teacher.js';
import { roleSchema } from './structured-replies.js';
import { type RationaleStyle, type Teacher, TeacherReplyError } from './teacher.js';

export interface VisionLlmTeacherOptions {
  /** A vision-language model behind an OpenAI-compatible endpoint. */
  model: LanguageModel;
  images: VisionImages;
  /** Plays the text-only roles (judge, explanation, correction). */
  text: Teacher;
  maxTokens?: number;
  sampleTemperature?: number;
  /** Show dataset captions to the teacher (off by default). */
  withCaptions?: boolean;
  /** Ask for JSON (reasoning, answer) against a schema, decoded under it by the server. */
  structured?: boolean;
  /** In structured mode, the longest reasoning a reply may hold. */
  maxReplyCharacters?: number;
  /** Tries per item before it is recorded as failed (default 3). */
  attempts?: number;
}

/**
 * A VLM teacher: for the roles that need the image (answer, rationale) it is sent the item's
 * images with LiteMedCoT-VL's rationale prompt (src/vision/cot-vl.ts); the text-only roles go to
 * `text`. A numbered sample above 0 is drawn at the sampling temperature.
 */
export class VisionLlmTeacher implements Teacher {
  readonly id: string;

  constructor(private readonly options: VisionLlmTeacherOptions) {
    this.id = options.model.id;
  }

  private async ask(item: Item, role: string, sample: number): Promise<string> {
    const prepared = await this.options.images.prepareItem(item);
    if ('problem' in prepared) throw new TeacherReplyError(role, item.id, prepared.problem.message);
    const text = `${itemPromptText(item, { includeCaption: this.options.withCaptions ?? false })}\n\n${visualRationalePrompt.instruction(choicesFor(item))}`;
    const schema = this.options.structured
      ? roleSchema('chain-of-thought', item, this.options.maxReplyCharacters)
      : undefined;
    let reply = '';
    for (let attempt = 0; attempt < (this.options.attempts ?? 3); attempt++) {
      // A retry or a further sample must be a different request, or the cache would replay it.
      const varied = attempt > 0 || sample > 0;
      const response = await this.options.model.generate(
        {
          messages: visionMessages(
            text,
            prepared.images.map((image) => image.part),
            visualRationalePrompt.system,
          ),
          maxTokens: this.options.maxTokens ?? 1024,
          temperature: varied ? (this.options.sampleTemperature ?? 0.7) : 0,
          seed: sample * 1000 + attempt,
          ...(schema ? { jsonSchema: z.toJSONSchema(schema) as Record<string, unknown> } : {}),
        },
        withContext(undefined, { stage: role, itemId: item.id }),
      );
      reply = response.choices[0]?.text ?? '';
      const rationale = schema ? structuredRationale(reply) : reply;
      if (rationale !== undefined && parseFinalAnswer(item, rationale) !== null) return rationale;
    }
    throw new TeacherReplyError(role, item.id, 'no "Final Answer:"', { reply });
  }

  async answer(item: Item, options: { sample?: number } = {}): Promise<string> {
    return parseFinalAnswer(item, await this.ask(item, 'answer', options.sample ?? 0))!;
  }

  rationale(item: Item, _style: RationaleStyle, options: { sample?: number } = {}): Promise<string> {
    return this.ask(item, 'rationale', options.sample ?? 0);
  }

  explain(item: Item): Promise<string> {
    return this.options.text.explain(item);
  }

  judge(item: Item, studentReply: string): Promise<boolean> {
    return this.options.text.judge(item, studentReply);
  }

  correct(item: Item, studentReply: string, knowledge: string): Promise<string> {
    return this.options.text.correct(item, studentReply, knowledge);
  }
}

/**
 * One request with a small grey image, before any work: a teacher that cannot take images (a
 * text-only server, a model without a projector) is refused here, not an hour into a run. Send it
 * to the bare model, so no retry repeats a refusal.
 */
export async function checkTeacherTakesImages(model: LanguageModel, spec: string): Promise<void> {
  const sharp = await loadSharp();
  const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  try {
    await model.generate({
      messages: visionMessages('What colour is this image? Answer in one word.', [
        { type: 'image', mediaType: 'image/png', data: new Uint8Array(png) },
      ]),
      maxTokens: 2,
      temperature: 0,
    });
  } catch (error) {
    throw new ConfigError(
      `teacher: ${spec} cannot take images (the data has images): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** A structured reply as the free-text rationale it stands for, ending in "Final Answer: X". */
function structuredRationale(raw: string): string | undefined {
  try {
    const value = JSON.parse(raw) as { reasoning?: unknown; answer?: unknown };
    if (typeof value.reasoning !== 'string' || typeof value.answer !== 'string') return undefined;
    return `${value.reasoning.trim()}\nFinal Answer: ${value.answer.trim()}`;
  } catch {
    return undefined;
  }
}
