/** A two-sided interval `[low, high]`, e.g. a 95% confidence interval on a proportion. */
export type Interval = [low: number, high: number];
