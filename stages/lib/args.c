#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "args.h"
#include "date.h"
#include "err.h"

void
kpo_base_arg(const char *opt, const char *arg, char out[4])
{
	int i;

	for (i = 0; i < 3; i++)
		if (!((arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= 'a' && arg[i] <= 'z')))
			break;
	if (i != 3 || arg[3])
		kpo_errx(EX_USAGE, "%s: a three-letter currency code such as USD expected: '%s'", opt, arg);
	for (i = 0; i < 3; i++)
		out[i] = (char)(arg[i] >= 'a' ? arg[i] - 'a' + 'A' : arg[i]);
	out[3] = '\0';
}

int64_t
kpo_as_of_arg(const char *opt, const char *arg)
{
	struct kpo_datefmt utc;
	int64_t t;

	memset(&utc, 0, sizeof utc);
	if (kpo_datetime_parse(arg, strlen(arg), &utc, &t) != 0)
		kpo_errx(EX_USAGE, "%s: a date (YYYY-MM-DD) or date-time expected: '%s'", opt, arg);
	return t;
}

int64_t
kpo_today(void)
{
	return kpo_day_of((int64_t)time(NULL)) * 86400;
}

double
kpo_number_arg(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= lo && v <= hi))
		kpo_errx(EX_USAGE, "%s: a number from %g to %g expected: '%s'", opt, lo, hi, arg);
	return v;
}

double
kpo_max_reject_pct_arg(const char *arg)
{
	return kpo_number_arg("--max-reject-pct", arg, 0, 100);
}

struct kpo_dec
kpo_pct_dec_arg(const char *opt, const char *arg)
{
	struct kpo_dec d;
	int64_t hundred;
	int i;

	if (kpo_dec_parse(arg, strlen(arg), &d) != 0 || d.m < 0 || d.scale > 6)
		kpo_errx(EX_USAGE, "%s: a percentage from 0 to 100 with at most 6 decimals expected: '%s'", opt, arg);
	for (hundred = 100, i = 0; i < d.scale; i++)
		hundred *= 10;
	if (d.m > hundred)
		kpo_errx(EX_USAGE, "%s: a percentage from 0 to 100 with at most 6 decimals expected: '%s'", opt, arg);
	return d;
}
