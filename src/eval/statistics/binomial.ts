/** Natural log of n! by summation; exact enough and fast for the item counts of a benchmark. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) table[k] = table[k - 1]! + Math.log(k);
  return table;
}

/**
 * P(X <= k) for X ~ Binomial(n, p), summed in log space so that it stays accurate for large n
 * (0.5^n underflows past n = 1074).
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`binomialCdf needs a non-negative integer n, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomialCdf needs 0 <= p <= 1, got ${p}`);
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  const logs = logFactorials(n);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  const terms: number[] = [];
  for (let i = 0; i <= Math.floor(k); i++) {
    terms.push(logs[n]! - logs[i]! - logs[n - i]! + i * logP + (n - i) * logQ);
  }
  const largest = Math.max(...terms);
  let sum = 0;
  for (const term of terms) sum += Math.exp(term - largest);
  return Math.min(1, Math.exp(largest) * sum);
}
