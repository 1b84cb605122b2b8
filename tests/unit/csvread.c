/* Unit tests for the CSV reader (stages/lib/csvread.c): line numbers, line
 * ends, BOM, delimiter detection, field counts, quotes, the field cap, gzip
 * and encodings.  Each input is written to a temporary file; the expected
 * lines and fields are read off the input by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "csvread.h"
#include "tap.h"

static char path[64];

static const char *
file_with(const char *data, size_t n)
{
	FILE *f;

	strcpy(path, "/tmp/kpo-csvread.XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
	return path;
}

#define FILE_WITH(lit) file_with(lit, sizeof(lit) - 1)

/* Reads every record and describes them as "LINE:STATUS:f1|f2;..." */
static const char *
describe(const char *file, struct kpo_csv_opts *o, int *rc_out)
{
	static char buf[8192];
	static const char *st[] = { "ok", "count", "quote", "long", "open" };
	struct kpo_csv *r = kpo_csv_open(file, o);
	struct kpo_record *rec;
	int rc = 0;

	buf[0] = '\0';
	if (kpo_csv_error(r)) {
		snprintf(buf, sizeof buf, "ERROR %d", (int)kpo_csv_error(r));
		*rc_out = -1;
		kpo_csv_close(r);
		return buf;
	}
	if (kpo_csv_header(r)) {
		const struct kpo_record *h = kpo_csv_header(r);

		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "H%ld:", h->line);
		for (size_t i = 0; i < h->nf; i++)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? "|" : "", h->f[i]);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ";");
	}
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%ld:%s:", rec->line, st[rec->status]);
		for (size_t i = 0; i < rec->nf && rec->status == KPO_REC_OK; i++)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%.*s", i ? "|" : "",
			    (int)rec->len[i], rec->f[i]);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), ";");
	}
	if (rc < 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "ERROR %d", (int)kpo_csv_error(r));
	*rc_out = rc;
	kpo_csv_close(r);
	unlink(file);
	return buf;
}

static const char *
read_all(const char *file)
{
	int rc;

	return describe(file, NULL, &rc);
}

int
main(void)
{
	struct kpo_csv_opts o;
	struct kpo_csv *r;
	struct kpo_record *rec;
	int rc;

	is(read_all(FILE_WITH("a,b\n1,2\n\n3,4\n")), "H1:a|b;2:ok:1|2;4:ok:3|4;",
	    "a blank line is skipped and counted");
	is(read_all(FILE_WITH("a,b\r\n\"x\r\ny\",2\r\n3,4\r\n")), "H1:a|b;2:ok:x\r\ny|2;4:ok:3|4;",
	    "CRLF with a quoted CRLF inside: the next record is on line 4");
	is(read_all(FILE_WITH("a,b\r1,2\r\r3,4")), "H1:a|b;2:ok:1|2;4:ok:3|4;",
	    "CR line ends, a blank CR line, no final line end");
	is(read_all(FILE_WITH("a,b\n\"one\ntwo\nthree\",2\nbad\n")), "H1:a|b;2:ok:one\ntwo\nthree|2;5:count:;",
	    "a record after three quoted lines is reported on line 5");
	is(read_all(FILE_WITH("\xEF\xBB\xBF\"a\",\"b\"\n1,2\n")), "H1:a|b;2:ok:1|2;",
	    "a BOM before a quoted header is stripped");
	is(read_all(FILE_WITH("a;b;c\n1,5;2;3\n")), "H1:a|b|c;2:ok:1,5|2|3;", "semicolon detected");
	is(read_all(FILE_WITH("a\tb\n1,5\t2\n")), "H1:a|b;2:ok:1,5|2;", "TAB detected");
	is(read_all(FILE_WITH("a|b\n1|2\n")), "H1:a|b;2:ok:1|2;", "pipe detected");
	is(read_all(FILE_WITH("\"a,b,c\";d\n1;2\n")), "H1:a,b,c|d;2:ok:1|2;",
	    "delimiters inside quotes do not count");
	is(read_all(FILE_WITH("single\nx\n")), "H1:single;2:ok:x;", "one column");
	is(read_all(FILE_WITH("a,b\n1,2,3\n4\n5,6\n")), "H1:a|b;2:count:;3:count:;4:ok:5|6;",
	    "too many and too few fields");
	is(read_all(FILE_WITH("a,b\n\"x\"y,2\n3,4\n")), "H1:a|b;2:quote:;3:ok:3|4;",
	    "text after a closing quote: rejected, the next line read");
	is(read_all(FILE_WITH("a,b\n1,2\n\"open,3\n4,5\n")), "H1:a|b;2:ok:1|2;3:open:;ERROR 3",
	    "a quote never closed is reported where it opened, then a data error");
	is(read_all(FILE_WITH("a,b\n1,2")), "H1:a|b;2:ok:1|2;", "no final newline");
	is(read_all(FILE_WITH("a,b\n\"\",\" x \"\n")), "H1:a|b;2:ok:| x ;", "empty and blank-padded quoted fields");
	is(read_all(FILE_WITH("a,b\n x , y \n")), "H1:a|b;2:ok:x|y;", "blanks around unquoted fields go by default");
	is(read_all(FILE_WITH("a,b\n \"x\" ,\" y \"\n")), "H1:a|b;2:ok:x| y ;",
	    "and around quoted ones; blanks inside quotes stay");
	is(read_all(FILE_WITH("a\tb\n\t x\n")), "H1:a|b;2:ok:|x;", "a TAB delimiter is not taken for a blank");
	memset(&o, 0, sizeof o);
	o.keep_blanks = 1;
	is(describe(FILE_WITH("a,b\n x , y \n"), &o, &rc), "H1:a|b;2:ok: x | y ;", "keep_blanks keeps them");
	is(read_all(FILE_WITH("")), "", "empty file: no header, no error");
	is(read_all(FILE_WITH("\xEF\xBB\xBF")), "", "a lone BOM: no header, no error");
	is(read_all(FILE_WITH("a,b\n")), "H1:a|b;", "header only");
	is(read_all(FILE_WITH("a,b\n\n\n")), "H1:a|b;", "header and blank lines");

	/* Raw text of a record, for the rejects file. */
	r = kpo_csv_open(FILE_WITH("a,b\n\"x\ny\",2\r\n"), NULL);
	rc = kpo_csv_next(r, &rec);
	is_int(rc, 1, "raw: one record");
	is_int(rec->rawlen, 7, "raw: 7 bytes without the line end");
	ok(memcmp(rec->raw, "\"x\ny\",2", 7) == 0, "raw: the bytes as read, quotes and all");
	kpo_csv_close(r);
	unlink(path);

	/* NUL bytes are data. */
	r = kpo_csv_open(file_with("a,b\n1\0x,2\n", 11), NULL);
	rc = kpo_csv_next(r, &rec);
	is_int(rec->len[0], 3, "a NUL byte stays in the field");
	kpo_csv_close(r);
	unlink(path);

	/* The field cap: an unquoted field past it loses its row, the next row
	 * is read; a quoted one stops the file, with memory bounded. */
	{
		char big[1200];

		memset(&o, 0, sizeof o);
		o.max_field = 100;
		strcpy(big, "a,b\n");
		memset(big + 4, 'x', 1000);
		strcpy(big + 1004, ",1\n3,4\n");
		is(describe(file_with(big, strlen(big)), &o, &rc), "H1:a|b;2:long:;3:ok:3|4;",
		    "an unquoted field past the cap: rejected, the next line read");
		big[4] = '"';
		strcpy(big + 1004, "\n3,4\n");
		is(describe(file_with(big, strlen(big)), &o, &rc), "H1:a|b;2:open:;ERROR 3",
		    "a quoted field past the cap: reported at its line, file stopped");
	}

	/* A bad quote on a line longer than one read: one reject, and the
	 * rest of the line is not taken for a new record (found by fuzzing). */
	{
		size_t n = 300000;
		char *big = malloc(n + 64);

		size_t k;

		strcpy(big, "a,b,c\n\"ab\"c,");
		k = strlen(big);
		memset(big + k, 'x', n);
		strcpy(big + k + n, ",2\n3,4,5\n");
		is(read_all(file_with(big, strlen(big))), "H1:a|b|c;2:quote:;3:ok:3|4|5;",
		    "a bad quote on a 300 KB line: one rejected record, the next line read");
		free(big);
	}

	/* Gzip: the same records; truncated or corrupt: an I/O error. */
	{
		static const char text[] = "a,b\n1,2\n3,4\n";
		char gzpath[64], buf[256];
		gzFile gz;
		FILE *f;
		size_t n;

		strcpy(gzpath, "/tmp/kpo-csvread-gz.XXXXXX");
		close(mkstemp(gzpath));
		gz = gzopen(gzpath, "wb");
		gzwrite(gz, text, sizeof text - 1);
		gzclose(gz);
		is(read_all(gzpath), "H1:a|b;2:ok:1|2;3:ok:3|4;", "gzip read by its magic bytes");
		/* read_all unlinked it; write it again and cut it short */
		gz = gzopen(gzpath, "wb");
		for (int i = 0; i < 300; i++)
			gzwrite(gz, "1,2\n", 4);
		gzclose(gz);
		f = fopen(gzpath, "rb");
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		file_with(buf, n - 6);
		{
			const char *d = read_all(path);

			ok(strstr(d, "ERROR 2") != NULL, "a truncated gzip is an I/O error (%s)", d + strlen(d) - 7);
		}
		buf[n / 2] ^= 0x55;
		buf[n / 2 + 1] ^= 0x55;
		{
			const char *d = read_all(file_with(buf, n));

			ok(strstr(d, "ERROR 2") != NULL, "a corrupt gzip is an I/O error");
		}
		unlink(gzpath);
	}

	/* Encodings: "Привет;Мир" in cp1251. */
	memset(&o, 0, sizeof o);
	o.encoding = "cp1251";
	is(describe(FILE_WITH("\xcf\xf0\xe8\xe2\xe5\xf2;\xcc\xe8\xf0\n1;2\n"), &o, &rc),
	    "H1:\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82|\xD0\x9C\xD0\xB8\xD1\x80;2:ok:1|2;",
	    "cp1251 converted to UTF-8");
	o.encoding = "no-such-encoding";
	is(describe(FILE_WITH("a\n"), &o, &rc), "ERROR 4", "an unknown encoding is a usage error");
	unlink(path);

	/* A missing file. */
	r = kpo_csv_open("/nonexistent/kpo.csv", NULL);
	is_int(kpo_csv_error(r), KPO_CSV_EOPEN, "a missing file cannot be opened");
	ok(strstr(kpo_csv_message(r), "/nonexistent/kpo.csv") != NULL, "the message names it");
	kpo_csv_close(r);
	r = kpo_csv_open("/tmp", NULL);
	is_int(kpo_csv_error(r), KPO_CSV_EOPEN, "a folder cannot be opened");
	kpo_csv_close(r);

	return done_testing();
}
