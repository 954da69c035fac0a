/** A member of a top-level JSON array or object, still as text, with the line it starts on. */
export interface ScannedMember {
  key?: string;
  text: string;
  line: number;
}

type State = 'start' | 'key' | 'in-key' | 'colon' | 'value' | 'in-value' | 'after' | 'done';

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 0xfeff;
}

/**
 * Splits a JSON document whose top level is an array or object into its members without holding
 * the whole document, so large JSON datasets stream like JSONL and problems get line numbers.
 * Members are parsed by the caller; only the structure (brackets, strings) is tracked here.
 */
export class JsonTopLevelScanner {
  line = 1;
  #state: State = 'start';
  #top: 'array' | 'object' = 'array';
  #depth = 0;
  #inString = false;
  #escape = false;
  #valueKind: 'container' | 'string' | 'primitive' = 'container';
  #parts: string[] = [];
  #key: string | undefined;
  #memberLine = 0;

  /** Feed the next chunk; returns the members completed within it. Throws on broken structure. */
  push(chunk: string): ScannedMember[] {
    const members: ScannedMember[] = [];
    let captureStart = this.#state === 'in-value' || this.#state === 'in-key' ? 0 : -1;
    for (let index = 0; index < chunk.length; index++) {
      const code = chunk.charCodeAt(index);
      if (code === NEWLINE) this.line += 1;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (code === BACKSLASH) this.#escape = true;
        else if (code === QUOTE) {
          this.#inString = false;
          if (this.#state === 'in-key') {
            this.#parts.push(chunk.slice(captureStart, index + 1));
            this.#key = JSON.parse(this.#parts.join('')) as string;
            this.#parts = [];
            captureStart = -1;
            this.#state = 'colon';
          } else if (this.#valueKind === 'string' && this.#depth === 1) {
            members.push(this.#finish(chunk, captureStart, index + 1));
            captureStart = -1;
          }
        }
        continue;
      }
      if (this.#state === 'in-value') {
        if (this.#valueKind === 'primitive') {
          if (!(code === 44 || code === 93 || code === 125 || isWhitespace(code))) continue;
          members.push(this.#finish(chunk, captureStart, index));
          captureStart = -1;
          // The terminator belongs to the structure: handled below in state 'after'.
        } else {
          if (code === QUOTE) this.#inString = true;
          else if (code === 123 || code === 91) this.#depth += 1;
          else if (code === 125 || code === 93) {
            this.#depth -= 1;
            if (this.#depth === 1) {
              members.push(this.#finish(chunk, captureStart, index + 1));
              captureStart = -1;
            }
          }
          continue;
        }
      }
      if (isWhitespace(code)) continue;
      captureStart = this.#structural(code, index);
    }
    if (captureStart >= 0 && (this.#state === 'in-value' || this.#state === 'in-key')) {
      this.#parts.push(chunk.slice(captureStart));
    }
    return members;
  }

  /** Call at end of input: throws if the document was cut short. */
  end(): void {
    if (this.#state === 'start') throw new Error('the file is empty');
    if (this.#state !== 'done') throw new Error(`unexpected end of file (line ${this.line})`);
  }

  #structural(code: number, index: number): number {
    const character = String.fromCharCode(code);
    switch (this.#state) {
      case 'start':
        if (code !== 91 && code !== 123)
          throw new Error(`line ${this.line}: expected a JSON array or object`);
        this.#top = code === 91 ? 'array' : 'object';
        this.#depth = 1;
        this.#state = this.#top === 'array' ? 'value' : 'key';
        return -1;
      case 'key':
        if (code === 125) return this.#close(code);
        if (code !== QUOTE)
          throw new Error(`line ${this.line}: expected a member name, found "${character}"`);
        this.#inString = true;
        this.#state = 'in-key';
        return index;
      case 'colon':
        if (code !== 58) throw new Error(`line ${this.line}: expected ":", found "${character}"`);
        this.#state = 'value';
        return -1;
      case 'value':
        if (code === 93 || code === 125) return this.#close(code);
        this.#memberLine = this.line;
        this.#state = 'in-value';
        if (code === QUOTE) {
          this.#valueKind = 'string';
          this.#inString = true;
        } else if (code === 123 || code === 91) {
          this.#valueKind = 'container';
          this.#depth += 1;
        } else this.#valueKind = 'primitive';
        return index;
      case 'after':
        if (code === 44) {
          this.#state = this.#top === 'array' ? 'value' : 'key';
          return -1;
        }
        return this.#close(code);
      default:
        throw new Error(`line ${this.line}: unexpected "${character}" after the end of the document`);
    }
  }

  #close(code: number): number {
    const expected = this.#top === 'array' ? 93 : 125;
    if (code !== expected) throw new Error(`line ${this.line}: unexpected "${String.fromCharCode(code)}"`);
    this.#depth = 0;
    this.#state = 'done';
    return -1;
  }

  #finish(chunk: string, captureStart: number, end: number): ScannedMember {
    this.#parts.push(chunk.slice(Math.max(captureStart, 0), end));
    const member: ScannedMember = { text: this.#parts.join(''), line: this.#memberLine };
    if (this.#key !== undefined) member.key = this.#key;
    this.#parts = [];
    this.#key = undefined;
    this.#state = 'after';
    return member;
  }
}
