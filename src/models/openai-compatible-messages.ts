import type {
  ChatCompletionContentPart,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ChatMessage, ContentPart, GenerateChoice, TokenLogprob } from './language-model.js';

/** Encodes our messages as OpenAI chat messages; images become base64 data URLs. */
export function toOpenAiMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((message, index) => {
    if (typeof message.content === 'string') return { role: message.role, content: message.content };
    if (message.role === 'user') return { role: 'user', content: message.content.map(toContentPart) };
    if (message.content.some((part) => part.type === 'image')) {
      throw new InputError(
        `message ${index} (${message.role}) holds an image; only user messages may carry images`,
      );
    }
    const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return { role: message.role, content: text };
  });
}

function toContentPart(part: ContentPart): ChatCompletionContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const base64 = Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength).toString('base64');
  return { type: 'image_url', image_url: { url: `data:${part.mediaType};base64,${base64}` } };
}

/**
 * What we accept from a chat completion. Lenient: servers differ in what they send beyond the
 * core fields (llama-server adds timings, vLLM adds stop_reason), and some omit usage.
 */
const completionResponseSchema = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().optional(),
        finish_reason: z.string().nullish(),
        message: z.looseObject({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
        }),
        logprobs: z
          .looseObject({
            content: z.array(z.looseObject({ token: z.string(), logprob: z.number() })).nullish(),
          })
          .nullish(),
      }),
    )
    .min(1),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
    })
    .nullish(),
});

export interface ParsedCompletion {
  choices: GenerateChoice[];
  promptTokens: number;
  completionTokens: number;
  modelName: string | undefined;
}

/** Validates a completion body; returns undefined (with the reason) when it is not one. */
export function parseCompletion(body: unknown): { completion: ParsedCompletion } | { problem: string } {
  const parsed = completionResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected shape'}` };
  }
  const choices = [...parsed.data.choices]
    .sort((left, right) => (left.index ?? 0) - (right.index ?? 0))
    .map((choice): GenerateChoice => {
      const logprobs: TokenLogprob[] | undefined = choice.logprobs?.content?.map((entry) => ({
        token: entry.token,
        logprob: entry.logprob,
      }));
      return {
        text: choice.message.content ?? '',
        finishReason: finishReasonOf(choice.finish_reason),
        ...(logprobs ? { logprobs } : {}),
      };
    });
  return {
    completion: {
      choices,
      promptTokens: parsed.data.usage?.prompt_tokens ?? 0,
      completionTokens: parsed.data.usage?.completion_tokens ?? 0,
      modelName: parsed.data.model,
    },
  };
}

function finishReasonOf(reason: string | null | undefined): NonNullable<GenerateChoice['finishReason']> {
  if (reason === 'stop' || reason === 'length') return reason;
  if (reason === 'error') return 'error';
  return 'other';
}
