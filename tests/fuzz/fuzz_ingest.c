/* libFuzzer target: kpo-ingest's row logic over one whole input (header
 * mapping, every value parser, --dedupe, rejects, output), through the same
 * library calls as the stage.  Output and rejects go to /dev/null. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvread.h"
#include "ingest.h"
#include "out.h"
#include "report.h"

struct run {
	struct kpo_ingest *ing;
	struct kpo_stage *st;
	struct kpo_out *out;
};

static void *
input(void *ctx, struct kpo_csv *r)
{
	return kpo_ingest_input(((struct run *)ctx)->ing, r);
}

static int
row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct run *x = ctx;
	const char *source = kpo_ingest_source(in, rec->line);
	struct kpo_verdict v;

	if (kpo_ingest_row(x->ing, in, rec, source, &v) != 0)
		kpo_reject(x->st->rejects, kpo_csv_name(r), rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
	else
		kpo_ingest_put(in, x->out);
	return 0;
}

static void
input_free(void *in)
{
	kpo_ingest_input_free(in);
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
	static struct kpo_ingest *ing;
	static struct kpo_out *out;
	static struct kpo_stage st;
	static const struct kpo_stage_ops ops = { input, row, input_free, never, NULL };
	struct kpo_csv_opts csv = { 0 };
	struct run x = { 0 };
	char *argv[1];
	char path[64];
	int fd;

	if (!ing) {
		struct kpo_ingest_opts io = { .dedupe = 1 };

		ing = kpo_ingest_new(&io);
		out = kpo_out_open("/dev/null");
		st.rejects = kpo_rejects_open("/dev/null", "ingest");
	}
	fd = memfd_create("fuzz", 0);
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	csv.encoding = size && (data[0] & 1) && (data[size - 1] & 1) ? "cp1251" : NULL;
	csv.keep_blanks = size && (data[0] & 2);
	x.ing = ing;
	x.st = &st;
	x.out = out;
	argv[0] = path;
	kpo_stage_run(&st, &ops, &x, &csv, 1, argv);
	close(fd);
	return 0;
}
