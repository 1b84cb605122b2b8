/* Big integers and exact sums of fractions (bigq.h), against values worked
 * by hand or by Python's int and fractions.Fraction. */
#include <stdio.h>
#include <string.h>

#include "bigq.h"
#include "tap.h"

/* B in decimal, for messages and checks (small values only: by repeated
 * division by 10^9, using the library's own operations). */
static void
big_dec(const struct kpo_big *b, char *out)
{
	char tmp[512];
	struct kpo_big x, q;
	size_t n = 0;

	kpo_big_init(&x), kpo_big_init(&q);
	kpo_big_copy(&x, b);
	if (x.n == 0)
		tmp[n++] = '0';
	while (x.n) {
		/* one decimal digit at a time: x = 10 q + r */
		uint64_t r = 0;
		size_t i;

		for (i = x.n; i-- > 0;) {
			uint64_t cur = (r << 32) | x.w[i];

			x.w[i] = (uint32_t)(cur / 10);
			r = cur % 10;
		}
		while (x.n && x.w[x.n - 1] == 0)
			x.n--;
		tmp[n++] = (char)('0' + r);
	}
	while (n)
		*out++ = tmp[--n];
	*out = '\0';
	kpo_big_free(&x), kpo_big_free(&q);
}

int
main(void)
{
	struct kpo_big a, b, r;
	struct kpo_frac_sum s;
	char buf[512];
	kpo_u128 big = ((kpo_u128)1 << 127) - 1;

	kpo_big_init(&a), kpo_big_init(&b), kpo_big_init(&r);
	kpo_big_set(&a, big);
	kpo_big_set(&b, big);
	kpo_big_mul(&r, &a, &b);
	big_dec(&r, buf);
	/* (2^127 - 1)^2, from Python */
	is(buf, "28948022309329048855892746252171976962977213799489202546401021394546514198529",
	    "(2^127 - 1)^2");
	kpo_big_add(&r, &a);
	kpo_big_sub(&r, &a);
	big_dec(&r, buf);
	is(buf, "28948022309329048855892746252171976962977213799489202546401021394546514198529",
	    "+ x - x is the same");
	kpo_big_set(&a, 0);
	kpo_big_add(&a, &b);
	ok(kpo_big_cmp(&a, &b) == 0, "0 + x = x");
	kpo_big_sub(&a, &b);
	ok(a.n == 0, "x - x = 0");
	kpo_big_set(&a, 4294967295u);
	kpo_big_mul_u32(&a, 4294967295u);
	big_dec(&a, buf);
	is(buf, "18446744065119617025", "(2^32 - 1)^2 by mul_u32");

	/* Rounding half to even. */
	kpo_big_set(&a, 25);
	kpo_big_set(&b, 10);
	is_int(kpo_big_ratio_round(&a, &b, 100), 2, "2.5 -> 2");
	kpo_big_set(&a, 35);
	is_int(kpo_big_ratio_round(&a, &b, 100), 4, "3.5 -> 4");
	kpo_big_set(&a, 36);
	is_int(kpo_big_ratio_round(&a, &b, 100), 4, "3.6 -> 4");
	kpo_big_set(&a, 34);
	is_int(kpo_big_ratio_round(&a, &b, 100), 3, "3.4 -> 3");
	kpo_big_set(&a, 0);
	is_int(kpo_big_ratio_round(&a, &b, 100), 0, "0 -> 0");
	kpo_big_set(&a, 1000);
	is_int(kpo_big_ratio_round(&a, &b, 100), 100, "100 at the maximum");

	ok(kpo_frac_cmp(1, 3, 333333, 1000000) > 0, "1/3 > 0.333333");
	ok(kpo_frac_cmp(2, 6, 1, 3) == 0, "2/6 = 1/3");
	ok(kpo_frac_cmp(big, big - 1, big - 1, big - 2) < 0, "fractions of 127-bit numbers");

	/* 10000 x (1 x 7371/9500 + 2 x 1 + 1 x 4800/5231) / 4:
	 * Fraction gives 9233.753..., so 9234. */
	kpo_frac_sum_init(&s);
	kpo_frac_sum_add(&s, 1, 7371, 9500);
	kpo_frac_sum_add(&s, 2, 1, 1);
	kpo_frac_sum_add(&s, 1, 4800, 5231);
	is_int(kpo_frac_sum_mean(&s, 4, 10000, 10000), 9234, "a weighted mean of three ratios, exactly");
	kpo_frac_sum_free(&s);

	/* Exact ties: (1/8 + 0) / 2 = 0.0625, so 6.25 in 1/100 and 62.5 in
	 * 1/1000. */
	kpo_frac_sum_init(&s);
	kpo_frac_sum_add(&s, 1, 1, 8);
	kpo_frac_sum_add(&s, 1, 0, 3);
	is_int(kpo_frac_sum_mean(&s, 2, 100, 100), 6, "6.25 -> 6 (half to even)");
	is_int(kpo_frac_sum_mean(&s, 2, 1000, 1000), 62, "62.5 -> 62 (half to even)");
	kpo_frac_sum_free(&s);
	kpo_frac_sum_init(&s);
	kpo_frac_sum_add(&s, 3, 1, 8);
	kpo_frac_sum_add(&s, 1, 1, 1);
	/* (3/8 + 1) / 4 = 0.34375: x 10000 = 3437.5 -> 3438 (7 is odd) */
	is_int(kpo_frac_sum_mean(&s, 4, 10000, 10000), 3438, "3437.5 -> 3438 (half to even)");
	kpo_frac_sum_free(&s);

	/* Forty terms with large coprime denominators stay exact. */
	kpo_frac_sum_init(&s);
	{
		int k;

		for (k = 0; k < 40; k++)
			kpo_frac_sum_add(&s, (kpo_u128)1000000000000ULL, (kpo_u128)1 << 100,
			    ((kpo_u128)1 << 101) + 2 * k + 1);
		/* each term just under 1/2: the mean rounds to 5000 in 1/10000 */
		is_int(kpo_frac_sum_mean(&s, (kpo_u128)40 * 1000000000000ULL, 10000, 10000), 5000,
		    "forty 101-bit denominators: 0.49999... -> 5000");
	}
	kpo_frac_sum_free(&s);
	kpo_big_free(&a), kpo_big_free(&b), kpo_big_free(&r);
	return done_testing();
}
