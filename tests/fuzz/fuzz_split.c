/* libFuzzer target: the parts kpo-run cuts a file into (csvsplit.h) give the
 * records of one reader of the whole file, whatever the cuts.  The first
 * byte picks the number of parts and the reader's options; the rest is the
 * file.  The parts are read as jobs.c reads them: each from its cut on the
 * line the line ends before it make, and a part whose cut is not where the
 * part before stopped is read again from there.  Every record (line,
 * status, fields, raw text) and the end (error or not) must be the same. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "csvsplit.h"
#include "memfile.h"

struct text {
	char *s;
	size_t n, cap;
};

static void
put(struct text *t, const void *p, size_t n)
{
	if (t->n + n > t->cap) {
		while (t->n + n > t->cap)
			t->cap = t->cap ? 2 * t->cap : 4096;
		t->s = realloc(t->s, t->cap);
		if (!t->s)
			abort();
	}
	memcpy(t->s + t->n, p, n);
	t->n += n;
}

/* Reads R to its end into T; 1 when it ended on an error. */
static int
records(struct kpo_csv *r, struct text *t)
{
	struct kpo_record *rec;
	int rc;

	if (kpo_csv_error(r) != KPO_CSV_OK)
		return 1;
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		char head[64];
		size_t i;

		snprintf(head, sizeof head, "\n%ld %d %zu:", rec->line, (int)rec->status, rec->nf);
		put(t, head, strlen(head));
		for (i = 0; i < rec->nf; i++) {
			put(t, rec->f[i], rec->len[i]);
			put(t, "\x1f", 1);
		}
		put(t, rec->raw, rec->rawlen);
	}
	return rc < 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text whole = { 0 }, parts = { 0 };
	struct kpo_csv_opts o;
	struct kpo_csv *r;
	unsigned long long cut[9], stop = 0, data_at;
	long stop_line = 0;
	char path[64];
	size_t n, k;
	int fd, err_whole, err_parts = 0;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	memset(&o, 0, sizeof o);
	o.delim = (sel & 8) ? ';' : 0;
	o.no_fast_path = (sel & 16) != 0;
	o.max_field = (sel & 32) ? 16 : 0;
	o.max_record = (sel & 64) ? 48 : 0;
	o.keep_blanks = (sel & 128) != 0;
	fd = memfile(data + 1, size - 1, 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	r = kpo_csv_open(path, &o);
	data_at = kpo_csv_data_offset(r);       /* before the records are read: where they begin */
	err_whole = records(r, &whole);
	kpo_csv_close(r);

	n = kpo_split_cuts(fd, size - 1, data_at, 1 + (sel & 7), cut);
	for (k = 0; k < n && !err_parts; k++) {
		struct kpo_csv_range range = { cut[k], k + 1 < n ? cut[k + 1] : 0, 0, 0, 0 };

		if (k > 0 && cut[k] != stop) {
			if (stop == KPO_CSV_STOP_END || (range.end && stop >= range.end))
				continue;       /* the part before read this one */
			range.start = stop;     /* began inside a record: again from its end */
			range.line = stop_line;
		} else if (k > 0) {
			range.line = 1 + kpo_line_ends(fd, 0, cut[k]);
			if (range.line != stop_line)
				abort();        /* the count and the reader number lines alike */
		}
		o.range = &range;
		r = kpo_csv_open(path, &o);
		err_parts = records(r, &parts);
		kpo_csv_close(r);
		stop = range.stop;
		stop_line = range.stop_line;
	}
	if (err_whole != err_parts || whole.n != parts.n || (whole.n && memcmp(whole.s, parts.s, whole.n) != 0))
		abort();
	free(whole.s);
	free(parts.s);
	close(fd);
	return 0;
}
