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

static char
parse_delim(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0 || strcmp(arg, "TAB") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
		kpo_errx(EX_USAGE, "-d: one character, or 'tab', expected: '%s'", arg);
	return arg[0];
}

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa,
    struct kpo_ingest_opts *io, struct kpo_csv_opts *csv)
{
	enum { O_MAP = KPO_OPT_STAGE_END, O_KEEP, O_DEDUPE, O_TZ, O_DATEORDER, O_DATEFORMAT, O_DECIMAL,
	       O_ENCODING, O_PROFILE, O_SET, O_HOURSUNIT, O_DOMAINS, O_VENDORS, O_SKIP, O_NOHEADER, O_COLUMNS };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		{ "columns",        required_argument, NULL, O_COLUMNS },
		{ "date-format",    required_argument, NULL, O_DATEFORMAT },
		{ "date-order",     required_argument, NULL, O_DATEORDER },
		{ "decimal",        required_argument, NULL, O_DECIMAL },
		{ "dedupe",         no_argument,       NULL, O_DEDUPE },
		{ "domains",        required_argument, NULL, O_DOMAINS },
		{ "delimiter",      required_argument, NULL, 'd' },
		{ "encoding",       required_argument, NULL, O_ENCODING },
		{ "hours-unit",     required_argument, NULL, O_HOURSUNIT },
		{ "keep",           required_argument, NULL, O_KEEP },
		{ "map",            required_argument, NULL, O_MAP },
		{ "no-header",      no_argument,       NULL, O_NOHEADER },
		{ "profile",        required_argument, NULL, O_PROFILE },
		{ "set",            required_argument, NULL, O_SET },
		{ "skip",           required_argument, NULL, O_SKIP },
		{ "tz",             required_argument, NULL, O_TZ },
		{ "vendors",        required_argument, NULL, O_VENDORS },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, KPO_STAGE_SHORTOPTS "d:", longopts, NULL)) != -1) {
		if (kpo_stage_option(st, sa, ch, optarg, usage))
			continue;
		switch (ch) {
		case 'd':
			csv->delim = parse_delim(optarg);
			break;
		case O_DATEFORMAT:
			io->date.strptime = optarg;
			break;
		case O_DATEORDER:
			if (strcmp(optarg, "dmy") != 0 && strcmp(optarg, "mdy") != 0)
				kpo_errx(EX_USAGE, "--date-order: 'dmy' or 'mdy' expected: '%s'", optarg);
			io->date.order = optarg[0];
			break;
		case O_DECIMAL:
			if (strcmp(optarg, ".") != 0 && strcmp(optarg, ",") != 0)
				kpo_errx(EX_USAGE, "--decimal: '.' or ',' expected: '%s'", optarg);
			io->decimal = optarg[0];
			break;
		case O_DEDUPE:
			io->dedupe = 1;
			break;
		case O_ENCODING:
			csv->encoding = optarg;
			break;
		case O_KEEP:
			io->keep = optarg;
			csv->keep_blanks = 1;   /* raw values, blanks and all */
			break;
		case O_COLUMNS:
			csv->columns = optarg;
			break;
		case O_DOMAINS:
			io->domains = optarg;
			break;
		case O_NOHEADER:
			csv->no_header = 1;
			break;
		case O_SKIP:
			csv->skip = (long)kpo_number_arg("--skip", optarg, 0, 1e9);
			if (csv->skip != strtod(optarg, NULL))
				kpo_errx(EX_USAGE, "--skip: a whole number of lines expected: '%s'", optarg);
			break;
		case O_HOURSUNIT:
			if (kpo_ingest_hours_unit(io, optarg) != 0)
				kpo_errx(EX_USAGE, "--hours-unit: h, min or s expected: '%s'", optarg);
			break;
		case O_MAP:
			io->map = optarg;
			break;
		case O_PROFILE:
			io->profile = optarg;
			break;
		case O_SET:
			if (kpo_ingest_set(io, optarg) != 0)
				kpo_errx(EX_USAGE, "--set: COLUMN=VALUE with a canonical column other than task_id "
				    "and source expected: '%s'", optarg);
			break;
		case O_VENDORS:
			io->vendors = optarg;
			break;
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
