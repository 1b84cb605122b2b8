#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "err.h"
#include "money.h"

/* The side of point I relative to the centre line X / N, exactly. */
static int
side(uint64_t xi, uint64_t ni, kpo_i128 X, kpo_i128 N)
{
	kpo_i128 d = (kpo_i128)xi * N - X * (kpo_i128)ni;

	return (d > 0) - (d < 0);
}

/* Rule 1 for the p-chart, exactly: (x N - X n)^2 > 9 X (N - X) n means the
 * point is more than 3 sigma from the centre.  Sums up to 2^40 keep every
 * product in 128 bits; beyond, the doubles decide. */
static int
beyond_exact(const struct kpo_pchart_point *p, kpo_i128 X, kpo_i128 N, int *exact)
{
	kpo_i128 d, lhs, rhs;

	*exact = N < ((kpo_i128)1 << 40);
	if (!*exact)
		return 0;
	d = (kpo_i128)p->x * N - X * (kpo_i128)p->n;
	lhs = d * d;
	rhs = 9 * X * (N - X) * (kpo_i128)p->n;
	if (lhs <= rhs)
		return 0;
	return d > 0 ? 1 : -1;
}

int
kpo_pchart(struct kpo_pchart *c, const uint64_t *x, const uint64_t *n, size_t m)
{
	kpo_i128 X = 0, N = 0;
	double pbar, mr = 0, nbar;
	size_t i, j;

	memset(c, 0, sizeof *c);
	if (m == 0)
		return -1;
	for (i = 0; i < m; i++) {
		if (n[i] == 0 || x[i] > n[i])
			return -1;
		X += x[i];
		N += n[i];
	}
	c->pt = kpo_xcalloc(m, sizeof *c->pt);
	c->n = m;
	c->pbar = pbar = (double)X / (double)N;
	nbar = (double)N / (double)m;
	for (i = 0; i < m; i++) {
		c->pt[i].x = x[i];
		c->pt[i].n = n[i];
		c->pt[i].p = (double)x[i] / (double)n[i];
	}
	/* Laney's sigma_z from the moving ranges of the z-scores. */
	if (m >= 2 && X > 0 && X < N) {
		double zprev = 0;

		for (i = 0; i < m; i++) {
			double z = (c->pt[i].p - pbar) / sqrt(pbar * (1 - pbar) / (double)n[i]);

			if (i)
				mr += fabs(z - zprev);
			zprev = z;
		}
		c->sigma_z = mr / (double)(m - 1) / 1.128;
		c->laney = nbar >= KPO_LANEY_MIN_N && m >= 3 && c->sigma_z > 1;
	}
	for (i = 0; i < m; i++) {
		struct kpo_pchart_point *p = &c->pt[i];
		double s = 3 * sqrt(pbar * (1 - pbar) / (double)n[i]) * (c->laney ? c->sigma_z : 1);
		int exact;

		p->lcl = fmax(0, pbar - s);
		p->ucl = fmin(1, pbar + s);
		if (!c->laney)
			p->beyond = beyond_exact(p, X, N, &exact);
		if (c->laney || !exact)
			p->beyond = p->p > p->ucl ? 1 : p->p < p->lcl ? -1 : 0;
		c->beyond += p->beyond != 0;
	}
	/* Rule 4: runs on one side of the centre line. */
	for (i = 0; i < m; i = j) {
		int sd = side(x[i], n[i], X, N);

		for (j = i + 1; j < m && sd != 0 && side(x[j], n[j], X, N) == sd; j++)
			;
		if (sd != 0 && j - i >= KPO_RUN_LENGTH) {
			size_t k;

			for (k = i + KPO_RUN_LENGTH - 1; k < j; k++)
				c->pt[k].run = sd;
			c->runs = kpo_xrealloc(c->runs, (c->nruns + 1) * sizeof *c->runs);
			c->runs[c->nruns].first = i;
			c->runs[c->nruns].last = j - 1;
			c->runs[c->nruns].side = sd;
			c->nruns++;
		}
	}
	return 0;
}

void
kpo_pchart_free(struct kpo_pchart *c)
{
	free(c->pt);
	free(c->runs);
	memset(c, 0, sizeof *c);
}
