import { z } from 'zod';

/* The numbers every report schema is built from, in one place so the sections agree on them. */

/** A proportion: accuracy, a p-value. */
export const proportion = z.number().min(0).max(1);
/** A count of items. */
export const count = z.number().int().nonnegative();

function interval(bound: z.ZodNumber) {
  return z
    .tuple([bound, bound])
    .refine(([low, high]) => low <= high + 1e-12, { message: 'interval low must not exceed high' });
}

/** A 95% interval on a proportion. */
export const proportionIntervalSchema = interval(proportion);
/** A 95% interval on a difference of proportions. */
export const differenceIntervalSchema = interval(z.number().min(-1).max(1));
