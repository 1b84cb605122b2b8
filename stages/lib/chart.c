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
#include "strmap.h"
#include "tics.h"

#define MAX_MONTHS 24           /* month axes show the last 24 months */
#define LABEL_CHARS 32          /* names on charts are cut to this many characters */
#define QUALITY_LINES 6         /* domains drawn in quality-trend, before other */
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

/* turnaround-by-domain: idx, p10, p25, p50, p75, p90, name; the top
 * domains only (quantiles do not fold). */
static int
turnaround_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_groups *gs = &c->dom;
	struct dat d;
	size_t i;

	p->total = gs->total;
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < gs->n - (gs->folded ? 1 : 0); i++) {
		const struct kpo_row *r = &gs->g[i].r;
		int has = r->has[KPO_M_TAT_P10_H] && r->has[KPO_M_TAT_P25_H] && r->has[KPO_M_TAT_P50_H] &&
		    r->has[KPO_M_TAT_P75_H] && r->has[KPO_M_TAT_P90_H];

		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, has, r->v[KPO_M_TAT_P10_H]);
		dat_num(&d, has, r->v[KPO_M_TAT_P25_H]);
		dat_num(&d, has, r->v[KPO_M_TAT_P50_H]);
		dat_num(&d, has, r->v[KPO_M_TAT_P75_H]);
		dat_num(&d, has, r->v[KPO_M_TAT_P90_H]);
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
	    c->b->as_of, p->groups < p->total ? " (top by items; quantiles cannot be folded)" : "",
	    p->groups ? p->groups - 1 : 0);
}

/* on-time-trend: idx, on-time %, month; the last MAX_MONTHS of by-month. */
static int
on_time_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_rows *mon = &c->b->t[KPO_T_MONTH];
	size_t i, first = month_first(mon);
	struct dat d;

	p->total = mon->n;
	p->months = mon->n - first;
	p->ymin = c->opt->sla;
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = first; i < mon->n; i++) {
		const struct kpo_row *r = &mon->rows[i];

		kpo_out_printf(d.out, "%zu", i - first);
		dat_num(&d, r->has[KPO_M_ON_TIME_PCT], r->v[KPO_M_ON_TIME_PCT]);
		dat_text(&d, r->key[0], r->keylen[0]);
		kpo_out_putc(d.out, '\n');
		if (r->has[KPO_M_ON_TIME_PCT]) {
			p->points++;
			p->ymin = fmin(p->ymin, r->v[KPO_M_ON_TIME_PCT]);
		}
	}
	return dat_close(&d, c);
}

static void
on_time_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double sla = c->opt->sla, lo = floor(fmin(p->ymin, sla) / 10.0) * 10.0 - 5;

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
	    sla, c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, lo < 0 ? 0 : lo, sla, sla);
}

/* quality-trend: the quality sums of each line (QSUM, weights QN: lines x
 * months), the first NQ - 1 groups on their own and the rest in the last
 * line when there are more. */
static void
quality_sums(const struct kpo_chart_ctx *c, const struct grid *gr, size_t nq, double *qsum, double *qn)
{
	const struct kpo_rows *dm = &c->b->t[KPO_T_DOMAIN_MONTH];
	const int m = KPO_M_QUALITY_MEAN, n = KPO_M_QUALITY_N;
	size_t i, gi, mi;

	for (i = 0; i < dm->n; i++) {
		const struct kpo_row *r = &dm->rows[i];
		size_t at;

		if (grid_cell(gr, &c->dom, r, &gi, &mi) != 0 || !(r->has[m] && r->has[n] && r->v[n] > 0))
			continue;
		at = (gi < nq - 1 || nq == c->dom.n ? gi : nq - 1) * gr->nm + mi;
		qsum[at] += r->v[m] * r->v[n];
		qn[at] += r->v[n];
	}
}

/* quality-trend: a header line (the names, read as column headers), then
 * one line per month: idx, month, the mean of each line. */
static int
quality_write(struct kpo_chart_ctx *c, struct kpo_plot *p, const struct grid *gr, const double *qsum,
    const double *qn)
{
	const struct kpo_groups *gs = &c->dom;
	size_t i, j, nq = p->series;
	struct dat d;
	char buf[64];

	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	kpo_out_puts(d.out, "idx\tmonth");
	for (i = 0; i < nq; i++) {
		if (nq < gs->n && i == nq - 1) {
			snprintf(buf, sizeof buf, "other (%zu domains)", gs->total - (nq - 1));
			dat_text(&d, buf, strlen(buf));
		} else {
			dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		}
	}
	kpo_out_putc(d.out, '\n');
	p->ymin = 100;
	for (j = 0; j < gr->nm; j++) {
		kpo_out_printf(d.out, "%zu", j);
		dat_text(&d, gr->months[j], strlen(gr->months[j]));
		for (i = 0; i < nq; i++) {
			int has = qn[i * gr->nm + j] > 0;
			double q = has ? qsum[i * gr->nm + j] / qn[i * gr->nm + j] : 0;

			dat_num(&d, has, q);
			if (has) {
				p->points++;
				p->ymin = fmin(p->ymin, q);
			}
		}
		kpo_out_putc(d.out, '\n');
	}
	return dat_close(&d, c);
}

static int
quality_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	size_t ng = c->dom.n;
	double *qsum, *qn;
	struct grid gr;
	int rc;

	grid_open(&gr, c);
	p->months = gr.nm;
	p->total = gr.total;
	/* A line chart stays readable with fewer lines than a bar chart has
	 * bars: the top QUALITY_LINES domains, the rest as one other line. */
	p->series = ng > QUALITY_LINES + 1 || (ng > QUALITY_LINES && !c->dom.folded) ? QUALITY_LINES + 1 : ng;
	p->folded = p->series < ng || c->dom.folded;
	qsum = kpo_xcalloc(ng * gr.nm + 1, sizeof *qsum);
	qn = kpo_xcalloc(ng * gr.nm + 1, sizeof *qn);
	quality_sums(c, &gr, p->series, qsum, qn);
	rc = quality_write(c, p, &gr, qsum, qn);
	free(qsum);
	free(qn);
	grid_close(&gr);
	return rc;
}

static void
quality_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
	double lo = floor(p->ymin / 10.0) * 10.0 - 5;

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
	    c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, lo < 0 ? 0 : lo, p->series + 2 - (p->folded ? 1 : 0));
	if (p->folded)
		kpo_out_printf(o, ", \\\n     '' using 1:%zu with linespoints lw 1.5 dt 2 pt 6 ps 0.6 "
		    "lc rgb \"#888888\" title columnheader(%zu)", p->series + 2, p->series + 2);
	kpo_out_putc(o, '\n');
}

/* vendor-scorecard: idx, savings %, quality, items, point size, name */
static int
scorecard_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_groups *gs = &c->ven;
	double maxitems = 0;
	struct dat d;
	size_t i;

	p->groups = gs->n;
	p->total = gs->total;
	for (i = 0; i < gs->n; i++)
		if (gs->g[i].r.has[KPO_M_ITEMS])
			maxitems = fmax(maxitems, gs->g[i].r.v[KPO_M_ITEMS]);
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < gs->n; i++) {
		const struct kpo_row *r = &gs->g[i].r;
		int has = r->has[KPO_M_SAVINGS_PCT] && r->has[KPO_M_QUALITY_MEAN];
		double items = r->has[KPO_M_ITEMS] ? r->v[KPO_M_ITEMS] : 0;

		kpo_out_printf(d.out, "%zu", i);
		dat_num(&d, has, r->v[KPO_M_SAVINGS_PCT]);
		dat_num(&d, has, r->v[KPO_M_QUALITY_MEAN]);
		dat_num(&d, 1, items);
		dat_num(&d, 1, 1.0 + 3.0 * (maxitems > 0 ? sqrt(items / maxitems) : 0));
		dat_text(&d, gs->g[i].name, gs->g[i].namelen);
		kpo_out_putc(d.out, '\n');
		if (has)
			p->points++;
	}
	return dat_close(&d, c);
}

static void
scorecard_script(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p)
{
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
	    c->b->as_of, p->groups < p->total ? "; the top vendors by items, the rest as other" : "");
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

/* savings-by-month: idx, savings, cumulative savings, month; the last
 * MAX_MONTHS, the sum from the first. */
static int
savings_month_data(struct kpo_chart_ctx *c, struct kpo_plot *p)
{
	const struct kpo_rows *mon = &c->b->t[KPO_T_MONTH];
	size_t i, first = month_first(mon);
	double cum = 0;
	struct dat d;

	p->total = mon->n;
	p->months = mon->n - first;
	if (dat_open(&d, c, p->chart->name, ".dat") != 0)
		return -1;
	for (i = 0; i < mon->n; i++) {
		const struct kpo_row *r = &mon->rows[i];

		if (r->has[KPO_M_SAVINGS])
			cum += r->v[KPO_M_SAVINGS];
		if (i < first)
			continue;
		kpo_out_printf(d.out, "%zu", i - first);
		dat_num(&d, r->has[KPO_M_SAVINGS], r->v[KPO_M_SAVINGS]);
		dat_num(&d, 1, cum);
		dat_text(&d, r->key[0], r->keylen[0]);
		kpo_out_putc(d.out, '\n');
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

	kpo_money_tics(o, "y", 1.1 * p->ymin, 1.1 * p->ymax);
	kpo_money_tics(o, "y2", 1.1 * p->cmin, 1.1 * p->cmax);
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
	    B, c->b->as_of, B, p->since[0] ? " since " : "", p->since, B,
	    p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, 1.1 * p->ymin, 1.1 * p->ymax, 1.1 * p->cmin, 1.1 * p->cmax);
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
		kpo_out_printf(d.out, "%zu", j);
		dat_text(&d, gr->months[j], strlen(gr->months[j]));
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

	kpo_money_tics(o, "cb", -m, m);
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
	    c->b->base, c->b->as_of, p->months < p->total ? " (last 24 months)" : "",
	    p->months ? p->months - 1 : 0, p->groups ? p->groups - 1 : 0,
	    -m, m, c->b->base, p->months > 18 ? 7 : 8);
}

/* ---- The table ---- */

const struct kpo_chart kpo_charts[] = {
	{ "savings-by-domain", 1000, 580, "In-house baseline and vendor cost per domain, with savings %",
	  savings_domain_data, savings_domain_script },
	{ "turnaround-by-domain", 1000, 580, "Turnaround per domain: box p25 to p75, whiskers p10 to p90, median line",
	  turnaround_data, turnaround_script },
	{ "on-time-trend", 1000, 500, "On-time delivery % by month against the SLA target",
	  on_time_data, on_time_script },
	{ "quality-trend", 1000, 560, "Mean quality score by month, one line per domain",
	  quality_data, quality_script },
	{ "vendor-scorecard", 1000, 640, "Vendors: savings % against mean quality, point size by items",
	  scorecard_data, scorecard_script },
	{ "savings-by-month", 1000, 520, "Savings by month (bars) and cumulative savings (line)",
	  savings_month_data, savings_month_script },
	{ "savings-heatmap", 1100, 0, "Savings per domain and month",
	  heatmap_data, heatmap_script },
};

const size_t kpo_ncharts = sizeof kpo_charts / sizeof kpo_charts[0];

#define M(x) KPO_MBIT(KPO_M_##x)
#define SUMS (M(ITEMS) | M(DELIVERED) | M(OPEN) | M(OVERDUE) | M(HOURS) | M(COST) | M(BASELINE) | M(SAVINGS))
#define QUALITY (M(QUALITY_MEAN) | M(QUALITY_N))
#define TAT (M(TAT_P10_H) | M(TAT_P25_H) | M(TAT_P50_H) | M(TAT_P75_H) | M(TAT_P90_H))

/* The page reads the by-domain columns too (its table and tiles), and the
 * totals row of by-domain. */
const struct kpo_bundle_need kpo_chart_need = {
	.metrics = {
		[KPO_T_DOMAIN]        = SUMS | M(SAVINGS_PCT) | QUALITY | M(ON_TIME_PCT) | TAT,
		[KPO_T_VENDOR]        = SUMS | M(SAVINGS_PCT) | QUALITY,
		[KPO_T_REGION]        = M(ITEMS),
		[KPO_T_MONTH]         = SUMS | M(ON_TIME_PCT),
		[KPO_T_DOMAIN_MONTH]  = SUMS | QUALITY,
		[KPO_T_VENDOR_DOMAIN] = M(ITEMS),
	},
	.totals = 1ul << KPO_T_DOMAIN,
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
