import type { Llama } from 'node-llama-cpp';
import { InputError, ModelFormatError } from '../../errors.js';
import { metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { isOwnTokenizer, supportedArchitecture } from '../../model/llama-model-file.js';
import { CHATML_TEMPLATE } from '../../tokenizer/chat-template.js';
import { type ChatTokenizer, ownChatTokenizer } from '../../tokenizer/chat-tokenizer.js';
import { Tokenizer } from '../../tokenizer/tokenizer.js';
import { nodeLlamaCpp } from '../llama-cpp/node-llama-cpp-module.js';
import { loadVocabTokenizer } from '../llama-cpp/vocab-tokenizer.js';
import { readChatExamples } from './chat-examples.js';
import { tokenizeChat } from './chat-tokenization.js';
import { lossTokenCount, type TrainingExample } from './training-example.js';
import { imagePixels } from './vision/image-pixels.js';
import type { ImageEncoderConfig } from './vision/projector-file.js';

/** Tokenizer models the trainer accepts: byte-level BPE (`gpt2`) and SentencePiece (`llama`). */
export const SUPPORTED_TOKENIZER_MODELS = ['gpt2', 'llama'] as const;

let sharedLlama: Promise<Llama> | undefined;
const defaultLlama = (): Promise<Llama> => {
  sharedLlama ??= nodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
    getLlama({ gpu: false, logLevel: LlamaLogLevel.error }),
  );
  return sharedLlama;
};

/**
 * Read the chat data and tokenize it for the base model, on the calling thread: the model's own
 * `tokenizer.chat_template` (ChatML when it has none) renders each conversation, the loss mask
 * covers the assistant spans found in those renders, and the tokens come from medistill's BPE
 * for the models it makes or from llama.cpp's tokenizer for every real family. Each bad example
 * is an InputError naming the data file and line.
 */
export async function tokenizeTrainingData(
  options: {
    baseModel: string;
    dataPath: string;
    maxLength?: number | undefined;
    /** The image encoder of a vision job: images become its placeholder tokens and pixels. */
    vision?: ImageEncoderConfig | undefined;
  },
  llama: () => Promise<Llama> = defaultLlama,
): Promise<TrainingExample[]> {
  const { baseModel, dataPath } = options;
  const header = await readGgufHeader(baseModel);
  const { metadata } = header;
  const architecture = supportedArchitecture(metadata, baseModel);
  const tokenizerModel = metadataValue(metadata, 'tokenizer.ggml.model');
  if (!SUPPORTED_TOKENIZER_MODELS.includes(tokenizerModel as never)) {
    throw new ModelFormatError(
      `tokenizer "${String(tokenizerModel)}" is not implemented for training (supported: ${SUPPORTED_TOKENIZER_MODELS.join(', ')})`,
      { file: baseModel, field: 'tokenizer.ggml.model' },
    );
  }
  const context = metadataValue(metadata, `${architecture}.context_length`);
  const contextLength = typeof context === 'number' ? context : Number.POSITIVE_INFINITY;
  const limit = Math.min(options.maxLength ?? contextLength, contextLength);
  const template = metadataValue(metadata, 'tokenizer.chat_template');
  const chats = await readChatExamples(dataPath);
  let tokenizer: ChatTokenizer;
  let release = async (): Promise<void> => {};
  if (isOwnTokenizer(metadata)) {
    tokenizer = ownChatTokenizer(Tokenizer.fromGgufMetadata(metadata, baseModel));
  } else {
    const vocab = await loadVocabTokenizer(await llama(), baseModel);
    tokenizer = vocab;
    release = () => vocab.dispose();
  }
  const { vision } = options;
  // Many questions share an image: decode each once (the worker receives each array once too).
  const decoded = new Map<string, Promise<Float32Array>>();
  const pixelsOf = (url: string): Promise<Float32Array> => {
    let pixels = decoded.get(url);
    if (!pixels) {
      pixels = imagePixels(url, vision!);
      decoded.set(url, pixels);
    }
    return pixels;
  };
  try {
    const examples: TrainingExample[] = [];
    for (const chat of chats) {
      const urls = chat.messages.flatMap((message) => message.images ?? []);
      if (urls.length > 0 && !vision) {
        throw new InputError(
          "the example has images but the student has no image encoder (set the job's visionProjector)",
          { file: dataPath, line: chat.line },
        );
      }
      const { imagePositions, ...example } = tokenizeChat(
        chat.messages,
        tokenizer,
        typeof template === 'string' && template.length > 0 ? template : CHATML_TEMPLATE,
        baseModel,
        vision ? { imageTokens: vision.imageTokens, placeholderToken: 0 } : undefined,
      );
      if (example.tokens.length > limit) {
        throw new InputError(
          `the example is ${example.tokens.length} tokens, longer than the limit of ${limit}`,
          {
            file: dataPath,
            line: chat.line,
          },
        );
      }
      if (lossTokenCount(example) === 0) {
        throw new InputError('the example has no answer tokens after tokenization', {
          file: dataPath,
          line: chat.line,
        });
      }
      if (urls.length > 0) {
        const images: NonNullable<TrainingExample['images']> = [];
        for (const [index, url] of urls.entries()) {
          try {
            images.push({ position: imagePositions[index]!, pixels: await pixelsOf(url) });
          } catch (error) {
            throw new InputError(
              `image ${index + 1} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
              { file: dataPath, line: chat.line },
              { cause: error },
            );
          }
        }
        example.images = images;
      }
      examples.push(example);
    }
    return examples;
  } finally {
    await release();
  }
}
