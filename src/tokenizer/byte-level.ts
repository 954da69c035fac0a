/**
 * GPT-2's reversible byte-to-character map: every byte becomes one printable character, so a
 * byte-level BPE vocabulary covers any UTF-8 text (the "byte fallback" llama.cpp relies on).
 */
function buildByteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map: string[] = new Array(256);
  for (const b of printable) map[b] = String.fromCodePoint(b);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (map[b] === undefined) map[b] = String.fromCodePoint(256 + next++);
  }
  return map;
}

export const byteToChar: readonly string[] = buildByteToChar();
export const charToByte: ReadonlyMap<string, number> = new Map(byteToChar.map((char, byte) => [char, byte]));

const encoder = new TextEncoder();

/** UTF-8 text -> byte-level string (one character per byte). */
export function toByteLevel(text: string): string {
  let out = '';
  for (const byte of encoder.encode(text)) out += byteToChar[byte];
  return out;
}

/** Byte-level string -> raw bytes (characters outside the map are encoded as UTF-8 as-is). */
export function fromByteLevel(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const byte = charToByte.get(char);
    if (byte === undefined) bytes.push(...encoder.encode(char));
    else bytes.push(byte);
  }
  return Uint8Array.from(bytes);
}
