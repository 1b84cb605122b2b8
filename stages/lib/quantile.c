#include <string.h>

#include "quantile.h"

void
kpo_q7_rank(uint64_t n, unsigned pct, uint64_t *lo, unsigned *rem)
{
	/* (n - 1) * pct < 2^64 / 100 for any n that fits in memory. */
	uint64_t h100 = (n - 1) * (uint64_t)pct;

	*lo = h100 / 100;
	*rem = (unsigned)(h100 % 100);
}

kpo_i128
kpo_q7_value100(int64_t x_lo, int64_t x_hi, unsigned rem)
{
	kpo_i128 v = (kpo_i128)x_lo * 100;

	if (rem)
		v += (kpo_i128)rem * ((kpo_i128)x_hi - x_lo);
	return v;
}

void
kpo_q7_format(const int64_t *x, size_t n, unsigned pct, int64_t unit, int decimals, char *out)
{
	uint64_t lo;
	unsigned rem;

	kpo_q7_rank(n, pct, &lo, &rem);
	kpo_ratio_format(kpo_q7_value100(x[lo], rem ? x[lo + 1] : x[lo], rem), (kpo_i128)unit * 100,
	    decimals, out);
}

static void
insertion_sort(uint64_t *a, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint64_t v = a[i];

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* American flag sort on the byte at SHIFT, then each bucket on the next. */
static void
radix_sort(uint64_t *a, size_t n, int shift)
{
	size_t count[256], next[256], end[256], i, b;

	if (n < 48) {
		insertion_sort(a, n);
		return;
	}
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		count[(a[i] >> shift) & 255]++;
	for (b = 0, i = 0; b < 256; b++) {
		next[b] = i;
		i += count[b];
		end[b] = i;
	}
	for (b = 0; b < 256; b++) {
		if (count[b] == n)
			break;  /* one bucket holds everything: nothing moves */
		while (next[b] < end[b]) {
			uint64_t v = a[next[b]];
			size_t d = (v >> shift) & 255;

			while (d != b) {
				uint64_t t = a[next[d]];

				a[next[d]++] = v;
				v = t;
				d = (v >> shift) & 255;
			}
			a[next[b]++] = v;
		}
	}
	if (shift == 0)
		return;
	for (b = 0, i = 0; b < 256; i += count[b], b++)
		if (count[b] > 1)
			radix_sort(a + i, count[b], shift - 8);
}

void
kpo_sort_u64(uint64_t *a, size_t n)
{
	radix_sort(a, n, 56);
}

void
kpo_sort_i64(int64_t *a, size_t n)
{
	/* Flipping the sign bit maps signed order onto unsigned order. */
	uint64_t *u = (uint64_t *)(void *)a;
	size_t i;

	for (i = 0; i < n; i++)
		u[i] ^= UINT64_C(1) << 63;
	kpo_sort_u64(u, n);
	for (i = 0; i < n; i++)
		u[i] ^= UINT64_C(1) << 63;
}
