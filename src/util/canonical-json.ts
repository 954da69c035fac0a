import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth and undefined members dropped, so two requests that
 * mean the same thing serialise to the same bytes whatever order their options were written in.
 * Refuses what JSON cannot say faithfully (non-finite numbers, bigints, functions, binary data)
 * rather than silently turning it into `null` or `{}` and making two different requests collide.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: cannot encode ${value}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map((element: unknown) => canonicalJson(element)).join(',')}]`;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    throw new TypeError('canonicalJson: binary data must be hashed before encoding');
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const members: string[] = [];
  for (const [key, member] of Object.entries(value).sort(([left], [right]) =>
    left < right ? -1 : left > right ? 1 : 0,
  )) {
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** Hex sha256 of bytes or text. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The content address of a JSON value: sha256 of its canonical form. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
