/* libFuzzer target: partials (partial.h) of kpo-metrics' row logic.
 *
 * The rows of the input (enriched rows after a fixed header line) are
 * dealt into 1 to 17 shards at random (the first bytes choose how many and
 * seed the dealing; each shard keeps its rows in their order), each shard
 * is read into a kpo_metrics of its own and saved as a partial, and the
 * partials are loaded into one in a shuffled order: its tables and lists
 * must be those of one reading of all the rows, byte for byte, with and
 * without overheads.  Inputs with a quote are not dealt (a line is then not
 * always a record).
 *
 * Every input is also loaded as a partial as it is (after a prefix that
 * makes the numbers read from it plausible): a damaged partial must be
 * refused or loaded, never crash, and a loaded one must build. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvread.h"
#include "metrics.h"
#include "out.h"
#include "partial.h"
#include "report.h"

static const char header[] =
    "task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,"
    "currency,inhouse_rate,quality,defects,reworked,source,cost_base,baseline,savings,tat_h,on_time,month\n";

#define MAX_SHARDS 17

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

	(void)r;
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

static const struct kpo_dec pct = { 45, 1 };

static struct kpo_metrics *
fresh(int ovh)
{
	struct kpo_metrics_opts mo = { .bundle = 1, .total = 1, .as_of = 1793145600 };  /* 2026-10-28 */
	struct kpo_metrics *m = kpo_metrics_new(&mo);

	if (ovh)
		kpo_metrics_overheads(m, NULL, &pct);
	return m;
}

/* A file of its own in memory, at offset 0, and its name. */
static int
memfile(const void *a, size_t an, const void *b, size_t bn, char *path, size_t size)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0 || (an && write(fd, a, an) != (ssize_t)an) || (bn && write(fd, b, bn) != (ssize_t)bn))
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

/* The metrics of the rows TEXT (after the header). */
static struct kpo_metrics *
metrics_of(const char *text, size_t n, int ovh)
{
	static const struct kpo_stage_ops ops = { input, row, input_free, never, NULL };
	struct kpo_stage st = { 0 };
	struct run x = { 0 };
	char path[64], *argv[1] = { path };
	int fd = memfile(header, sizeof header - 1, text, n, path, sizeof path);

	x.m = fresh(ovh);
	x.st = &st;
	st.rejects = kpo_rejects_open(NULL, "metrics");
	kpo_stage_run(&st, &ops, &x, NULL, 1, argv);
	kpo_rejects_close(st.rejects, NULL);
	close(fd);
	return x.m;
}

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

/* Saves M as a partial's metrics into a memory file: its descriptor. */
static int
save(struct kpo_metrics *m)
{
	int fd = memfd_create("partial", 0), copy = dup(fd);
	struct kpo_out *o;

	if (fd < 0 || copy < 0)
		abort();
	o = kpo_out_fd(copy);
	kpo_metrics_save(m, o);
	if (kpo_out_commit(o) != 0)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static void
load(struct kpo_metrics *to, int fd)
{
	char path[64];
	struct kpo_pin *in;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (!(in = kpo_pin_open(path)) || kpo_metrics_load(to, in) != 0) {
		fprintf(stderr, "fuzz_partial: a partial we saved does not load\n");
		abort();
	}
	kpo_pin_close(in);
}

static uint64_t
next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
check_shards(const uint8_t *data, size_t size, int ovh, const char *whole, size_t wn, struct kpo_out *out)
{
	unsigned nshards = 1 + data[0] % MAX_SHARDS, k, order[MAX_SHARDS];
	uint64_t seed = 0x9E3779B97F4A7C15ULL ^ (size > 1 ? data[1] : 0) ^ ((uint64_t)size << 32);
	char *text[MAX_SHARDS];
	size_t len[MAX_SHARDS] = { 0 }, at = 2, n;
	int fd[MAX_SHARDS];
	struct kpo_metrics *m;
	const char *got;

	if (memchr(data, '"', size) || size < 2)
		return;
	for (k = 0; k < nshards; k++)
		text[k] = malloc(size + 1);
	while (at < size) {   /* each line to a shard at random */
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t end = nl ? (size_t)(nl - data) + 1 : size;

		k = (unsigned)(next(&seed) % nshards);
		memcpy(text[k] + len[k], data + at, end - at);
		len[k] += end - at;
		at = end;
	}
	for (k = 0; k < nshards; k++) {
		m = metrics_of(text[k], len[k], ovh);
		fd[k] = save(m);
		kpo_metrics_free(m);
		free(text[k]);
		order[k] = k;
	}
	for (k = nshards; k > 1; k--) {   /* a shuffled order */
		unsigned j = (unsigned)(next(&seed) % k), t = order[k - 1];

		order[k - 1] = order[j];
		order[j] = t;
	}
	m = fresh(ovh);
	for (k = 0; k < nshards; k++) {
		load(m, fd[order[k]]);
		close(fd[order[k]]);
	}
	got = written(m, out, &n);
	if (n != wn || memcmp(got, whole, n) != 0) {
		fprintf(stderr, "fuzz_partial: %u shards merged differ from one reading\n", nshards);
		abort();
	}
	kpo_metrics_free(m);
}

/* DATA as the metrics part of a partial. */
static void
check_damaged(const uint8_t *data, size_t size, struct kpo_out *out)
{
	char path[64];
	int fd = memfile(data, size, NULL, 0, path, sizeof path);
	struct kpo_metrics *m = fresh(size % 2);
	struct kpo_pin *in = kpo_pin_open(path);
	size_t n;

	if (!in)
		abort();
	if (kpo_metrics_load(m, in) == 0)
		written(m, out, &n);
	kpo_pin_close(in);
	kpo_metrics_free(m);
	close(fd);
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
	m = metrics_of(size > 2 ? (const char *)data + 2 : "", size > 2 ? size - 2 : 0, ovh);
	text = written(m, out, &n);
	whole = malloc(n + 1);
	memcpy(whole, text, n);
	kpo_metrics_free(m);
	check_shards(data, size, ovh, whole, n, out2);
	free(whole);
	check_damaged(data, size, out);
	return 0;
}
