import { ModelFormatError } from '../../errors.js';
import { renderChat, type TemplateMessage } from '../../tokenizer/chat-template.js';
import type { ChatTokenizer } from '../../tokenizer/chat-tokenizer.js';
import { type ChatExampleMessage, MEDIA_MARKER } from './chat-examples.js';
import type { TrainingExample } from './training-example.js';

/** How images become prompt positions: `imageTokens` placeholders each (their ids are ignored). */
export interface MediaTokens {
  imageTokens: number;
  placeholderToken: number;
}

/** A tokenized chat; with media, where each image's placeholder tokens start. */
export type TokenizedChat = TrainingExample & { imagePositions: number[] };

/**
 * Render a conversation with the model's own chat template and tokenize it with a loss mask on
 * the trained assistant turns: their content and the end-of-turn token, which is what the model
 * must generate at inference. The prompt before each turn (up to the generation prompt, e.g.
 * `<|im_start|>assistant\n`) and whatever the template adds after the end-of-turn token carry no
 * loss. Text is tokenized segment by segment so the prompt tokens are exactly those inference
 * produces for the same prompt.
 *
 * With `media`, each MEDIA_MARKER in the rendered text becomes `imageTokens` placeholder
 * positions, and the text between markers is tokenized chunk by chunk, as llama.cpp's
 * mtmd_tokenize splits a prompt at its media markers (no token merges across an image).
 */
export function tokenizeChat(
  messages: readonly ChatExampleMessage[],
  tokenizer: ChatTokenizer,
  template: string,
  file?: string,
  media?: MediaTokens,
): TokenizedChat {
  const data = tokenizer;
  const special = (id: number | undefined): string => (id === undefined ? '' : tokenizer.tokenText(id));
  const render = (upTo: number, addGenerationPrompt: boolean): string =>
    renderChat(template, messages.slice(0, upTo) as TemplateMessage[], {
      addGenerationPrompt,
      bosToken: special(data.bosTokenId),
      eosToken: special(data.eosTokenId),
      ...(file ? { file } : {}),
    });
  const full = render(messages.length, false);
  const spans: [number, number][] = [];
  messages.forEach((message, index) => {
    if (!message.trained) return;
    const start = render(index, true).length;
    const end = render(index + 1, false).length;
    if (!full.startsWith(render(index, true)) || !full.startsWith(render(index + 1, false))) {
      throw new ModelFormatError(
        'the chat template does not render conversations prefix by prefix, so assistant turns cannot be located for the loss mask',
        { file: file ?? 'chat template', field: 'tokenizer.chat_template' },
      );
    }
    spans.push([start, end]);
  });
  const endOfTurn = data.eotTokenId ?? data.eosTokenId;
  const tokens: number[] = [];
  const mask: number[] = [];
  if (data.addBosToken && data.bosTokenId !== undefined && !full.startsWith(special(data.bosTokenId))) {
    tokens.push(data.bosTokenId);
    mask.push(0);
  }
  // Each segment's ids are the new tail of the tokenization of the text up to its end, so the
  // example is whole-text tokenization (SentencePiece puts no ▁ at a segment start) and the
  // prompt part is exactly the inference prompt's tokens. Where a boundary is not stable (a
  // merge across it), the segment is tokenized on its own as a continuation.
  let textTokens: number[] = [];
  let chunkStart = 0;
  const imagePositions: number[] = [];
  const push = (end: number, trained: boolean): void => {
    for (
      let marker = full.indexOf(MEDIA_MARKER, position);
      media && marker >= 0 && marker < end;
      marker = full.indexOf(MEDIA_MARKER, position)
    ) {
      pushText(marker, trained);
      imagePositions.push(tokens.length);
      for (let i = 0; i < media.imageTokens; i++) {
        tokens.push(media.placeholderToken);
        mask.push(0);
      }
      position = marker + MEDIA_MARKER.length;
      chunkStart = position;
      textTokens = [];
    }
    pushText(end, trained);
  };
  const pushText = (end: number, trained: boolean): void => {
    let whole = tokenizer.encode(full.slice(chunkStart, end));
    if (whole.length < textTokens.length || textTokens.some((id, i) => whole[i] !== id)) {
      whole = [...textTokens, ...tokenizer.encode(full.slice(position, end), textTokens.length > 0)];
    }
    const ids = whole.slice(textTokens.length);
    textTokens = whole;
    position = end;
    // Loss runs through the end-of-turn token; what the template adds after it is not generated.
    const last = trained && endOfTurn !== undefined ? ids.lastIndexOf(endOfTurn) : -1;
    ids.forEach((id, i) => {
      tokens.push(id);
      mask.push(trained && (last < 0 || i <= last) ? 1 : 0);
    });
  };
  let position = 0;
  for (const [start, end] of spans) {
    if (start > position) push(start, false);
    push(end, true);
  }
  if (position < full.length) push(full.length, false);
  return { tokens: Int32Array.from(tokens), lossMask: Uint8Array.from(mask), imagePositions };
}
