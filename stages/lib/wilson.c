#include <math.h>

#include "wilson.h"

int
kpo_wilson(uint64_t k, uint64_t n, double *lo, double *hi)
{
	const double z = KPO_WILSON_Z, z2 = z * z;
	double kd = (double)k, nd = (double)n, denom, centre, half;

	if (n == 0 || k > n)
		return 0;
	/* (k + z^2/2 -+ z sqrt(k(n - k)/n + z^2/4)) / (n + z^2) */
	denom = nd + z2;
	centre = (kd + z2 / 2) / denom;
	half = z * sqrt(kd * (double)(n - k) / nd + z2 / 4) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	*hi = k == n ? 1.0 : fmin(1.0, centre + half);
	return 1;
}

int
kpo_wilson_pct(uint64_t k, uint64_t n, int64_t *lo, int64_t *hi)
{
	double l, h;

	if (!kpo_wilson(k, n, &l, &h))
		return 0;
	/* nearbyint rounds half to even in the default rounding mode. */
	*lo = (int64_t)nearbyint(l * 10000.0);
	*hi = (int64_t)nearbyint(h * 10000.0);
	return 1;
}

int
kpo_interval_straddles(double lo, double hi, double target)
{
	return lo <= target && target <= hi;
}
