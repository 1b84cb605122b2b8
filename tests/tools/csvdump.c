/* csvdump: prints what the kpo CSV reader makes of a file, one JSON object per
 * record (the header first): its line, status, raw text and fields.  Bytes
 * that are not ASCII are written as they are.  For tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"

static void
json_string(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
dump(const struct kpo_record *rec)
{
	static const char *names[] = { "ok", "field_count", "bad_quote", "too_long", "unterminated",
	    "too_many_fields", "record_too_long" };
	size_t i;

	printf("{\"line\":%ld,\"status\":\"%s\",\"raw\":", rec->line, names[rec->status]);
	json_string(rec->raw, rec->rawlen);
	printf(",\"fields\":[");
	for (i = 0; i < rec->nf; i++) {
		if (i)
			putchar(',');
		json_string(rec->f[i], rec->len[i]);
	}
	printf("]}\n");
}

int
main(int argc, char **argv)
{
	struct kpo_csv_opts o = { 0 };
	struct kpo_csv *r;
	struct kpo_record *rec;
	int ch, rc;

	while ((ch = getopt(argc, argv, "bd:e:m:")) != -1)
		switch (ch) {
		case 'b': o.keep_blanks = 1; break;
		case 'd': o.delim = optarg[0]; break;
		case 'e': o.encoding = optarg; break;
		case 'm': o.max_field = strtoul(optarg, NULL, 10); break;
		default: return 64;
		}
	r = kpo_csv_open(optind < argc ? argv[optind] : "-", &o);
	if (kpo_csv_error(r)) {
		fprintf(stderr, "csvdump: %s\n", kpo_csv_message(r));
		rc = kpo_csv_exit_status(kpo_csv_error(r));
		kpo_csv_close(r);
		return rc;
	}
	if (kpo_csv_header(r))
		dump(kpo_csv_header(r));
	while ((rc = kpo_csv_next(r, &rec)) == 1)
		dump(rec);
	printf("{\"delim\":\"%c\",\"lines\":%ld}\n", kpo_csv_delim(r) == '\t' ? 't' : kpo_csv_delim(r), kpo_csv_lines(r));
	if (rc < 0) {
		fprintf(stderr, "csvdump: %s\n", kpo_csv_message(r));
		rc = kpo_csv_exit_status(kpo_csv_error(r));
		kpo_csv_close(r);
		return rc;
	}
	kpo_csv_close(r);
	return 0;
}
