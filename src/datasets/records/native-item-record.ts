import { itemSchema } from '../item.js';
import type { RecordResult } from './record-result.js';
import { parseRecord } from './record-result.js';

/** medistill's own item JSONL (what `data split` writes): each line is an Item as it is. */
export function convertNativeItem(value: unknown): RecordResult {
  const parsed = parseRecord(itemSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  return { item: parsed.data, problems: [] };
}
