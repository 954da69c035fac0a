import type { Option } from '../datasets/item.js';
import { answerRegion, escapeRegExp, normalizeOutput } from './extract-text.js';

/*
 * Pulling an option key out of a free-text (chain-of-thought) reply. Explicit answer statements
 * win over everything else, and among them the last one wins: reasoning mentions options it
 * rejects ("A is tempting, but ..."), and a model that changes its mind states the final choice
 * last. Without an explicit statement only unambiguous shapes are accepted (a bare key, a key
 * leading the reply, a bold key, the exact text of one option); anything else is null, which
 * the caller must count as wrong.
 */

/** A statement after which the model gives its choice, weakest last. */
const finalAnswerMarker = String.raw`final\s+answer\s*(?:is)?\s*[:：]?`;
const answerMarkers = [
  String.raw`(?:correct|right|best)\s+(?:answer|option|choice|response)\s*(?:is|would\s+be|will\s+be|[:：=-])`,
  String.raw`(?:the\s+)?answer\s+(?:is|would\s+be|will\s+be|should\s+be)`,
  String.raw`answer\s*[:：=-]`,
  String.raw`(?:i(?:'d|\s+would|\s+will)?\s+(?:choose|pick|select|go\s+with)|my\s+(?:choice|answer|pick)\s+(?:is|would\s+be)|(?:choose|select)\s+option)`,
  String.raw`答案\s*(?:应该|应)?\s*(?:是|为|选)?\s*[:：]?`,
  String.raw`正确(?:选项|答案)\s*(?:是|为)?\s*[:：]?`,
  // "选B", "故选B", "应选择C", but not "选项A是错误的" (discussing option A).
  String.raw`(?:^|[,.;:!?\s]|故|所以|因此|应该?|我)选(?:择)?(?!项)`,
];
/** Hedges a model puts between the marker and the key ("the answer is most likely C"). */
const hedge = String.raw`(?:(?:most\s+likely|likely|probably|clearly|definitely|therefore|thus|then)\s*[:,]?\s*)?`;
/** Decoration around a key: bold, brackets, "option", "(". */
const keyPrefix = String.raw`(?:\*\*|__)?\s*(?:option|choice|选项)?\s*[(\[]?\s*(?:\*\*)?`;

export interface ChoiceExtraction {
  key: string | null;
  /** Which rule produced the key, for debugging extraction on real outputs. */
  rule:
    | 'final-answer'
    | 'answer-statement'
    | 'option-text'
    | 'bare-key'
    | 'leading-key'
    | 'bold-key'
    | 'none';
}

/** The option key a chain-of-thought reply chose, or null when none can be read with confidence. */
export function extractChoice(
  output: string,
  options: readonly Pick<Option, 'key' | 'text'>[],
): string | null {
  return explainChoiceExtraction(output, options).key;
}

/** Like {@link extractChoice}, also naming the rule that decided. */
export function explainChoiceExtraction(
  output: string,
  options: readonly Pick<Option, 'key' | 'text'>[],
): ChoiceExtraction {
  const text = normalizeOutput(output);
  for (const region of answerRegion(text)) {
    const found = extractFromRegion(region, options);
    if (found.key !== null) return found;
  }
  return { key: null, rule: 'none' };
}

function extractFromRegion(text: string, options: readonly Pick<Option, 'key' | 'text'>[]): ChoiceExtraction {
  const keys = options.map((option) => option.key);
  const keyPattern = keys.map(escapeRegExp).join('|');
  // Keys compare case-insensitively only when that cannot confuse two keys.
  const foldable = new Set(keys.map((key) => key.toLowerCase())).size === keys.length;
  const canonical = (raw: string): string | null =>
    keys.find((key) => key === raw || (foldable && key.toLowerCase() === raw.toLowerCase())) ?? null;

  const fromMarker = (marker: string, rule: ChoiceExtraction['rule']): ChoiceExtraction | null => {
    // Uppercase keys may be followed by anything but a letter ("C.", "C)", "C**", "C项"); a lowercase
    // key only by punctuation or the end, so "the answer is a loop diuretic" is not option A.
    // Candidates are placed at the end of their marker, so a key and an option text read after
    // the same statement compete for one place (and overlapping markers agree on it).
    const pattern = new RegExp(
      String.raw`(${marker})\s*(?:\*\*|__)?\s*${hedge}${keyPrefix}\s*(${keyPattern})(?![A-Za-z0-9])`,
      'gimud',
    );
    const lowerKeyPattern = new RegExp(
      String.raw`(${marker})\s*(?:\*\*|__)?\s*${hedge}${keyPrefix}\s*(${keyPattern})\s*(?:$|[.)\]*,;:!]|\n)`,
      'gimud',
    );
    const candidates = new Map<number, { key: string; rule: ChoiceExtraction['rule'] }>();
    for (const match of text.matchAll(pattern)) {
      const raw = match[2]!;
      const after = text.slice(match.indices![2]![1]);
      if (keys.includes(raw) && !isArticle(raw, after, options) && !isHedgedBetweenKeys(after, keyPattern)) {
        candidates.set(match.indices![1]![1], { key: raw, rule });
      }
    }
    if (foldable) {
      for (const match of text.matchAll(lowerKeyPattern)) {
        const key = canonical(match[2]!);
        const after = text.slice(match.indices![2]![1]);
        if (key !== null && !isHedgedBetweenKeys(after, keyPattern))
          candidates.set(match.indices![1]![1], { key, rule });
      }
    }
    // Option text read after a marker counts where no key was read there ("The answer is
    // furosemide"), and overrides the key when the text is exactly an option's text that happens
    // to start with a key ("The answer is B cell." naming option D "B cell").
    for (const { markerEnd, key, exact } of optionTextsAfterMarker(text, marker, options)) {
      if (!candidates.has(markerEnd) || exact) candidates.set(markerEnd, { key, rule: 'option-text' });
    }
    const last = [...candidates.entries()].sort(([left], [right]) => left - right).at(-1);
    return last ? last[1] : null;
  };

  const final = fromMarker(finalAnswerMarker, 'final-answer');
  if (final) return final;
  const statement = fromMarker(answerMarkers.join('|'), 'answer-statement');
  if (statement) return statement;
  return fallbackShapes(text, keyPattern, canonical, options);
}

/** Words that may follow a key that really is the answer ("The answer is A because ..."). */
const continuationAfterKey =
  /^\s+(?:is|was|because|as|since|which|and|or|in|for|with|here|seems|fits|would|best|option|choice|-)\b/iu;

/**
 * "Answer: A thorough history ..." uses "A" as an English article. An "A" followed by a word that
 * does not continue an answer, and that does not start option A's own text, is not a choice.
 */
function isArticle(key: string, after: string, options: readonly Pick<Option, 'key' | 'text'>[]): boolean {
  if (key !== 'A' || !/^\s+[\p{Ll}\d]/u.test(after) || continuationAfterKey.test(after)) return false;
  const optionText = options.find((option) => option.key === 'A')?.text ?? '';
  const following = after.trimStart().toLowerCase();
  return !(optionText.length > 0 && following.startsWith(optionText.toLowerCase().slice(0, 12)));
}

/** "The answer is B or C" commits to neither. */
function isHedgedBetweenKeys(after: string, keyPattern: string): boolean {
  return new RegExp(
    String.raw`^[)\].*\s]*(?:or|and|/|,)\s*(?:option\s+)?[(\[]?(?:${keyPattern})(?![A-Za-z])`,
    'iu',
  ).test(after);
}

/** "The answer is Furosemide": the text after a marker names exactly one option. */
function optionTextsAfterMarker(
  text: string,
  marker: string,
  options: readonly Pick<Option, 'key' | 'text'>[],
): { markerEnd: number; key: string; exact: boolean }[] {
  const found: { markerEnd: number; key: string; exact: boolean }[] = [];
  for (const match of text.matchAll(new RegExp(String.raw`(${marker})\s*${hedge}([^\n]+)`, 'gimud'))) {
    const phrase = match[2]!;
    const key = optionNamedBy(phrase, options);
    if (key === null) continue;
    // Exact only when the text says more than a key would: options "a", "c", "bc" are not read as text.
    const said = comparable(phrase);
    const exact =
      said === comparable(options.find((option) => option.key === key)!.text) &&
      !options.some((option) => option.key.toLowerCase() === said);
    found.push({ markerEnd: match.indices![1]![1], key, exact });
  }
  return found;
}

/**
 * How option texts are compared: lowercase, no markdown or quotes, single spaces, no space around
 * comparison and formula symbols, no sentence-final punctuation. Symbols are kept: "<50 degree"
 * and ">50 degree" are different options.
 */
function comparable(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[*_`"“”‘’]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([<>=≤≥•·/±])\s*/gu, '$1')
    .trim()
    .replace(/[\s.!?;,:]+$/u, '');
}

/** The single option whose text the phrase states (exactly, or as a whole-word part); else null. */
export function optionNamedBy(
  phrase: string,
  options: readonly Pick<Option, 'key' | 'text'>[],
): string | null {
  const said = comparable(phrase);
  if (said.length === 0) return null;
  const exact = options.filter((option) => comparable(option.text) === said);
  if (exact.length === 1) return exact[0]!.key;
  if (exact.length > 1) return null;
  const contained = options
    .map((option) => ({ key: option.key, text: comparable(option.text) }))
    .filter(
      ({ text }) =>
        text.length >= 3 &&
        new RegExp(String.raw`(?:^|[\s(])${escapeRegExp(text)}(?:[\s,;:.!?)]|$)`, 'u').test(said),
    );
  if (contained.length === 0) return null;
  // "Furosemide, not spironolactone": the phrase opens with one option and rejects the others.
  const rejecting = contained.filter(({ text }) =>
    new RegExp(String.raw`^${escapeRegExp(text)}[\s,;]+(?:not|rather\s+than|instead\s+of)\s`, 'u').test(said),
  );
  if (rejecting.length === 1) return rejecting[0]!.key;
  // "Vitamin B12 deficiency" names the longer option, not "Vitamin B12" as well.
  contained.sort((left, right) => right.text.length - left.text.length);
  const longest = contained[0]!;
  const rivals = contained.filter(
    (candidate) => candidate.key !== longest.key && !longest.text.includes(candidate.text),
  );
  return rivals.length === 0 ? longest.key : null;
}

function fallbackShapes(
  text: string,
  keyPattern: string,
  canonical: (raw: string) => string | null,
  options: readonly Pick<Option, 'key' | 'text'>[],
): ChoiceExtraction {
  const trimmed = text.trim();
  // The whole reply is a key: "C", "(b)", "**D**", "Option B."
  const bare = new RegExp(
    String.raw`^(?:\*\*|__)?\s*(?:option|choice)?\s*[(\[]?\s*(${keyPattern})\s*[)\].:]?\s*(?:\*\*|__)?\s*$`,
    'iu',
  ).exec(trimmed);
  if (bare) {
    const key = canonical(bare[1]!);
    if (key !== null) return { key, rule: 'bare-key' };
  }
  // The reply opens with a key in answer shape: "C. Furosemide ..." or "(B) because ...", never
  // "A 45-year-old"; and it is not a listing whose lines open with several keys in that shape.
  const keyAtLineStart = String.raw`^(?:\*\*|__)?\s*[(\[]?(${keyPattern})(?:[)\]]|[.:](?=\s|$))`;
  const leading = new RegExp(keyAtLineStart, 'u').exec(trimmed);
  const lineKeys = new Set([...trimmed.matchAll(new RegExp(keyAtLineStart, 'gmu'))].map((match) => match[1]));
  if (leading && lineKeys.size === 1 && canonical(leading[1]!) === leading[1])
    return { key: leading[1]!, rule: 'leading-key' };
  // The reply is exactly one option's text.
  const named = options.filter((option) => comparable(option.text) === comparable(trimmed));
  if (named.length === 1) return { key: named[0]!.key, rule: 'option-text' };
  // Bold keys, when they all name one option: "**B. Furosemide**" or "**(C)**". A reply that bolds
  // every option it discusses names several and says nothing.
  const boldKeys = new Set(
    [...text.matchAll(new RegExp(String.raw`\*\*\s*[(\[]?(${keyPattern})(?:[)\].:]|\*\*)`, 'gu'))].map(
      (match) => match[1]!,
    ),
  );
  if (boldKeys.size === 1) {
    const [key] = [...boldKeys];
    if (key !== undefined && canonical(key) === key) return { key, rule: 'bold-key' };
  }
  return { key: null, rule: 'none' };
}
