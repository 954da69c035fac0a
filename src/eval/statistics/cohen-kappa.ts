/** How far two binary raters (e.g. an LLM judge and exact match) agree on the same items. */
export interface BinaryAgreement {
  n: number;
  /** Fraction of items on which both raters gave the same verdict. */
  rawAgreement: number;
  /**
   * Cohen's kappa, agreement corrected for chance. Null when chance agreement is already 1 (both
   * raters gave one and the same verdict to every item), where kappa is undefined.
   */
  kappa: number | null;
}

/** Cohen's kappa (Cohen 1960) and raw agreement for two raters' binary verdicts on the same items. */
export function binaryAgreement(first: readonly boolean[], second: readonly boolean[]): BinaryAgreement {
  if (first.length !== second.length) {
    throw new RangeError(`rater verdicts differ in length: ${first.length} vs ${second.length}`);
  }
  const n = first.length;
  if (n === 0) return { n: 0, rawAgreement: Number.NaN, kappa: null };
  let agreements = 0;
  let firstPositive = 0;
  let secondPositive = 0;
  first.forEach((verdict, index) => {
    const other = second[index]!;
    if (verdict === other) agreements++;
    if (verdict) firstPositive++;
    if (other) secondPositive++;
  });
  const observed = agreements / n;
  const pFirst = firstPositive / n;
  const pSecond = secondPositive / n;
  const expected = pFirst * pSecond + (1 - pFirst) * (1 - pSecond);
  const kappa = expected >= 1 ? null : (observed - expected) / (1 - expected);
  return { n, rawAgreement: observed, kappa };
}
