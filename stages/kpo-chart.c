/* kpo-chart: a kpo-metrics bundle -> gnuplot charts (PNG, SVG) and index.html.
 * See kpo-chart(1).
 *
 * Nothing read from the bundle is ever written into the gnuplot script: names
 * and months go into TSV data files (made harmless by kpo_gp_text) that the
 * script reads by fixed names; the script holds only numbers and text made
 * here, plus the as-of date and currency code from meta.csv after checking
 * their form. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "csvread.h"
#include "err.h"
#include "gnuplot.h"
#include "html.h"
#include "out.h"
#include "report.h"
#include "strmap.h"

#define MAX_MONTHS 24           /* month axes show the last 24 months */
#define LABEL_CHARS 32          /* names on charts are cut to this many characters */
#define MDASH "\xe2\x80\x94"
#define NDASH "\xe2\x80\x93"

enum met {
	M_ITEMS, M_DELIVERED, M_OPEN, M_OVERDUE, M_HOURS, M_COST, M_BASELINE, M_SAVINGS,
	M_SAVINGS_PCT, M_QUALITY_MEAN, M_QUALITY_N, M_DEFECTS_PER_ITEM, M_REWORK_RATE,
	M_FIRST_PASS_YIELD, M_ON_TIME_PCT, M_TAT_MEAN, M_TAT_P10, M_TAT_P25, M_TAT_P50,
	M_TAT_P75, M_TAT_P90, M_TAT_MAX, NMET
};

static const char *const met_name[NMET] = {
	"items", "delivered", "open", "overdue", "hours", "cost", "baseline", "savings",
	"savings_pct", "quality_mean", "quality_n", "defects_per_item", "rework_rate",
	"first_pass_yield", "on_time_pct", "tat_mean_h", "tat_p10_h", "tat_p25_h", "tat_p50_h",
	"tat_p75_h", "tat_p90_h", "tat_max_h",
};

#define BIT(m) (1ul << (m))
#define SUMS (BIT(M_ITEMS) | BIT(M_DELIVERED) | BIT(M_OPEN) | BIT(M_OVERDUE) | BIT(M_HOURS) | \
    BIT(M_COST) | BIT(M_BASELINE) | BIT(M_SAVINGS))
#define QUALITY (BIT(M_QUALITY_MEAN) | BIT(M_QUALITY_N))
#define TAT (BIT(M_TAT_P10) | BIT(M_TAT_P25) | BIT(M_TAT_P50) | BIT(M_TAT_P75) | BIT(M_TAT_P90))

/* One row of a by-*.csv.gz file. */
struct row {
	char *key[2];
	size_t keylen[2];
	double v[NMET];
	unsigned char has[NMET];
};

struct table {
	const char *file;
	int nkeys;
	const char *keyname[2];
	unsigned long need;             /* metric columns this program reads */
	struct row *rows;               /* sorted by key bytes, without the ALL row */
	size_t n;
	struct row all;
	int have_all;
};

enum { T_DOMAIN, T_VENDOR, T_REGION, T_MONTH, T_DOMAIN_MONTH, T_VENDOR_DOMAIN, NTABLES };

static struct table tables[NTABLES] = {
	{ .file = "by-domain.csv.gz", .nkeys = 1, .keyname = { "domain", NULL }, .need =
	  SUMS | BIT(M_SAVINGS_PCT) | QUALITY | BIT(M_ON_TIME_PCT) | TAT },
	{ .file = "by-vendor.csv.gz", .nkeys = 1, .keyname = { "vendor", NULL }, .need = SUMS | BIT(M_SAVINGS_PCT) | QUALITY },
	{ .file = "by-region.csv.gz", .nkeys = 1, .keyname = { "region", NULL }, .need = BIT(M_ITEMS) },
	{ .file = "by-month.csv.gz", .nkeys = 1, .keyname = { "month", NULL }, .need = SUMS | BIT(M_ON_TIME_PCT) },
	{ .file = "by-domain-month.csv.gz", .nkeys = 2, .keyname = { "domain", "month" }, .need = SUMS | QUALITY },
	{ .file = "by-vendor-domain.csv.gz", .nkeys = 2, .keyname = { "vendor", "domain" }, .need = BIT(M_ITEMS) },
};

static struct {
	const char *dir;
	const char *bundle_link;
	const char *rejects;
	double sla;
	double timeout;
	long top;
	int png, svg;
	int no_render;
	int quiet;
} opt = { ".", NULL, NULL, 95.0, 30.0, 12, 1, 1, 0, 0 };

static struct {
	char as_of[11];
	char base[4];
	char *rows;                     /* as written, for the page footer */
	char *version;
} meta;

static const char *bundle;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-q] [-o DIR] [--format png,svg] [--sla-target PCT] [--top N]\n"
	    "       [--timeout SECONDS] [--no-render] [--rejects-link FILE] [--bundle-link PREFIX]\n"
	    "       BUNDLE_DIR\n", kpo_progname);
	if (!status)
		printf("Draws the charts of a kpo-metrics --bundle with gnuplot (PNG and SVG) and writes\n"
		    "DIR/index.html.  See kpo-chart(1).\n");
	exit(status);
}

/* ---- Reading the bundle ---- */

static char *
bundle_path(const char *file)
{
	size_t n = strlen(bundle) + strlen(file) + 2;
	char *p = kpo_xmalloc(n);

	snprintf(p, n, "%s/%s", bundle, file);
	return p;
}

/* Opens a bundle file; a file that is missing is bad data (the bundle is
 * incomplete), a read error is an I/O error. */
static struct kpo_csv *
open_member(const char *path)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);

	if (kpo_csv_error(r) == KPO_CSV_EOPEN)
		kpo_errx(EX_DATAERR, "%s (kpo-metrics --bundle writes it)", kpo_csv_message(r));
	if (kpo_csv_error(r))
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
	if (!kpo_csv_header(r))
		kpo_errx(EX_DATAERR, "%s:1: empty file: no header line", path);
	return r;
}

static void
read_meta(void)
{
	char *path = bundle_path("meta.csv");
	struct kpo_csv *r = open_member(path);
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_record *rec;
	int kc = kpo_header_find(h, "key"), vc = kpo_header_find(h, "value"), rc;
	const char *as_of = NULL;
	const char *base = NULL;
	long as_of_line = 1, base_line = 1;

	if (kc < 0 || vc < 0)
		kpo_errx(EX_DATAERR, "%s:1: column '%s' missing (kpo-metrics --bundle writes 'key,value')",
		    path, kc < 0 ? "key" : "value");
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		if (rec->status != KPO_REC_OK)
			kpo_errx(EX_DATAERR, "%s:%ld: not a 'key,value' row", path, rec->line);
		if (strcmp(rec->f[kc], "as_of") == 0) {
			free((char *)as_of);
			as_of = kpo_xstrdup(rec->f[vc]);
			as_of_line = rec->line;
		} else if (strcmp(rec->f[kc], "base_currency") == 0) {
			free((char *)base);
			base = kpo_xstrdup(rec->f[vc]);
			base_line = rec->line;
		} else if (strcmp(rec->f[kc], "rows") == 0) {
			free(meta.rows);
			meta.rows = kpo_xstrdup(rec->f[vc]);
		} else if (strcmp(rec->f[kc], "version") == 0) {
			free(meta.version);
			meta.version = kpo_xstrdup(rec->f[vc]);
		}
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
	/* These two enter the gnuplot script (titles): their form is checked. */
	if (!as_of)
		kpo_errx(EX_DATAERR, "%s: no 'as_of' row", path);
	if (strlen(as_of) != 10 || strspn(as_of, "0123456789-") != 10 || as_of[4] != '-' || as_of[7] != '-' ||
	    strchr(as_of, '-') != as_of + 4 || strrchr(as_of, '-') != as_of + 7 ||
	    atoi(as_of + 5) < 1 || atoi(as_of + 5) > 12 || atoi(as_of + 8) < 1 || atoi(as_of + 8) > 31)
		kpo_errx(EX_DATAERR, "%s:%ld: as_of must be a date YYYY-MM-DD", path, as_of_line);
	if (!base)
		kpo_errx(EX_DATAERR, "%s: no 'base_currency' row", path);
	if (strlen(base) != 3 || strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		kpo_errx(EX_DATAERR, "%s:%ld: base must be a currency code of 3 capital letters", path, base_line);
	memcpy(meta.as_of, as_of, 11);
	memcpy(meta.base, base, 4);
	free((char *)as_of);
	free((char *)base);
	kpo_csv_close(r);
	free(path);
}

static int
row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int k, c;

	for (k = 0; k < 2; k++) {
		size_t n = x->keylen[k] < y->keylen[k] ? x->keylen[k] : y->keylen[k];

		if (!x->key[k])
			return 0;
		if ((c = memcmp(x->key[k], y->key[k], n)) != 0)
			return c;
		if (x->keylen[k] != y->keylen[k])
			return x->keylen[k] < y->keylen[k] ? -1 : 1;
	}
	return 0;
}

static void
read_table(struct table *t)
{
	char *path = bundle_path(t->file);
	struct kpo_csv *r = open_member(path);
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_record *rec;
	int kcol[2] = { -1, -1 }, mcol[NMET], k, m, rc;
	size_t cap = 0;

	for (k = 0; k < t->nkeys; k++)
		if ((kcol[k] = kpo_header_find(h, t->keyname[k])) < 0)
			kpo_errx(EX_DATAERR, "%s:%ld: column '%s' missing (kpo-metrics --bundle writes it)",
			    path, h->line, t->keyname[k]);
	for (m = 0; m < NMET; m++) {
		mcol[m] = kpo_header_find(h, met_name[m]);
		if (mcol[m] < 0 && (t->need & BIT(m)))
			kpo_errx(EX_DATAERR, "%s:%ld: column '%s' missing (kpo-metrics --bundle writes it)",
			    path, h->line, met_name[m]);
	}
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		struct row row;
		int all = 1;

		if (rec->status != KPO_REC_OK)
			kpo_errx(EX_DATAERR, "%s:%ld: malformed row (%zu fields, the header has %zu)",
			    path, rec->line, rec->nf, h->nf);
		memset(&row, 0, sizeof row);
		for (k = 0; k < t->nkeys; k++) {
			row.keylen[k] = rec->len[kcol[k]];
			row.key[k] = kpo_xmalloc(row.keylen[k] + 1);
			memcpy(row.key[k], rec->f[kcol[k]], row.keylen[k] + 1);
			if (strcmp(row.key[k], "ALL") != 0)
				all = 0;
		}
		for (m = 0; m < NMET; m++) {
			const char *s;
			char *end;

			if (mcol[m] < 0 || rec->len[mcol[m]] == 0)
				continue;
			s = rec->f[mcol[m]];
			errno = 0;
			row.v[m] = strtod(s, &end);
			if (end == s || *end || errno == ERANGE || !isfinite(row.v[m]))
				kpo_errx(EX_DATAERR, "%s:%ld: column '%s': not a number: '%.40s'",
				    path, rec->line, met_name[m], s);
			row.has[m] = 1;
		}
		if (all) {
			if (t->have_all)
				for (k = 0; k < t->nkeys; k++)
					free(t->all.key[k]);
			t->all = row;
			t->have_all = 1;
			continue;
		}
		if (t->n == cap) {
			cap = cap ? 2 * cap : 64;
			t->rows = kpo_xrealloc(t->rows, cap * sizeof *t->rows);
		}
		t->rows[t->n++] = row;
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
	kpo_csv_close(r);
	if (t->n)
		qsort(t->rows, t->n, sizeof *t->rows, row_cmp);
	free(path);
}

static void
free_tables(void)
{
	size_t t, i;
	int k;

	for (t = 0; t < NTABLES; t++) {
		for (i = 0; i < tables[t].n; i++)
			for (k = 0; k < 2; k++)
				free(tables[t].rows[i].key[k]);
		for (k = 0; k < 2; k++)
			free(tables[t].all.key[k]);
		free(tables[t].rows);
	}
	free(meta.rows);
	free(meta.version);
}

/* Counts the data rows of the rejects file (plain or gzip). */
static unsigned long long
count_rejects(const char *path)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	struct kpo_record *rec;
	unsigned long long n = 0;
	int rc;

	if (kpo_csv_error(r))
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--rejects-link %s", kpo_csv_message(r));
	if (kpo_csv_header(r))
		while ((rc = kpo_csv_next(r, &rec)) == 1)
			n++;
	else
		rc = 0;
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--rejects-link %s", kpo_csv_message(r));
	kpo_csv_close(r);
	return n;
}

/* ---- Groups: the top N by items, the rest folded into one ---- */

/* A group drawn on a chart: a pointer to a row, or the folded rest. */
struct group {
	struct row r;
	const char *name;               /* NUL-terminated label */
	size_t namelen;
	char other[64];                 /* "other (N domains)" */
};

static int
items_desc(const void *a, const void *b)
{
	const struct row *const *x = a, *const *y = b;
	double dx = (*x)->has[M_ITEMS] ? (*x)->v[M_ITEMS] : 0, dy = (*y)->has[M_ITEMS] ? (*y)->v[M_ITEMS] : 0;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return row_cmp(*x, *y);
}

/* Adds the summable metrics of R into ACC, and the quality weights. */
static void
fold_into(struct row *acc, const struct row *r)
{
	int m;

	for (m = 0; m < NMET; m++)
		if ((SUMS & BIT(m)) && r->has[m]) {
			acc->v[m] += r->v[m];
			acc->has[m] = 1;
		}
	if (r->has[M_QUALITY_MEAN] && r->has[M_QUALITY_N] && r->v[M_QUALITY_N] > 0) {
		acc->v[M_QUALITY_MEAN] += r->v[M_QUALITY_MEAN] * r->v[M_QUALITY_N];
		acc->v[M_QUALITY_N] += r->v[M_QUALITY_N];
		acc->has[M_QUALITY_N] = 1;
	}
}

/* Percentages recomputed from the folded sums; the quality mean weighted by
 * quality_n.  On-time % and turnaround quantiles cannot be recovered from a
 * bundle and stay undefined. */
static void
fold_finish(struct row *acc)
{
	if (acc->has[M_BASELINE] && acc->has[M_SAVINGS] && acc->v[M_BASELINE] != 0) {
		acc->v[M_SAVINGS_PCT] = 100.0 * acc->v[M_SAVINGS] / acc->v[M_BASELINE];
		acc->has[M_SAVINGS_PCT] = 1;
	}
	if (acc->has[M_QUALITY_N] && acc->v[M_QUALITY_N] > 0) {
		acc->v[M_QUALITY_MEAN] /= acc->v[M_QUALITY_N];
		acc->has[M_QUALITY_MEAN] = 1;
	}
}

/* The groups of T to draw: the TOP largest by items, largest first, then
 * "other (N WHAT)" holding the rest when there is a rest.  *N gets the count. */
static struct group *
top_groups(const struct table *t, long top, const char *what, size_t *n)
{
	const struct row **order = kpo_xcalloc(t->n + 1, sizeof *order);
	struct group *g;
	size_t i, keep = t->n > (size_t)top ? (size_t)top : t->n;

	for (i = 0; i < t->n; i++)
		order[i] = &t->rows[i];
	qsort(order, t->n, sizeof *order, items_desc);
	g = kpo_xcalloc(keep + 1, sizeof *g);
	for (i = 0; i < keep; i++) {
		g[i].r = *order[i];
		g[i].name = order[i]->key[0];
		g[i].namelen = order[i]->keylen[0];
	}
	*n = keep;
	if (t->n > keep) {
		struct group *o = &g[keep];

		for (i = keep; i < t->n; i++)
			fold_into(&o->r, order[i]);
		fold_finish(&o->r);
		/* WHAT is a plural ("vendors"): one folded group drops its s. */
		snprintf(o->other, sizeof o->other, "other (%zu %.*s)", t->n - keep,
		    (int)strlen(what) - (t->n - keep == 1), what);
		o->name = o->other;
		o->namelen = strlen(o->other);
		(*n)++;
	}
	free(order);
	return g;
}

/* ---- Data files and the script ---- */

static char *gpdir;                     /* DIR/gnuplot */

struct dat {
	struct kpo_out *out;
	char *path;
};

static void
dat_open(struct dat *d, const char *name)
{
	size_t n = strlen(gpdir) + strlen(name) + 2;

	d->path = kpo_xmalloc(n);
	snprintf(d->path, n, "%s/%s", gpdir, name);
	if (!(d->out = kpo_out_open(d->path)))
		kpo_err(EX_CANTCREAT, "%s", d->path);
}

static void
dat_close(struct dat *d)
{
	if (kpo_out_commit(d->out) != 0)
		kpo_err(EX_IOERR, "%s: write error", d->path);
	free(d->path);
}

/* A TAB, then a name as harmless text. */
static void
dat_text(struct dat *d, const char *s, size_t n)
{
	char small[3 * 128 + 8], *buf = n <= 128 ? small : kpo_xmalloc(3 * n + 8);
	size_t len = kpo_gp_text(s, n, LABEL_CHARS, buf);

	kpo_out_putc(d->out, '\t');
	kpo_out_write(d->out, buf, len);
	if (buf != small)
		free(buf);
}

/* A TAB, then a number or NaN. */
static void
dat_num(struct dat *d, int has, double v)
{
	if (has)
		kpo_out_printf(d->out, "\t%.4f", v);
	else
		kpo_out_puts(d->out, "\tNaN");
}

/* Compact money for labels: 950, 12.3k, 1.25M. */
static void
compact(double v, char *buf, size_t size)
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

enum chart {
	C_SAVINGS_DOMAIN, C_TURNAROUND, C_ON_TIME, C_QUALITY, C_SCORECARD, C_SAVINGS_MONTH,
	C_HEATMAP, NCHARTS
};

static const struct chart_info {
	const char *name;
	int width, height;
	const char *caption;
} charts[NCHARTS] = {
	{ "savings-by-domain", 1000, 580, "In-house baseline and vendor cost per domain, with savings %" },
	{ "turnaround-by-domain", 1000, 580, "Turnaround per domain: box p25 to p75, whiskers p10 to p90, median line" },
	{ "on-time-trend", 1000, 500, "On-time delivery % by month against the SLA target" },
	{ "quality-trend", 1000, 560, "Mean quality score by month, one line per domain" },
	{ "vendor-scorecard", 1000, 640, "Vendors: savings % against mean quality, point size by items" },
	{ "savings-by-month", 1000, 520, "Savings by month (bars) and cumulative savings (line)" },
	{ "savings-heatmap", 1100, 0, "Savings per domain and month" },
};

static int heatmap_height;
static int quality_folded;
#define QUALITY_LINES 6         /* domains drawn in quality-trend, before other */

/* What the script needs to know about each chart's data. */
static struct {
	size_t points;                  /* valid points: 0 draws a "no data" panel */
	size_t groups;
	size_t series;                  /* quality-trend: lines */
	size_t months;
	size_t total;                   /* groups before folding */
	double ymin, ymax;
	double vmax;                     /* heatmap: the largest |savings|; savings-by-month: the lowest cumulative sum */
	double cmax;                    /* savings-by-month: the highest cumulative sum */
	char since[8];                  /* savings-by-month: first month of the cumulative sum */
} info[NCHARTS];

/* Money tics for AXIS over [LO, HI]: a step of 1, 2 or 5 x 10^k giving at
 * most eight intervals, each label written with k/M by us.  gnuplot's
 * "%.0s%c" would print 1.5M as "2M", twice on one axis. */
static void
money_tics(struct kpo_out *o, const char *axis, double lo, double hi)
{
	static const double nice[] = { 1, 2, 5 };
	double span, step = 1, mag, v;
	int i, first = 1;

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
			break;
		if (i == 2)
			mag *= 10;
	}
	kpo_out_printf(o, "set %stics (", axis);
	for (v = ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
		double a = fabs(v) < step * 1e-9 ? 0 : v;
		char label[32];

		if (fabs(a) >= 1e6)
			snprintf(label, sizeof label, "%gM", a / 1e6);
		else if (fabs(a) >= 1e3)
			snprintf(label, sizeof label, "%gk", a / 1e3);
		else
			snprintf(label, sizeof label, "%g", a);
		kpo_out_printf(o, "%s\"%s\" %.4f", first ? "" : ", ", label, a);
		first = 0;
	}
	kpo_out_puts(o, ")\n");
}

/* The index of each domain among the drawn groups (+1, in the map). */
static struct kpo_strmap *
group_index(const struct group *g, size_t n, int folded)
{
	struct kpo_strmap *map = kpo_strmap_new();
	size_t i;

	for (i = 0; i < n - (folded ? 1 : 0); i++)
		*kpo_strmap_get(map, g[i].name, g[i].namelen, 1) = (void *)(uintptr_t)(i + 1);
	return map;
}

/* The sorted distinct months of T (key column K), the last MAX_MONTHS of them. */
static char **
months_of(const struct table *t, int k, size_t *n, size_t *total)
{
	char **all = kpo_xcalloc(t->n + 1, sizeof *all);
	size_t i, j, cnt = 0, first;

	for (i = 0; i < t->n; i++)
		all[cnt++] = t->rows[i].key[k];
	/* Sort and drop repeats (T is sorted by its first key, not by K). */
	for (i = 1; i < cnt; i++)
		for (j = i; j > 0 && strcmp(all[j - 1], all[j]) > 0; j--) {
			char *tmp = all[j];

			all[j] = all[j - 1];
			all[j - 1] = tmp;
		}
	for (i = j = 0; i < cnt; i++)
		if (j == 0 || strcmp(all[j - 1], all[i]) != 0)
			all[j++] = all[i];
	*total = j;
	first = j > MAX_MONTHS ? j - MAX_MONTHS : 0;
	memmove(all, all + first, (j - first) * sizeof *all);
	*n = j - first;
	return all;
}

static long
month_index(char **months, size_t n, const char *m)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(months[mid], m);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
write_data(void)
{
	struct table *dom = &tables[T_DOMAIN], *mon = &tables[T_MONTH], *dm = &tables[T_DOMAIN_MONTH];
	struct group *g;
	struct kpo_strmap *map;
	struct dat d;
	char **months, buf[64];
	size_t ng, nq, i, j, nm, total, first;
	int folded;
	double *qsum, *qn, *heat;
	unsigned char *hhas;

	/* savings-by-domain: idx, baseline, cost, label height, label, name */
	g = top_groups(dom, opt.top, "domains", &ng);
	folded = dom->n > (size_t)opt.top;
	info[C_SAVINGS_DOMAIN].groups = ng;
	info[C_SAVINGS_DOMAIN].total = dom->n;
	dat_open(&d, "savings-by-domain.dat");
	for (i = 0; i < ng; i++) {
		const struct row *r = &g[i].r;
		double top = fmax(r->has[M_BASELINE] ? r->v[M_BASELINE] : 0, r->has[M_COST] ? r->v[M_COST] : 0);

		if (r->has[M_SAVINGS_PCT])
			snprintf(buf, sizeof buf, "%+.1f%%", r->v[M_SAVINGS_PCT]);
		else
			snprintf(buf, sizeof buf, "n/a");
		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, r->has[M_BASELINE], r->v[M_BASELINE]);
		dat_num(&d, r->has[M_COST], r->v[M_COST]);
		dat_num(&d, 1, top);
		kpo_out_printf(d.out, "\t%s", buf);
		dat_text(&d, g[i].name, g[i].namelen);
		kpo_out_putc(d.out, '\n');
		if (r->has[M_BASELINE] || r->has[M_COST])
			info[C_SAVINGS_DOMAIN].points++;
		info[C_SAVINGS_DOMAIN].ymax = fmax(info[C_SAVINGS_DOMAIN].ymax, top);
	}
	dat_close(&d);

	/* turnaround-by-domain: the top domains only (quantiles do not fold). */
	dat_open(&d, "turnaround-by-domain.dat");
	info[C_TURNAROUND].total = dom->n;
	for (i = 0; i < ng - (folded ? 1 : 0); i++) {
		const struct row *r = &g[i].r;
		int has = r->has[M_TAT_P10] && r->has[M_TAT_P25] && r->has[M_TAT_P50] && r->has[M_TAT_P75] &&
		    r->has[M_TAT_P90];

		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, has, r->v[M_TAT_P10]);
		dat_num(&d, has, r->v[M_TAT_P25]);
		dat_num(&d, has, r->v[M_TAT_P50]);
		dat_num(&d, has, r->v[M_TAT_P75]);
		dat_num(&d, has, r->v[M_TAT_P90]);
		dat_text(&d, g[i].name, g[i].namelen);
		kpo_out_putc(d.out, '\n');
		info[C_TURNAROUND].groups++;
		if (has)
			info[C_TURNAROUND].points++;
	}
	dat_close(&d);

	/* The domain map for the domain x month charts. */
	map = group_index(g, ng, folded);

	/* on-time-trend and savings-by-month: by-month, the last MAX_MONTHS. */
	first = mon->n > MAX_MONTHS ? mon->n - MAX_MONTHS : 0;
	info[C_ON_TIME].months = info[C_SAVINGS_MONTH].months = mon->n - first;
	info[C_ON_TIME].ymin = opt.sla;
	dat_open(&d, "on-time-trend.dat");
	for (i = first; i < mon->n; i++) {
		const struct row *r = &mon->rows[i];

		kpo_out_printf(d.out, "%zu", i - first);
		dat_num(&d, r->has[M_ON_TIME_PCT], r->v[M_ON_TIME_PCT]);
		dat_text(&d, r->key[0], r->keylen[0]);
		kpo_out_putc(d.out, '\n');
		if (r->has[M_ON_TIME_PCT]) {
			info[C_ON_TIME].points++;
			info[C_ON_TIME].ymin = fmin(info[C_ON_TIME].ymin, r->v[M_ON_TIME_PCT]);
		}
	}
	dat_close(&d);
	{
		double cum = 0;

		dat_open(&d, "savings-by-month.dat");
		for (i = 0; i < mon->n; i++) {
			const struct row *r = &mon->rows[i];

			if (r->has[M_SAVINGS])
				cum += r->v[M_SAVINGS];
			if (i < first)
				continue;
			kpo_out_printf(d.out, "%zu", i - first);
			dat_num(&d, r->has[M_SAVINGS], r->v[M_SAVINGS]);
			dat_num(&d, 1, cum);
			dat_text(&d, r->key[0], r->keylen[0]);
			kpo_out_putc(d.out, '\n');
			if (r->has[M_SAVINGS]) {
				info[C_SAVINGS_MONTH].points++;
				info[C_SAVINGS_MONTH].ymin = fmin(info[C_SAVINGS_MONTH].ymin, r->v[M_SAVINGS]);
				info[C_SAVINGS_MONTH].ymax = fmax(info[C_SAVINGS_MONTH].ymax, r->v[M_SAVINGS]);
			}
			info[C_SAVINGS_MONTH].vmax = fmin(info[C_SAVINGS_MONTH].vmax, cum);
			info[C_SAVINGS_MONTH].cmax = fmax(info[C_SAVINGS_MONTH].cmax, cum);
		}
		dat_close(&d);
		if (mon->n)
			snprintf(info[C_SAVINGS_MONTH].since, sizeof info[C_SAVINGS_MONTH].since, "%.7s",
			    mon->rows[0].key[0]);
		for (i = 0; i < sizeof info[C_SAVINGS_MONTH].since && info[C_SAVINGS_MONTH].since[i]; i++)
			if (!strchr("0123456789-", info[C_SAVINGS_MONTH].since[i]))
				info[C_SAVINGS_MONTH].since[0] = '\0';   /* not a month: left out of the title */
	}

	/* quality-trend and savings-heatmap: by-domain-month, domains as above. */
	months = months_of(dm, 1, &nm, &total);
	info[C_QUALITY].months = info[C_HEATMAP].months = nm;
	info[C_HEATMAP].groups = ng;
	/* A line chart stays readable with fewer lines than a bar chart has
	 * bars: the top QUALITY_LINES domains, the rest as one other line. */
	nq = ng > QUALITY_LINES + 1 || (ng > QUALITY_LINES && !folded) ? QUALITY_LINES + 1 : ng;
	quality_folded = nq < ng || folded;
	info[C_QUALITY].series = nq;
	qsum = kpo_xcalloc(ng * nm + 1, sizeof *qsum);
	qn = kpo_xcalloc(ng * nm + 1, sizeof *qn);
	heat = kpo_xcalloc(ng * nm + 1, sizeof *heat);
	hhas = kpo_xcalloc(ng * nm + 1, 1);
	for (i = 0; i < dm->n; i++) {
		const struct row *r = &dm->rows[i];
		void **slot = kpo_strmap_get(map, r->key[0], r->keylen[0], 0);
		long mi = month_index(months, nm, r->key[1]);
		size_t gi;

		if (mi < 0)
			continue;
		if (slot)
			gi = (size_t)(uintptr_t)*slot - 1;
		else if (folded)
			gi = ng - 1;
		else
			continue;       /* a domain missing from by-domain */
		if (r->has[M_QUALITY_MEAN] && r->has[M_QUALITY_N] && r->v[M_QUALITY_N] > 0) {
			size_t qi = gi < nq - 1 || nq == ng ? gi : nq - 1;

			qsum[qi * nm + (size_t)mi] += r->v[M_QUALITY_MEAN] * r->v[M_QUALITY_N];
			qn[qi * nm + (size_t)mi] += r->v[M_QUALITY_N];
		}
		if (r->has[M_SAVINGS]) {
			heat[gi * nm + (size_t)mi] += r->v[M_SAVINGS];
			hhas[gi * nm + (size_t)mi] = 1;
		}
	}
	/* quality-trend: a header line (the names, read as column headers),
	 * then one line per month. */
	dat_open(&d, "quality-trend.dat");
	kpo_out_puts(d.out, "idx\tmonth");
	for (i = 0; i < nq; i++) {
		if (nq < ng && i == nq - 1) {
			snprintf(buf, sizeof buf, "other (%zu domains)", dom->n - (nq - 1));
			dat_text(&d, buf, strlen(buf));
		} else {
			dat_text(&d, g[i].name, g[i].namelen);
		}
	}
	kpo_out_putc(d.out, '\n');
	info[C_QUALITY].ymin = 100;
	for (j = 0; j < nm; j++) {
		kpo_out_printf(d.out, "%zu", j);
		dat_text(&d, months[j], strlen(months[j]));
		for (i = 0; i < nq; i++) {
			int has = qn[i * nm + j] > 0;
			double q = has ? qsum[i * nm + j] / qn[i * nm + j] : 0;

			dat_num(&d, has, q);
			if (has) {
				info[C_QUALITY].points++;
				info[C_QUALITY].ymin = fmin(info[C_QUALITY].ymin, q);
			}
		}
		kpo_out_putc(d.out, '\n');
	}
	dat_close(&d);

	/* savings-heatmap: x (month), y (domain, the largest on top), value, label. */
	dat_open(&d, "savings-heatmap.dat");
	for (i = 0; i < ng; i++)
		for (j = 0; j < nm; j++) {
			size_t at = i * nm + j;

			if (!hhas[at])
				continue;
			compact(heat[at], buf, sizeof buf);
			kpo_out_printf(d.out, "%zu\t%zu", j, ng - 1 - i);
			dat_num(&d, 1, heat[at]);
			kpo_out_printf(d.out, "\t%s\n", buf);
			info[C_HEATMAP].points++;
			info[C_HEATMAP].vmax = fmax(info[C_HEATMAP].vmax, fabs(heat[at]));
		}
	dat_close(&d);
	dat_open(&d, "savings-heatmap-x.dat");
	for (j = 0; j < nm; j++) {
		kpo_out_printf(d.out, "%zu", j);
		dat_text(&d, months[j], strlen(months[j]));
		kpo_out_putc(d.out, '\n');
	}
	dat_close(&d);
	dat_open(&d, "savings-heatmap-y.dat");
	for (i = 0; i < ng; i++) {
		kpo_out_printf(d.out, "%zu", ng - 1 - i);
		dat_text(&d, g[i].name, g[i].namelen);
		kpo_out_putc(d.out, '\n');
	}
	dat_close(&d);
	heatmap_height = 150 + 34 * (int)(ng ? ng : 1);
	if (heatmap_height < 360)
		heatmap_height = 360;
	info[C_HEATMAP].total = total;
	free(qsum);
	free(qn);
	free(heat);
	free(hhas);
	free(months);
	kpo_strmap_free(map);
	free(g);

	/* vendor-scorecard: idx, savings %, quality, items, point size, name */
	g = top_groups(&tables[T_VENDOR], opt.top, "vendors", &ng);
	info[C_SCORECARD].groups = ng;
	info[C_SCORECARD].total = tables[T_VENDOR].n;
	{
		double maxitems = 0;

		for (i = 0; i < ng; i++)
			if (g[i].r.has[M_ITEMS])
				maxitems = fmax(maxitems, g[i].r.v[M_ITEMS]);
		dat_open(&d, "vendor-scorecard.dat");
		for (i = 0; i < ng; i++) {
			const struct row *r = &g[i].r;
			int has = r->has[M_SAVINGS_PCT] && r->has[M_QUALITY_MEAN];
			double items = r->has[M_ITEMS] ? r->v[M_ITEMS] : 0;

			kpo_out_printf(d.out, "%zu", i);
			dat_num(&d, has, r->v[M_SAVINGS_PCT]);
			dat_num(&d, has, r->v[M_QUALITY_MEAN]);
			dat_num(&d, 1, items);
			dat_num(&d, 1, 1.0 + 3.0 * (maxitems > 0 ? sqrt(items / maxitems) : 0));
			dat_text(&d, g[i].name, g[i].namelen);
			kpo_out_putc(d.out, '\n');
			if (has)
				info[C_SCORECARD].points++;
		}
		dat_close(&d);
	}
	free(g);
}

static size_t
mon_total(void)
{
	return tables[T_MONTH].n;
}

static size_t
dm_month_total(void)
{
	return info[C_HEATMAP].total;
}

/* The commands of one chart, after its terminal and output are set. */
static void
chart_body(struct kpo_out *o, enum chart c)
{
	const char *A = meta.as_of, *B = meta.base;

	kpo_out_puts(o,
	    "reset\n"
	    "set datafile separator \"\\t\"\n"
	    "set datafile missing \"NaN\"\n"
	    "set grid ytics lc rgb \"#dddddd\"\n"
	    "set border 3 lc rgb \"#555555\"\n"
	    "set tics nomirror out\n"
	    "set key noenhanced\n"
	    "set title font \",13\"\n"
	    "set decimalsign \".\"\n");
	if (info[c].points == 0) {
		kpo_out_printf(o,
		    "set title \"%s: no data in the bundle (as of %s)\"\n"
		    "unset border\nunset tics\nunset grid\nunset key\n"
		    "set label 1 \"no data\" at graph 0.5, graph 0.5 center font \",16\"\n"
		    "plot [0:1] [0:1] 2 notitle\n", charts[c].name, A);
		return;
	}
	switch (c) {
	case C_SAVINGS_DOMAIN:
		money_tics(o, "y", 0, info[c].ymax > 0 ? info[c].ymax * 1.12 : 1.0);
		kpo_out_printf(o,
		    "set title \"In-house baseline vs vendor cost by domain (%s), savings %% on top " MDASH " as of %s\"\n"
		    "set ylabel \"%s\"\n"
		    "set xlabel \"domain%s\"\n"
		    "set style data histogram\n"
		    "set style histogram cluster gap 1\n"
		    "set style fill solid 0.85 border -1\n"
		    "set boxwidth 0.9\n"
		    "set xtics rotate by 30 right noenhanced\n"
		    "set yrange [0:%.4f]\n"
		    "set key top right\n"
		    "set xrange [-0.6:%zu.6]\n"
		    "plot 'savings-by-domain.dat' using 2:xticlabels(6) title \"in-house baseline\" lc rgb \"#9ecae1\", \\\n"
		    "     '' using 3 title \"vendor cost\" lc rgb \"#3182bd\", \\\n"
		    "     '' using 1:4:5 with labels offset 0,0.8 font \",9\" noenhanced notitle\n",
		    B, A, B, info[c].groups < info[c].total ? " (top by items, the rest as other)" : "",
		    info[c].ymax > 0 ? info[c].ymax * 1.12 : 1.0, info[c].groups ? info[c].groups - 1 : 0);
		break;
	case C_TURNAROUND:
		kpo_out_printf(o,
		    "set title \"Turnaround by domain (hours): p10, p25, median, p75, p90 " MDASH " as of %s\"\n"
		    "set ylabel \"turnaround (hours)\"\n"
		    "set xlabel \"domain%s\"\n"
		    "set xrange [-0.6:%zu.6]\n"
		    "set yrange [0:*]\n"
		    "set xtics rotate by 30 right noenhanced\n"
		    "set style fill solid 0.6 border -1\n"
		    "set boxwidth 0.5 absolute\n"
		    "set key top left\n"
		    "plot 'turnaround-by-domain.dat' using 1:3:2:6:5:xticlabels(7) with candlesticks whiskerbars 0.6 "
		    "lc rgb \"#6baed6\" title \"p25" NDASH "p75 box, p10" NDASH "p90 whiskers\", \\\n"
		    "     '' using 1:4:4:4:4 with candlesticks lc rgb \"#08306b\" lw 2 title \"median (p50)\"\n",
		    A, info[c].groups < info[c].total ? " (top by items; quantiles cannot be folded)" : "",
		    info[c].groups ? info[c].groups - 1 : 0);
		break;
	case C_ON_TIME: {
		double lo = floor(fmin(info[c].ymin, opt.sla) / 10.0) * 10.0 - 5;

		kpo_out_printf(o,
		    "set title \"On-time delivery by month (%%) vs SLA target %g%% " MDASH " as of %s\"\n"
		    "set ylabel \"on time (%% of items with a due date)\"\n"
		    "set xlabel \"month%s\"\n"
		    "set xrange [-0.5:%zu.5]\n"
		    "set yrange [%.1f:102]\n"
		    "set xtics rotate by 45 right noenhanced\n"
		    "set key bottom left\n"
		    "plot 'on-time-trend.dat' using 1:2:xticlabels(3) with linespoints lw 2 pt 7 ps 0.8 lc rgb \"#3182bd\" "
		    "title \"on-time %%\", \\\n"
		    "     %.4f with lines dt 2 lw 2 lc rgb \"#e6550d\" title \"SLA target %g%%\"\n",
		    opt.sla, A, info[c].months < mon_total() ? " (last 24 months)" : "",
		    info[c].months ? info[c].months - 1 : 0, lo < 0 ? 0 : lo, opt.sla, opt.sla);
		break;
	}
	case C_QUALITY: {
		double lo = floor(info[c].ymin / 10.0) * 10.0 - 5;

		kpo_out_printf(o,
		    "set title \"Mean quality score by month and domain " MDASH " as of %s\"\n"
		    "set ylabel \"mean quality (0" NDASH "100)\"\n"
		    "set xlabel \"month%s\"\n"
		    "set xrange [-0.5:%zu.5]\n"
		    "set yrange [%.1f:101]\n"
		    "set xtics rotate by 45 right noenhanced\n"
		    "set key outside right top vertical noenhanced font \",9\"\n"
		    "plot for [i=3:%zu] 'quality-trend.dat' using 1:i:xticlabels(2) with linespoints "
		    "lt (i-2) lw 1.5 pt 7 ps 0.6 title columnheader(i)",
		    A, info[c].months < dm_month_total() ? " (last 24 months)" : "",
		    info[c].months ? info[c].months - 1 : 0, lo < 0 ? 0 : lo,
		    info[c].series + 2 - (quality_folded ? 1 : 0));
		if (quality_folded)
			kpo_out_printf(o, ", \\\n     '' using 1:%zu with linespoints lw 1.5 dt 2 pt 6 ps 0.6 "
			    "lc rgb \"#888888\" title columnheader(%zu)", info[c].series + 2, info[c].series + 2);
		kpo_out_putc(o, '\n');
		break;
	}
	case C_SCORECARD:
		kpo_out_printf(o,
		    "set title \"Vendor scorecard: savings %% vs mean quality, point size by items " MDASH " as of %s\"\n"
		    "set xlabel \"savings (%% of in-house baseline)%s\"\n"
		    "set ylabel \"mean quality (0" NDASH "100)\"\n"
		    "set grid xtics ytics lc rgb \"#dddddd\"\n"
		    "set offsets graph 0.08, graph 0.08, graph 0.1, graph 0.08\n"
		    "set key off\n"
		    "plot 'vendor-scorecard.dat' using 2:3:5 with points pt 7 ps variable lc rgb \"#403182bd\" notitle, \\\n"
		    "     '' using 2:(int($1) %% 2 == 0 ? $3 : NaN):6 with labels offset 0,1.5 font \",9\" noenhanced notitle, \\\n"
		    "     '' using 2:(int($1) %% 2 == 1 ? $3 : NaN):6 with labels offset 0,-1.5 font \",9\" noenhanced notitle\n",
		    A, info[c].groups < info[c].total ? "; the top vendors by items, the rest as other" : "");
		break;
	case C_SAVINGS_MONTH:
		money_tics(o, "y", 1.1 * info[c].ymin, 1.1 * info[c].ymax);
		money_tics(o, "y2", 1.1 * info[c].vmax, 1.1 * info[c].cmax);
		kpo_out_printf(o,
		    "set title \"Savings by month and cumulative savings (%s) " MDASH " as of %s\"\n"
		    "set ylabel \"savings per month (%s)\"\n"
		    "set y2label \"cumulative savings%s%s (%s)\"\n"
		    "set xlabel \"month%s\"\n"
		    "set xrange [-0.5:%zu.5]\n"
		    "set yrange [%.4f:%.4f]\n"
		    "set y2range [%.4f:%.4f]\n"

		    "set xtics rotate by 45 right noenhanced\n"
		    "set style fill solid 0.85 border -1\n"
		    "set boxwidth 0.7 relative\n"
		    "set key top left\n"
		    "set xzeroaxis lt -1\n"
		    "plot 'savings-by-month.dat' using 1:2:xticlabels(4) with boxes lc rgb \"#74c476\" title \"savings in the month\", \\\n"
		    "     '' using 1:3 axes x1y2 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"#08519c\" title \"cumulative (right axis)\"\n",
		    B, A, B, info[c].since[0] ? " since " : "", info[c].since, B,
		    info[c].months < mon_total() ? " (last 24 months)" : "",
		    info[c].months ? info[c].months - 1 : 0, 1.1 * info[c].ymin, 1.1 * info[c].ymax,
		    1.1 * info[c].vmax, 1.1 * info[c].cmax);
		break;
	case C_HEATMAP: {
		double m = info[c].vmax > 0 ? info[c].vmax : 1;

		money_tics(o, "cb", -m, m);
		kpo_out_printf(o,
		    "set title \"Savings by domain and month (%s) " MDASH " as of %s\"\n"
		    "set xlabel \"month%s\"\n"
		    "set ylabel \"domain\"\n"
		    "set xrange [-0.5:%zu.5]\n"
		    "set yrange [-0.5:%zu.5]\n"
		    "unset grid\n"
		    "set border 15\n"
		    "set tics scale 0\n"
		    "set xtics rotate by 45 right noenhanced\n"
		    "set ytics noenhanced\n"
		    "set palette defined (-1 \"#d73027\", 0 \"#ffffff\", 1 \"#1a9850\")\n"
		    "set cbrange [%.4f:%.4f]\n"
		    "set cblabel \"savings (%s)\"\n"
		    "set style fill solid 1 noborder\n"
		    "set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb \"#eeeeee\" fs solid noborder\n"
		    "set key off\n"
		    "plot 'savings-heatmap.dat' using 1:2:(0.5):(0.5):3 with boxxy fc palette notitle, \\\n"
		    "     '' using 1:2:4 with labels font \",%d\" notitle, \\\n"
		    "     'savings-heatmap-x.dat' using 1:(0):xticlabels(2) with dots lc rgb \"#FF000000\" notitle, \\\n"
		    "     'savings-heatmap-y.dat' using (0):1:yticlabels(2) with dots lc rgb \"#FF000000\" notitle\n",
		    B, A, info[c].months < info[c].total ? " (last 24 months)" : "",
		    info[c].months ? info[c].months - 1 : 0, info[c].groups ? info[c].groups - 1 : 0,
		    -m, m, B, info[c].months > 18 ? 7 : 8);
		break;
	}
	case NCHARTS:
		break;
	}
}

static const char *const fmt_ext[2] = { "png", "svg" };

static int
chart_height(enum chart c)
{
	return c == C_HEATMAP ? heatmap_height : charts[c].height;
}

static void
write_script(void)
{
	static const char *const colors[12] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
		"#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
	};
	struct dat d;
	int f, c, i;

	dat_open(&d, "charts.gp");
	kpo_out_puts(d.out,
	    "# Written by kpo-chart; run in this folder as: gnuplot -d charts.gp\n"
	    "# Text from the bundle is only in the .dat files, never in this script.\n"
	    "set encoding utf8\n");
	for (i = 0; i < 12; i++)
		kpo_out_printf(d.out, "set linetype %d lc rgb \"%s\" lw 1.5\n", i + 1, colors[i]);
	kpo_out_puts(d.out, "set linetype cycle 12\n");
	for (f = 0; f < 2; f++) {
		if (!(f == 0 ? opt.png : opt.svg))
			continue;
		for (c = 0; c < NCHARTS; c++) {
			kpo_out_printf(d.out, "\nprint \"kpo-chart: drawing %s.%s\"\n", charts[c].name, fmt_ext[f]);
			kpo_out_printf(d.out, "set terminal %s size %d,%d font \"DejaVu Sans,10\" noenhanced "
			    "background rgb \"white\"\n", f == 0 ? "pngcairo" : "svg", charts[c].width, chart_height(c));
			kpo_out_printf(d.out, "set output \"../%s%s.%s%s\"\n", opt.no_render ? "" : ".",
			    charts[c].name, fmt_ext[f], opt.no_render ? "" : ".tmp");
			chart_body(d.out, (enum chart)c);
			kpo_out_puts(d.out, "unset output\n");
		}
	}
	dat_close(&d);
}

/* ---- Rendering ---- */

static char *image_tmp[2][NCHARTS], *image_final[2][NCHARTS];

static void
remove_temps(void)
{
	int f, c;

	for (f = 0; f < 2; f++)
		for (c = 0; c < NCHARTS; c++)
			if (image_tmp[f][c])
				unlink(image_tmp[f][c]);
}

static void
on_signal(int sig)
{
	remove_temps();
	kpo_out_cleanup_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static char *
join(const char *dir, const char *a, const char *b, const char *c)
{
	size_t n = strlen(dir) + strlen(a) + strlen(b) + strlen(c) + 2;
	char *p = kpo_xmalloc(n);

	snprintf(p, n, "%s/%s%s%s", dir, a, b, c);
	return p;
}

/* Shows gnuplot's messages (the log, without our markers) on stderr, and
 * returns the chart it was drawing last. */
static void
show_log(const char *log, char *chart, size_t size)
{
	FILE *fp = fopen(log, "r");
	char line[1024];
	int shown = 0;

	snprintf(chart, size, "(before the first chart)");
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, "kpo-chart: drawing ", 19) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(chart, size, "%.200s", line + 19);
		} else if (shown++ < 40) {
			fprintf(stderr, "  gnuplot: %s%s", line, strchr(line, '\n') ? "" : "\n");
		}
	}
	fclose(fp);
}

/* Draws every chart; 0, or the exit status. */
static int
render(const char *exe, double *seconds)
{
	char *log = join(gpdir, "gnuplot.log", "", "");
	struct timespec t0, t1;
	enum kpo_gp_result res;
	int f, c, wstatus, status = 0;
	char chart[256];
	struct sigaction sa;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	for (f = 0; f < 2; f++)
		for (c = 0; c < NCHARTS; c++)
			if (f == 0 ? opt.png : opt.svg) {
				image_tmp[f][c] = join(opt.dir, ".", charts[c].name, f == 0 ? ".png.tmp" : ".svg.tmp");
				image_final[f][c] = join(opt.dir, charts[c].name, f == 0 ? ".png" : ".svg", "");
			}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	res = kpo_gp_run(exe, "charts.gp", gpdir, log, opt.timeout, &wstatus);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	switch (res) {
	case KPO_GP_EXEC:
		if (errno == ENOENT || errno == EACCES || errno == ENOEXEC) {
			kpo_warn("cannot run gnuplot (%s)", exe);
			status = EX_UNAVAILABLE;
		} else {
			kpo_warn("cannot run gnuplot (%s); log %s", exe, log);
			status = EX_SOFTWARE;
		}
		break;
	case KPO_GP_TIMEOUT:
		kpo_warnx("gnuplot timed out after %g s while drawing %s; killed", opt.timeout,
		    (show_log(log, chart, sizeof chart), chart));
		status = EX_SOFTWARE;
		break;
	case KPO_GP_FAILED:
		show_log(log, chart, sizeof chart);
		if (WIFSIGNALED(wstatus))
			kpo_warnx("gnuplot was killed by signal %d while drawing %s", WTERMSIG(wstatus), chart);
		else
			kpo_warnx("gnuplot failed (exit status %d) while drawing %s; its messages are above, "
			    "the script is %s/charts.gp", WEXITSTATUS(wstatus), chart, gpdir);
		status = EX_SOFTWARE;
		break;
	case KPO_GP_OK:
		/* A failed plot may still leave an empty image. */
		for (f = 0; f < 2 && !status; f++)
			for (c = 0; c < NCHARTS && !status; c++) {
				struct stat st;

				if (!image_tmp[f][c])
					continue;
				if (stat(image_tmp[f][c], &st) != 0 || st.st_size == 0) {
					show_log(log, chart, sizeof chart);
					kpo_warnx("gnuplot left no image for %s.%s", charts[c].name, fmt_ext[f]);
					status = EX_SOFTWARE;
				}
			}
		for (f = 0; f < 2 && !status; f++)
			for (c = 0; c < NCHARTS && !status; c++)
				if (image_tmp[f][c] && rename(image_tmp[f][c], image_final[f][c]) != 0) {
					kpo_warn("%s", image_final[f][c]);
					status = EX_CANTCREAT;
				}
		break;
	}
	remove_temps();
	for (f = 0; f < 2; f++)
		for (c = 0; c < NCHARTS; c++) {
			free(image_tmp[f][c]);
			free(image_final[f][c]);
			image_tmp[f][c] = image_final[f][c] = NULL;
		}
	free(log);
	return status;
}

/* ---- index.html ---- */

/* V with DECIMALS digits and thousands separated by commas, or a dash. */
static void
num(char *buf, size_t size, int has, double v, int decimals)
{
	char raw[64], *dot, *p;
	size_t intlen, i, o = 0;

	if (!has) {
		snprintf(buf, size, "\xe2\x80\x93");
		return;
	}
	snprintf(raw, sizeof raw, "%.*f", decimals, v);
	p = raw;
	if (*p == '-')
		buf[o++] = *p++;
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (i = 0; i < intlen && o + 2 < size; i++) {
		if (i && (intlen - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = p[i];
	}
	snprintf(buf + o, size - o, "%s", dot ? dot : "");
}

static void
tile(struct kpo_out *o, const char *label, const char *value, const char *sub)
{
	kpo_out_puts(o, "<div class=\"tile\"><div class=\"k\">");
	kpo_html_putz(o, label);
	kpo_out_puts(o, "</div><div class=\"v\">");
	kpo_html_putz(o, value);
	kpo_out_puts(o, "</div>");
	if (sub) {
		kpo_out_puts(o, "<div class=\"s\">");
		kpo_html_putz(o, sub);
		kpo_out_puts(o, "</div>");
	}
	kpo_out_puts(o, "</div>\n");
}

static void
file_link(struct kpo_out *o, const char *href_prefix, const char *file, const char *text)
{
	kpo_out_puts(o, "<li><a href=\"");
	kpo_html_putz(o, href_prefix);
	if (file) {
		kpo_out_putc(o, '/');
		kpo_html_putz(o, file);
	}
	kpo_out_puts(o, "\">");
	kpo_html_putz(o, text);
	kpo_out_puts(o, "</a></li>\n");
}

/* The link to PATH from DIR: relative when both resolve, percent-encoded. */
static char *
link_to(const char *dir_real, const char *path)
{
	char *real = realpath(path, NULL), *rel, *enc;

	if (!real || !dir_real) {
		free(real);
		real = kpo_xstrdup(path);
		rel = kpo_xstrdup(path);
	} else {
		rel = kpo_relpath(dir_real, real);
	}
	enc = kpo_xmalloc(3 * strlen(rel) + 1);
	kpo_url_path(rel, enc);
	free(real);
	free(rel);
	return enc;
}

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;padding:1rem;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
    "color:#222;background:#f6f7f9}"
    "main{max-width:1200px;margin:0 auto}"
    "h1{font-size:1.5rem;margin:.2rem 0 .2rem}h2{font-size:1.15rem;margin:1.6rem 0 .6rem}"
    ".sub{color:#666;margin:0 0 1rem}"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:.6rem}"
    ".tile{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:.6rem .8rem}"
    ".tile .k{color:#666;font-size:.8rem;text-transform:uppercase;letter-spacing:.03em}"
    ".tile .v{font-size:1.45rem;font-weight:600;font-variant-numeric:tabular-nums}"
    ".tile .s{color:#666;font-size:.85rem}"
    "figure{margin:0 0 1rem;background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:.5rem}"
    "figure img{display:block;width:100%;height:auto}"
    "figcaption{color:#555;font-size:.85rem;padding:.3rem .2rem 0}"
    ".scroll{overflow-x:auto;background:#fff;border:1px solid #e1e4e8;border-radius:8px}"
    "table{border-collapse:collapse;width:100%;font-size:.8rem;font-variant-numeric:tabular-nums}"
    "th,td{padding:.3rem .4rem;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}"
    "th:first-child,td:first-child{text-align:left;white-space:normal;min-width:9rem;overflow-wrap:anywhere}"
    "thead th{background:#f0f2f5;position:sticky;top:0}"
    "tfoot td{font-weight:600;border-top:2px solid #ccc}"
    "ul.files{columns:2 16rem;padding-left:1.2rem}"
    "a{color:#0b5cad}"
    "footer{color:#777;font-size:.8rem;margin:2rem 0 1rem}";

static void
table_row(struct kpo_out *o, const struct row *r, const char *name, size_t namelen, const char *cell)
{
	static const struct {
		enum met m;
		int decimals;
	} cols[] = {
		{ M_ITEMS, 0 }, { M_DELIVERED, 0 }, { M_OPEN, 0 }, { M_OVERDUE, 0 }, { M_COST, 2 },
		{ M_BASELINE, 2 }, { M_SAVINGS, 2 }, { M_SAVINGS_PCT, 2 }, { M_QUALITY_MEAN, 2 },
		{ M_ON_TIME_PCT, 2 }, { M_TAT_P50, 2 }, { M_TAT_P90, 2 },
	};
	char buf[96];
	size_t i;

	kpo_out_printf(o, "<tr><%s>", cell);
	kpo_html_put(o, name, namelen);
	kpo_out_printf(o, "</%s>", cell);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		num(buf, sizeof buf, r->has[cols[i].m], r->v[cols[i].m], cols[i].decimals);
		kpo_out_puts(o, "<td>");
		kpo_html_putz(o, buf);
		kpo_out_puts(o, "</td>");
	}
	kpo_out_puts(o, "</tr>\n");
}

static int
write_html(int have_rejects, unsigned long long rejects)
{
	const struct table *dom = &tables[T_DOMAIN];
	const struct row *all = &dom->all;
	char *path = join(opt.dir, "index.html", "", ""), *dir_real = realpath(opt.dir, NULL);
	char *prefix, a[64], b[64], c[160];
	struct kpo_out *o;
	size_t i;
	int k;

	if (!(o = kpo_out_open(path)))
		kpo_err(EX_CANTCREAT, "%s", path);
	prefix = opt.bundle_link ? kpo_xstrdup(opt.bundle_link) : link_to(dir_real, bundle);

	kpo_out_printf(o,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>KPO engagement report, as of %s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>KPO engagement report</h1>\n<p class=\"sub\">As of %s; amounts in %s; TAT: turnaround "
	    "in hours.  Tap a chart for the full-size image.</p>\n",
	    meta.as_of, css, meta.as_of, meta.base);

	/* KPI tiles: the ALL row of by-domain. */
	kpo_out_puts(o, "<section class=\"tiles\" aria-label=\"Key figures\">\n");
	num(a, sizeof a, all->has[M_ITEMS], all->v[M_ITEMS], 0);
	num(b, sizeof b, all->has[M_OPEN], all->v[M_OPEN], 0);
	snprintf(c, sizeof c, "%.60s open", b);
	tile(o, "Items", a, c);
	num(a, sizeof a, all->has[M_DELIVERED], all->v[M_DELIVERED], 0);
	num(b, sizeof b, all->has[M_OVERDUE], all->v[M_OVERDUE], 0);
	snprintf(c, sizeof c, "%.60s overdue", b);
	tile(o, "Delivered", a, c);
	num(a, sizeof a, all->has[M_SAVINGS], all->v[M_SAVINGS], 0);
	num(b, sizeof b, all->has[M_SAVINGS_PCT], all->v[M_SAVINGS_PCT], 1);
	if (all->has[M_SAVINGS_PCT])
		snprintf(c, sizeof c, "%s, %.60s%% of baseline", meta.base, b);
	else
		snprintf(c, sizeof c, "%s, no baseline", meta.base);
	tile(o, "Savings", a, c);
	num(a, sizeof a, all->has[M_ON_TIME_PCT], all->v[M_ON_TIME_PCT], 1);
	snprintf(b, sizeof b, "%.60s%s", a, all->has[M_ON_TIME_PCT] ? "%" : "");
	snprintf(c, sizeof c, "SLA target %g%%", opt.sla);
	tile(o, "On time", b, c);
	num(a, sizeof a, all->has[M_QUALITY_MEAN], all->v[M_QUALITY_MEAN], 1);
	num(b, sizeof b, all->has[M_QUALITY_N], all->v[M_QUALITY_N], 0);
	snprintf(c, sizeof c, "mean of %.60s scored items", b);
	tile(o, "Quality", a, c);
	if (have_rejects) {
		num(a, sizeof a, 1, (double)rejects, 0);
		tile(o, "Rejects", a, "rows dropped by the pipeline");
	}
	kpo_out_puts(o, "</section>\n");

	/* The charts. */
	kpo_out_puts(o, "<h2>Charts</h2>\n");
	for (k = 0; k < NCHARTS; k++) {
		const char *n = charts[k].name;

		kpo_out_printf(o, "<figure><a href=\"%s.%s\">", n, opt.svg ? "svg" : "png");
		if (opt.svg && opt.png)
			kpo_out_printf(o, "<picture><source srcset=\"%s.svg\" type=\"image/svg+xml\">"
			    "<img src=\"%s.png\" alt=\"%s\" width=\"%d\" height=\"%d\"></picture>",
			    n, n, charts[k].caption, charts[k].width, chart_height(k));
		else
			kpo_out_printf(o, "<img src=\"%s.%s\" alt=\"%s\" width=\"%d\" height=\"%d\">",
			    n, opt.svg ? "svg" : "png", charts[k].caption, charts[k].width, chart_height(k));
		kpo_out_printf(o, "</a><figcaption>%s (<a href=\"%s.png\">PNG</a>%s%s%s)</figcaption></figure>\n",
		    charts[k].caption, n, opt.svg ? ", <a href=\"" : "", opt.svg ? n : "",
		    opt.svg ? ".svg\">SVG</a>" : "");
	}

	/* The by-domain table. */
	kpo_out_printf(o,
	    "<h2>By domain</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Domain</th><th>Items</th>"
	    "<th>Deliv&shy;ered</th><th>Open</th><th>Over&shy;due</th><th>Cost (%s)</th><th>Baseline (%s)</th>"
	    "<th>Savings (%s)</th><th>Savings %%</th><th>Quality</th><th>On time %%</th>"
	    "<th>TAT p50 (h)</th><th>TAT p90 (h)</th></tr></thead>\n<tbody>\n",
	    meta.base, meta.base, meta.base);
	for (i = 0; i < dom->n; i++)
		table_row(o, &dom->rows[i], dom->rows[i].key[0], dom->rows[i].keylen[0], "td");
	kpo_out_puts(o, "</tbody>\n<tfoot>\n");
	table_row(o, all, "All domains", 11, "td");
	kpo_out_puts(o, "</tfoot>\n</table></div>\n");

	/* The files. */
	kpo_out_puts(o, "<h2>Files</h2>\n<ul class=\"files\">\n");
	for (k = 0; k < NTABLES; k++)
		file_link(o, prefix, tables[k].file, tables[k].file);
	file_link(o, prefix, "meta.csv", "meta.csv");
	if (have_rejects) {
		char *r = link_to(dir_real, opt.rejects);
		const char *base = strrchr(opt.rejects, '/');

		snprintf(c, sizeof c, "rejected rows (%s)", base ? base + 1 : opt.rejects);
		file_link(o, r, NULL, c);
		free(r);
	}
	kpo_out_puts(o, "</ul>\n<footer>Made by kpo-chart from a kpo-metrics bundle");
	if (meta.version) {
		kpo_out_puts(o, " (version ");
		kpo_html_putz(o, meta.version);
		kpo_out_puts(o, ")");
	}
	if (meta.rows) {
		kpo_out_puts(o, " of ");
		kpo_html_putz(o, meta.rows);
		kpo_out_puts(o, " rows");
	}
	kpo_out_printf(o, ", as of %s.</footer>\n</main>\n</body>\n</html>\n", meta.as_of);

	if (kpo_out_commit(o) != 0)
		kpo_err(EX_IOERR, "%s: write error", path);
	free(prefix);
	free(dir_real);
	free(path);
	return 0;
}

/* ---- main ---- */

static double
parse_number(const char *name, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= lo && v <= hi))
		kpo_errx(EX_USAGE, "%s: a number from %g to %g expected: '%s'", name, lo, hi, arg);
	return v;
}

static void
parse_formats(char *list)
{
	char *f;

	opt.png = opt.svg = 0;
	for (f = strtok(list, ","); f; f = strtok(NULL, ","))
		if (strcmp(f, "png") == 0)
			opt.png = 1;
		else if (strcmp(f, "svg") == 0)
			opt.svg = 1;
		else
			kpo_errx(EX_USAGE, "--format: 'png', 'svg' or 'png,svg' expected: '%s'", f);
	if (!opt.png && !opt.svg)
		kpo_errx(EX_USAGE, "--format: 'png', 'svg' or 'png,svg' expected");
}

/* mkdir -p */
static int
make_dir(const char *path)
{
	char *p = kpo_xstrdup(path), *s;
	struct stat st;
	int rc = 0;

	for (s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				rc = -1;
			*s = '/';
		}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		rc = -1;
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		rc = 0;
	else if (rc == 0)
		errno = ENOTDIR, rc = -1;
	free(p);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_SLA, O_TOP, O_TIMEOUT, O_NORENDER, O_REJECTS, O_BUNDLELINK, O_VERSION };
	static const struct option longopts[] = {
		{ "bundle-link",  required_argument, NULL, O_BUNDLELINK },
		{ "format",       required_argument, NULL, O_FORMAT },
		{ "help",         no_argument,       NULL, 'h' },
		{ "no-render",    no_argument,       NULL, O_NORENDER },
		{ "output",       required_argument, NULL, 'o' },
		{ "quiet",        no_argument,       NULL, 'q' },
		{ "rejects-link", required_argument, NULL, O_REJECTS },
		{ "sla-target",   required_argument, NULL, O_SLA },
		{ "timeout",      required_argument, NULL, O_TIMEOUT },
		{ "top",          required_argument, NULL, O_TOP },
		{ "version",      no_argument,       NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long rejects = 0;
	char *gnuplot = NULL;
	double seconds = 0;
	struct stat st;
	DIR *dp;
	int ch, t, status = 0;

	kpo_stage_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'o':
			opt.dir = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case O_BUNDLELINK:
			opt.bundle_link = optarg;
			break;
		case O_FORMAT:
			parse_formats(optarg);
			break;
		case O_NORENDER:
			opt.no_render = 1;
			break;
		case O_REJECTS:
			opt.rejects = optarg;
			break;
		case O_SLA:
			opt.sla = parse_number("--sla-target", optarg, 0, 100);
			break;
		case O_TIMEOUT:
			opt.timeout = parse_number("--timeout", optarg, 0.001, 86400);
			break;
		case O_TOP:
			opt.top = (long)parse_number("--top", optarg, 1, 1000);
			if (opt.top != strtod(optarg, NULL))
				kpo_errx(EX_USAGE, "--top: a whole number expected: '%s'", optarg);
			break;
		case O_VERSION:
			printf("kpo-chart %s\n", KPO_VERSION);
			return kpo_close_stdout(0);
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage(EX_USAGE);
	bundle = argv[0];

	/* Read the whole bundle first: bad data writes nothing. */
	if (stat(bundle, &st) != 0 || !S_ISDIR(st.st_mode) || !(dp = opendir(bundle)))
		kpo_err(EX_NOINPUT, "%s: cannot open the bundle folder", bundle);
	closedir(dp);
	read_meta();
	for (t = 0; t < NTABLES; t++)
		read_table(&tables[t]);
	if (!tables[T_DOMAIN].have_all) {
		char *p = bundle_path(tables[T_DOMAIN].file);

		kpo_errx(EX_DATAERR, "%s: no totals row (domain 'ALL')", p);
	}
	if (opt.rejects)
		rejects = count_rejects(opt.rejects);

	/* Without gnuplot nothing is written. */
	if (!opt.no_render && !(gnuplot = kpo_gp_find("gnuplot")))
		kpo_errx(EX_UNAVAILABLE, "gnuplot not found in PATH; install it (Debian: gnuplot-nox), "
		    "or use --no-render to write the scripts only");

	if (make_dir(opt.dir) != 0)
		kpo_err(EX_CANTCREAT, "%s", opt.dir);
	gpdir = join(opt.dir, "gnuplot", "", "");
	if (make_dir(gpdir) != 0)
		kpo_err(EX_CANTCREAT, "%s", gpdir);
	write_data();
	write_script();

	if (!opt.no_render) {
		status = render(gnuplot, &seconds);
		if (status == 0)
			write_html(opt.rejects != NULL, rejects);
	}
	if (status == 0 && !opt.quiet) {
		if (opt.no_render)
			kpo_warnx("%d chart scripts and data written to %s (not rendered)", NCHARTS, gpdir);
		else
			kpo_warnx("%d charts (%s%s%s) and index.html written to %s; gnuplot took %.2f s",
			    NCHARTS, opt.png ? "png" : "", opt.png && opt.svg ? ", " : "", opt.svg ? "svg" : "",
			    opt.dir, seconds);
	}
	free(gnuplot);
	free(gpdir);
	free_tables();
	return kpo_close_stdout(status);
}
