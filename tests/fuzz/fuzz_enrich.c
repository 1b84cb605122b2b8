/* libFuzzer target: kpo-enrich's row logic over canonical rows, through the
 * same library calls as the stage, with flat fx, rates by domain and region,
 * and business hours in Europe/Berlin with holidays.  The input is the
 * stream after a fixed header line, so the fuzzer spends its time on rows;
 * the header paths are covered by fuzz_ingest and the end-to-end tests. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "calendar.h"
#include "csvread.h"
#include "enrich.h"
#include "out.h"
#include "report.h"

static const char header[] =
    "task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,"
    "currency,inhouse_rate,quality,defects,reworked,source\n";

/* A memory file holding A then B, as a path; the descriptor in *FD. */
static void
memfile(const char *a, size_t an, const uint8_t *b, size_t bn, char *path, int *fd)
{
	*fd = memfd_create("fuzz", 0);
	if ((an && write(*fd, a, an) != (ssize_t)an) || (bn && write(*fd, b, bn) != (ssize_t)bn))
		abort();
	lseek(*fd, 0, SEEK_SET);
	snprintf(path, 64, "/proc/self/fd/%d", *fd);
}

struct run {
	struct kpo_enrich *e;
	struct kpo_stage *st;
	struct kpo_out *out;
};

static void *
input(void *ctx, struct kpo_csv *r)
{
	struct run *x = ctx;

	return kpo_enrich_input(x->e, r, x->out);
}

static int
row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct run *x = ctx;
	struct kpo_verdict v;

	if (kpo_enrich_row(x->e, in, rec, &v) != 0)
		kpo_reject_row(x->st->rejects, r, rec, kpo_enrich_source_field(in), v.kind, v.detail);
	else
		kpo_enrich_put(x->e, in, rec, x->out);
	return 0;
}

static void
input_free(void *in)
{
	kpo_enrich_input_free(in);
}

static int
never(void *ctx)
{
	(void)ctx;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kpo_enrich *e;
	static struct kpo_out *out;
	static struct kpo_stage st;
	static char fx[64], rates[64], cal[64];
	static const struct kpo_csv_opts csv = { .delim = ',' };
	static const struct kpo_stage_ops ops = { input, row, input_free, never, NULL };
	struct run x = { 0 };
	char path[64], *argv[1] = { path };
	int fd;

	if (!e) {
		static const char fxs[] = "currency,rate\nEUR,1.08\nGBP,1.27\nINR,0.012\nRUB,0.011\n";
		static const char rates_s[] = "domain,region,rate,currency\nLegal,,150,\nLegal,India,90,\nD,,80.5,EUR\n";
		static const char hol[] = "date,name\n2026-01-01,New Year\n2026-12-25,Christmas\n";
		struct kpo_enrich_opts eo = { .base = "USD", .fx = fx, .rates = rates, .calendar = cal,
		    .tz = "Europe/Berlin", .as_of = 20420 * 86400LL, .work_start = 9 * 3600,
		    .work_end = 18 * 3600, .work_days = KPO_MON_FRI, .business = 1 };
		int f1, f2, f3;

		memfile(fxs, sizeof fxs - 1, NULL, 0, fx, &f1);
		memfile(rates_s, sizeof rates_s - 1, NULL, 0, rates, &f2);
		memfile(hol, sizeof hol - 1, NULL, 0, cal, &f3);
		e = kpo_enrich_new(&eo);
		close(f1), close(f2), close(f3);
		out = kpo_out_open("/dev/null");
		st.rejects = kpo_rejects_open("/dev/null", "enrich");
	}
	memfile(header, sizeof header - 1, data, size, path, &fd);
	x.e = e;
	x.st = &st;
	x.out = out;
	/* The first input's header is the output's: every input has the same. */
	kpo_stage_run(&st, &ops, &x, &csv, 1, argv);
	close(fd);
	return 0;
}
