#include <stdlib.h>
#include <string.h>

#include "bigq.h"
#include "err.h"

static void
reserve(struct kpo_big *b, size_t n)
{
	if (n > b->cap) {
		b->cap = n < 8 ? 8 : 2 * n;
		b->w = kpo_xrealloc(b->w, b->cap * sizeof *b->w);
	}
}

static void
trim(struct kpo_big *b)
{
	while (b->n && b->w[b->n - 1] == 0)
		b->n--;
}

void
kpo_big_init(struct kpo_big *b)
{
	b->w = NULL;
	b->n = b->cap = 0;
}

void
kpo_big_free(struct kpo_big *b)
{
	free(b->w);
	kpo_big_init(b);
}

void
kpo_big_set(struct kpo_big *b, kpo_u128 v)
{
	reserve(b, 4);
	for (b->n = 0; v; v >>= 32)
		b->w[b->n++] = (uint32_t)v;
}

void
kpo_big_copy(struct kpo_big *to, const struct kpo_big *from)
{
	reserve(to, from->n);
	if (from->n)
		memcpy(to->w, from->w, from->n * sizeof *from->w);
	to->n = from->n;
}

int
kpo_big_cmp(const struct kpo_big *a, const struct kpo_big *b)
{
	size_t i;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (i = a->n; i-- > 0;)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

void
kpo_big_add(struct kpo_big *a, const struct kpo_big *b)
{
	size_t n = a->n > b->n ? a->n : b->n, i;
	uint64_t carry = 0;

	reserve(a, n + 1);
	for (i = a->n; i < n + 1; i++)
		a->w[i] = 0;
	for (i = 0; i < n; i++) {
		carry += (uint64_t)a->w[i] + (i < b->n ? b->w[i] : 0);
		a->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
	a->w[n] = (uint32_t)carry;
	a->n = n + 1;
	trim(a);
}

void
kpo_big_sub(struct kpo_big *a, const struct kpo_big *b)
{
	int64_t borrow = 0;
	size_t i;

	for (i = 0; i < a->n; i++) {
		int64_t d = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;

		borrow = d < 0;
		a->w[i] = (uint32_t)(d + (borrow ? (INT64_C(1) << 32) : 0));
	}
	trim(a);
}

void
kpo_big_mul(struct kpo_big *r, const struct kpo_big *a, const struct kpo_big *b)
{
	size_t i, j;

	reserve(r, a->n + b->n + 1);
	memset(r->w, 0, (a->n + b->n + 1) * sizeof *r->w);
	for (i = 0; i < a->n; i++) {
		uint64_t carry = 0;

		for (j = 0; j < b->n; j++) {
			carry += (uint64_t)a->w[i] * b->w[j] + r->w[i + j];
			r->w[i + j] = (uint32_t)carry;
			carry >>= 32;
		}
		r->w[i + b->n] = (uint32_t)carry;
	}
	r->n = a->n + b->n;
	trim(r);
}

void
kpo_big_mul_u32(struct kpo_big *a, uint32_t m)
{
	uint64_t carry = 0;
	size_t i;

	reserve(a, a->n + 1);
	for (i = 0; i < a->n; i++) {
		carry += (uint64_t)a->w[i] * m;
		a->w[i] = (uint32_t)carry;
		carry >>= 32;
	}
	a->w[a->n++] = (uint32_t)carry;
	trim(a);
}

uint32_t
kpo_big_ratio_round(const struct kpo_big *num, const struct kpo_big *den, uint32_t max)
{
	struct kpo_big t, r;
	uint32_t lo = 0, hi = max, q;
	int c;

	kpo_big_init(&t);
	kpo_big_init(&r);
	/* The largest q with q den <= num. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;

		kpo_big_copy(&t, den);
		kpo_big_mul_u32(&t, mid);
		if (kpo_big_cmp(&t, num) <= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	q = lo;
	/* The remainder against half of DEN: 2 (num - q den) vs den. */
	kpo_big_copy(&t, den);
	kpo_big_mul_u32(&t, q);
	kpo_big_copy(&r, num);
	kpo_big_sub(&r, &t);
	kpo_big_mul_u32(&r, 2);
	c = kpo_big_cmp(&r, den);
	if ((c > 0 || (c == 0 && (q & 1))) && q < max)
		q++;
	kpo_big_free(&t);
	kpo_big_free(&r);
	return q;
}

int
kpo_frac_cmp(kpo_u128 a1, kpo_u128 b1, kpo_u128 a2, kpo_u128 b2)
{
	struct kpo_big x, y, l, r;
	int c;

	kpo_big_init(&x), kpo_big_init(&y), kpo_big_init(&l), kpo_big_init(&r);
	kpo_big_set(&x, a1);
	kpo_big_set(&y, b2);
	kpo_big_mul(&l, &x, &y);
	kpo_big_set(&x, a2);
	kpo_big_set(&y, b1);
	kpo_big_mul(&r, &x, &y);
	c = kpo_big_cmp(&l, &r);
	kpo_big_free(&x), kpo_big_free(&y), kpo_big_free(&l), kpo_big_free(&r);
	return c;
}

void
kpo_frac_sum_init(struct kpo_frac_sum *s)
{
	kpo_big_init(&s->num);
	kpo_big_init(&s->den);
	kpo_big_set(&s->den, 1);
}

void
kpo_frac_sum_free(struct kpo_frac_sum *s)
{
	kpo_big_free(&s->num);
	kpo_big_free(&s->den);
}

void
kpo_frac_sum_add(struct kpo_frac_sum *s, kpo_u128 w, kpo_u128 n, kpo_u128 d)
{
	struct kpo_big x, y, t, wn;

	kpo_big_init(&x), kpo_big_init(&y), kpo_big_init(&t), kpo_big_init(&wn);
	/* num / den + w n / d = (num d + w n den) / (den d) */
	kpo_big_set(&x, w);
	kpo_big_set(&y, n);
	kpo_big_mul(&wn, &x, &y);
	kpo_big_mul(&t, &wn, &s->den);
	kpo_big_set(&x, d);
	kpo_big_mul(&y, &s->num, &x);
	kpo_big_add(&y, &t);
	kpo_big_copy(&s->num, &y);
	kpo_big_mul(&t, &s->den, &x);
	kpo_big_copy(&s->den, &t);
	kpo_big_free(&x), kpo_big_free(&y), kpo_big_free(&t), kpo_big_free(&wn);
}

uint32_t
kpo_frac_sum_mean(const struct kpo_frac_sum *s, kpo_u128 w, uint32_t scale, uint32_t max)
{
	struct kpo_big num, den, x;
	uint32_t q;

	kpo_big_init(&num), kpo_big_init(&den), kpo_big_init(&x);
	kpo_big_copy(&num, &s->num);
	kpo_big_mul_u32(&num, scale);
	kpo_big_set(&x, w);
	kpo_big_mul(&den, &s->den, &x);
	q = kpo_big_ratio_round(&num, &den, max);
	kpo_big_free(&num), kpo_big_free(&den), kpo_big_free(&x);
	return q;
}
