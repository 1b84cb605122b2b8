#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "chart.h"
#include "err.h"
#include "fail.h"
#include "fold.h"
#include "gnuplot.h"
#include "out.h"
#include "status.h"
#include "strmap.h"
#include "tics.h"

#define MAX_MONTHS 24           /* month axes show the last 24 months */
#define LABEL_CHARS 32          /* names on charts are cut to this many characters */
#define QUALITY_LINES 8         /* domains with data drawn in quality-trend, before other */
#define DAYS_OVER_H 168         /* turnaround in days when a p90 passes a week */
#define PARTIAL " (partial)"    /* after the tic label of a month not over at the as-of date */
#define MDASH "\xe2\x80\x94"
#define NDASH "\xe2\x80\x93"

const char *const kpo_chart_ext[KPO_NFORMATS] = { "png", "svg" };

struct kpo_chart_ctx {
	const struct kpo_bundle *b;
	const struct kpo_chart_opts *opt;
	const char *gpdir;
	struct kpo_groups dom, ven;     /* the top domains and vendors, and other */
	struct kpo_fail *fail;
};

struct kpo_plot {
	const struct kpo_chart *chart;
	int height;
	size_t points;                  /* valid points: 0 draws a "no data" panel */
	size_t groups;                  /* bars, boxes, rows drawn */
	size_t total;                   /* groups or months in the bundle, before folding or cutting */
	size_t months;                  /* months drawn */
	size_t series;                  /* lines drawn (quality-trend) */
	int folded;                     /* the last line is other (quality-trend) */
	double ymin, ymax;
	double cmin, cmax;              /* the cumulative sum's range (savings-by-month) */
	double vmax;                    /* the largest |value| (savings-heatmap) */
	char since[8];                  /* the first month of the cumulative sum */
	size_t rule1, rule4;            /* points flagged (control charts) */
	int laney;
	double pbar, sigma_z;
	double lmargin;                 /* the left margin (screen fraction) the first x label needs; 0: gnuplot's */
	long partial;                   /* the first partial month drawn (index), or -1 */
	int days;                       /* turnaround drawn in days */
	double xmin, xmax;              /* vendor-scorecard's ranges */
	int nstatus[KPO_NSTATUS];       /* vendor-scorecard: points of each status */
	int by_target;                  /* vendor-scorecard: colours from kpo-score's statuses */
	double maxitems;                /* vendor-scorecard: for the size legend */
};

/* ---- Data files ---- */

struct dat {
	struct kpo_out *out;
	char *path;
};

/* Opens GPDIR/NAME SUFFIX. */
static int
dat_open(struct dat *d, const struct kpo_chart_ctx *c, const char *name, const char *suffix)
{
	d->path = kpo_xasprintf("%s/%s%s", c->gpdir, name, suffix);
	if (!(d->out = kpo_out_open(d->path))) {
		kpo_fail_errno(c->fail, EX_CANTCREAT, "%s", d->path);
		free(d->path);
		return -1;
	}
	return 0;
}

static int
dat_close(struct dat *d, const struct kpo_chart_ctx *c)
{
	int rc = 0;

	if (kpo_out_commit(d->out) != 0)
		rc = kpo_fail_errno(c->fail, EX_IOERR, "%s: write error", d->path);
	free(d->path);
	return rc;
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

/* The characters (not bytes) of UTF-8 text. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* The left margin, as a fraction of the chart's WIDTH, that keeps a first
 * x tic label of CHARS characters on the canvas when it is rotated by ANGLE
 * degrees about its right end (gnuplot sizes the margin for the y axis
 * only): about 6.3 pixels a character at 10 points. */
static double
label_margin(size_t chars, double angle, int width)
{
	double px = (double)(chars > LABEL_CHARS ? LABEL_CHARS : chars) * 6.3 * cos(angle * 3.14159265 / 180) + 16;

	return fmin(fmax(px, 80) / width, 0.3);
}

static void
put_lmargin(struct kpo_out *o, const struct kpo_plot *p)
{
	if (p->lmargin > 0)
		kpo_out_printf(o, "set lmargin at screen %.4f\n", p->lmargin);
}

/* A month of the axes is partial when it has not ended at the as-of date:
 * it is the as-of date's month, or later. */
static int
month_partial(const struct kpo_chart_ctx *c, const char *m, size_t n)
{
	return n == 7 && memcmp(m, c->b->as_of, 7) >= 0;
}

/* A TAB, then a month as a tic label: " (partial)" after a partial one. */
static void
dat_month(struct dat *d, const struct kpo_chart_ctx *c, const char *m, size_t n)
{
	char buf[64];

	if (month_partial(c, m, n)) {
		snprintf(buf, sizeof buf, "%.7s" PARTIAL, m);
		dat_text(d, buf, strlen(buf));
	} else {
		dat_text(d, m, n);
	}
}

/* The shading and the note of the partial months from index P->partial to
 * LAST, behind the plot. */
static void
put_partial(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p, size_t last)
{
	if (p->partial < 0)
		return;
	kpo_out_printf(o,
	    "set object 2 rectangle from %ld.5 - 1, graph 0 to %zu.5, graph 1 behind fc rgb \"#e8e8e8\" "
	    "fs solid noborder\n"
	    "set label 2 \"partial month\\nto %s\" at %zu.45, graph 0.97 right front font \",8\" "
	    "tc rgb \"#444444\"\n", p->partial, last, c->b->as_of, last);
}

/* The first of the last MAX_MONTHS rows of a table by month. */
static size_t
month_first(const struct kpo_rows *t)
{
	return t->n > MAX_MONTHS ? t->n - MAX_MONTHS : 0;
}

/* ---- The domain x month grid of quality-trend and savings-heatmap ---- */

struct grid {
	struct kpo_strmap *map;         /* a drawn domain (not other) -> its index + 1 */
	char **months;                  /* sorted: the last MAX_MONTHS of by-domain-month */
	size_t nm, total;               /* months drawn, months in the table */
};

/* The sorted distinct months of by-domain-month, the last MAX_MONTHS of
 * them (the table is sorted by domain, not by month). */
static void
grid_months(struct grid *gr, const struct kpo_rows *t)
{
	size_t i, j, cnt = 0, first;

	gr->months = kpo_xcalloc(t->n + 1, sizeof *gr->months);
	for (i = 0; i < t->n; i++)
		gr->months[cnt++] = t->rows[i].key[1];
	for (i = 1; i < cnt; i++)
		for (j = i; j > 0 && strcmp(gr->months[j - 1], gr->months[j]) > 0; j--) {
			char *tmp = gr->months[j];

			gr->months[j] = gr->months[j - 1];
			gr->months[j - 1] = tmp;
		}
	for (i = j = 0; i < cnt; i++)
		if (j == 0 || strcmp(gr->months[j - 1], gr->months[i]) != 0)
			gr->months[j++] = gr->months[i];
	gr->total = j;
	first = j > MAX_MONTHS ? j - MAX_MONTHS : 0;
	memmove(gr->months, gr->months + first, (j - first) * sizeof *gr->months);
	gr->nm = j - first;
}

static void
grid_open(struct grid *gr, const struct kpo_chart_ctx *c)
{
	const struct kpo_groups *dom = &c->dom;
	size_t i;

	gr->map = kpo_strmap_new();
	for (i = 0; i < dom->n - (dom->folded ? 1 : 0); i++)
		*kpo_strmap_get(gr->map, dom->g[i].name, dom->g[i].namelen, 1) = (void *)(uintptr_t)(i + 1);
	grid_months(gr, &c->b->t[KPO_T_DOMAIN_MONTH]);
}

static long
month_index(const struct grid *gr, const char *m)
{
	size_t lo = 0, hi = gr->nm;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(gr->months[mid], m);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The cell of by-domain-month row R: its group GI and month MI.  -1 when R
 * is not drawn (an old month, or a domain missing from by-domain). */
static int
grid_cell(const struct grid *gr, const struct kpo_groups *dom, const struct kpo_row *r, size_t *gi,
    size_t *mi)
{
	void **slot = kpo_strmap_get(gr->map, r->key[0], r->keylen[0], 0);
	long m = month_index(gr, r->key[1]);

	if (m < 0)
		return -1;
	if (slot)
		*gi = (size_t)(uintptr_t)*slot - 1;
	else if (dom->folded)
		*gi = dom->n - 1;
	else
		return -1;
	*mi = (size_t)m;
	return 0;
}

static void
grid_close(struct grid *gr)
{
	free(gr->months);
	kpo_strmap_free(gr->map);
}

/* ---- The charts: each a data function and a script function ---- */

/* savings-by-domain: idx, baseline, cost, label height, label, name */
static int
savings_domain_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_groups *gs = &c->dom;
	struct dat d;
	char buf[64];
	size_t i;

	p->groups = gs->n;
	p->total = gs->total;
	if (gs->n)
		p->lmargin = label_margin(utf8_chars(gs->g[0].name, gs->g[0].namelen), 30, p->chart->width);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < gs->n; i++) {
		const struct kpo_row *r = &gs->g[i].r;
		double top = fmax(r->has[KPO_M_BASELINE] ? r->v[KPO_M_BASELINE] : 0,
		    r->has[KPO_M_COST] ? r->v[KPO_M_COST] : 0);

		if (r->has[KPO_M_SAVINGS_PCT])
			snprintf(buf, sizeof buf, "%+.1f%%", r->v[KPO_M_SAVINGS_PCT]);
		else
			snprintf(buf, sizeof buf, "n/a");
		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, r->has[KPO_M_BASELINE], r->v[KPO_M_BASELINE]);
		dat_num(&d, r->has[KPO_M_COST], r->v[KPO_M_COST]);
		dat_num(&d, 1, top);
		kpo_out_printf(d.out, "\t%s", buf);
		dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		kpo_out_putc(d.out, '\n');
		if (r->has[KPO_M_BASELINE] || r->has[KPO_M_COST])
			p->points++;
		p->ymax = fmax(p->ymax, top);
	}
	return dat_close(&d, c);
}

static void
savings_domain_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double top = p->ymax > 0 ? p->ymax * 1.12 : 1.0;

	put_lmargin(o, p);
	kpo_money_tics(o, "y", 0, top);
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
	    c->b->base, c->b->as_of, c->b->base,
	    p->groups < p->total ? " (top by items, the rest as other)" : "",
	    top, p->groups ? p->groups - 1 : 0);
}

/* The five turnaround quantiles of a row. */
static int
tat_has(const struct kpo_row *r)
{
	return r->has[KPO_M_TAT_P10_H] && r->has[KPO_M_TAT_P25_H] && r->has[KPO_M_TAT_P50_H] &&
	    r->has[KPO_M_TAT_P75_H] && r->has[KPO_M_TAT_P90_H];
}

/* turnaround-by-domain: idx, p10, p25, p50, p75, p90, name; the top
 * domains only (quantiles do not fold); in days when a p90 passes
 * DAYS_OVER_H hours. */
static int
turnaround_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_groups *gs = &c->dom;
	size_t i, n = gs->n - (gs->folded ? 1 : 0);
	struct dat d;
	double unit;

	p->total = gs->total;
	for (i = 0; i < n; i++)
		if (tat_has(&gs->g[i].r) && gs->g[i].r.v[KPO_M_TAT_P90_H] > DAYS_OVER_H)
			p->days = 1;
	unit = p->days ? 24.0 : 1.0;
	if (n)
		p->lmargin = label_margin(utf8_chars(gs->g[0].name, gs->g[0].namelen), 30, p->chart->width);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct kpo_row *r = &gs->g[i].r;
		int has = tat_has(r);

		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, has, r->v[KPO_M_TAT_P10_H] / unit);
		dat_num(&d, has, r->v[KPO_M_TAT_P25_H] / unit);
		dat_num(&d, has, r->v[KPO_M_TAT_P50_H] / unit);
		dat_num(&d, has, r->v[KPO_M_TAT_P75_H] / unit);
		dat_num(&d, has, r->v[KPO_M_TAT_P90_H] / unit);
		dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		kpo_out_putc(d.out, '\n');
		p->groups++;
		if (has)
			p->points++;
	}
	return dat_close(&d, c);
}

static void
turnaround_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	const char *unit = p->days ? "days" : "hours";

	put_lmargin(o, p);
	kpo_out_printf(o,
	    "set title \"Turnaround by domain (%s): p10, p25, median, p75, p90 " MDASH " as of %s\"\n"
	    "set ylabel \"turnaround (%s)\"\n"
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
	    unit, c->b->as_of, unit, p->groups < p->total ? " (top by items; quantiles cannot be folded)" : "",
	    p->groups ? p->groups - 1 : 0);
}

/* on-time-trend: idx, on-time %, month, items behind it (on_time_n),
 * partial, the interval's low and high; the last MAX_MONTHS of by-month. */
static int
on_time_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_rows *mon = &c->b->t[KPO_T_MONTH];
	size_t i, first = month_first(mon);
	struct dat d;

	p->total = mon->n;
	p->months = mon->n - first;
	p->ymin = c->opt->sla;
	p->partial = -1;
	p->lmargin = label_margin(7 + strlen(PARTIAL), 45, p->chart->width);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = first; i < mon->n; i++) {
		const struct kpo_row *r = &mon->rows[i];
		int part = month_partial(c, r->key[0], r->keylen[0]);
		int ci = r->has[KPO_M_ON_TIME_PCT_LO] && r->has[KPO_M_ON_TIME_PCT_HI];

		if (part && p->partial < 0)
			p->partial = (long)(i - first);
		kpo_out_printf(d.out, "%zu", i - first);
		dat_num(&d, r->has[KPO_M_ON_TIME_PCT], r->v[KPO_M_ON_TIME_PCT]);
		dat_month(&d, c, r->key[0], r->keylen[0]);
		dat_num(&d, 1, r->has[KPO_M_ON_TIME_N] ? r->v[KPO_M_ON_TIME_N] : 0);
		kpo_out_printf(d.out, "\t%d", part);
		dat_num(&d, ci, r->v[KPO_M_ON_TIME_PCT_LO]);
		dat_num(&d, ci, r->v[KPO_M_ON_TIME_PCT_HI]);
		kpo_out_putc(d.out, '\n');
		if (r->has[KPO_M_ON_TIME_PCT]) {
			p->points++;
			p->ymin = fmin(p->ymin, ci ? r->v[KPO_M_ON_TIME_PCT_LO] : r->v[KPO_M_ON_TIME_PCT]);
		}
	}
	return dat_close(&d, c);
}

static void
on_time_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double sla = c->opt->sla, lo = floor(fmin(p->ymin, sla) / 10.0) * 10.0 - 10;

	if (lo < 0)
		lo = 0;
	put_lmargin(o, p);
	put_partial(o, c, p, p->months ? p->months - 1 : 0);
	kpo_out_printf(o,
	    "set title \"On-time delivery by month (%%) vs SLA target %g%% " MDASH " as of %s\"\n"
	    "set ylabel \"on time (%% of items with a due date)\"\n"
	    "set xlabel \"month%s; n: items with a due date behind each point\"\n"
	    "set xrange [-0.5:%zu.5]\n"
	    "set yrange [%.1f:104]\n"
	    "set xtics rotate by 45 right noenhanced\n"
	    "set key bottom left\n"
	    "plot 'on-time-trend.dat' using 1:2:6:7 with yerrorbars lw 1.2 pt 7 ps 0.5 lc rgb \"#6baed6\" "
	    "title \"95%% interval (Wilson)\", \\\n"
	    "     '' using 1:($5 == 0 ? $2 : NaN) with linespoints lw 2 pt 7 ps 0.8 "
	    "lc rgb \"#3182bd\" title \"on-time %%\", \\\n"
	    "     '' using 1:($5 == 1 ? $2 : NaN) with points pt 6 ps 1.2 lw 2 lc rgb \"#3182bd\" "
	    "title \"partial month (open items not yet due)\", \\\n"
	    "     '' using 1:2:(sprintf(\"n=%%d\", $4)) with labels offset 0,-1.1 font \",7\" "
	    "tc rgb \"#555555\" notitle, \\\n"
	    "     '' using 1:(%.1f):xticlabels(3) with dots lc rgb \"#FF000000\" notitle, \\\n"
	    "     %.4f with lines dt 2 lw 2 lc rgb \"#e6550d\" title \"SLA target %g%%\"\n",
	    sla, c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, lo, lo, sla, sla);
}

/* quality-trend's lines: LINE[gi] for each group of c->dom, its line or -1
 * (no quality data); the first QUALITY_LINES groups with data, by items,
 * have a line of their own, the others with data share the last one.
 * Returns the lines; *FOLDED gets the domains in the shared one. */
static size_t
quality_lines(const struct kpo_chart_ctx *c, long *line, size_t *folded)
{
	const struct kpo_groups *dom = &c->dom;
	const struct kpo_rows *t = &c->b->t[KPO_T_DOMAIN];
	size_t own = 0, i, shared = 0;

	*folded = 0;
	for (i = 0; i < dom->n; i++) {
		const struct kpo_row *r = &dom->g[i].r;
		int data = r->has[KPO_M_QUALITY_N] && r->v[KPO_M_QUALITY_N] > 0;
		int other = dom->folded && i == dom->n - 1;

		line[i] = -1;
		if (data && !other && own < QUALITY_LINES)
			line[i] = (long)own++;
		else if (data)
			line[i] = -2;   /* the shared line, numbered below */
		if (data && !other && line[i] == -2)
			(*folded)++;
	}
	/* The domains folded by --top that have data. */
	if (dom->folded)
		for (i = 0; i < t->n; i++) {
			const struct kpo_row *r = &t->rows[i];
			size_t k;
			int top = 0;

			for (k = 0; k + 1 < dom->n && !top; k++)
				top = dom->g[k].namelen == r->keylen[0] && memcmp(dom->g[k].name, r->key[0], r->keylen[0]) == 0;
			if (!top && r->has[KPO_M_QUALITY_N] && r->v[KPO_M_QUALITY_N] > 0)
				(*folded)++;
		}
	for (i = 0; i < dom->n; i++)
		if (line[i] == -2) {
			line[i] = (long)own;
			shared = 1;
		}
	return own + shared;
}

/* quality-trend: the quality sums of each line (QSUM, weights QN: lines x
 * months) and the scored items of each month (NSUM). */
static void
quality_sums(const struct kpo_chart_ctx *c, const struct grid *gr, const long *line, double *qsum, double *qn,
    double *nsum)
{
	const struct kpo_rows *dm = &c->b->t[KPO_T_DOMAIN_MONTH];
	const int m = KPO_M_QUALITY_MEAN, n = KPO_M_QUALITY_N;
	size_t i, gi, mi;

	for (i = 0; i < dm->n; i++) {
		const struct kpo_row *r = &dm->rows[i];
		size_t at;

		if (grid_cell(gr, &c->dom, r, &gi, &mi) != 0 || !(r->has[m] && r->has[n] && r->v[n] > 0) || line[gi] < 0)
			continue;
		at = (size_t)line[gi] * gr->nm + mi;
		qsum[at] += r->v[m] * r->v[n];
		qn[at] += r->v[n];
		nsum[mi] += r->v[n];
	}
}

/* quality-trend: a header line (the names, read as column headers), then
 * one line per month: idx, month, the mean of each line, the scored items
 * of the month, partial. */
static int
quality_write(struct kpo_chart_ctx *c, struct kpo_plot *p, const struct grid *gr, const long *line,
    size_t folded, const double *qsum, const double *qn, const double *nsum)
{
	const struct kpo_groups *gs = &c->dom;
	size_t i, j, nq = p->series;
	struct dat d;
	char buf[64];

	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	kpo_out_puts(d.out, "idx\tmonth");
	for (j = 0; j < nq; j++) {
		if (p->folded && j == nq - 1) {
			snprintf(buf, sizeof buf, "other (%zu domain%s)", folded, folded == 1 ? "" : "s");
			dat_text(&d, buf, strlen(buf));
			continue;
		}
		for (i = 0; i < gs->n; i++)
			if (line[i] == (long)j)
				dat_text(&d, gs->g[i].name, gs->g[i].namelen);
	}
	kpo_out_puts(d.out, "\tn\tpartial\n");
	p->ymin = 100;
	for (j = 0; j < gr->nm; j++) {
		int part = month_partial(c, gr->months[j], strlen(gr->months[j]));

		if (part && p->partial < 0)
			p->partial = (long)j;
		kpo_out_printf(d.out, "%zu", j);
		dat_month(&d, c, gr->months[j], strlen(gr->months[j]));
		for (i = 0; i < nq; i++) {
			int has = qn[i * gr->nm + j] > 0;
			double q = has ? qsum[i * gr->nm + j] / qn[i * gr->nm + j] : 0;

			dat_num(&d, has, q);
			if (has) {
				p->points++;
				p->ymin = fmin(p->ymin, q);
			}
		}
		dat_num(&d, 1, nsum[j]);
		kpo_out_printf(d.out, "\t%d\n", part);
	}
	return dat_close(&d, c);
}

static int
quality_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	size_t ng = c->dom.n, folded;
	long *line = kpo_xcalloc(ng + 1, sizeof *line);
	double *qsum, *qn, *nsum;
	struct grid gr;
	int rc;

	grid_open(&gr, c);
	p->months = gr.nm;
	p->total = gr.total;
	p->partial = -1;
	p->lmargin = label_margin(7 + strlen(PARTIAL), 45, p->chart->width);
	/* Every domain with data, up to QUALITY_LINES; the rest as one line. */
	p->series = quality_lines(c, line, &folded);
	p->folded = folded > 0;
	qsum = kpo_xcalloc(p->series * gr.nm + 1, sizeof *qsum);
	qn = kpo_xcalloc(p->series * gr.nm + 1, sizeof *qn);
	nsum = kpo_xcalloc(gr.nm + 1, sizeof *nsum);
	quality_sums(c, &gr, line, qsum, qn, nsum);
	rc = quality_write(c, p, &gr, line, folded, qsum, qn, nsum);
	free(qsum);
	free(qn);
	free(nsum);
	free(line);
	grid_close(&gr);
	return rc;
}

static void
quality_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double lo = floor(p->ymin / 10.0) * 10.0 - 10;
	size_t ncol = p->series + 2;    /* the last line's column */

	if (lo < 0)
		lo = 0;
	put_lmargin(o, p);
	put_partial(o, c, p, p->months ? p->months - 1 : 0);
	kpo_out_printf(o,
	    "set title \"Mean quality score by month and domain " MDASH " as of %s\"\n"
	    "set ylabel \"mean quality (0" NDASH "100)\"\n"
	    "set xlabel \"month%s; n: scored items behind the month's points\"\n"
	    "set xrange [-0.5:%zu.5]\n"
	    "set yrange [%.1f:101]\n"
	    "set xtics rotate by 45 right noenhanced\n"
	    "set key outside right top vertical noenhanced font \",9\"\n"
	    "plot for [i=3:%zu] 'quality-trend.dat' using 1:i with linespoints "
	    "lt (i-2) lw 1.5 pt 7 ps 0.6 title columnheader(i)",
	    c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, lo, ncol - (p->folded ? 1 : 0));
	if (p->folded)
		kpo_out_printf(o, ", \\\n     '' using 1:%zu with linespoints lw 1.5 dt 2 pt 6 ps 0.6 "
		    "lc rgb \"#888888\" title columnheader(%zu)", ncol, ncol);
	kpo_out_printf(o, ", \\\n     '' using 1:(%.1f):(sprintf(\"n=%%d\", $%zu)) with labels font \",7\" "
	    "tc rgb \"#555555\" notitle"
	    ", \\\n     '' using 1:(%.1f):xticlabels(2) with dots lc rgb \"#FF000000\" notitle\n",
	    lo + 1.5, ncol + 1, lo);
}

/* A vendor's on-time status: kpo-score's (vendor, on_time_pct) when
 * --status has it, else on-time % against --sla-target (amber down to 10
 * points below it); the folded rest is unknown. */
static int
vendor_status(const struct kpo_chart_ctx *c, const struct kpo_group *g, int folded, int *by_target)
{
	const struct kpo_row *r = &g->r;
	const struct kpo_status_row *st;
	double sla = c->opt->sla;

	if (folded)
		return KPO_ST_UNKNOWN;
	if (c->opt->status && (st = kpo_statuses_find(c->opt->status, KPO_SCOPE_VENDOR, g->name, g->namelen,
	    KPO_M_ON_TIME_PCT))) {
		*by_target = 1;
		return st->status;
	}
	if (!r->has[KPO_M_ON_TIME_PCT])
		return KPO_ST_UNKNOWN;
	return r->v[KPO_M_ON_TIME_PCT] >= sla ? KPO_ST_GREEN : r->v[KPO_M_ON_TIME_PCT] >= sla - 10 ?
	    KPO_ST_AMBER : KPO_ST_RED;
}

/* A span of at least MIN around [*LO, *HI], padded by a tenth on each
 * side, inside [FLOOR, CEIL]. */
static void
pad_range(double *lo, double *hi, double min, double floor_, double ceil_)
{
	double span = fmax(*hi - *lo, min), mid = (*lo + *hi) / 2;

	*lo = mid - 0.6 * span;
	*hi = mid + 0.6 * span;
	if (*hi > ceil_) {
		*lo -= *hi - ceil_;
		*hi = ceil_;
	}
	if (*lo < floor_) {
		*hi = fmin(ceil_, *hi + floor_ - *lo);
		*lo = floor_;
	}
}

/* vendor-scorecard: idx, savings %, quality, items, point size, name,
 * on-time status. */
static int
scorecard_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_groups *gs = &c->ven;
	struct dat d;
	size_t i;

	p->groups = gs->n;
	p->total = gs->total;
	p->xmin = p->ymin = INFINITY;
	p->xmax = p->ymax = -INFINITY;
	for (i = 0; i < gs->n; i++)
		if (gs->g[i].r.has[KPO_M_ITEMS])
			p->maxitems = fmax(p->maxitems, gs->g[i].r.v[KPO_M_ITEMS]);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < gs->n; i++) {
		const struct kpo_row *r = &gs->g[i].r;
		int has = r->has[KPO_M_SAVINGS_PCT] && r->has[KPO_M_QUALITY_MEAN];
		double items = r->has[KPO_M_ITEMS] ? r->v[KPO_M_ITEMS] : 0;
		int st = vendor_status(c, &gs->g[i], gs->folded && i == gs->n - 1, &p->by_target);

		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, has, r->v[KPO_M_SAVINGS_PCT]);
		dat_num(&d, has, r->v[KPO_M_QUALITY_MEAN]);
		dat_num(&d, 1, items);
		dat_num(&d, 1, 1.0 + 3.0 * (p->maxitems > 0 ? sqrt(items / p->maxitems) : 0));
		dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		kpo_out_printf(d.out, "\t%d\n", st);
		if (has) {
			p->points++;
			p->nstatus[st]++;
			p->xmin = fmin(p->xmin, r->v[KPO_M_SAVINGS_PCT]);
			p->xmax = fmax(p->xmax, r->v[KPO_M_SAVINGS_PCT]);
			p->ymin = fmin(p->ymin, r->v[KPO_M_QUALITY_MEAN]);
			p->ymax = fmax(p->ymax, r->v[KPO_M_QUALITY_MEAN]);
		}
	}
	/* Ranges wide enough that small gaps look small: 20 points at least. */
	if (p->points) {
		pad_range(&p->xmin, &p->xmax, 20, -INFINITY, INFINITY);
		pad_range(&p->ymin, &p->ymax, 20, 0, 100);
	}
	return dat_close(&d, c);
}

/* A round number near V for the size legend: 1, 2 or 5 x 10^k. */
static double
round_items(double v)
{
	double k = pow(10, floor(log10(v)));

	return v >= 5 * k ? 5 * k : v >= 2 * k ? 2 * k : k;
}

static void
scorecard_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	static const struct { const char *color; int pt; } look[KPO_NSTATUS] = {
		[KPO_ST_GREEN] = { "#201a9850", 7 }, [KPO_ST_AMBER] = { "#20e08214", 5 },
		[KPO_ST_RED] = { "#20c51b2a", 9 }, [KPO_ST_UNKNOWN] = { "#20969696", 13 },
	};
	static const int order[KPO_NSTATUS] = { KPO_ST_RED, KPO_ST_AMBER, KPO_ST_GREEN, KPO_ST_UNKNOWN };
	const char *sep = "plot ";
	char basis[64];
	int k;

	if (p->by_target)
		snprintf(basis, sizeof basis, "its targets");
	else
		snprintf(basis, sizeof basis, "SLA %g%%, amber to %g%%", c->opt->sla, c->opt->sla - 10);
	kpo_out_printf(o,
	    "set title \"Vendor scorecard: savings %% vs mean quality, by on-time status " MDASH " as of %s\"\n"
	    "set xlabel \"savings (%% of in-house baseline)%s\"\n"
	    "set ylabel \"mean quality (0" NDASH "100)\"\n"
	    "set grid xtics ytics lc rgb \"#dddddd\"\n"
	    "set xrange [%.4f:%.4f]\n"
	    "set yrange [%.4f:%.4f]\n"
	    "set key below center horizontal noenhanced font \",9\" spacing 1.5 width 1\n",
	    c->b->as_of, p->groups < p->total ? "; the top vendors by items, the rest as other" : "",
	    p->xmin, p->xmax, p->ymin, p->ymax);
	for (k = 0; k < KPO_NSTATUS; k++) {
		int st = order[k];

		if (!p->nstatus[st])
			continue;
		kpo_out_printf(o, "%s'vendor-scorecard.dat' using 2:($7 == %d ? $3 : NaN):5 with points pt %d ps variable "
		    "lc rgb \"%s\" title \"on time: %s (%s)\", \\\n", sep, st, look[st].pt, look[st].color,
		    kpo_status_words[st], st == KPO_ST_UNKNOWN ? "no value or target" : basis);
		sep = "     ";
	}
	kpo_out_printf(o,
	    "     'vendor-scorecard.dat' using 2:(int($1) %% 2 == 0 ? $3 : NaN):6 with labels offset 0,1.6 "
	    "font \",9\" noenhanced notitle, \\\n"
	    "     '' using 2:(int($1) %% 2 == 1 ? $3 : NaN):6 with labels offset 0,-1.6 font \",9\" noenhanced notitle");
	/* The size legend: three round numbers of items. */
	if (p->maxitems > 0) {
		double n[3] = { round_items(p->maxitems), round_items(p->maxitems / 5), round_items(p->maxitems / 25) };

		for (k = 0; k < 3; k++)
			if (k == 0 || n[k] < n[k - 1])
				kpo_out_printf(o, ", \\\n     NaN with points pt 6 ps %.3f lc rgb \"#555555\" title \"size: %.0f items\"",
				    1.0 + 3.0 * sqrt(n[k] / p->maxitems), n[k]);
	}
	kpo_out_putc(o, '\n');
}

/* The first month of the cumulative sum, for the title: empty when it is
 * not a month. */
static void
first_month(const struct kpo_rows *mon, char *since, size_t size)
{
	size_t i;

	if (mon->n)
		snprintf(since, size, "%.7s", mon->rows[0].key[0]);
	for (i = 0; i < size && since[i]; i++)
		if (!strchr("0123456789-", since[i]))
			since[0] = '\0';
}

/* savings-by-month: idx, savings, cumulative savings, month, items,
 * partial; the last MAX_MONTHS, the sum from the first. */
static int
savings_month_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_rows *mon = &c->b->t[KPO_T_MONTH];
	size_t i, first = month_first(mon);
	double cum = 0;
	struct dat d;

	p->total = mon->n;
	p->months = mon->n - first;
	p->partial = -1;
	p->lmargin = label_margin(7 + strlen(PARTIAL), 45, p->chart->width);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < mon->n; i++) {
		const struct kpo_row *r = &mon->rows[i];
		int part;

		if (r->has[KPO_M_SAVINGS])
			cum += r->v[KPO_M_SAVINGS];
		if (i < first)
			continue;
		part = month_partial(c, r->key[0], r->keylen[0]);
		if (part && p->partial < 0)
			p->partial = (long)(i - first);
		kpo_out_printf(d.out, "%zu", i - first);
		dat_num(&d, r->has[KPO_M_SAVINGS], r->v[KPO_M_SAVINGS]);
		dat_num(&d, 1, cum);
		dat_month(&d, c, r->key[0], r->keylen[0]);
		dat_num(&d, 1, r->has[KPO_M_ITEMS] ? r->v[KPO_M_ITEMS] : 0);
		kpo_out_printf(d.out, "\t%d\n", part);
		if (r->has[KPO_M_SAVINGS]) {
			p->points++;
			p->ymin = fmin(p->ymin, r->v[KPO_M_SAVINGS]);
			p->ymax = fmax(p->ymax, r->v[KPO_M_SAVINGS]);
		}
		p->cmin = fmin(p->cmin, cum);
		p->cmax = fmax(p->cmax, cum);
	}
	first_month(mon, p->since, sizeof p->since);
	return dat_close(&d, c);
}

static void
savings_month_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	const char *B = c->b->base;
	/* Room under the bars for the item counts. */
	double lo = 1.1 * p->ymin - 0.08 * (p->ymax - fmin(p->ymin, 0)), hi = 1.1 * p->ymax;

	put_lmargin(o, p);
	put_partial(o, c, p, p->months ? p->months - 1 : 0);
	kpo_money_tics(o, "y", lo, hi);
	kpo_money_tics(o, "y2", 1.1 * p->cmin, 1.1 * p->cmax);
	kpo_out_printf(o,
	    "set title \"Savings by month and cumulative savings (%s) " MDASH " as of %s\"\n"
	    "set ylabel \"savings per month (%s)\"\n"
	    "set y2label \"cumulative savings%s%s (%s)\"\n"
	    "set xlabel \"month%s; n: items of the month\"\n"
	    "set xrange [-0.5:%zu.5]\n"
	    "set yrange [%.4f:%.4f]\n"
	    "set y2range [%.4f:%.4f]\n"
	    "set xtics rotate by 45 right noenhanced\n"
	    "set style fill solid 0.85 border -1\n"
	    "set boxwidth 0.7 absolute\n"
	    "set key top left\n"
	    "set xzeroaxis lt -1\n"
	    "plot 'savings-by-month.dat' using 1:($6 == 0 ? $2 : NaN) with boxes lc rgb \"#74c476\" "
	    "title \"savings in the month\", \\\n"
	    "     '' using 1:($6 == 1 ? $2 : NaN) with boxes lc rgb \"#238b45\" fs pattern 4 border lc rgb \"#238b45\" "
	    "title \"partial month\", \\\n"
	    "     '' using 1:3 axes x1y2 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"#08519c\" "
	    "title \"cumulative (right axis)\", \\\n"
	    "     '' using 1:(%.4f):(sprintf(\"n=%%d\", $5)) with labels font \",7\" tc rgb \"#555555\" notitle, \\\n"
	    "     '' using 1:(%.4f):xticlabels(4) with dots lc rgb \"#FF000000\" notitle\n",
	    B, c->b->as_of, B, p->since[0] ? " since " : "", p->since, B,
	    p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, lo, hi, 1.1 * p->cmin, 1.1 * p->cmax,
	    lo + 0.035 * (hi - lo), lo);
}

/* savings-heatmap: the savings of each cell (HEAT, HAS: groups x months). */
static void
heatmap_sums(const struct kpo_chart_ctx *c, const struct grid *gr, double *heat, unsigned char *has)
{
	const struct kpo_rows *dm = &c->b->t[KPO_T_DOMAIN_MONTH];
	size_t i, gi, mi;

	for (i = 0; i < dm->n; i++) {
		const struct kpo_row *r = &dm->rows[i];

		if (grid_cell(gr, &c->dom, r, &gi, &mi) != 0 || !r->has[KPO_M_SAVINGS])
			continue;
		heat[gi * gr->nm + mi] += r->v[KPO_M_SAVINGS];
		has[gi * gr->nm + mi] = 1;
	}
}

/* savings-heatmap.dat: x (month), y (domain, the largest on top), value,
 * label; -x.dat and -y.dat: the tic labels. */
static int
heatmap_write(struct kpo_chart_ctx *c, struct kpo_plot *p, const struct grid *gr, const double *heat,
    const unsigned char *has)
{
	const struct kpo_groups *gs = &c->dom;
	size_t i, j, ng = gs->n;
	struct dat d;
	char buf[64];

	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < ng; i++)
		for (j = 0; j < gr->nm; j++) {
			size_t at = i * gr->nm + j;

			if (!has[at])
				continue;
			kpo_money_compact(heat[at], buf, sizeof buf);
			kpo_out_printf(d.out, "%zu\t%zu", j, ng - 1 - i);
			dat_num(&d, 1, heat[at]);
			kpo_out_printf(d.out, "\t%s\n", buf);
			p->points++;
			p->vmax = fmax(p->vmax, fabs(heat[at]));
		}
	if (dat_close(&d, c) != 0 || dat_open(&d, c, p->chart->name, "-x.dat") != 0)
		return -1;
	for (j = 0; j < gr->nm; j++) {
		if (p->partial < 0 && month_partial(c, gr->months[j], strlen(gr->months[j])))
			p->partial = (long)j;
		kpo_out_printf(d.out, "%zu", j);
		dat_month(&d, c, gr->months[j], strlen(gr->months[j]));
		kpo_out_putc(d.out, '\n');
	}
	if (dat_close(&d, c) != 0 || dat_open(&d, c, p->chart->name, "-y.dat") != 0)
		return -1;
	for (i = 0; i < ng; i++) {
		kpo_out_printf(d.out, "%zu", ng - 1 - i);
		dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		kpo_out_putc(d.out, '\n');
	}
	return dat_close(&d, c);
}

static int
heatmap_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	size_t ng = c->dom.n;
	unsigned char *has;
	double *heat;
	struct grid gr;
	int rc;

	grid_open(&gr, c);
	p->months = gr.nm;
	p->total = gr.total;
	p->groups = ng;
	p->partial = -1;
	heat = kpo_xcalloc(ng * gr.nm + 1, sizeof *heat);
	has = kpo_xcalloc(ng * gr.nm + 1, 1);
	heatmap_sums(c, &gr, heat, has);
	rc = heatmap_write(c, p, &gr, heat, has);
	/* A row of cells per domain. */
	p->height = 150 + 34 * (int)(ng ? ng : 1);
	if (p->height < 360)
		p->height = 360;
	free(heat);
	free(has);
	grid_close(&gr);
	return rc;
}

static void
heatmap_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double m = p->vmax > 0 ? p->vmax : 1;

	if (p->partial >= 0)
		kpo_out_printf(o, "set object 3 rectangle from %ld.5 - 1, graph 0 to %zu.5, graph 1 front "
		    "fs empty border lc rgb \"#333333\" dt 2 lw 1.5\n", p->partial, p->months ? p->months - 1 : 0);
	kpo_money_tics(o, "cb", -m, m);
	kpo_out_printf(o,
	    "set title \"Savings by domain and month (%s) " MDASH " as of %s\"\n"
	    "set xlabel \"month%s; hatched: no items; dashed: partial month\"\n"
	    "set ylabel \"domain\"\n"
	    "set xrange [-0.5:%zu.5]\n"
	    "set yrange [-0.5:%zu.5]\n"
	    "unset grid\n"
	    "set border 15\n"
	    "set tics scale 0\n"
	    "set xtics rotate by 45 right noenhanced\n"
	    "set ytics noenhanced\n"
	    /* No shade near white: a small loss is plainly red, a small saving plainly green. */
	    "set palette defined (-1 \"#a50026\", -0.5 \"#e34a33\", -0.0001 \"#fc9272\", 0 \"#f7f7f7\", "
	    "0.0001 \"#a1d99b\", 0.5 \"#41ab5d\", 1 \"#00682a\")\n"
	    "set cbrange [%.4f:%.4f]\n"
	    "set cblabel \"savings (%s)\"\n"
	    "set style fill solid 1 noborder\n"
	    /* A cell without data is hatched, unlike a cell of 0. */
	    "set object 1 rectangle from graph 0, graph 0 to graph 1, graph 1 behind fc rgb \"#cccccc\" fs pattern 2 noborder\n"
	    "set key off\n"
	    "plot 'savings-heatmap.dat' using 1:2:(0.5):(0.5):3 with boxxy fc palette notitle, \\\n"
	    "     '' using 1:2:4 with labels font \",%d\" notitle, \\\n"
	    "     'savings-heatmap-x.dat' using 1:(0):xticlabels(2) with dots lc rgb \"#FF000000\" notitle, \\\n"
	    "     'savings-heatmap-y.dat' using (0):1:yticlabels(2) with dots lc rgb \"#FF000000\" notitle\n",
	    c->b->base, c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, p->groups ? p->groups - 1 : 0,
	    -m, m, c->b->base, p->months > 18 ? 7 : 8);
}

/* rework-control, defect-control: idx, p %, lower limit %, upper limit %,
 * centre %, flags (1 rule 1, 2 rule 4), month. */
int
kpo_control_of(struct kpo_control *c, const struct kpo_bundle *b, enum kpo_control_kind kind)
{
	const struct kpo_rows *mon = &b->t[KPO_T_MONTH];
	int xm = kind == KPO_CONTROL_DEFECT ? KPO_M_DEFECTIVE_N : KPO_M_REWORKED_N;
	size_t i, m = 0, first = month_first(mon);
	uint64_t *x = kpo_xcalloc(mon->n + 1, sizeof *x), *n = kpo_xcalloc(mon->n + 1, sizeof *n);
	int rc;

	memset(c, 0, sizeof *c);
	c->what = kind == KPO_CONTROL_DEFECT ? "with a defect" : "reworked";
	c->month = kpo_xcalloc(mon->n + 1, sizeof *c->month);
	c->monthlen = kpo_xcalloc(mon->n + 1, sizeof *c->monthlen);
	for (i = first; i < mon->n; i++) {
		const struct kpo_row *r = &mon->rows[i];

		if (!r->has[xm] || !r->has[KPO_M_DELIVERED] || r->v[KPO_M_DELIVERED] < 1 || r->v[xm] < 0 ||
		    r->v[xm] > r->v[KPO_M_DELIVERED])
			continue;
		x[m] = (uint64_t)r->v[xm];
		n[m] = (uint64_t)r->v[KPO_M_DELIVERED];
		c->month[m] = r->key[0];
		c->monthlen[m++] = r->keylen[0];
	}
	rc = kpo_pchart(&c->pc, x, n, m);
	free(x);
	free(n);
	return rc;
}

void
kpo_control_free(struct kpo_control *c)
{
	kpo_pchart_free(&c->pc);
	free(c->month);
	free(c->monthlen);
	memset(c, 0, sizeof *c);
}

static int
control_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	struct kpo_control k;
	struct dat d;
	size_t i;

	p->total = c->b->t[KPO_T_MONTH].n;
	p->partial = -1;
	p->lmargin = label_margin(7 + strlen(PARTIAL), 45, p->chart->width);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	if (kpo_control_of(&k, c->b, p->chart->control) == 0) {
		p->months = p->points = k.pc.n;
		p->laney = k.pc.laney;
		p->pbar = 100 * k.pc.pbar;
		p->sigma_z = k.pc.sigma_z;
		for (i = 0; i < k.pc.n; i++) {
			const struct kpo_pchart_point *pt = &k.pc.pt[i];

			kpo_out_printf(d.out, "%zu", i);
			dat_num(&d, 1, 100 * pt->p);
			dat_num(&d, 1, 100 * pt->lcl);
			dat_num(&d, 1, 100 * pt->ucl);
			dat_num(&d, 1, 100 * k.pc.pbar);
			kpo_out_printf(d.out, "\t%d", (pt->beyond ? 1 : 0) | (pt->run ? 2 : 0));
			dat_month(&d, c, k.month[i], k.monthlen[i]);
			if (p->partial < 0 && month_partial(c, k.month[i], k.monthlen[i]))
				p->partial = (long)i;
			kpo_out_putc(d.out, '\n');
			p->ymax = fmax(p->ymax, fmax(100 * pt->p, 100 * pt->ucl));
			p->rule1 += pt->beyond != 0;
			p->rule4 += pt->run != 0;
		}
	}
	kpo_control_free(&k);
	return dat_close(&d, c);
}

static void
control_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	const char *name = p->chart->name;
	int defect = p->chart->control == KPO_CONTROL_DEFECT;
	char how[96], key[96] = "";

	/* The key left of the partial month's band, clear of its note. */
	if (p->partial >= 0)
		snprintf(key, sizeof key, "set key at first %ld - 0.6, graph 0.98 right top\n", p->partial);
	if (p->laney)
		snprintf(how, sizeof how, "Laney p\xe2\x80\xb2 chart, \xcf\x83z = %.2f", p->sigma_z);
	else
		snprintf(how, sizeof how, "p chart");
	put_lmargin(o, p);
	put_partial(o, c, p, p->months ? p->months - 1 : 0);
	kpo_out_printf(o,
	    "set title \"%s by month: %s, centre %.2f%%, 3\xcf\x83 limits " MDASH " as of %s\"\n"
	    "set ylabel \"%s (%% of delivered)\"\n"
	    "set xlabel \"month%s\"\n"
	    "set xrange [-0.5:%zu.5]\n"
	    "set yrange [0:%.4f]\n"
	    "set xtics rotate by 45 right noenhanced\n"
	    "set key top right\n"
	    "%s"
	    "plot '%s.dat' using ($1 - 0.45):3:(0.9):(0) with vectors nohead lw 2 lc rgb \"#e6550d\" "
	    "title \"limits (3\xcf\x83, by the month's n)\", \\\n"
	    "     '' using ($1 - 0.45):4:(0.9):(0) with vectors nohead lw 2 lc rgb \"#e6550d\" notitle, \\\n"
	    "     '' using 1:5 with lines dt 2 lw 1.5 lc rgb \"#555555\" title \"centre line\", \\\n"
	    "     '' using 1:2:xticlabels(7) with linespoints lw 2 pt 7 ps 0.8 lc rgb \"#3182bd\" title \"%s\"",
	    defect ? "Items with a defect" : "Rework", how, p->pbar, c->b->as_of,
	    defect ? "items with a defect" : "reworked items", p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, p->ymax > 0 ? p->ymax * 1.15 : 1.0, key, name,
	    defect ? "with a defect" : "reworked");
	if (p->rule1)
		kpo_out_printf(o, ", \\\n     '' using 1:((int($6) & 1) ? $2 : NaN) with points pt 7 ps 1.8 "
		    "lc rgb \"#d62728\" title \"beyond the limits (rule 1)\"");
	if (p->rule4)
		kpo_out_printf(o, ", \\\n     '' using 1:((int($6) & 2) ? $2 : NaN) with points pt 6 ps 2.4 lw 2 "
		    "lc rgb \"#ff7f0e\" title \"8 in a row on one side (rule 4)\"");
	kpo_out_putc(o, '\n');
}

/* ---- The table ---- */

const struct kpo_chart kpo_charts[] = {
	{ "savings-by-domain", 1000, 580, "In-house baseline and vendor cost per domain, with savings %",
	  savings_domain_data, savings_domain_script, KPO_CONTROL_NONE },
	{ "turnaround-by-domain", 1000, 580, "Turnaround per domain (in days once a p90 passes a week): box p25 to p75, "
	  "whiskers p10 to p90, median line",
	  turnaround_data, turnaround_script, KPO_CONTROL_NONE },
	{ "on-time-trend", 1000, 500, "On-time delivery % by month against the SLA target, with 95% intervals; "
	  "n: items with a due date; the partial month shaded, its point hollow",
	  on_time_data, on_time_script, KPO_CONTROL_NONE },
	{ "quality-trend", 1000, 560, "Mean quality score by month, one line per domain (up to 8, the rest as other); "
	  "n: scored items",
	  quality_data, quality_script, KPO_CONTROL_NONE },
	{ "vendor-scorecard", 1000, 640, "Vendors: savings % against mean quality; size: items; colour and shape: "
	  "on-time status",
	  scorecard_data, scorecard_script, KPO_CONTROL_NONE },
	{ "savings-by-month", 1000, 520, "Savings by month (bars, the partial month hatched) and cumulative savings "
	  "(line); n: items",
	  savings_month_data, savings_month_script, KPO_CONTROL_NONE },
	{ "savings-heatmap", 1100, 0, "Savings per domain and month: green a saving, red a loss, hatched no items",
	  heatmap_data, heatmap_script, KPO_CONTROL_NONE },
	{ "rework-control", 1000, 520, "Rework by month as a control chart: centre line, 3-sigma limits, flagged months",
	  control_data, control_script, KPO_CONTROL_REWORK },
	{ "defect-control", 1000, 520, "Items with a defect by month as a control chart: centre line, 3-sigma limits, "
	  "flagged months", control_data, control_script, KPO_CONTROL_DEFECT },
};

const size_t kpo_ncharts = sizeof kpo_charts / sizeof kpo_charts[0];

#define M(x) KPO_MBIT(KPO_M_##x)
#define SUMS (M(ITEMS) | M(DELIVERED) | M(OPEN) | M(OVERDUE) | M(HOURS) | M(COST) | M(BASELINE) | M(SAVINGS))
#define QUALITY (M(QUALITY_MEAN) | M(QUALITY_N))
#define TAT (M(TAT_P10_H) | M(TAT_P25_H) | M(TAT_P50_H) | M(TAT_P75_H) | M(TAT_P90_H))
#define COSTS (M(GOVERNANCE) | M(TRANSITION) | M(OTHER_COST) | M(TCO) | M(NET_SAVINGS) | M(NET_SAVINGS_PCT) | \
	M(SAVINGS_N))

/* The page reads the by-domain columns too (its table and tiles), the
 * totals row of by-domain, and the first rows of the exception lists. */
const struct kpo_bundle_need kpo_chart_need = {
	.metrics = {
		[KPO_T_DOMAIN]        = SUMS | M(SAVINGS_PCT) | QUALITY | M(ON_TIME_PCT) | M(ON_TIME_N) | M(AT_RISK) | TAT |
		                        M(ON_TIME_PCT_LO) | M(ON_TIME_PCT_HI) | COSTS,
		[KPO_T_VENDOR]        = SUMS | M(SAVINGS_PCT) | QUALITY | M(ON_TIME_PCT),
		[KPO_T_REGION]        = M(ITEMS),
		[KPO_T_MONTH]         = SUMS | M(SAVINGS_PCT) | QUALITY | M(ON_TIME_PCT) | M(ON_TIME_N) |
		                        M(ON_TIME_PCT_LO) | M(ON_TIME_PCT_HI) | M(REWORKED_N) | M(DEFECTIVE_N),
		[KPO_T_DOMAIN_MONTH]  = SUMS | QUALITY,
		[KPO_T_VENDOR_DOMAIN] = M(ITEMS),
	},
	.totals = 1ul << KPO_T_DOMAIN,
	.lists = (1ul << KPO_L_BREACHED) | (1ul << KPO_L_AT_RISK),
	.list_rows = 20,                        /* the page lists the first 20 past due */
};

/* ---- The script ---- */

/* The commands of one chart, after its terminal and output are set. */
static void
chart_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
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
	if (p->points == 0) {
		kpo_out_printf(o,
		    "set title \"%s: no data in the bundle (as of %s)\"\n"
		    "unset border\nunset tics\nunset grid\nunset key\n"
		    "set label 1 \"no data\" at graph 0.5, graph 0.5 center font \",16\"\n"
		    "plot [0:1] [0:1] 2 notitle\n", p->chart->name, c->b->as_of);
		return;
	}
	p->chart->script(o, c, p);
}

static int
write_script(struct kpo_chart_ctx *c, const struct kpo_plot *plot)
{
	static const char *const colors[12] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
		"#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
	};
	static const char *const terminal[KPO_NFORMATS] = { "pngcairo", "svg" };
	const int final = c->opt->no_render;
	struct dat d;
	size_t i;
	int f;

	if (dat_open(&d, c, KPO_CHART_SCRIPT, "") != 0)
		return -1;
	kpo_out_puts(d.out,
	    "# Written by kpo-chart; run in this folder as: gnuplot -d " KPO_CHART_SCRIPT "\n"
	    "# Text from the bundle is only in the .dat files, never in this script.\n"
	    "set encoding utf8\n");
	for (i = 0; i < 12; i++)
		kpo_out_printf(d.out, "set linetype %zu lc rgb \"%s\" lw 1.5\n", i + 1, colors[i]);
	kpo_out_puts(d.out, "set linetype cycle 12\n");
	for (f = 0; f < KPO_NFORMATS; f++) {
		if (!c->opt->format[f])
			continue;
		for (i = 0; i < kpo_ncharts; i++) {
			const char *name = kpo_charts[i].name, *ext = kpo_chart_ext[f];

			kpo_out_printf(d.out, "\nprint \"" KPO_CHART_MARK "%s.%s\"\n", name, ext);
			kpo_out_printf(d.out, "set terminal %s size %d,%d font \"DejaVu Sans,10\" noenhanced "
			    "background rgb \"white\"\n", terminal[f], kpo_charts[i].width, plot[i].height);
			kpo_out_printf(d.out, "set output \"../%s%s.%s%s\"\n", final ? "" : ".", name, ext,
			    final ? "" : ".tmp");
			chart_script(d.out, c, &plot[i]);
			kpo_out_puts(d.out, "unset output\n");
		}
	}
	return dat_close(&d, c);
}

int
kpo_charts_write(struct kpo_charts *ch, const struct kpo_bundle *b, const struct kpo_chart_opts *opt,
    const char *gpdir, struct kpo_fail *f)
{
	struct kpo_chart_ctx c = { .b = b, .opt = opt, .gpdir = gpdir, .fail = f };
	struct kpo_plot *plot = kpo_xcalloc(kpo_ncharts, sizeof *plot);
	size_t i;
	int rc = 0;

	kpo_groups_top(&c.dom, &b->t[KPO_T_DOMAIN], opt->top, "domains");
	kpo_groups_top(&c.ven, &b->t[KPO_T_VENDOR], opt->top, "vendors");
	for (i = 0; i < kpo_ncharts && rc == 0; i++) {
		plot[i].chart = &kpo_charts[i];
		plot[i].height = kpo_charts[i].height;
		rc = kpo_charts[i].data(&c, &plot[i]);
	}
	if (rc == 0)
		rc = write_script(&c, plot);
	ch->height = kpo_xcalloc(kpo_ncharts, sizeof *ch->height);
	for (i = 0; i < kpo_ncharts; i++)
		ch->height[i] = plot[i].height;
	kpo_groups_free(&c.dom);
	kpo_groups_free(&c.ven);
	free(plot);
	return rc;
}

void
kpo_charts_free(struct kpo_charts *ch)
{
	free(ch->height);
	ch->height = NULL;
}
