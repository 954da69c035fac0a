import { answerRegion, normalizeOutput } from './extract-text.js';

export type YesNoMaybe = 'yes' | 'no' | 'maybe';

const chineseWords: Record<string, YesNoMaybe> = {
  是: 'yes',
  否: 'no',
  不是: 'no',
  可能: 'maybe',
  不确定: 'maybe',
  也许: 'maybe',
};
const word = '(yes|no|maybe|uncertain)';
/** Explicit statements, strongest first; within one kind the last statement wins. */
const statementPatterns = [
  new RegExp(String.raw`final\s+answer\s*(?:is)?\s*[:：]?\s*(?:\*\*|__)?\s*["'(\[]?\s*${word}\b`, 'giu'),
  new RegExp(
    String.raw`(?:(?:correct|best)\s+answer\s+is|answer\s+(?:is|would\s+be|should\s+be)|answer\s*[:：=-]|the\s+answer\s+to\s+the\s+question\s+is)\s*(?:\*\*|__)?\s*["'(\[]?\s*${word}\b`,
    'giu',
  ),
  /答案\s*(?:应该|应)?\s*(?:是|为)?\s*[:：]?\s*(不确定|不是|可能|也许|是|否)/gu,
];

function canonicalWord(raw: string): YesNoMaybe | null {
  const lower = raw.toLowerCase();
  if (lower === 'yes' || lower === 'no' || lower === 'maybe') return lower;
  if (lower === 'uncertain') return 'maybe';
  return chineseWords[raw] ?? null;
}

/**
 * The yes/no/maybe a PubMedQA-style reply gave, or null when it cannot be read with confidence
 * (which must count as wrong). An explicit statement ("Final Answer: no", "The answer is maybe",
 * "答案：否") wins, the last one if several; otherwise the reply must open with the bare word
 * followed by punctuation or the end ("No.", "Yes, because ..."), so "No doubt ..." is not "no".
 */
export function extractYesNoMaybe(output: string): YesNoMaybe | null {
  const text = normalizeOutput(output);
  for (const region of answerRegion(text)) {
    for (const pattern of statementPatterns) {
      let last: YesNoMaybe | null = null;
      for (const match of region.matchAll(pattern)) last = canonicalWord(match[1]!) ?? last;
      if (last !== null) return last;
    }
    const opening = /^\s*(?:\*\*|__)?\s*(yes|no|maybe)\s*(?:\*\*|__)?\s*(?:[.,;:!)]|$)/iu.exec(region);
    if (opening) return canonicalWord(opening[1]!);
  }
  return null;
}
