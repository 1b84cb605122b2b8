/* libFuzzer target: kpo-enrich over canonical rows (the stage itself, main()
 * renamed), with flat fx, rates by domain and region, and business hours in
 * Europe/Berlin with holidays.  The input is the stream after a fixed header
 * line, so the fuzzer spends its time on rows; the header paths are covered
 * by fuzz_ingest and the end-to-end tests. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define main kpo_enrich_main
#include "../../stages/kpo-enrich.c"
#undef main

static const char header[] =
    "task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,"
    "currency,inhouse_rate,quality,defects,reworked,source\n";

static const char *
memfile(const char *a, size_t an, const uint8_t *b, size_t bn)
{
	static char path[8][64];
	static int next;
	int fd = memfd_create("fuzz", 0);
	char *p = path[next++ % 8];

	if (an && write(fd, a, an) != (ssize_t)an)
		abort();
	if (bn && write(fd, b, bn) != (ssize_t)bn)
		abort();
	lseek(fd, 0, SEEK_SET);
	snprintf(p, 64, "/proc/self/fd/%d", fd);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kpo_out *out;
	const char *path;

	if (!out) {
		static const char fxs[] = "currency,rate\nEUR,1.08\nGBP,1.27\nINR,0.012\nRUB,0.011\n";
		static const char rates_s[] = "domain,region,rate,currency\nLegal,,150,\nLegal,India,90,\nD,,80.5,EUR\n";
		static const char hol[] = "date,name\n2026-01-01,New Year\n2026-12-25,Christmas\n";

		load_fx(memfile(fxs, sizeof fxs - 1, NULL, 0));
		load_rates(memfile(rates_s, sizeof rates_s - 1, NULL, 0));
		run.cal = kpo_calendar_new("Europe/Berlin", 9 * 3600, 18 * 3600, KPO_MON_FRI);
		load_calendar(memfile(hol, sizeof hol - 1, NULL, 0));
		opt.as_of = 20420 * 86400LL;
		out = kpo_out_open("/dev/null");
		run.rejects = kpo_rejects_open("/dev/null", "enrich");
	}
	path = memfile(header, sizeof header - 1, data, size);
	process(path, out);
	close(atoi(path + strlen("/proc/self/fd/")));
	return 0;
}
