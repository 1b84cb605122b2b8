#include <math.h>
#include <stdio.h>

#include "out.h"
#include "tics.h"

double
kpo_money_step(double lo, double hi)
{
	static const double nice[] = { 1, 2, 5 };
	double span, step, mag;
	int i;

	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	span = hi - lo > 0 ? hi - lo : 1;
	for (mag = 1; mag * 10 <= span; mag *= 10)
		;
	mag /= 10;
	for (i = 0; ; i = (i + 1) % 3) {
		step = nice[i] * mag;
		if (span / step <= 8)
			return step;
		if (i == 2)
			mag *= 10;
	}
}

void
kpo_money_tic_label(double v, char *buf, size_t size)
{
	if (fabs(v) >= 1e6)
		snprintf(buf, size, "%gM", v / 1e6);
	else if (fabs(v) >= 1e3)
		snprintf(buf, size, "%gk", v / 1e3);
	else
		snprintf(buf, size, "%g", v);
}

int
kpo_money_tics(struct kpo_out *o, const char *axis, double lo, double hi)
{
	double step, v;
	int first = 1;

	if (lo > 0)
		lo = 0;
	if (hi < 0)
		hi = 0;
	step = kpo_money_step(lo, hi);
	kpo_out_printf(o, "set %stics (", axis);
	for (v = ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
		double a = fabs(v) < step * 1e-9 ? 0 : v;
		char label[32];

		kpo_money_tic_label(a, label, sizeof label);
		kpo_out_printf(o, "%s\"%s\" %.4f", first ? "" : ", ", label, a);
		first = 0;
	}
	return kpo_out_puts(o, ")\n");
}

void
kpo_money_compact(double v, char *buf, size_t size)
{
	double a = fabs(v);

	if (a >= 1e9)
		snprintf(buf, size, "%.2fG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "%.2fM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, size, "%.0fk", v / 1e3);
	else if (a >= 1e3)
		snprintf(buf, size, "%.1fk", v / 1e3);
	else
		snprintf(buf, size, "%.0f", v);
}
