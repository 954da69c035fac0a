import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelFormatError } from '../errors.js';
import type { GgufMetadata } from '../gguf/gguf-types.js';
import {
  type GgufTokenizerOptions,
  ggufTokenizerMetadata,
  type HfTokenizerConfig,
  type HfTokenizerJson,
} from '../model/tokenizer-json.js';
import type { HfConfig } from './hf-config.js';
import { exists, readJsonFile } from './json-file.js';
import { preTokenizerName } from './pre-tokenizers.js';

const tokenSchema = z.union([z.string(), z.object({ content: z.string() }).passthrough()]).nullish();

const tokenizerJsonSchema = z
  .object({
    model: z
      .object({
        type: z.string(),
        vocab: z.record(z.string(), z.number().int().nonnegative()),
        merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])).optional(),
      })
      .passthrough(),
    added_tokens: z
      .array(
        z
          .object({ id: z.number().int().nonnegative(), content: z.string(), special: z.boolean() })
          .passthrough(),
      )
      .default([]),
    pre_tokenizer: z.unknown().optional(),
    normalizer: z.unknown().optional(),
    post_processor: z.unknown().optional(),
    decoder: z.unknown().optional(),
  })
  .passthrough();

const chatTemplateSchema = z.union([
  z.string(),
  z.array(z.object({ name: z.string(), template: z.string() })),
]);

const tokenizerConfigSchema = z
  .object({
    bos_token: tokenSchema,
    eos_token: tokenSchema,
    pad_token: tokenSchema,
    add_bos_token: z.boolean().optional(),
    chat_template: chatTemplateSchema.optional(),
  })
  .passthrough();

export interface HfTokenizer {
  metadata: GgufMetadata;
  chatTemplate?: string;
}

const content = (token: z.infer<typeof tokenSchema>): string | undefined =>
  token === null || token === undefined ? undefined : typeof token === 'string' ? token : token.content;

const defaultTemplate = (template: z.infer<typeof chatTemplateSchema> | undefined): string | undefined =>
  typeof template === 'string'
    ? template
    : (template?.find((entry) => entry.name === 'default') ?? template?.[0])?.template;

/** The first special token the post-processor puts before a single sequence (Llama 3's BOS). */
function leadingSpecialToken(postProcessor: unknown): string | undefined {
  const processors = (postProcessor as { processors?: unknown[] } | null)?.processors ?? [postProcessor];
  for (const processor of processors) {
    const template = processor as { type?: string; single?: { SpecialToken?: { id: string } }[] } | null;
    if (template?.type === 'TemplateProcessing') return template.single?.[0]?.SpecialToken?.id;
  }
  return undefined;
}

/**
 * The `tokenizer.ggml.*` keys and chat template of a model folder, as convert_hf_to_gguf.py takes
 * them: tokenizer.json for the vocabulary and merges; special tokens from tokenizer_config.json,
 * else from config.json's `*_token_id`; BOS insertion from `add_bos_token`, else from the
 * post-processor's template; the chat template from tokenizer_config.json, chat_template.jinja or
 * chat_template.json. The pre-tokenizer is named from tokenizer.json's pre_tokenizer (see
 * pre-tokenizers.ts), unless `pre` is given.
 */
export async function hfTokenizerMetadata(
  directory: string,
  config: HfConfig,
  vocabSize: number,
  pre?: string,
): Promise<HfTokenizer> {
  const file = join(directory, 'tokenizer.json');
  const json = await readJsonFile(
    file,
    tokenizerJsonSchema,
    'no tokenizer.json: the GGUF needs the vocabulary',
  );
  const configFile = join(directory, 'tokenizer_config.json');
  const tokenizerConfig = (await exists(configFile))
    ? await readJsonFile(configFile, tokenizerConfigSchema, 'cannot read tokenizer_config.json')
    : {};
  const textOf = new Map<number, string>();
  for (const [text, id] of Object.entries(json.model.vocab)) textOf.set(id, text);
  for (const added of json.added_tokens) textOf.set(added.id, added.content);
  let highest = -1;
  for (const id of textOf.keys()) highest = Math.max(highest, id);
  if (highest >= vocabSize)
    throw new ModelFormatError(
      `token id ${highest} is outside the model's vocab_size ${vocabSize} (config.json)`,
      { file, field: 'model.vocab' },
    );
  const byId = (id: number | number[] | null | undefined): string | undefined =>
    textOf.get(Array.isArray(id) ? (id[0] ?? -1) : (id ?? -1));
  const bos = content(tokenizerConfig.bos_token) ?? byId(config.bos_token_id);
  const eos = content(tokenizerConfig.eos_token) ?? byId(config.eos_token_id);
  const leading = leadingSpecialToken(json.post_processor);
  const addBos = tokenizerConfig.add_bos_token ?? (leading !== undefined ? leading === bos : undefined);
  const byteLevel = JSON.stringify(json.pre_tokenizer ?? null).includes('"ByteLevel"');
  const options: GgufTokenizerOptions = { vocabSize };
  if (byteLevel) options.pre = pre ?? preTokenizerName(json.pre_tokenizer, file);
  if (bos !== undefined) options.bosToken = bos;
  if (eos !== undefined) options.eosToken = eos;
  if (addBos !== undefined) options.addBosToken = addBos;
  const hfConfig: HfTokenizerConfig = {};
  const pad = content(tokenizerConfig.pad_token) ?? byId(config.pad_token_id);
  if (pad !== undefined) hfConfig.pad_token = pad;
  const metadata = ggufTokenizerMetadata(json as HfTokenizerJson, hfConfig, options, file);
  let chatTemplate = defaultTemplate(tokenizerConfig.chat_template);
  const jinja = join(directory, 'chat_template.jinja');
  const templateJson = join(directory, 'chat_template.json');
  if (chatTemplate === undefined && (await exists(jinja))) chatTemplate = await readFile(jinja, 'utf8');
  if (chatTemplate === undefined && (await exists(templateJson)))
    chatTemplate = defaultTemplate(
      (
        await readJsonFile(
          templateJson,
          z.object({ chat_template: chatTemplateSchema.optional() }).passthrough(),
          'cannot read chat_template.json',
        )
      ).chat_template,
    );
  return chatTemplate === undefined ? { metadata } : { metadata, chatTemplate };
}
