/* libFuzzer target: kpo-metrics' row logic over enriched rows, through the
 * same library calls as the stage: all six bundle groupings with their
 * totals and the two exception lists, written to /dev/null, state freed
 * between inputs.  The input is the stream after a fixed header line.
 * Every other input also allocates overheads: a small costs table (with and
 * without a domain, for short vendor names the fuzzer finds) and a default
 * governance percentage.  The same input read in parts and merged must give
 * the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static const struct kpo_costs *
test_costs(void)
{
	static struct kpo_cost entries[] = {
		{ "a", "", 1, 0, 2024 * 12, "2024-01", KPO_COST_GOVERNANCE, 123456 },
		{ "a", "b", 1, 1, 2024 * 12, "2024-01", KPO_COST_TRANSITION, 999 },
		{ "b", "", 1, 0, 2024 * 12 + 1, "2024-02", KPO_COST_OTHER, 7 },
		{ "z", "", 1, 0, 2024 * 12, "2024-01", KPO_COST_OTHER, 1 },
	};
	static struct kpo_costs costs;

	if (!costs.governed) {
		costs.c = entries;
		costs.n = sizeof entries / sizeof entries[0];
		costs.governed = kpo_strmap_new();
		*kpo_strmap_get(costs.governed, "b", 1, 1) = (void *)1;
	}
	return &costs;
}

/* The metrics of DATA (after the header), overheads when OVH. */
static struct kpo_metrics *
metrics_of(const uint8_t *data, size_t size, int ovh)
{
	static const struct kpo_dec pct = { 45, 1 };
	static const struct kpo_stage_ops ops = { input, row, input_free, never, NULL };
	struct kpo_metrics_opts mo = { .bundle = 1, .total = 1, .as_of = 1793145600 };  /* 2026-10-28 */
	struct kpo_stage st = { 0 };
	struct run x = { 0 };
	char path[64], *argv[1] = { path };
	int fd = memfd_create("fuzz", 0);

	if (write(fd, header, sizeof header - 1) != (ssize_t)(sizeof header - 1) ||
	    (size && write(fd, data, size) != (ssize_t)size))
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	x.m = kpo_metrics_new(&mo);
	if (ovh)
		kpo_metrics_overheads(x.m, test_costs(), &pct);
	x.st = &st;
	st.rejects = kpo_rejects_open(NULL, "metrics");
	kpo_stage_run(&st, &ops, &x, NULL, 1, argv);
	kpo_rejects_close(st.rejects, NULL);
	close(fd);
	return x.m;
}

/* Every table and list of M, built, as text in OUT. */
static const char *
written(struct kpo_metrics *m, struct kpo_out *out, size_t *n)
{
	size_t t;

	kpo_out_memory_clear(out);
	kpo_metrics_build(m);
	for (t = 0; t < kpo_metrics_ntables(m); t++)
		kpo_metrics_write_table(m, t, out);
	for (t = 0; t < kpo_metrics_nlists(m); t++)
		kpo_metrics_write_list(m, t, out);
	return kpo_out_memory_text(out, n);
}

/* The input cut at up to 4 line ends (where the first byte says), read
 * in parts and merged in order, must give what one reading gives: the
 * merge kpo-run's jobs make.  Only inputs without a quote are cut (a line
 * end inside quotes is no record boundary). */
static void
check_merge(const uint8_t *data, size_t size, int ovh, const char *whole, size_t wn, struct kpo_out *out)
{
	size_t cut[6], ncut = 0, i, k, parts = size ? 2 + data[0] % 4 : 1;
	struct kpo_metrics *m[6];
	const char *text;
	size_t n;

	if (memchr(data, '"', size))
		return;
	cut[ncut++] = 0;
	for (k = 1; k < parts; k++) {
		size_t at = size * k / parts;
		const uint8_t *nl = at < size ? memchr(data + at, '\n', size - at) : NULL;

		if (nl && (size_t)(nl - data) + 1 > cut[ncut - 1])
			cut[ncut++] = (size_t)(nl - data) + 1;
	}
	cut[ncut] = size;
	for (i = 0; i < ncut; i++)
		m[i] = metrics_of(data + cut[i], cut[i + 1] - cut[i], ovh);
	for (i = 1; i < ncut; i++) {
		if (kpo_metrics_merge(m[0], m[i]) != 0)
			abort();
		kpo_metrics_free(m[i]);
	}
	text = written(m[0], out, &n);
	if (n != wn || memcmp(text, whole, n) != 0) {
		fprintf(stderr, "fuzz_metrics: %zu parts merged differ from one reading\n", ncut);
		abort();
	}
	kpo_metrics_free(m[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kpo_out *out, *out2;
	int ovh = size % 2;
	struct kpo_metrics *m;
	const char *text;
	char *whole;
	size_t n;

	if (!out) {
		out = kpo_out_memory();
		out2 = kpo_out_memory();
	}
	m = metrics_of(data, size, ovh);
	text = written(m, out, &n);
	whole = malloc(n + 1);
	memcpy(whole, text, n);
	kpo_metrics_free(m);
	check_merge(data, size, ovh, whole, n, out2);
	free(whole);
	return 0;
}
