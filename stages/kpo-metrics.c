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
#include "csvread.h"
#include "date.h"
#include "err.h"
#include "metrics.h"
#include "report.h"

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

/* What the run's inputs share. */
struct run {
	struct kpo_metrics *m;
	struct kpo_stage *st;
	int full;               /* the key combinations ran out */
};

static void *
input(void *ctx, struct kpo_csv *r)
{
	return kpo_metrics_input(((struct run *)ctx)->m, r);
}

static int
row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct run *x = ctx;
	struct kpo_verdict v;
	int rc = kpo_metrics_add(x->m, in, rec, &v);

	if (rc < 0) {
		kpo_reject_row(x->st->rejects, r, rec, kpo_metrics_source_field(in), v.kind, v.detail);
		return 0;
	}
	if (rc == KPO_METRICS_FULL) {
		kpo_warn_at(kpo_csv_name(r), rec->line, "more than %llu distinct key combinations",
		    (unsigned long long)KPO_METRICS_MAX_LEAVES);
		x->full = 1;
		return EX_DATAERR;
	}
	x->st->written++;
	return 0;
}

static void
input_free(void *in)
{
	kpo_metrics_input_free(in);
}

static int
stop(void *ctx)
{
	return ((struct run *)ctx)->full;
}

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa, struct kpo_metrics_opts *mo,
    struct kpo_metrics_meta *meta, const char **bundle)
{
	enum { O_BY = KPO_OPT_STAGE_END, O_TOTAL, O_BUNDLE, O_ASOF, O_BASE };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "bundle",         required_argument, NULL, O_BUNDLE },
		{ "by",             required_argument, NULL, O_BY },
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
		case O_TOTAL:
			mo->total = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	if (*bundle && (sa->output || mo->by))
		kpo_errx(EX_USAGE, "--bundle writes its own files: no -o or --by with it");
	mo->bundle = *bundle != NULL;
	kpo_date_format(kpo_day_of(as_of), meta->as_of);
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
	static const struct kpo_stage_ops ops = { input, row, input_free, stop };
	struct run x = { NULL, &st, 0 };
	int i, status;

	kpo_stage_init(argv[0]);
	i = parse_args(argc, argv, &st, &sa, &mo, &meta, &bundle);
	argc -= i;
	argv += i;

	x.m = kpo_metrics_new(&mo);
	if ((status = kpo_metrics_open(x.m, sa.output, bundle)) != 0) {
		kpo_metrics_free(x.m);
		return status;
	}
	kpo_stage_start(&st, &sa, "metrics");

	status = kpo_stage_run(&st, &ops, &x, NULL, argc, argv);
	status = kpo_stage_finish(&st, status, NULL);
	meta.rows = st.read;
	status = kpo_metrics_finish(x.m, status, &meta);        /* the tables only from a run that succeeded */
	kpo_metrics_free(x.m);
	return kpo_close_stdout(status);
}
