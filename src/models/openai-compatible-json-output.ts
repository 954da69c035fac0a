import type { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * Parses model output that should be JSON. Grammar-constrained sampling guarantees the syntax but
 * not sane values: llama.cpp's number rule admits exponents, so a weak model can emit `98e80...`,
 * which JSON.parse turns into Infinity. Those are refused here, then the caller's schema decides.
 */
export function parseJsonOutput<T>(text: string, schema: z.ZodType<T>, origin = 'model output'): T {
  const value = parseFiniteJson(text);
  if (value === undefined) throw new InputError(`${origin} is not valid JSON: ${preview(text)}`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      `${origin} does not match the schema: ${issue?.path.join('.') || 'value'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** The parsed JSON, or undefined when the text is not JSON or holds a non-finite number. */
export function parseFiniteJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return hasOnlyFiniteNumbers(value) ? value : undefined;
}

function hasOnlyFiniteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(hasOnlyFiniteNumbers);
  if (value !== null && typeof value === 'object') return Object.values(value).every(hasOnlyFiniteNumbers);
  return true;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
