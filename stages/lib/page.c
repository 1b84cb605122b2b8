#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bundle.h"
#include "chart.h"
#include "csvread.h"
#include "err.h"
#include "fail.h"
#include "html.h"
#include "out.h"
#include "page.h"
#include "tics.h"
#include "utf8.h"
#include "wilson.h"
#include "status.h"
#include "texttable.h"

#define ATTENTION_ROWS 15       /* red and amber statuses listed before "and N more" */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;padding:1rem;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
    "color:#222;background:#f6f7f9}"
    "main{max-width:1320px;margin:0 auto}"
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
    ".ci{display:block;color:#777;font-size:.7rem}"
    ".unc{color:#8a5a00;font-weight:600}"
    "ul.flags{margin:.2rem 0 0;padding-left:1.2rem;font-size:.85rem;color:#333}"
    "ul.flags li.r1::marker{color:#d62728}ul.flags li.r4::marker{color:#ff7f0e}"
    /* Statuses: a colour and always the word, so print and colour-blind readers lose nothing. */
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".st-green{background:#dff1da}.st-amber{background:#fde7c4}.st-red{background:#f9d3cf}.st-unknown{background:#ececec}"
    ".tile.st-green{border-left:6px solid #1a9850}.tile.st-amber{border-left:6px solid #e08214}"
    ".tile.st-red{border-left:6px solid #c51b2a}.tile.st-unknown{border-left:6px solid #969696}"
    ".w{display:inline-block;font-size:.6rem;font-weight:700;text-transform:uppercase;letter-spacing:.02em;"
    "padding:0 .2rem;margin-left:.25rem;border:1px solid #0003;border-radius:3px;background:#fff8}"
    ".tile .d{color:#444;font-size:.8rem}"
    "td.l,th.l{text-align:left}"
    ".note{color:#555;font-size:.85rem;margin:.4rem 0}"
    ".skipped{background:#f9d3cf;border:1px solid #c51b2a;border-radius:6px;padding:.4rem .6rem;margin:0 0 1rem}"
    ".skipped ul{margin:.2rem 0 0;padding-left:1.2rem}"
    ".partial{background:#fff4d6;border:1px solid #f0d48a;border-radius:6px;padding:.4rem .6rem;font-size:.9rem}"
    "a{color:#0b5cad}"
    "footer{color:#777;font-size:.8rem;margin:2rem 0 1rem}";

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

/* Metric M of row R as num() writes it. */
static void
metric(char *buf, size_t size, const struct kpo_row *r, int m, int decimals)
{
	num(buf, size, r->has[m], r->v[m], decimals);
}

/* The status word as a badge. */
static void
badge(struct kpo_out *o, int status)
{
	kpo_out_printf(o, "<span class=\"w\">%s</span>", kpo_status_words[status]);
}

/* A key figure: its label, value (of metric SHOWN) and the lines of SUB
 * below it; with a status, coloured and with its word, target and min (and
 * its metric when it is not SHOWN); DELTA: the change of the last complete
 * month. */
static void
tile(struct kpo_out *o, const char *label, int shown, const char *value, const char *sub,
    const struct kpo_status_row *st, const char *delta)
{
	if (st)
		kpo_out_printf(o, "<div class=\"tile st-%s\"><div class=\"k\">", kpo_status_words[st->status]);
	else
		kpo_out_puts(o, "<div class=\"tile\"><div class=\"k\">");
	kpo_html_putz(o, label);
	kpo_out_puts(o, "</div><div class=\"v\">");
	kpo_html_putz(o, value);
	if (st)
		badge(o, st->status);
	kpo_out_puts(o, "</div>");
	if (st) {
		kpo_out_puts(o, "<div class=\"s\">");
		if (st->metric != shown)
			kpo_out_printf(o, "%s: ", kpo_metrics[st->metric].name);
		kpo_out_puts(o, "target ");
		kpo_html_putz(o, st->target);
		kpo_out_puts(o, ", min ");
		kpo_html_putz(o, st->min);
		kpo_out_puts(o, "</div>");
	}
	while (sub && *sub) {
		size_t n = strcspn(sub, "\n");

		kpo_out_puts(o, "<div class=\"s\">");
		kpo_html_put(o, sub, n);
		kpo_out_puts(o, "</div>");
		sub += n + (sub[n] == '\n');
	}
	if (delta) {
		kpo_out_puts(o, "<div class=\"d\">");
		kpo_html_putz(o, delta);
		kpo_out_puts(o, "</div>");
	}
	kpo_out_puts(o, "</div>\n");
}

/* A month of by-month is complete when it ended by the as-of date. */
static int
month_complete(const struct kpo_bundle *b, const struct kpo_row *r)
{
	return r->keylen[0] == 7 && memcmp(r->key[0], b->as_of, 7) < 0;
}

/* The change of metric M from the complete month before the last one to
 * the last complete month, as "2026-10: 85.6 % ▲ +8.9 pts vs 2026-09"; NULL
 * (an empty BUF) when there are not two such months with a value. */
static const char *
month_delta(const struct kpo_bundle *b, int m, int decimals, const char *unit, const char *dunit, char *buf,
    size_t size)
{
	const struct kpo_rows *mon = &b->t[KPO_T_MONTH];
	const struct kpo_row *last = NULL, *prev = NULL;
	char v[64], dv[64];
	double d;
	size_t i;

	buf[0] = '\0';
	for (i = mon->n; i-- > 0 && !prev;) {
		const struct kpo_row *r = &mon->rows[i];

		if (!month_complete(b, r) || !r->has[m])
			continue;
		if (!last)
			last = r;
		else
			prev = r;
	}
	if (!prev)
		return NULL;
	d = last->v[m] - prev->v[m];
	num(v, sizeof v, 1, last->v[m], decimals);
	num(dv, sizeof dv, 1, fabs(d), decimals);
	snprintf(buf, size, "%.7s: %s%s %s %s%s%s vs %.7s", last->key[0], v, unit,
	    d > 0 ? "\xe2\x96\xb2" : d < 0 ? "\xe2\x96\xbc" : "=", d > 0 ? "+" : d < 0 ? "\xe2\x88\x92" : "", dv,
	    dunit, prev->key[0]);
	return buf;
}

/* "N of M items": the coverage of a figure. */
static void
coverage(char *buf, size_t size, const struct kpo_row *r, int m, const char *what)
{
	char n[64], all[64];

	metric(n, sizeof n, r, m, 0);
	metric(all, sizeof all, r, KPO_M_ITEMS, 0);
	snprintf(buf, size, "%.60s of %.60s items%s", n, all, what);
}

/* The total cost of outsourcing: vendor cost, governance, transition and
 * other costs, with the net savings they leave. */
static void
tco_tile(struct kpo_out *o, const struct kpo_bundle *b, const struct kpo_row *all)
{
	char v[64], c[4][32], line[480], net[64], pct[64], cov[192];
	static const int part[4] = { KPO_M_COST, KPO_M_GOVERNANCE, KPO_M_TRANSITION, KPO_M_OTHER_COST };
	int i;

	if (!all->has[KPO_M_TCO]) {
		tile(o, "Total cost", KPO_M_TCO, "\xe2\x80\x93",
		    "governance and transition not known\nkpo-metrics --costs or --governance-pct", NULL, NULL);
		return;
	}
	metric(v, sizeof v, all, KPO_M_TCO, 0);
	for (i = 0; i < 4; i++) {
		if (all->has[part[i]])
			kpo_money_compact(all->v[part[i]], c[i], sizeof c[i]);
		else
			snprintf(c[i], sizeof c[i], "\xe2\x80\x93");
	}
	snprintf(line, sizeof line, "%s, vendor %s + governance %s + transition %s + other %s", b->base, c[0], c[1],
	    c[2], c[3]);
	if (all->has[KPO_M_NET_SAVINGS]) {
		metric(net, sizeof net, all, KPO_M_NET_SAVINGS, 0);
		metric(pct, sizeof pct, all, KPO_M_NET_SAVINGS_PCT, 1);
		snprintf(cov, sizeof cov, "net savings %.40s%s%.20s%s, over the same items", net,
		    all->has[KPO_M_NET_SAVINGS_PCT] ? " (" : "", all->has[KPO_M_NET_SAVINGS_PCT] ? pct : "",
		    all->has[KPO_M_NET_SAVINGS_PCT] ? "% of baseline)" : "");
	} else {
		snprintf(cov, sizeof cov, "no item has a baseline: no net savings");
	}
	snprintf(line + strlen(line), sizeof line - strlen(line), "\n%s", cov);
	tile(o, "Total cost", KPO_M_TCO, v, line, NULL, NULL);
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

static void
page_head(struct kpo_out *o, const struct kpo_bundle *b)
{
	const struct kpo_rows *mon = &b->t[KPO_T_MONTH];

	kpo_out_printf(o,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>KPO engagement report, as of %s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>KPO engagement report</h1>\n<p class=\"sub\">As of %s; amounts in %s; TAT: turnaround "
	    "in hours.  Tap a chart for the full-size image.</p>\n",
	    b->as_of, css, b->as_of, b->base);
	/* The partial month drags trends down: say so once, here. */
	if (mon->n && mon->rows[mon->n - 1].keylen[0] == 7 && !month_complete(b, &mon->rows[mon->n - 1]))
		kpo_out_printf(o, "<p class=\"partial\">%.7s is a partial month (data to %s): it is marked on the "
		    "trend charts, and the changes on the key figures compare complete months only.</p>\n",
		    b->as_of, b->as_of);
}

/* The exports the nightly left out: at the top, since every figure below
 * lacks their rows. */
static void
page_skipped(struct kpo_out *o, const char *text)
{
	const char *line, *end;
	size_t n = 0;

	if (!text || !*text)
		return;
	for (line = text; *line; line = end + 1, n++)
		end = strchr(line, '\n');
	kpo_out_printf(o, "<div class=\"skipped\" role=\"alert\"><strong>%zu export%s could not be read and %s "
	    "left out of this report:</strong> none of %s rows is in the figures below.\n<ul>\n", n, n == 1 ? "" : "s",
	    n == 1 ? "is" : "are", n == 1 ? "its" : "their");
	for (line = text; *line; line = end + 1) {
		const char *tab1 = strchr(line, '\t'), *tab2 = strchr(tab1 + 1, '\t');

		end = strchr(line, '\n');
		kpo_out_puts(o, "<li><code>");
		kpo_html_put(o, line, (size_t)(tab1 - line));
		kpo_out_puts(o, "</code>: ");
		kpo_html_put(o, tab2 + 1, (size_t)(end - tab2 - 1));
		kpo_out_puts(o, " (exit ");
		kpo_html_put(o, tab1 + 1, (size_t)(tab2 - tab1 - 1));
		kpo_out_puts(o, ")</li>\n");
	}
	kpo_out_puts(o, "</ul></div>\n");
}

/* The status of metric M of the totals, or NULL. */
static const struct kpo_status_row *
total_status(const struct kpo_page *pg, int m)
{
	return pg->status ? kpo_statuses_find(pg->status, KPO_SCOPE_ALL, kpo_total_key, strlen(kpo_total_key), m) :
	    NULL;
}

/* Key figures: the totals row of by-domain, each with its status when
 * kpo-score judged it, and the change of the last complete month. */
static void
page_tiles(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b)
{
	const struct kpo_row *all = &b->t[KPO_T_DOMAIN].all;
	char a[64], v[64], c[400], d[160], cov[192];
	const struct kpo_status_row *st;

	kpo_out_puts(o, "<section class=\"tiles\" aria-label=\"Key figures\">\n");
	metric(a, sizeof a, all, KPO_M_ITEMS, 0);
	metric(v, sizeof v, all, KPO_M_OPEN, 0);
	snprintf(c, sizeof c, "%.60s open", v);
	tile(o, "Items", KPO_M_ITEMS, a, c, total_status(pg, KPO_M_ITEMS),
	    month_delta(b, KPO_M_ITEMS, 0, "", "", d, sizeof d));
	metric(a, sizeof a, all, KPO_M_DELIVERED, 0);
	metric(v, sizeof v, all, KPO_M_OVERDUE, 0);
	snprintf(c, sizeof c, "%.60s overdue", v);
	tile(o, "Delivered", KPO_M_DELIVERED, a, c, total_status(pg, KPO_M_DELIVERED),
	    month_delta(b, KPO_M_DELIVERED, 0, "", "", d, sizeof d));
	metric(a, sizeof a, all, KPO_M_SAVINGS, 0);
	metric(v, sizeof v, all, KPO_M_SAVINGS_PCT, 1);
	if (all->has[KPO_M_SAVINGS_PCT])
		snprintf(c, sizeof c, "%s, gross: %.60s%% of baseline", b->base, v);
	else
		snprintf(c, sizeof c, "%s, no baseline", b->base);
	coverage(cov, sizeof cov, all, KPO_M_SAVINGS_N, " with a baseline");
	snprintf(c + strlen(c), sizeof c - strlen(c), "\n%s", cov);
	st = total_status(pg, KPO_M_SAVINGS_PCT);
	tile(o, "Savings", KPO_M_SAVINGS, a, c, st ? st : total_status(pg, KPO_M_SAVINGS),
	    month_delta(b, KPO_M_SAVINGS, 0, "", "", d, sizeof d));
	tco_tile(o, b, all);
	metric(a, sizeof a, all, KPO_M_ON_TIME_PCT, 1);
	snprintf(v, sizeof v, "%.60s%s", a, all->has[KPO_M_ON_TIME_PCT] ? "%" : "");
	metric(a, sizeof a, all, KPO_M_ON_TIME_N, 0);
	st = total_status(pg, KPO_M_ON_TIME_PCT);
	if (st)
		snprintf(c, sizeof c, "of %.60s items with a due date", a);
	else
		snprintf(c, sizeof c, "SLA target %g%%; of %.60s items with a due date", pg->chart->sla, a);
	if (all->has[KPO_M_ON_TIME_PCT_LO] && all->has[KPO_M_ON_TIME_PCT_HI]) {
		char lo[32], hi[32];

		metric(lo, sizeof lo, all, KPO_M_ON_TIME_PCT_LO, 1);
		metric(hi, sizeof hi, all, KPO_M_ON_TIME_PCT_HI, 1);
		snprintf(c + strlen(c), sizeof c - strlen(c), "\n95%% interval %s\xe2\x80\x93%s%%%s", lo, hi,
		    kpo_interval_straddles(all->v[KPO_M_ON_TIME_PCT_LO], all->v[KPO_M_ON_TIME_PCT_HI], pg->chart->sla)
		    ? ": uncertain against the target" : "");
	}
	tile(o, "On time", KPO_M_ON_TIME_PCT, v, c, st, month_delta(b, KPO_M_ON_TIME_PCT, 1, "%", " pts", d, sizeof d));
	metric(a, sizeof a, all, KPO_M_QUALITY_MEAN, 1);
	metric(v, sizeof v, all, KPO_M_QUALITY_N, 0);
	snprintf(c, sizeof c, "mean of %.60s scored items", v);
	tile(o, "Quality", KPO_M_QUALITY_MEAN, a, c, total_status(pg, KPO_M_QUALITY_MEAN),
	    month_delta(b, KPO_M_QUALITY_MEAN, 1, "", "", d, sizeof d));
	num(a, sizeof a, 1, (double)b->list[KPO_L_BREACHED].total, 0);
	metric(v, sizeof v, all, KPO_M_AT_RISK, 0);
	snprintf(c, sizeof c, "%.60s more at risk (75%% of their window used)", v);
	tile(o, "Open past due", -1, a, c, NULL, NULL);
	if (pg->rejects) {
		num(a, sizeof a, 1, (double)pg->nrejects, 0);
		tile(o, "Rejects", -1, a, "rows dropped by the pipeline", NULL, NULL);
	}
	kpo_out_puts(o, "</section>\n");
}

/* What a control chart flags, as a list under it. */
static void
control_flags(struct kpo_out *o, const struct kpo_bundle *b, enum kpo_control_kind kind)
{
	struct kpo_control k;
	size_t i;

	if (kpo_control_of(&k, b, kind) != 0) {
		kpo_out_puts(o, "<ul class=\"flags\"><li>No month with deliveries.</li></ul>\n");
		kpo_control_free(&k);
		return;
	}
	kpo_out_printf(o, "<ul class=\"flags\">");
	if (k.pc.laney) {
		double items = 0;

		for (i = 0; i < k.pc.n; i++)
			items += (double)k.pc.pt[i].n;
		kpo_out_printf(o, "<li>Laney p\xe2\x80\xb2 limits: with %.0f items a month on average, the "
		    "month-to-month variation (\xcf\x83<sub>z</sub> = %.2f) is wider than chance alone, and the "
		    "limits are widened by it.</li>", items / (double)k.pc.n, k.pc.sigma_z);
	}
	for (i = 0; i < k.pc.n; i++) {
		const struct kpo_pchart_point *pt = &k.pc.pt[i];

		if (!pt->beyond)
			continue;
		kpo_out_puts(o, "<li class=\"r1\">");
		kpo_html_put(o, k.month[i], k.monthlen[i]);
		kpo_out_printf(o, ": %.1f%% %s (%llu of %llu), %s the %s limit %.1f%% (rule 1)</li>", 100 * pt->p, k.what,
		    (unsigned long long)pt->x, (unsigned long long)pt->n, pt->beyond > 0 ? "above" : "below",
		    pt->beyond > 0 ? "upper" : "lower", 100 * (pt->beyond > 0 ? pt->ucl : pt->lcl));
	}
	for (i = 0; i < k.pc.nruns; i++) {
		const struct kpo_pchart_run *r = &k.pc.runs[i];

		kpo_out_puts(o, "<li class=\"r4\">");
		kpo_html_put(o, k.month[r->first], k.monthlen[r->first]);
		kpo_out_puts(o, " to ");
		kpo_html_put(o, k.month[r->last], k.monthlen[r->last]);
		kpo_out_printf(o, ": %zu months in a row %s the centre line %.2f%% (rule 4)</li>", r->last - r->first + 1,
		    r->side > 0 ? "above" : "below", 100 * k.pc.pbar);
	}
	if (!k.pc.beyond && !k.pc.nruns)
		kpo_out_puts(o, "<li>In control: no month beyond the limits, no run of 8 on one side of the centre "
		    "line.</li>");
	kpo_out_puts(o, "</ul>\n");
	kpo_control_free(&k);
}

/* A status's scope and group for people: "vendor Acme", "all items". */
static void
scope_cells(struct kpo_out *o, const struct kpo_status_row *r)
{
	kpo_out_puts(o, "<td class=\"l\">");
	kpo_html_putz(o, kpo_scopes[r->scope].by);
	kpo_out_puts(o, "</td><td class=\"l\">");
	if (r->scope == KPO_SCOPE_ALL)
		kpo_out_puts(o, "all items");
	else
		kpo_html_putz(o, r->group);
	kpo_out_puts(o, "</td>");
}

/* Needs attention: the red then amber statuses, worst first. */
static void
page_attention(struct kpo_out *o, const struct kpo_page *pg, const char *status_link)
{
	struct kpo_status_row *bad;
	size_t i, n = 0;

	if (!pg->status)
		return;
	bad = kpo_xcalloc(pg->status->n + 1, sizeof *bad);
	for (i = 0; i < pg->status->n; i++)
		if (pg->status->r[i].status == KPO_ST_RED || pg->status->r[i].status == KPO_ST_AMBER)
			bad[n++] = pg->status->r[i];
	qsort(bad, n, sizeof *bad, kpo_status_worst_cmp);
	kpo_out_puts(o, "<h2>Needs attention</h2>\n");
	if (n == 0) {
		kpo_out_puts(o, "<p class=\"note\">Every judged metric meets its target or cannot be judged yet.</p>\n");
		free(bad);
		return;
	}
	kpo_out_printf(o, "<p class=\"note\">%zu red and amber statuses against the targets, the furthest from "
	    "its target first.</p>\n<div class=\"scroll\"><table>\n<thead><tr><th>Status</th><th class=\"l\">By</th>"
	    "<th class=\"l\">Group</th><th class=\"l\">Metric</th><th>Value</th><th>Target</th><th>Min</th>"
	    "<th>n</th></tr></thead>\n<tbody>\n", n);
	for (i = 0; i < n && i < ATTENTION_ROWS; i++) {
		const struct kpo_status_row *r = &bad[i];

		kpo_out_printf(o, "<tr><td class=\"st-%s\">%s</td>", kpo_status_words[r->status],
		    kpo_status_words[r->status]);
		scope_cells(o, r);
		kpo_out_printf(o, "<td class=\"l\">%s</td><td>", kpo_metrics[r->metric].name);
		kpo_html_putz(o, r->value);
		kpo_out_puts(o, "</td><td>");
		kpo_html_putz(o, r->target);
		kpo_out_puts(o, "</td><td>");
		kpo_html_putz(o, r->min);
		kpo_out_puts(o, "</td><td>");
		kpo_html_putz(o, r->n);
		kpo_out_puts(o, "</td></tr>\n");
	}
	kpo_out_puts(o, "</tbody>\n</table></div>\n");
	if (n > ATTENTION_ROWS) {
		kpo_out_printf(o, "<p class=\"note\">and %zu more in <a href=\"", n - ATTENTION_ROWS);
		kpo_html_putz(o, status_link);
		kpo_out_puts(o, "\">status.csv</a>.</p>\n");
	}
	free(bad);
}

/* A number cell from text, with thousands separators. */
static void
text_num(struct kpo_out *o, const char *s, int decimals)
{
	char buf[96];
	char *end;
	double v = strtod(s, &end);

	if (*s && !*end) {
		num(buf, sizeof buf, 1, v, decimals);
		kpo_html_putz(o, buf);
	} else {
		kpo_html_putz(o, *s ? s : "\xe2\x80\x93");
	}
}

/* The vendor scorecard: kpo-score's scorecard.csv, status cells coloured. */
static void
page_scorecard(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b)
{
	const struct kpo_text_table *t = pg->scorecard;
	size_t i, k;

	if (!t || t->ncols < 5)
		return;
	kpo_out_puts(o, "<h2>Vendor scorecard</h2>\n<p class=\"note\">Score: 100 &times; the weighted mean of "
	    "each judged metric's share of its target (1 when met); status: the worst of the vendor's.</p>\n"
	    "<div class=\"scroll\"><table>\n<thead><tr><th>Vendor</th><th>Score</th><th>Status</th><th>Items</th>");
	kpo_out_printf(o, "<th>Cost (%s)</th>", b->base);
	for (k = 3; k + 1 < t->ncols - 2; k += 2) {
		kpo_out_puts(o, "<th>");
		kpo_html_putz(o, t->head[k]);
		kpo_out_puts(o, "</th>");
	}
	kpo_out_puts(o, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < t->nrows; i++) {
		char **c = t->row[i];
		int st;

		kpo_out_puts(o, "<tr><td>");
		kpo_html_putz(o, c[0]);
		kpo_out_puts(o, "</td><td>");
		text_num(o, c[t->ncols - 2], 2);
		kpo_out_puts(o, "</td>");
		if ((st = kpo_status_find(c[t->ncols - 1])) >= 0)
			kpo_out_printf(o, "<td class=\"st-%s\">%s</td>", kpo_status_words[st], kpo_status_words[st]);
		else
			kpo_out_puts(o, "<td>no targets</td>");
		kpo_out_puts(o, "<td>");
		text_num(o, c[1], 0);
		kpo_out_puts(o, "</td><td>");
		text_num(o, c[2], 0);
		kpo_out_puts(o, "</td>");
		for (k = 3; k + 1 < t->ncols - 2; k += 2) {
			if ((st = kpo_status_find(c[k + 1])) >= 0)
				kpo_out_printf(o, "<td class=\"st-%s\">", kpo_status_words[st]);
			else
				kpo_out_puts(o, "<td>");
			text_num(o, c[k], strchr(c[k], '.') ? 2 : 0);
			if (st >= 0)
				badge(o, st);
			kpo_out_puts(o, "</td>");
		}
		kpo_out_puts(o, "</tr>\n");
	}
	kpo_out_puts(o, "</tbody>\n</table></div>\n");
}

/* A date-time of a list as "YYYY-MM-DD HH:MM". */
static void
list_time(struct kpo_out *o, const char *s)
{
	char buf[17];

	if (strlen(s) == 20 && s[10] == 'T') {
		snprintf(buf, sizeof buf, "%.10s %.5s", s, s + 11);
		kpo_html_putz(o, buf);
	} else {
		kpo_html_putz(o, s);
	}
}

/* The first open-breached items, a link to all of them; the at-risk count. */
static void
page_breached(struct kpo_out *o, const struct kpo_bundle *b, const char *prefix)
{
	const struct kpo_text_table *t = &b->list[KPO_L_BREACHED], *r = &b->list[KPO_L_AT_RISK];
	size_t i;

	kpo_out_printf(o, "<h2>Open past due</h2>\n<p class=\"note\">%llu open items past their due date at %s",
	    t->total, b->as_of);
	if (t->total > t->nrows)
		kpo_out_printf(o, ", the %zu most overdue below", t->nrows);
	kpo_out_puts(o, "; <a href=\"");
	kpo_html_putz(o, prefix);
	kpo_out_printf(o, "/%s\">the full list</a>.  ", kpo_bundle_lists[KPO_L_BREACHED].file);
	kpo_out_printf(o, "%llu more are <a href=\"", r->total);
	kpo_html_putz(o, prefix);
	kpo_out_printf(o, "/%s\">at risk</a>: not yet due, with 75%% of their window used.</p>\n",
	    kpo_bundle_lists[KPO_L_AT_RISK].file);
	if (!t->nrows)
		return;
	kpo_out_puts(o, "<div class=\"scroll\"><table>\n<thead><tr><th>Task</th><th>Days overdue</th>"
	    "<th class=\"l\">Vendor</th><th class=\"l\">Domain</th><th>Due</th><th>Requested</th>"
	    "<th class=\"l\">Source</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < t->nrows; i++) {
		char **c = t->row[i];

		kpo_out_puts(o, "<tr><td>");
		kpo_html_putz(o, c[KPO_LC_TASK_ID]);
		kpo_out_puts(o, "</td><td>");
		kpo_html_putz(o, c[KPO_LC_DAYS_OVERDUE]);
		kpo_out_puts(o, "</td><td class=\"l\">");
		kpo_html_putz(o, c[KPO_LC_VENDOR]);
		kpo_out_puts(o, "</td><td class=\"l\">");
		kpo_html_putz(o, c[KPO_LC_DOMAIN]);
		kpo_out_puts(o, "</td><td>");
		list_time(o, c[KPO_LC_DUE_AT]);
		kpo_out_puts(o, "</td><td>");
		list_time(o, c[KPO_LC_REQUESTED_AT]);
		kpo_out_puts(o, "</td><td class=\"l\">");
		kpo_html_putz(o, c[KPO_LC_SOURCE]);
		kpo_out_puts(o, "</td></tr>\n");
	}
	kpo_out_puts(o, "</tbody>\n</table></div>\n");
}

/* Each chart: the SVG with the PNG as a fallback, linked to the full size. */
static void
page_charts(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b, const struct kpo_charts *ch)
{
	int png = pg->chart->format[KPO_PNG], svg = pg->chart->format[KPO_SVG];
	const char *ext = svg ? "svg" : "png";
	size_t k;

	kpo_out_puts(o, "<h2>Charts</h2>\n");
	for (k = 0; k < kpo_ncharts; k++) {
		const char *n = kpo_charts[k].name, *cap = kpo_charts[k].caption;
		int w = kpo_charts[k].width, h = ch->height[k];

		kpo_out_printf(o, "<figure><a href=\"%s.%s\">", n, ext);
		if (svg && png)
			kpo_out_printf(o, "<picture><source srcset=\"%s.svg\" type=\"image/svg+xml\">"
			    "<img src=\"%s.png\" alt=\"%s\" width=\"%d\" height=\"%d\"></picture>", n, n, cap, w, h);
		else
			kpo_out_printf(o, "<img src=\"%s.%s\" alt=\"%s\" width=\"%d\" height=\"%d\">", n, ext, cap, w, h);
		kpo_out_printf(o, "</a><figcaption>%s (<a href=\"%s.png\">PNG</a>%s%s%s)</figcaption>",
		    cap, n, svg ? ", <a href=\"" : "", svg ? n : "", svg ? ".svg\">SVG</a>" : "");
		if (kpo_charts[k].control)
			control_flags(o, b, kpo_charts[k].control);
		kpo_out_puts(o, "</figure>\n");
	}
}

/* After a rate, its 95 % interval, marked uncertain when the interval
 * straddles TARGET (>= 0); nothing for a metric without an interval. */
static void
interval_note(struct kpo_out *o, const struct kpo_row *r, int m, double target)
{
	char lo[32], hi[32];
	int l, h;

	if (!kpo_metric_interval(m, &l, &h) || !r->has[l] || !r->has[h])
		return;
	metric(lo, sizeof lo, r, l, 1);
	metric(hi, sizeof hi, r, h, 1);
	kpo_out_printf(o, "<span class=\"ci\" title=\"95%% Wilson interval\">%s\xe2\x80\x93%s", lo, hi);
	if (target >= 0 && kpo_interval_straddles(r->v[l], r->v[h], target))
		kpo_out_printf(o, " <span class=\"unc\" title=\"the interval straddles the target %g%%: the data "
		    "cannot tell on which side the true rate is\">\xe2\x89\x88 uncertain</span>", target);
	kpo_out_puts(o, "</span>");
}

/* A row of the by-domain table: each cell that kpo-score judged (scope
 * SCOPE, group NAME) coloured, with its status word; rates with their
 * intervals. */
static void
table_row(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_row *r, const char *name, size_t namelen,
    enum kpo_scope scope)
{
	static const int cols[] = {
		KPO_M_ITEMS, KPO_M_DELIVERED, KPO_M_OPEN, KPO_M_OVERDUE, KPO_M_AT_RISK, KPO_M_COST, KPO_M_BASELINE,
		KPO_M_SAVINGS, KPO_M_SAVINGS_PCT, KPO_M_TCO, KPO_M_QUALITY_MEAN, KPO_M_ON_TIME_PCT, KPO_M_REWORK_RATE,
		KPO_M_TAT_P50_H, KPO_M_TAT_P90_H, KPO_M_HHI,
	};
	const char *group = scope == KPO_SCOPE_ALL ? kpo_total_key : name;
	size_t glen = scope == KPO_SCOPE_ALL ? strlen(kpo_total_key) : namelen;
	char buf[96];
	size_t i;

	kpo_out_puts(o, "<tr><td>");
	kpo_html_put(o, name, namelen);
	kpo_out_puts(o, "</td>");
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		const struct kpo_status_row *st = pg->status ? kpo_statuses_find(pg->status, scope, group, glen, cols[i]) :
		    NULL;

		/* Money and HHI in whole units, the rest to one decimal: the table fits a laptop. */
		metric(buf, sizeof buf, r, cols[i], kpo_metrics[cols[i]].kind == KPO_MK_MONEY || cols[i] == KPO_M_HHI ? 0 :
		    kpo_metric_decimals(kpo_metrics[cols[i]].kind) ? 1 : 0);
		if (st)
			kpo_out_printf(o, "<td class=\"st-%s\">", kpo_status_words[st->status]);
		else
			kpo_out_puts(o, "<td>");
		kpo_html_putz(o, buf);
		if (st)
			badge(o, st->status);
		interval_note(o, r, cols[i], cols[i] == KPO_M_ON_TIME_PCT ? pg->chart->sla : -1);
		kpo_out_puts(o, "</td>");
	}
	kpo_out_puts(o, "</tr>\n");
}

static void
page_table(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b)
{
	const struct kpo_rows *dom = &b->t[KPO_T_DOMAIN];
	size_t i;

	kpo_out_printf(o,
	    "<h2>By domain</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Domain</th><th>Items</th>"
	    "<th>Deliv&shy;ered</th><th>Open</th><th>Over&shy;due</th><th>At risk</th><th>Cost (%s)</th>"
	    "<th>Baseline (%s)</th><th>Savings (%s)</th><th>Savings %%</th><th>Total cost (%s)</th><th>Quality</th>"
	    "<th title=\"with its 95%% interval; uncertain when the interval straddles the SLA target\">On time %%</th>"
	    "<th title=\"with its 95%% interval\">Rework %%</th>"
	    "<th>TAT p50 (h)</th><th>TAT p90 (h)</th><th title=\"vendor concentration, 0 to 10,000\">HHI</th>"
	    "</tr></thead>\n<tbody>\n",
	    b->base, b->base, b->base, b->base);
	for (i = 0; i < dom->n; i++)
		table_row(o, pg, &dom->rows[i], dom->rows[i].key[0], dom->rows[i].keylen[0], KPO_SCOPE_DOMAIN);
	kpo_out_puts(o, "</tbody>\n<tfoot>\n");
	table_row(o, pg, &dom->all, "All domains", 11, KPO_SCOPE_ALL);
	kpo_out_puts(o, "</tfoot>\n</table></div>\n");
}

/* Links to the bundle files and the rejects file. */
static void
page_files(struct kpo_out *o, const struct kpo_page *pg, const char *prefix, const char *dir_real)
{
	int t;

	kpo_out_puts(o, "<h2>Files</h2>\n<ul class=\"files\">\n");
	for (t = 0; t < KPO_NTABLES; t++)
		file_link(o, prefix, kpo_bundle_tables[t].file, kpo_bundle_tables[t].file);
	for (t = 0; t < KPO_NLISTS; t++)
		file_link(o, prefix, kpo_bundle_lists[t].file, kpo_bundle_lists[t].file);
	file_link(o, prefix, kpo_meta_file, kpo_meta_file);
	if (pg->status_dir) {
		char *s = link_to(dir_real, pg->status_dir);

		for (t = 0; t < KPO_NSTATUS_FILES; t++)
			file_link(o, s, kpo_status_files[t], kpo_status_files[t]);
		free(s);
	}
	if (pg->rejects) {
		char *r = link_to(dir_real, pg->rejects), c[160];
		const char *base = strrchr(pg->rejects, '/');

		snprintf(c, sizeof c, "rejected rows (%s)", base ? base + 1 : pg->rejects);
		file_link(o, r, NULL, c);
		free(r);
	}
	kpo_out_puts(o, "</ul>\n");
}

static void
page_footer(struct kpo_out *o, const struct kpo_bundle *b)
{
	kpo_out_puts(o, "<footer>Made by kpo-chart from a kpo-metrics bundle");
	if (b->version) {
		kpo_out_puts(o, " (version ");
		kpo_html_putz(o, b->version);
		kpo_out_puts(o, ")");
	}
	if (b->rows) {
		kpo_out_puts(o, " of ");
		kpo_html_putz(o, b->rows);
		kpo_out_puts(o, " rows");
	}
	kpo_out_printf(o, ", as of %s.</footer>\n</main>\n</body>\n</html>\n", b->as_of);
}

int
kpo_page_write(const struct kpo_page *pg, const struct kpo_bundle *b, const struct kpo_charts *ch,
    struct kpo_fail *f)
{
	char *path = kpo_xasprintf("%s/index.html", pg->dir), *dir_real = realpath(pg->dir, NULL);
	struct kpo_out *o;
	int rc = 0;

	if (!(o = kpo_out_open(path))) {
		rc = kpo_fail_errno(f, EX_CANTCREAT, "%s", path);
	} else {
		char *prefix = pg->bundle_link ? kpo_xstrdup(pg->bundle_link) : link_to(dir_real, b->dir);
		char *sdir = pg->status_dir ? link_to(dir_real, pg->status_dir) : NULL;
		char *slink = sdir ? kpo_xasprintf("%s/%s", sdir, kpo_status_files[KPO_SF_STATUS]) : NULL;

		page_head(o, b);
		page_skipped(o, pg->skipped);
		page_tiles(o, pg, b);
		page_attention(o, pg, slink);
		page_scorecard(o, pg, b);
		page_breached(o, b, prefix);
		page_charts(o, pg, b, ch);
		page_table(o, pg, b);
		page_files(o, pg, prefix, dir_real);
		page_footer(o, b);
		free(prefix);
		free(sdir);
		free(slink);
		if (kpo_out_commit(o) != 0)
			rc = kpo_fail_errno(f, EX_IOERR, "%s: write error", path);
	}
	free(dir_real);
	free(path);
	return rc;
}

#define SKIPPED_MAX (1 << 20)

int
kpo_page_read_skipped(const char *path, char **text, struct kpo_fail *f)
{
	FILE *fp = fopen(path, "r");
	char *buf, *line, *end;
	size_t len;
	long lineno = 1;

	*text = NULL;
	if (!fp)
		return kpo_fail_errno(f, EX_NOINPUT, "--skipped %s", path);
	buf = kpo_xmalloc(SKIPPED_MAX + 2);
	len = fread(buf, 1, SKIPPED_MAX + 1, fp);
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		return kpo_fail(f, EX_IOERR, "--skipped %s: read error", path);
	}
	fclose(fp);
	if (len > SKIPPED_MAX) {
		free(buf);
		return kpo_fail(f, EX_DATAERR, "--skipped %s: longer than 1 MiB", path);
	}
	if (len && buf[len - 1] != '\n')
		buf[len++] = '\n';
	buf[len] = '\0';
	/* Each line: NAME, STATUS and REASON between two tabs, text only. */
	for (line = buf; line < buf + len; line = end + 1, lineno++) {
		const char *p, *tab1 = NULL, *tab2 = NULL;
		int bad = 0;

		end = memchr(line, '\n', (size_t)(buf + len - line));
		for (p = line; p < end; p++) {
			if (*p == '\t') {
				if (!tab1)
					tab1 = p;
				else if (!tab2)
					tab2 = p;
				else
					bad = 1;
			} else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				bad = 1;
			}
		}
		if (bad || !tab2 || tab1 == line || tab2 == tab1 + 1 || kpo_utf8_invalid_at(line, (size_t)(end - line)) >= 0) {
			free(buf);
			return kpo_fail(f, EX_DATAERR, "--skipped %s:%ld: NAME<tab>STATUS<tab>REASON expected", path, lineno);
		}
	}
	*text = buf;
	return 0;
}

int
kpo_page_count_rows(const char *path, unsigned long long *n, struct kpo_fail *f)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	struct kpo_record *rec;
	int rc = 0;

	*n = 0;
	if (kpo_csv_error(r))
		rc = -1;
	else if (kpo_csv_header(r))
		while ((rc = kpo_csv_next(r, &rec)) == 1)
			(*n)++;
	if (rc < 0)
		kpo_fail(f, kpo_csv_exit_status(kpo_csv_error(r)), "--rejects-link %s", kpo_csv_message(r));
	kpo_csv_close(r);
	return rc;
}
