/* Unit tests for stages/lib/wilson.c.
 *
 * Published values: R's binom::binom.confint(method = "wilson") as stored in
 * statsmodels' test data (statsmodels/stats/tests/results/results_proportion.py,
 * 15 significant digits), and the four examples of Newcombe (1998), "Two-sided
 * confidence intervals for the single proportion: comparison of seven
 * methods", Statistics in Medicine 17:857-872, table II, method 3 (score
 * without continuity correction), printed there to 4 decimals: 81/263,
 * 15/148, 0/20, 1/29.  The rest were computed by the formula with Python's
 * decimal module at 60 digits (tests/ref/metrics_ref.py computes them the
 * same way). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "tap.h"
#include "wilson.h"

/* The interval of K of N as kpo prints it: "lo-hi" with 2 decimals. */
static const char *
pct(uint64_t k, uint64_t n)
{
	static char out[8][64];
	static int i;
	int64_t lo, hi;

	i = (i + 1) % 8;
	if (!kpo_wilson_pct(k, n, &lo, &hi))
		snprintf(out[i], sizeof out[i], "none");
	else
		snprintf(out[i], sizeof out[i], "%lld.%02lld-%lld.%02lld", (long long)(lo / 100),
		    (long long)(lo % 100), (long long)(hi / 100), (long long)(hi % 100));
	return out[i];
}

int
main(void)
{
	static const struct { uint64_t k, n; double lo, hi; } r[] = {
		{ 18, 20, 0.6989663547715128, 0.972133518786232 },
		{ 4, 20, 0.0806576625797981, 0.4160174322518935 },
		{ 4, 200, 0.00780442641634947, 0.05028708690582643 },
		{ 190, 200, 0.910421851861224, 0.972617354399236 },
		{ 1, 30, 5.908590e-03, 0.16670391 },
		{ 29, 30, 0.8332961, 0.9940914 },
		{ 0, 30, 0, 0.11351339 },
		{ 30, 30, 0.8864866, 1 },
	};
	double lo, hi;
	size_t i;

	/* R's values, to the digits given (8 of them for the last four). */
	for (i = 0; i < sizeof r / sizeof r[0]; i++) {
		double tol = r[i].n == 30 ? 5e-8 : 1e-12;
		int got = kpo_wilson(r[i].k, r[i].n, &lo, &hi);

		ok(got && fabs(lo - r[i].lo) < tol && fabs(hi - r[i].hi) < tol,
		    "%llu of %llu agrees with R binom.confint wilson: %.15f %.15f", (unsigned long long)r[i].k,
		    (unsigned long long)r[i].n, lo, hi);
	}
	is(pct(18, 20), "69.90-97.21", "18 of 20 as printed");
	is(pct(4, 20), "8.07-41.60", "4 of 20");
	is(pct(4, 200), "0.78-5.03", "4 of 200");
	is(pct(190, 200), "91.04-97.26", "190 of 200");
	is(pct(1, 30), "0.59-16.67", "1 of 30");
	is(pct(29, 30), "83.33-99.41", "29 of 30");

	/* Newcombe (1998), table II, to his 4 decimals of a proportion. */
	is(pct(81, 263), "25.53-36.62", "Newcombe 81/263: 0.2553-0.3662");
	is(pct(15, 148), "6.24-16.05", "Newcombe 15/148: 0.0624-0.1605");
	is(pct(0, 20), "0.00-16.11", "Newcombe 0/20: 0.0000-0.1611");
	is(pct(1, 29), "0.61-17.18", "Newcombe 1/29: 0.0061-0.1718");

	/* k = 0 and k = n: the bound at the edge is exact. */
	is(pct(0, 30), "0.00-11.35", "0 of 30: lower bound exactly 0");
	is(pct(30, 30), "88.65-100.00", "30 of 30: upper bound exactly 100");
	kpo_wilson(0, 1, &lo, &hi);
	ok(lo == 0.0, "0 of 1: lo is 0.0, not a rounding residue (%g)", lo);
	kpo_wilson(5, 5, &lo, &hi);
	ok(hi == 1.0, "5 of 5: hi is 1.0 (%g)", hi);
	is(pct(0, 1), "0.00-79.35", "0 of 1");
	is(pct(1, 1), "20.65-100.00", "1 of 1");

	/* The example: 7 items against 7,000 at the same rate. */
	is(pct(1, 7), "2.57-51.31", "1 of 7 (14.29 %%)");
	is(pct(700, 7000), "9.32-10.72", "700 of 7000 (10 %%)");
	is(pct(6, 7), "48.69-97.43", "6 of 7 mirrors 1 of 7");
	is(pct(5, 10), "23.66-76.34", "5 of 10 is symmetric about 50");

	/* Large n: no overflow, a narrow interval about the rate. */
	kpo_wilson(UINT64_C(500000000), UINT64_C(1000000000), &lo, &hi);
	ok(lo < 0.5 && hi > 0.5 && hi - lo < 1e-4, "half of 10^9: %.9f-%.9f", lo, hi);
	is(pct(UINT64_C(500000000), UINT64_C(1000000000)), "50.00-50.00", "half of 10^9 as printed");

	/* Nothing to say about no trials, or more successes than trials. */
	is(pct(0, 0), "none", "0 of 0: no interval");
	ok(!kpo_wilson(3, 2, &lo, &hi), "3 of 2: no interval");

	/* Straddling a target: the closed interval. */
	ok(kpo_interval_straddles(90.5, 97.2, 95), "target 95 inside 90.50-97.20");
	ok(kpo_interval_straddles(95, 97.2, 95), "target 95 at the lower bound");
	ok(kpo_interval_straddles(90.5, 95, 95), "target 95 at the upper bound");
	ok(!kpo_interval_straddles(95.01, 99, 95), "target 95 below 95.01-99.00");
	ok(!kpo_interval_straddles(80, 94.99, 95), "target 95 above 80.00-94.99");
	ok(kpo_interval_straddles(0, 35.43, 0), "rework target 0 and 0 of 7 reworked: uncertain");
	return done_testing();
}
