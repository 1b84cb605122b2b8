#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "costs.h"
#include "csvread.h"
#include "date.h"
#include "err.h"
#include "fs.h"
#include "metrics.h"
#include "money.h"
#include "out.h"
#include "partial.h"
#include "quantile.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"
#include "wilson.h"

/* The packed turnaround: (tat + TAT_BIAS) << LEAF_BITS | leaf. */
#define LEAF_BITS 24
#define LEAF_MAX  (UINT64_C(1) << LEAF_BITS)
#define TAT_BITS  40
#define TAT_BIAS  (INT64_C(1) << (TAT_BITS - 1))

/* The stream columns the metrics read. */
enum need {
	N_DELIVERED, N_HOURS, N_QUALITY, N_DEFECTS, N_REWORKED,
	N_COST, N_BASELINE, N_SAVINGS, N_TAT, N_ONTIME,
	N_REQUESTED, N_DUE,     /* the open-item metrics */
	NNEED
};

static const char *
need_name(enum need c)
{
	static const int col[NNEED] = {
		[N_DELIVERED] = KPO_COL_DELIVERED_AT, [N_HOURS] = KPO_COL_HOURS, [N_QUALITY] = KPO_COL_QUALITY,
		[N_DEFECTS] = KPO_COL_DEFECTS, [N_REWORKED] = KPO_COL_REWORKED,
		[N_COST] = -1 - KPO_EN_COST_BASE, [N_BASELINE] = -1 - KPO_EN_BASELINE,
		[N_SAVINGS] = -1 - KPO_EN_SAVINGS, [N_TAT] = -1 - KPO_EN_TAT_H, [N_ONTIME] = -1 - KPO_EN_ON_TIME,
		[N_REQUESTED] = KPO_COL_REQUESTED_AT, [N_DUE] = KPO_COL_DUE_AT,
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
	kpo_i128 rate_cost, rate_hours;         /* rows with both cost and hours */
	kpo_i128 ovh[KPO_NCOSTKINDS];           /* governance, transition, other: allocated at the end */
	kpo_i128 ovh_unpriced;                  /* the part of them on rows without a baseline */
	uint64_t items, delivered, overdue;
	uint64_t n_hours, n_cost, n_baseline, n_savings, n_pct, n_rate;
	uint64_t quality_n, reworked, defective, first_pass, on_time, on_time_known, tat_n;
	uint64_t ovh_n;                         /* overhead amounts allocated here */
	int64_t tat_max;
	/* At the as-of instant: delivered on time, the SLA's denominator (delivered
	 * with on_time known, and open past due), at risk, open by age. */
	uint64_t sla_met, sla_n, at_risk, age[4];
};

/* Memory handed out in blocks and freed all at once; a merge moves a part's
 * blocks to the whole, so that what points into them stays valid. */
struct pool_block {
	struct pool_block *next;
	size_t used, size;
	max_align_t data[];
};

struct pool {
	struct pool_block *head;
};

/* The fields of struct acc a leaf keeps narrow (struct nacc). */
#define ACC_SUMS(X) X(hours) X(cost) X(baseline) X(savings) X(pct_baseline) X(pct_savings) \
	X(quality) X(defects) X(tat_sum) X(rate_cost) X(rate_hours)
#define ACC_COUNTS(X) X(items) X(delivered) X(overdue) X(n_hours) X(n_cost) X(n_baseline) X(n_savings) \
	X(n_pct) X(n_rate) X(quality_n) X(reworked) X(defective) X(first_pass) X(on_time) X(on_time_known) \
	X(tat_n) X(sla_met) X(sla_n) X(at_risk) X(age[0]) X(age[1]) X(age[2]) X(age[3])

/* The sums of a leaf of few rows: most leaves of --by task_id have one or
 * two.  It outgrows them (a sum past 64 bits, a count past 255) into a
 * struct acc of its own; the overheads are allocated to wide ones only. */
struct nacc {
	int64_t hours, cost, baseline, savings, pct_baseline, pct_savings;
	int64_t quality, defects, tat_sum, rate_cost, rate_hours, tat_max;
	uint8_t items, delivered, overdue, n_hours, n_cost, n_baseline, n_savings, n_pct, n_rate;
	uint8_t quality_n, reworked, defective, first_pass, on_time, on_time_known, tat_n;
	uint8_t sla_met, sla_n, at_risk, age[4];
};

/* One combination of key columns: its key (each column's length in 4
 * bytes, then its bytes), and its sums. */
struct leaf {
	const char *key;        /* in the table's pool */
	struct acc *wide;       /* its sums once they outgrow N; NULL before */
	uint32_t keylen, hash;
	uint32_t id;            /* its number */
	struct nacc n;
};

/* The leaves, numbered in the order of their first rows, in blocks that
 * never move, found by an open-addressing index of their numbers. */
#define LEAF_BLOCK ((size_t)1 << 14)

struct leaves {
	struct leaf **blk;
	size_t nblk;
	uint64_t n;
	uint32_t *slot;         /* 1 + a leaf's number; 0: free */
	size_t cap;             /* of slot: a power of 2, at least twice n */
	struct pool keys;
};

/* Quantiles: the ranks wanted and the values found there. */
struct quant {
	uint64_t seen, lo[NQ];
	unsigned rem[NQ];
	int64_t xlo[NQ], xhi[NQ];
};

/* A row of a table as the metrics read it: made for each group as it is
 * written, from its leaves (the total's is kept). */
struct group {
	struct acc a;
	int ovh;                /* overheads are known (--costs or --governance-pct) */
	/* Vendor concentration: the vendors' costs in 1/10^4, their squares. */
	kpo_i128 hhi_sq, hhi_sum, hhi_max;
	double hhi_dsq, hhi_dsum, hhi_dmax;     /* the same, when the exact ones would overflow */
	int hhi_neg, hhi_big;
	const char **key;       /* into a leaf key */
	size_t *keylen;
	struct quant q;
};

/* An open item of an exception list: its instants, its task_id, and its
 * vendor, domain and source, which repeat from item to item, kept once each
 * (struct text, interned), the source as its file and its line, as
 * kpo-ingest writes it (FILE:LINE).  Both live in the metrics' pool: a
 * bundle keeps hundreds of thousands of them, each in about 48 bytes. */
struct text {
	uint32_t len;
	char s[];
};

struct open_item {
	int64_t requested, due;
	uint32_t name[3];       /* vendor, domain, source (without its line): in texts */
	uint32_t line;          /* the source's :LINE, plus 1; 0 when it has none */
	uint32_t tasklen;
	char task[];
};

enum { IT_TASK, IT_VENDOR, IT_DOMAIN, IT_SOURCE };

struct item_list {
	struct open_item **v;
	size_t n, cap;
	struct kpo_out *out;
};

/* One table: its key columns (indices into keycol) and its groups. */
struct grouping {
	const char *file;       /* in the bundle */
	char *spec;             /* the key list, cut into the names keycol points to */
	size_t nkeys;
	size_t *col;
	/* Its groups: group I is the leaves order[first[I]] up to
	 * order[first[I + 1]], in key order, each group's by vendor. */
	uint32_t *order;
	uint32_t *first;
	size_t ngroups;
	uint32_t *of_leaf;      /* leaf -> its group */
	uint32_t *quant_of;     /* group -> 1 + its quantiles in quants; 0: from its sums (at most 2 values) */
	struct quant *quants;
	size_t nquants;
	struct kpo_out *out;
};

struct kpo_metrics {
	struct kpo_metrics_opts opt;
	const char *bundle;     /* the folder, when writing one */
	struct kpo_out *meta;
	const char **keycol;    /* the leaf key: every key column once, and vendor, domain, month */
	size_t nkeycol, nkeyed; /* the first NKEYED are the tables' keys */
	size_t kv, kd, km;      /* vendor, domain, month in keycol */
	const struct kpo_costs *costs;  /* --costs, or NULL */
	struct kpo_dec gov_pct; /* --governance-pct */
	int has_gov_pct, ovh;
	struct grouping *g;
	size_t ng;
	struct group total;

	struct leaves leaves;
	char *keybuf;
	size_t keycap;

	uint64_t *tat;          /* packed turnarounds, in pages of their own */
	size_t ntat, tatcap;

	struct item_list list[KPO_NLISTS];      /* a bundle's open-breached and at-risk */
	struct pool pool;       /* their items */
	struct kpo_strmap *names;       /* their vendors, domains and sources, once each: 1 + the index */
	const struct text **texts;      /* ... in texts */
	size_t ntexts, textcap;
};

/* Where each column is in one input's header, and the previous row's leaf. */
struct kpo_metrics_input {
	int need[NNEED];
	int *key;               /* per keycol */
	int source;
	int item[3];            /* task_id, vendor, domain: a bundle's lists */
	struct leaf *last;
};

/* One row's values. */
struct row {
	int delivered;
	int priced;             /* has a baseline and savings: the rows of savings_pct */
	int has[NNEED];
	kpo_i128 v[NNEED];
	int reworked, on_time;  /* -1 when empty */
	int64_t tat;            /* 1/10^4 hours */
	int64_t requested, due; /* of an open row; has[N_DUE] says whether it has a due date */
	int list;               /* the exception list it belongs on, or -1 */
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
	return ratio(g->a.tat_n > 0, kpo_q7_value100(g->q.xlo[q], g->q.rem[q] ? g->q.xhi[q] : g->q.xlo[q], g->q.rem[q]),
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

static struct value m_hours_n(const struct group *g) { return count(g->a.n_hours); }
static struct value m_cost_n(const struct group *g) { return count(g->a.n_cost); }
static struct value m_baseline_n(const struct group *g) { return count(g->a.n_baseline); }
static struct value m_savings_n(const struct group *g) { return count(g->a.n_pct); }
/* Honest numbers ---------------------------------------------------------- */

static struct value m_reworked_n(const struct group *g) { return count(g->a.reworked); }
static struct value m_defective_n(const struct group *g) { return count(g->a.defective); }

/* The 95 % Wilson interval of K in N, in percent (wilson.h): the bound in
 * hundredths of a percent over 100. */
static struct value
wilson(uint64_t k, uint64_t n, int upper)
{
	int64_t lo, hi;

	if (!kpo_wilson_pct(k, n, &lo, &hi))
		return ratio(0, 0, 1);
	return ratio(1, upper ? hi : lo, 100);
}

/* sla_attainment_pct's counts: delivered on time / (delivered with a due
 * date + open items past due at as-of). */
static void
sla_counts(const struct group *g, uint64_t *k, uint64_t *n)
{
	*k = g->a.sla_met;
	*n = g->a.sla_n;
}

static struct value m_on_time_pct_lo(const struct group *g) { return wilson(g->a.on_time, g->a.on_time_known, 0); }
static struct value m_on_time_pct_hi(const struct group *g) { return wilson(g->a.on_time, g->a.on_time_known, 1); }

static struct value
m_sla_attainment_pct_lo(const struct group *g)
{
	uint64_t k, n;

	sla_counts(g, &k, &n);
	return wilson(k, n, 0);
}

static struct value
m_sla_attainment_pct_hi(const struct group *g)
{
	uint64_t k, n;

	sla_counts(g, &k, &n);
	return wilson(k, n, 1);
}

static struct value m_rework_rate_lo(const struct group *g) { return wilson(g->a.reworked, g->a.delivered, 0); }
static struct value m_rework_rate_hi(const struct group *g) { return wilson(g->a.reworked, g->a.delivered, 1); }
static struct value m_first_pass_yield_lo(const struct group *g) { return wilson(g->a.first_pass, g->a.delivered, 0); }
static struct value m_first_pass_yield_hi(const struct group *g) { return wilson(g->a.first_pass, g->a.delivered, 1); }

/* The overheads are columns only when the run knows them (--costs or
 * --governance-pct); without, they are empty rather than a flattering 0. */
static struct value m_governance(const struct group *g) { return ratio(g->ovh, g->a.ovh[KPO_COST_GOVERNANCE], KPO_E12); }
static struct value m_transition(const struct group *g) { return ratio(g->ovh, g->a.ovh[KPO_COST_TRANSITION], KPO_E12); }
static struct value m_other_cost(const struct group *g) { return ratio(g->ovh, g->a.ovh[KPO_COST_OTHER], KPO_E12); }

static kpo_i128
overhead(const struct acc *a)
{
	return a->ovh[KPO_COST_GOVERNANCE] + a->ovh[KPO_COST_TRANSITION] + a->ovh[KPO_COST_OTHER];
}

static int
has_tco(const struct group *g)
{
	return g->ovh && (g->a.n_cost > 0 || g->a.ovh_n > 0);
}

static struct value m_tco(const struct group *g) { return ratio(has_tco(g), g->a.cost + overhead(&g->a), KPO_E12); }

/* The savings of the rows with a baseline (savings_pct's), less the
 * overheads but those carried by rows without a baseline (their baseline is
 * not known, so neither is what they save).  Overheads of months or domains
 * without rows count in full. */
static kpo_i128
net_savings(const struct acc *a)
{
	return a->pct_savings - (overhead(a) - a->ovh_unpriced);
}

static struct value
m_net_savings(const struct group *g)
{
	return ratio(g->ovh && g->a.n_pct > 0, net_savings(&g->a), KPO_E12);
}

static struct value
m_net_savings_pct(const struct group *g)
{
	return ratio(g->ovh && g->a.n_pct > 0, 100 * net_savings(&g->a), g->a.pct_baseline);
}


static struct value
m_cost_per_item(const struct group *g)
{
	return ratio(has_tco(g), g->a.cost + overhead(&g->a), g->a.delivered * KPO_E12);
}

static struct value
m_effective_rate(const struct group *g)
{
	return ratio(g->a.n_rate > 0, g->a.rate_cost, g->a.rate_hours);
}

/* Empty when the group has no cost, or a vendor's cost is negative. */
static int
has_hhi(const struct group *g)
{
	return g->a.n_cost > 0 && !g->hhi_neg && (g->hhi_big ? g->hhi_dsum > 0 : g->hhi_sum > 0);
}

static struct value
m_hhi(const struct group *g)
{
	if (!has_hhi(g))
		return ratio(0, 0, 1);
	if (g->hhi_big)
		return ratio(1, (kpo_i128)nearbyint(1e6 * g->hhi_dsq / (g->hhi_dsum * g->hhi_dsum)), 100);
	return ratio(1, 10000 * g->hhi_sq, g->hhi_sum * g->hhi_sum);
}

static struct value
m_top_vendor_share_pct(const struct group *g)
{
	if (!has_hhi(g))
		return ratio(0, 0, 1);
	if (g->hhi_big)
		return ratio(1, (kpo_i128)nearbyint(1e4 * g->hhi_dmax / g->hhi_dsum), 100);
	return ratio(1, 100 * g->hhi_max, g->hhi_sum);
}

/* Delivered on time over delivered with a due date and open past due. */
static struct value
m_sla_attainment_pct(const struct group *g)
{
	return ratio(1, 100 * (kpo_i128)g->a.sla_met, g->a.sla_n);
}

static struct value m_at_risk(const struct group *g) { return count(g->a.at_risk); }
static struct value m_open_0_7d(const struct group *g) { return count(g->a.age[0]); }
static struct value m_open_8_30d(const struct group *g) { return count(g->a.age[1]); }
static struct value m_open_31_90d(const struct group *g) { return count(g->a.age[2]); }
static struct value m_open_over_90d(const struct group *g) { return count(g->a.age[3]); }
static struct value m_on_time_n(const struct group *g) { return count(g->a.on_time_known); }

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
	[KPO_M_HOURS_N] = m_hours_n,
	[KPO_M_COST_N] = m_cost_n,
	[KPO_M_BASELINE_N] = m_baseline_n,
	[KPO_M_SAVINGS_N] = m_savings_n,
	[KPO_M_REWORKED_N] = m_reworked_n,
	[KPO_M_DEFECTIVE_N] = m_defective_n,
	[KPO_M_ON_TIME_PCT_LO] = m_on_time_pct_lo,
	[KPO_M_ON_TIME_PCT_HI] = m_on_time_pct_hi,
	[KPO_M_SLA_ATTAINMENT_PCT_LO] = m_sla_attainment_pct_lo,
	[KPO_M_SLA_ATTAINMENT_PCT_HI] = m_sla_attainment_pct_hi,
	[KPO_M_REWORK_RATE_LO] = m_rework_rate_lo,
	[KPO_M_REWORK_RATE_HI] = m_rework_rate_hi,
	[KPO_M_FIRST_PASS_YIELD_LO] = m_first_pass_yield_lo,
	[KPO_M_FIRST_PASS_YIELD_HI] = m_first_pass_yield_hi,
	[KPO_M_GOVERNANCE] = m_governance,
	[KPO_M_TRANSITION] = m_transition,
	[KPO_M_OTHER_COST] = m_other_cost,
	[KPO_M_TCO] = m_tco,
	[KPO_M_NET_SAVINGS] = m_net_savings,
	[KPO_M_NET_SAVINGS_PCT] = m_net_savings_pct,
	[KPO_M_COST_PER_ITEM] = m_cost_per_item,
	[KPO_M_EFFECTIVE_RATE] = m_effective_rate,
	[KPO_M_HHI] = m_hhi,
	[KPO_M_TOP_VENDOR_SHARE_PCT] = m_top_vendor_share_pct,
	[KPO_M_SLA_ATTAINMENT_PCT] = m_sla_attainment_pct,
	[KPO_M_AT_RISK] = m_at_risk,
	[KPO_M_OPEN_0_7D] = m_open_0_7d,
	[KPO_M_OPEN_8_30D] = m_open_8_30d,
	[KPO_M_OPEN_31_90D] = m_open_31_90d,
	[KPO_M_OPEN_OVER_90D] = m_open_over_90d,
	[KPO_M_ON_TIME_N] = m_on_time_n,
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
	/* Vendor shares need the vendor: the leaves are always that fine. */
	m->nkeyed = m->nkeycol;
	m->kv = keycol_index(m, kpo_columns[KPO_COL_VENDOR].name);
	return m;
}

void
kpo_metrics_overheads(struct kpo_metrics *m, const struct kpo_costs *costs, const struct kpo_dec *gov_pct)
{
	m->costs = costs;
	if (gov_pct) {
		m->gov_pct = *gov_pct;
		m->has_gov_pct = 1;
	}
	if (!(m->ovh = costs || gov_pct))
		return;
	/* Overheads are allocated per vendor, domain and month, apart for the
	 * rows with and without a baseline (find_leaf): leaves that fine. */
	m->kd = keycol_index(m, kpo_columns[KPO_COL_DOMAIN].name);
	m->km = keycol_index(m, kpo_enriched_columns[KPO_EN_MONTH]);
}

/* ---- Reading ---- */

/* The names missing from a header, by the stage that writes them. */
struct missing {
	char ingest[512], enrich[512], unknown[512];
	const char *why;        /* of the unknown ones */
};

static void
add_name(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);
}

static void
note_missing(struct missing *ms, const char *name, const char *why)
{
	if (kpo_enriched_find(name) >= 0)
		add_name(ms->enrich, sizeof ms->enrich, name);
	else if (kpo_column_find(name) >= 0)
		add_name(ms->ingest, sizeof ms->ingest, name);
	else {
		char quoted[300];

		snprintf(quoted, sizeof quoted, "'%.280s'", name);
		add_name(ms->unknown, sizeof ms->unknown, quoted);
		ms->why = why;
	}
}

/* Says once what is missing and which stage makes it: 0, or -1. */
static int
say_missing(struct kpo_csv *r, const struct missing *ms)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char seen[300];
	int bad = 0;

	if (ms->ingest[0]) {
		kpo_warn_at(kpo_csv_name(r), h->line, "this is not a kpo stream (no %s): read the export with "
		    "kpo-ingest, then kpo-enrich", ms->ingest);
		bad = -1;
	} else if (ms->enrich[0]) {
		kpo_warn_at(kpo_csv_name(r), h->line, "this is not the enriched stream (no %s): pipe it through "
		    "kpo-enrich first", ms->enrich);
		bad = -1;
	}
	if (ms->unknown[0]) {
		kpo_header_describe(h, seen, sizeof seen);
		kpo_warn_at(kpo_csv_name(r), h->line, "unknown column%s %s%s; the header has: %s",
		    strchr(ms->unknown, ',') ? "s" : "", ms->unknown, ms->why, seen);
		bad = -1;
	}
	return bad;
}

struct kpo_metrics_input *
kpo_metrics_input(struct kpo_metrics *m, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_metrics_input *in = kpo_xcalloc(1, sizeof *in);
	struct missing ms;
	int c;
	size_t k;

	memset(&ms, 0, sizeof ms);
	for (c = 0; c < NNEED; c++)
		if ((in->need[c] = kpo_header_find(h, need_name((enum need)c))) < 0)
			note_missing(&ms, need_name((enum need)c), "");
	in->key = kpo_xcalloc(m->nkeycol, sizeof *in->key);
	for (k = 0; k < m->nkeycol; k++)
		if ((in->key[k] = kpo_header_find(h, m->keycol[k])) < 0)
			note_missing(&ms, m->keycol[k], k >= m->nkeyed ? " (read for vendor shares and costs)"
			    : m->opt.bundle ? " (a key of the bundle)" : " (from --by)");
	in->source = kpo_header_find(h, kpo_columns[KPO_COL_SOURCE].name);
	for (k = 0; k < 3; k++) {
		static const int col[3] = { KPO_COL_TASK_ID, KPO_COL_VENDOR, KPO_COL_DOMAIN };
		const char *name = kpo_columns[col[k]].name;

		if ((in->item[k] = kpo_header_find(h, name)) < 0 && m->opt.bundle)
			note_missing(&ms, name, " (the bundle's exception lists name it)");
	}
	if (say_missing(r, &ms) != 0) {
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

/* An open row's instants: when it was requested, and due (when it has a due
 * date); and the exception list it goes on at the instant AS_OF. */
static int
read_open(const struct kpo_record *rec, const struct kpo_metrics_input *in, struct row *row, int64_t as_of,
    struct kpo_verdict *v)
{
	row->list = -1;
	if (rec->len[in->need[N_REQUESTED]] == 0)
		return kpo_verdict(v, "missing value", "requested_at is empty");
	if (kpo_stream_datetime(FIELD(N_REQUESTED), &row->requested) != 0)
		return kpo_verdict_value(v, "unparsable date", need_name(N_REQUESTED), FIELD(N_REQUESTED));
	if (!(row->has[N_DUE] = rec->len[in->need[N_DUE]] > 0))
		return 0;
	if (kpo_stream_datetime(FIELD(N_DUE), &row->due) != 0)
		return kpo_verdict_value(v, "unparsable date", need_name(N_DUE), FIELD(N_DUE));
	if (row->due < as_of)
		row->list = KPO_L_BREACHED;
	else if (4 * (as_of - row->requested) >= 3 * (row->due - row->requested))
		row->list = KPO_L_AT_RISK;      /* 75 % of its window gone */
	return 0;
}

static int
read_row(const struct kpo_record *rec, const struct kpo_metrics_input *in, struct row *row, int64_t as_of,
    struct kpo_verdict *v)
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
	row->priced = row->has[N_BASELINE] && row->has[N_SAVINGS];
	row->list = -1;
	return row->delivered ? 0 : read_open(rec, in, row, as_of, v);
}

/* N bytes of P, at a multiple of ALIGN (a power of 2, at most that of
 * max_align_t). */
static void *
pool_take(struct pool *p, size_t n, size_t align)
{
	struct pool_block *b = p->head;
	void *v;

	if (b)   /* never past the block's end: its size is a multiple of any ALIGN */
		b->used = (b->used + align - 1) & ~(align - 1);
	if (!b || b->size - b->used < n) {
		size_t size = n > (size_t)1 << 20 ? n : (size_t)1 << 20;

		size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);

		b = kpo_xmalloc(sizeof *b + size);
		b->next = p->head;
		b->used = 0;
		b->size = size;
		p->head = b;
	}
	v = (char *)b->data + b->used;
	b->used += n;
	return v;
}

static void *
pool_alloc(struct pool *p, size_t n)
{
	return pool_take(p, n, _Alignof(max_align_t));
}

/* Gives TO every block of FROM. */
static void
pool_move(struct pool *to, struct pool *from)
{
	struct pool_block **tail = &from->head;

	while (*tail)
		tail = &(*tail)->next;
	*tail = to->head;
	to->head = from->head;
	from->head = NULL;
}

static void
pool_free(struct pool *p)
{
	struct pool_block *b, *next;

	for (b = p->head; b; b = next) {
		next = b->next;
		free(b);
	}
	p->head = NULL;
}

/* ---- The leaves ---- */

/* Memory of its own pages, given back to the system when freed: the
 * leaves of a part are freed as a merge reads them, on another thread than
 * the one that made them, and malloc would keep them in its arena. */
static void *
pages_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		kpo_err(EX_OSERR, "out of memory");
	return p;
}

static void
pages_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

static struct leaf *
leaf_at(const struct leaves *L, uint64_t id)
{
	return &L->blk[id / LEAF_BLOCK][id % LEAF_BLOCK];
}

static void
index_grow(struct leaves *L)
{
	size_t cap = L->cap ? 2 * L->cap : 1024, j;
	uint64_t id;

	pages_free(L->slot, L->cap * sizeof *L->slot);
	L->slot = pages_alloc(cap * sizeof *L->slot);
	L->cap = cap;
	for (id = 0; id < L->n; id++) {
		for (j = leaf_at(L, id)->hash & (cap - 1); L->slot[j]; j = (j + 1) & (cap - 1))
			;
		L->slot[j] = (uint32_t)(id + 1);
	}
}

/* The hash of a leaf key, eight bytes at a time: a key is every key
 * column of every table, some 50 to 100 bytes a row. */
static uint32_t
key_hash(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
		h ^= h >> 29;
	}
	h *= 0x9E3779B97F4A7C15ULL;
	return (uint32_t)(h >> 32);
}

/* The leaf of KEY, made when new (its key copied, unless SHARED: then KEY
 * lives as long as L's pool); NULL when there would be too many. */
static struct leaf *
leaf_get(struct leaves *L, const char *key, size_t len, uint32_t hash, int shared)
{
	struct leaf *leaf;
	size_t j;

	if (2 * (L->n + 1) > L->cap)
		index_grow(L);
	for (j = hash & (L->cap - 1); L->slot[j]; j = (j + 1) & (L->cap - 1)) {
		leaf = leaf_at(L, L->slot[j] - 1);
		if (leaf->hash == hash && leaf->keylen == len && memcmp(leaf->key, key, len) == 0)
			return leaf;
	}
	if (L->n == LEAF_MAX)
		return NULL;
	if (L->n == L->nblk * LEAF_BLOCK) {
		L->blk = kpo_xrealloc(L->blk, (L->nblk + 1) * sizeof *L->blk);
		L->blk[L->nblk++] = pages_alloc(LEAF_BLOCK * sizeof **L->blk);
	}
	leaf = leaf_at(L, L->n);
	memset(leaf, 0, sizeof *leaf);
	if (shared) {
		leaf->key = key;
	} else {
		char *copy = pool_take(&L->keys, len, 1);

		memcpy(copy, key, len);
		leaf->key = copy;
	}
	leaf->keylen = (uint32_t)len;
	leaf->hash = hash;
	leaf->id = (uint32_t)L->n;
	L->slot[j] = (uint32_t)++L->n;
	return leaf;
}

static void
leaves_free(struct leaves *L)
{
	uint64_t id;
	size_t b;

	for (id = 0; id < L->n; id++)
		if (L->blk[id / LEAF_BLOCK])
			free(leaf_at(L, id)->wide);
	for (b = 0; b < L->nblk; b++)
		pages_free(L->blk[b], LEAF_BLOCK * sizeof **L->blk);
	free(L->blk);
	pages_free(L->slot, L->cap * sizeof *L->slot);
	pool_free(&L->keys);
	memset(L, 0, sizeof *L);
}

/* TO += FROM, when it fits in TO: else -1, TO unchanged.  One test does
 * for every count, as none grows faster than items (a row adds at most 1
 * to each). */
static int
narrow_add(struct nacc *to, const struct acc *from)
{
	int64_t sum[11];
	int i = 0;

	if (from->items > (uint64_t)(UINT8_MAX - to->items) || from->ovh_n)
		return -1;      /* overheads only ever go to wide sums */
#define TRY_SUM(f) \
	if (from->f < INT64_MIN || from->f > INT64_MAX || __builtin_add_overflow(to->f, (int64_t)from->f, &sum[i++])) \
		return -1;
	ACC_SUMS(TRY_SUM)
#undef TRY_SUM
	i = 0;
#define SET_SUM(f) to->f = sum[i++];
	ACC_SUMS(SET_SUM)
#undef SET_SUM
	if (from->tat_n && (to->tat_n == 0 || from->tat_max > to->tat_max))
		to->tat_max = from->tat_max;
#define ADD_COUNT(f) to->f = (uint8_t)(to->f + from->f);
	ACC_COUNTS(ADD_COUNT)
#undef ADD_COUNT
	return 0;
}

/* TO += the narrow sums FROM. */
static void
acc_add_narrow(struct acc *to, const struct nacc *from)
{
#define ADD(f) to->f += from->f;
	ACC_SUMS(ADD)
	ACC_COUNTS(ADD)
#undef ADD
	if (from->tat_n && (to->tat_n == 0 || from->tat_max > to->tat_max))
		to->tat_max = from->tat_max;
}

static void acc_add(struct acc *to, const struct acc *from);

/* LEAF's sums, made wide. */
static struct acc *
leaf_wide(struct leaf *leaf)
{
	if (!leaf->wide) {
		leaf->wide = kpo_xcalloc(1, sizeof *leaf->wide);
		acc_add_narrow(leaf->wide, &leaf->n);
	}
	return leaf->wide;
}

/* LEAF's sums += A. */
static void
leaf_add(struct leaf *leaf, const struct acc *a)
{
	if (leaf->wide || narrow_add(&leaf->n, a) != 0)
		acc_add(leaf_wide(leaf), a);
}

/* TO += LEAF's sums. */
static void
leaf_sum(const struct leaf *leaf, struct acc *to)
{
	if (leaf->wide)
		acc_add(to, leaf->wide);
	else
		acc_add_narrow(to, &leaf->n);
}

static kpo_i128
leaf_cost(const struct leaf *leaf)
{
	return leaf->wide ? leaf->wide->cost : leaf->n.cost;
}

static uint64_t
leaf_tat_n(const struct leaf *leaf)
{
	return leaf->wide ? leaf->wide->tat_n : leaf->n.tat_n;
}

/* The accumulator of the row's key combination, or NULL when there are too
 * many.  The key is each column's length (4 bytes) and bytes. */
static struct leaf *
find_leaf(struct kpo_metrics *m, struct kpo_metrics_input *in, const struct kpo_record *rec, int priced)
{
	size_t need = 1, len = 0, k;
	struct leaf *leaf;

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
	/* With overheads, rows with and without a baseline apart, so that the
	 * overheads they carry can be told apart (net_savings is over the
	 * first). */
	if (m->ovh)
		m->keybuf[len++] = (char)priced;
	if (in->last && len == in->last->keylen && memcmp(m->keybuf, in->last->key, len) == 0)
		return in->last;
	leaf = leaf_get(&m->leaves, m->keybuf, len, key_hash(m->keybuf, len), 0);
	if (leaf)
		in->last = leaf;
	return leaf;
}

/* Turnarounds a merge reads before it gives their pages back: 512 KiB, a
 * whole number of pages of any size up to that. */
#define TAT_CHUNK ((size_t)1 << 16)

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

/* A += the row's sums. */
static void
accumulate(const struct kpo_metrics *m, struct acc *a, const struct row *row)
{

	a->items++;
	if (row->delivered)
		a->delivered++;
	else if (row->on_time == 0)
		a->overdue++;
	add_sum(&a->hours, &a->n_hours, row->has[N_HOURS], row->v[N_HOURS]);
	add_sum(&a->cost, &a->n_cost, row->has[N_COST], row->v[N_COST]);
	add_sum(&a->baseline, &a->n_baseline, row->has[N_BASELINE], row->v[N_BASELINE]);
	add_sum(&a->savings, &a->n_savings, row->has[N_SAVINGS], row->v[N_SAVINGS]);
	if (row->has[N_COST] && row->has[N_HOURS]) {
		a->rate_cost += row->v[N_COST];
		a->rate_hours += row->v[N_HOURS];
		a->n_rate++;
	}
	if (row->priced) {
		a->pct_baseline += row->v[N_BASELINE];
		a->pct_savings += row->v[N_SAVINGS];
		a->n_pct++;
	}
	add_sum(&a->quality, &a->quality_n, row->has[N_QUALITY], row->v[N_QUALITY]);
	if (row->delivered) {
		int defect = row->has[N_DEFECTS] && row->v[N_DEFECTS] > 0;

		if (row->has[N_DEFECTS])
			a->defects += row->v[N_DEFECTS];
		if (defect)
			a->defective++;
		if (row->reworked == 1)
			a->reworked++;
		else if (!defect)
			a->first_pass++;
		if (row->has[N_TAT]) {
			if (a->tat_n == 0 || row->tat > a->tat_max)
				a->tat_max = row->tat;
			a->tat_sum += row->tat;
			a->tat_n++;
		}
	}
	if (row->on_time >= 0) {
		a->on_time += (uint64_t)row->on_time;
		a->on_time_known++;
	}
	if (row->delivered) {
		if (row->on_time >= 0) {
			a->sla_met += row->on_time == 1;
			a->sla_n++;
		}
	} else {
		int64_t age = m->opt.as_of - row->requested;
		int64_t days = age >= 0 ? age / 86400 : 0;      /* requested after as-of: 0 */

		a->age[days <= 7 ? 0 : days <= 30 ? 1 : days <= 90 ? 2 : 3]++;
		a->sla_n += row->list == KPO_L_BREACHED;
		a->at_risk += row->list == KPO_L_AT_RISK;
	}
}

/* The number of the one copy of S in M's texts; T, when not NULL, is S
 * already in a pool M has. */
static uint32_t
intern(struct kpo_metrics *m, const char *s, size_t n, const struct text *t)
{
	void **slot;

	if (!m->names)
		m->names = kpo_strmap_new();
	slot = kpo_strmap_get(m->names, s, n, 1);
	if (!*slot) {
		if (!t) {
			struct text *copy = pool_alloc(&m->pool, sizeof *copy + n);

			copy->len = (uint32_t)n;
			memcpy(copy->s, s, n);
			t = copy;
		}
		if (m->ntexts == m->textcap) {
			m->textcap = m->textcap ? 2 * m->textcap : 64;
			m->texts = kpo_xrealloc(m->texts, m->textcap * sizeof *m->texts);
		}
		m->texts[m->ntexts++] = t;
		*slot = (void *)(uintptr_t)m->ntexts;
	}
	return (uint32_t)((uintptr_t)*slot - 1);
}

/* Where the :LINE of SOURCE begins, its number plus 1 in *LINE; N and 0
 * when it has none that would be written back the same (digits, no leading
 * zero, at most 9). */
static size_t
source_line(const char *s, size_t n, uint32_t *line)
{
	size_t i = n, d;
	uint32_t v = 0;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	d = n - i;
	*line = 0;
	if (d == 0 || d > 9 || i == 0 || s[i - 1] != ':' || (d > 1 && s[i] == '0'))
		return n;
	for (; i < n; i++)
		v = 10 * v + (uint32_t)(s[i] - '0');
	*line = v + 1;
	return n - d - 1;
}

/* Keeps an open row of a bundle's exception list: its few fields only. */
static void
keep_item(struct kpo_metrics *m, const struct kpo_metrics_input *in, const struct kpo_record *rec,
    const struct row *row)
{
	struct item_list *l = &m->list[row->list];
	size_t k, tasklen = rec->len[in->item[IT_TASK]];
	struct open_item *it = pool_take(&m->pool, sizeof *it + tasklen, _Alignof(struct open_item));

	it->requested = row->requested;
	it->due = row->due;
	it->tasklen = (uint32_t)tasklen;
	memcpy(it->task, rec->f[in->item[IT_TASK]], tasklen);
	for (k = 0; k < 2; k++)
		it->name[k] = intern(m, rec->f[in->item[IT_VENDOR + k]], rec->len[in->item[IT_VENDOR + k]], NULL);
	if (in->source >= 0) {
		const char *src = rec->f[in->source];
		size_t n = rec->len[in->source], colon = source_line(src, n, &it->line);

		it->name[2] = intern(m, src, colon, NULL);
	} else {
		it->line = 0;
		it->name[2] = intern(m, "", 0, NULL);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = kpo_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = it;
}

int
kpo_metrics_add(struct kpo_metrics *m, struct kpo_metrics_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v)
{
	struct leaf *leaf;
	struct row row;

	if (read_row(rec, in, &row, m->opt.as_of, v) != 0)
		return -1;
	if (!(leaf = find_leaf(m, in, rec, row.priced)))
		return KPO_METRICS_FULL;
	if (leaf->wide) {
		accumulate(m, leaf->wide, &row);
	} else {
		struct acc one;

		memset(&one, 0, sizeof one);
		accumulate(m, &one, &row);
		leaf_add(leaf, &one);
	}
	if (row.delivered && row.has[N_TAT])
		keep_tat(m, (uint64_t)(row.tat + TAT_BIAS) << LEAF_BITS | leaf->id);
	if (row.list >= 0 && m->opt.bundle)
		keep_item(m, in, rec, &row);
	return 0;
}

/* ---- Merging ---- */

/* TO has nothing yet: it takes FROM's leaves, turnarounds and lists as
 * they are, rather than a copy of each (one part, or the first: half the
 * memory of --by task_id). */
static int
adopt(struct kpo_metrics *to, struct kpo_metrics *from)
{
	struct leaves leaves = to->leaves;
	uint64_t *tat = to->tat;
	size_t tatcap = to->tatcap, l;

	for (l = 0; l < KPO_NLISTS; l++)
		if (to->list[l].n)
			return -1;
	to->leaves = from->leaves;
	from->leaves = leaves;
	to->tat = from->tat;
	to->ntat = from->ntat;
	to->tatcap = from->tatcap;
	from->tat = tat;
	from->ntat = 0;
	from->tatcap = tatcap;
	for (l = 0; l < KPO_NLISTS; l++) {
		struct item_list *a = &to->list[l], *b = &from->list[l];
		struct open_item **v = a->v;
		size_t cap = a->cap;

		a->v = b->v;
		a->n = b->n;
		a->cap = b->cap;
		b->v = v;
		b->n = 0;
		b->cap = cap;
	}
	pool_move(&to->pool, &from->pool);
	{
		struct kpo_strmap *names = to->names;
		const struct text **texts = to->texts;
		size_t ntexts = to->ntexts, textcap = to->textcap;

		to->names = from->names, to->texts = from->texts;
		to->ntexts = from->ntexts, to->textcap = from->textcap;
		from->names = names, from->texts = texts;
		from->ntexts = ntexts, from->textcap = textcap;
	}
	return 0;
}

/* Adds FROM's leaves to TO's, in FROM's order of first rows (so TO numbers
 * its new leaves as one reader of both inputs would have), sharing their
 * keys; FROM's blocks go back as they are read.  ID: FROM's numbers in TO. */
static int
merge_leaves(struct leaves *to, struct leaves *from, uint32_t *id)
{
	uint64_t k;
	int status = 0;

	pages_free(from->slot, from->cap * sizeof *from->slot);  /* not looked up again */
	from->slot = NULL;
	from->cap = 0;
	for (k = 0; k < from->n && status == 0; k++) {
		struct leaf *f = leaf_at(from, k), *t = leaf_get(to, f->key, f->keylen, f->hash, 1);

		if (!t) {
			status = KPO_METRICS_FULL;
			break;
		}
		if (f->wide) {
			leaf_add(t, f->wide);
		} else {
			struct acc a;

			memset(&a, 0, sizeof a);
			acc_add_narrow(&a, &f->n);
			leaf_add(t, &a);
		}
		id[k] = t->id;
		if ((k + 1) % LEAF_BLOCK == 0 || k + 1 == from->n) {
			uint64_t b = k / LEAF_BLOCK, i;

			for (i = b * LEAF_BLOCK; i <= k; i++)
				free(leaf_at(from, i)->wide);
			pages_free(from->blk[b], LEAF_BLOCK * sizeof **from->blk);
			from->blk[b] = NULL;
		}
	}
	pool_move(&to->keys, &from->keys);      /* TO's new leaves' keys */
	return status;
}

int
kpo_metrics_merge(struct kpo_metrics *to, struct kpo_metrics *from)
{
	const uint64_t mask = ((uint64_t)1 << LEAF_BITS) - 1;
	uint32_t *id, *tid;
	size_t i, l, k;
	int status;

	if (to->leaves.n == 0 && to->ntat == 0 && adopt(to, from) == 0)
		return 0;
	id = kpo_xcalloc(from->leaves.n + 1, sizeof *id);
	if ((status = merge_leaves(&to->leaves, &from->leaves, id)) != 0) {
		free(id);
		return status;
	}
	/* FROM's pages go back as they are read: the two arrays never take more
	 * than the merged one and a chunk. */
	for (i = 0; i < from->ntat; i++) {
		keep_tat(to, (from->tat[i] & ~mask) | id[from->tat[i] & mask]);
		if ((i + 1) % TAT_CHUNK == 0)
			madvise((char *)from->tat + (i + 1 - TAT_CHUNK) * sizeof *from->tat, TAT_CHUNK * sizeof *from->tat,
			    MADV_DONTNEED);
	}
	/* FROM's items name its texts by its numbers: TO's instead. */
	tid = kpo_xcalloc(from->ntexts + 1, sizeof *tid);
	for (i = 0; i < from->ntexts; i++)
		tid[i] = intern(to, from->texts[i]->s, from->texts[i]->len, from->texts[i]);
	for (l = 0; l < KPO_NLISTS; l++) {
		struct item_list *a = &to->list[l], *b = &from->list[l];

		for (i = 0; i < b->n; i++)
			for (k = 0; k < 3; k++)
				b->v[i]->name[k] = tid[b->v[i]->name[k]];
		if (b->n == 0)
			continue;
		if (a->n + b->n > a->cap) {
			a->cap = a->n + b->n > 2 * a->cap ? a->n + b->n : 2 * a->cap;
			a->v = kpo_xrealloc(a->v, a->cap * sizeof *a->v);
		}
		memcpy(a->v + a->n, b->v, b->n * sizeof *b->v);
		a->n += b->n;
		b->n = 0;
	}
	pool_move(&to->pool, &from->pool);      /* the items and their texts */
	free(tid);
	free(id);
	return 0;
}
/* ---- Groups ---- */

static void
acc_add(struct acc *to, const struct acc *from)
{
	int k;

	to->hours += from->hours;
	to->cost += from->cost;
	to->baseline += from->baseline;
	to->savings += from->savings;
	to->pct_baseline += from->pct_baseline;
	to->pct_savings += from->pct_savings;
	to->quality += from->quality;
	to->defects += from->defects;
	to->tat_sum += from->tat_sum;
	to->rate_cost += from->rate_cost;
	to->rate_hours += from->rate_hours;
	for (k = 0; k < KPO_NCOSTKINDS; k++)
		to->ovh[k] += from->ovh[k];
	to->ovh_unpriced += from->ovh_unpriced;
	to->n_rate += from->n_rate;
	to->defective += from->defective;
	to->ovh_n += from->ovh_n;
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
	to->sla_met += from->sla_met;
	to->sla_n += from->sla_n;
	to->at_risk += from->at_risk;
	for (int k = 0; k < 4; k++)
		to->age[k] += from->age[k];
}

static void
want_quantiles(struct quant *q, uint64_t n)
{
	int k;

	for (k = 0; k < NQ && n; k++)
		kpo_q7_rank(n, pcts[k], &q->lo[k], &q->rem[k]);
}

static inline void
observe(struct quant *q, int64_t v)
{
	uint64_t r = q->seen++;
	int k;

	for (k = 0; k < NQ; k++) {
		if (r == q->lo[k])
			q->xlo[k] = v;
		else if (r == q->lo[k] + 1)
			q->xhi[k] = v;
	}
}

/* The quantiles of a group of at most two turnarounds, from its sums: the
 * largest, and the sum less it.  (Most groups of --by task_id: no state of
 * their own for the sorted turnarounds to fill.) */
static void
few_quantiles(struct group *grp)
{
	memset(&grp->q, 0, sizeof grp->q);
	want_quantiles(&grp->q, grp->a.tat_n);
	if (grp->a.tat_n == 2)
		observe(&grp->q, (int64_t)(grp->a.tat_sum - grp->a.tat_max));
	if (grp->a.tat_n >= 1)
		observe(&grp->q, grp->a.tat_max);
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn);
static const char *leaf_field(const char *p, size_t k, size_t *len);
static void vendor_cost(struct group *g, kpo_i128 c12);

/* Leaves A and B by the key columns of table G (none when NULL), then, when
 * BY_VENDOR, by vendor. */
static int
leaf_group_cmp(const struct kpo_metrics *m, const struct grouping *g, const struct leaf *a, const struct leaf *b,
    int by_vendor)
{
	const char *as, *bs;
	size_t k, an, bn;
	int c;

	for (k = 0; g && k < g->nkeys; k++) {
		as = leaf_field(a->key, g->col[k], &an);
		bs = leaf_field(b->key, g->col[k], &bn);
		if ((c = bytes_cmp(as, an, bs, bn)) != 0)
			return c;
	}
	if (!by_vendor)
		return 0;
	as = leaf_field(a->key, m->kv, &an);
	bs = leaf_field(b->key, m->kv, &bn);
	return bytes_cmp(as, an, bs, bn);
}

/* A leaf to sort, with the first 8 bytes of its first sort column,
 * big-endian and padded with 0, where most comparisons end. */
struct sortleaf {
	uint64_t prefix;
	uint32_t id;
};

struct sortctx {
	const struct kpo_metrics *m;
	const struct grouping *g;
};

static int
sortleaf_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct sortleaf *a = pa, *b = pb;
	const struct sortctx *x = ctx;

	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return leaf_group_cmp(x->m, x->g, leaf_at(&x->m->leaves, a->id), leaf_at(&x->m->leaves, b->id), 1);
}

/* M's leaves in the order of the groups of table G, each group's by
 * vendor; G NULL: by vendor alone. */
static uint32_t *
sorted_leaves(const struct kpo_metrics *m, const struct grouping *g)
{
	uint64_t n = m->leaves.n, i;
	struct sortleaf *s = kpo_xcalloc(n + 1, sizeof *s);
	uint32_t *order = kpo_xcalloc(n + 1, sizeof *order);
	struct sortctx x = { m, g };
	size_t col = g && g->nkeys ? g->col[0] : m->kv;

	for (i = 0; i < n; i++) {
		size_t len, b;
		const unsigned char *f = (const unsigned char *)leaf_field(leaf_at(&m->leaves, i)->key, col, &len);

		for (b = 0; b < 8; b++)
			s[i].prefix = s[i].prefix << 8 | (b < len ? f[b] : 0);
		s[i].id = (uint32_t)i;
	}
	qsort_r(s, n, sizeof *s, sortleaf_cmp, &x);
	for (i = 0; i < n; i++)
		order[i] = s[i].id;
	free(s);
	return order;
}

/* The vendors of the leaves ORDER (N of them, by vendor) into GRP's
 * concentration. */
static void
vendor_costs(const struct kpo_metrics *m, const uint32_t *order, size_t n, struct group *grp)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		const struct leaf *first = leaf_at(&m->leaves, order[i]);
		kpo_i128 c = leaf_cost(first);

		for (j = i + 1; j < n; j++) {
			const struct leaf *leaf = leaf_at(&m->leaves, order[j]);

			if (leaf_group_cmp(m, NULL, first, leaf, 1) != 0)
				break;
			c += leaf_cost(leaf);
		}
		vendor_cost(grp, c);
	}
}

/* Sorts the leaves into the groups of table G: their runs, and the
 * quantile state of those of more than two turnarounds. */
static void
group_leaves(struct kpo_metrics *m, struct grouping *g)
{
	uint64_t n = m->leaves.n, i, j;
	size_t cap = 0;

	g->order = sorted_leaves(m, g);
	g->of_leaf = kpo_xcalloc(n + 1, sizeof *g->of_leaf);
	g->first = kpo_xcalloc(n + 1, sizeof *g->first);
	g->ngroups = 0;
	for (i = 0; i < n; i++) {
		const struct leaf *leaf = leaf_at(&m->leaves, g->order[i]);

		if (i == 0 || leaf_group_cmp(m, g, leaf_at(&m->leaves, g->order[i - 1]), leaf, 0) != 0)
			g->first[g->ngroups++] = (uint32_t)i;
		g->of_leaf[leaf->id] = (uint32_t)(g->ngroups - 1);
	}
	g->first[g->ngroups] = (uint32_t)n;
	g->first = kpo_xrealloc(g->first, (g->ngroups + 1) * sizeof *g->first);
	g->quant_of = kpo_xcalloc(g->ngroups + 1, sizeof *g->quant_of);
	for (i = 0; i < g->ngroups; i++) {
		uint64_t tat_n = 0;

		for (j = g->first[i]; j < g->first[i + 1]; j++)
			tat_n += leaf_tat_n(leaf_at(&m->leaves, g->order[j]));
		if (tat_n <= 2)
			continue;
		if (g->nquants == cap) {
			cap = cap ? 2 * cap : 64;
			g->quants = kpo_xrealloc(g->quants, cap * sizeof *g->quants);
		}
		memset(&g->quants[g->nquants], 0, sizeof *g->quants);
		want_quantiles(&g->quants[g->nquants], tat_n);
		g->quant_of[i] = (uint32_t)++g->nquants;
	}
}

/* Group I of table G as the metrics read it, into GRP (whose key arrays
 * hold G's keys). */
static void
group_at(const struct kpo_metrics *m, const struct grouping *g, size_t i, struct group *grp)
{
	uint32_t from = g->first[i], to = g->first[i + 1], j;
	const struct leaf *lead = leaf_at(&m->leaves, g->order[from]);
	const char **key = grp->key;
	size_t *keylen = grp->keylen, k;

	memset(grp, 0, sizeof *grp);
	grp->key = key;
	grp->keylen = keylen;
	for (j = from; j < to; j++)
		leaf_sum(leaf_at(&m->leaves, g->order[j]), &grp->a);
	vendor_costs(m, g->order + from, to - from, grp);
	if (g->quant_of[i])
		grp->q = g->quants[g->quant_of[i] - 1];
	else
		few_quantiles(grp);
	for (k = 0; k < g->nkeys; k++)
		grp->key[k] = leaf_field(lead->key, g->col[k], &grp->keylen[k]);
	grp->ovh = m->ovh;
}

/* ---- Overheads: the costs table and the default governance, allocated ----
 *
 * Why here and not in kpo-enrich: a cost is not a property of a task row but
 * of a vendor, domain and month, and a cost without a domain is spread over
 * the vendor's domains by their cost shares, which are known only when every
 * row has been read.  kpo-enrich writes each row as it reads it; it could
 * only add such costs as rows that are not tasks at the end of its stream,
 * which every reader of the stream (items, delivered, --by task_id, awk)
 * would then have to skip.  kpo-metrics has the sums already: every leaf
 * (one per combination of key columns, always with vendor, domain and month
 * among them) holds its cost.  So memory stays one accumulator per leaf plus
 * one cell per vendor x domain x month, and the enriched stream's contract
 * is unchanged.
 *
 * The steps, each exact in 1/10^4 of the base currency:
 *  1. every leaf joins the cell of its vendor, domain and month, weighted by
 *     its cost (1/10^4, a negative one as 0);
 *  2. --governance-pct P gives each cell of a vendor without governance rows
 *     P % of the cell's cost, rounded half to even;
 *  3. a costs amount with a domain goes to its cell; one without is split
 *     over the vendor's cells of that month by weight, else (no cost that
 *     month) over the vendor's domains by their weight in the whole input,
 *     else it stays in the cell with an empty domain;
 *  4. each cell's amount of each kind is split over its leaves by weight
 *     (by items when the cell has no cost); a cell with no leaf gets one,
 *     with its vendor, domain and month and every other key empty.
 * Every split (apportion) gives each part floor(amount x w / W) and the
 * units left over, one each, to the largest remainders, ties to the part
 * first in key order, so the parts add up to the amount and nothing depends
 * on the order of the rows. */

struct aleaf {
	const char *key;        /* the leaf's */
	size_t n;
	struct leaf *leaf;
	kpo_i128 w;
};

struct cell {
	const char *v, *d, *mo; /* into a leaf key or a costs entry */
	size_t vn, dn, mn;
	struct aleaf *l;
	size_t nl, capl;
	kpo_i128 cost, w;       /* 1/10^12 (the default governance), 1/10^4 */
	kpo_i128 amt[KPO_NCOSTKINDS];
	int got, stream;        /* overheads come here; made from rows */
};

struct alloc {
	struct kpo_metrics *m;
	struct kpo_strmap *map; /* cell key -> struct cell */
	struct cell **cells;
	size_t ncells, cap, nstream;
	char *kbuf;
	size_t kcap;
};

/* Bytes, then length: the order of names everywhere. */
static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* Leaf keys in key order: column by column as bytes, then the flag. */
static int
leafkey_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	const char *ae = a + an - 1, *be = b + bn - 1;
	int c;

	while (a < ae && b < be) {
		uint32_t la, lb;

		memcpy(&la, a, 4);
		memcpy(&lb, b, 4);
		if ((c = bytes_cmp(a + 4, la, b + 4, lb)) != 0)
			return c;
		a += 4 + la;
		b += 4 + lb;
	}
	return (*ae > *be) - (*ae < *be);
}

/* Field K of a leaf key. */
static const char *
leaf_field(const char *p, size_t k, size_t *len)
{
	uint32_t n;

	for (;;) {
		memcpy(&n, p, 4);
		if (k-- == 0)
			break;
		p += 4 + n;
	}
	*len = n;
	return p + 4;
}

static struct cell *
get_cell(struct alloc *A, const char *v, size_t vn, const char *d, size_t dn, const char *mo, size_t mn)
{
	size_t len = 12 + vn + dn + mn;
	uint32_t l;
	void **slot;
	struct cell *c;

	if (len > A->kcap) {
		A->kcap = 2 * len;
		A->kbuf = kpo_xrealloc(A->kbuf, A->kcap);
	}
	l = (uint32_t)vn, memcpy(A->kbuf, &l, 4), memcpy(A->kbuf + 4, v, vn);
	l = (uint32_t)dn, memcpy(A->kbuf + 4 + vn, &l, 4), memcpy(A->kbuf + 8 + vn, d, dn);
	l = (uint32_t)mn, memcpy(A->kbuf + 8 + vn + dn, &l, 4), memcpy(A->kbuf + 12 + vn + dn, mo, mn);
	slot = kpo_strmap_get(A->map, A->kbuf, len, 1);
	if (!*slot) {
		c = kpo_xcalloc(1, sizeof *c);
		c->v = v, c->vn = vn, c->d = d, c->dn = dn, c->mo = mo, c->mn = mn;
		if (A->ncells == A->cap) {
			A->cap = A->cap ? 2 * A->cap : 256;
			A->cells = kpo_xrealloc(A->cells, A->cap * sizeof *A->cells);
		}
		A->cells[A->ncells++] = c;
		*slot = c;
	}
	return *slot;
}

static void
cell_leaf(struct alloc *A, struct leaf *leaf)
{
	const char *key = leaf->key, *v, *d, *mo;
	size_t n = leaf->keylen, vn, dn, mn;
	struct cell *c;
	kpo_i128 w = kpo_div_round(leaf_wide(leaf)->cost, 100000000);

	v = leaf_field(key, A->m->kv, &vn);
	d = leaf_field(key, A->m->kd, &dn);
	mo = leaf_field(key, A->m->km, &mn);
	c = get_cell(A, v, vn, d, dn, mo, mn);
	c->stream = 1;
	if (c->nl == c->capl) {
		c->capl = c->capl ? 2 * c->capl : 4;
		c->l = kpo_xrealloc(c->l, c->capl * sizeof *c->l);
	}
	c->l[c->nl].key = key;
	c->l[c->nl].n = n;
	c->l[c->nl].leaf = leaf;
	c->l[c->nl].w = w > 0 ? w : 0;
	c->w += c->l[c->nl].w;
	c->cost += leaf->wide->cost;
	c->nl++;
}

struct part {
	kpo_i128 rem;
	size_t i;
};

static int
part_cmp(const void *pa, const void *pb)
{
	const struct part *a = pa, *b = pb;

	if (a->rem != b->rem)
		return a->rem < b->rem ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);
}

/* Splits AMOUNT (>= 0) into OUT[0..N) by the weights W (>= 0, some > 0),
 * in the caller's order for ties. */
static void
apportion(kpo_i128 amount, kpo_i128 *w, size_t n, kpo_i128 *out)
{
	struct part *p = kpo_xcalloc(n, sizeof *p);
	kpo_i128 W = 0, left = amount, prod;
	size_t i;

	for (i = 0; i < n; i++)
		W += w[i];
	/* Astronomic amounts: halve the weights until the products fit. */
	while (__builtin_mul_overflow(amount, W, &prod)) {
		for (W = 0, i = 0; i < n; i++)
			W += (w[i] /= 2);
	}
	if (W == 0)
		for (i = 0; i < n; i++)
			W += (w[i] = 1);
	for (i = 0; i < n; i++) {
		out[i] = amount * w[i] / W;
		p[i].rem = amount * w[i] % W;
		p[i].i = i;
		left -= out[i];
	}
	qsort(p, n, sizeof *p, part_cmp);
	for (i = 0; i < n && left > 0; i++, left--)
		out[p[i].i]++;
	free(p);
}

static int
cell_vmd_cmp(const void *pa, const void *pb)
{
	const struct cell *a = *(const struct cell *const *)pa, *b = *(const struct cell *const *)pb;
	int c;

	if ((c = bytes_cmp(a->v, a->vn, b->v, b->vn)) != 0 || (c = bytes_cmp(a->mo, a->mn, b->mo, b->mn)) != 0)
		return c;
	return bytes_cmp(a->d, a->dn, b->d, b->dn);
}

static int
cell_vd_cmp(const void *pa, const void *pb)
{
	const struct cell *a = *(const struct cell *const *)pa, *b = *(const struct cell *const *)pb;
	int c;

	if ((c = bytes_cmp(a->v, a->vn, b->v, b->vn)) != 0 || (c = bytes_cmp(a->d, a->dn, b->d, b->dn)) != 0)
		return c;
	return bytes_cmp(a->mo, a->mn, b->mo, b->mn);
}

/* The first of the sorted cells BY[0..N) not before vendor V (and month MO
 * when not NULL). */
static size_t
lower_bound(struct cell **by, size_t n, const char *v, size_t vn, const char *mo, size_t mn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bytes_cmp(by[mid]->v, by[mid]->vn, v, vn);

		if (c == 0 && mo)
			c = bytes_cmp(by[mid]->mo, by[mid]->mn, mo, mn);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A cost without a domain: over the vendor's domains that month, else over
 * its domains in the whole input, else the cell of no domain. */
static void
split_domains(struct alloc *A, struct cell **vmd, struct cell **vd, const struct kpo_cost *e)
{
	size_t n = A->nstream, i, j, k, np = 0;
	struct cell **part = kpo_xcalloc(n + 1, sizeof *part);
	kpo_i128 *w = kpo_xcalloc(n + 1, sizeof *w), *out = kpo_xcalloc(n + 1, sizeof *out), W = 0;

	for (i = lower_bound(vmd, n, e->vendor, e->vlen, e->month, 7); i < n &&
	    bytes_cmp(vmd[i]->v, vmd[i]->vn, e->vendor, e->vlen) == 0 &&
	    bytes_cmp(vmd[i]->mo, vmd[i]->mn, e->month, 7) == 0; i++)
		if (vmd[i]->w > 0) {
			part[np] = vmd[i];
			w[np] = vmd[i]->w;
			W += w[np++];
		}
	if (W > 0) {
		apportion(e->amount, w, np, out);
		for (k = 0; k < np; k++) {
			part[k]->amt[e->kind] += out[k];
			part[k]->got = 1;
		}
	} else {
		/* The vendor's domains over every month, in domain order. */
		for (np = 0, i = lower_bound(vd, n, e->vendor, e->vlen, NULL, 0);
		    i < n && bytes_cmp(vd[i]->v, vd[i]->vn, e->vendor, e->vlen) == 0; i = j) {
			kpo_i128 dw = 0;

			for (j = i; j < n && bytes_cmp(vd[j]->v, vd[j]->vn, e->vendor, e->vlen) == 0 &&
			    bytes_cmp(vd[j]->d, vd[j]->dn, vd[i]->d, vd[i]->dn) == 0; j++)
				dw += vd[j]->w;
			if (dw > 0) {
				part[np] = vd[i];
				w[np] = dw;
				W += w[np++];
			}
		}
		if (W > 0)
			apportion(e->amount, w, np, out);
		for (k = 0; k < np; k++) {
			struct cell *c = get_cell(A, e->vendor, e->vlen, part[k]->d, part[k]->dn, e->month, 7);

			c->amt[e->kind] += out[k];
			c->got = 1;
		}
		if (W == 0) {
			struct cell *c = get_cell(A, e->vendor, e->vlen, "", 0, e->month, 7);

			c->amt[e->kind] += e->amount;
			c->got = 1;
		}
	}
	free(part);
	free(w);
	free(out);
}

/* P % of COST (1/10^12) in 1/10^4, rounded half to even. */
static kpo_i128
percent_of(kpo_i128 cost, struct kpo_dec p)
{
	kpo_i128 den = 100 * (kpo_i128)100000000, num;
	int s;

	for (s = 0; s < p.scale; s++)
		den *= 10;
	if (__builtin_mul_overflow(cost, (kpo_i128)p.m, &num))
		return kpo_div_round(kpo_div_round(cost, 100000000) * p.m, den / 100000000);
	return kpo_div_round(num, den);
}

static int
aleaf_cmp(const void *pa, const void *pb)
{
	const struct aleaf *a = pa, *b = pb;

	return leafkey_cmp(a->key, a->n, b->key, b->n);
}

/* A cell without rows gets a leaf of its own. */
static void
orphan_leaf(struct alloc *A, struct cell *c)
{
	struct kpo_metrics *m = A->m;
	size_t len = 1, k;
	struct leaf *leaf;
	char *key;

	for (k = 0; k < m->nkeycol; k++)
		len += 4 + (k == m->kv ? c->vn : k == m->kd ? c->dn : k == m->km ? c->mn : 0);
	key = kpo_xmalloc(len);
	for (len = 0, k = 0; k < m->nkeycol; k++) {
		const char *s = k == m->kv ? c->v : k == m->kd ? c->d : k == m->km ? c->mo : "";
		uint32_t n = (uint32_t)(k == m->kv ? c->vn : k == m->kd ? c->dn : k == m->km ? c->mn : 0);

		memcpy(key + len, &n, 4);
		memcpy(key + len + 4, s, n);
		len += 4 + n;
	}
	key[len++] = 2;         /* after the leaves of rows: 0 without a baseline, 1 with */
	leaf = leaf_get(&m->leaves, key, len, key_hash(key, len), 0);
	free(key);
	if (!leaf)
		kpo_errx(EX_SOFTWARE, "--costs: too many key combinations");
	leaf_wide(leaf);
	c->capl = 1;
	c->l = kpo_xcalloc(1, sizeof *c->l);
	c->l[0].leaf = leaf;
	c->l[0].key = leaf->key;
	c->l[0].n = leaf->keylen;
	c->nl = 1;
}

/* Step 4 for one cell. */
static void
spread_cell(struct alloc *A, struct cell *c)
{
	kpo_i128 *w, *out;
	size_t i;
	int k;

	if (!c->got)
		return;
	if (c->nl == 0)
		orphan_leaf(A, c);
	else if (c->nl > 1)
		qsort(c->l, c->nl, sizeof *c->l, aleaf_cmp);
	w = kpo_xcalloc(c->nl, sizeof *w);
	out = kpo_xcalloc(c->nl, sizeof *out);
	for (k = 0; k < KPO_NCOSTKINDS; k++) {
		for (i = 0; i < c->nl; i++)
			w[i] = c->w > 0 ? c->l[i].w : (kpo_i128)c->l[i].leaf->wide->items;
		apportion(c->amt[k], w, c->nl, out);
		for (i = 0; i < c->nl; i++) {
			struct acc *a = c->l[i].leaf->wide;

			a->ovh[k] += out[i] * 100000000;
			if (c->l[i].key[c->l[i].n - 1] == 0)
				a->ovh_unpriced += out[i] * 100000000;
		}
	}
	for (i = 0; i < c->nl; i++)
		c->l[i].leaf->wide->ovh_n++;
	free(w);
	free(out);
}

static void
allocate_overheads(struct kpo_metrics *m)
{
	struct alloc A = { .m = m };
	struct cell **vmd, **vd;
	size_t i, n;

	A.map = kpo_strmap_new();
	for (i = 0; i < m->leaves.n; i++)
		cell_leaf(&A, leaf_at(&m->leaves, i));
	n = A.nstream = A.ncells;
	if (m->has_gov_pct)
		for (i = 0; i < n; i++) {
			struct cell *c = A.cells[i];

			if (c->cost > 0 && !(m->costs && kpo_strmap_get(m->costs->governed, c->v, c->vn, 0))) {
				c->amt[KPO_COST_GOVERNANCE] += percent_of(c->cost, m->gov_pct);
				c->got = 1;
			}
		}
	vmd = kpo_xcalloc(n + 1, sizeof *vmd);
	vd = kpo_xcalloc(n + 1, sizeof *vd);
	if (n) {
		memcpy(vmd, A.cells, n * sizeof *vmd);
		memcpy(vd, A.cells, n * sizeof *vd);
	}
	qsort(vmd, n, sizeof *vmd, cell_vmd_cmp);
	qsort(vd, n, sizeof *vd, cell_vd_cmp);
	for (i = 0; m->costs && i < m->costs->n; i++) {
		const struct kpo_cost *e = &m->costs->c[i];
		size_t at = lower_bound(vd, n, e->vendor, e->vlen, NULL, 0);

		/* A vendor spelled differently in the costs table would be a
		 * group of its own: say so (the entries are in vendor order). */
		if ((at == n || bytes_cmp(vd[at]->v, vd[at]->vn, e->vendor, e->vlen) != 0) &&
		    (i == 0 || bytes_cmp(m->costs->c[i - 1].vendor, m->costs->c[i - 1].vlen, e->vendor, e->vlen) != 0))
			kpo_warnx("--costs: vendor '%.*s' has no rows in the stream; its costs are counted under it alone",
			    (int)(e->vlen > 80 ? 80 : e->vlen), e->vendor);

		if (e->dlen == 0) {
			split_domains(&A, vmd, vd, e);
		} else {
			struct cell *c = get_cell(&A, e->vendor, e->vlen, e->domain, e->dlen, e->month, 7);

			c->amt[e->kind] += e->amount;
			c->got = 1;
		}
	}
	for (i = 0; i < A.ncells; i++)
		spread_cell(&A, A.cells[i]);
	for (i = 0; i < A.ncells; i++) {
		free(A.cells[i]->l);
		free(A.cells[i]);
	}
	free(vmd);
	free(vd);
	free(A.cells);
	free(A.kbuf);
	kpo_strmap_free(A.map);
}

/* ---- Vendor concentration: each group's vendors and their cost ---- */

#define HHI_EXACT ((kpo_i128)1 << 52)  /* 10^4 x 10^2 x sum^2 fits in 127 bits */

static void
vendor_cost(struct group *g, kpo_i128 c12)
{
	kpo_i128 c = kpo_div_round(c12, 100000000);

	if (c < 0)
		g->hhi_neg = 1;
	g->hhi_dsq += (double)c * (double)c;
	g->hhi_dsum += (double)c;
	if ((double)c > g->hhi_dmax)
		g->hhi_dmax = (double)c;
	g->hhi_sq += c * c;     /* meaningless once big, and never read then */
	g->hhi_sum += c;
	if (c > g->hhi_max)
		g->hhi_max = c;
	if (g->hhi_sum >= HHI_EXACT || c >= HHI_EXACT)
		g->hhi_big = 1;
}

/* Allocates the overheads, folds the leaves into the groups of every table
 * and finds the quantiles and the vendor shares. */
void
kpo_metrics_build(struct kpo_metrics *m)
{
	uint32_t *by_vendor;
	size_t gi, i;

	if (m->ovh)
		allocate_overheads(m);  /* may add leaves */
	for (gi = 0; gi < m->ng; gi++)
		group_leaves(m, &m->g[gi]);
	for (i = 0; i < m->leaves.n; i++)
		leaf_sum(leaf_at(&m->leaves, i), &m->total.a);
	want_quantiles(&m->total.q, m->total.a.tat_n);
	by_vendor = sorted_leaves(m, NULL);
	vendor_costs(m, by_vendor, m->leaves.n, &m->total);
	free(by_vendor);
	m->total.ovh = m->ovh;

	/* Ascending turnaround: each group sees its values in order. */
	kpo_sort_u64(m->tat, m->ntat);
	for (i = 0; i < m->ntat; i++) {
		uint64_t leaf = m->tat[i] & (LEAF_MAX - 1);
		int64_t v = (int64_t)(m->tat[i] >> LEAF_BITS) - TAT_BIAS;

		for (gi = 0; gi < m->ng; gi++) {
			const struct grouping *g = &m->g[gi];
			uint32_t q = g->quant_of[g->of_leaf[leaf]];

			if (q)
				observe(&g->quants[q - 1], v);
		}
		observe(&m->total.q, v);
	}
	for (gi = 0; gi < m->ng; gi++) {
		free(m->g[gi].of_leaf);
		m->g[gi].of_leaf = NULL;
	}
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
	struct group *grp;
	size_t i, k;

	for (k = 0; k < g->nkeys; k++)
		kpo_out_fieldz(o, m->keycol[g->col[k]]);
	for (k = 0; k < KPO_NMETRICS; k++)
		kpo_out_fieldz(o, kpo_metrics[k].name);
	kpo_out_endrow(o);
	grp = kpo_xcalloc(1, sizeof *grp);
	grp->key = kpo_xcalloc(g->nkeys + 1, sizeof *grp->key);
	grp->keylen = kpo_xcalloc(g->nkeys + 1, sizeof *grp->keylen);
	for (i = 0; i < g->ngroups && !kpo_out_failed(o); i++) {
		group_at(m, g, i, grp);
		for (k = 0; k < g->nkeys; k++)
			kpo_out_field(o, grp->key[k], grp->keylen[k]);
		put_metrics(o, grp);
	}
	free(grp->key);
	free(grp->keylen);
	free(grp);
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
	/* No ALL row for no rows, but a bundle's layout always has one. */
	write_table(m, o, &m->g[t], m->opt.bundle || (m->opt.total && m->total.a.items > 0));
}

static const char *
item_text(const struct kpo_metrics *m, const struct open_item *it, int k, size_t *len)
{
	if (k == IT_TASK) {
		*len = it->tasklen;
		return it->task;
	}
	*len = m->texts[it->name[k - IT_VENDOR]]->len;
	return m->texts[it->name[k - IT_VENDOR]]->s;
}

/* The :LINE of IT's source into BUF (at least 21 bytes): its length. */
static size_t
source_suffix(const struct open_item *it, char *buf)
{
	if (!it->line)
		return 0;
	return (size_t)snprintf(buf, 21, ":%lu", (unsigned long)(it->line - 1));
}

/* A1 A2 against B1 B2, as bytes_cmp compares one string with another. */
static int
cat_cmp(const char *a1, size_t a1n, const char *a2, size_t a2n, const char *b1, size_t b1n, const char *b2,
    size_t b2n)
{
	size_t an = a1n + a2n, bn = b1n + b2n, n = an < bn ? an : bn, i = 0;

	while (i < n) {
		const char *pa = i < a1n ? a1 + i : a2 + (i - a1n), *pb = i < b1n ? b1 + i : b2 + (i - b1n);
		size_t r = i < a1n ? a1n - i : an - i, rb = i < b1n ? b1n - i : bn - i;
		int c;

		if (rb < r)
			r = rb;
		if (n - i < r)
			r = n - i;
		if ((c = memcmp(pa, pb, r)) != 0)
			return c;
		i += r;
	}
	return an < bn ? -1 : an > bn;
}

/* The most overdue first (the earliest due date), then task_id, source and
 * the other fields, so that any order of the rows gives the same list. */
static int
item_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct open_item *a = *(const struct open_item *const *)pa, *b = *(const struct open_item *const *)pb;
	const struct kpo_metrics *m = ctx;
	static const int order[4] = { IT_TASK, IT_SOURCE, IT_VENDOR, IT_DOMAIN };
	int k, c;

	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	for (k = 0; k < 4; k++) {
		char al[21], bl[21];
		size_t an, bn, aln = 0, bln = 0;
		const char *as = item_text(m, a, order[k], &an), *bs = item_text(m, b, order[k], &bn);

		if (order[k] == IT_SOURCE) {
			if (as == bs && an == bn && a->line == b->line)
				continue;
			aln = source_suffix(a, al);
			bln = source_suffix(b, bl);
		} else if (as == bs && an == bn) {
			continue;
		}
		if ((c = cat_cmp(as, an, al, aln, bs, bn, bl, bln)) != 0)
			return c;
	}
	return a->requested < b->requested ? -1 : a->requested > b->requested;
}

static void
write_list(const struct kpo_metrics *m, struct item_list *l, size_t ncols, struct kpo_out *o)
{
	char buf[KPO_MONEY_MAX > KPO_DATETIME_MAX ? KPO_MONEY_MAX : KPO_DATETIME_MAX];
	char *src = NULL;       /* a source with its :LINE */
	size_t srccap = 0, i, k;

	for (k = 0; k < ncols; k++)
		kpo_out_fieldz(o, kpo_list_columns[k]);
	kpo_out_endrow(o);
	if (l->n > 1)
		qsort_r(l->v, l->n, sizeof *l->v, item_cmp, (void *)m);
	for (i = 0; i < l->n && !kpo_out_failed(o); i++) {
		const struct open_item *it = l->v[i];
		int64_t window = it->due - it->requested;
		const char *t;
		size_t n;

		for (k = IT_TASK; k <= IT_DOMAIN; k++) {
			t = item_text(m, it, (int)k, &n);
			kpo_out_field(o, t, n);
		}
		kpo_datetime_format(it->requested, buf);
		kpo_out_fieldz(o, buf);
		kpo_datetime_format(it->due, buf);
		kpo_out_fieldz(o, buf);
		kpo_ratio_format(m->opt.as_of - it->due, 86400, 2, buf);
		kpo_out_fieldz(o, buf);
		t = item_text(m, it, IT_SOURCE, &n);
		if (it->line) {
			char line[21];
			size_t ln = source_suffix(it, line);

			if (n + ln > srccap) {
				srccap = 2 * (n + ln);
				src = kpo_xrealloc(src, srccap);
			}
			memcpy(src, t, n);
			memcpy(src + n, line, ln);
			t = src;
			n += ln;
		}
		kpo_out_field(o, t, n);
		if (ncols > KPO_LC_PCT_OF_WINDOW_USED) {
			/* A window of 0 is due at the as-of instant: all of it used. */
			if (window > 0)
				kpo_ratio_format(100 * (kpo_i128)(m->opt.as_of - it->requested), window, 2, buf);
			else
				strcpy(buf, "100.00");
			kpo_out_fieldz(o, buf);
		}
		kpo_out_endrow(o);
	}
	free(src);
}

size_t
kpo_metrics_nlists(const struct kpo_metrics *m)
{
	return m->opt.bundle ? KPO_NLISTS : 0;
}

void
kpo_metrics_write_list(struct kpo_metrics *m, size_t l, struct kpo_out *o)
{
	write_list(m, &m->list[l], kpo_bundle_lists[l].ncols, o);
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

/* Output I of a bundle: the tables, meta.csv, then the lists. */
static struct kpo_out **
bundle_out(struct kpo_metrics *m, size_t i)
{
	if (i < m->ng)
		return &m->g[i].out;
	return i == m->ng ? &m->meta : &m->list[i - m->ng - 1].out;
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
	for (gi = 0; gi <= m->ng + KPO_NLISTS; gi++) {
		const char *file = gi < m->ng ? m->g[gi].file : gi == m->ng ? kpo_meta_file :
		    kpo_bundle_lists[gi - m->ng - 1].file;
		size_t n = strlen(bundle) + strlen(file) + 2;
		char *path = kpo_xmalloc(n);
		struct kpo_out *o;

		snprintf(path, n, "%s/%s", bundle, file);
		if (!(o = kpo_out_open(path))) {
			kpo_warn("%s", path);
			free(path);
			return EX_CANTCREAT;
		}
		*bundle_out(m, gi) = o;
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

	for (gi = 0; gi <= m->ng + KPO_NLISTS; gi++) {
		kpo_out_abort(*bundle_out(m, gi));
		*bundle_out(m, gi) = NULL;
	}
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
	for (gi = 0; gi < kpo_metrics_nlists(m); gi++)
		kpo_metrics_write_list(m, gi, m->list[gi].out);
	for (gi = 0; gi <= m->ng + KPO_NLISTS; gi++)
		failed |= *bundle_out(m, gi) && kpo_out_failed(*bundle_out(m, gi));
	if (failed) {
		for (gi = 0; gi <= m->ng + KPO_NLISTS; gi++)
			say_failed(*bundle_out(m, gi));
		return abort_outputs(m, EX_IOERR);
	}
	for (gi = 0; gi <= m->ng + KPO_NLISTS; gi++) {
		struct kpo_out **o = bundle_out(m, gi);

		if (*o)
			status = kpo_out_finish(*o, status);
		*o = NULL;
	}
	return status;
}

void
kpo_metrics_free(struct kpo_metrics *m)
{
	size_t gi;

	if (!m)
		return;
	abort_outputs(m, 0);
	for (gi = 0; gi < m->ng; gi++) {
		struct grouping *g = &m->g[gi];

		free(g->order);
		free(g->first);
		free(g->of_leaf);
		free(g->quant_of);
		free(g->quants);
		free(g->col);
		free(g->spec);
	}
	free(m->g);
	leaves_free(&m->leaves);
	free(m->keycol);
	free(m->keybuf);
	for (gi = 0; gi < KPO_NLISTS; gi++)
		free(m->list[gi].v);
	pool_free(&m->pool);
	if (m->names)
		kpo_strmap_free(m->names);
	free(m->texts);
	if (m->tat)
		munmap(m->tat, m->tatcap * sizeof *m->tat);
	free(m);
}

/* kpo-metrics' part in kpo_stage_run, shared by kpo-metrics and kpo-run. */
static void *
stage_input(void *ctx, struct kpo_csv *r)
{
	return kpo_metrics_input(((struct kpo_metrics_stage *)ctx)->m, r);
}

static int
stage_row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct kpo_metrics_stage *x = ctx;
	struct kpo_verdict v;
	int rc = kpo_metrics_add(x->m, in, rec, &v);

	if (rc < 0) {
		kpo_reject_row(x->st->rejects, r, rec, kpo_metrics_source_field(in), v.kind, v.detail);
		return 0;
	}
	if (rc == KPO_METRICS_FULL) {
		kpo_warn_at(kpo_csv_name(r), rec->line, "more than %llu distinct key combinations",
		    (unsigned long long)KPO_METRICS_MAX_LEAVES);
		x->full = 1;
		return EX_DATAERR;
	}
	x->st->written++;
	return 0;
}

static void
stage_input_free(void *in)
{
	kpo_metrics_input_free(in);
}

static int
stage_stop(void *ctx)
{
	return ((struct kpo_metrics_stage *)ctx)->full;
}

const struct kpo_stage_ops kpo_metrics_stage_ops = {
	stage_input, stage_row, stage_input_free, stage_stop, NULL
};

int
kpo_metrics_stage_costs(const struct kpo_stage *st, const struct kpo_costs *costs, int status, char *extra,
    size_t size)
{
	unsigned long long bad = kpo_rejects_side_count(st->rejects);

	snprintf(extra, size, "; costs: %llu rows read, %llu used, %llu rejected", costs->read, costs->used, bad);
	kpo_rejects_side_describe(st->rejects, extra, size);
	if (kpo_reject_threshold_passed(bad, costs->read, st->max_reject_pct)) {
		kpo_warnx("%llu of %llu costs rows rejected, more than --max-reject-pct %g%%", bad, costs->read,
		    st->max_reject_pct);
		status = kpo_status_merge(status, EX_DATAERR);
	}
	return status;
}

/* ---- Partials (partial.h) ---- */

/* What a partial holds of a leaf: every field of struct acc but the
 * overheads, in ACC_SUMS' and ACC_COUNTS' order.  The overheads are
 * allocated when the tables are made, after the merge: 0 in a partial. */
static void
put_acc(struct kpo_out *o, const struct acc *a)
{
#define PUT_SUM(f) kpo_put_i128(o, a->f);
	ACC_SUMS(PUT_SUM)
#undef PUT_SUM
#define PUT_COUNT(f) kpo_put_u64(o, a->f);
	ACC_COUNTS(PUT_COUNT)
#undef PUT_COUNT
	kpo_put_i64(o, a->tat_n ? a->tat_max : 0);
}

static void
get_acc(struct kpo_pin *in, struct acc *a)
{
	memset(a, 0, sizeof *a);
#define GET_SUM(f) a->f = kpo_get_i128(in);
	ACC_SUMS(GET_SUM)
#undef GET_SUM
#define GET_COUNT(f) a->f = kpo_get_u64(in);
	ACC_COUNTS(GET_COUNT)
#undef GET_COUNT
	a->tat_max = kpo_get_i64(in);
}

static int
tat_by_leaf(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	const uint64_t mask = LEAF_MAX - 1;

	if ((a & mask) != (b & mask))
		return (a & mask) < (b & mask) ? -1 : 1;
	return (a > b) - (a < b);
}

void
kpo_metrics_save(struct kpo_metrics *m, struct kpo_out *o)
{
	const uint64_t mask = LEAF_MAX - 1;
	uint64_t id, last_leaf = 0;
	int64_t last_tat = 0;
	size_t i, l, k;

	kpo_put_u64(o, m->leaves.n);
	for (id = 0; id < m->leaves.n; id++) {
		const struct leaf *leaf = leaf_at(&m->leaves, id);
		struct acc a;

		memset(&a, 0, sizeof a);
		leaf_sum(leaf, &a);
		kpo_put_bytes(o, leaf->key, leaf->keylen);
		put_acc(o, &a);
	}
	/* The turnarounds by leaf, each leaf's in order: small differences,
	 * which gzip makes smaller still.  Sorting them now costs nothing
	 * later: the tables sort them again anyway. */
	if (m->ntat)
		qsort(m->tat, m->ntat, sizeof *m->tat, tat_by_leaf);
	kpo_put_u64(o, m->ntat);
	for (i = 0; i < m->ntat; i++) {
		uint64_t leaf = m->tat[i] & mask;
		int64_t tat = (int64_t)(m->tat[i] >> LEAF_BITS) - TAT_BIAS;

		if (i == 0 || leaf != last_leaf)
			last_tat = 0;
		kpo_put_u64(o, leaf - (i ? last_leaf : 0));
		kpo_put_i64(o, tat - last_tat);
		last_leaf = leaf;
		last_tat = tat;
	}
	kpo_put_u64(o, m->ntexts);
	for (i = 0; i < m->ntexts; i++)
		kpo_put_bytes(o, m->texts[i]->s, m->texts[i]->len);
	kpo_put_u64(o, KPO_NLISTS);
	for (l = 0; l < KPO_NLISTS; l++) {
		kpo_put_u64(o, m->list[l].n);
		for (i = 0; i < m->list[l].n; i++) {
			const struct open_item *it = m->list[l].v[i];

			kpo_put_i64(o, it->requested);
			kpo_put_i64(o, it->due);
			for (k = 0; k < 3; k++)
				kpo_put_u64(o, it->name[k]);
			kpo_put_u64(o, it->line);
			kpo_put_bytes(o, it->task, it->tasklen);
		}
	}
}

/* 1 when KEY is a leaf key of M: each key column's length and bytes, and
 * with overheads the byte that tells rows with a baseline from others. */
static int
key_sound(const struct kpo_metrics *m, const char *key, size_t n)
{
	size_t at = 0, k;
	uint32_t len;

	for (k = 0; k < m->nkeycol; k++) {
		if (n - at < 4)
			return 0;
		memcpy(&len, key + at, 4);
		if (len > n - at - 4)
			return 0;
		at += 4 + len;
	}
	if (m->ovh)
		return n - at == 1 && (key[at] == 0 || key[at] == 1);
	return n == at;
}

int
kpo_metrics_load(struct kpo_metrics *m, struct kpo_pin *in)
{
	uint64_t nleaves = kpo_get_count(in, 40), k, ntat, ntexts, nlists, leaf = 0;
	uint32_t *id = NULL, *tid = NULL;
	uint64_t *tat_n = NULL; /* each leaf's turnarounds: as many as its sums say */
	size_t cap = 0;         /* of id and tat_n, grown as leaves are read (a count may lie) */
	int64_t tat = 0;
	size_t n, l, i;
	int status = 0;

	if (nleaves > LEAF_MAX) {
		kpo_pin_bad(in, "more leaves than a run can have");
		nleaves = 0;
	}
	for (k = 0; k < nleaves && !kpo_pin_status(in); k++) {
		const char *key = kpo_get_bytes(in, &n);
		struct leaf *t;
		struct acc a;

		if (!kpo_pin_status(in) && !key_sound(m, key, n))
			kpo_pin_bad(in, "a leaf key that is not of these key columns");
		if (kpo_pin_status(in))
			break;
		if (!(t = leaf_get(&m->leaves, key, n, key_hash(key, n), 0))) {
			status = KPO_METRICS_FULL;
			break;
		}
		get_acc(in, &a);
		if (a.delivered > a.items || a.tat_n > a.delivered) {
			kpo_pin_bad(in, "a leaf of more delivered items than items");
			break;
		}
		leaf_add(t, &a);
		if (k == cap) {
			cap = cap ? 2 * cap : 1024;
			id = kpo_xrealloc(id, cap * sizeof *id);
			tat_n = kpo_xrealloc(tat_n, cap * sizeof *tat_n);
		}
		id[k] = t->id;
		tat_n[k] = a.tat_n;
	}
	nleaves = k;            /* those read */
	ntat = status ? 0 : kpo_get_count(in, 2);
	for (k = 0; k < ntat && !kpo_pin_status(in); k++) {
		uint64_t step = kpo_get_u64(in);
		int64_t d = kpo_get_i64(in);

		if (k > 0 && step)
			tat = 0;
		leaf += step;
		if (leaf >= nleaves || __builtin_add_overflow(tat, d, &tat) || tat < -TAT_BIAS || tat >= TAT_BIAS ||
		    tat_n[leaf]-- == 0) {
			kpo_pin_bad(in, "a turnaround out of range, or one more than its leaf has");
			break;
		}
		keep_tat(m, (uint64_t)(tat + TAT_BIAS) << LEAF_BITS | id[leaf]);
	}
	for (k = 0; k < nleaves && !status && !kpo_pin_status(in); k++)
		if (tat_n[k])
			kpo_pin_bad(in, "a leaf with fewer turnarounds than its sums say");
	ntexts = status ? 0 : kpo_get_count(in, 1);
	if (ntexts > UINT32_MAX) {
		kpo_pin_bad(in, "too many names");
		ntexts = 0;
	}
	for (cap = 0, k = 0; k < ntexts && !kpo_pin_status(in); k++) {
		const char *s = kpo_get_bytes(in, &n);

		if (kpo_pin_status(in))
			break;
		if (k == cap) {
			cap = cap ? 2 * cap : 256;
			tid = kpo_xrealloc(tid, cap * sizeof *tid);
		}
		tid[k] = intern(m, s, n, NULL);
	}
	ntexts = k;
	nlists = status ? 0 : kpo_get_u64(in);
	if (!status && !kpo_pin_status(in) && nlists != KPO_NLISTS)
		kpo_pin_bad(in, "not this kpo's exception lists");
	for (l = 0; l < KPO_NLISTS && !status && !kpo_pin_status(in); l++) {
		struct item_list *to = &m->list[l];
		uint64_t nitems = kpo_get_count(in, 6);

		for (k = 0; k < nitems && !kpo_pin_status(in); k++) {
			int64_t requested = kpo_get_i64(in), due = kpo_get_i64(in);
			uint64_t name[3], line;
			const char *task;
			struct open_item *it;

			for (i = 0; i < 3; i++)
				name[i] = kpo_get_u64(in);
			line = kpo_get_u64(in);
			task = kpo_get_bytes(in, &n);
			if (kpo_pin_status(in))
				break;
			if (name[0] >= ntexts || name[1] >= ntexts || name[2] >= ntexts || line > 1000000000) {
				kpo_pin_bad(in, "an open item naming what it does not hold");
				break;
			}
			if (!m->opt.bundle)
				continue;
			it = pool_take(&m->pool, sizeof *it + n, _Alignof(struct open_item));
			it->requested = requested;
			it->due = due;
			for (i = 0; i < 3; i++)
				it->name[i] = tid[name[i]];
			it->line = (uint32_t)line;
			it->tasklen = (uint32_t)n;
			memcpy(it->task, task, n);
			if (to->n == to->cap) {
				to->cap = to->cap ? 2 * to->cap : 256;
				to->v = kpo_xrealloc(to->v, to->cap * sizeof *to->v);
			}
			to->v[to->n++] = it;
		}
	}
	free(id);
	free(tid);
	free(tat_n);
	if (status)
		return status;
	return kpo_pin_status(in) ? -1 : 0;
}

int
kpo_metrics_merge_partials(struct kpo_metrics *m, struct kpo_merge *mg, struct kpo_pstage *stages, size_t nstages)
{
	size_t i;
	int status = 0, rc;

	for (i = 0; status == 0 && i < kpo_merge_count(mg); i++) {
		struct kpo_pin *in = kpo_merge_input(mg, i);

		if (!in)
			return EX_DATAERR;
		if ((status = kpo_merge_stages(mg, i, stages, nstages)) != 0)
			break;
		if ((rc = kpo_metrics_load(m, in)) == KPO_METRICS_FULL) {
			kpo_warnx("%s: more than %llu distinct key combinations in all", kpo_pin_name(in),
			    (unsigned long long)KPO_METRICS_MAX_LEAVES);
			status = EX_DATAERR;
		} else if (rc != 0) {
			status = kpo_pin_status(in);
		}
		status = kpo_status_merge(status, kpo_merge_done(mg, i));
	}
	if (status == 0)
		kpo_merge_replay(mg, stages, nstages);
	return status;
}
