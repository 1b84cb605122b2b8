/* How sure a rate is: the 95 % Wilson score interval of a proportion, and
 * whether an interval leaves a target in doubt.
 *
 * kpo-metrics writes the interval of each rate as its *_lo and *_hi columns
 * (schema.h's kpo_metric_interval pairs them); a status judged on the point
 * value is "uncertain" when the interval straddles the target.  The bounds
 * are the only metric values kpo computes in floating point (a square root
 * has no exact fixed-point form): IEEE double, whose sqrt is correctly
 * rounded, and one rounding, half to even, to the printed hundredth of a
 * percent, so every platform prints the same digits.  k = 0 gives the lower
 * bound 0 and k = n the upper bound 100 exactly. */
#ifndef KPO_WILSON_H
#define KPO_WILSON_H

#include <stdint.h>

/* z of a two-sided 95 % interval: the 0.975 quantile of the standard normal,
 * to 16 significant digits (R's qnorm(0.975), scipy's norm.ppf(0.975)). */
#define KPO_WILSON_Z 1.959963984540054

/* The interval of K successes in N trials (K <= N) in hundredths of a
 * percent (0 .. 10000), rounded half to even: 1, or 0 when N is 0. */
int kpo_wilson_pct(uint64_t k, uint64_t n, int64_t *lo, int64_t *hi);

/* The same in [0, 1], unrounded. */
int kpo_wilson(uint64_t k, uint64_t n, double *lo, double *hi);

/* 1 when TARGET lies in the closed interval [LO, HI]: the data cannot tell
 * whether the true rate is on the target's good or bad side, so a status
 * judged on the point value is marked uncertain.  Bounds and target as the
 * bundle has them (percent, 2 decimals). */
int kpo_interval_straddles(double lo, double hi, double target);

#endif
