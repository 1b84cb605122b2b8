/* Unit tests for stages/lib/control.c: p-chart limits, Western Electric
 * rules 1 and 4, and Laney's p', on hand-made series whose flags are known.
 * The limits were computed by the formulas with Python's fractions and
 * decimal modules (50 digits), and checked by hand for series A:
 * pbar = 120 / 1050 = 0.114286; n = 100: 3 sqrt(pbar (1 - pbar) / 100) =
 * 0.095447, so 0.018838 .. 0.209733; n = 50: the lower limit is below 0 and
 * floored; n = 200: 0.046794 .. 0.181777. */
#include <math.h>
#include <stdint.h>

#include "control.h"
#include "tap.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

static int
near(double got, double want)
{
	return fabs(got - want) < 5e-7;
}

int
main(void)
{
	struct kpo_pchart c;
	size_t i;
	int flags;

	/* A: one month above the upper limit (30 of 100), one below the lower
	 * (0 of 100), subgroups of 50, 100 and 200. */
	{
		static const uint64_t x[] = { 10, 12, 5, 20, 30, 11, 9, 0, 10, 13 };
		static const uint64_t n[] = { 100, 100, 50, 200, 100, 100, 100, 100, 100, 100 };

		ok(kpo_pchart(&c, x, n, N(x)) == 0, "A: a chart");
		ok(near(c.pbar, 0.114286), "A: centre line sum x / sum n = %.6f", c.pbar);
		ok(!c.laney, "A: subgroups of about 100: the plain p-chart");
		ok(near(c.pt[0].lcl, 0.018838) && near(c.pt[0].ucl, 0.209733), "A: n = 100 limits %.6f %.6f",
		    c.pt[0].lcl, c.pt[0].ucl);
		ok(c.pt[2].lcl == 0 && near(c.pt[2].ucl, 0.249269), "A: n = 50: the lower limit floored at 0, upper %.6f",
		    c.pt[2].ucl);
		ok(near(c.pt[3].lcl, 0.046794) && near(c.pt[3].ucl, 0.181777), "A: n = 200: narrower limits");
		ok(c.pt[4].beyond == 1, "A: 30 of 100 is above the upper limit (rule 1)");
		ok(c.pt[7].beyond == -1, "A: 0 of 100 is below the lower limit (rule 1)");
		for (flags = 0, i = 0; i < c.n; i++)
			flags += c.pt[i].beyond != 0 || c.pt[i].run != 0;
		is_int(flags, 2, "A: no other point flagged");
		is_int(c.beyond, 2, "A: two points beyond the limits");
		is_int(c.nruns, 0, "A: no run of 8");
		kpo_pchart_free(&c);
	}

	/* B: nine months above the centre line, then three below: rule 4 from
	 * the 8th month of the run; every point inside its limits. */
	{
		static const uint64_t x[] = { 14, 15, 13, 16, 14, 15, 13, 14, 15, 6, 5, 6 };
		static const uint64_t n[] = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };

		kpo_pchart(&c, x, n, N(x));
		ok(near(c.pbar, 0.121667) && near(c.pt[0].lcl, 0.023597) && near(c.pt[0].ucl, 0.219737),
		    "B: centre %.6f, limits %.6f %.6f", c.pbar, c.pt[0].lcl, c.pt[0].ucl);
		is_int(c.beyond, 0, "B: nothing beyond the limits");
		is_int(c.nruns, 1, "B: one run");
		ok(c.nruns == 1 && c.runs[0].first == 0 && c.runs[0].last == 8 && c.runs[0].side == 1,
		    "B: months 1 to 9, above the centre line");
		for (flags = 0, i = 0; i < c.n; i++)
			flags |= (c.pt[i].run != 0) << i;
		is_int(flags, (1 << 7) | (1 << 8), "B: the 8th and 9th months flagged by rule 4");
		kpo_pchart_free(&c);
	}

	/* C: a point exactly on the centre line (12 of 100, pbar = 156 / 1300 =
	 * 0.12) breaks a run: 3 above, on the line, 4 above: no flag.  C2: the
	 * same with 13 instead: 8 in a row, the 8th flagged. */
	{
		static const uint64_t x[] = { 13, 13, 13, 12, 13, 13, 13, 13, 9, 10, 11, 11, 12 };
		static const uint64_t x2[] = { 13, 13, 13, 13, 13, 13, 13, 13, 9, 10, 11, 11, 11 };
		static const uint64_t n[] = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };

		kpo_pchart(&c, x, n, N(x));
		ok(c.pbar == 0.12, "C: centre line 0.12");
		is_int(c.nruns, 0, "C: a point on the centre line ends the run");
		kpo_pchart_free(&c);
		kpo_pchart(&c, x2, n, N(x2));
		ok(c.nruns == 1 && c.runs[0].first == 0 && c.runs[0].last == 7, "C2: 8 in a row is a run");
		for (flags = 0, i = 0; i < c.n; i++)
			flags |= (c.pt[i].run != 0) << i;
		is_int(flags, 1 << 7, "C2: only the 8th point flagged");
		kpo_pchart_free(&c);
	}

	/* D: 5000 items a month with the month-to-month spread of a real
	 * process.  The plain p-chart (0.094832 .. 0.121168) would flag four
	 * months; sigma_z = 4.577931 > 1, so Laney's p' widens the limits to
	 * 0.047716 .. 0.168284 and only the 900 of 5000 month is out. */
	{
		static const uint64_t x[] = { 500, 560, 440, 530, 470, 545, 455, 520, 480, 900 };
		static const uint64_t n[] = { 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000 };

		kpo_pchart(&c, x, n, N(x));
		ok(c.laney, "D: mean n 5000 and sigma_z > 1: Laney's p'");
		ok(near(c.sigma_z, 4.577931), "D: sigma_z = mean moving range of z / 1.128 = %.6f", c.sigma_z);
		ok(near(c.pt[0].lcl, 0.047716) && near(c.pt[0].ucl, 0.168284), "D: p' limits %.6f %.6f",
		    c.pt[0].lcl, c.pt[0].ucl);
		is_int(c.beyond, 1, "D: one month beyond the p' limits");
		ok(c.pt[9].beyond == 1, "D: the 900 of 5000 month");
		kpo_pchart_free(&c);
	}

	/* E: large n but no overdispersion (sigma_z < 1): the plain p-chart. */
	{
		static const uint64_t x[] = { 500, 502, 499, 501, 500 };
		static const uint64_t n[] = { 5000, 5000, 5000, 5000, 5000 };

		kpo_pchart(&c, x, n, N(x));
		ok(!c.laney && c.sigma_z < 1, "E: sigma_z %.3f < 1: p' is not used to narrow the limits", c.sigma_z);
		kpo_pchart_free(&c);
	}

	/* Edges: every item reworked or none (sigma 0: limits on the centre
	 * line, nothing flagged); no points; a bad point. */
	{
		static const uint64_t z[] = { 0, 0, 0 }, all[] = { 10, 20, 30 }, n[] = { 10, 20, 30 };
		static const uint64_t bad[] = { 11 };

		kpo_pchart(&c, z, n, 3);
		ok(c.pbar == 0 && c.pt[1].lcl == 0 && c.pt[1].ucl == 0 && c.beyond == 0 && !c.laney,
		    "no rework at all: centre and limits 0, no flag");
		kpo_pchart_free(&c);
		kpo_pchart(&c, all, n, 3);
		ok(c.pbar == 1 && c.pt[1].ucl == 1 && c.beyond == 0, "everything reworked: centre and limits 1, no flag");
		kpo_pchart_free(&c);
		ok(kpo_pchart(&c, z, n, 0) == -1, "no points: no chart");
		ok(kpo_pchart(&c, bad, n, 1) == -1, "11 of 10: not a proportion");
		ok(kpo_pchart(&c, z, (const uint64_t[]){ 0 }, 1) == -1, "n = 0: not a point");
	}
	return done_testing();
}
