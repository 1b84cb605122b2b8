/* libFuzzer target: a whole kpo-ingest run over one input (the record path:
 * header mapping, every value parser, rejects, output), built from the stage
 * itself with its main() renamed.  Output and rejects go to /dev/null. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define main kpo_ingest_main
#include "../../stages/kpo-ingest.c"
#undef main

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kpo_out *out;
	char path[64];
	int fd;

	if (!out) {
		builtin_aliases();
		opt.dedupe = 1;
		run.seen = kpo_strmap_new();
		out = kpo_out_open("/dev/null");
		run.rejects = kpo_rejects_open("/dev/null", "ingest");
	}
	fd = memfd_create("fuzz", 0);
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	opt.csv.encoding = size && (data[0] & 1) && (data[size - 1] & 1) ? "cp1251" : NULL;
	opt.csv.keep_blanks = size && (data[0] & 2);
	ingest(path, out);
	close(fd);
	return 0;
}
