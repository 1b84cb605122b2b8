/* kpo-metrics: the enriched stream -> metrics per group, as one CSV table or
 * a bundle of gzipped tables.  See kpo-metrics(1); the row logic is in
 * lib/metrics.c. */
#include <errno.h>
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
#include "out.h"
#include "partial.h"
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
		{ "--partial FILE", "write the exact state of the run to FILE, to merge later, instead of tables" },
		{ "--merge", "the FILEs are partials of kpo-metrics: the tables and rejects of one run over their inputs" },
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
	const char *partial;    /* --partial FILE */
	int merge;              /* --merge */
};

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa, struct kpo_metrics_opts *mo,
    struct kpo_metrics_meta *meta, const char **bundle, struct overheads *ov)
{
	enum { O_BY = KPO_OPT_STAGE_END, O_TOTAL, O_BUNDLE, O_ASOF, O_BASE, O_COSTS, O_FX, O_GOVPCT, O_PARTIAL, O_MERGE };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "bundle",         required_argument, NULL, O_BUNDLE },
		{ "by",             required_argument, NULL, O_BY },
		{ "costs",          required_argument, NULL, O_COSTS },
		{ "fx",             required_argument, NULL, O_FX },
		{ "governance-pct", required_argument, NULL, O_GOVPCT },
		{ "merge",          no_argument,       NULL, O_MERGE },
		{ "partial",        required_argument, NULL, O_PARTIAL },
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
		case O_PARTIAL:
			if (!*optarg)
				kpo_errx(EX_USAGE, "--partial: a file name expected");
			ov->partial = optarg;
			break;
		case O_MERGE:
			ov->merge = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (*bundle && (sa->output || mo->by))
		kpo_errx(EX_USAGE, "--bundle writes its own files: no -o or --by with it");
	if (ov->fx && !ov->costs)
		kpo_warnx("--fx prices the --costs table; without one it has no effect");
	if (ov->partial && ov->merge)
		kpo_errx(EX_USAGE, "--partial and --merge: a merge writes the tables, not another partial");
	if (ov->partial && (sa->output || *bundle || sa->rejects))
		kpo_errx(EX_USAGE, "--partial: the tables and the rejects go into the partial: no -o, --bundle or "
		    "--rejects (give them to the merge)");
	/* A partial is of the bundle, unless --by or --total asks for a table. */
	mo->bundle = *bundle != NULL || (ov->partial && !mo->by && !mo->total);
	ov->as_of_day = kpo_day_of(as_of);
	mo->as_of = as_of;
	kpo_date_format(ov->as_of_day, meta->as_of);
	return optind;
}

/* The options the tables depend on: a partial's header, a merge's check. */
static void
metrics_popts(const struct kpo_metrics_opts *mo, const struct kpo_metrics_meta *meta, const struct overheads *ov,
    struct kpo_popts *p)
{
	char v[128];

	snprintf(v, sizeof v, "%lld", (long long)mo->as_of);
	kpo_popts_add(p, "as_of", v);
	kpo_popts_add(p, "base", meta->base);
	snprintf(v, sizeof v, "%s%.100s", mo->bundle ? "bundle" : "by ", mo->bundle ? "" : mo->by ? mo->by : "domain");
	kpo_popts_add(p, "tables", v);
	kpo_popts_add(p, "total", mo->total ? "yes" : "no");
	if (!ov->costs)
		kpo_popts_add(p, "costs", "none");
	else if (kpo_popts_file(p, "costs", ov->costs) != 0)
		kpo_err(EX_NOINPUT, "%s", ov->costs);
	if (ov->has_gov_pct)
		snprintf(v, sizeof v, "%lld/10^%d", (long long)ov->gov_pct.m, ov->gov_pct.scale);
	kpo_popts_add(p, "governance_pct", ov->has_gov_pct ? v : "none");
	if (!ov->costs || !ov->fx)
		kpo_popts_add(p, "fx", "none");
	else if (kpo_popts_file(p, "fx", ov->fx) != 0)
		kpo_err(EX_NOINPUT, "%s", ov->fx);
}

static const char *const every_option[] = { "as_of", "base", "tables", "total", "costs", "governance_pct", "fx", NULL };

/* --partial: the stage's counts and rejects, and the leaves.  0, or the
 * exit status after saying why. */
static int
write_partial(const char *path, struct kpo_stage *st, struct kpo_metrics *m, const struct kpo_popts *opts,
    int argc, char **argv)
{
	struct kpo_out *o = kpo_out_open_gz(path);
	struct kpo_pstage ps = { "kpo-metrics", st, { 0, 0, 0 } };
	struct kpo_partial_head h = { "kpo-metrics", 0, 1, argc, argv, opts };
	char *stdin_name[1] = { (char *)"-" };

	if (!o) {
		kpo_warn("%s", path);
		return EX_CANTCREAT;
	}
	if (argc == 0) {
		h.ninputs = 1;
		h.inputs = stdin_name;
	}
	kpo_partial_begin(o, &h, &ps, 1);
	kpo_metrics_save(m, o);
	kpo_partial_end(o);
	if (kpo_out_failed(o)) {
		errno = kpo_out_errno(o);
		kpo_warn("%s: write error", path);
		kpo_out_abort(o);
		return EX_IOERR;
	}
	if (kpo_out_commit(o) != 0) {
		kpo_warn("%s: write error", path);
		return EX_IOERR;
	}
	return 0;
}

/* --merge: every partial's counts, rejects and leaves into ST and M.  0, or
 * the exit status after saying why. */
static int
merge_partials(struct kpo_stage *st, struct kpo_metrics *m, const struct kpo_popts *opts, int argc, char **argv)
{
	struct kpo_pstage ps = { "kpo-metrics", st, { 0, 0, 0 } };
	struct kpo_merge *mg;
	int status = kpo_merge_open(&mg, "kpo-metrics", opts, every_option, argc, argv);

	if (status == 0)
		status = kpo_metrics_merge_partials(m, mg, &ps, 1);
	kpo_merge_free(mg);
	return status;
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
	struct kpo_popts popts = { 0 };
	char extra[512] = "";
	int i, status;

	kpo_stage_init(argv[0]);
	i = parse_args(argc, argv, &st, &sa, &mo, &meta, &bundle, &ov);
	argc -= i;
	argv += i;

	metrics_popts(&mo, &meta, &ov, &popts);
	if (ov.costs && !ov.partial)
		fx = kpo_fx_load(ov.fx, meta.base);     /* a reference table, before any output exists */
	x.m = kpo_metrics_new(&mo);
	if (!ov.partial && (status = kpo_metrics_open(x.m, sa.output, bundle)) != 0) {
		kpo_metrics_free(x.m);
		return status;
	}
	kpo_stage_start(&st, &sa, "metrics", ov.merge ? 0 : argc, argv);
	if (ov.partial) {       /* the rejects go into the partial; the merge judges the whole */
		kpo_rejects_discard(st.rejects);
		st.rejects = kpo_rejects_defer();
		st.max_reject_pct = 100.0;
		st.need_rows = 0;
	}
	/* A partial's rows carry the costs' mark; the merge reads the costs. */
	if (ov.costs && !ov.partial)
		kpo_costs_load(&costs, ov.costs, fx, ov.as_of_day, st.rejects);
	kpo_metrics_overheads(x.m, ov.costs ? &costs : NULL, ov.has_gov_pct ? &ov.gov_pct : NULL);

	kpo_stage_caps(&sa, &csv);
	if (ov.merge)
		status = merge_partials(&st, x.m, &popts, argc, argv);
	else
		status = kpo_stage_run(&st, &kpo_metrics_stage_ops, &x, &csv, argc, argv);
	if (ov.partial) {
		int wrote = status == 0 && !x.full ? write_partial(ov.partial, &st, x.m, &popts, argc, argv) : 0;

		status = kpo_status_merge(kpo_stage_finish(&st, status, NULL), wrote);
		kpo_popts_free(&popts);
		kpo_metrics_free(x.m);
		return kpo_close_stdout(status);
	}
	kpo_popts_free(&popts);
	if (ov.merge && status != 0) {
		kpo_rejects_discard(st.rejects);
		st.rejects = NULL;
		status = kpo_metrics_finish(x.m, status, &meta);
		kpo_metrics_free(x.m);
		kpo_costs_free(&costs);
		kpo_fx_free(fx);
		return kpo_close_stdout(status);
	}
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
