#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <csv.h>
#include <zlib.h>

#include "csvread.h"
#include "err.h"
#include "out.h"

#define READ_CHUNK (128u << 10)
#define DETECT_PEEK (1u << 20)   /* header bytes looked at for the delimiter */
#define FEED_MAX (64u << 10)     /* bytes per csv_parse call: the most parsed past a field-count cap */
#define IN_SLACK 64              /* room in inbuf for a character split across reads */

struct kpo_csv {
	char *name;
	gzFile gz;
	int eof;                /* the source has no more bytes */
	int done;               /* no more records: end of input or file abandoned */
	enum kpo_csv_error err;
	char msg[512];

	/* Decoded (UTF-8) bytes waiting to be parsed: buf[pos..len). */
	char *buf;
	size_t pos, len, cap;
	size_t chunk;           /* bytes asked of each read */
	int at_start;           /* nothing decoded yet: a BOM may follow */

	iconv_t cd;             /* (iconv_t)-1 when the input is UTF-8 */
	char *inbuf;            /* undecoded bytes, when converting: chunk + IN_SLACK */
	size_t inlen;
	long bad_bytes;         /* bytes the encoding could not convert */

	struct csv_parser p;
	int parser_on;
	unsigned char options;
	char delim;
	int keep_blanks;
	size_t max_field, max_fields, max_record;
	int fast;               /* lines without quotes skip libcsv */
	size_t window;          /* the longest line the fast path waits for */
	unsigned char blank[256]; /* 1 for the bytes libcsv drops around unquoted fields */

	long line;              /* physical line the next byte is on */
	int last_cr;            /* the previous byte was CR: an LF now ends no new line */
	unsigned long long bytes;

	/* The record being assembled. */
	int in_record;
	int have_record;
	int too_many;           /* a field past max_fields came: it and later ones are dropped */
	size_t reclen;          /* bytes of the record so far, line ends inside quotes included */
	struct kpo_record rec;
	size_t nfcap;
	size_t *off;            /* field offsets in fbuf */
	char *fbuf;
	size_t flen, fcap;
	char *raw;              /* the record's bytes, cut to max_record */
	size_t rawlen, rawcap;

	struct kpo_record *header;
	size_t header_nf;
	long skipped;           /* lines before the header */
	unsigned long long raw_done;    /* bytes of the file, once it is closed */
	int header_found;

	int bom;                /* bytes of a byte order mark skipped: file offset = bom + bytes */
	unsigned long long range_end;   /* 0: the end of the file */
	struct kpo_csv_range *range;
};

/* libcsv takes a realloc with no context: the cap lives here, one per thread,
 * and is set from the reader before each call into libcsv, so readers with
 * different caps can take turns in one thread and run in several. */
static _Thread_local size_t field_cap = KPO_CSV_MAX_FIELD;

/* libcsv grows a field's buffer by a fixed block; the buffer doubles here
 * instead, so a long field costs linear copying, not quadratic (glibc hides
 * it with mremap, the sanitizers' realloc does not: a 50 MB line took 36 s). */
static void *
capped_realloc(void *p, size_t n)
{
	size_t have = p ? malloc_usable_size(p) : 0, want;

	if (n > field_cap + 1)
		return NULL;
	if (n <= have)
		return p;
	want = have * 2 > n ? have * 2 : n;
	if (want > field_cap + 1)
		want = field_cap + 1;
	return realloc(p, want);
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;   /* every byte is data */
}

static void
fail(struct kpo_csv *r, enum kpo_csv_error e, const char *fmt, ...)
{
	va_list ap;

	if (r->err != KPO_CSV_OK)
		return;
	r->err = e;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->done = 1;
}

/* Room for NF fields (NF is at most max_fields + 1, and so is the room:
 * the fast path counts on meeting the end of it at the field past the cap). */
static void
fields_reserve(struct kpo_csv *r, size_t nf)
{
	if (nf <= r->nfcap)
		return;
	while (nf > r->nfcap)
		r->nfcap = r->nfcap ? 2 * r->nfcap : 64;
	if (r->nfcap > r->max_fields + 1)
		r->nfcap = r->max_fields + 1;
	r->off = kpo_xrealloc(r->off, r->nfcap * sizeof *r->off);
	r->rec.len = kpo_xrealloc(r->rec.len, r->nfcap * sizeof *r->rec.len);
	r->rec.f = kpo_xrealloc(r->rec.f, r->nfcap * sizeof *r->rec.f);
}

/* libcsv's field callback.  Past max_fields it only notes the fact: no
 * memory grows with the number of fields.  Field bytes are bounded by the
 * bytes fed to libcsv, at most max_record. */
static void
on_field(void *s, size_t n, void *data)
{
	struct kpo_csv *r = data;

	if (r->too_many)
		return;
	if (r->rec.nf == r->max_fields) {
		r->too_many = 1;
		return;
	}
	fields_reserve(r, r->rec.nf + 1);
	if (r->flen + n + 1 > r->fcap) {
		while (r->flen + n + 1 > r->fcap)
			r->fcap = r->fcap ? 2 * r->fcap : 4096;
		r->fbuf = kpo_xrealloc(r->fbuf, r->fcap);
	}
	r->off[r->rec.nf] = r->flen;
	r->rec.len[r->rec.nf] = n;
	if (n)
		memcpy(r->fbuf + r->flen, s, n);
	r->flen += n;
	r->fbuf[r->flen++] = '\0';
	r->rec.nf++;
}

static void
on_record(int c, void *data)
{
	struct kpo_csv *r = data;

	(void)c;
	r->have_record = 1;
}

static void
parser_start(struct kpo_csv *r)
{
	if (csv_init(&r->p, r->options) != 0)
		kpo_errx(EX_OSERR, "out of memory");
	csv_set_delim(&r->p, (unsigned char)r->delim);
	if (r->keep_blanks)
		csv_set_space_func(&r->p, no_space);
	csv_set_realloc_func(&r->p, capped_realloc);
	csv_set_blk_size(&r->p, 4096);
	r->parser_on = 1;
}

static void
parser_restart(struct kpo_csv *r)
{
	csv_free(&r->p);
	parser_start(r);
}

/* Keeps the record's bytes for the rejects file, up to max_record of them. */
static void
raw_append(struct kpo_csv *r, const char *s, size_t n)
{
	if (r->rawlen + n > r->max_record)
		n = r->max_record - r->rawlen;
	if (n == 0)
		return;
	if (r->rawlen + n > r->rawcap) {
		while (r->rawlen + n > r->rawcap)
			r->rawcap = r->rawcap ? 2 * r->rawcap : 4096;
		r->raw = kpo_xrealloc(r->raw, r->rawcap);
	}
	memcpy(r->raw + r->rawlen, s, n);
	r->rawlen += n;
}

static void
buf_reserve(struct kpo_csv *r, size_t more)
{
	if (r->pos > 0 && r->pos == r->len)
		r->pos = r->len = 0;
	if (r->len + more <= r->cap)
		return;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (r->len + more > r->cap)
		r->cap = r->cap ? 2 * r->cap : READ_CHUNK;
	r->buf = kpo_xrealloc(r->buf, r->cap);
}

/* Reads the end of the gzip stream and makes sure it really ended: zlib
 * reports a truncated file only here. */
static void
finish_source(struct kpo_csv *r)
{
	int errnum = Z_OK;
	const char *zmsg = gzerror(r->gz, &errnum);
	int rc;

	r->eof = 1;
	if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
		fail(r, KPO_CSV_EIO, "%s: corrupt gzip data: %s", r->name, zmsg);
		return;
	}
	r->raw_done = kpo_csv_offset(r);
	rc = gzclose_r(r->gz);
	r->gz = NULL;
	if (errnum == Z_BUF_ERROR || rc == Z_BUF_ERROR)
		fail(r, KPO_CSV_EIO, "%s: truncated gzip data (unexpected end of file)", r->name);
	else if (rc == Z_ERRNO)
		fail(r, KPO_CSV_EIO, "%s: read error: %s", r->name, strerror(errno));
	else if (rc != Z_OK)
		fail(r, KPO_CSV_EIO, "%s: corrupt gzip data", r->name);
}

static long
source_read(struct kpo_csv *r, char *dst, size_t n)
{
	int errnum;
	int got = gzread(r->gz, dst, (unsigned)n);

	if (got < 0) {
		const char *zmsg = gzerror(r->gz, &errnum);

		if (errnum == Z_ERRNO)
			fail(r, KPO_CSV_EIO, "%s: read error: %s", r->name, strerror(errno));
		else
			fail(r, KPO_CSV_EIO, "%s: corrupt gzip data: %s", r->name, zmsg);
		return -1;
	}
	if (got == 0)
		finish_source(r);
	return got;
}

/* Reads once and appends the decoded bytes to buf.  -1 on error. */
static int
read_more(struct kpo_csv *r)
{
	long got;

	if (r->eof)
		return 0;
	if (r->cd == (iconv_t)-1) {
		buf_reserve(r, r->chunk);
		got = source_read(r, r->buf + r->len, r->chunk);
		if (got < 0)
			return -1;
		r->len += (size_t)got;
	} else {
		char *in, *out;
		size_t inleft, outleft, want = r->chunk + IN_SLACK - r->inlen;

		got = source_read(r, r->inbuf + r->inlen, want < r->chunk ? want : r->chunk);
		if (got < 0)
			return -1;
		r->inlen += (size_t)got;
		buf_reserve(r, 4 * r->inlen + 16);
		in = r->inbuf;
		inleft = r->inlen;
		out = r->buf + r->len;
		outleft = r->cap - r->len;
		while (inleft > 0) {
			if (iconv(r->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
				break;
			if (errno == EILSEQ || (errno == EINVAL && r->eof)) {
				/* Not a character of the named encoding: keep the row,
				 * mark the spot with U+FFFD and say so once. */
				if (r->bad_bytes++ == 0)
					kpo_warn_at(r->name, r->line, "bytes not valid in the input encoding, replaced with U+FFFD");
				memcpy(out, "\xEF\xBF\xBD", 3);
				out += 3;
				outleft -= 3;
				in++;
				inleft--;
			} else if (errno == EINVAL) {
				break;  /* a character split across reads: keep its start */
			} else {
				fail(r, KPO_CSV_EIO, "%s: converting the encoding: %s", r->name, strerror(errno));
				return -1;
			}
		}
		memmove(r->inbuf, in, inleft);
		r->inlen = inleft;
		r->len = (size_t)(out - r->buf);
	}
	return 0;
}

/* Appends decoded bytes to buf, and drops a BOM at the start of the input
 * (read until three bytes are there, whatever the size of the reads).
 * Returns 0 at the end of input (bytes may still wait in buf), -1 on error. */
static int
refill(struct kpo_csv *r)
{
	if (r->eof)
		return 0;
	do {
		if (read_more(r) < 0)
			return -1;
	} while (r->at_start && !r->eof && r->len - r->pos < 3);
	if (r->at_start) {
		if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0) {
			r->pos += 3;
			r->bom = 3;
		}
		r->at_start = 0;
	}
	return r->len > r->pos || !r->eof ? 1 : 0;
}

/* The delimiter of the header line: the most frequent of , ; TAB | outside
 * quotes, the earlier one on a tie, a comma when there is none. */
static char
detect_delim(struct kpo_csv *r)
{
	static const char candidates[] = ",;\t|";
	size_t count[4] = { 0, 0, 0, 0 };
	size_t i = r->pos, best = 0, k;
	int quoted = 0;

	for (;;) {
		size_t scanned, end = r->len - r->pos > DETECT_PEEK ? r->pos + DETECT_PEEK : r->len;

		while (i < end) {
			char c = r->buf[i++];

			if (c == '"')
				quoted = !quoted;
			else if (!quoted && (c == '\n' || c == '\r'))
				goto counted;
			else if (!quoted)
				for (k = 0; k < 4; k++)
					if (c == candidates[k])
						count[k]++;
		}
		if (i - r->pos == DETECT_PEEK)
			break;     /* a first MiB tells the delimiter well enough */
		scanned = i - r->pos;   /* refill may move the buffer */
		if (refill(r) <= 0)
			break;
		i = r->pos + scanned;
	}
counted:
	for (k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return candidates[best];
}

static void
record_reset(struct kpo_csv *r)
{
	r->rec.nf = 0;
	r->flen = 0;
	r->rawlen = 0;
	r->reclen = 0;
	r->in_record = 0;
	r->have_record = 0;
	r->too_many = 0;
}

/* Gives the record its status and pointers and drops the line end from its
 * raw text.  A record that is not OK (or of the wrong width) has no fields. */
static void
record_finish(struct kpo_csv *r, enum kpo_rec_status status)
{
	size_t i;

	if (status == KPO_REC_OK && r->header && r->rec.nf != r->header_nf)
		status = KPO_REC_FIELD_COUNT;
	if (status != KPO_REC_OK && status != KPO_REC_FIELD_COUNT)
		r->rec.nf = 0;
	for (i = 0; i < r->rec.nf; i++)
		r->rec.f[i] = r->fbuf + r->off[i];
	while (r->rawlen > 0 && (r->raw[r->rawlen - 1] == '\n' || r->raw[r->rawlen - 1] == '\r'))
		r->rawlen--;
	r->rec.raw = r->raw ? r->raw : "";
	r->rec.rawlen = r->rawlen;
	r->rec.status = status;
	r->in_record = 0;
	r->have_record = 0;
}

/* Moves past one segment: the bytes up to and including the next CR or LF,
 * counting the line it ends. */
static void
advance(struct kpo_csv *r, size_t seglen)
{
	char last = r->buf[r->pos + seglen - 1];

	if (last == '\n') {
		if (!(seglen == 1 && r->last_cr))
			r->line++;
		r->last_cr = 0;
	} else if (last == '\r') {
		r->line++;
		r->last_cr = 1;
	} else {
		r->last_cr = 0;
	}
	r->pos += seglen;
	r->bytes += seglen;
}

/* The length of the segment at pos: up to and including the first CR or LF,
 * or what the buffer holds.  *term says whether it has a line end. */
static size_t
segment(const struct kpo_csv *r, int *term)
{
	const char *seg = r->buf + r->pos, *nl, *cr;
	size_t avail = r->len - r->pos;

	nl = memchr(seg, '\n', avail);
	cr = memchr(seg, '\r', nl ? (size_t)(nl - seg) : avail);
	if (cr)
		nl = cr;
	*term = nl != NULL;
	return nl ? (size_t)(nl - seg) + 1 : avail;
}

/* Feeds S[0..n) to libcsv in pieces, stopping at a field past max_fields;
 * returns the bytes it took (fewer than n after an error). */
static size_t
feed(struct kpo_csv *r, const char *s, size_t n)
{
	size_t done = 0;

	field_cap = r->max_field;
	while (done < n && !r->too_many) {
		size_t piece = n - done < FEED_MAX ? n - done : FEED_MAX;
		size_t used = csv_parse(&r->p, s + done, piece, on_field, on_record, r);

		done += used;
		if (used < piece)
			break;
	}
	return done;
}

/* Skips the rest of the physical line after a record went wrong, scanning
 * for its end without parsing; its bytes still go to raw (up to the cap).
 * A read error shows on the next call. */
static void
skip_line(struct kpo_csv *r)
{
	for (;;) {
		size_t seglen;
		int term;

		while (r->pos == r->len)        /* a read may bring no whole character */
			if (refill(r) <= 0 || r->done)
				return;
		if (r->done)
			return;
		seglen = segment(r, &term);
		raw_append(r, r->buf + r->pos, seglen);
		advance(r, seglen);
		if (term)
			return;
	}
}

/* Ends a broken record whose damage is outside quotes: the rest of its
 * physical line goes with it, unparsed. */
static int
end_broken(struct kpo_csv *r, enum kpo_rec_status status, int term)
{
	parser_restart(r);
	if (!term)
		skip_line(r);
	record_finish(r, status);
	return 1;
}

/* libcsv stopped early in a record: a bad quote, or a field past the cap. */
static int
parse_error(struct kpo_csv *r, int term)
{
	int perr = csv_error(&r->p);

	if (perr == CSV_EPARSE)
		return end_broken(r, KPO_REC_BAD_QUOTE, term);
	if (!r->p.quoted)
		return end_broken(r, KPO_REC_TOO_LONG, term);
	/* Inside quotes there is no telling where the next record starts:
	 * stop this file rather than guess. */
	parser_restart(r);
	record_finish(r, KPO_REC_UNTERMINATED);
	fail(r, KPO_CSV_EDATA,
	    "%s:%ld: quoted field longer than %zu bytes, or a quote never closed: the rest of the file is not read",
	    r->name, r->rec.line, r->max_field);
	return 1;
}

/* The input has ended: csv_fini hands over a last record without a line end. */
static int
at_end(struct kpo_csv *r)
{
	r->done = 1;
	if (r->err != KPO_CSV_OK)
		return -1;
	field_cap = r->max_field;
	if (!r->in_record) {
		/* A line end is all that can be pending. */
		csv_fini(&r->p, on_field, on_record, r);
		return 0;
	}
	if (csv_fini(&r->p, on_field, on_record, r) != 0) {
		record_finish(r, KPO_REC_UNTERMINATED);
		return 1;
	}
	if (r->too_many) {
		record_finish(r, KPO_REC_TOO_MANY_FIELDS);
		return 1;
	}
	if (r->have_record) {
		record_finish(r, KPO_REC_OK);
		return 1;
	}
	return 0;       /* a last line of blanks */
}

/* The fast path: a record on one line without a quote character, split by
 * scanning instead of by libcsv.  It must give what libcsv gives, so each
 * rule below is libcsv's (tests/fuzz/fuzz_fastpath.c compares the two):
 *
 *  - blanks (space and TAB, unless TAB is the delimiter) before and after an
 *    unquoted field are dropped, unless keep_blanks;
 *  - a line of nothing but blanks is no record; an empty line neither;
 *  - the field cap counts a field's bytes from its first non-blank, trailing
 *    blanks included, and fails when one more byte comes after cap + 1 of
 *    them (a delimiter or line end too, but not the end of the input);
 *  - the field past max_fields, the byte past max_record and the field cap
 *    are checked in the order libcsv would meet them. */

/* Notes field [s, e) of fbuf; 0 once max_fields + 1 are noted (the one past
 * the cap is all the checks need). */
static int
note_field(struct kpo_csv *r, size_t *nf, size_t s, size_t e)
{
	if (*nf == r->nfcap)
		fields_reserve(r, *nf + 1);
	r->off[*nf] = s;
	r->rec.len[*nf] = e - s;
	return ++*nf <= r->max_fields;
}

/* Splits fbuf[0..n) at the delimiter; returns the number of fields noted.
 * For the careful path only: plain memchr. */
static size_t
split(struct kpo_csv *r, size_t n)
{
	const char *b = r->fbuf, *p;
	size_t nf = 0, start = 0;

	while ((p = memchr(b + start, r->delim, n - start)) != NULL) {
		if (!note_field(r, &nf, start, (size_t)(p - b)))
			return nf;
		start = (size_t)(p - b) + 1;
	}
	note_field(r, &nf, start, n);
	return nf;
}

static int
is_blank(const struct kpo_csv *r, char c)
{
	return (c == ' ' || c == '\t') && c != r->delim;
}

/* The status of a line of N bytes without quotes, split into NF fields
 * (at most max_fields + 1); trims the fields and ends each with a NUL.
 * TERM: a line end follows (the end of the input does not count as a byte). */
static enum kpo_rec_status
fast_fields(struct kpo_csv *r, size_t n, size_t nf, int term)
{
	char *b = r->fbuf;
	size_t i, cap = r->max_field, rcap = r->max_record;

	for (i = 0; i < nf; i++) {
		size_t s = r->off[i], e = s + r->rec.len[i], len;

		if (!r->keep_blanks) {
			while (s < e && is_blank(r, b[s]))
				s++;
		}
		len = e - s;
		if (len > cap && (len > cap + 1 || e < n || term)) {
			/* libcsv's buffer refuses byte s + cap + 1 */
			return n > rcap && s + cap + 1 >= rcap ? KPO_REC_RECORD_TOO_LONG : KPO_REC_TOO_LONG;
		}
		if (i == r->max_fields)  /* the field past the cap, submitted at e */
			return n > rcap && e >= rcap ? KPO_REC_RECORD_TOO_LONG : KPO_REC_TOO_MANY_FIELDS;
		if (!r->keep_blanks)
			while (e > s && is_blank(r, b[e - 1]))
				e--;
		b[e] = '\0';
		r->off[i] = s;
		r->rec.len[i] = e - s;
	}
	return n > rcap ? KPO_REC_RECORD_TOO_LONG : KPO_REC_OK;
}

enum { FAST_NO, FAST_AGAIN, FAST_RECORD };

/* Makes room for field NF (from 0) and returns how many fields there is
 * room for, at most max_fields; 0 when NF is the field past the cap. */
static size_t
more_fields(struct kpo_csv *r, size_t nf)
{
	if (nf >= r->max_fields)
		return 0;
	fields_reserve(r, nf + 1);
	return r->nfcap < r->max_fields ? r->nfcap : r->max_fields;
}

/* One pass over LINE[0..avail): copies it to fbuf (which has room for
 * avail + 16 bytes) and finds the first CR, LF or quote, noting where the
 * fields before it end; then one pass over the fields gives them their
 * starts, trims them and ends each with a NUL, in rec.f and rec.len.
 * Returns the offset of the CR, LF or quote, or avail.  Sets *careful when a
 * cap may apply: a field longer than max_field or more than max_fields
 * fields (the careful path then does it again, by the rules above). */
static size_t
scan_line(struct kpo_csv *r, const char *line, size_t avail, size_t *nfp, int *careful)
{
	const unsigned char *blank = r->blank;
	char *b = r->fbuf;
	const char d = r->delim;
	size_t i = 0, nf = 0, k, start, stop, cap = r->max_field;
	size_t room = r->nfcap < r->max_fields ? r->nfcap : r->max_fields;
	size_t *lv = r->rec.len;        /* field ends, for now */
	char **fv;
	int wide = 0;

#define END(J) do { \
	if (nf < room || ((room = more_fields(r, nf)) != 0 && (lv = r->rec.len, 1))) \
		lv[nf++] = (J); \
	else \
		wide = 1; \
} while (0)

#ifdef __SSE2__
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), qu = _mm_set1_epi8('"');
	const __m128i vd = _mm_set1_epi8(d);

	for (; i + 16 <= avail; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(line + i));
		unsigned ms = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, cr),
		    _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, qu)));
		unsigned md = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd));

		_mm_storeu_si128((__m128i *)(void *)(b + i), v);
		if (ms)
			md &= (1u << __builtin_ctz(ms)) - 1;
		while (md) {
			END(i + (size_t)__builtin_ctz(md));
			md &= md - 1;
		}
		if (ms) {
			stop = i + (size_t)__builtin_ctz(ms);
			goto found;
		}
	}
#endif
	for (stop = avail; i < avail; i++) {
		char c = line[i];

		b[i] = c;
		if (c == '\r' || c == '\n' || c == '"') {
			stop = i;
			break;
		}
		if (c == d)
			END(i);
	}
#ifdef __SSE2__
found:
#endif
#undef END
	*nfp = 0;
	*careful = 1;
	if (stop < avail && line[stop] == '"')
		return stop;
	if (wide || !more_fields(r, nf))
		return stop;    /* the field past the cap: careful */
	lv = r->rec.len;
	lv[nf++] = stop;
	fv = r->rec.f;
	for (k = 0, start = 0; k < nf; k++) {
		size_t s = start, e = lv[k];

		start = e + 1;
		b[e] = '\0';
		if (e - s > cap)
			wide = 1;
		if (e > s && (blank[(unsigned char)b[s]] | blank[(unsigned char)b[e - 1]])) {
			while (s < e && blank[(unsigned char)b[s]])
				s++;
			while (e > s && blank[(unsigned char)b[e - 1]])
				e--;
			b[e] = '\0';
		}
		fv[k] = b + s;
		lv[k] = e - s;
	}
	*nfp = nf;
	*careful = wide;
	return stop;
}

/* LINE[0..n) is blanks only: libcsv skips them without counting them. */
static int
all_blank(const struct kpo_csv *r, const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n && r->blank[(unsigned char)line[i]]; i++)
		;
	return i == n;
}

/* Between records, at or past the end of the part being read. */
static int
past_range(const struct kpo_csv *r)
{
	return r->range_end && r->bom + r->bytes >= r->range_end;
}

/* At the start of a record: hands out the record if its line has no quote
 * and is whole in the buffer (waiting for up to `window` bytes of it).
 * FAST_NO: libcsv's turn; FAST_AGAIN: go round (blank lines skipped, the
 * buffer empty, or a read failed). */
static int
fast_record(struct kpo_csv *r)
{
	const char *line;
	size_t n, nf, avail;
	enum kpo_rec_status status = KPO_REC_OK;
	int term, careful;

	while (r->pos < r->len && (r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r'))
		advance(r, 1);  /* blank lines, or the LF of a CRLF */
	if (r->pos == r->len || past_range(r))
		return FAST_AGAIN;
	for (;;) {
		line = r->buf + r->pos;
		avail = r->len - r->pos;
		if (avail + 16 > r->fcap) {
			while (avail + 16 > r->fcap)
				r->fcap = r->fcap ? 2 * r->fcap : 4096;
			r->fbuf = kpo_xrealloc(r->fbuf, r->fcap);
		}
		careful = 0;
		n = scan_line(r, line, avail, &nf, &careful);
		if (n < avail) {
			if (line[n] == '"')
				return FAST_NO;
			term = 1;
			break;
		}
		if (r->eof) {
			term = 0;
			break;
		}
		if (avail >= r->window)
			return FAST_NO;
		if (refill(r) < 0 || r->done)
			return FAST_AGAIN;
	}

	if (careful && n <= r->max_record && !r->keep_blanks && all_blank(r, line, n)) {
		advance(r, n + (size_t)term);   /* a long line of blanks: no record either, no cap met */
		return FAST_AGAIN;
	}
	if (careful || n > r->max_record) {
		/* Near a cap: split again and check by the rules. */
		memcpy(r->fbuf, line, n);
		r->fbuf[n] = '\0';
		nf = split(r, n);
		status = fast_fields(r, n, nf, term);
		if (status == KPO_REC_OK)
			for (size_t i = 0; i < nf; i++)
				r->rec.f[i] = r->fbuf + r->off[i];
	} else if (nf == 1 && r->rec.len[0] == 0 && !r->keep_blanks) {
		advance(r, n + (size_t)term);   /* a line of blanks: no record, as libcsv sees it */
		return FAST_AGAIN;
	}
	if (status == KPO_REC_OK && r->header && nf != r->header_nf)
		status = KPO_REC_FIELD_COUNT;
	r->rec.nf = status == KPO_REC_OK || status == KPO_REC_FIELD_COUNT ? nf : 0;
	r->rec.line = r->line;
	r->rec.raw = line;      /* buf holds it until the next call */
	r->rec.rawlen = n < r->max_record ? n : r->max_record;
	r->rec.status = status;
	advance(r, n + (size_t)term);
	return FAST_RECORD;
}

/* The next record through libcsv, one segment at a time.  Each check happens
 * at the byte where libcsv would meet it, whatever the read boundaries: the
 * record cap at its byte max_record + 1 (libcsv is fed only the bytes
 * before it), the field cap where libcsv's buffer refuses to grow, the
 * field count at the field past max_fields. */
static int
next_record(struct kpo_csv *r)
{
	for (;;) {
		const char *seg;
		size_t seglen, content, before, want, used, take;
		int term, stop;

		if (r->done)
			return 0;
		if (!r->in_record && past_range(r)) {
			/* A record that ended at the CR of a CRLF: its LF is
			 * read too, so that STOP is after it, where a cut is
			 * made, and a part read from STOP does not count its
			 * line a second time. */
			if (r->last_cr && r->pos == r->len && refill(r) < 0)
				return -1;
			if (r->last_cr && r->pos < r->len && r->buf[r->pos] == '\n')
				advance(r, 1);
			r->done = 1;
			r->range->stop = r->bom + r->bytes;
			r->range->stop_line = r->line;
			return 0;
		}
		if (r->pos == r->len) {
			int rc = refill(r);

			if (rc < 0)
				return -1;
			if (rc == 0)
				return at_end(r);
			continue;
		}
		if (r->fast && !r->in_record) {
			int k = fast_record(r);

			if (k == FAST_RECORD)
				return 1;
			if (k == FAST_AGAIN)
				continue;
		}

		seg = r->buf + r->pos;
		seglen = segment(r, &term);
		if (!r->in_record) {
			if (term && seglen == 1) {
				advance(r, 1);  /* a blank line */
				continue;
			}
			r->in_record = 1;
			r->rec.line = r->line;
		}
		content = seglen - (size_t)term;
		before = r->reclen;
		want = before + content > r->max_record
		    ? (before < r->max_record ? r->max_record - before : 0) : seglen;
		used = feed(r, seg, want);
		/* A cap met inside a quoted field stops the file at that byte. */
		stop = !r->too_many && r->p.quoted && (used < want ? csv_error(&r->p) != CSV_EPARSE : want < seglen);
		take = stop ? used : seglen;
		if (take > 0) {
			raw_append(r, seg, take);
			r->reclen += take;
			advance(r, take);
		}
		if (r->too_many)
			return end_broken(r, KPO_REC_TOO_MANY_FIELDS, term);
		if (used < want)
			return parse_error(r, term);
		if (want < seglen) {
			if (!stop)
				return end_broken(r, KPO_REC_RECORD_TOO_LONG, term);
			parser_restart(r);
			record_finish(r, KPO_REC_RECORD_TOO_LONG);
			fail(r, KPO_CSV_EDATA,
			    "%s:%ld: record longer than %zu bytes, the cap inside a quoted field: the rest of the file is not read",
			    r->name, r->rec.line, r->max_record);
			return 1;
		}
		if (r->have_record) {
			record_finish(r, KPO_REC_OK);
			return 1;
		}
		if (term && !r->p.quoted) {
			/* A line of blanks: libcsv began no record. */
			r->in_record = 0;
			r->rawlen = r->reclen = 0;
		}
	}
}

int
kpo_csv_next(struct kpo_csv *r, struct kpo_record **rec)
{
	int rc;

	record_reset(r);
	rc = next_record(r);
	if (rc == 1)
		*rec = &r->rec;
	if (rc == 1 && r->rec.status == KPO_REC_UNTERMINATED && r->err == KPO_CSV_OK)
		fail(r, KPO_CSV_EDATA, "%s:%ld: quote opened here is never closed: the rest of the file is one field",
		     r->name, r->rec.line);
	if (rc == 1)
		r->done = r->done || r->rec.status == KPO_REC_UNTERMINATED;
	/* An abandoned file still hands out its last record; the error shows
	 * on the next call. */
	if (rc == 0 && r->err != KPO_CSV_OK)
		return -1;
	return rc;
}

static struct kpo_record *
record_copy(const struct kpo_record *src)
{
	struct kpo_record *dst = kpo_xcalloc(1, sizeof *dst);
	size_t i;

	dst->nf = src->nf;
	dst->f = kpo_xcalloc(src->nf, sizeof *dst->f);
	dst->len = kpo_xcalloc(src->nf, sizeof *dst->len);
	for (i = 0; i < src->nf; i++) {
		dst->f[i] = kpo_xmalloc(src->len[i] + 1);
		memcpy(dst->f[i], src->f[i], src->len[i] + 1);
		dst->len[i] = src->len[i];
	}
	dst->line = src->line;
	dst->raw = "";
	dst->status = src->status;
	return dst;
}

/* Moves past the physical line at pos (reading more as needed), its CRLF
 * whole.  0 at the end of input. */
static int
skip_physical_line(struct kpo_csv *r)
{
	int term = 0;

	while (!term) {
		size_t n;

		if (r->pos == r->len && refill(r) <= 0 && r->pos == r->len)
			return 0;
		n = segment(r, &term);
		advance(r, n);
	}
	if (r->last_cr) {
		if (r->pos == r->len && refill(r) < 0)
			return 0;
		if (r->pos < r->len && r->buf[r->pos] == '\n')
			advance(r, 1);
	}
	r->skipped++;
	return 1;
}

/* Reads until the buffer holds N line ends after pos, the window is full
 * or the input ends. */
static void
peek_lines(struct kpo_csv *r, int n)
{
	for (;;) {
		size_t i;
		int seen = 0;

		for (i = r->pos; i < r->len && seen < n; i++)
			seen += r->buf[i] == '\n' || (r->buf[i] == '\r' && (i + 1 >= r->len || r->buf[i + 1] != '\n'));
		if (seen >= n || r->len - r->pos >= DETECT_PEEK || refill(r) <= 0)
			return;
	}
}

struct cells {
	struct kpo_record rec;
	size_t cap, max;        /* no line with more than MAX fields is a header */
	int too_many;
	char *text;             /* the fields, NUL-terminated, one after another */
	size_t tlen, tcap;
	size_t *off;
};

static void
cells_field(void *s, size_t n, void *data)
{
	struct cells *c = data;

	if (c->too_many || c->rec.nf == c->max) {
		c->too_many = 1;
		return;
	}
	if (c->rec.nf == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->off = kpo_xrealloc(c->off, c->cap * sizeof *c->off);
		c->rec.len = kpo_xrealloc(c->rec.len, c->cap * sizeof *c->rec.len);
	}
	if (c->tlen + n + 1 > c->tcap) {
		c->tcap = 2 * (c->tlen + n + 1);
		c->text = kpo_xrealloc(c->text, c->tcap);
	}
	memcpy(c->text + c->tlen, s, n);
	c->text[c->tlen + n] = '\0';
	c->off[c->rec.nf] = c->tlen;
	c->rec.len[c->rec.nf++] = n;
	c->tlen += n + 1;
}

/* How much the line S[0..N) looks like a header, split with DELIM by
 * libcsv; -1 when it is not one line of valid CSV. */
static int
line_score(struct kpo_csv *r, const struct kpo_csv_opts *o, const char *s, size_t n, char delim)
{
	struct csv_parser p;
	struct cells c;
	size_t i;
	int score = -1;

	memset(&c, 0, sizeof c);
	c.max = r->max_fields < 4096 ? r->max_fields : 4096;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		kpo_errx(EX_OSERR, "out of memory");
	csv_set_delim(&p, (unsigned char)delim);
	field_cap = r->max_field;
	csv_set_realloc_func(&p, capped_realloc);
	if (csv_parse(&p, s, n, cells_field, NULL, &c) == n && csv_fini(&p, cells_field, NULL, &c) == 0 &&
	    !c.too_many) {
		c.rec.f = kpo_xcalloc(c.rec.nf + 1, sizeof *c.rec.f);
		for (i = 0; i < c.rec.nf; i++)
			c.rec.f[i] = c.text + c.off[i];
		c.rec.raw = "";
		score = c.rec.nf > 1 ? o->header_score(&c.rec, o->header_ctx) : 0;
		free(c.rec.f);
	}
	csv_free(&p);
	free(c.off);
	free(c.rec.len);
	free(c.text);
	return score;
}

/* The most frequent of , ; TAB | outside quotes in S[0..N), the earlier on
 * a tie, a comma when there is none. */
static char
line_delim(const char *s, size_t n)
{
	static const char candidates[] = ",;\t|";
	size_t count[4] = { 0, 0, 0, 0 }, i, k, best = 0;
	int quoted = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			for (k = 0; k < 4; k++)
				count[k] += s[i] == candidates[k];
	}
	for (k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return candidates[best];
}

/* The header below a preamble: the lines before the first one that scores
 * enough are skipped, and its delimiter is the reader's.  None: nothing
 * moves, and header_found stays 0. */
static void
find_header(struct kpo_csv *r, const struct kpo_csv_opts *o)
{
	int min = o->header_min ? o->header_min : 3, line;
	size_t at;

	peek_lines(r, KPO_CSV_HEADER_LINES);
	at = r->pos;            /* reading may have moved the bytes */
	for (line = 0; line < KPO_CSV_HEADER_LINES && at < r->len; line++) {
		size_t end = at, next;
		char delim;

		while (end < r->len && r->buf[end] != '\n' && r->buf[end] != '\r')
			end++;
		next = end < r->len && r->buf[end] == '\r' && end + 1 < r->len && r->buf[end + 1] == '\n' ? end + 2 :
		    end + (end < r->len);
		delim = o->delim ? (char)o->delim : line_delim(r->buf + at, end - at);
		if (end > at && line_score(r, o, r->buf + at, end - at, delim) >= min) {
			while (line-- > 0)
				skip_physical_line(r);
			r->delim = delim;
			r->header_found = 1;
			return;
		}
		at = next;
	}
}

/* COLUMNS, comma-separated, as the header record. */
static struct kpo_record *
columns_header(const char *columns)
{
	struct kpo_record *h = kpo_xcalloc(1, sizeof *h);
	const char *c = columns, *comma;

	for (;; c = comma + 1) {
		size_t n;

		comma = strchr(c, ',');
		n = comma ? (size_t)(comma - c) : strlen(c);
		h->f = kpo_xrealloc(h->f, (h->nf + 1) * sizeof *h->f);
		h->len = kpo_xrealloc(h->len, (h->nf + 1) * sizeof *h->len);
		h->f[h->nf] = kpo_xmalloc(n + 1);
		memcpy(h->f[h->nf], c, n);
		h->f[h->nf][n] = '\0';
		h->len[h->nf++] = n;
		if (!comma)
			break;
	}
	h->line = 0;
	h->raw = "";
	return h;
}

/* The first record of R is its header: kept, or a failure that says why. */
static void
take_header(struct kpo_csv *r)
{
	struct kpo_record *hdr;

	switch (kpo_csv_next(r, &hdr)) {
	case -1:
		return;
	case 0:
		return;      /* empty: no header */
	}
	switch (hdr->status) {
	case KPO_REC_OK:
	case KPO_REC_FIELD_COUNT:       /* no header to count against yet */
		break;
	case KPO_REC_TOO_LONG:
	case KPO_REC_UNTERMINATED:
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line has a field longer than %zu bytes, or a quote in it is never closed",
		    r->name, hdr->line, r->max_field);
		return;
	case KPO_REC_RECORD_TOO_LONG:
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line is longer than %zu bytes", r->name, hdr->line, r->max_record);
		return;
	case KPO_REC_TOO_MANY_FIELDS:
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line has more than %zu fields", r->name, hdr->line, r->max_fields);
		return;
	case KPO_REC_BAD_QUOTE:
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line is not valid CSV (malformed quotes)", r->name, hdr->line);
		return;
	}
	r->header = record_copy(hdr);
	r->header_nf = hdr->nf;
}

/* Moves to the part RANGE of the file, once its header is read. */
static void
start_range(struct kpo_csv *r, struct kpo_csv_range *range)
{
	r->range = range;
	range->stop = KPO_CSV_STOP_END;
	range->stop_line = 0;
	if (range->start > 0) {
		unsigned long long at = r->bom + r->bytes;

		if (range->start < at || r->cd != (iconv_t)-1 || (r->gz && gzdirect(r->gz) != 1)) {
			fail(r, KPO_CSV_EIO, "%s: cannot read from byte %llu: not a plain file, or inside its header",
			    r->name, range->start);
			return;
		}
		if (range->start <= at + (r->len - r->pos)) {
			r->pos += (size_t)(range->start - at);  /* read already (a small file: all of it) */
		} else if (!r->gz || gzseek(r->gz, (z_off_t)range->start, SEEK_SET) != (z_off_t)range->start) {
			fail(r, KPO_CSV_EIO, "%s: seek to byte %llu: %s", r->name, range->start,
			    r->gz ? strerror(errno) : "past the end");
			return;
		} else {
			r->pos = r->len = 0;
			r->eof = 0;
		}
		r->at_start = 0;
		r->bytes = range->start - (unsigned long long)r->bom;
		r->line = range->line;
		r->last_cr = 0;
		parser_restart(r);
	}
	r->range_end = range->end;
}

struct kpo_csv *
kpo_csv_open(const char *path, const struct kpo_csv_opts *opts)
{
	struct kpo_csv *r = kpo_xcalloc(1, sizeof *r);
	struct stat st;
	int fd;

	r->cd = (iconv_t)-1;
	r->line = 1;
	r->at_start = 1;
	r->options = CSV_STRICT | CSV_STRICT_FINI;
	r->max_field = opts && opts->max_field ? opts->max_field : KPO_CSV_MAX_FIELD;
	r->max_fields = opts && opts->max_fields ? opts->max_fields : KPO_CSV_MAX_FIELDS;
	r->max_record = opts && opts->max_record ? opts->max_record : KPO_CSV_MAX_RECORD;
	r->chunk = opts && opts->read_size ? opts->read_size : READ_CHUNK;
	r->keep_blanks = opts && opts->keep_blanks;
	r->fast = !(opts && opts->no_fast_path);
	r->window = 8 * r->chunk;
	if (!path || strcmp(path, "-") == 0) {
		r->name = kpo_xstrdup("-");
		fd = dup(opts ? opts->stdin_fd : STDIN_FILENO);
		kpo_widen_pipe(fd);
	} else {
		r->name = kpo_xstrdup(path);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		fail(r, KPO_CSV_EOPEN, "%s: cannot open: %s", r->name, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		fail(r, KPO_CSV_EOPEN, "%s: cannot open: %s", r->name, strerror(EISDIR));
		return r;
	}
	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		close(fd);
		fail(r, KPO_CSV_EOPEN, "%s: cannot open: out of memory", r->name);
		return r;
	}
	gzbuffer(r->gz, READ_CHUNK);
	if (opts && opts->encoding && *opts->encoding) {
		r->cd = iconv_open("UTF-8", opts->encoding);
		if (r->cd == (iconv_t)-1) {
			fail(r, KPO_CSV_EUSAGE, "unknown encoding '%s' (see iconv -l)", opts->encoding);
			return r;
		}
		r->inbuf = kpo_xmalloc(r->chunk + IN_SLACK);
	}

	if (refill(r) < 0)
		return r;
	r->header_found = 1;
	if (opts && opts->skip > 0) {
		long k;

		for (k = 0; k < opts->skip && skip_physical_line(r); k++)
			;
	} else if (opts && opts->header_score && !opts->no_header) {
		r->header_found = 0;
		find_header(r, opts);
	}
	if (!r->delim)
		r->delim = opts && opts->delim ? (char)opts->delim : detect_delim(r);
	if (r->err != KPO_CSV_OK)
		return r;
	if (!r->keep_blanks)
		r->blank[' '] = r->blank['\t'] = 1;
	r->blank[(unsigned char)r->delim] = 0;
	parser_start(r);
	if (opts && opts->no_header) {
		r->header = columns_header(opts->columns ? opts->columns : "");
		r->header_nf = r->header->nf;
	} else {
		take_header(r);
	}
	if (opts && opts->range && r->err == KPO_CSV_OK)
		start_range(r, opts->range);
	return r;
}

struct kpo_csv *
kpo_csv_of_header(const char *name, const char *const *names, size_t nf)
{
	struct kpo_csv *r = kpo_xcalloc(1, sizeof *r);
	struct kpo_record *h = kpo_xcalloc(1, sizeof *h);
	size_t i;

	r->cd = (iconv_t)-1;
	r->name = kpo_xstrdup(name);
	r->delim = ',';
	r->eof = r->done = 1;
	h->nf = nf;
	h->f = kpo_xcalloc(nf, sizeof *h->f);
	h->len = kpo_xcalloc(nf, sizeof *h->len);
	for (i = 0; i < nf; i++) {
		h->f[i] = kpo_xstrdup(names[i]);
		h->len[i] = strlen(names[i]);
	}
	h->line = 1;
	h->raw = "";
	r->header = h;
	r->header_nf = nf;
	r->line = 2;
	return r;
}

unsigned long long
kpo_csv_data_offset(const struct kpo_csv *r)
{
	return r->bom + r->bytes;
}

const struct kpo_record *
kpo_csv_header(const struct kpo_csv *r)
{
	return r->header;
}

enum kpo_csv_error
kpo_csv_error(const struct kpo_csv *r)
{
	return r->err;
}

const char *
kpo_csv_message(const struct kpo_csv *r)
{
	return r->msg;
}

const char *
kpo_csv_name(const struct kpo_csv *r)
{
	return r->name;
}

char
kpo_csv_delim(const struct kpo_csv *r)
{
	return r->delim;
}

unsigned long long
kpo_csv_bytes(const struct kpo_csv *r)
{
	return r->bytes;
}

unsigned long long
kpo_csv_offset(const struct kpo_csv *r)
{
	z_off_t at;

	if (!r->gz)
		return r->raw_done;
	at = gzoffset(r->gz);
	return at > 0 ? (unsigned long long)at : 0;
}

long
kpo_csv_skipped(const struct kpo_csv *r)
{
	return r->skipped;
}

int
kpo_csv_header_found(const struct kpo_csv *r)
{
	return r->header_found;
}

long
kpo_csv_lines(const struct kpo_csv *r)
{
	return r->line;
}

int
kpo_csv_exit_status(enum kpo_csv_error e)
{
	switch (e) {
	case KPO_CSV_OK:     return 0;
	case KPO_CSV_EOPEN:  return EX_NOINPUT;
	case KPO_CSV_EIO:    return EX_IOERR;
	case KPO_CSV_EDATA:  return EX_DATAERR;
	case KPO_CSV_EUSAGE: return EX_USAGE;
	}
	return EX_SOFTWARE;
}

void
kpo_csv_close(struct kpo_csv *r)
{
	size_t i;

	if (!r)
		return;
	if (r->gz)
		gzclose_r(r->gz);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	if (r->parser_on)
		csv_free(&r->p);
	if (r->header) {
		for (i = 0; i < r->header->nf; i++)
			free(r->header->f[i]);
		free(r->header->f);
		free(r->header->len);
		free(r->header);
	}
	free(r->rec.f);
	free(r->rec.len);
	free(r->off);
	free(r->fbuf);
	free(r->raw);
	free(r->buf);
	free(r->inbuf);
	free(r->name);
	free(r);
}

const char *
kpo_rec_status_kind(enum kpo_rec_status st)
{
	switch (st) {
	case KPO_REC_FIELD_COUNT:  return "wrong field count";
	case KPO_REC_BAD_QUOTE:    return "malformed quotes";
	case KPO_REC_TOO_LONG:     return "field too long";
	case KPO_REC_UNTERMINATED: return "unterminated quote";
	case KPO_REC_TOO_MANY_FIELDS: return "too many fields";
	case KPO_REC_RECORD_TOO_LONG: return "record too long";
	case KPO_REC_OK:           break;
	}
	return NULL;
}

int
kpo_header_find(const struct kpo_record *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nf; i++)
		if (strcmp(h->f[i], name) == 0)
			return (int)i;
	return -1;
}

void
kpo_header_describe(const struct kpo_record *h, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < h->nf && len + 4 < size; i++) {
		snprintf(buf + len, size - len, "%s%s", i ? ", " : "", h->f[i]);
		len = strlen(buf);
	}
}
