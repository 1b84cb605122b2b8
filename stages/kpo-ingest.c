/* kpo-ingest: raw CSV exports in any dialect -> the canonical record stream.
 * See kpo-ingest(1); the row logic is in lib/ingest.c. */
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
#include "ingest.h"
#include "out.h"
#include "report.h"

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "--profile NAME|none", "the export's format: jira, toggl, clockify, harvest (default: recognised)" },
		{ "--map FILE", "header aliases of your own: column,alias lines" },
		{ "--set COLUMN=VALUE", "a value for a column the export lacks or leaves empty; repeatable" },
		{ "--domains FILE", "other names of domains: alias,domain lines" },
		{ "--vendors FILE", "other names of vendors: alias,vendor lines" },
		{ "--keep COL,...", "also write these export columns, raw" },
		{ "--dedupe", "reject a task_id seen before" },
		{ "--skip N", "the header is line N+1; skip the lines before it" },
		{ "--no-header", "the file has no header; name its columns with --columns" },
		{ "--columns COL,...", "the columns of a file without a header, in order" },
		{ "-d, --delimiter C", "the delimiter ('tab' for TAB), instead of detecting it" },
		{ "--encoding ENC", "the input's encoding, such as cp1251 (default UTF-8)" },
		{ "--decimal .|,", "the decimal separator (default ',' after ';', else '.')" },
		{ "--hours-unit h|min|s", "the unit of plain numbers in the hours column (default h)" },
		{ "--tz ZONE", "the time zone of times written without one (default UTC)" },
		{ "--date-order dmy|mdy", "how to read numeric dates such as 03/04/2026" },
		{ "--date-format FORMAT", "a strptime(3) format tried first" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... [FILE]...",
	    "Reads CSV exports (Jira, Toggl, Clockify, Harvest, Excel; any dialect, .gz too) and writes\n"
	    "the canonical kpo record stream.", options, 1);
}

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa,
    struct kpo_ingest_opts *io, struct kpo_csv_opts *csv)
{
	enum { O_TZ = KPO_OPT_INGEST_END };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		KPO_INGEST_LONGOPTS,
		{ "tz",             required_argument, NULL, O_TZ },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, KPO_STAGE_SHORTOPTS KPO_INGEST_SHORTOPTS, longopts, NULL)) != -1) {
		if (kpo_stage_option(st, sa, ch, optarg, usage))
			continue;
		if (kpo_ingest_option(io, csv, ch, optarg))
			continue;
		switch (ch) {
		case O_TZ:
			if (kpo_tz_valid(optarg) != 0)
				kpo_errx(EX_USAGE, "--tz: unknown time zone '%s' (a name such as Europe/Berlin)", optarg);
			io->date.tz = optarg;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	return optind;
}

int
main(int argc, char **argv)
{
	struct kpo_ingest_opts io = { 0 };
	struct kpo_csv_opts csv = { 0 };
	struct kpo_stage st = { .max_reject_pct = 5.0 };
	struct kpo_stage_args sa = { .progress = -1 };
	struct kpo_ingest_stage x = { NULL, &st, NULL };
	int i, status;

	kpo_stage_init(argv[0]);
	i = parse_args(argc, argv, &st, &sa, &io, &csv);
	argc -= i;
	argv += i;
	if (csv.no_header != (csv.columns != NULL))
		kpo_errx(EX_USAGE, "--no-header and --columns go together: the columns of a file without a header");
	if (csv.no_header && csv.skip)
		kpo_errx(EX_USAGE, "--skip: a file without a header (--no-header) has no header line to skip to");

	kpo_stage_caps(&sa, &csv);
	x.ing = kpo_ingest_new(&io);
	csv.header_score = kpo_ingest_header_score;
	csv.header_ctx = x.ing;
	if (!(x.out = kpo_out_open(sa.output)))
		kpo_err(EX_CANTCREAT, "%s", sa.output);
	kpo_stage_start(&st, &sa, "ingest", argc, argv);

	kpo_ingest_header(x.ing, x.out);
	status = kpo_stage_run(&st, &kpo_ingest_stage_ops, &x, &csv, argc, argv);
	status = kpo_stage_finish(&st, status, kpo_ingest_notes(x.ing));
	status = kpo_out_finish(x.out, status); /* -o FILE is replaced only by a run that succeeded */
	kpo_ingest_free(x.ing);
	return kpo_close_stdout(status);
}
