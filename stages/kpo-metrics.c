/* kpo-metrics: the enriched stream -> metrics per group, as one CSV table or
 * a bundle of gzipped tables.  See kpo-metrics(1); the row logic is in
 * lib/metrics.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "args.h"
#include "costs.h"
#include "csvread.h"
#include "date.h"
#include "err.h"
#include "fx.h"
#include "metrics.h"
#include "report.h"

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "--by KEYS", "group by these stream columns, comma-separated (default domain)" },
		{ "--total", "end the table with an ALL row" },
		{ "--bundle DIR", "write the bundle's tables and meta.csv into DIR instead (no -o, --by)" },
		{ "--as-of DATE", "the instant open work is judged at, in meta.csv (default now, UTC)" },
		{ "--base CUR", "the base currency (default USD)" },
		{ "--costs FILE", "governance, transition and other costs: date,vendor,domain,kind,amount,currency" },
		{ "--governance-pct P", "governance as P % of vendor cost, where no governance row says" },
		{ "--fx FILE", "exchange rates for the costs table" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... [FILE]...",
	    "Reads the enriched kpo stream and writes exact metrics per group: items, cost, savings,\n"
	    "quality, on-time rate, turnaround quantiles, intervals, total cost, open items at --as-of.", options, 1);
}

/* The overheads: --costs, --fx, --governance-pct. */
struct overheads {
	const char *costs, *fx;
	struct kpo_dec gov_pct;
	int has_gov_pct;
	int64_t as_of_day;
};

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa, struct kpo_metrics_opts *mo,
    struct kpo_metrics_meta *meta, const char **bundle, struct overheads *ov)
{
	enum { O_BY = KPO_OPT_STAGE_END, O_TOTAL, O_BUNDLE, O_ASOF, O_BASE, O_COSTS, O_FX, O_GOVPCT };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "bundle",         required_argument, NULL, O_BUNDLE },
		{ "by",             required_argument, NULL, O_BY },
		{ "costs",          required_argument, NULL, O_COSTS },
		{ "fx",             required_argument, NULL, O_FX },
		{ "governance-pct", required_argument, NULL, O_GOVPCT },
		{ "total",          no_argument,       NULL, O_TOTAL },
		{ NULL, 0, NULL, 0 }
	};
	int64_t as_of = kpo_today();
	int ch;

	while ((ch = getopt_long(argc, argv, KPO_STAGE_SHORTOPTS, longopts, NULL)) != -1) {
		if (kpo_stage_option(st, sa, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_ASOF:
			as_of = kpo_as_of_arg("--as-of", optarg);
			break;
		case O_BASE:
			kpo_base_arg("--base", optarg, meta->base);
			break;
		case O_BUNDLE:
			if (!*optarg)
				kpo_errx(EX_USAGE, "--bundle: a folder name expected");
			*bundle = optarg;
			break;
		case O_BY:
			mo->by = optarg;
			break;
		case O_COSTS:
			ov->costs = optarg;
			break;
		case O_FX:
			ov->fx = optarg;
			break;
		case O_GOVPCT:
			ov->gov_pct = kpo_pct_dec_arg("--governance-pct", optarg);
			ov->has_gov_pct = 1;
			break;
		case O_TOTAL:
			mo->total = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (*bundle && (sa->output || mo->by))
		kpo_errx(EX_USAGE, "--bundle writes its own files: no -o or --by with it");
	if (ov->fx && !ov->costs)
		kpo_warnx("--fx prices the --costs table; without one it has no effect");
	mo->bundle = *bundle != NULL;
	ov->as_of_day = kpo_day_of(as_of);
	mo->as_of = as_of;
	kpo_date_format(ov->as_of_day, meta->as_of);
	return optind;
}

int
main(int argc, char **argv)
{
	struct kpo_metrics_opts mo = { 0 };
	struct kpo_metrics_meta meta = { "", "USD", 0 };
	struct kpo_stage st = { .max_reject_pct = 5.0, .written_word = "used", .need_rows = 1 };
	struct kpo_stage_args sa = { .progress = -1 };
	const char *bundle = NULL;
	struct kpo_metrics_stage x = { NULL, &st, 0 };
	struct kpo_csv_opts csv = { 0 };
	struct overheads ov = { 0 };
	struct kpo_costs costs = { 0 };
	struct kpo_fx *fx = NULL;
	char extra[512] = "";
	int i, status;

	kpo_stage_init(argv[0]);
	i = parse_args(argc, argv, &st, &sa, &mo, &meta, &bundle, &ov);
	argc -= i;
	argv += i;

	if (ov.costs)
		fx = kpo_fx_load(ov.fx, meta.base);     /* a reference table, before any output exists */
	x.m = kpo_metrics_new(&mo);
	if ((status = kpo_metrics_open(x.m, sa.output, bundle)) != 0) {
		kpo_metrics_free(x.m);
		return status;
	}
	kpo_stage_start(&st, &sa, "metrics", argc, argv);
	if (ov.costs)
		kpo_costs_load(&costs, ov.costs, fx, ov.as_of_day, st.rejects);
	kpo_metrics_overheads(x.m, ov.costs ? &costs : NULL, ov.has_gov_pct ? &ov.gov_pct : NULL);

	kpo_stage_caps(&sa, &csv);
	status = kpo_stage_run(&st, &kpo_metrics_stage_ops, &x, &csv, argc, argv);
	if (ov.costs)
		status = kpo_metrics_stage_costs(&st, &costs, status, extra, sizeof extra);
	status = kpo_stage_finish(&st, status, extra[0] ? extra : NULL);
	meta.rows = st.read;
	status = kpo_metrics_finish(x.m, status, &meta);        /* the tables only from a run that succeeded */
	kpo_metrics_free(x.m);
	kpo_costs_free(&costs);
	kpo_fx_free(fx);
	return kpo_close_stdout(status);
}
