/* Unit tests for stages/lib/quantile.c.  Expected values are worked by hand
 * from numpy's definition (numpy.percentile, method "linear" = R type 7):
 * h = (n-1)p, q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]),
 * then rounded half to even to 2 decimals from the exact value. */
#include <stdint.h>
#include <string.h>

#include "quantile.h"
#include "tap.h"

/* Values in hours, written as 1/10000 of an hour. */
static const char *
q(const int64_t *x, size_t n, unsigned pct)
{
	static char out[8][KPO_MONEY_MAX];
	static int k;

	k = (k + 1) % 8;
	kpo_q7_format(x, n, pct, 10000, 2, out[k]);
	return out[k];
}

static uint64_t lcg = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return lcg;
}

int
main(void)
{
	uint64_t lo;
	unsigned rem;

	/* n = 1: every quantile is the value. */
	{
		int64_t x[] = { 50000 };        /* 5 h */

		is(q(x, 1, 10), "5.00", "n=1 p10");
		is(q(x, 1, 50), "5.00", "n=1 p50");
		is(q(x, 1, 90), "5.00", "n=1 p90");
		is(q(x, 1, 100), "5.00", "n=1 p100 (max)");
	}
	/* n = 2: numpy.percentile([1, 3], [10, 25, 50, 75, 90]) = [1.2, 1.5, 2, 2.5, 2.8] */
	{
		int64_t x[] = { 10000, 30000 };

		is(q(x, 2, 10), "1.20", "n=2 p10");
		is(q(x, 2, 25), "1.50", "n=2 p25");
		is(q(x, 2, 50), "2.00", "n=2 p50");
		is(q(x, 2, 75), "2.50", "n=2 p75");
		is(q(x, 2, 90), "2.80", "n=2 p90");
		is(q(x, 2, 0), "1.00", "n=2 p0 (min)");
	}
	/* n = 5 (odd): numpy.percentile([1..5], [10, 25, 50, 75, 90]) = [1.4, 2, 3, 4, 4.6] */
	{
		int64_t x[] = { 10000, 20000, 30000, 40000, 50000 };

		is(q(x, 5, 10), "1.40", "n=5 p10");
		is(q(x, 5, 25), "2.00", "n=5 p25");
		is(q(x, 5, 50), "3.00", "n=5 p50");
		is(q(x, 5, 75), "4.00", "n=5 p75");
		is(q(x, 5, 90), "4.60", "n=5 p90");
	}
	/* n = 4 (even): numpy.percentile([10, 20, 30, 40], ...) = [13, 17.5, 25, 32.5, 37] */
	{
		int64_t x[] = { 100000, 200000, 300000, 400000 };

		is(q(x, 4, 10), "13.00", "n=4 p10");
		is(q(x, 4, 25), "17.50", "n=4 p25");
		is(q(x, 4, 50), "25.00", "n=4 p50 (between the middle two)");
		is(q(x, 4, 75), "32.50", "n=4 p75");
		is(q(x, 4, 90), "37.00", "n=4 p90");
	}
	/* Exact halves round to even; a float would give 1.50499.. or 1.50500..1. */
	{
		int64_t a[] = { 10000, 20100 };         /* p50 = 1.505 */
		int64_t b[] = { 10000, 20300 };         /* p50 = 1.515 */
		int64_t c[] = { -20100, -10000 };       /* p50 = -1.505 */
		int64_t d[] = { 0, 2 };                 /* p25 = 0.00005 h */
		int64_t e[] = { 12345, 12345 };         /* 1.2345 */
		int64_t f[] = { 12250, 12250 };         /* 1.225 */
		char out[KPO_MONEY_MAX];

		is(q(a, 2, 50), "1.50", "1.505 -> 1.50 (0 is even)");
		is(q(b, 2, 50), "1.52", "1.515 -> 1.52 (1 is odd)");
		is(q(c, 2, 50), "-1.50", "-1.505 -> -1.50");
		is(q(d, 2, 25), "0.00", "0.00005 -> 0.00");
		is(q(e, 2, 50), "1.23", "1.2345 -> 1.23");
		is(q(f, 2, 50), "1.22", "1.225 -> 1.22 (2 is even)");
		kpo_q7_format(d, 2, 25, 10000, 4, out);
		is(out, "0.0000", "4 decimals: 0.00005 -> 0.0000 (half to even)");
		kpo_q7_format(d, 2, 75, 10000, 4, out);
		is(out, "0.0002", "4 decimals: 0.00015 -> 0.0002 (half to even)");
	}
	/* Negative values: numpy.percentile([-3, -1], [10, 50]) = [-2.8, -2] */
	{
		int64_t x[] = { -30000, -10000 };

		is(q(x, 2, 10), "-2.80", "negative p10");
		is(q(x, 2, 50), "-2.00", "negative p50");
	}
	/* n = 11, x = 0..10: every decile is an order statistic. */
	{
		int64_t x[11];
		int i;

		for (i = 0; i < 11; i++)
			x[i] = i * 10000;
		is(q(x, 11, 10), "1.00", "n=11 p10");
		is(q(x, 11, 25), "2.50", "n=11 p25 (h = 2.5)");
		is(q(x, 11, 90), "9.00", "n=11 p90");
	}
	/* Ranks. */
	kpo_q7_rank(5, 90, &lo, &rem);
	is_int(lo, 3, "rank n=5 p90: floor h = 3");
	is_int(rem, 60, "rank n=5 p90: h - floor h = 0.60");
	kpo_q7_rank(1, 90, &lo, &rem);
	is_int(lo * 100 + rem, 0, "rank n=1: h = 0");
	kpo_q7_rank(1001, 25, &lo, &rem);
	is_int(lo, 250, "rank n=1001 p25 = 250");
	is_int(rem, 0, "rank n=1001 p25 exact");
	is_int((long long)kpo_q7_value100(7, 9, 50), 800, "value100(7, 9, .5) = 8 x 100");

	/* Sorting: small, large, with common high bytes, signed. */
	{
		enum { N = 20000 };
		static uint64_t a[N];
		static int64_t s[N];
		uint64_t sum = 0, sum2 = 0, x = 0, x2 = 0;
		size_t i, bad = 0, n;

		for (n = 0; n <= 60; n += 3) {
			for (i = 0; i < n; i++)
				a[i] = rnd() >> (i % 2 ? 0 : 40);
			kpo_sort_u64(a, n);
			for (i = 1; i < n; i++)
				bad += a[i - 1] > a[i];
		}
		ok(bad == 0, "small arrays sorted");
		for (i = 0; i < N; i++) {
			/* packed as the stage packs them: (tat + 2^39) << 24 | group */
			a[i] = (((UINT64_C(1) << 39) + (rnd() % 5000000)) << 24) | (rnd() & 0xffffff);
			sum += a[i];
			x ^= a[i] * 0x9E3779B97F4A7C15ULL;
		}
		kpo_sort_u64(a, N);
		for (i = 0, bad = 0; i < N; i++) {
			if (i && a[i - 1] > a[i])
				bad++;
			sum2 += a[i];
			x2 ^= a[i] * 0x9E3779B97F4A7C15ULL;
		}
		ok(bad == 0, "20000 packed values sorted");
		ok(sum == sum2 && x == x2, "same values after the sort");
		for (i = 0; i < N; i++)
			s[i] = (int64_t)(rnd() % 2000001) - 1000000;
		s[7] = INT64_MIN;
		s[8] = INT64_MAX;
		kpo_sort_i64(s, N);
		for (i = 1, bad = 0; i < N; i++)
			bad += s[i - 1] > s[i];
		ok(bad == 0 && s[0] == INT64_MIN && s[N - 1] == INT64_MAX, "signed values sorted");
		for (i = 0; i < N; i++)
			a[i] = 42;
		kpo_sort_u64(a, N);
		ok(a[0] == 42 && a[N - 1] == 42, "all equal");
	}
	/* Quantiles after sorting shuffled values: numpy.percentile(range(1, 101), 90) = 90.1 */
	{
		int64_t x[100];
		size_t i;

		for (i = 0; i < 100; i++)
			x[i] = (int64_t)((i * 37) % 100 + 1) * 10000;  /* 1..100 in a scrambled order */
		kpo_sort_i64(x, 100);
		is(q(x, 100, 90), "90.10", "1..100 p90 = 90.1");
		is(q(x, 100, 10), "10.90", "1..100 p10 = 10.9");
		is(q(x, 100, 50), "50.50", "1..100 p50 = 50.5");
	}
	return done_testing();
}
