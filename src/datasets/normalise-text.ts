/**
 * Text reduced to what matters for comparing questions: Unicode-normalised, lower case, letters
 * and digits only, single spaces. Used for deduplication, contamination n-grams and answer checks.
 */
export function normaliseForComparison(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The normalised words of a text. */
export function comparisonWords(text: string): string[] {
  const normalised = normaliseForComparison(text);
  return normalised === '' ? [] : normalised.split(' ');
}
