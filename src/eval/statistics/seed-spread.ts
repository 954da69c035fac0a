/** How a score spreads over seeds: mean, sample standard deviation, and range. */
export interface SeedSpread {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one seed. */
  sd: number;
  min: number;
  max: number;
}

export function seedSpread(values: readonly number[]): SeedSpread {
  if (values.length === 0) throw new RangeError('seed spread of no seeds');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return {
    mean,
    sd: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
