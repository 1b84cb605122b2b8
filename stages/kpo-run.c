/* kpo-run: kpo-ingest | kpo-enrich | kpo-metrics in one process, with the
 * three stages' options; with --ingested, kpo-enrich | kpo-metrics on
 * streams kpo-ingest wrote.  See kpo-run(1).
 *
 * Each stage runs on a thread of its own, with the same part in
 * kpo_stage_run as the stage's own program (ingest.h, enrich.h, metrics.h),
 * and the streams go between them through pipes read by the same reader:
 * so the table, the bundle, each stage's rejects, summary line and exit
 * status are those of the piped chain, byte for byte, by construction.
 * What is set up before any row is read (options, reference tables, the
 * outputs, the rejects files) is set up here, in the stages' order, before
 * the threads start. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "args.h"
#include "calendar.h"
#include "costs.h"
#include "csvread.h"
#include "date.h"
#include "enrich.h"
#include "err.h"
#include "fx.h"
#include "ingest.h"
#include "jobs.h"
#include "metrics.h"
#include "money.h"
#include "out.h"
#include "partial.h"
#include "report.h"

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "--profile NAME|none", "ingest: the export's format: jira, toggl, clockify, harvest (default: recognised)" },
		{ "--map FILE", "ingest: header aliases of your own: column,alias lines" },
		{ "--set COLUMN=VALUE", "ingest: a value for a column the export lacks or leaves empty; repeatable" },
		{ "--domains FILE", "ingest: other names of domains: alias,domain lines" },
		{ "--vendors FILE", "ingest: other names of vendors: alias,vendor lines" },
		{ "--keep COL,...", "ingest: also write these export columns, raw" },
		{ "--dedupe", "ingest: reject a task_id seen before (--ingested: kpo-enrich, over all the FILEs)" },
		{ "--skip N", "ingest: the header is line N+1; skip the lines before it" },
		{ "--no-header", "ingest: the file has no header; name its columns with --columns" },
		{ "--columns COL,...", "ingest: the columns of a file without a header, in order" },
		{ "-d, --delimiter C", "ingest: the delimiter ('tab' for TAB), instead of detecting it" },
		{ "--encoding ENC", "ingest: the input's encoding, such as cp1251 (default UTF-8)" },
		{ "--decimal .|,", "ingest: the decimal separator (default ',' after ';', else '.')" },
		{ "--hours-unit h|min|s", "ingest: the unit of plain numbers in the hours column (default h)" },
		{ "--tz ZONE", "ingest, enrich: the zone of times written without one, and of business hours" },
		{ "--date-order dmy|mdy", "ingest: how to read numeric dates such as 03/04/2026" },
		{ "--date-format FORMAT", "ingest: a strptime(3) format tried first" },
		{ "--base CUR", "enrich, metrics: the base currency (default USD)" },
		{ "--fx FILE", "enrich, metrics: exchange rates: currency,rate or date,currency,rate" },
		{ "--rates FILE", "enrich: in-house hourly rates: domain,rate[,region][,currency]" },
		{ "--vendor-rates FILE", "enrich: vendors' hourly rates, for rows without a cost: vendor,rate,currency" },
		{ "--as-of DATE", "enrich, metrics: the date open work is judged at (default today, UTC)" },
		{ "--calendar FILE", "enrich: holidays (a column date): turnaround in business hours" },
		{ "--work-hours HH:MM-HH:MM", "enrich: the working day, for business hours (default 09:00-18:00)" },
		{ "--work-days DAYS", "enrich: the working days, for business hours (default Mon-Fri)" },
		{ "--by KEYS", "metrics: group by these stream columns, comma-separated (default domain)" },
		{ "--total", "metrics: end the table with an ALL row" },
		{ "--bundle DIR", "metrics: write the bundle's tables and meta.csv into DIR instead (no -o, --by)" },
		{ "--costs FILE", "metrics: governance, transition and other costs: date,vendor,domain,kind,amount,currency" },
		{ "--governance-pct P", "metrics: governance as P % of vendor cost, where no governance row says" },
		{ "-o, --output FILE", "metrics: write the table to FILE (atomically; .gz: gzip) instead of standard output" },
		{ "--ingest-rejects FILE", "write the rows kpo-ingest rejects there (source,stage,reason,record)" },
		{ "--enrich-rejects FILE", "... the rows kpo-enrich rejects" },
		{ "--metrics-rejects FILE", "... the rows (and --costs rows) kpo-metrics rejects" },
		{ "--jobs N", "read the inputs in N jobs, large files in parts (default: the number of cores)" },
		{ "--max-reject-pct P", "each stage: exit 65 when more than P % of its rows are rejected (default 5)" },
		{ "--max-fields N", "each stage: reject a record of more than N fields (default 131072)" },
		{ "--max-field-bytes N", "each stage: reject a field of more than N bytes (default 1M)" },
		{ "--max-record-bytes N", "each stage: reject a record of more than N bytes (default 8M)" },
		{ "--ingested", "the FILEs are kpo-ingest's output: run kpo-enrich FILE... | kpo-metrics (no ingest option)" },
		{ "--partial FILE", "with --ingested: write the exact state of the run to FILE, to merge, instead of tables" },
		{ "--shard K/N", "with --partial: only the rows of shard K of N (by a hash of task_id)" },
		{ "--merge", "the FILEs are partials (every shard of the same inputs): the tables, rejects and lines of one run" },
		{ "--progress, --no-progress", "the first stage: a progress line on standard error (default: on a terminal, for files)" },
		{ "-q, --quiet", "each stage: no progress line, no summary line" },
		{ "-h, --help", "this help" },
		{ "--version", "the version" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... [FILE]...",
	    "Runs kpo-ingest FILE... | kpo-enrich | kpo-metrics in one process, with the options of the three:\n"
	    "the same table or bundle, rejects, summary lines and exit status.  With --ingested, runs\n"
	    "kpo-enrich FILE... | kpo-metrics.", options, 0);
}

/* One stage of the chain: what its program's main() would hold. */
struct stage {
	const char *progname;   /* what its messages begin with: "kpo-ingest" */
	struct kpo_stage st;
	struct kpo_stage_args sa;
	struct kpo_csv_opts csv;
	const char *rejects;    /* --ingest-rejects, ... */
	int in_fd;              /* the pipe it reads as "-"; -1: the operands */
	int argc;               /* its operands, when it reads them (0: "-") */
	char **argv;
	int status;
};

/* The whole run. */
struct run {
	struct stage ingest, enrich, metrics;
	struct kpo_ingest_opts io;
	struct kpo_enrich_opts eo;
	struct kpo_metrics_opts mo;
	struct kpo_metrics_meta meta;
	const char *bundle;
	const char *costs_path, *fx;
	struct kpo_dec gov_pct;
	int has_gov_pct;
	int64_t as_of_day;
	struct kpo_ingest_stage ix;
	struct kpo_enrich_stage ex;
	struct kpo_metrics_stage mx;
	struct kpo_costs costs;
	struct kpo_fx *metrics_fx;
	int jobs;               /* --jobs */
	int ingested;           /* --ingested: no ingest stage, kpo-enrich reads the operands */
	const char *partial;    /* --partial FILE */
	struct kpo_out *pout;
	unsigned shard, nshards;        /* --shard K/N, 0-based */
	int merge;              /* --merge: the operands are partials */
	char ingest_option[32];         /* the first kpo-ingest option given, as spelled */
	int argc;
	char **argv;
};

enum {
	O_TZ = KPO_OPT_INGEST_END,
	O_BASE, O_FX, O_RATES, O_CALENDAR, O_WORKHOURS, O_WORKDAYS, O_ASOF, O_VENDORRATES,
	O_BY, O_TOTAL, O_BUNDLE, O_COSTS, O_GOVPCT,
	O_INGEST_REJECTS, O_ENRICH_REJECTS, O_METRICS_REJECTS, O_JOBS, O_INGESTED, O_PARTIAL, O_SHARD, O_MERGE
};

/* An option only kpo-ingest has a use for: with --ingested, a mistake. */
static int
ingest_only(int ch)
{
	return ch == 'd' || (ch >= KPO_OPT_MAP && ch < KPO_OPT_INGEST_END && ch != KPO_OPT_DEDUPE) ||
	    ch == O_INGEST_REJECTS;
}

/* Option CH into NAME as the command line spelled it: LONGOPTS[LONGINDEX]
 * in full, or -CH. */
static void
spelled(char *name, size_t size, const struct option *longopts, int longindex, int ch)
{
	if (longindex >= 0)
		snprintf(name, size, "--%s", longopts[longindex].name);
	else
		snprintf(name, size, "-%c", ch);
}

/* An option of kpo-enrich or kpo-metrics, or of both: 1 when CH is one. */
static int
enrich_metrics_option(struct run *x, int ch, const char *arg)
{
	struct kpo_enrich_opts *eo = &x->eo;

	switch (ch) {
	case O_ASOF:
		eo->as_of = x->mo.as_of = kpo_as_of_arg("--as-of", arg);
		return 1;
	case O_BASE:
		kpo_base_arg("--base", arg, eo->base);
		memcpy(x->meta.base, eo->base, sizeof x->meta.base);
		return 1;
	case O_CALENDAR:
		eo->calendar = arg;
		eo->business = 1;
		return 1;
	case O_FX:
		eo->fx = x->fx = arg;
		return 1;
	case O_RATES:
		eo->rates = arg;
		return 1;
	case O_VENDORRATES:
		eo->vendor_rates = arg;
		return 1;
	case O_WORKDAYS:
		if (kpo_work_days_parse(arg, &eo->work_days) != 0)
			kpo_errx(EX_USAGE, "--work-days: day names such as Mon-Fri or Mon,Wed,Fri expected: '%s'", arg);
		eo->business = 1;
		return 1;
	case O_WORKHOURS:
		if (kpo_work_hours_parse(arg, &eo->work_start, &eo->work_end) != 0)
			kpo_errx(EX_USAGE, "--work-hours: HH:MM-HH:MM with the start before the end expected: '%s'", arg);
		eo->business = 1;
		return 1;
	case O_BUNDLE:
		if (!*arg)
			kpo_errx(EX_USAGE, "--bundle: a folder name expected");
		x->bundle = arg;
		return 1;
	case O_BY:
		x->mo.by = arg;
		return 1;
	case O_COSTS:
		x->costs_path = arg;
		return 1;
	case O_GOVPCT:
		x->gov_pct = kpo_pct_dec_arg("--governance-pct", arg);
		x->has_gov_pct = 1;
		return 1;
	case O_TOTAL:
		x->mo.total = 1;
		return 1;
	}
	return 0;
}

/* --jobs N: a whole number from 1 to 256. */
static int
jobs_arg(const char *arg)
{
	double n = kpo_number_arg("--jobs", arg, 1, 256);

	if (n != (int)n)
		kpo_errx(EX_USAGE, "--jobs: a whole number of jobs expected: '%s'", arg);
	return (int)n;
}

/* The options; the file operands are left in ARGV from the returned index.
 * The shared ones are read into the metrics stage's, then given to each. */
static int
parse_args(int argc, char **argv, struct run *x)
{
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		KPO_INGEST_LONGOPTS,
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "bundle",         required_argument, NULL, O_BUNDLE },
		{ "by",             required_argument, NULL, O_BY },
		{ "calendar",       required_argument, NULL, O_CALENDAR },
		{ "costs",          required_argument, NULL, O_COSTS },
		{ "enrich-rejects", required_argument, NULL, O_ENRICH_REJECTS },
		{ "fx",             required_argument, NULL, O_FX },
		{ "governance-pct", required_argument, NULL, O_GOVPCT },
		{ "ingest-rejects", required_argument, NULL, O_INGEST_REJECTS },
		{ "ingested",       no_argument,       NULL, O_INGESTED },
		{ "jobs",           required_argument, NULL, O_JOBS },
		{ "merge",          no_argument,       NULL, O_MERGE },
		{ "metrics-rejects", required_argument, NULL, O_METRICS_REJECTS },
		{ "partial",        required_argument, NULL, O_PARTIAL },
		{ "rates",          required_argument, NULL, O_RATES },
		{ "shard",          required_argument, NULL, O_SHARD },
		{ "total",          no_argument,       NULL, O_TOTAL },
		{ "tz",             required_argument, NULL, O_TZ },
		{ "vendor-rates",   required_argument, NULL, O_VENDORRATES },
		{ "work-days",      required_argument, NULL, O_WORKDAYS },
		{ "work-hours",     required_argument, NULL, O_WORKHOURS },
		{ NULL, 0, NULL, 0 }
	};
	struct stage *shared = &x->metrics;
	const char *tz = NULL;
	int ch, longindex = -1;

	x->eo.as_of = x->mo.as_of = kpo_today();
	while ((ch = getopt_long(argc, argv, KPO_STAGE_SHORTOPTS KPO_INGEST_SHORTOPTS, longopts, &longindex)) != -1) {
		if (ingest_only(ch) && !x->ingest_option[0])
			spelled(x->ingest_option, sizeof x->ingest_option, longopts, longindex, ch);
		longindex = -1;
		switch (ch) {
		case KPO_OPT_REJECTS:
			kpo_errx(EX_USAGE, "--rejects: each stage has its own rejects file: --ingest-rejects, "
			    "--enrich-rejects, --metrics-rejects");
		case O_INGEST_REJECTS:
			x->ingest.rejects = optarg;
			continue;
		case O_ENRICH_REJECTS:
			x->enrich.rejects = optarg;
			continue;
		case O_METRICS_REJECTS:
			x->metrics.rejects = optarg;
			continue;
		case O_JOBS:
			x->jobs = jobs_arg(optarg);
			continue;
		case O_INGESTED:
			x->ingested = 1;
			continue;
		case O_PARTIAL:
			if (!*optarg)
				kpo_errx(EX_USAGE, "--partial: a file name expected");
			x->partial = optarg;
			continue;
		case O_SHARD:
			if (kpo_shard_parse(optarg, &x->shard, &x->nshards) != 0)
				kpo_errx(EX_USAGE, "--shard: K/N with 1 <= K <= N <= 65536 expected, such as 2/8: '%s'", optarg);
			continue;
		case O_MERGE:
			x->merge = 1;
			continue;
		case O_TZ:
			if (kpo_tz_valid(optarg) != 0)
				kpo_errx(EX_USAGE, "--tz: unknown time zone '%s' (a name such as Europe/Berlin)", optarg);
			tz = optarg;
			continue;
		}
		if (kpo_stage_option(&shared->st, &shared->sa, ch, optarg, usage) || kpo_ingest_option(&x->io, &x->ingest.csv, ch, optarg) ||
		    enrich_metrics_option(x, ch, optarg))
			continue;
		usage(EX_USAGE);
	}
	if (x->merge)
		x->ingested = 1;        /* a merge is of kpo-run --ingested's partials */
	if (x->ingested && x->ingest_option[0])
		kpo_errx(EX_USAGE, "%s: an option of kpo-ingest, which --%s leaves out (the inputs are "
		    "its output)", x->ingest_option, x->merge ? "merge" : "ingested");
	if (x->ingested) {      /* --dedupe is kpo-enrich's, over all the inputs */
		x->eo.dedupe = x->io.dedupe;
		x->io.dedupe = 0;
	}
	if (x->partial && !x->ingested)
		kpo_errx(EX_USAGE, "--partial: with --ingested (run kpo-ingest on each export first)");
	if (x->nshards && !x->partial)
		kpo_errx(EX_USAGE, "--shard: with --partial (a shard is a part of a run, to merge)");
	if (x->partial && x->merge)
		kpo_errx(EX_USAGE, "--partial and --merge: a merge writes the tables, not another partial");
	if (x->partial && (shared->sa.output || x->bundle || x->enrich.rejects || x->metrics.rejects))
		kpo_errx(EX_USAGE, "--partial: the tables and the rejects go into the partial: no -o, --bundle, "
		    "--enrich-rejects or --metrics-rejects (give them to the merge)");
	if (x->nshards == 0)
		x->nshards = 1;
	if (x->ingest.csv.no_header != (x->ingest.csv.columns != NULL))
		kpo_errx(EX_USAGE, "--no-header and --columns go together: the columns of a file without a header");
	if (x->ingest.csv.no_header && x->ingest.csv.skip)
		kpo_errx(EX_USAGE, "--skip: a file without a header (--no-header) has no header line to skip to");
	if (x->bundle && (shared->sa.output || x->mo.by))
		kpo_errx(EX_USAGE, "--bundle writes its own files: no -o or --by with it");

	/* One zone for the process (TZ is global): kpo-ingest's, and
	 * kpo-enrich's when it counts business hours; otherwise kpo-enrich
	 * would only say --tz has no effect there.  With --ingested it is
	 * kpo-enrich's alone, as given to kpo-enrich (which may say so). */
	x->io.date.tz = x->ingested ? NULL : tz;
	if (x->eo.business || x->ingested)
		x->eo.tz = tz;
	/* A partial is of the bundle, unless --by or --total asks for a table. */
	x->mo.bundle = x->bundle != NULL || (x->partial && !x->mo.by && !x->mo.total);
	x->as_of_day = kpo_day_of(x->mo.as_of);
	kpo_date_format(x->as_of_day, x->meta.as_of);

	/* Every stage gets the shared options; -o is kpo-metrics', and only
	 * the first stage of a pipe shows a progress line. */
	x->ingest.st.quiet = x->enrich.st.quiet = shared->st.quiet;
	x->ingest.st.max_reject_pct = x->enrich.st.max_reject_pct = shared->st.max_reject_pct;
	x->ingest.sa = shared->sa;
	x->ingest.sa.output = NULL;
	x->enrich.sa = x->ingest.sa;
	if (!x->ingested)
		x->enrich.sa.progress = 0;
	shared->sa.progress = 0;
	x->ingest.sa.rejects = x->ingest.rejects;
	x->enrich.sa.rejects = x->enrich.rejects;
	shared->sa.rejects = x->metrics.rejects;
	kpo_stage_caps(&x->ingest.sa, &x->ingest.csv);
	kpo_stage_caps(&x->enrich.sa, &x->enrich.csv);
	kpo_stage_caps(&x->metrics.sa, &x->metrics.csv);
	return optind;
}

/* The end of kpo-enrich (with the status of its inputs) and of kpo-metrics,
 * as their threads would end them: each summary line, the reject
 * thresholds, the tables written. */
static void
finish_enrich_metrics(struct run *x, int status)
{
	char extra[512] = "";

	kpo_progname = x->enrich.progname;
	kpo_enrich_stage_extra(&x->ex, extra, sizeof extra);
	x->enrich.status = kpo_stage_finish(&x->enrich.st, status, extra);
	kpo_progname = x->metrics.progname;
	extra[0] = '\0';
	status = 0;
	if (x->costs_path)
		status = kpo_metrics_stage_costs(&x->metrics.st, &x->costs, status, extra, sizeof extra);
	status = kpo_stage_finish(&x->metrics.st, status, extra[0] ? extra : NULL);
	x->meta.rows = x->metrics.st.read;
	x->metrics.status = kpo_metrics_finish(x->mx.m, status, &x->meta);
}

/* Partials ------------------------------------------------------------------ */

/* A reference table's line: its size and CRC-32, or "none". */
static void
popts_file(struct kpo_popts *p, const char *name, const char *path)
{
	if (!path)
		kpo_popts_add(p, name, "none");
	else if (kpo_popts_file(p, name, path) != 0)
		kpo_err(EX_NOINPUT, "%s", path);
}

/* The options the outputs depend on, in a partial's header, and what a
 * merge checks its partials against (merge_shared). */
static void
run_popts(const struct run *x, struct kpo_popts *p)
{
	char v[128];

	snprintf(v, sizeof v, "%lld", (long long)x->mo.as_of);
	kpo_popts_add(p, "as_of", v);
	kpo_popts_add(p, "base", x->meta.base);
	snprintf(v, sizeof v, "%s%.100s", x->mo.bundle ? "bundle" : "by ", x->mo.bundle ? "" : x->mo.by ? x->mo.by : "domain");
	kpo_popts_add(p, "tables", v);
	kpo_popts_add(p, "total", x->mo.total ? "yes" : "no");
	popts_file(p, "costs", x->costs_path);
	if (x->has_gov_pct)
		snprintf(v, sizeof v, "%lld/10^%d", (long long)x->gov_pct.m, x->gov_pct.scale);
	kpo_popts_add(p, "governance_pct", x->has_gov_pct ? v : "none");
	popts_file(p, "fx", x->fx);
	popts_file(p, "rates", x->eo.rates);
	popts_file(p, "vendor_rates", x->eo.vendor_rates);
	popts_file(p, "calendar", x->eo.business ? x->eo.calendar : NULL);
	if (x->eo.business)
		snprintf(v, sizeof v, "%d-%d days %u zone %.80s", x->eo.work_start, x->eo.work_end, x->eo.work_days,
		    x->eo.tz ? x->eo.tz : "local");
	kpo_popts_add(p, "business_hours", x->eo.business ? v : "none");
	kpo_popts_add(p, "dedupe", x->eo.dedupe ? "yes" : "no");
}

/* The options of a merge's own that must be its partials': what its
 * tables depend on (the rest went into the partials' rows). */
static const char *const *
merge_shared(const struct run *x)
{
	static const char *const with_costs[] = { "as_of", "base", "tables", "total", "costs", "governance_pct", "fx", NULL };
	static const char *const without[] = { "as_of", "base", "tables", "total", "costs", "governance_pct", NULL };

	return x->costs_path ? with_costs : without;
}

static void
open_partial(struct run *x)
{
	if (!(x->pout = kpo_out_open_gz(x->partial)))
		kpo_err(EX_CANTCREAT, "%s", x->partial);
}

/* A stage of a partial holds its rejects back, with their places. */
static void
held_rejects(struct kpo_stage *st)
{
	kpo_rejects_discard(st->rejects);
	st->rejects = kpo_rejects_defer();
	st->max_reject_pct = 100.0;     /* the merge judges the whole run */
	st->need_rows = 0;
}

/* The stages a partial of kpo-run --ingested holds. */
static void
pstages(struct run *x, struct kpo_pstage *ps)
{
	ps[0] = (struct kpo_pstage){ "kpo-enrich", &x->enrich.st, { x->ex.no_rate, x->ex.no_cost, x->ex.priced } };
	ps[1] = (struct kpo_pstage){ "kpo-metrics", &x->metrics.st, { 0, 0, 0 } };
}

/* Writes the partial of the jobs' run: 0, or the exit status after saying
 * why. */
static int
write_partial(struct run *x)
{
	struct kpo_popts opts = { 0 };
	struct kpo_pstage ps[2];
	struct kpo_partial_head h = { "kpo-run --ingested", x->shard, x->nshards, x->argc, x->argv, &opts };
	int status = 0;

	run_popts(x, &opts);
	pstages(x, ps);
	kpo_partial_begin(x->pout, &h, ps, 2);
	kpo_metrics_save(x->mx.m, x->pout);
	kpo_partial_end(x->pout);
	kpo_popts_free(&opts);
	if (kpo_out_failed(x->pout)) {
		errno = kpo_out_errno(x->pout);
		kpo_warn("%s: write error", x->partial);
		kpo_out_abort(x->pout);
		status = EX_IOERR;
	} else if (kpo_out_commit(x->pout) != 0) {
		kpo_warn("%s: write error", x->partial);
		status = EX_IOERR;
	}
	x->pout = NULL;
	return status;
}

/* kpo-run --merge: the partials' stages and rows put together, then each
 * stage's end as one run would end it. */
static int
run_merge(struct run *x)
{
	struct kpo_popts opts = { 0 };
	struct kpo_merge *mg;
	struct kpo_pstage ps[2];
	int status;

	kpo_progname = x->enrich.progname;
	x->ex.st = &x->enrich.st;
	kpo_stage_start(&x->enrich.st, &x->enrich.sa, "enrich", 0, NULL);
	kpo_progname = x->metrics.progname;
	x->mx.st = &x->metrics.st;
	if (x->costs_path)
		x->metrics_fx = kpo_fx_load(x->fx, x->meta.base);
	x->mx.m = kpo_metrics_new(&x->mo);
	if ((status = kpo_metrics_open(x->mx.m, x->metrics.sa.output, x->bundle)) != 0)
		return status;
	kpo_stage_start(&x->metrics.st, &x->metrics.sa, "metrics", 0, NULL);
	if (x->costs_path)
		kpo_costs_load(&x->costs, x->costs_path, x->metrics_fx, x->as_of_day, x->metrics.st.rejects);
	kpo_metrics_overheads(x->mx.m, x->costs_path ? &x->costs : NULL, x->has_gov_pct ? &x->gov_pct : NULL);

	kpo_progname = "kpo-run";
	run_popts(x, &opts);
	status = kpo_merge_open(&mg, "kpo-run --ingested", &opts, merge_shared(x), x->argc, x->argv);
	kpo_popts_free(&opts);
	memset(ps, 0, sizeof ps);
	pstages(x, ps);
	if (status == 0)
		status = kpo_metrics_merge_partials(x->mx.m, mg, ps, 2);
	if (status != 0) {
		kpo_merge_free(mg);
		kpo_rejects_discard(x->enrich.st.rejects);
		kpo_rejects_discard(x->metrics.st.rejects);
		x->enrich.st.rejects = x->metrics.st.rejects = NULL;
		kpo_metrics_finish(x->mx.m, status, &x->meta);  /* throws the outputs away */
		return status;
	}
	kpo_merge_free(mg);
	x->ex.no_rate = ps[0].extra[0];
	x->ex.no_cost = ps[0].extra[1];
	x->ex.priced = ps[0].extra[2];

	finish_enrich_metrics(x, 0);
	return kpo_status_merge(x->enrich.status, x->metrics.status);
}

/* Reads what is left of a stream a stage stopped reading early, so that the
 * stage before it finishes as it would in a pipe rather than wait forever.
 * FD -1: the stage read files, and no stage is before it. */
static void
drain(int fd)
{
	char buf[65536];

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof buf) > 0 || errno == EINTR)
		errno = 0;
	close(fd);
}

static void *
ingest_thread(void *p)
{
	struct run *x = p;
	struct stage *s = &x->ingest;
	int status;

	kpo_progname = s->progname;
	kpo_ingest_header(x->ix.ing, x->ix.out);
	status = kpo_stage_run(&s->st, &kpo_ingest_stage_ops, &x->ix, &s->csv, x->argc, x->argv);
	status = kpo_stage_finish(&s->st, status, kpo_ingest_notes(x->ix.ing));
	s->status = kpo_out_finish(x->ix.out, status);  /* the end of the stream kpo-enrich reads */
	return NULL;
}

static void *
enrich_thread(void *p)
{
	struct run *x = p;
	struct stage *s = &x->enrich;
	char extra[160];
	int status;

	kpo_progname = s->progname;
	status = kpo_stage_run(&s->st, &kpo_enrich_stage_ops, &x->ex, &s->csv, s->argc, s->argv);
	drain(s->in_fd);
	kpo_enrich_stage_extra(&x->ex, extra, sizeof extra);
	status = kpo_stage_finish(&s->st, status, extra);
	s->status = kpo_out_finish(x->ex.out, status);
	return NULL;
}

static void *
metrics_thread(void *p)
{
	struct run *x = p;
	struct stage *s = &x->metrics;
	char extra[512] = "";
	int status;

	kpo_progname = s->progname;
	status = kpo_stage_run(&s->st, &kpo_metrics_stage_ops, &x->mx, &s->csv, 0, NULL);
	drain(s->in_fd);
	if (x->costs_path)
		status = kpo_metrics_stage_costs(&s->st, &x->costs, status, extra, sizeof extra);
	status = kpo_stage_finish(&s->st, status, extra[0] ? extra : NULL);
	x->meta.rows = s->st.read;
	s->status = kpo_metrics_finish(x->mx.m, status, &x->meta);
	return NULL;
}

/* A pipe from one stage to the next: its write end for FROM's output, its
 * read end for the next stage's "-". */
static struct kpo_out *
connect(struct stage *to)
{
	int fd[2];

	if (pipe(fd) != 0)
		kpo_err(EX_OSERR, "pipe");
	to->in_fd = to->csv.stdin_fd = fd[0];
	return kpo_out_fd(fd[1]);
}

/* The jobs' conf: the options of the three stages, as they run fused. */
static void
jobs_conf(const struct run *x, struct kpo_jobs_conf *c)
{
	const char *part = getenv("KPO_RUN_PART_BYTES");        /* tests cut small files */

	*c = (struct kpo_jobs_conf){
		.jobs = x->jobs, .part_bytes = part && *part ? strtoull(part, NULL, 10) : 0,
		.ingested = x->ingested, .io = &x->io, .csv = x->ingested ? &x->enrich.csv : &x->ingest.csv,
		.eo = &x->eo, .mo = &x->mo,
		.costs = x->costs_path ? &x->costs : NULL, .gov_pct = x->has_gov_pct ? &x->gov_pct : NULL,
		.max_field = x->enrich.csv.max_field, .max_fields = x->enrich.csv.max_fields,
		.max_record = x->enrich.csv.max_record, .shard = x->shard, .nshards = x->nshards,
	};
}

static void
start_ingest(struct run *x, int pipes)
{
	kpo_progname = x->ingest.progname;
	x->ix.st = &x->ingest.st;
	x->ix.ing = kpo_ingest_new(&x->io);
	x->ingest.csv.header_score = kpo_ingest_header_score;
	x->ingest.csv.header_ctx = x->ix.ing;
	if (pipes)
		x->ix.out = connect(&x->enrich);
	kpo_stage_start(&x->ingest.st, &x->ingest.sa, "ingest", x->argc, x->argv);
}

/* Each stage as its program starts, in the chain's order; what ends a
 * stage's program here ends the run, before any output.  With PIPES, the
 * stages are joined by pipes. */
static void
start_stages(struct run *x, int pipes)
{
	int status;

	if (!x->ingested)
		start_ingest(x, pipes);

	kpo_progname = x->enrich.progname;
	if (x->ingested)
		kpo_enrich_warn_tz(&x->eo);     /* as kpo-enrich does once it has read its options */
	x->ex.st = &x->enrich.st;
	x->ex.e = kpo_enrich_new(&x->eo);
	if (pipes)
		x->ex.out = connect(&x->metrics);
	kpo_stage_start(&x->enrich.st, &x->enrich.sa, "enrich", x->enrich.argc, x->enrich.argv);

	kpo_progname = x->metrics.progname;
	x->mx.st = &x->metrics.st;
	if (x->costs_path && !x->partial)
		x->metrics_fx = kpo_fx_load(x->fx, x->meta.base);
	x->mx.m = kpo_metrics_new(&x->mo);
	if (x->partial)
		open_partial(x);
	else if ((status = kpo_metrics_open(x->mx.m, x->metrics.sa.output, x->bundle)) != 0)
		exit(status);
	kpo_stage_start(&x->metrics.st, &x->metrics.sa, "metrics", 0, NULL);
	if (x->partial) {
		held_rejects(&x->enrich.st);
		held_rejects(&x->metrics.st);
	}
	/* A partial's rows carry the costs' mark (rows with and without a
	 * baseline apart); the costs themselves are the merge's to read. */
	if (x->costs_path && !x->partial)
		kpo_costs_load(&x->costs, x->costs_path, x->metrics_fx, x->as_of_day, x->metrics.st.rejects);
	kpo_metrics_overheads(x->mx.m, x->costs_path ? &x->costs : NULL, x->has_gov_pct ? &x->gov_pct : NULL);
}

static void
run_pipes(struct run *x)
{
	void *(*body[3])(void *) = { ingest_thread, enrich_thread, metrics_thread };
	pthread_t thread[3];
	int i, first = x->ingested ? 1 : 0;     /* --ingested: no ingest thread */

	for (i = first; i < 3; i++)
		if ((errno = pthread_create(&thread[i], NULL, body[i], x)) != 0)
			kpo_err(EX_OSERR, "pthread_create");
	for (i = first; i < 3; i++)
		pthread_join(thread[i], NULL);
}

/* The jobs' run, then each stage's end as its thread would end it.  0, or
 * KPO_JOBS_INEXACT with nothing said or written. */
static int
run_jobs(struct run *x, struct kpo_msgs *held)
{
	struct kpo_jobs_conf c;
	char extra[512] = "";
	int status;

	jobs_conf(x, &c);
	status = kpo_jobs_run(&c, x->ingested ? NULL : &x->ingest.st, x->ix.ing, &x->ex, &x->mx, x->argc, x->argv);
	if (status == KPO_JOBS_INEXACT)
		return status;
	kpo_msgs_capture = NULL;
	kpo_msgs_print(held, 0);
	if (x->partial) {
		int wrote = status == 0 ? write_partial(x) : 0;

		if (status != 0) {
			kpo_out_abort(x->pout);
			x->pout = NULL;
		}
		kpo_progname = x->enrich.progname;
		kpo_enrich_stage_extra(&x->ex, extra, sizeof extra);
		x->enrich.status = kpo_status_merge(kpo_stage_finish(&x->enrich.st, status, extra), wrote);
		kpo_progname = x->metrics.progname;
		x->metrics.status = kpo_stage_finish(&x->metrics.st, 0, NULL);
		return 0;
	}

	/* The status of the inputs is the first stage's. */
	if (!x->ingested) {
		kpo_progname = x->ingest.progname;
		x->ingest.status = kpo_stage_finish(&x->ingest.st, status, kpo_ingest_notes(x->ix.ing));
		status = 0;
	}

	finish_enrich_metrics(x, status);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct run x;    /* big (the stages' state), and one */
	struct kpo_msgs held = { NULL, 0, 0 };
	struct kpo_jobs_conf c;
	const char *self;
	int i, status, pipes;

	kpo_stage_init(argv[0]);
	self = kpo_progname;
	x.ingest = (struct stage){ .progname = "kpo-ingest", .st = { .max_reject_pct = 5.0 }, .in_fd = -1 };
	x.enrich = (struct stage){ .progname = "kpo-enrich", .st = { .max_reject_pct = 5.0 },
	    .csv = { .delim = ',' }, .in_fd = -1 };
	x.metrics = (struct stage){ .progname = "kpo-metrics",
	    .st = { .max_reject_pct = 5.0, .written_word = "used", .need_rows = 1 }, .sa = { .progress = -1 },
	    .in_fd = -1 };
	x.eo = (struct kpo_enrich_opts){ .base = "USD", .work_start = 9 * 3600, .work_end = 18 * 3600,
	    .work_days = KPO_MON_FRI };
	x.meta = (struct kpo_metrics_meta){ "", "USD", 0 };
	x.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (x.jobs < 1)
		x.jobs = 1;
	i = parse_args(argc, argv, &x);
	x.argc = argc - i;
	x.argv = argv + i;
	if (x.ingested) {       /* kpo-enrich reads the operands, not kpo-ingest's stream */
		x.enrich.argc = x.argc;
		x.enrich.argv = x.argv;
	}
	if (x.io.dedupe || x.eo.dedupe)
		x.jobs = 1;     /* the first of a task_id is the first in the inputs' order */
	if (x.merge) {
		status = run_merge(&x);
		kpo_metrics_free(x.mx.m);
		kpo_costs_free(&x.costs);
		kpo_fx_free(x.metrics_fx);
		return kpo_close_stdout(status);
	}
	if (x.io.date.tz && strcmp(x.io.date.tz, "UTC") != 0)
		kpo_tz_use(x.io.date.tz);       /* before the threads: they only read TZ */

	/* The jobs hold back what the stages say until they know the run is
	 * exact; when it is not, the run starts again with pipes. */
	jobs_conf(&x, &c);
	kpo_progname = x.metrics.progname;     /* a bad --by is kpo-metrics' to say */
	pipes = getenv("KPO_RUN_PIPES") != NULL || !kpo_jobs_can(&c, x.argc, x.argv);
	kpo_progname = self;
	if (pipes && x.partial)
		kpo_errx(EX_DATAERR, "--partial: the inputs must be files kpo-ingest wrote, read in jobs (not standard "
		    "input, and a first file with kpo-ingest's header)");
	if (!pipes)
		kpo_msgs_capture = &held;
	start_stages(&x, pipes);
	kpo_progname = self;
	if (pipes) {
		run_pipes(&x);
	} else if (run_jobs(&x, &held) == KPO_JOBS_INEXACT) {
		kpo_out_cleanup_temps();
		if (x.partial) {
			kpo_msgs_capture = NULL;
			kpo_errx(EX_DATAERR, "--partial: a row past the stream readers' caps, or more than %llu key "
			    "combinations: such a run cannot be a partial", (unsigned long long)KPO_METRICS_MAX_LEAVES);
		}
		setenv("KPO_RUN_PIPES", "1", 1);
		execv("/proc/self/exe", argv);
		kpo_msgs_capture = NULL;
		kpo_err(EX_OSERR, "cannot run again with pipes: /proc/self/exe");
	}
	kpo_msgs_free(&held);

	/* The most serious of the three, as kpo(7) ranks statuses. */
	status = kpo_status_merge(kpo_status_merge(x.ingest.status, x.enrich.status), x.metrics.status);
	kpo_ingest_free(x.ix.ing);
	kpo_enrich_free(x.ex.e);
	kpo_metrics_free(x.mx.m);
	kpo_costs_free(&x.costs);
	kpo_fx_free(x.metrics_fx);
	return kpo_close_stdout(status);
}
