/* Exact quantiles for kpo-metrics: linear interpolation between order
 * statistics (R type 7, numpy's default), on integer values, with no floating
 * point anywhere, and an in-place sort that needs no extra memory.
 *
 * For N sorted values x[0..N) and a percentile P (0..100):
 *     h = (N - 1) * P / 100,  q = x[floor h] + (h - floor h) * (x[floor h + 1] - x[floor h])
 * h is held exactly as LO = floor h and REM / 100 = h - floor h. */
#ifndef KPO_QUANTILE_H
#define KPO_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

/* The rank of percentile PCT among N values (N >= 1): floor h in *lo, and
 * 100 * (h - floor h) in *rem (0..99).  x[*lo + 1] is needed only when
 * *rem > 0. */
void kpo_q7_rank(uint64_t n, unsigned pct, uint64_t *lo, unsigned *rem);

/* The exact quantile times 100: 100 * x_lo + rem * (x_hi - x_lo).  Divide by
 * 100 (kpo_ratio_format(v, 100 * unit, ...)) to print it. */
kpo_i128 kpo_q7_value100(int64_t x_lo, int64_t x_hi, unsigned rem);

/* Writes percentile PCT of the sorted values X[0..N) (N >= 1), given in units
 * of 1/UNIT, with DECIMALS digits rounded half to even from the exact value.
 * OUT needs KPO_MONEY_MAX bytes. */
void kpo_q7_format(const int64_t *x, size_t n, unsigned pct, int64_t unit, int decimals, char *out);

/* Sorts A[0..N) ascending in place (MSD radix; no allocation). */
void kpo_sort_u64(uint64_t *a, size_t n);

/* The same for signed values. */
void kpo_sort_i64(int64_t *a, size_t n);

#endif
