/* Money tics and compact labels for the charts; every expected value
 * worked by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "tap.h"
#include "tics.h"

static const char *
tics(const char *axis, double lo, double hi)
{
	static char buf[1024];
	char path[] = "/tmp/kpo-tics.XXXXXX";
	struct kpo_out *o;
	FILE *fp;
	size_t n;

	close(mkstemp(path));
	o = kpo_out_open(path);
	kpo_money_tics(o, axis, lo, hi);
	kpo_out_commit(o);
	fp = fopen(path, "r");
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	unlink(path);
	return buf;
}

static const char *
compact(double v)
{
	static char buf[32];

	kpo_money_compact(v, buf, sizeof buf);
	return buf;
}

static const char *
label(double v)
{
	static char buf[32];

	kpo_money_tic_label(v, buf, sizeof buf);
	return buf;
}

int
main(void)
{
	/* 1.5M: steps of 1e5 give 15 intervals, 2e5 give 7.5. */
	ok(kpo_money_step(0, 1.5e6) == 2e5, "0..1.5M: a step of 200k");
	is(tics("y", 0, 1.5e6),
	    "set ytics (\"0\" 0.0000, \"200k\" 200000.0000, \"400k\" 400000.0000, \"600k\" 600000.0000, "
	    "\"800k\" 800000.0000, \"1M\" 1000000.0000, \"1.2M\" 1200000.0000, \"1.4M\" 1400000.0000)\n",
	    "0..1.5M: 1.4M stays 1.4M (gnuplot's %%.0s%%c would print 1M twice)");
	ok(kpo_money_step(-5000, 12000) == 5000, "-5k..12k: 17k wide, a step of 5k (2k gives 8.5 intervals)");
	is(tics("y2", -5000, 12000), "set y2tics (\"-5k\" -5000.0000, \"0\" 0.0000, \"5k\" 5000.0000, \"10k\" 10000.0000)\n",
	    "-5k..12k: negative tics");
	is(tics("cb", 100, 900), "set cbtics (\"0\" 0.0000, \"200\" 200.0000, \"400\" 400.0000, \"600\" 600.0000, "
	    "\"800\" 800.0000)\n", "100..900 is widened to hold 0");
	is(tics("y", -900, -100), "set ytics (\"-800\" -800.0000, \"-600\" -600.0000, \"-400\" -400.0000, "
	    "\"-200\" -200.0000, \"0\" 0.0000)\n", "-900..-100 is widened to hold 0");
	is(tics("y", 0, 0), "set ytics (\"0\" 0.0000)\n", "an empty range: one tic at 0");
	is(label(2.5e6), "2.5M", "label 2.5M");
	is(label(-3000), "-3k", "label -3k");
	is(label(999), "999", "label 999");

	is(compact(950), "950", "950");
	is(compact(1234), "1.2k", "1234 -> 1.2k");
	is(compact(12345), "12k", "12345 -> 12k");
	is(compact(9999.9), "10.0k", "9999.9 -> 10.0k (under 1e4 keeps a decimal)");
	is(compact(1250000), "1.25M", "1.25M");
	is(compact(-2.5e9), "-2.50G", "-2.5e9 -> -2.50G");
	is(compact(-40), "-40", "-40");
	return done_testing();
}
