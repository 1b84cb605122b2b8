/* A control chart for a proportion: the p-chart of monthly counts, with
 * Western Electric rules 1 and 4 and Laney's p' for large subgroups.
 *
 * Point i is x[i] of n[i] (rework or defective items of the month's
 * deliveries).  The centre line is pbar = sum x / sum n; the limits of point
 * i are pbar -+ 3 sigma_i, sigma_i = sqrt(pbar (1 - pbar) / n[i]), floored
 * at 0 and capped at 1.  Rule 1 flags a point beyond its limits; rule 4 a
 * run of 8 or more points in a row on one side of the centre line (a point
 * on the line ends a run), from its 8th point on.  Both tests are exact
 * (integer arithmetic on the counts) for the p-chart; the limits themselves
 * are drawn in double.
 *
 * Laney's p' (2002): with large n the binomial sigma_i is so small that the
 * month-to-month variation every real process has puts most points out of
 * control.  Laney measures that variation on the z-scores z_i = (p_i - pbar)
 * / sigma_i: sigma_z = mean |z_i - z_(i-1)| / 1.128, and widens the limits
 * to pbar -+ 3 sigma_i sigma_z.  kpo uses p' when the mean n is at least
 * KPO_LANEY_MIN_N, there are at least 3 points, and sigma_z > 1 (the data
 * are overdispersed); otherwise p' would only narrow the limits on noise,
 * and with small n the plain p-chart is right. */
#ifndef KPO_CONTROL_H
#define KPO_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#define KPO_LANEY_MIN_N 1000
#define KPO_RUN_LENGTH 8

struct kpo_pchart_point {
	uint64_t x, n;
	double p, lcl, ucl;     /* proportions, 0 .. 1 */
	int beyond;             /* rule 1: 1 above the upper limit, -1 below the lower, 0 */
	int run;                /* rule 4: 1 or -1 from the 8th point of a run above or below, 0 */
};

struct kpo_pchart_run {
	size_t first, last;     /* points */
	int side;               /* 1 above, -1 below the centre line */
};

struct kpo_pchart {
	struct kpo_pchart_point *pt;
	size_t n;
	double pbar;
	int laney;              /* the limits are Laney's p' */
	double sigma_z;         /* Laney's sigma_z (computed when there are 2 points or more) */
	struct kpo_pchart_run *runs;    /* rule 4's runs, in order */
	size_t nruns;
	size_t beyond;          /* points flagged by rule 1 */
};

/* The chart of the M points X[i] of N[i] (N[i] > 0, X[i] <= N[i]) into C:
 * 0, or -1 when M is 0 or a point is not a proportion.  Free with
 * kpo_pchart_free. */
int kpo_pchart(struct kpo_pchart *c, const uint64_t *x, const uint64_t *n, size_t m);
void kpo_pchart_free(struct kpo_pchart *c);

#endif
