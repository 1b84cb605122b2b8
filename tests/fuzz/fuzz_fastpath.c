/* libFuzzer target: the reader's fast path against libcsv.  The same bytes
 * are read twice, side by side: once with the fast path (lines without a
 * quote split by scanning), once with every record through libcsv
 * (no_fast_path), each with its own read size, so read boundaries fall in
 * different places.  Any difference in the header, a record (status,
 * fields and their lengths, line, raw text), the position after it, or the
 * errors aborts.
 *
 * The first three bytes pick the options; the rest is the file:
 *   byte 0: delimiter (3 bits), encoding (2), keep_blanks, gzip, a field cap of 8
 *   byte 1: max_fields (2 bits: default, 1, 3, 5), max_record (2: default,
 *           6, 16, 40), read size of the fast run (3 bits)
 *   byte 2: read size of the libcsv run (3 bits) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "memfile.h"

static void
differ(const char *what, long line)
{
	fprintf(stderr, "fuzz_fastpath: the fast path and libcsv differ: %s (line %ld)\n", what, line);
	abort();
}

static void
same_record(const struct kpo_record *a, const struct kpo_record *b)
{
	size_t i;

	if (a->status != b->status)
		differ("status", b->line);
	if (a->line != b->line)
		differ("line", b->line);
	if (a->rawlen != b->rawlen || memcmp(a->raw, b->raw, a->rawlen) != 0)
		differ("raw text", b->line);
	if (a->nf != b->nf)
		differ("number of fields", b->line);
	for (i = 0; i < a->nf; i++) {
		if (a->len[i] != b->len[i] || memcmp(a->f[i], b->f[i], a->len[i]) != 0)
			differ("a field", b->line);
		if (a->f[i][a->len[i]] != '\0' || b->f[i][b->len[i]] != '\0')
			differ("a field without its NUL", b->line);
	}
}

static void
same_state(struct kpo_csv *a, struct kpo_csv *b, long line)
{
	if (kpo_csv_error(a) != kpo_csv_error(b) || strcmp(kpo_csv_message(a), kpo_csv_message(b)) != 0)
		differ("error", line);
	if (kpo_csv_lines(a) != kpo_csv_lines(b) || kpo_csv_bytes(a) != kpo_csv_bytes(b))
		differ("position", line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { 0, ',', ';', '\t', '|', ',', ' ', 'x' };
	static const char *encodings[] = { NULL, "cp1251", "UTF-16", "latin1" };
	static const size_t max_fields[] = { 0, 1, 3, 5 };
	static const size_t max_record[] = { 0, 6, 16, 40 };
	static const size_t reads[] = { 0, 1, 2, 3, 5, 7, 16, 64 };
	struct kpo_csv_opts oa, ob;
	struct kpo_csv *a, *b;
	struct kpo_record *ra, *rb;
	const struct kpo_record *ha, *hb;
	char path[64];
	long last = 0;
	int fd, rca, rcb;

	if (size < 3)
		return 0;
	memset(&oa, 0, sizeof oa);
	oa.delim = delims[data[0] & 7];
	oa.encoding = encodings[(data[0] >> 3) & 3];
	oa.keep_blanks = (data[0] >> 5) & 1;
	oa.max_field = (data[0] & 0x80) ? 8 : 0;
	oa.max_fields = max_fields[data[1] & 3];
	oa.max_record = max_record[(data[1] >> 2) & 3];
	ob = oa;
	oa.read_size = reads[(data[1] >> 4) & 7];
	ob.read_size = reads[data[2] & 7];
	ob.no_fast_path = 1;
	fd = memfile(data + 3, size - 3, (data[0] & 0x40) != 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	a = kpo_csv_open(path, &oa);
	b = kpo_csv_open(path, &ob);
	same_state(a, b, 0);
	ha = kpo_csv_header(a);
	hb = kpo_csv_header(b);
	if (!ha != !hb)
		differ("header", 0);
	if (ha) {
		same_record(ha, hb);
		last = ha->line;
	}
	if (kpo_csv_delim(a) != kpo_csv_delim(b))
		differ("delimiter", 0);
	if (kpo_csv_error(a) == KPO_CSV_OK) {
		do {
			rca = kpo_csv_next(a, &ra);
			rcb = kpo_csv_next(b, &rb);
			if (rca != rcb)
				differ("end of input", last);
			if (rca == 1) {
				same_record(ra, rb);
				if (ra->line <= last)
					abort();        /* records come in line order */
				last = ra->line;
				if (ra->status == KPO_REC_OK && ha && ra->nf != ha->nf)
					abort();
			}
			same_state(a, b, last);
		} while (rca == 1);
	}
	kpo_csv_close(a);
	kpo_csv_close(b);
	close(fd);
	return 0;
}
