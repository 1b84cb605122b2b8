/* kpo-score: a kpo-metrics bundle and a targets file -> the status of each
 * targeted metric, a vendor scorecard and the alerts.  See kpo-score(1); the
 * row logic is in lib/score.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "args.h"
#include "bundle.h"
#include "err.h"
#include "fail.h"
#include "report.h"
#include "score.h"

struct options {
	const char *dir, *targets, *previous;
	unsigned long long min_n;
	int fail_on;            /* -1, or the least bad status that fails the run */
	int quiet;
};

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "--targets FILE", "the targets: metric,scope,min,target[,weight] (required)" },
		{ "-o, --output DIR", "write status.csv, scorecard.csv and alerts.csv into DIR (default .)" },
		{ "--previous DIR", "alert only on what turned red or amber since DIR's statuses" },
		{ "--min-n N", "call a group of fewer than N items unknown (default 10)" },
		{ "--fail-on red|amber", "exit 1 when a status is that bad or worse" },
		{ "-q, --quiet", "no summary line" },
		{ "-h, --help", "this help" },
		{ "--version", "the version" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... --targets FILE BUNDLE_DIR",
	    "Judges the metrics of a kpo-metrics bundle against targets: writes status.csv,\n"
	    "scorecard.csv and alerts.csv into DIR and prints the alerts.", options, 0);
}

/* The options into OPT; returns the bundle folder. */
static const char *
parse_options(int argc, char **argv, struct options *opt)
{
	enum { O_TARGETS = 256, O_PREVIOUS, O_MIN_N, O_FAIL_ON, O_VERSION };
	static const struct option longopts[] = {
		{ "fail-on",  required_argument, NULL, O_FAIL_ON },
		{ "help",     no_argument,       NULL, 'h' },
		{ "min-n",    required_argument, NULL, O_MIN_N },
		{ "output",   required_argument, NULL, 'o' },
		{ "previous", required_argument, NULL, O_PREVIOUS },
		{ "quiet",    no_argument,       NULL, 'q' },
		{ "targets",  required_argument, NULL, O_TARGETS },
		{ "version",  no_argument,       NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	double n;
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
		case O_FAIL_ON:
			if (strcmp(optarg, "red") == 0)
				opt->fail_on = KPO_ST_RED;
			else if (strcmp(optarg, "amber") == 0)
				opt->fail_on = KPO_ST_AMBER;
			else
				kpo_errx(EX_USAGE, "--fail-on: 'red' or 'amber' expected: '%s'", optarg);
			break;
		case O_MIN_N:
			n = kpo_number_arg("--min-n", optarg, 0, 1e15);
			if (n != (unsigned long long)n)
				kpo_errx(EX_USAGE, "--min-n: a whole number expected: '%s'", optarg);
			opt->min_n = (unsigned long long)n;
			break;
		case O_PREVIOUS:
			opt->previous = optarg;
			break;
		case O_TARGETS:
			opt->targets = optarg;
			break;
		case O_VERSION:
			printf("kpo-score %s\n", KPO_VERSION);
			exit(kpo_close_stdout(0));
		default:
			usage(EX_USAGE);
		}
	}
	if (argc - optind != 1)
		usage(EX_USAGE);
	if (!opt->targets)
		kpo_errx(EX_USAGE, "--targets FILE is required");
	return argv[optind];
}

int
main(int argc, char **argv)
{
	struct options opt = { .dir = ".", .min_n = 10, .fail_on = -1 };
	struct kpo_bundle_need need = { .metrics = { 0 } };
	struct kpo_statuses prev = { NULL, 0, NULL };
	struct kpo_fail f = { 0, NULL };
	struct kpo_targets *ts;
	struct kpo_score_opts so;
	struct kpo_score *s;
	struct kpo_bundle b;
	const char *bundle;
	int status = 0;

	kpo_stage_init(argv[0]);
	bundle = parse_options(argc, argv, &opt);

	/* Everything is read and checked before anything is written. */
	ts = kpo_targets_new();
	kpo_targets_read(ts, opt.targets);
	kpo_targets_need(ts, &need);
	if (kpo_bundle_read(&b, bundle, &need, &f) != 0)
		kpo_errx(f.status, "%s", f.msg);
	if (opt.previous) {
		char *path = kpo_xasprintf("%s/%s", opt.previous, kpo_status_files[KPO_SF_STATUS]);
		int rc = kpo_statuses_read(&prev, path, &f);

		free(path);
		if (rc != 0)
			kpo_errx(f.status, "--previous %s", f.msg);
	}
	so = (struct kpo_score_opts){ opt.min_n, opt.previous ? &prev : NULL };
	s = kpo_score_new(ts, &b, &so);

	if (kpo_score_write(s, opt.dir, &f) != 0) {
		kpo_warnx("%s", f.msg);
		status = f.status;
	} else {
		kpo_score_print_alerts(s, stdout);
		if (!opt.quiet)
			kpo_warnx("%zu statuses (%zu red, %zu amber, %zu green, %zu unknown), %zu of %zu vendors scored, "
			    "%zu %salerts; written to %s", kpo_score_statuses(s)->n, kpo_score_count(s, KPO_ST_RED),
			    kpo_score_count(s, KPO_ST_AMBER), kpo_score_count(s, KPO_ST_GREEN),
			    kpo_score_count(s, KPO_ST_UNKNOWN), kpo_score_nscored(s), b.t[KPO_T_VENDOR].n,
			    kpo_score_nalerts(s), opt.previous ? "new " : "", opt.dir);
		if (opt.fail_on >= 0 && (kpo_score_count(s, KPO_ST_RED) ||
		    (opt.fail_on == KPO_ST_AMBER && kpo_score_count(s, KPO_ST_AMBER))))
			status = 1;
	}
	kpo_fail_clear(&f);
	kpo_score_free(s);
	kpo_statuses_free(&prev);
	kpo_bundle_free(&b);
	kpo_targets_free(ts);
	return kpo_close_stdout(status);
}
