/* kpo-rejects: rejects files joined into one, the header once.  See
 * kpo-rejects(1).
 *
 * The stages each write their own rejects file (source,stage,reason,record);
 * the nightly, and an analyst who piped the stages by hand, want one for
 * the report, often gzip-compressed.  Every row is read back with the same
 * CSV reader and written with the same writer, so a row comes out as its
 * stage wrote it, quoted newlines and all; the output is written whole or
 * not at all (a .gz name: zlib, no time stamp). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "args.h"
#include "csvread.h"
#include "err.h"
#include "out.h"
#include "report.h"

static const char *const columns[] = { "source", "stage", "reason", "record" };
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static void
usage(int status)
{
	static const struct kpo_help options[] = {
		{ "-o, --output FILE", "write there (atomically; .gz: gzip) instead of standard output" },
		{ "-q, --quiet", "no summary line" },
		{ "-h, --help", "this help" },
		{ "--version", "the version" },
		{ NULL, NULL }
	};

	kpo_usage(status, "[OPTION]... FILE...",
	    "Joins rejects files (source,stage,reason,record, as the stages write them) into one:\n"
	    "the header once, then every row of each FILE as it is, in the order given.", options, 0);
}

/* 0 when R's header is a rejects file's. */
static int
rejects_header(const struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	size_t i;

	if (!h || h->nf != NCOLUMNS)
		return -1;
	for (i = 0; i < NCOLUMNS; i++)
		if (h->len[i] != strlen(columns[i]) || memcmp(h->f[i], columns[i], h->len[i]) != 0)
			return -1;
	return 0;
}

/* Copies the rows of PATH to OUT, counting them into *ROWS: 0, or the exit
 * status after saying why. */
static int
copy_rows(const char *path, struct kpo_out *out, unsigned long long *rows)
{
	/* A row's record is the rejected record's text, up to the stage's
	 * --max-record-bytes: no cap of ours below that. */
	struct kpo_csv_opts opts = { .delim = ',', .keep_blanks = 1, .max_field = (size_t)1 << 36,
	    .max_record = (size_t)1 << 36 };
	struct kpo_csv *r = kpo_csv_open(path, &opts);
	struct kpo_record *rec;
	int rc, status = 0;
	size_t i;

	if (kpo_csv_error(r) != KPO_CSV_OK) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
	} else if (rejects_header(r) != 0) {
		kpo_warn_at(kpo_csv_name(r), 1 + kpo_csv_skipped(r), "not a rejects file: its header is not "
		    "source,stage,reason,record");
		status = EX_DATAERR;
	}
	while (status == 0 && (rc = kpo_csv_next(r, &rec)) == 1) {
		if (rec->status != KPO_REC_OK) {
			kpo_warn_at(kpo_csv_name(r), rec->line, "not a rejects row: %s",
			    kpo_rec_status_kind(rec->status));
			status = EX_DATAERR;
			break;
		}
		for (i = 0; i < rec->nf; i++)
			kpo_out_field(out, rec->f[i], rec->len[i]);
		kpo_out_endrow(out);
		(*rows)++;
	}
	if (status == 0 && rc < 0) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
	}
	kpo_csv_close(r);
	return status;
}

int
main(int argc, char **argv)
{
	enum { O_VERSION = 256 };
	static const struct option longopts[] = {
		{ "help",    no_argument,       NULL, 'h' },
		{ "output",  required_argument, NULL, 'o' },
		{ "quiet",   no_argument,       NULL, 'q' },
		{ "version", no_argument,       NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = "-";
	unsigned long long rows = 0;
	struct kpo_out *out;
	int ch, i, quiet = 0, status = 0;
	size_t k;

	kpo_stage_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case O_VERSION:
			printf("kpo-rejects %s\n", KPO_VERSION);
			exit(kpo_close_stdout(0));
		default:
			usage(EX_USAGE);
		}
	}
	if (optind == argc)
		usage(EX_USAGE);
	if (!(out = kpo_out_open(output)))
		kpo_err(EX_CANTCREAT, "%s", output);
	for (k = 0; k < NCOLUMNS; k++)
		kpo_out_field(out, columns[k], strlen(columns[k]));
	kpo_out_endrow(out);
	/* Every file is tried, to name every bad one; one bad file writes nothing. */
	for (i = optind; i < argc; i++) {
		int st = copy_rows(argv[i], out, &rows);

		status = kpo_status_merge(status, st);
	}
	status = kpo_out_finish(out, status);   /* -o FILE: only when every file was read */
	if (!status && !quiet)
		kpo_warnx("%llu row%s from %d file%s", rows, rows == 1 ? "" : "s", argc - optind,
		    argc - optind == 1 ? "" : "s");
	return kpo_close_stdout(status);
}
