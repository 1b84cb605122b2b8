/* The top N groups by items and the rest folded into "other"; every
 * expected value worked by hand. */
#include <math.h>
#include <string.h>

#include "fold.h"
#include "tap.h"

static struct kpo_row
row(char *name, double items, double baseline, double savings, double qmean, double qn)
{
	struct kpo_row r;

	memset(&r, 0, sizeof r);
	r.key[0] = name;
	r.keylen[0] = strlen(name);
	r.v[KPO_M_ITEMS] = items, r.has[KPO_M_ITEMS] = 1;
	r.v[KPO_M_HOURS] = 2 * items, r.has[KPO_M_HOURS] = 1;
	r.v[KPO_M_BASELINE] = baseline, r.has[KPO_M_BASELINE] = baseline > 0;
	r.v[KPO_M_SAVINGS] = savings, r.has[KPO_M_SAVINGS] = baseline > 0;
	r.v[KPO_M_QUALITY_MEAN] = qmean, r.has[KPO_M_QUALITY_MEAN] = qn > 0;
	r.v[KPO_M_QUALITY_N] = qn, r.has[KPO_M_QUALITY_N] = 1;
	r.v[KPO_M_ON_TIME_PCT] = 90, r.has[KPO_M_ON_TIME_PCT] = 1;
	r.v[KPO_M_TAT_P50_H] = 8, r.has[KPO_M_TAT_P50_H] = 1;
	return r;
}

#define near(a, b) (fabs((a) - (b)) < 1e-9)

int
main(void)
{
	/* Sorted by key bytes, as kpo_bundle_read leaves a table. */
	struct kpo_row rows[] = {
		row("a", 10, 1000, 100, 80, 4),
		row("b", 30, 0, 0, 0, 0),
		row("c", 10, 500, 200, 90, 1),
		row("d", 5, 3000, 300, 70, 0),
		row("e", 20, 200, 20, 60, 5),
	};
	struct kpo_rows t = { rows, 5, { { NULL, NULL }, { 0, 0 }, { 0 }, { 0 }, { NULL } }, 0 };
	struct kpo_groups gs;
	const struct kpo_row *o;

	kpo_groups_top(&gs, &t, 2, "vendors");
	is_int(gs.n, 3, "top 2 of 5: two groups and other");
	is_int(gs.total, 5, "... of 5 rows");
	ok(gs.folded, "... folded");
	is(gs.g[0].name, "b", "the largest by items first");
	is(gs.g[1].name, "e", "then the next");
	is(gs.g[2].name, "other (3 vendors)", "the rest is other (3 vendors)");
	is_int(gs.g[2].namelen, strlen("other (3 vendors)"), "... namelen counts it");
	o = &gs.g[2].r;
	ok(near(o->v[KPO_M_ITEMS], 25), "other: items summed (10 + 10 + 5)");
	ok(near(o->v[KPO_M_HOURS], 50), "other: hours summed");
	ok(near(o->v[KPO_M_BASELINE], 4500) && near(o->v[KPO_M_SAVINGS], 600), "other: money summed");
	ok(o->has[KPO_M_SAVINGS_PCT] && near(o->v[KPO_M_SAVINGS_PCT], 100.0 * 600 / 4500),
	    "other: savings %% = 100 x savings / baseline of the sums (13.33), not a mean of the %%s");
	/* d has quality_n 0 and no mean: its weight does not count. */
	ok(near(o->v[KPO_M_QUALITY_N], 5), "other: quality_n sums the rows with a mean (4 + 1)");
	ok(o->has[KPO_M_QUALITY_MEAN] && near(o->v[KPO_M_QUALITY_MEAN], (80.0 * 4 + 90 * 1) / 5),
	    "other: quality mean weighted by quality_n (82)");
	ok(!o->has[KPO_M_ON_TIME_PCT] && !o->has[KPO_M_TAT_P50_H], "other: no on-time %% or quantiles");
	kpo_groups_free(&gs);

	kpo_groups_top(&gs, &t, 4, "vendors");
	is(gs.g[1].name, "e", "ties by items...");
	is(gs.g[2].name, "a", "... go in key order (a before c)");
	is(gs.g[3].name, "c", "... c");
	is(gs.g[4].name, "other (1 vendor)", "one folded row: 'other (1 vendor)'");
	kpo_groups_free(&gs);

	kpo_groups_top(&gs, &t, 5, "domains");
	is_int(gs.n, 5, "top 5 of 5: nothing folded");
	ok(!gs.folded, "... not folded");
	kpo_groups_free(&gs);

	t.n = 0;
	kpo_groups_top(&gs, &t, 12, "domains");
	ok(gs.n == 0 && !gs.folded, "an empty table: no groups");
	kpo_groups_free(&gs);

	/* A folded group without a baseline has no savings %. */
	{
		struct kpo_row acc;

		memset(&acc, 0, sizeof acc);
		kpo_fold_add(&acc, &rows[1]);
		kpo_fold_finish(&acc);
		ok(!acc.has[KPO_M_SAVINGS_PCT] && !acc.has[KPO_M_QUALITY_MEAN], "no baseline, no scores: no %% or mean");
	}
	return done_testing();
}
