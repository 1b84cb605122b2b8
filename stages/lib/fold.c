#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fold.h"

static int
items_desc(const void *a, const void *b)
{
	const struct kpo_row *const *x = a, *const *y = b;
	double dx = (*x)->has[KPO_M_ITEMS] ? (*x)->v[KPO_M_ITEMS] : 0;
	double dy = (*y)->has[KPO_M_ITEMS] ? (*y)->v[KPO_M_ITEMS] : 0;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return kpo_row_cmp(*x, *y);
}

void
kpo_fold_add(struct kpo_row *acc, const struct kpo_row *r)
{
	const int qm = KPO_M_QUALITY_MEAN, qn = KPO_M_QUALITY_N;
	int m;

	/* quality_n is summed below, only with the mean it weights. */
	for (m = 0; m < KPO_NMETRICS; m++)
		if ((kpo_metrics[m].flags & KPO_MF_SUM) && m != qn && r->has[m]) {
			acc->v[m] += r->v[m];
			acc->has[m] = 1;
		}
	if (r->has[qm] && r->has[qn] && r->v[qn] > 0) {
		acc->v[qm] += r->v[qm] * r->v[qn];
		acc->v[qn] += r->v[qn];
		acc->has[qn] = 1;
	}
}

void
kpo_fold_finish(struct kpo_row *acc)
{
	if (acc->has[KPO_M_BASELINE] && acc->has[KPO_M_SAVINGS] && acc->v[KPO_M_BASELINE] != 0) {
		acc->v[KPO_M_SAVINGS_PCT] = 100.0 * acc->v[KPO_M_SAVINGS] / acc->v[KPO_M_BASELINE];
		acc->has[KPO_M_SAVINGS_PCT] = 1;
	}
	if (acc->has[KPO_M_QUALITY_N] && acc->v[KPO_M_QUALITY_N] > 0) {
		acc->v[KPO_M_QUALITY_MEAN] /= acc->v[KPO_M_QUALITY_N];
		acc->has[KPO_M_QUALITY_MEAN] = 1;
	}
}

void
kpo_groups_top(struct kpo_groups *gs, const struct kpo_rows *t, long top, const char *what)
{
	const struct kpo_row **order = kpo_xcalloc(t->n + 1, sizeof *order);
	size_t i, keep = t->n > (size_t)top ? (size_t)top : t->n;
	struct kpo_group *g;

	for (i = 0; i < t->n; i++)
		order[i] = &t->rows[i];
	qsort(order, t->n, sizeof *order, items_desc);
	g = kpo_xcalloc(keep + 1, sizeof *g);
	for (i = 0; i < keep; i++) {
		g[i].r = *order[i];
		g[i].name = order[i]->key[0];
		g[i].namelen = order[i]->keylen[0];
	}
	gs->g = g;
	gs->n = keep;
	gs->total = t->n;
	gs->folded = t->n > keep;
	if (gs->folded) {
		struct kpo_group *o = &g[keep];

		for (i = keep; i < t->n; i++)
			kpo_fold_add(&o->r, order[i]);
		kpo_fold_finish(&o->r);
		snprintf(o->other, sizeof o->other, "other (%zu %.*s)", t->n - keep,
		    (int)strlen(what) - (t->n - keep == 1), what);
		o->name = o->other;
		o->namelen = strlen(o->other);
		gs->n++;
	}
	free(order);
}

void
kpo_groups_free(struct kpo_groups *gs)
{
	free(gs->g);
	gs->g = NULL;
	gs->n = 0;
}
