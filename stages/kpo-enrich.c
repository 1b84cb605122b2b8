/* kpo-enrich: the canonical record stream + reference tables -> the enriched
 * stream (money in the base currency, in-house baseline, turnaround, on-time,
 * month).  See kpo-enrich(1); the row logic is in lib/enrich.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "args.h"
#include "calendar.h"
#include "csvread.h"
#include "date.h"
#include "enrich.h"
#include "err.h"
#include "out.h"
#include "report.h"

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "--base CUR", "the currency of every amount written (default USD)" },
		{ "--fx FILE", "exchange rates: currency,rate or date,currency,rate" },
		{ "--rates FILE", "in-house hourly rates: domain,rate[,region][,currency]" },
		{ "--vendor-rates FILE", "vendors' hourly rates, for rows without a cost: vendor,rate,currency" },
		{ "--as-of DATE", "the date open work is judged at (default today, UTC)" },
		{ "--calendar FILE", "holidays (a column date): turnaround in business hours" },
		{ "--work-hours HH:MM-HH:MM", "the working day, for business hours (default 09:00-18:00)" },
		{ "--work-days DAYS", "the working days, for business hours (default Mon-Fri)" },
		{ "--tz ZONE", "the zone of business hours and holidays (default UTC)" },
		{ "--dedupe", "reject a task_id seen before in any input (the first is kept)" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... [FILE]...",
	    "Reads the canonical kpo stream and appends cost_base, baseline, savings, tat_h, on_time and\n"
	    "month to every row.", options, 1);
}

/* The options; the file operands are left in ARGV from the returned index. */
static int
parse_args(int argc, char **argv, struct kpo_stage *st, struct kpo_stage_args *sa, struct kpo_enrich_opts *eo)
{
	enum { O_BASE = KPO_OPT_STAGE_END, O_FX, O_RATES, O_CALENDAR, O_WORKHOURS, O_WORKDAYS, O_TZ, O_ASOF,
	       O_VENDORRATES, O_COSTS, O_DEDUPE };
	static const struct option longopts[] = {
		KPO_STAGE_LONGOPTS,
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "calendar",       required_argument, NULL, O_CALENDAR },
		{ "costs",          required_argument, NULL, O_COSTS },
		{ "dedupe",         no_argument,       NULL, O_DEDUPE },
		{ "fx",             required_argument, NULL, O_FX },
		{ "rates",          required_argument, NULL, O_RATES },
		{ "tz",             required_argument, NULL, O_TZ },
		{ "vendor-rates",   required_argument, NULL, O_VENDORRATES },
		{ "work-days",      required_argument, NULL, O_WORKDAYS },
		{ "work-hours",     required_argument, NULL, O_WORKHOURS },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	eo->as_of = kpo_today();
	while ((ch = getopt_long(argc, argv, KPO_STAGE_SHORTOPTS, longopts, NULL)) != -1) {
		if (kpo_stage_option(st, sa, ch, optarg, usage))
			continue;
		switch (ch) {
		case O_ASOF:
			eo->as_of = kpo_as_of_arg("--as-of", optarg);
			break;
		case O_BASE:
			kpo_base_arg("--base", optarg, eo->base);
			break;
		case O_CALENDAR:
			eo->calendar = optarg;
			eo->business = 1;
			break;
		case O_COSTS:
			/* Where the contract first put it: say where it went. */
			kpo_errx(EX_USAGE, "--costs is an option of kpo-metrics: costs are spread by the vendors' cost "
			    "shares, known once every row is read (kpo-metrics --costs FILE --fx FILE)");
		case O_DEDUPE:
			eo->dedupe = 1;
			break;
		case O_FX:
			eo->fx = optarg;
			break;
		case O_RATES:
			eo->rates = optarg;
			break;
		case O_TZ:
			if (kpo_tz_valid(optarg) != 0)
				kpo_errx(EX_USAGE, "--tz: unknown time zone '%s' (a name such as Europe/Berlin)", optarg);
			eo->tz = optarg;
			break;
		case O_VENDORRATES:
			eo->vendor_rates = optarg;
			break;
		case O_WORKDAYS:
			if (kpo_work_days_parse(optarg, &eo->work_days) != 0)
				kpo_errx(EX_USAGE, "--work-days: day names such as Mon-Fri or Mon,Wed,Fri expected: '%s'",
				    optarg);
			eo->business = 1;
			break;
		case O_WORKHOURS:
			if (kpo_work_hours_parse(optarg, &eo->work_start, &eo->work_end) != 0)
				kpo_errx(EX_USAGE, "--work-hours: HH:MM-HH:MM with the start before the end expected: '%s'",
				    optarg);
			eo->business = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	kpo_enrich_warn_tz(eo);
	return optind;
}

int
main(int argc, char **argv)
{
	struct kpo_enrich_opts eo = { .base = "USD", .work_start = 9 * 3600, .work_end = 18 * 3600,
	    .work_days = KPO_MON_FRI };
	struct kpo_stage st = { .max_reject_pct = 5.0 };
	struct kpo_stage_args sa = { .progress = -1 };
	struct kpo_csv_opts csv = { .delim = ',' };
	struct kpo_enrich_stage x = { NULL, &st, NULL, 0, 0, 0 };
	char extra[160];
	int i, status;

	kpo_stage_init(argv[0]);
	i = parse_args(argc, argv, &st, &sa, &eo);
	argc -= i;
	argv += i;

	kpo_stage_caps(&sa, &csv);
	x.e = kpo_enrich_new(&eo);      /* the reference tables, before any output exists */
	if (!(x.out = kpo_out_open(sa.output)))
		kpo_err(EX_CANTCREAT, "%s", sa.output);
	kpo_stage_start(&st, &sa, "enrich", argc, argv);

	status = kpo_stage_run(&st, &kpo_enrich_stage_ops, &x, &csv, argc, argv);
	kpo_enrich_stage_extra(&x, extra, sizeof extra);
	status = kpo_stage_finish(&st, status, extra);
	status = kpo_out_finish(x.out, status); /* -o FILE is replaced only by a run that succeeded */
	kpo_enrich_free(x.e);
	return kpo_close_stdout(status);
}
