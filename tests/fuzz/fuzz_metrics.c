/* libFuzzer target: kpo-metrics over enriched rows (the stage itself, main()
 * renamed): all six bundle groupings with their totals, written to
 * /dev/null, state freed between inputs.  The input is the stream after a
 * fixed header line. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define main kpo_metrics_main
#include "../../stages/kpo-metrics.c"
#undef main

static const char header[] =
    "task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,"
    "currency,inhouse_rate,quality,defects,reworked,source,cost_base,baseline,savings,tat_h,on_time,month\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kpo_out *out;
	char path[64];
	size_t gi;
	int fd;

	if (!out)
		out = kpo_out_open("/dev/null");
	fd = memfd_create("fuzz", 0);
	if (write(fd, header, sizeof header - 1) != (ssize_t)(sizeof header - 1) ||
	    (size && write(fd, data, size) != (ssize_t)size))
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	memset(&run, 0, sizeof run);
	bundle_groupings();
	run.leaves = kpo_strmap_new();
	run.rejects = kpo_rejects_open(NULL, "metrics");
	metrics(path);
	build_groups();
	for (gi = 0; gi < run.ng; gi++)
		write_table(out, &run.g[gi], 1);
	kpo_rejects_close(run.rejects, NULL);
	free_all();
	close(fd);
	return 0;
}
