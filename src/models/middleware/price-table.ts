import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { TokenUsage } from '../language-model.js';

export const modelPriceSchema = z.strictObject({
  /** Cost per million prompt tokens, in whatever currency the whole table uses. */
  inputPerMillion: z.number().nonnegative(),
  outputPerMillion: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/**
 * Prices keyed by a model pattern: `*` matches any run of characters. A pattern is tried against
 * the model id (`openai:gpt-4o-mini`, `openai-compatible:http://host/v1#Qwen/Qwen3-235B-A22B`)
 * and against the bare model name (`gpt-4o-mini`, `Qwen/Qwen3-235B-A22B`).
 */
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

/** Validates a user's price table (from a config file or flag), naming the bad entry. */
export function parsePriceTable(input: unknown, source = 'price table'): PriceTable {
  const parsed = priceTableSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`${source}: ${issue?.path.join('.') || 'table'}: ${issue?.message ?? 'invalid'}`);
}

/** The bare model name inside an id: after `#`, or after the kind prefix. */
export function modelNameOf(modelId: string): string {
  const hash = modelId.lastIndexOf('#');
  if (hash >= 0) return modelId.slice(hash + 1);
  const colon = modelId.indexOf(':');
  return colon >= 0 ? modelId.slice(colon + 1) : modelId;
}

/** The price for a model: the matching pattern with the most literal characters wins. */
export function priceFor(table: PriceTable, modelId: string): ModelPrice | undefined {
  const candidates = [modelId, modelNameOf(modelId)];
  let best: { price: ModelPrice; specificity: number } | undefined;
  for (const [pattern, price] of Object.entries(table)) {
    const matcher = globToRegExp(pattern);
    if (!candidates.some((candidate) => matcher.test(candidate))) continue;
    const specificity = pattern.replaceAll('*', '').length;
    if (!best || specificity > best.specificity) best = { price, specificity };
  }
  return best?.price;
}

/** Cost of one call's usage, or undefined when the model has no price. */
export function costOf(table: PriceTable, modelId: string, usage: TokenUsage): number | undefined {
  const price = priceFor(table, modelId);
  if (!price) return undefined;
  return (
    (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1_000_000
  );
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
