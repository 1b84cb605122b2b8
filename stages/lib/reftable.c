#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvread.h"
#include "date.h"
#include "err.h"
#include "num.h"
#include "reftable.h"
#include "text.h"

struct kpo_csv *
kpo_table_open(const char *path, const char *what, const char *const *want, int *field, size_t nwant)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	const struct kpo_record *h;
	size_t i, k;

	if (kpo_csv_error(r))
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s %s", what, kpo_csv_message(r));
	if (!(h = kpo_csv_header(r)))
		kpo_errx(EX_DATAERR, "%s:1: empty %s table: no header line", path, what);
	for (k = 0; k < nwant; k++)
		field[k] = -1;
	for (i = 0; i < h->nf; i++) {
		char key[64];

		if (h->len[i] >= sizeof key)
			continue;
		kpo_header_key(h->f[i], h->len[i], key);
		for (k = 0; k < nwant; k++)
			if (field[k] < 0 && strcmp(key, want[k]) == 0)
				field[k] = (int)i;
	}
	return r;
}

void
kpo_table_require(struct kpo_csv *r, int field, const char *col, const char *header)
{
	if (field < 0)
		kpo_errx(EX_DATAERR, "%s:1: column '%s' missing; the header should be '%s'", kpo_csv_name(r), col,
		    header);
}

void
kpo_table_fail(struct kpo_csv *r, const struct kpo_record *rec, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kpo_errx(EX_DATAERR, "%s:%ld: %s", kpo_csv_name(r), rec ? rec->line : 1, msg);
}

struct kpo_record *
kpo_table_next(struct kpo_csv *r, const char *what)
{
	struct kpo_record *rec;
	int rc = kpo_csv_next(r, &rec);

	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s %s", what, kpo_csv_message(r));
	if (rc == 0)
		return NULL;
	if (rec->status == KPO_REC_FIELD_COUNT)
		kpo_table_fail(r, rec, "%zu fields, the header has %zu", rec->nf, kpo_csv_header(r)->nf);
	if (rec->status != KPO_REC_OK)
		kpo_table_fail(r, rec, "malformed CSV row");
	return rec;
}

const char *
kpo_table_text(struct kpo_csv *r, const struct kpo_record *rec, int i, char *buf, size_t size, int upper)
{
	size_t n, k;

	if (i < 0) {
		buf[0] = '\0';
		return buf;
	}
	if (rec->len[i] >= size)
		kpo_table_fail(r, rec, "value too long in column '%s'", kpo_csv_header(r)->f[i]);
	n = kpo_text_fold(rec->f[i], rec->len[i], buf);
	buf[n] = '\0';
	for (k = 0; upper && k < n; k++)
		if (buf[k] >= 'a' && buf[k] <= 'z')
			buf[k] = (char)(buf[k] - 'a' + 'A');
	return buf;
}

struct kpo_dec
kpo_table_rate(struct kpo_csv *r, const struct kpo_record *rec, int i)
{
	char text[256], canon[KPO_NUM_MAX];
	struct kpo_dec d;

	kpo_table_text(r, rec, i, text, sizeof text, 0);
	if (kpo_num_canon(text, strlen(text), kpo_csv_delim(r) == ';' ? ',' : '.', canon) != 0 ||
	    kpo_dec_parse(canon, strlen(canon), &d) != 0)
		kpo_table_fail(r, rec, "unparsable rate '%s'", text);
	if (d.m <= 0)
		kpo_table_fail(r, rec, "the rate must be positive: '%s'", text);
	return d;
}

int64_t
kpo_table_date(struct kpo_csv *r, const struct kpo_record *rec, int i)
{
	struct kpo_datefmt utc;
	char text[256];
	int64_t t;

	memset(&utc, 0, sizeof utc);
	kpo_table_text(r, rec, i, text, sizeof text, 0);
	if (kpo_datetime_parse(text, strlen(text), &utc, &t) != 0 || t % 86400 != 0)
		kpo_table_fail(r, rec, "unparsable date '%s' (YYYY-MM-DD expected)", text);
	return t / 86400;
}
