/* libcsv-baseline: parses a file with libcsv alone (strict mode, 128 KiB
 * reads, callbacks that only count) and prints records and fields: the
 * ceiling kpo's reader is measured against by scripts/bench. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <csv.h>

static unsigned long long fields, records;

static void on_field(void *s, size_t n, void *d) { (void)s, (void)n, (void)d; fields++; }
static void on_record(int c, void *d) { (void)c, (void)d; records++; }

int
main(int argc, char **argv)
{
	static char buf[128 << 10];
	struct csv_parser p;
	ssize_t n;
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : 0;

	if (fd < 0 || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return 66;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		if (csv_parse(&p, buf, (size_t)n, on_field, on_record, NULL) != (size_t)n)
			return 65;
	csv_fini(&p, on_field, on_record, NULL);
	csv_free(&p);
	printf("%llu records, %llu fields\n", records, fields);
	return 0;
}
