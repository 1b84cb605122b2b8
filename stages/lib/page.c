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

static void
page_head(struct kpo_out *o, const struct kpo_bundle *b)
{
	kpo_out_printf(o,
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>KPO engagement report, as of %s</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n"
	    "<h1>KPO engagement report</h1>\n<p class=\"sub\">As of %s; amounts in %s; TAT: turnaround "
	    "in hours.  Tap a chart for the full-size image.</p>\n",
	    b->as_of, css, b->as_of, b->base);
}

/* Key figures: the totals row of by-domain. */
static void
page_tiles(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b)
{
	const struct kpo_row *all = &b->t[KPO_T_DOMAIN].all;
	char a[64], v[64], c[160];

	kpo_out_puts(o, "<section class=\"tiles\" aria-label=\"Key figures\">\n");
	metric(a, sizeof a, all, KPO_M_ITEMS, 0);
	metric(v, sizeof v, all, KPO_M_OPEN, 0);
	snprintf(c, sizeof c, "%.60s open", v);
	tile(o, "Items", a, c);
	metric(a, sizeof a, all, KPO_M_DELIVERED, 0);
	metric(v, sizeof v, all, KPO_M_OVERDUE, 0);
	snprintf(c, sizeof c, "%.60s overdue", v);
	tile(o, "Delivered", a, c);
	metric(a, sizeof a, all, KPO_M_SAVINGS, 0);
	metric(v, sizeof v, all, KPO_M_SAVINGS_PCT, 1);
	if (all->has[KPO_M_SAVINGS_PCT])
		snprintf(c, sizeof c, "%s, %.60s%% of baseline", b->base, v);
	else
		snprintf(c, sizeof c, "%s, no baseline", b->base);
	tile(o, "Savings", a, c);
	metric(a, sizeof a, all, KPO_M_ON_TIME_PCT, 1);
	snprintf(v, sizeof v, "%.60s%s", a, all->has[KPO_M_ON_TIME_PCT] ? "%" : "");
	snprintf(c, sizeof c, "SLA target %g%%", pg->chart->sla);
	tile(o, "On time", v, c);
	metric(a, sizeof a, all, KPO_M_QUALITY_MEAN, 1);
	metric(v, sizeof v, all, KPO_M_QUALITY_N, 0);
	snprintf(c, sizeof c, "mean of %.60s scored items", v);
	tile(o, "Quality", a, c);
	if (pg->rejects) {
		num(a, sizeof a, 1, (double)pg->nrejects, 0);
		tile(o, "Rejects", a, "rows dropped by the pipeline");
	}
	kpo_out_puts(o, "</section>\n");
}

/* Each chart: the SVG with the PNG as a fallback, linked to the full size. */
static void
page_charts(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_charts *ch)
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
		kpo_out_printf(o, "</a><figcaption>%s (<a href=\"%s.png\">PNG</a>%s%s%s)</figcaption></figure>\n",
		    cap, n, svg ? ", <a href=\"" : "", svg ? n : "", svg ? ".svg\">SVG</a>" : "");
	}
}

static void
table_row(struct kpo_out *o, const struct kpo_row *r, const char *name, size_t namelen)
{
	static const int cols[] = {
		KPO_M_ITEMS, KPO_M_DELIVERED, KPO_M_OPEN, KPO_M_OVERDUE, KPO_M_COST, KPO_M_BASELINE,
		KPO_M_SAVINGS, KPO_M_SAVINGS_PCT, KPO_M_QUALITY_MEAN, KPO_M_ON_TIME_PCT, KPO_M_TAT_P50_H,
		KPO_M_TAT_P90_H,
	};
	char buf[96];
	size_t i;

	kpo_out_puts(o, "<tr><td>");
	kpo_html_put(o, name, namelen);
	kpo_out_puts(o, "</td>");
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		metric(buf, sizeof buf, r, cols[i], kpo_metric_decimals(kpo_metrics[cols[i]].kind));
		kpo_out_puts(o, "<td>");
		kpo_html_putz(o, buf);
		kpo_out_puts(o, "</td>");
	}
	kpo_out_puts(o, "</tr>\n");
}

static void
page_table(struct kpo_out *o, const struct kpo_bundle *b)
{
	const struct kpo_rows *dom = &b->t[KPO_T_DOMAIN];
	size_t i;

	kpo_out_printf(o,
	    "<h2>By domain</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Domain</th><th>Items</th>"
	    "<th>Deliv&shy;ered</th><th>Open</th><th>Over&shy;due</th><th>Cost (%s)</th><th>Baseline (%s)</th>"
	    "<th>Savings (%s)</th><th>Savings %%</th><th>Quality</th><th>On time %%</th>"
	    "<th>TAT p50 (h)</th><th>TAT p90 (h)</th></tr></thead>\n<tbody>\n",
	    b->base, b->base, b->base);
	for (i = 0; i < dom->n; i++)
		table_row(o, &dom->rows[i], dom->rows[i].key[0], dom->rows[i].keylen[0]);
	kpo_out_puts(o, "</tbody>\n<tfoot>\n");
	table_row(o, &dom->all, "All domains", 11);
	kpo_out_puts(o, "</tfoot>\n</table></div>\n");
}

/* Links to the bundle files and the rejects file. */
static void
page_files(struct kpo_out *o, const struct kpo_page *pg, const struct kpo_bundle *b, const char *dir_real)
{
	char *prefix = pg->bundle_link ? kpo_xstrdup(pg->bundle_link) : link_to(dir_real, b->dir);
	int t;

	kpo_out_puts(o, "<h2>Files</h2>\n<ul class=\"files\">\n");
	for (t = 0; t < KPO_NTABLES; t++)
		file_link(o, prefix, kpo_bundle_tables[t].file, kpo_bundle_tables[t].file);
	file_link(o, prefix, kpo_meta_file, kpo_meta_file);
	if (pg->rejects) {
		char *r = link_to(dir_real, pg->rejects), c[160];
		const char *base = strrchr(pg->rejects, '/');

		snprintf(c, sizeof c, "rejected rows (%s)", base ? base + 1 : pg->rejects);
		file_link(o, r, NULL, c);
		free(r);
	}
	kpo_out_puts(o, "</ul>\n");
	free(prefix);
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
		page_head(o, b);
		page_tiles(o, pg, b);
		page_charts(o, pg, ch);
		page_table(o, b);
		page_files(o, pg, b, dir_real);
		page_footer(o, b);
		if (kpo_out_commit(o) != 0)
			rc = kpo_fail_errno(f, EX_IOERR, "%s: write error", path);
	}
	free(dir_real);
	free(path);
	return rc;
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
