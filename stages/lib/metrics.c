#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "csvread.h"
#include "err.h"
#include "fs.h"
#include "metrics.h"
#include "money.h"
#include "out.h"
#include "quantile.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"

/* The packed turnaround: (tat + TAT_BIAS) << LEAF_BITS | leaf. */
#define LEAF_BITS 24
#define LEAF_MAX  (UINT64_C(1) << LEAF_BITS)
#define TAT_BITS  40
#define TAT_BIAS  (INT64_C(1) << (TAT_BITS - 1))

/* The stream columns the metrics read. */
enum need {
	N_DELIVERED, N_HOURS, N_QUALITY, N_DEFECTS, N_REWORKED,
	N_COST, N_BASELINE, N_SAVINGS, N_TAT, N_ONTIME, NNEED
};

static const char *
need_name(enum need c)
{
	static const int col[NNEED] = {
		[N_DELIVERED] = KPO_COL_DELIVERED_AT, [N_HOURS] = KPO_COL_HOURS, [N_QUALITY] = KPO_COL_QUALITY,
		[N_DEFECTS] = KPO_COL_DEFECTS, [N_REWORKED] = KPO_COL_REWORKED,
		[N_COST] = -1 - KPO_EN_COST_BASE, [N_BASELINE] = -1 - KPO_EN_BASELINE,
		[N_SAVINGS] = -1 - KPO_EN_SAVINGS, [N_TAT] = -1 - KPO_EN_TAT_H, [N_ONTIME] = -1 - KPO_EN_ON_TIME,
	};

	return col[c] >= 0 ? kpo_columns[col[c]].name : kpo_enriched_columns[-1 - col[c]];
}

#define NQ 5
static const unsigned pcts[NQ] = { 10, 25, 50, 75, 90 };

/* Sums over some rows.  Money, hours, quality and defects in 1/10^12,
 * turnaround in 1/10^4 hours. */
struct acc {
	kpo_i128 hours, cost, baseline, savings;
	kpo_i128 pct_baseline, pct_savings;     /* rows with both */
	kpo_i128 quality, defects, tat_sum;
	uint64_t items, delivered, overdue;
	uint64_t n_hours, n_cost, n_baseline, n_savings, n_pct;
	uint64_t quality_n, reworked, first_pass, on_time, on_time_known, tat_n;
	int64_t tat_max;
};

struct leaf {
	struct acc a;
	uint64_t id;
};

struct group {
	struct acc a;
	const char **key;       /* into the leaf map's copy of a leaf key */
	size_t *keylen;
	/* Quantiles: the ranks wanted and the values found there. */
	uint64_t seen, lo[NQ];
	unsigned rem[NQ];
	int64_t xlo[NQ], xhi[NQ];
};

/* One table: its key columns (indices into keycol) and its groups. */
struct grouping {
	const char *file;       /* in the bundle */
	char *spec;             /* the key list, cut into the names keycol points to */
	size_t nkeys;
	size_t *col;
	struct kpo_strmap *map;
	struct group **groups;
	size_t ngroups;
	struct group **of_leaf; /* leaf id -> its group */
	struct kpo_out *out;
};

struct kpo_metrics {
	struct kpo_metrics_opts opt;
	const char *bundle;     /* the folder, when writing one */
	struct kpo_out *meta;
	const char **keycol;    /* the leaf key: every key column once */
	size_t nkeycol;
	struct grouping *g;
	size_t ng;
	struct group total;

	struct kpo_strmap *leaves;
	uint64_t nleaves;
	char *keybuf;
	size_t keycap;

	uint64_t *tat;          /* packed turnarounds, in pages of their own */
	size_t ntat, tatcap;
};

/* Where each column is in one input's header, and the previous row's leaf. */
struct kpo_metrics_input {
	int need[NNEED];
	int *key;               /* per keycol */
	int source;
	struct leaf *last;
	char *lastkey;
	size_t lastlen, lastcap;
};

/* One row's values. */
struct row {
	int delivered;
	int has[NNEED];
	kpo_i128 v[NNEED];
	int reworked, on_time;  /* -1 when empty */
	int64_t tat;            /* 1/10^4 hours */
};

/* ---- The metrics: how each column of schema.h's table is computed ---- */

/* NUM / DEN, printed with the metric's decimals; empty when HAS is 0 or DEN
 * is 0. */
struct value {
	int has;
	kpo_i128 num, den;
};

typedef struct value (*metric_fn)(const struct group *);

static struct value
ratio(int has, kpo_i128 num, kpo_i128 den)
{
	struct value v = { has, num, den };

	return v;
}

static struct value
count(uint64_t n)
{
	return ratio(1, (kpo_i128)n, 1);
}

static struct value
quantile(const struct group *g, int q)
{
	return ratio(g->a.tat_n > 0, kpo_q7_value100(g->xlo[q], g->rem[q] ? g->xhi[q] : g->xlo[q], g->rem[q]),
	    100 * (kpo_i128)KPO_MONEY_SCALE);
}

static struct value m_items(const struct group *g) { return count(g->a.items); }
static struct value m_delivered(const struct group *g) { return count(g->a.delivered); }
static struct value m_open(const struct group *g) { return count(g->a.items - g->a.delivered); }
static struct value m_overdue(const struct group *g) { return count(g->a.overdue); }
static struct value m_hours(const struct group *g) { return ratio(g->a.n_hours > 0, g->a.hours, KPO_E12); }
static struct value m_cost(const struct group *g) { return ratio(g->a.n_cost > 0, g->a.cost, KPO_E12); }

static struct value
m_baseline(const struct group *g)
{
	return ratio(g->a.n_baseline > 0, g->a.baseline, KPO_E12);
}

static struct value
m_savings(const struct group *g)
{
	return ratio(g->a.n_savings > 0, g->a.savings, KPO_E12);
}

/* Over the rows that have both a baseline and savings. */
static struct value
m_savings_pct(const struct group *g)
{
	return ratio(g->a.n_pct > 0, 100 * g->a.pct_savings, g->a.pct_baseline);
}

static struct value
m_quality_mean(const struct group *g)
{
	return ratio(1, g->a.quality, g->a.quality_n * KPO_E12);
}

static struct value m_quality_n(const struct group *g) { return count(g->a.quality_n); }

static struct value
m_defects_per_item(const struct group *g)
{
	return ratio(1, g->a.defects, g->a.delivered * KPO_E12);
}

static struct value
m_rework_rate(const struct group *g)
{
	return ratio(1, 100 * (kpo_i128)g->a.reworked, g->a.delivered);
}

static struct value
m_first_pass_yield(const struct group *g)
{
	return ratio(1, 100 * (kpo_i128)g->a.first_pass, g->a.delivered);
}

static struct value
m_on_time_pct(const struct group *g)
{
	return ratio(1, 100 * (kpo_i128)g->a.on_time, g->a.on_time_known);
}

static struct value
m_tat_mean_h(const struct group *g)
{
	return ratio(1, g->a.tat_sum, g->a.tat_n * (kpo_i128)KPO_MONEY_SCALE);
}

static struct value m_tat_p10_h(const struct group *g) { return quantile(g, 0); }
static struct value m_tat_p25_h(const struct group *g) { return quantile(g, 1); }
static struct value m_tat_p50_h(const struct group *g) { return quantile(g, 2); }
static struct value m_tat_p75_h(const struct group *g) { return quantile(g, 3); }
static struct value m_tat_p90_h(const struct group *g) { return quantile(g, 4); }

static struct value
m_tat_max_h(const struct group *g)
{
	return ratio(g->a.tat_n > 0, g->a.tat_max, KPO_MONEY_SCALE);
}

static const metric_fn compute[KPO_NMETRICS] = {
	[KPO_M_ITEMS] = m_items,
	[KPO_M_DELIVERED] = m_delivered,
	[KPO_M_OPEN] = m_open,
	[KPO_M_OVERDUE] = m_overdue,
	[KPO_M_HOURS] = m_hours,
	[KPO_M_COST] = m_cost,
	[KPO_M_BASELINE] = m_baseline,
	[KPO_M_SAVINGS] = m_savings,
	[KPO_M_SAVINGS_PCT] = m_savings_pct,
	[KPO_M_QUALITY_MEAN] = m_quality_mean,
	[KPO_M_QUALITY_N] = m_quality_n,
	[KPO_M_DEFECTS_PER_ITEM] = m_defects_per_item,
	[KPO_M_REWORK_RATE] = m_rework_rate,
	[KPO_M_FIRST_PASS_YIELD] = m_first_pass_yield,
	[KPO_M_ON_TIME_PCT] = m_on_time_pct,
	[KPO_M_TAT_MEAN_H] = m_tat_mean_h,
	[KPO_M_TAT_P10_H] = m_tat_p10_h,
	[KPO_M_TAT_P25_H] = m_tat_p25_h,
	[KPO_M_TAT_P50_H] = m_tat_p50_h,
	[KPO_M_TAT_P75_H] = m_tat_p75_h,
	[KPO_M_TAT_P90_H] = m_tat_p90_h,
	[KPO_M_TAT_MAX_H] = m_tat_max_h,
};

/* ---- Options ---- */

static size_t
keycol_index(struct kpo_metrics *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nkeycol; i++)
		if (strcmp(m->keycol[i], name) == 0)
			return i;
	m->keycol = kpo_xrealloc(m->keycol, (m->nkeycol + 1) * sizeof *m->keycol);
	m->keycol[m->nkeycol] = name;
	return m->nkeycol++;
}

/* Adds a table grouped by the comma list KEYS. */
static void
add_grouping(struct kpo_metrics *m, const char *file, const char *keys)
{
	struct grouping *g;
	char *name, *next;

	m->g = kpo_xrealloc(m->g, (m->ng + 1) * sizeof *m->g);
	g = &m->g[m->ng++];
	memset(g, 0, sizeof *g);
	g->file = file;
	g->spec = kpo_xstrdup(keys);
	for (name = g->spec; name; name = next) {
		next = strchr(name, ',');
		if (next)
			*next++ = '\0';
		if (!*name)
			kpo_errx(EX_USAGE, "--by: an empty column name in the list");
		g->col = kpo_xrealloc(g->col, (g->nkeys + 1) * sizeof *g->col);
		g->col[g->nkeys++] = keycol_index(m, name);
	}
}

struct kpo_metrics *
kpo_metrics_new(const struct kpo_metrics_opts *opts)
{
	struct kpo_metrics *m = kpo_xcalloc(1, sizeof *m);
	size_t t, k;

	m->opt = *opts;
	if (opts->bundle) {
		for (t = 0; t < KPO_NTABLES; t++) {
			char keys[128] = "";

			for (k = 0; k < kpo_bundle_tables[t].nkeys; k++)
				snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", k ? "," : "",
				    kpo_bundle_tables[t].key[k]);
			add_grouping(m, kpo_bundle_tables[t].file, keys);
		}
	} else {
		add_grouping(m, NULL, opts->by ? opts->by : kpo_columns[KPO_COL_DOMAIN].name);
	}
	m->leaves = kpo_strmap_new();
	return m;
}

/* ---- Reading ---- */

static int
missing(struct kpo_csv *r, const char *name, const char *why)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char seen[2048];

	if (kpo_enriched_find(name) >= 0) {
		kpo_warn_at(kpo_csv_name(r), h->line, "column '%s'%s missing: this is not the enriched stream; "
		    "pipe it through kpo-enrich first", name, why);
	} else if (kpo_column_find(name) >= 0) {
		kpo_warn_at(kpo_csv_name(r), h->line, "column '%s'%s missing: this is not a kpo stream; "
		    "pipe it through kpo-ingest first (and then kpo-enrich)", name, why);
	} else {
		kpo_header_describe(h, seen, sizeof seen);
		kpo_warn_at(kpo_csv_name(r), h->line, "unknown column '%s'%s; the header has: %s", name, why, seen);
	}
	return -1;
}

struct kpo_metrics_input *
kpo_metrics_input(struct kpo_metrics *m, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_metrics_input *in = kpo_xcalloc(1, sizeof *in);
	int bad = 0, c;
	size_t k;

	for (c = 0; c < NNEED; c++)
		if ((in->need[c] = kpo_header_find(h, need_name((enum need)c))) < 0)
			bad = missing(r, need_name((enum need)c), "");
	in->key = kpo_xcalloc(m->nkeycol, sizeof *in->key);
	for (k = 0; k < m->nkeycol; k++)
		if ((in->key[k] = kpo_header_find(h, m->keycol[k])) < 0)
			bad = missing(r, m->keycol[k], m->opt.bundle ? " (a key of the bundle)" : " (from --by)");
	in->source = kpo_header_find(h, kpo_columns[KPO_COL_SOURCE].name);
	if (bad) {
		kpo_metrics_input_free(in);
		return NULL;
	}
	return in;
}

void
kpo_metrics_input_free(struct kpo_metrics_input *in)
{
	if (!in)
		return;
	free(in->key);
	free(in->lastkey);
	free(in);
}

int
kpo_metrics_source_field(const struct kpo_metrics_input *in)
{
	return in->source;
}

/* 0/1, or -1 when empty; -2 when anything else. */
static int
boolean(const char *s, size_t n)
{
	if (n == 0)
		return -1;
	if (n == 1 && (s[0] == '0' || s[0] == '1'))
		return s[0] - '0';
	return -2;
}

#define FIELD(c) rec->f[in->need[c]], rec->len[in->need[c]]

static int
read_row(const struct kpo_record *rec, const struct kpo_metrics_input *in, struct row *row, struct kpo_verdict *v)
{
	static const enum need numeric[] = { N_HOURS, N_QUALITY, N_DEFECTS, N_COST, N_BASELINE, N_SAVINGS, N_TAT };
	size_t i;

	row->delivered = rec->len[in->need[N_DELIVERED]] > 0;
	row->tat = 0;
	for (i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
		enum need c = numeric[i];

		row->has[c] = rec->len[in->need[c]] > 0;
		if (row->has[c] && kpo_e12_parse(FIELD(c), &row->v[c]) != 0)
			return kpo_verdict_value(v, "unparsable number", need_name(c), FIELD(c));
	}
	if (row->has[N_TAT]) {
		kpo_i128 t = kpo_div_round(row->v[N_TAT], 100000000);   /* to 1/10^4 h, half to even */

		if (t >= TAT_BIAS || t < -TAT_BIAS)
			return kpo_verdict_value(v, "number out of range", need_name(N_TAT), FIELD(N_TAT));
		row->tat = (int64_t)t;
	}
	if ((row->reworked = boolean(FIELD(N_REWORKED))) == -2)
		return kpo_verdict_value(v, "unparsable boolean", need_name(N_REWORKED), FIELD(N_REWORKED));
	if ((row->on_time = boolean(FIELD(N_ONTIME))) == -2)
		return kpo_verdict_value(v, "unparsable boolean", need_name(N_ONTIME), FIELD(N_ONTIME));
	return 0;
}

/* The accumulator of the row's key combination, or NULL when there are too
 * many.  The key is each column's length (4 bytes) and bytes. */
static struct leaf *
find_leaf(struct kpo_metrics *m, struct kpo_metrics_input *in, const struct kpo_record *rec)
{
	size_t need = 0, len = 0, k;
	void **slot;

	for (k = 0; k < m->nkeycol; k++)
		need += 4 + rec->len[in->key[k]];
	if (need > m->keycap) {
		m->keycap = 2 * need;
		m->keybuf = kpo_xrealloc(m->keybuf, m->keycap);
	}
	for (k = 0; k < m->nkeycol; k++) {
		uint32_t n = (uint32_t)rec->len[in->key[k]];

		memcpy(m->keybuf + len, &n, 4);
		memcpy(m->keybuf + len + 4, rec->f[in->key[k]], n);
		len += 4 + n;
	}
	if (in->last && len == in->lastlen && memcmp(m->keybuf, in->lastkey, len) == 0)
		return in->last;
	slot = kpo_strmap_get(m->leaves, m->keybuf, len, 1);
	if (!*slot) {
		struct leaf *leaf;

		if (m->nleaves == LEAF_MAX)
			return NULL;
		leaf = kpo_xcalloc(1, sizeof *leaf);
		leaf->id = m->nleaves++;
		*slot = leaf;
	}
	if (len > in->lastcap) {
		in->lastcap = 2 * len;
		in->lastkey = kpo_xrealloc(in->lastkey, in->lastcap);
	}
	memcpy(in->lastkey, m->keybuf, len);
	in->lastlen = len;
	in->last = *slot;
	return in->last;
}

/* Keeps one turnaround.  The array grows by mremap, so it costs only the
 * pages it fills, never a copy beside the original. */
static void
keep_tat(struct kpo_metrics *m, uint64_t packed)
{
	if (m->ntat == m->tatcap) {
		size_t cap = m->tatcap ? 2 * m->tatcap : (size_t)1 << 17;
		void *p = m->tatcap
		    ? mremap(m->tat, m->tatcap * sizeof *m->tat, cap * sizeof *m->tat, MREMAP_MAYMOVE)
		    : mmap(NULL, cap * sizeof *m->tat, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			kpo_err(EX_OSERR, "out of memory");
		m->tat = p;
		m->tatcap = cap;
	}
	m->tat[m->ntat++] = packed;
}

/* The sums of a row that every item has. */
static void
add_sum(kpo_i128 *sum, uint64_t *n, int has, kpo_i128 v)
{
	if (has) {
		*sum += v;
		(*n)++;
	}
}

static void
accumulate(struct kpo_metrics *m, struct leaf *leaf, const struct row *row)
{
	struct acc *a = &leaf->a;

	a->items++;
	if (row->delivered)
		a->delivered++;
	else if (row->on_time == 0)
		a->overdue++;
	add_sum(&a->hours, &a->n_hours, row->has[N_HOURS], row->v[N_HOURS]);
	add_sum(&a->cost, &a->n_cost, row->has[N_COST], row->v[N_COST]);
	add_sum(&a->baseline, &a->n_baseline, row->has[N_BASELINE], row->v[N_BASELINE]);
	add_sum(&a->savings, &a->n_savings, row->has[N_SAVINGS], row->v[N_SAVINGS]);
	if (row->has[N_BASELINE] && row->has[N_SAVINGS]) {
		a->pct_baseline += row->v[N_BASELINE];
		a->pct_savings += row->v[N_SAVINGS];
		a->n_pct++;
	}
	add_sum(&a->quality, &a->quality_n, row->has[N_QUALITY], row->v[N_QUALITY]);
	if (row->delivered) {
		int defect = row->has[N_DEFECTS] && row->v[N_DEFECTS] > 0;

		if (row->has[N_DEFECTS])
			a->defects += row->v[N_DEFECTS];
		if (row->reworked == 1)
			a->reworked++;
		else if (!defect)
			a->first_pass++;
		if (row->has[N_TAT]) {
			if (a->tat_n == 0 || row->tat > a->tat_max)
				a->tat_max = row->tat;
			a->tat_sum += row->tat;
			a->tat_n++;
			keep_tat(m, (uint64_t)(row->tat + TAT_BIAS) << LEAF_BITS | leaf->id);
		}
	}
	if (row->on_time >= 0) {
		a->on_time += (uint64_t)row->on_time;
		a->on_time_known++;
	}
}

int
kpo_metrics_add(struct kpo_metrics *m, struct kpo_metrics_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v)
{
	struct leaf *leaf;
	struct row row;

	if (read_row(rec, in, &row, v) != 0)
		return -1;
	if (!(leaf = find_leaf(m, in, rec)))
		return KPO_METRICS_FULL;
	accumulate(m, leaf, &row);
	return 0;
}

/* ---- Groups ---- */

static void
acc_add(struct acc *to, const struct acc *from)
{
	to->hours += from->hours;
	to->cost += from->cost;
	to->baseline += from->baseline;
	to->savings += from->savings;
	to->pct_baseline += from->pct_baseline;
	to->pct_savings += from->pct_savings;
	to->quality += from->quality;
	to->defects += from->defects;
	to->tat_sum += from->tat_sum;
	to->items += from->items;
	to->delivered += from->delivered;
	to->overdue += from->overdue;
	to->n_hours += from->n_hours;
	to->n_cost += from->n_cost;
	to->n_baseline += from->n_baseline;
	to->n_savings += from->n_savings;
	to->n_pct += from->n_pct;
	to->quality_n += from->quality_n;
	to->reworked += from->reworked;
	to->first_pass += from->first_pass;
	to->on_time += from->on_time;
	to->on_time_known += from->on_time_known;
	if (from->tat_n && (to->tat_n == 0 || from->tat_max > to->tat_max))
		to->tat_max = from->tat_max;
	to->tat_n += from->tat_n;
}

struct leafref {
	const char *key;        /* the map's copy, alive until the end */
	size_t n;
	struct leaf *leaf;
};

static void
collect_leaf(const char *key, size_t n, void **value, void *ctx)
{
	struct leafref *refs = ctx;
	struct leaf *leaf = *value;

	refs[leaf->id].key = key;
	refs[leaf->id].n = n;
	refs[leaf->id].leaf = leaf;
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = *(const struct group *const *)pa, *b = *(const struct group *const *)pb;
	size_t k;

	for (k = 0; a->key[k]; k++) {
		size_t n = a->keylen[k] < b->keylen[k] ? a->keylen[k] : b->keylen[k];
		int c = memcmp(a->key[k], b->key[k], n);

		if (c)
			return c;
		if (a->keylen[k] != b->keylen[k])
			return a->keylen[k] < b->keylen[k] ? -1 : 1;
	}
	return 0;
}

static void
want_quantiles(struct group *grp)
{
	int q;

	for (q = 0; q < NQ && grp->a.tat_n; q++)
		kpo_q7_rank(grp->a.tat_n, pcts[q], &grp->lo[q], &grp->rem[q]);
}

static inline void
observe(struct group *grp, int64_t v)
{
	uint64_t r = grp->seen++;
	int q;

	for (q = 0; q < NQ; q++) {
		if (r == grp->lo[q])
			grp->xlo[q] = v;
		else if (r == grp->lo[q] + 1)
			grp->xhi[q] = v;
	}
}

/* The group of table G that FIELD (the leaf's key columns) belongs to, made
 * when new. */
static struct group *
group_of(struct grouping *g, const char **field, const size_t *flen, char **gkey, size_t *gcap)
{
	size_t len = 0, k;
	void **slot;
	struct group *grp;

	for (k = 0; k < g->nkeys; k++)
		len += 4 + flen[g->col[k]];
	if (len > *gcap) {
		*gcap = 2 * len;
		*gkey = kpo_xrealloc(*gkey, *gcap);
	}
	for (len = 0, k = 0; k < g->nkeys; k++) {
		uint32_t n = (uint32_t)flen[g->col[k]];

		memcpy(*gkey + len, &n, 4);
		memcpy(*gkey + len + 4, field[g->col[k]], n);
		len += 4 + n;
	}
	slot = kpo_strmap_get(g->map, *gkey, len, 1);
	if (!*slot) {
		grp = kpo_xcalloc(1, sizeof *grp);
		grp->key = kpo_xcalloc(g->nkeys + 1, sizeof *grp->key);
		grp->keylen = kpo_xcalloc(g->nkeys + 1, sizeof *grp->keylen);
		for (k = 0; k < g->nkeys; k++) {
			grp->key[k] = field[g->col[k]];
			grp->keylen[k] = flen[g->col[k]];
		}
		g->groups = kpo_xrealloc(g->groups, (g->ngroups + 1) * sizeof *g->groups);
		g->groups[g->ngroups++] = grp;
		*slot = grp;
	}
	return *slot;
}

/* Folds the leaves REFS into the groups of table G, sorted by key bytes. */
static void
group_leaves(struct kpo_metrics *m, struct grouping *g, const struct leafref *refs)
{
	const char **field = kpo_xcalloc(m->nkeycol + 1, sizeof *field);
	size_t *flen = kpo_xcalloc(m->nkeycol + 1, sizeof *flen);
	char *gkey = NULL;
	size_t gcap = 0, i, k;

	g->map = kpo_strmap_new();
	g->of_leaf = kpo_xcalloc(m->nleaves, sizeof *g->of_leaf);
	for (i = 0; i < m->nleaves; i++) {
		const char *p = refs[i].key;
		struct group *grp;

		for (k = 0; k < m->nkeycol; k++) {
			uint32_t n;

			memcpy(&n, p, 4);
			field[k] = p + 4;
			flen[k] = n;
			p += 4 + n;
		}
		grp = group_of(g, field, flen, &gkey, &gcap);
		acc_add(&grp->a, &refs[i].leaf->a);
		g->of_leaf[i] = grp;
	}
	if (g->ngroups > 1)
		qsort(g->groups, g->ngroups, sizeof *g->groups, group_cmp);
	for (i = 0; i < g->ngroups; i++)
		want_quantiles(g->groups[i]);
	free(gkey);
	free(flen);
	free(field);
}

/* Folds the leaves into the groups of every table and finds the quantiles. */
void
kpo_metrics_build(struct kpo_metrics *m)
{
	struct leafref *refs = kpo_xcalloc(m->nleaves, sizeof *refs);
	size_t gi, i;

	kpo_strmap_each(m->leaves, collect_leaf, refs);
	for (gi = 0; gi < m->ng; gi++)
		group_leaves(m, &m->g[gi], refs);
	for (i = 0; i < m->nleaves; i++)
		acc_add(&m->total.a, &refs[i].leaf->a);
	want_quantiles(&m->total);

	/* Ascending turnaround: each group sees its values in order. */
	kpo_sort_u64(m->tat, m->ntat);
	for (i = 0; i < m->ntat; i++) {
		uint64_t leaf = m->tat[i] & (LEAF_MAX - 1);
		int64_t v = (int64_t)(m->tat[i] >> LEAF_BITS) - TAT_BIAS;

		for (gi = 0; gi < m->ng; gi++)
			observe(m->g[gi].of_leaf[leaf], v);
		observe(&m->total, v);
	}
	free(refs);
}

/* ---- Writing ---- */

static void
put_value(struct kpo_out *o, struct value v, int decimals)
{
	char buf[KPO_MONEY_MAX];

	if (!v.has || v.den == 0) {
		kpo_out_field(o, "", 0);
		return;
	}
	if (v.den == 1 && decimals == 0 && v.num >= 0 && v.num <= UINT64_MAX)
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.num);
	else
		kpo_ratio_format(v.num, v.den, decimals, buf);
	kpo_out_fieldz(o, buf);
}

static void
put_metrics(struct kpo_out *o, const struct group *grp)
{
	int k;

	for (k = 0; k < KPO_NMETRICS; k++)
		put_value(o, compute[k](grp), kpo_metric_decimals(kpo_metrics[k].kind));
	kpo_out_endrow(o);
}

static void
write_table(const struct kpo_metrics *m, struct kpo_out *o, const struct grouping *g, int total)
{
	size_t i, k;

	for (k = 0; k < g->nkeys; k++)
		kpo_out_fieldz(o, m->keycol[g->col[k]]);
	for (k = 0; k < KPO_NMETRICS; k++)
		kpo_out_fieldz(o, kpo_metrics[k].name);
	kpo_out_endrow(o);
	for (i = 0; i < g->ngroups && !kpo_out_failed(o); i++) {
		for (k = 0; k < g->nkeys; k++)
			kpo_out_field(o, g->groups[i]->key[k], g->groups[i]->keylen[k]);
		put_metrics(o, g->groups[i]);
	}
	if (total) {
		for (k = 0; k < g->nkeys; k++)
			kpo_out_fieldz(o, kpo_total_key);
		put_metrics(o, &m->total);
	}
}

size_t
kpo_metrics_ntables(const struct kpo_metrics *m)
{
	return m->ng;
}

void
kpo_metrics_write_table(const struct kpo_metrics *m, size_t t, struct kpo_out *o)
{
	write_table(m, o, &m->g[t], m->opt.total || m->opt.bundle);
}

static void
write_meta(struct kpo_out *o, const struct kpo_metrics_meta *meta)
{
	const char *const *key = kpo_meta_keys;

	kpo_out_printf(o, "%s\n", kpo_meta_header);
	kpo_out_printf(o, "%s,%s\n", key[KPO_META_AS_OF], meta->as_of);
	kpo_out_printf(o, "%s,%llu\n", key[KPO_META_ROWS], meta->rows);
	kpo_out_printf(o, "%s,%s\n", key[KPO_META_BASE_CURRENCY], meta->base);
	kpo_out_printf(o, "%s,%s\n", key[KPO_META_VERSION], KPO_VERSION);
}

int
kpo_metrics_open(struct kpo_metrics *m, const char *output, const char *bundle)
{
	size_t gi;

	if (!bundle) {
		if (!(m->g[0].out = kpo_out_open(output))) {
			kpo_warn("%s", output);
			return EX_CANTCREAT;
		}
		return 0;
	}
	m->bundle = bundle;
	if (kpo_mkdirs(bundle) != 0) {
		kpo_warn("%s", bundle);
		return EX_CANTCREAT;
	}
	for (gi = 0; gi <= m->ng; gi++) {
		const char *file = gi < m->ng ? m->g[gi].file : kpo_meta_file;
		size_t n = strlen(bundle) + strlen(file) + 2;
		char *path = kpo_xmalloc(n);
		struct kpo_out *o;

		snprintf(path, n, "%s/%s", bundle, file);
		if (!(o = kpo_out_open(path))) {
			kpo_warn("%s", path);
			free(path);
			return EX_CANTCREAT;
		}
		*(gi < m->ng ? &m->g[gi].out : &m->meta) = o;
		free(path);
	}
	return 0;
}

/* Says why an output failed. */
static void
say_failed(struct kpo_out *o)
{
	if (o && kpo_out_failed(o)) {
		errno = kpo_out_errno(o);
		kpo_warn("%s: write error", kpo_out_name(o));
	}
}

/* Throws every output away; returns STATUS. */
static int
abort_outputs(struct kpo_metrics *m, int status)
{
	size_t gi;

	for (gi = 0; gi < m->ng; gi++) {
		kpo_out_abort(m->g[gi].out);
		m->g[gi].out = NULL;
	}
	kpo_out_abort(m->meta);
	m->meta = NULL;
	return status;
}

int
kpo_metrics_finish(struct kpo_metrics *m, int status, const struct kpo_metrics_meta *meta)
{
	size_t gi;
	int failed = 0;

	if (status != 0)
		return abort_outputs(m, status);
	kpo_metrics_build(m);
	for (gi = 0; gi < m->ng; gi++)
		kpo_metrics_write_table(m, gi, m->g[gi].out);
	if (m->meta)
		write_meta(m->meta, meta);
	for (gi = 0; gi < m->ng; gi++)
		failed |= kpo_out_failed(m->g[gi].out);
	failed |= m->meta && kpo_out_failed(m->meta);
	if (failed) {
		for (gi = 0; gi < m->ng; gi++)
			say_failed(m->g[gi].out);
		say_failed(m->meta);
		return abort_outputs(m, EX_IOERR);
	}
	for (gi = 0; gi <= m->ng; gi++) {
		struct kpo_out **o = gi < m->ng ? &m->g[gi].out : &m->meta;

		if (*o)
			status = kpo_out_finish(*o, status);
		*o = NULL;
	}
	return status;
}

static void
free_leaf(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

void
kpo_metrics_free(struct kpo_metrics *m)
{
	size_t gi, i;

	if (!m)
		return;
	abort_outputs(m, 0);
	for (gi = 0; gi < m->ng; gi++) {
		struct grouping *g = &m->g[gi];

		for (i = 0; i < g->ngroups; i++) {
			free(g->groups[i]->key);
			free(g->groups[i]->keylen);
			free(g->groups[i]);
		}
		free(g->groups);
		free(g->of_leaf);
		free(g->col);
		free(g->spec);
		if (g->map)
			kpo_strmap_free(g->map);
	}
	free(m->g);
	kpo_strmap_each(m->leaves, free_leaf, NULL);
	kpo_strmap_free(m->leaves);
	free(m->keycol);
	free(m->keybuf);
	if (m->tat)
		munmap(m->tat, m->tatcap * sizeof *m->tat);
	free(m);
}
