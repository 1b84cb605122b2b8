/* libFuzzer target: kpo-metrics' row logic over enriched rows, through the
 * same library calls as the stage: all six bundle groupings with their
 * totals and the two exception lists, written to /dev/null, state freed
 * between inputs.  The input is the stream after a fixed header line.
 * Every other input also allocates overheads: a small costs table (with and
 * without a domain, for short vendor names the fuzzer finds) and a default
 * governance percentage. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "costs.h"
#include "csvread.h"
#include "metrics.h"
#include "strmap.h"
#include "out.h"
#include "report.h"

static const char header[] =
    "task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,"
    "currency,inhouse_rate,quality,defects,reworked,source,cost_base,baseline,savings,tat_h,on_time,month\n";

struct run {
	struct kpo_metrics *m;
	struct kpo_stage *st;
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

	if (rc < 0)
		kpo_reject_row(x->st->rejects, r, rec, kpo_metrics_source_field(in), v.kind, v.detail);
	return rc == KPO_METRICS_FULL ? 65 : 0;
}

static void
input_free(void *in)
{
	kpo_metrics_input_free(in);
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
	static struct kpo_out *out;
	static struct kpo_cost entries[] = {
		{ "a", "", 1, 0, 2024 * 12, "2024-01", KPO_COST_GOVERNANCE, 123456 },
		{ "a", "b", 1, 1, 2024 * 12, "2024-01", KPO_COST_TRANSITION, 999 },
		{ "b", "", 1, 0, 2024 * 12 + 1, "2024-02", KPO_COST_OTHER, 7 },
		{ "z", "", 1, 0, 2024 * 12, "2024-01", KPO_COST_OTHER, 1 },
	};
	static struct kpo_costs costs;
	static const struct kpo_dec pct = { 45, 1 };
	struct kpo_metrics_opts mo = { .bundle = 1, .total = 1, .as_of = 1793145600 };  /* 2026-10-28 */
	struct kpo_stage st = { 0 };
	static const struct kpo_stage_ops ops = { input, row, input_free, never, NULL };
	struct run x = { 0 };
	char path[64], *argv[1] = { path };
	size_t t;
	int fd;

	if (!out)
		out = kpo_out_open("/dev/null");
	fd = memfd_create("fuzz", 0);
	if (write(fd, header, sizeof header - 1) != (ssize_t)(sizeof header - 1) ||
	    (size && write(fd, data, size) != (ssize_t)size))
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	if (!costs.governed) {
		costs.c = entries;
		costs.n = sizeof entries / sizeof entries[0];
		costs.governed = kpo_strmap_new();
		*kpo_strmap_get(costs.governed, "b", 1, 1) = (void *)1;
	}
	x.m = kpo_metrics_new(&mo);
	if (size % 2)
		kpo_metrics_overheads(x.m, &costs, &pct);
	x.st = &st;
	st.rejects = kpo_rejects_open(NULL, "metrics");
	kpo_stage_run(&st, &ops, &x, NULL, 1, argv);
	kpo_metrics_build(x.m);
	for (t = 0; t < kpo_metrics_ntables(x.m); t++)
		kpo_metrics_write_table(x.m, t, out);
	for (t = 0; t < kpo_metrics_nlists(x.m); t++)
		kpo_metrics_write_list(x.m, t, out);
	kpo_rejects_close(st.rejects, NULL);
	kpo_metrics_free(x.m);
	close(fd);
	return 0;
}
