/* Unit tests for the CSV reader (stages/lib/csvread.c): line numbers, line
 * ends, BOM, delimiter detection, field counts, quotes, the field cap, gzip
 * and encodings.  Each input is written to a temporary file; the expected
 * lines and fields are read off the input by hand. */
#include <pthread.h>
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
	static const char *st[] = { "ok", "count", "quote", "long", "open", "many", "rlong" };
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

/* Reads PATH with field cap CAP many times over; returns the number of reads
 * that did not give "one header, one record of status WANT". */
struct reader_job {
	const char *path;
	size_t cap;
	enum kpo_rec_status want;
	int wrong;
};

static void *
read_many(void *arg)
{
	struct reader_job *j = arg;
	struct kpo_csv_opts o = { .max_field = j->cap };

	for (int i = 0; i < 300; i++) {
		struct kpo_csv *r = kpo_csv_open(j->path, &o);
		struct kpo_record *rec;

		if (kpo_csv_next(r, &rec) != 1 || rec->status != j->want || kpo_csv_next(r, &rec) != 0)
			j->wrong++;
		kpo_csv_close(r);
	}
	return NULL;
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
	is(read_all(FILE_WITH("a;b")), "H1:a|b;", "a header without a line end (found by fuzzing: it hung)");
	is(read_all(FILE_WITH("\"a;b\n")), "ERROR 3", "a header with a quote never closed");
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

	/* The cap on fields per record: past it the record is rejected and the
	 * rest of its line skipped; the next line is read. */
	memset(&o, 0, sizeof o);
	o.max_fields = 3;
	is(describe(FILE_WITH("a,b,c\n1,2,3\n1,2,3,4\n5,6,7\n"), &o, &rc), "H1:a|b|c;2:ok:1|2|3;3:many:;4:ok:5|6|7;",
	    "max_fields 3: a record of 4 fields is rejected, the next line read");
	is(describe(FILE_WITH("a,b,c\n1,2,3,4,\"x\ny\"\n5,6,7\n"), &o, &rc), "H1:a|b|c;2:many:;3:quote:;4:ok:5|6|7;",
	    "past the cap the rest of the line is not parsed, quotes and all");
	is(describe(FILE_WITH("a,b,c\n1,2,3,\"x\ny\"\n5,6,7\n"), &o, &rc), "H1:a|b|c;2:many:;4:ok:5|6|7;",
	    "a fourth field closing on the next line is counted there");
	is(describe(FILE_WITH("a,b,c\n1,2,3,4"), &o, &rc), "H1:a|b|c;2:many:;", "and on a last line without a line end");
	r = kpo_csv_open(FILE_WITH("a,b,c,d\n1,2,3,4\n"), &o);
	is_int(kpo_csv_error(r), KPO_CSV_EDATA, "a header past max_fields is a data error");
	ok(strstr(kpo_csv_message(r), ":1: the header line has more than 3 fields") != NULL, "which says so (%s)",
	    kpo_csv_message(r));
	kpo_csv_close(r);
	unlink(path);
	is(kpo_rec_status_kind(KPO_REC_TOO_MANY_FIELDS), "too many fields", "its reject kind");

	/* The cap on record bytes: the raw text counts, without its line end. */
	memset(&o, 0, sizeof o);
	o.max_record = 10;
	is(describe(FILE_WITH("a,b\n1,2\n1234,67890\n12345,67890\n3,4\n"), &o, &rc),
	    "H1:a|b;2:ok:1|2;3:ok:1234|67890;4:rlong:;5:ok:3|4;", "max_record 10: 11 bytes are rejected, 10 are not");
	r = kpo_csv_open(FILE_WITH("a,b\n12345,678901234\n"), &o);
	rc = kpo_csv_next(r, &rec);
	ok(rc == 1 && rec->status == KPO_REC_RECORD_TOO_LONG && rec->nf == 0, "record too long: no fields");
	ok(rec->rawlen == 10 && memcmp(rec->raw, "12345,6789", 10) == 0, "and its raw text cut at the cap");
	kpo_csv_close(r);
	unlink(path);
	is(describe(FILE_WITH("a,b\n\"12345678901\",2\n3,4\n"), &o, &rc), "H1:a|b;2:rlong:;ERROR 3",
	    "the cap inside a quoted field: rejected, the rest of the file not read");
	is(describe(FILE_WITH("a,b\n\"1\n2\n3\",4\n3,4\n"), &o, &rc), "H1:a|b;2:ok:1\n2\n3|4;5:ok:3|4;",
	    "line ends inside quotes count as bytes");
	is(describe(FILE_WITH("a,b\n\"1\n2\n3\n4\",5\n3,4\n"), &o, &rc), "H1:a|b;2:rlong:;6:ok:3|4;",
	    "a record of four lines past the cap outside quotes: the rest of its last line skipped");
	r = kpo_csv_open(FILE_WITH("abcdefghijk\n1\n"), &o);
	ok(kpo_csv_error(r) == KPO_CSV_EDATA && strstr(kpo_csv_message(r), ":1: the header line is longer than 10 bytes"),
	    "a header past max_record is a data error (%s)", kpo_csv_message(r));
	kpo_csv_close(r);
	unlink(path);
	is(kpo_rec_status_kind(KPO_REC_RECORD_TOO_LONG), "record too long", "its reject kind");

	/* One line of 1,000,000 delimiters, past any read: rejected with the
	 * default cap, its raw text kept to the end of the line. */
	{
		size_t n = 1000000;
		char *big = malloc(n + 64);

		strcpy(big, "a,b\n");
		memset(big + 4, ',', n);
		strcpy(big + 4 + n, "\n1,2\n");
		r = kpo_csv_open(file_with(big, strlen(big)), NULL);
		rc = kpo_csv_next(r, &rec);
		ok(rc == 1 && rec->status == KPO_REC_TOO_MANY_FIELDS && rec->line == 2 && rec->rawlen == n,
		    "a line of %zu delimiters: too many fields at line 2, all of it raw", n);
		rc = kpo_csv_next(r, &rec);
		ok(rc == 1 && rec->status == KPO_REC_OK && rec->line == 3, "the next line is read");
		kpo_csv_close(r);
		unlink(path);
		free(big);
	}

	/* A line of blanks is a blank line; the next record starts on its own line. */
	is(read_all(FILE_WITH("a,b\n   \n \t\n1,2\n")), "H1:a|b;4:ok:1|2;", "lines of blanks are skipped and counted");
	memset(&o, 0, sizeof o);
	o.keep_blanks = 1;
	is(describe(FILE_WITH("a\n  \n"), &o, &rc), "H1:a;2:ok:  ;", "unless blanks are kept");

	/* Read boundaries change nothing: the same records with reads of 1 to 9 bytes. */
	{
		static const char text[] = "\xEF\xBB\xBF" "a,b\r\n\"x\r\ny\",2\r\n\r\n  \n3 , 4\r\"z\"w,5\n6,\"7\"\n1,2,3,4";
		char want[8192];
		int same = 1;

		memset(&o, 0, sizeof o);
		o.max_fields = 3;
		snprintf(want, sizeof want, "%s", describe(FILE_WITH(text), &o, &rc));
		for (size_t k = 1; k < 10; k++) {
			o.read_size = k;
			if (strcmp(describe(FILE_WITH(text), &o, &rc), want) != 0) {
				same = 0;
				printf("# read_size %zu: %s\n", k, describe(FILE_WITH(text), &o, &rc));
			}
		}
		is(want, "H1:a|b;2:ok:x\r\ny|2;6:ok:3|4;7:quote:;8:ok:6|7;9:many:;", "records with a BOM, CRLF, quotes and caps");
		ok(same, "the same with reads of 1 to 9 bytes");
	}

	/* Readers with different field caps, taking turns in one thread and
	 * side by side in four: each keeps its own cap. */
	{
		char text[40000], small[64], big[64];
		struct kpo_csv_opts os = { .max_field = 4 }, ob = { .max_field = 100 };
		struct kpo_csv *rs, *rb;
		struct kpo_record *rs_rec, *rb_rec;
		struct reader_job jobs[4];
		pthread_t t[4];
		int wrong = 0;

		strcpy(text, "a,b\n12345,1\n");
		strcpy(small, file_with(text, strlen(text)));
		strcpy(big, file_with(text, strlen(text)));
		rs = kpo_csv_open(small, &os);
		rb = kpo_csv_open(big, &ob);
		ok(kpo_csv_next(rs, &rs_rec) == 1 && rs_rec->status == KPO_REC_TOO_LONG,
		    "two readers in one thread: the one opened first keeps its cap of 4");
		ok(kpo_csv_next(rb, &rb_rec) == 1 && rb_rec->status == KPO_REC_OK, "and the other its cap of 100");
		kpo_csv_close(rs);
		kpo_csv_close(rb);
		unlink(small);
		unlink(big);
		/* A 30,000-byte field: libcsv grows its buffer in the middle of
		 * each parse, which is when a shared cap would be the other's. */
		strcpy(text, "a,b\n");
		memset(text + 4, 'x', 30000);
		strcpy(text + 30004, ",1\n");
		strcpy(small, file_with(text, strlen(text)));
		strcpy(big, file_with(text, strlen(text)));
		for (int i = 0; i < 4; i++) {
			jobs[i] = (struct reader_job){ i % 2 ? big : small, i % 2 ? 40000 : 20000,
			    i % 2 ? KPO_REC_OK : KPO_REC_TOO_LONG, 0 };
			pthread_create(&t[i], NULL, read_many, &jobs[i]);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			wrong += jobs[i].wrong;
		}
		is_int(wrong, 0, "four threads, 300 reads each, caps of 20,000 and 40,000: every read as its own cap says");
		unlink(small);
		unlink(big);
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
