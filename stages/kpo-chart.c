/* kpo-chart: a kpo-metrics bundle -> gnuplot charts (PNG, SVG) and index.html.
 * See kpo-chart(1).
 *
 * The bundle is read whole first (bundle.h), so bad data writes nothing; the
 * charts are a table (chart.h) whose data files and script go into
 * DIR/gnuplot; one gnuplot process draws them all (render.h); the page is
 * page.h.  Nothing read from the bundle enters the gnuplot script. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "args.h"
#include "bundle.h"
#include "chart.h"
#include "err.h"
#include "fail.h"
#include "fs.h"
#include "gnuplot.h"
#include "page.h"
#include "render.h"
#include "report.h"
#include "status.h"
#include "texttable.h"

struct options {
	const char *dir;
	const char *bundle_link;
	const char *rejects;
	const char *status;     /* kpo-score's folder */
	const char *skipped;    /* the nightly's skipped.txt */
	double timeout;
	int quiet;
	struct kpo_chart_opts chart;
};

enum { O_FORMAT = 256, O_SLA, O_TOP, O_TIMEOUT, O_NORENDER, O_REJECTS, O_BUNDLELINK, O_STATUS, O_SKIPPED, O_VERSION };

static const struct option longopts[] = {
	{ "bundle-link",  required_argument, NULL, O_BUNDLELINK },
	{ "format",       required_argument, NULL, O_FORMAT },
	{ "help",         no_argument,       NULL, 'h' },
	{ "no-render",    no_argument,       NULL, O_NORENDER },
	{ "output",       required_argument, NULL, 'o' },
	{ "quiet",        no_argument,       NULL, 'q' },
	{ "rejects-link", required_argument, NULL, O_REJECTS },
	{ "skipped",      required_argument, NULL, O_SKIPPED },
	{ "sla-target",   required_argument, NULL, O_SLA },
	{ "status",       required_argument, NULL, O_STATUS },
	{ "timeout",      required_argument, NULL, O_TIMEOUT },
	{ "top",          required_argument, NULL, O_TOP },
	{ "version",      no_argument,       NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "-o, --output DIR", "write the charts, gnuplot/ and index.html into DIR (default .)" },
		{ "--format png,svg", "the image formats (default both)" },
		{ "--sla-target PCT", "the on-time target drawn on the on-time chart (default 95)" },
		{ "--top N", "draw the N largest groups by items, fold the rest into other (default 12)" },
		{ "--timeout SECONDS", "give gnuplot this long (default 30)" },
		{ "--no-render", "write the gnuplot scripts and data only" },
		{ "--rejects-link FILE", "count FILE's rejected rows on the page and link to it" },
		{ "--bundle-link PREFIX", "link the bundle files as PREFIX/NAME" },
		{ "--status DIR", "colour the page by kpo-score's statuses in DIR, with its scorecard" },
		{ "--skipped FILE", "name the exports the nightly left out (NAME<tab>STATUS<tab>REASON lines)" },
		{ "-q, --quiet", "no summary line" },
		{ "-h, --help", "this help" },
		{ "--version", "the version" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... BUNDLE_DIR",
	    "Draws the charts of a kpo-metrics --bundle with gnuplot (PNG and SVG) and writes DIR/index.html.",
	    options, 0);
}

/* --format png, svg or png,svg */
static void
parse_formats(char *list, struct kpo_chart_opts *c)
{
	char *f;
	int k;

	c->format[KPO_PNG] = c->format[KPO_SVG] = 0;
	for (f = strtok(list, ","); f; f = strtok(NULL, ",")) {
		for (k = 0; k < KPO_NFORMATS && strcmp(f, kpo_chart_ext[k]) != 0; k++)
			;
		if (k == KPO_NFORMATS)
			kpo_errx(EX_USAGE, "--format: 'png', 'svg' or 'png,svg' expected: '%s'", f);
		c->format[k] = 1;
	}
	if (!c->format[KPO_PNG] && !c->format[KPO_SVG])
		kpo_errx(EX_USAGE, "--format: 'png', 'svg' or 'png,svg' expected");
}

/* The options into OPT; returns the bundle folder. */
static const char *
parse_options(int argc, char **argv, struct options *opt)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'o':
			opt->dir = optarg;
			break;
		case 'q':
			opt->quiet = 1;
			break;
		case O_BUNDLELINK:
			opt->bundle_link = optarg;
			break;
		case O_FORMAT:
			parse_formats(optarg, &opt->chart);
			break;
		case O_NORENDER:
			opt->chart.no_render = 1;
			break;
		case O_REJECTS:
			opt->rejects = optarg;
			break;
		case O_STATUS:
			opt->status = optarg;
			break;
		case O_SKIPPED:
			opt->skipped = optarg;
			break;
		case O_SLA:
			opt->chart.sla = kpo_number_arg("--sla-target", optarg, 0, 100);
			break;
		case O_TIMEOUT:
			opt->timeout = kpo_number_arg("--timeout", optarg, 0.001, 86400);
			break;
		case O_TOP:
			opt->chart.top = (long)kpo_number_arg("--top", optarg, 1, 1000);
			if (opt->chart.top != strtod(optarg, NULL))
				kpo_errx(EX_USAGE, "--top: a whole number expected: '%s'", optarg);
			break;
		case O_VERSION:
			printf("kpo-chart %s\n", KPO_VERSION);
			exit(kpo_close_stdout(0));
		default:
			usage(EX_USAGE);
		}
	}
	if (argc - optind != 1)
		usage(EX_USAGE);
	return argv[optind];
}

/* kpo-score's status.csv and scorecard.csv in DIR. */
static int
read_status(const char *dir, struct kpo_statuses *st, struct kpo_text_table *sc, struct kpo_fail *f)
{
	char *path = kpo_xasprintf("%s/%s", dir, kpo_status_files[KPO_SF_STATUS]);
	int rc = kpo_statuses_read(st, path, f);

	free(path);
	if (rc != 0)
		return -1;
	path = kpo_xasprintf("%s/%s", dir, kpo_status_files[KPO_SF_SCORECARD]);
	rc = kpo_text_table_read(sc, path, NULL, 0, (size_t)-1, "kpo-score", f);
	free(path);
	if (rc != 0)
		kpo_statuses_free(st);
	return rc;
}

/* mkdir -p DIR and its gnuplot folder GPDIR. */
static int
make_dirs(const char *dir, const char *gpdir, struct kpo_fail *f)
{
	if (kpo_mkdirs(dir) != 0)
		return kpo_fail_errno(f, EX_CANTCREAT, "%s", dir);
	if (kpo_mkdirs(gpdir) != 0)
		return kpo_fail_errno(f, EX_CANTCREAT, "%s", gpdir);
	return 0;
}

static void
summary(const struct options *opt, const char *gpdir, double seconds)
{
	int png = opt->chart.format[KPO_PNG], svg = opt->chart.format[KPO_SVG];

	if (opt->chart.no_render)
		kpo_warnx("%zu chart scripts and data written to %s (not rendered)", kpo_ncharts, gpdir);
	else
		kpo_warnx("%zu charts (%s%s%s) and index.html written to %s; gnuplot took %.2f s",
		    kpo_ncharts, png ? "png" : "", png && svg ? ", " : "", svg ? "svg" : "", opt->dir, seconds);
}

int
main(int argc, char **argv)
{
	struct options opt = { .dir = ".", .timeout = 30.0,
	    .chart = { .top = 12, .sla = 95.0, .format = { 1, 1 } } };
	struct kpo_fail f = { 0, NULL };
	struct kpo_bundle b;
	struct kpo_charts ch = { NULL };
	struct kpo_statuses st = { NULL, 0, NULL };
	struct kpo_text_table sc;
	struct kpo_page pg;
	const char *bundle;
	char *gnuplot = NULL, *gpdir;
	double seconds = 0;
	int status = 0;

	kpo_stage_init(argv[0]);
	bundle = parse_options(argc, argv, &opt);
	pg = (struct kpo_page){ opt.dir, opt.bundle_link, opt.rejects, 0, &opt.chart, NULL, NULL, NULL, NULL };
	memset(&sc, 0, sizeof sc);

	/* Read the whole bundle (and the statuses) first: bad data writes nothing. */
	if (kpo_bundle_read(&b, bundle, &kpo_chart_need, &f) != 0 ||
	    (opt.rejects && kpo_page_count_rows(opt.rejects, &pg.nrejects, &f) != 0) ||
	    (opt.skipped && kpo_page_read_skipped(opt.skipped, &pg.skipped, &f) != 0))
		kpo_errx(f.status, "%s", f.msg);
	if (opt.status) {
		if (read_status(opt.status, &st, &sc, &f) != 0)
			kpo_errx(f.status, "--status %s", f.msg);
		opt.chart.status = &st;
		pg.status_dir = opt.status;
		pg.status = &st;
		pg.scorecard = &sc;
	}
	/* Without gnuplot nothing is written. */
	if (!opt.chart.no_render && !(gnuplot = kpo_gp_find("gnuplot")))
		kpo_errx(EX_UNAVAILABLE, "gnuplot not found in PATH; install it (Debian: gnuplot-nox), "
		    "or use --no-render to write the scripts only");

	/* From here on a failure leaves what was written, says why, and ends. */
	gpdir = kpo_xasprintf("%s/gnuplot", opt.dir);
	if (make_dirs(opt.dir, gpdir, &f) != 0 || kpo_charts_write(&ch, &b, &opt.chart, gpdir, &f) != 0)
		status = f.status;
	else if (!opt.chart.no_render &&
	    (kpo_render(gnuplot, opt.dir, gpdir, &opt.chart, opt.timeout, &seconds, &f) != 0 ||
	    kpo_page_write(&pg, &b, &ch, &f) != 0))
		status = f.status;
	if (status != 0)
		kpo_warnx("%s", f.msg);
	else if (!opt.quiet)
		summary(&opt, gpdir, seconds);
	kpo_fail_clear(&f);
	kpo_charts_free(&ch);
	kpo_statuses_free(&st);
	kpo_text_table_free(&sc);
	kpo_bundle_free(&b);
	free(pg.skipped);
	free(gnuplot);
	free(gpdir);
	return kpo_close_stdout(status);
}
