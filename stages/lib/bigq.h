/* Exact sums of fractions, for kpo-score's weighted score.
 *
 * A struct kpo_big is an unsigned integer of any size (32-bit limbs, least
 * significant first), grown as needed; kpo_frac_sum keeps a sum of
 * fractions n/d exactly as one big numerator over one big denominator, so a
 * score of many ratios is rounded once, half to even, whatever their
 * denominators.  Nothing here fails but allocation (EX_OSERR). */
#ifndef KPO_BIGQ_H
#define KPO_BIGQ_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"      /* kpo_u128 */

struct kpo_big {
	uint32_t *w;
	size_t n, cap;          /* limbs used (no leading zero limbs), allocated */
};

void kpo_big_init(struct kpo_big *b);                   /* 0 */
void kpo_big_free(struct kpo_big *b);
void kpo_big_set(struct kpo_big *b, kpo_u128 v);
void kpo_big_copy(struct kpo_big *to, const struct kpo_big *from);
int kpo_big_cmp(const struct kpo_big *a, const struct kpo_big *b);     /* -1, 0, 1 */
void kpo_big_add(struct kpo_big *a, const struct kpo_big *b);          /* a += b */
void kpo_big_sub(struct kpo_big *a, const struct kpo_big *b);          /* a -= b; needs a >= b */
void kpo_big_mul(struct kpo_big *r, const struct kpo_big *a, const struct kpo_big *b); /* r = a b; r not a or b */
void kpo_big_mul_u32(struct kpo_big *a, uint32_t m);                   /* a *= m */

/* round(NUM / DEN), half to even, for a quotient known to be at most MAX
 * (DEN > 0).  NUM and DEN are not changed. */
uint32_t kpo_big_ratio_round(const struct kpo_big *num, const struct kpo_big *den, uint32_t max);

/* a1 / b1 against a2 / b2 (b1, b2 > 0): -1, 0 or 1, exactly. */
int kpo_frac_cmp(kpo_u128 a1, kpo_u128 b1, kpo_u128 a2, kpo_u128 b2);

/* A sum of fractions, exactly: NUM / DEN. */
struct kpo_frac_sum {
	struct kpo_big num, den;
};

void kpo_frac_sum_init(struct kpo_frac_sum *s);         /* 0 / 1 */
void kpo_frac_sum_free(struct kpo_frac_sum *s);

/* Adds W x N / D (D > 0). */
void kpo_frac_sum_add(struct kpo_frac_sum *s, kpo_u128 w, kpo_u128 n, kpo_u128 d);

/* round(SCALE x sum / W) half to even, for a result known to be at most MAX
 * (W > 0): the weighted mean of the fractions, in 1/SCALE. */
uint32_t kpo_frac_sum_mean(const struct kpo_frac_sum *s, kpo_u128 w, uint32_t scale, uint32_t max);

#endif
