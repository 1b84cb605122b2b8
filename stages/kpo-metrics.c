/* kpo-metrics: the enriched stream -> metrics per group, as one CSV table or
 * a bundle of gzipped tables.  See kpo-metrics(1).
 *
 * Every number is exact: values are read as integers of 1/10^12 (money,
 * hours, quality, defects) or 1/10^4 hours (turnaround), summed in 128 bits,
 * and divided and rounded half to even only when printed, so the output does
 * not depend on the order of the rows.
 *
 * Rows are summed per leaf: one accumulator per distinct combination of all
 * key columns.  Groups are made from leaves at the end.  The turnaround of each
 * delivered row is kept once, packed with its leaf number in 8 bytes; one sort
 * of them and one scan find every group's quantiles. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "csvread.h"
#include "err.h"
#include "money.h"
#include "out.h"
#include "date.h"
#include "num.h"
#include "text.h"
#include "utf8.h"
#include "quantile.h"
#include "args.h"
#include "report.h"
#include "strmap.h"

#define E12 ((kpo_i128)1000000000000LL)        /* the scale of summed values */

/* The packed turnaround: (tat + TAT_BIAS) << LEAF_BITS | leaf. */
#define LEAF_BITS 24
#define LEAF_MAX  (UINT64_C(1) << LEAF_BITS)
#define TAT_BITS  40
#define TAT_BIAS  (INT64_C(1) << (TAT_BITS - 1))

/* The columns the metrics read, and the stage that writes each. */
enum need {
	N_DELIVERED, N_HOURS, N_QUALITY, N_DEFECTS, N_REWORKED,
	N_COST, N_BASELINE, N_SAVINGS, N_TAT, N_ONTIME, NNEED
};
static const char *const need_name[NNEED] = {
	"delivered_at", "hours", "quality", "defects", "reworked",
	"cost_base", "baseline", "savings", "tat_h", "on_time",
};

static const char *const canonical_cols[] = {
	"task_id", "engagement_id", "vendor", "domain", "region", "requested_at", "due_at",
	"delivered_at", "hours", "cost", "currency", "inhouse_rate", "quality", "defects",
	"reworked", "source", NULL
};
static const char *const enriched_cols[] = {
	"cost_base", "baseline", "savings", "tat_h", "on_time", "month", NULL
};

static const char *const metric_cols[] = {
	"items", "delivered", "open", "overdue", "hours", "cost", "baseline", "savings",
	"savings_pct", "quality_mean", "quality_n", "defects_per_item", "rework_rate",
	"first_pass_yield", "on_time_pct", "tat_mean_h", "tat_p10_h", "tat_p25_h",
	"tat_p50_h", "tat_p75_h", "tat_p90_h", "tat_max_h", NULL
};

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

/* One table: its key columns (indices into run.keycol) and its groups. */
struct grouping {
	const char *file;       /* in the bundle */
	char *spec;             /* the key list, cut into the names run.keycol points to */
	size_t nkeys;
	size_t *col;
	struct kpo_strmap *map;
	struct group **groups;
	size_t ngroups;
	struct group **of_leaf; /* leaf id -> its group */
	struct kpo_out *out;
};

static struct {
	const char *output;
	const char *rejects;
	const char *bundle;
	const char *by;
	char as_of[16];
	char base[4];
	double max_reject_pct;
	int total;
	int quiet;
	int progress;
} opt = { .max_reject_pct = 5.0, .progress = -1, .base = "USD" };

static struct {
	const char **keycol;    /* the leaf key: every key column once */
	size_t nkeycol;
	struct grouping *g;
	size_t ng;
	struct group total;

	struct kpo_strmap *leaves;
	uint64_t nleaves;
	struct leaf *last;      /* the previous row's leaf, and its key */
	char *lastkey;
	size_t lastlen, lastcap;
	char *keybuf;
	size_t keycap;

	uint64_t *tat;          /* packed turnarounds, in pages of their own */
	size_t ntat, tatcap;

	unsigned long long read, used;
	int too_many_groups;
	struct kpo_rejects *rejects;
	struct kpo_progress progress;
	unsigned long long bytes_done;
} run;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-q] [--by KEYS] [--total] [-o FILE] [--rejects FILE] [--max-reject-pct P]\n"
	    "       [--progress] [FILE ...]\n"
	    "       %s [-q] --bundle DIR [--as-of DATE] [--base CUR] [--rejects FILE]\n"
	    "       [--max-reject-pct P] [--progress] [FILE ...]\n",
	    kpo_progname, kpo_progname);
	if (!status)
		printf("Reads the enriched kpo stream and writes metrics per group (items, cost, savings,\n"
		    "quality, on-time rate, turnaround quantiles).  See kpo-metrics(1).\n");
	exit(status);
}

/* ---- Options ---- */

static size_t
keycol_index(const char *name)
{
	size_t i;

	for (i = 0; i < run.nkeycol; i++)
		if (strcmp(run.keycol[i], name) == 0)
			return i;
	run.keycol = kpo_xrealloc(run.keycol, (run.nkeycol + 1) * sizeof *run.keycol);
	run.keycol[run.nkeycol] = name;
	return run.nkeycol++;
}

/* Adds a table grouped by the comma list KEYS. */
static void
add_grouping(const char *file, const char *keys)
{
	struct grouping *g;
	char *name, *next;

	run.g = kpo_xrealloc(run.g, (run.ng + 1) * sizeof *run.g);
	g = &run.g[run.ng++];
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
		g->col[g->nkeys++] = keycol_index(name);
	}
}

static void
bundle_groupings(void)
{
	static const struct { const char *file, *keys; } tables[] = {
		{ "by-domain.csv.gz", "domain" },
		{ "by-vendor.csv.gz", "vendor" },
		{ "by-region.csv.gz", "region" },
		{ "by-month.csv.gz", "month" },
		{ "by-domain-month.csv.gz", "domain,month" },
		{ "by-vendor-domain.csv.gz", "vendor,domain" },
	};
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		add_grouping(tables[i].file, tables[i].keys);
}

static void
set_as_of(int64_t t)
{
	int64_t days = t / 86400 - (t % 86400 < 0), y;
	unsigned m, d;

	kpo_civil_from_days(days, &y, &m, &d);
	snprintf(opt.as_of, sizeof opt.as_of, "%04d-%02u-%02u", (int)y, m, d);
}

static void
parse_as_of(const char *arg)
{
	struct kpo_datefmt f;
	int64_t t;

	memset(&f, 0, sizeof f);
	if (kpo_datetime_parse(arg, strlen(arg), &f, &t) != 0)
		kpo_errx(EX_USAGE, "--as-of: a date YYYY-MM-DD expected: '%s'", arg);
	set_as_of(t);
}

static void
parse_base(const char *arg)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!((arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= 'a' && arg[i] <= 'z')))
			break;
	if (i != 3 || arg[3])
		kpo_errx(EX_USAGE, "--base: a three-letter currency code expected: '%s'", arg);
	for (i = 0; i < 3; i++)
		opt.base[i] = (char)(arg[i] >= 'a' ? arg[i] - 'a' + 'A' : arg[i]);
	opt.base[3] = '\0';
}

/* ---- Reading ---- */

/* Where each column is in one input's header. */
struct layout {
	int need[NNEED];
	int *key;               /* per run.keycol */
	int source;
};

static int
in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

static int
missing(struct kpo_csv *r, const char *name, const char *why)
{
	const struct kpo_record *h = kpo_csv_header(r);

	if (in_list(enriched_cols, name)) {
		kpo_warn_at(kpo_csv_name(r), h->line, "column '%s'%s missing: this is not the enriched stream; "
		    "pipe it through kpo-enrich first", name, why);
	} else if (in_list(canonical_cols, name)) {
		kpo_warn_at(kpo_csv_name(r), h->line, "column '%s'%s missing: this is not a kpo stream; "
		    "pipe it through kpo-ingest first (and then kpo-enrich)", name, why);
	} else {
		char seen[2048];

		kpo_header_describe(h, seen, sizeof seen);
		kpo_warn_at(kpo_csv_name(r), h->line, "unknown column '%s'%s; the header has: %s", name, why, seen);
	}
	return EX_DATAERR;
}

/* 0, or EX_DATAERR after naming every missing column. */
static int
map_header(struct kpo_csv *r, struct layout *L)
{
	const struct kpo_record *h = kpo_csv_header(r);
	int status = 0, c;
	size_t k;

	for (c = 0; c < NNEED; c++)
		if ((L->need[c] = kpo_header_find(h, need_name[c])) < 0)
			status = missing(r, need_name[c], "");
	L->key = kpo_xcalloc(run.nkeycol, sizeof *L->key);
	for (k = 0; k < run.nkeycol; k++)
		if ((L->key[k] = kpo_header_find(h, run.keycol[k])) < 0)
			status = missing(r, run.keycol[k], opt.bundle ? " (a key of the bundle)" : " (from --by)");
	L->source = kpo_header_find(h, "source");
	return status;
}

/* A decimal "-?DIGITS[.DIGITS]", at most 18 integer and 12 fraction digits,
 * in 1/10^12.  0: *v set; 1: empty; -1: not such a number. */
static int
number(const char *s, size_t n, kpo_i128 *v)
{
	static const int64_t scale[13] = {
		1000000000000LL, 100000000000LL, 10000000000LL, 1000000000LL, 100000000LL, 10000000LL,
		1000000LL, 100000LL, 10000LL, 1000LL, 100LL, 10LL, 1LL
	};
	size_t i = 0, id = 0, fd = 0;
	int64_t ip = 0, fp = 0;
	int neg = 0;

	if (n == 0)
		return 1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < n && (unsigned)(s[i] - '0') < 10; i++, id++) {
		if (id == 18)
			return -1;
		ip = ip * 10 + (s[i] - '0');
	}
	if (id == 0)
		return -1;
	if (i < n) {
		if (s[i] != '.')
			return -1;
		for (i++; i < n && (unsigned)(s[i] - '0') < 10; i++, fd++) {
			if (fd == 12)
				return -1;
			fp = fp * 10 + (s[i] - '0');
		}
		if (fd == 0 || i < n)
			return -1;
		fp *= scale[fd];
	}
	*v = (kpo_i128)ip * E12 + fp;
	if (neg)
		*v = -*v;
	return 0;
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

/* One row's values. */
struct row {
	int delivered;
	int has[NNEED];
	kpo_i128 v[NNEED];
	int reworked, on_time;  /* -1 when empty */
	int64_t tat;            /* 1/10^4 hours */
};

struct verdict {
	const char *kind;
	char detail[256];
};

static int
verdict(struct verdict *v, const char *kind, const char *col, const char *s, size_t n)
{
	v->kind = kind;
	snprintf(v->detail, sizeof v->detail, "column '%s': '%.*s'%s", col, (int)(n > 80 ? 80 : n), s,
	    n > 80 ? "..." : "");
	return -1;
}

static int
read_row(const struct kpo_record *rec, const struct layout *L, struct row *row, struct verdict *v)
{
	static const enum need numeric[] = { N_HOURS, N_QUALITY, N_DEFECTS, N_COST, N_BASELINE, N_SAVINGS, N_TAT };
	size_t i;

	row->delivered = rec->len[L->need[N_DELIVERED]] > 0;
	row->tat = 0;
	for (i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
		int c = numeric[i], f = L->need[c];
		int rc = number(rec->f[f], rec->len[f], &row->v[c]);

		if (rc < 0)
			return verdict(v, "unparsable number", need_name[c], rec->f[f], rec->len[f]);
		row->has[c] = rc == 0;
	}
	if (row->has[N_TAT]) {
		kpo_i128 t = kpo_div_round(row->v[N_TAT], 100000000);   /* to 1/10^4 h, half to even */

		if (t >= TAT_BIAS || t < -TAT_BIAS)
			return verdict(v, "number out of range", "tat_h", rec->f[L->need[N_TAT]],
			    rec->len[L->need[N_TAT]]);
		row->tat = (int64_t)t;
	}
	row->reworked = boolean(rec->f[L->need[N_REWORKED]], rec->len[L->need[N_REWORKED]]);
	if (row->reworked == -2)
		return verdict(v, "unparsable boolean", "reworked", rec->f[L->need[N_REWORKED]],
		    rec->len[L->need[N_REWORKED]]);
	row->on_time = boolean(rec->f[L->need[N_ONTIME]], rec->len[L->need[N_ONTIME]]);
	if (row->on_time == -2)
		return verdict(v, "unparsable boolean", "on_time", rec->f[L->need[N_ONTIME]],
		    rec->len[L->need[N_ONTIME]]);
	return 0;
}

/* The accumulator of the row's key combination, or NULL when there are too
 * many.  The key is each column's length (4 bytes) and bytes. */
static struct leaf *
find_leaf(const struct kpo_record *rec, const struct layout *L)
{
	size_t need = 0, len = 0, k;
	void **slot;

	for (k = 0; k < run.nkeycol; k++)
		need += 4 + rec->len[L->key[k]];
	if (need > run.keycap) {
		run.keycap = 2 * need;
		run.keybuf = kpo_xrealloc(run.keybuf, run.keycap);
	}
	for (k = 0; k < run.nkeycol; k++) {
		uint32_t n = (uint32_t)rec->len[L->key[k]];

		memcpy(run.keybuf + len, &n, 4);
		memcpy(run.keybuf + len + 4, rec->f[L->key[k]], n);
		len += 4 + n;
	}
	if (run.last && len == run.lastlen && memcmp(run.keybuf, run.lastkey, len) == 0)
		return run.last;
	slot = kpo_strmap_get(run.leaves, run.keybuf, len, 1);
	if (!*slot) {
		struct leaf *leaf;

		if (run.nleaves == LEAF_MAX)
			return NULL;
		leaf = kpo_xcalloc(1, sizeof *leaf);
		leaf->id = run.nleaves++;
		*slot = leaf;
	}
	if (len > run.lastcap) {
		run.lastcap = 2 * len;
		run.lastkey = kpo_xrealloc(run.lastkey, run.lastcap);
	}
	memcpy(run.lastkey, run.keybuf, len);
	run.lastlen = len;
	run.last = *slot;
	return run.last;
}

/* Keeps one turnaround.  The array grows by mremap, so it costs only the
 * pages it fills, never a copy beside the original. */
static void
keep_tat(uint64_t packed)
{
	if (run.ntat == run.tatcap) {
		size_t cap = run.tatcap ? 2 * run.tatcap : (size_t)1 << 17;
		void *p = run.tatcap
		    ? mremap(run.tat, run.tatcap * sizeof *run.tat, cap * sizeof *run.tat, MREMAP_MAYMOVE)
		    : mmap(NULL, cap * sizeof *run.tat, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			kpo_err(EX_OSERR, "out of memory");
		run.tat = p;
		run.tatcap = cap;
	}
	run.tat[run.ntat++] = packed;
}

static void
accumulate(struct leaf *leaf, const struct row *row)
{
	struct acc *a = &leaf->a;

	a->items++;
	if (row->delivered)
		a->delivered++;
	else if (row->on_time == 0)
		a->overdue++;
	if (row->has[N_HOURS]) {
		a->hours += row->v[N_HOURS];
		a->n_hours++;
	}
	if (row->has[N_COST]) {
		a->cost += row->v[N_COST];
		a->n_cost++;
	}
	if (row->has[N_BASELINE]) {
		a->baseline += row->v[N_BASELINE];
		a->n_baseline++;
	}
	if (row->has[N_SAVINGS]) {
		a->savings += row->v[N_SAVINGS];
		a->n_savings++;
	}
	if (row->has[N_BASELINE] && row->has[N_SAVINGS]) {
		a->pct_baseline += row->v[N_BASELINE];
		a->pct_savings += row->v[N_SAVINGS];
		a->n_pct++;
	}
	if (row->has[N_QUALITY]) {
		a->quality += row->v[N_QUALITY];
		a->quality_n++;
	}
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
			keep_tat((uint64_t)(row->tat + TAT_BIAS) << LEAF_BITS | leaf->id);
		}
	}
	if (row->on_time >= 0) {
		a->on_time += (uint64_t)row->on_time;
		a->on_time_known++;
	}
}

/* The row's own FILE:LINE from its source column, else the stream's. */
static void
reject(struct kpo_csv *r, const struct kpo_record *rec, const struct layout *L, const char *kind,
    const char *detail)
{
	const char *file = kpo_csv_name(r);
	long line = rec->line;
	char buf[4096];

	if (L && L->source >= 0 && rec->status == KPO_REC_OK) {
		const char *s = rec->f[L->source];
		size_t n = rec->len[L->source], colon = n, i;
		long at = 0;

		while (colon > 0 && s[colon - 1] != ':')
			colon--;
		for (i = colon; i < n && (unsigned)(s[i] - '0') < 10 && at < 100000000000L; i++)
			at = at * 10 + (s[i] - '0');
		if (colon > 1 && i == n && i > colon && at > 0 && colon - 1 < sizeof buf) {
			memcpy(buf, s, colon - 1);
			buf[colon - 1] = '\0';
			file = buf;
			line = at;
		}
	}
	kpo_reject(run.rejects, file, line, kind, detail, rec->raw, rec->rawlen);
}

/* Reads one input; returns its exit status (0 when every problem was a
 * counted reject). */
static int
metrics(const char *path)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	struct kpo_record *rec;
	struct layout L;
	struct row row;
	struct verdict v;
	int status = 0, rc;

	memset(&L, 0, sizeof L);
	if (kpo_csv_error(r)) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
		goto done;
	}
	if (!kpo_csv_header(r)) {
		kpo_warn_at(kpo_csv_name(r), 0, "empty input: no header line");
		status = EX_DATAERR;
		goto done;
	}
	if ((status = map_header(r, &L)) != 0)
		goto done;
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		struct leaf *leaf;

		run.read++;
		kpo_progress_tick(&run.progress, run.read, run.bytes_done + kpo_csv_bytes(r));
		if (rec->status != KPO_REC_OK) {
			char detail[128];

			snprintf(detail, sizeof detail, "%zu fields, the header has %zu", rec->nf,
			    kpo_csv_header(r)->nf);
			reject(r, rec, NULL, kpo_rec_status_kind(rec->status),
			    rec->status == KPO_REC_FIELD_COUNT ? detail : NULL);
			continue;
		}
		if (read_row(rec, &L, &row, &v) != 0) {
			reject(r, rec, &L, v.kind, v.detail);
			continue;
		}
		if (!(leaf = find_leaf(rec, &L))) {
			kpo_warn_at(kpo_csv_name(r), rec->line, "more than %llu distinct key combinations",
			    (unsigned long long)LEAF_MAX);
			run.too_many_groups = 1;
			status = EX_DATAERR;
			break;
		}
		accumulate(leaf, &row);
		run.used++;
	}
	if (rc < 0) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_status_merge(status, kpo_csv_exit_status(kpo_csv_error(r)));
	}
done:
	run.bytes_done += kpo_csv_bytes(r);
	free(L.key);
	kpo_csv_close(r);
	return status;
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

/* Folds the leaves into the groups of every table and finds the quantiles. */
static void
build_groups(void)
{
	struct leafref *refs = kpo_xcalloc(run.nleaves, sizeof *refs);
	const char **field = kpo_xcalloc(run.nkeycol + 1, sizeof *field);
	size_t *flen = kpo_xcalloc(run.nkeycol + 1, sizeof *flen);
	char *gkey = NULL;
	size_t gcap = 0, gi, k, i;

	kpo_strmap_each(run.leaves, collect_leaf, refs);
	for (gi = 0; gi < run.ng; gi++) {
		struct grouping *g = &run.g[gi];

		g->map = kpo_strmap_new();
		g->of_leaf = kpo_xcalloc(run.nleaves, sizeof *g->of_leaf);
		for (i = 0; i < run.nleaves; i++) {
			const char *p = refs[i].key;
			size_t len = 0;
			void **slot;
			struct group *grp;

			for (k = 0; k < run.nkeycol; k++) {
				uint32_t n;

				memcpy(&n, p, 4);
				field[k] = p + 4;
				flen[k] = n;
				p += 4 + n;
			}
			for (k = 0; k < g->nkeys; k++)
				len += 4 + flen[g->col[k]];
			if (len > gcap) {
				gcap = 2 * len;
				gkey = kpo_xrealloc(gkey, gcap);
			}
			for (len = 0, k = 0; k < g->nkeys; k++) {
				uint32_t n = (uint32_t)flen[g->col[k]];

				memcpy(gkey + len, &n, 4);
				memcpy(gkey + len + 4, field[g->col[k]], n);
				len += 4 + n;
			}
			slot = kpo_strmap_get(g->map, gkey, len, 1);
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
			grp = *slot;
			acc_add(&grp->a, &refs[i].leaf->a);
			g->of_leaf[i] = grp;
		}
		if (g->ngroups > 1)
			qsort(g->groups, g->ngroups, sizeof *g->groups, group_cmp);
		for (i = 0; i < g->ngroups; i++)
			want_quantiles(g->groups[i]);
	}
	for (i = 0; i < run.nleaves; i++)
		acc_add(&run.total.a, &refs[i].leaf->a);
	want_quantiles(&run.total);

	/* Ascending turnaround: each group sees its values in order. */
	kpo_sort_u64(run.tat, run.ntat);
	for (i = 0; i < run.ntat; i++) {
		uint64_t leaf = run.tat[i] & (LEAF_MAX - 1);
		int64_t v = (int64_t)(run.tat[i] >> LEAF_BITS) - TAT_BIAS;

		for (gi = 0; gi < run.ng; gi++)
			observe(run.g[gi].of_leaf[leaf], v);
		observe(&run.total, v);
	}
	free(gkey);
	free(flen);
	free(field);
	free(refs);
}

/* ---- Writing ---- */

static void
put_count(struct kpo_out *o, uint64_t n)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
	kpo_out_fieldz(o, buf);
}

/* NUM / DEN with 2 decimals; empty when WHEN is 0 or DEN is 0. */
static void
put_ratio(struct kpo_out *o, int when, kpo_i128 num, kpo_i128 den)
{
	char buf[KPO_MONEY_MAX];

	if (!when || den == 0) {
		kpo_out_field(o, "", 0);
		return;
	}
	kpo_ratio_format(num, den, 2, buf);
	kpo_out_fieldz(o, buf);
}

static void
put_metrics(struct kpo_out *o, const struct group *grp)
{
	const struct acc *a = &grp->a;
	int q;

	put_count(o, a->items);
	put_count(o, a->delivered);
	put_count(o, a->items - a->delivered);
	put_count(o, a->overdue);
	put_ratio(o, a->n_hours > 0, a->hours, E12);
	put_ratio(o, a->n_cost > 0, a->cost, E12);
	put_ratio(o, a->n_baseline > 0, a->baseline, E12);
	put_ratio(o, a->n_savings > 0, a->savings, E12);
	put_ratio(o, a->n_pct > 0, 100 * a->pct_savings, a->pct_baseline);
	put_ratio(o, 1, a->quality, a->quality_n * E12);
	put_count(o, a->quality_n);
	put_ratio(o, 1, a->defects, a->delivered * E12);
	put_ratio(o, 1, 100 * (kpo_i128)a->reworked, a->delivered);
	put_ratio(o, 1, 100 * (kpo_i128)a->first_pass, a->delivered);
	put_ratio(o, 1, 100 * (kpo_i128)a->on_time, a->on_time_known);
	put_ratio(o, 1, a->tat_sum, a->tat_n * (kpo_i128)KPO_MONEY_SCALE);
	for (q = 0; q < NQ; q++)
		put_ratio(o, a->tat_n > 0, kpo_q7_value100(grp->xlo[q], grp->rem[q] ? grp->xhi[q] : grp->xlo[q],
		    grp->rem[q]), 100 * (kpo_i128)KPO_MONEY_SCALE);
	put_ratio(o, a->tat_n > 0, a->tat_max, KPO_MONEY_SCALE);
	kpo_out_endrow(o);
}

static void
write_table(struct kpo_out *o, const struct grouping *g, int total)
{
	size_t i, k;

	for (k = 0; k < g->nkeys; k++)
		kpo_out_fieldz(o, run.keycol[g->col[k]]);
	for (k = 0; metric_cols[k]; k++)
		kpo_out_fieldz(o, metric_cols[k]);
	kpo_out_endrow(o);
	for (i = 0; i < g->ngroups && !kpo_out_failed(o); i++) {
		for (k = 0; k < g->nkeys; k++)
			kpo_out_field(o, g->groups[i]->key[k], g->groups[i]->keylen[k]);
		put_metrics(o, g->groups[i]);
	}
	if (total) {
		for (k = 0; k < g->nkeys; k++)
			kpo_out_fieldz(o, "ALL");
		put_metrics(o, &run.total);
	}
}

static void
write_meta(struct kpo_out *o)
{
	kpo_out_puts(o, "key,value\n");
	kpo_out_printf(o, "as_of,%s\n", opt.as_of);
	kpo_out_printf(o, "rows,%llu\n", run.read);
	kpo_out_printf(o, "base_currency,%s\n", opt.base);
	kpo_out_printf(o, "version,%s\n", KPO_VERSION);
}

/* mkdir -p DIR */
static int
make_dir(const char *dir)
{
	char *p = kpo_xstrdup(dir), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				rc = -1;
			*s = c;
			if (rc || !c)
				break;
		}
	}
	if (rc == 0 && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))) {
		if (errno == 0 || stat(p, &st) == 0)
			errno = ENOTDIR;
		rc = -1;
	}
	free(p);
	return rc;
}

/* Opens the outputs before reading, so a bad -o or DIR fails at once. */
static void
open_outputs(struct kpo_out **out, struct kpo_out **meta)
{
	size_t gi;

	if (!opt.bundle) {
		if (!(*out = kpo_out_open(opt.output)))
			kpo_err(EX_CANTCREAT, "%s", opt.output);
		run.g[0].out = *out;
		return;
	}
	if (make_dir(opt.bundle) != 0)
		kpo_err(EX_CANTCREAT, "%s", opt.bundle);
	for (gi = 0; gi <= run.ng; gi++) {
		const char *file = gi < run.ng ? run.g[gi].file : "meta.csv";
		size_t n = strlen(opt.bundle) + strlen(file) + 2;
		char *path = kpo_xmalloc(n);
		struct kpo_out *o;

		snprintf(path, n, "%s/%s", opt.bundle, file);
		if (!(o = kpo_out_open(path))) {
			int saved = errno;

			for (; gi-- > 0;)
				kpo_out_abort(run.g[gi].out);
			errno = saved;
			kpo_err(EX_CANTCREAT, "%s", path);
		}
		if (gi < run.ng)
			run.g[gi].out = o;
		else
			*meta = o;
		free(path);
	}
}

/* Writes, then publishes every output or none; returns the exit status. */
static int
finish_outputs(struct kpo_out *meta, int status)
{
	size_t gi;
	int failed = 0;

	if (status == 0) {
		for (gi = 0; gi < run.ng; gi++)
			write_table(run.g[gi].out, &run.g[gi], opt.total || opt.bundle);
		if (meta)
			write_meta(meta);
		for (gi = 0; gi < run.ng; gi++)
			failed |= kpo_out_failed(run.g[gi].out);
		failed |= meta && kpo_out_failed(meta);
	}
	if (status != 0 || failed) {
		for (gi = 0; gi < run.ng; gi++) {
			if (kpo_out_failed(run.g[gi].out)) {
				errno = kpo_out_errno(run.g[gi].out);
				kpo_warn("%s: write error", kpo_out_name(run.g[gi].out));
			}
			kpo_out_abort(run.g[gi].out);
		}
		if (meta && kpo_out_failed(meta)) {
			errno = kpo_out_errno(meta);
			kpo_warn("%s: write error", kpo_out_name(meta));
		}
		kpo_out_abort(meta);
		return kpo_status_merge(status, failed ? EX_IOERR : 0);
	}
	for (gi = 0; gi <= run.ng; gi++) {
		struct kpo_out *o = gi < run.ng ? run.g[gi].out : meta;
		char name[4096];

		if (!o)
			continue;
		snprintf(name, sizeof name, "%s", kpo_out_name(o));
		if (kpo_out_commit(o) != 0) {
			kpo_warn("%s: write error", name);
			status = kpo_status_merge(status, EX_IOERR);
		}
	}
	return status;
}

static void
free_leaf(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

static void
free_all(void)
{
	size_t gi, i;

	for (gi = 0; gi < run.ng; gi++) {
		struct grouping *g = &run.g[gi];

		for (i = 0; i < g->ngroups; i++) {
			free(g->groups[i]->key);
			free(g->groups[i]->keylen);
			free(g->groups[i]);
		}
		free(g->groups);
		free(g->of_leaf);
		free(g->col);
		free(g->spec);
		kpo_strmap_free(g->map);
	}
	free(run.g);
	kpo_strmap_each(run.leaves, free_leaf, NULL);
	kpo_strmap_free(run.leaves);
	free(run.keycol);
	free(run.keybuf);
	free(run.lastkey);
	if (run.tat)
		munmap(run.tat, run.tatcap * sizeof *run.tat);
}

int
main(int argc, char **argv)
{
	enum { O_BY = 256, O_TOTAL, O_BUNDLE, O_ASOF, O_BASE, O_REJECTS, O_MAXPCT,
	       O_PROGRESS, O_NOPROGRESS, O_VERSION };
	static const struct option longopts[] = {
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "bundle",         required_argument, NULL, O_BUNDLE },
		{ "by",             required_argument, NULL, O_BY },
		{ "help",           no_argument,       NULL, 'h' },
		{ "max-reject-pct", required_argument, NULL, O_MAXPCT },
		{ "no-progress",    no_argument,       NULL, O_NOPROGRESS },
		{ "output",         required_argument, NULL, 'o' },
		{ "progress",       no_argument,       NULL, O_PROGRESS },
		{ "quiet",          no_argument,       NULL, 'q' },
		{ "rejects",        required_argument, NULL, O_REJECTS },
		{ "total",          no_argument,       NULL, O_TOTAL },
		{ "version",        no_argument,       NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct kpo_out *out = NULL, *meta = NULL;
	const char *rejects_name = NULL;
	char summary[1024];
	int ch, i, status = 0;

	kpo_stage_init(argv[0]);
	set_as_of((int64_t)time(NULL));
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case O_ASOF:
			parse_as_of(optarg);
			break;
		case O_BASE:
			parse_base(optarg);
			break;
		case O_BUNDLE:
			if (!*optarg)
				kpo_errx(EX_USAGE, "--bundle: a folder name expected");
			opt.bundle = optarg;
			break;
		case O_BY:
			opt.by = optarg;
			break;
		case O_MAXPCT:
			opt.max_reject_pct = kpo_max_reject_pct_arg(optarg);
			break;
		case O_NOPROGRESS:
			opt.progress = 0;
			break;
		case O_PROGRESS:
			opt.progress = 1;
			break;
		case O_REJECTS:
			opt.rejects = optarg;
			break;
		case O_TOTAL:
			opt.total = 1;
			break;
		case O_VERSION:
			printf("kpo-metrics %s\n", KPO_VERSION);
			return kpo_close_stdout(0);
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (opt.bundle && (opt.output || opt.by))
		kpo_errx(EX_USAGE, "--bundle writes its own files: no -o or --by with it");
	if (opt.bundle)
		bundle_groupings();
	else
		add_grouping(NULL, opt.by ? opt.by : "domain");
	if (opt.progress < 0)
		opt.progress = isatty(STDERR_FILENO);
	kpo_progress_init(&run.progress, opt.progress);
	run.leaves = kpo_strmap_new();

	open_outputs(&out, &meta);
	if (!(run.rejects = kpo_rejects_open(opt.rejects, "metrics"))) {
		int saved = errno;

		finish_outputs(meta, EX_CANTCREAT);
		errno = saved;
		kpo_err(EX_CANTCREAT, "%s", opt.rejects);
	}

	if (argc == 0)
		status = metrics("-");
	for (i = 0; i < argc && !run.too_many_groups; i++)
		status = kpo_status_merge(status, metrics(argv[i]));
	kpo_progress_show(&run.progress, run.read, run.bytes_done, 1);

	if (!opt.quiet) {
		snprintf(summary, sizeof summary, "%llu rows read, %llu used, %llu rejected",
		    run.read, run.used, kpo_rejects_count(run.rejects));
		kpo_rejects_describe(run.rejects, summary, sizeof summary);
		kpo_warnx("%s", summary);
	}
	if (kpo_reject_threshold_passed(kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct)) {
		kpo_warnx("%llu of %llu rows rejected, more than --max-reject-pct %g%%",
		    kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct);
		status = kpo_status_merge(status, EX_DATAERR);
	} else if (run.read > 0 && run.used == 0) {
		kpo_warnx("no valid row");
		status = kpo_status_merge(status, EX_DATAERR);
	}
	if (kpo_rejects_close(run.rejects, &rejects_name) != 0) {
		kpo_warn("%s: write error", rejects_name);
		status = kpo_status_merge(status, EX_IOERR);
	}
	/* The tables are written only by a run that succeeded. */
	if (status == 0)
		build_groups();
	status = finish_outputs(meta, status);
	free_all();
	return kpo_close_stdout(status);
}
