#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <csv.h>
#include <zlib.h>

#include "csvread.h"
#include "err.h"
#include "out.h"

#define READ_CHUNK (128u << 10)
#define DETECT_PEEK (1u << 20)   /* header bytes looked at for the delimiter */

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
	int at_start;           /* nothing decoded yet: a BOM may follow */

	iconv_t cd;             /* (iconv_t)-1 when the input is UTF-8 */
	char *inbuf;            /* undecoded bytes, when converting */
	size_t inlen;
	long bad_bytes;         /* bytes the encoding could not convert */

	struct csv_parser p;
	int parser_on;
	unsigned char options;
	char delim;
	int keep_blanks;
	size_t max_field;

	long line;              /* physical line the next byte is on */
	int last_cr;            /* the previous byte was CR: an LF now ends no new line */
	unsigned long long bytes;

	/* The record being assembled. */
	int in_record;
	int have_record;
	int skip_line;          /* after an oversized field, drop bytes up to the line end */
	int too_long;
	struct kpo_record rec;
	size_t nfcap;
	size_t *off;            /* field offsets in fbuf */
	char *fbuf;
	size_t flen, fcap;
	char *raw;
	size_t rawlen, rawcap;

	struct kpo_record *header;
	size_t header_nf;
};

/* libcsv takes a realloc with no context: the cap lives here.  The reader is
 * not meant for threads. */
static size_t field_cap = KPO_CSV_MAX_FIELD;

static void *
capped_realloc(void *p, size_t n)
{
	if (n > field_cap + 1)
		return NULL;
	return realloc(p, n);
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

static void
on_field(void *s, size_t n, void *data)
{
	struct kpo_csv *r = data;

	if (r->rec.nf == r->nfcap) {
		r->nfcap = r->nfcap ? 2 * r->nfcap : 64;
		r->off = kpo_xrealloc(r->off, r->nfcap * sizeof *r->off);
		r->rec.len = kpo_xrealloc(r->rec.len, r->nfcap * sizeof *r->rec.len);
		r->rec.f = kpo_xrealloc(r->rec.f, r->nfcap * sizeof *r->rec.f);
	}
	if (r->flen + n + 1 > KPO_CSV_MAX_RECORD) {
		r->too_long = 1;
		n = 0;
	}
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

static void
raw_append(struct kpo_csv *r, const char *s, size_t n)
{
	if (r->rawlen + n > KPO_CSV_MAX_RECORD) {
		r->too_long = 1;
		n = r->rawlen < KPO_CSV_MAX_RECORD ? KPO_CSV_MAX_RECORD - r->rawlen : 0;
	}
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

/* Appends decoded bytes to buf.  Returns 0 at the end of input, -1 on error. */
static int
refill(struct kpo_csv *r)
{
	long got;

	if (r->eof)
		return 0;
	if (r->cd == (iconv_t)-1) {
		buf_reserve(r, READ_CHUNK);
		got = source_read(r, r->buf + r->len, READ_CHUNK);
		if (got < 0)
			return -1;
		r->len += (size_t)got;
	} else {
		char *in, *out;
		size_t inleft, outleft;

		got = source_read(r, r->inbuf + r->inlen, READ_CHUNK - r->inlen);
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
	if (r->at_start && r->len - r->pos >= 3) {
		if (memcmp(r->buf + r->pos, "\xEF\xBB\xBF", 3) == 0)
			r->pos += 3;
		r->at_start = 0;
	} else if (r->at_start && r->eof) {
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
		size_t scanned;

		while (i < r->len) {
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
		if (r->len - r->pos > DETECT_PEEK)
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
	r->in_record = 0;
	r->have_record = 0;
	r->too_long = 0;
}

/* Gives the record its pointers and drops the line end from its raw text. */
static void
record_finish(struct kpo_csv *r, enum kpo_rec_status status)
{
	size_t i;

	for (i = 0; i < r->rec.nf; i++)
		r->rec.f[i] = r->fbuf + r->off[i];
	while (r->rawlen > 0 && (r->raw[r->rawlen - 1] == '\n' || r->raw[r->rawlen - 1] == '\r'))
		r->rawlen--;
	r->rec.raw = r->raw ? r->raw : "";
	r->rec.rawlen = r->rawlen;
	if (status == KPO_REC_OK && r->too_long)
		status = KPO_REC_TOO_LONG;
	if (status == KPO_REC_OK && r->header && r->rec.nf != r->header_nf)
		status = KPO_REC_FIELD_COUNT;
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

static int
next_record(struct kpo_csv *r)
{
	for (;;) {
		const char *seg, *nl, *cr;
		size_t avail, seglen, used;

		if (r->done)
			return 0;
		if (r->pos == r->len) {
			int rc = refill(r);

			if (rc < 0)
				return -1;
			if (rc == 0) {
				r->done = 1;
				if (r->err != KPO_CSV_OK)
					return -1;
				if (!r->in_record) {
					/* A line end is all that can be pending. */
					csv_fini(&r->p, on_field, on_record, r);
					return 0;
				}
				if (csv_fini(&r->p, on_field, on_record, r) != 0) {
					record_finish(r, KPO_REC_UNTERMINATED);
					return 1;
				}
				if (r->have_record) {
					record_finish(r, KPO_REC_OK);
					return 1;
				}
				return 0;
			}
			continue;
		}

		seg = r->buf + r->pos;
		avail = r->len - r->pos;
		nl = memchr(seg, '\n', avail);
		cr = memchr(seg, '\r', nl ? (size_t)(nl - seg) : avail);
		if (cr)
			nl = cr;
		seglen = nl ? (size_t)(nl - seg) + 1 : avail;

		if (r->skip_line) {
			if (nl)
				r->skip_line = 0;
			advance(r, seglen);
			continue;
		}
		if (!r->in_record && !(seglen == 1 && (seg[0] == '\n' || seg[0] == '\r'))) {
			r->in_record = 1;
			r->rec.line = r->line;
		}
		if (r->in_record)
			raw_append(r, seg, seglen);
		used = csv_parse(&r->p, seg, seglen, on_field, on_record, r);
		if (used < seglen) {
			int perr = csv_error(&r->p);
			int quoted = r->p.quoted;

			advance(r, seglen);
			parser_restart(r);
			if (perr == CSV_EPARSE) {
				/* The rest of the line belongs to the bad record,
				 * also when it comes with the next read. */
				r->skip_line = nl == NULL;
				record_finish(r, KPO_REC_BAD_QUOTE);
				return 1;
			}
			if (quoted) {
				/* Inside quotes there is no telling where the next record
				 * starts: stop this file rather than guess. */
				record_finish(r, KPO_REC_UNTERMINATED);
				r->done = 1;
				fail(r, KPO_CSV_EDATA,
				     "%s:%ld: quoted field longer than %zu bytes, or a quote never closed: the rest of the file is not read",
				     r->name, r->rec.line, r->max_field);
				return 1;
			}
			r->too_long = 1;
			r->skip_line = nl == NULL;
			record_finish(r, KPO_REC_TOO_LONG);
			return 1;
		}
		advance(r, seglen);
		if (r->have_record) {
			record_finish(r, KPO_REC_OK);
			return 1;
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

struct kpo_csv *
kpo_csv_open(const char *path, const struct kpo_csv_opts *opts)
{
	struct kpo_csv *r = kpo_xcalloc(1, sizeof *r);
	struct kpo_record *hdr;
	struct stat st;
	int fd;

	r->cd = (iconv_t)-1;
	r->line = 1;
	r->at_start = 1;
	r->options = CSV_STRICT | CSV_STRICT_FINI;
	r->max_field = opts && opts->max_field ? opts->max_field : KPO_CSV_MAX_FIELD;
	r->keep_blanks = opts && opts->keep_blanks;
	field_cap = r->max_field;
	if (!path || strcmp(path, "-") == 0) {
		r->name = kpo_xstrdup("-");
		fd = dup(STDIN_FILENO);
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
		r->inbuf = kpo_xmalloc(READ_CHUNK);
	}

	if (refill(r) < 0)
		return r;
	r->delim = opts && opts->delim ? (char)opts->delim : detect_delim(r);
	if (r->err != KPO_CSV_OK)
		return r;
	parser_start(r);

	switch (kpo_csv_next(r, &hdr)) {
	case -1:
		return r;
	case 0:
		return r;      /* empty: no header */
	}
	if (hdr->status == KPO_REC_TOO_LONG || hdr->status == KPO_REC_UNTERMINATED) {
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line is longer than %zu bytes a field or %u in all, or a quote in it is never closed",
		    r->name, hdr->line, r->max_field, KPO_CSV_MAX_RECORD);
		return r;
	}
	if (hdr->status != KPO_REC_OK) {
		fail(r, KPO_CSV_EDATA, "%s:%ld: the header line is not valid CSV (malformed quotes)", r->name, hdr->line);
		return r;
	}
	r->header = record_copy(hdr);
	r->header_nf = hdr->nf;
	return r;
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
