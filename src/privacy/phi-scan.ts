import type { Item } from '../datasets/item.js';
import { itemTextFields } from './item-text-fields.js';
import { type PhiKind, phiKinds, phiPatterns } from './phi-patterns.js';

/** A likely identifier in a text: its kind and where it is. */
export interface PhiMatch {
  kind: PhiKind;
  start: number;
  end: number;
  text: string;
}

/** A likely identifier in an item's field. */
export interface PhiFinding extends PhiMatch {
  itemId: string;
  field: string;
}

export interface PhiScanReport {
  itemsScanned: number;
  /** Items with at least one finding. */
  itemsFlagged: number;
  byKind: Record<PhiKind, number>;
  findings: PhiFinding[];
}

/**
 * Finds likely identifiers in one text. Patterns run in phiPatterns order; a match overlapping
 * characters an earlier one claimed is dropped, so a fax number is not also a phone number.
 */
export function scanText(text: string): PhiMatch[] {
  const matches: PhiMatch[] = [];
  const overlaps = (start: number, end: number) =>
    matches.some((match) => start < match.end && match.start < end);
  for (const { kind, pattern } of phiPatterns) {
    for (const found of text.matchAll(pattern)) {
      const groups = found.groups ?? {};
      const value = Object.keys(groups)
        .filter((name) => name.startsWith('value'))
        .map((name) => groups[name])
        .find((candidate) => candidate !== undefined);
      const matched = value ?? found[0];
      const offset = value === undefined ? 0 : found[0].lastIndexOf(value);
      const start = (found.index ?? 0) + offset;
      const end = start + matched.length;
      if (!overlaps(start, end)) matches.push({ kind, start, end, text: matched });
    }
  }
  return matches.sort((a, b) => a.start - b.start);
}

/** Scans every text field of every item; the report counts by kind and lists each finding. */
export function scanItems(items: readonly Item[]): PhiScanReport {
  const byKind = Object.fromEntries(phiKinds.map((kind) => [kind, 0])) as Record<PhiKind, number>;
  const findings: PhiFinding[] = [];
  const flagged = new Set<string>();
  for (const item of items) {
    for (const { field, text } of itemTextFields(item)) {
      for (const match of scanText(text)) {
        findings.push({ itemId: item.id, field, ...match });
        byKind[match.kind] += 1;
        flagged.add(item.id);
      }
    }
  }
  return { itemsScanned: items.length, itemsFlagged: flagged.size, byKind, findings };
}

/** "3 of 120 items: 2 date, 1 phone", for messages and the CLI. */
export function summarisePhiScan(report: PhiScanReport): string {
  const kinds = phiKinds
    .filter((kind) => report.byKind[kind] > 0)
    .map((kind) => `${report.byKind[kind]} ${kind}`);
  if (kinds.length === 0) return `no likely identifiers in ${report.itemsScanned} items`;
  return `${report.itemsFlagged} of ${report.itemsScanned} items hold likely identifiers: ${kinds.join(', ')}`;
}
