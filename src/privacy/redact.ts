import type { Item } from '../datasets/item.js';
import { withFieldTexts } from './item-text-fields.js';
import type { PhiKind } from './phi-patterns.js';
import { scanText } from './phi-scan.js';

/** Which item had how many identifiers of which kind replaced; never the values themselves. */
export interface RedactionRecord {
  itemId: string;
  byKind: Partial<Record<PhiKind, number>>;
}

export interface RedactionResult {
  items: Item[];
  redacted: RedactionRecord[];
}

/**
 * Replaces every likely identifier with a placeholder such as `[NAME-1]`. Placeholders are
 * consistent across the whole item set: the same text always becomes the same placeholder, so a
 * name that recurs in a note (or across notes) still reads as one person.
 */
export function redactItems(items: readonly Item[]): RedactionResult {
  const placeholders = new Map<string, string>();
  const counters = new Map<PhiKind, number>();
  const placeholderFor = (kind: PhiKind, text: string): string => {
    const key = `${kind}\u0000${text.toLowerCase()}`;
    let placeholder = placeholders.get(key);
    if (placeholder === undefined) {
      const next = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, next);
      placeholder = `[${kind.toUpperCase()}-${next}]`;
      placeholders.set(key, placeholder);
    }
    return placeholder;
  };
  const redacted: RedactionRecord[] = [];
  const result = items.map((item) => {
    const byKind: Partial<Record<PhiKind, number>> = {};
    const changed = withFieldTexts(item, (_field, text) => redactText(text, placeholderFor, byKind));
    if (Object.keys(byKind).length === 0) return item;
    redacted.push({ itemId: item.id, byKind });
    return changed;
  });
  return { items: result, redacted };
}

function redactText(
  text: string,
  placeholderFor: (kind: PhiKind, text: string) => string,
  counts: Partial<Record<PhiKind, number>>,
): string {
  let output = '';
  let position = 0;
  for (const match of scanText(text)) {
    output += text.slice(position, match.start) + placeholderFor(match.kind, match.text);
    position = match.end;
    counts[match.kind] = (counts[match.kind] ?? 0) + 1;
  }
  return output + text.slice(position);
}
