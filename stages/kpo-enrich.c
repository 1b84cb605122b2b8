/* kpo-enrich: the canonical record stream + reference tables -> the enriched
 * stream (money in the base currency, in-house baseline, turnaround, on-time,
 * month).  See kpo-enrich(1). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "csvread.h"
#include "err.h"
#include "money.h"
#include "out.h"
#include "date.h"
#include "num.h"
#include "text.h"
#include "utf8.h"
#include "args.h"
#include "report.h"
#include "strmap.h"

/* The stream columns kpo-enrich reads, found by name. */
enum col {
	C_DOMAIN, C_REGION, C_REQUESTED_AT, C_DUE_AT, C_DELIVERED_AT, C_HOURS, C_COST,
	C_CURRENCY, C_INHOUSE_RATE, C_SOURCE, NCOLS
};

static const char *const colname[NCOLS] = {
	"domain", "region", "requested_at", "due_at", "delivered_at", "hours", "cost",
	"currency", "inhouse_rate", "source",
};

/* The longest turnaround taken as real: ten years (of 365.25 days). */
#define MAX_TURNAROUND ((int64_t)3653 * 86400)

/* The columns appended to every row, in this order. */
enum added { A_COST_BASE, A_BASELINE, A_SAVINGS, A_TAT_H, A_ON_TIME, A_MONTH, NADDED };

static const char *const addname[NADDED] = {
	"cost_base", "baseline", "savings", "tat_h", "on_time", "month",
};

static struct {
	const char *output;
	const char *rejects;
	const char *fx;
	const char *rates;
	const char *calendar;
	const char *tz;
	char base[64];
	int64_t as_of;
	int work_start, work_end;
	unsigned work_days;
	int business;           /* --calendar, --work-hours or --work-days given */
	double max_reject_pct;
	int quiet;
	int progress;
} opt = { .base = "USD", .work_start = 9 * 3600, .work_end = 18 * 3600, .work_days = KPO_MON_FRI,
	  .max_reject_pct = 5.0, .progress = -1 };

static struct {
	unsigned long long read, written, no_rate;
	struct kpo_rejects *rejects;
	struct kpo_progress progress;
	unsigned long long bytes_done;
	struct kpo_calendar *cal;
	/* The output columns: the first input's header. */
	char **outcol;
	size_t nout;
} run;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-q] [-o FILE] [--rejects FILE] [--max-reject-pct P] [--base CUR]\n"
	    "       [--fx FILE] [--rates FILE] [--calendar FILE] [--work-hours HH:MM-HH:MM]\n"
	    "       [--work-days DAYS] [--tz ZONE] [--as-of DATE] [--progress] [FILE ...]\n",
	    kpo_progname);
	if (!status)
		printf("Reads the canonical kpo stream and appends cost_base, baseline, savings, tat_h,\n"
		    "on_time and month to every row.  See kpo-enrich(1).\n");
	exit(status);
}

/* Reference tables ------------------------------------------------------- */

/* A reference table open with its header read; the columns named in WANT
 * (header keys, as kpo_header_key makes them) get their field index in
 * FIELD, or -1. */
static struct kpo_csv *
table_open(const char *path, const char *what, const char *const *want, int *field, size_t nwant)
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

/* The next row of a table, or NULL at its end; a broken row or file ends the
 * program with a FILE:LINE message. */
static struct kpo_record *
table_next(struct kpo_csv *r, const char *what)
{
	struct kpo_record *rec;
	int rc = kpo_csv_next(r, &rec);

	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "%s %s", what, kpo_csv_message(r));
	if (rc == 0)
		return NULL;
	if (rec->status == KPO_REC_FIELD_COUNT)
		kpo_errx(EX_DATAERR, "%s:%ld: %zu fields, the header has %zu", kpo_csv_name(r), rec->line,
		    rec->nf, kpo_csv_header(r)->nf);
	if (rec->status != KPO_REC_OK)
		kpo_errx(EX_DATAERR, "%s:%ld: malformed CSV row", kpo_csv_name(r), rec->line);
	return rec;
}

/* Field I of REC, trimmed and folded as kpo-ingest does, in BUF (SIZE bytes);
 * a longer value ends the program. */
static const char *
table_text(struct kpo_csv *r, const struct kpo_record *rec, int i, char *buf, size_t size, int upper)
{
	size_t n, k;

	if (i < 0) {
		buf[0] = '\0';
		return buf;
	}
	if (rec->len[i] >= size)
		kpo_errx(EX_DATAERR, "%s:%ld: value too long in column '%s'", kpo_csv_name(r), rec->line,
		    kpo_csv_header(r)->f[i]);
	n = kpo_text_fold(rec->f[i], rec->len[i], buf);
	buf[n] = '\0';
	for (k = 0; upper && k < n; k++)
		if (buf[k] >= 'a' && buf[k] <= 'z')
			buf[k] = (char)(buf[k] - 'a' + 'A');
	return buf;
}

/* A positive rate in column I. */
static struct kpo_dec
table_rate(struct kpo_csv *r, const struct kpo_record *rec, int i)
{
	char text[256], canon[KPO_NUM_MAX];
	struct kpo_dec d;

	table_text(r, rec, i, text, sizeof text, 0);
	if (kpo_num_canon(text, strlen(text), kpo_csv_delim(r) == ';' ? ',' : '.', canon) != 0 ||
	    kpo_dec_parse(canon, strlen(canon), &d) != 0)
		kpo_errx(EX_DATAERR, "%s:%ld: unparsable rate '%s'", kpo_csv_name(r), rec->line, text);
	if (d.m <= 0)
		kpo_errx(EX_DATAERR, "%s:%ld: the rate must be positive: '%s'", kpo_csv_name(r), rec->line, text);
	return d;
}

/* An ISO date in column I, as days since 1970-01-01. */
static int64_t
table_date(struct kpo_csv *r, const struct kpo_record *rec, int i)
{
	struct kpo_datefmt utc;
	char text[256];
	int64_t t;

	memset(&utc, 0, sizeof utc);
	table_text(r, rec, i, text, sizeof text, 0);
	if (kpo_datetime_parse(text, strlen(text), &utc, &t) != 0 || t % 86400 != 0)
		kpo_errx(EX_DATAERR, "%s:%ld: unparsable date '%s' (YYYY-MM-DD expected)", kpo_csv_name(r),
		    rec->line, text);
	return t / 86400;
}

static void
missing_table_column(struct kpo_csv *r, const char *col, const char *header)
{
	kpo_errx(EX_DATAERR, "%s:1: column '%s' missing; the header should be '%s'", kpo_csv_name(r), col, header);
}

/* --fx: per currency, its rates sorted by date (one rate of day INT64_MIN in a
 * flat table). */
struct fx_rate {
	int64_t day;
	struct kpo_dec rate;
	long line;
};

struct fx_cur {
	char *code;
	struct fx_rate *r;
	size_t n, cap;
};

static struct {
	struct kpo_strmap *map;         /* code -> struct fx_cur */
	int dated;
} fx;

static const struct kpo_dec ONE = { 1, 0 };

static int
cmp_fx_rate(const void *a, const void *b)
{
	const struct fx_rate *x = a, *y = b;

	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->line > y->line) - (x->line < y->line);
}

static void
sort_fx(const char *key, size_t n, void **value, void *ctx)
{
	struct fx_cur *c = *value;
	const char *path = ctx;
	size_t i;

	(void)key, (void)n;
	qsort(c->r, c->n, sizeof *c->r, cmp_fx_rate);
	for (i = 1; i < c->n; i++)
		if (c->r[i].day == c->r[i - 1].day)
			kpo_errx(EX_DATAERR, "%s:%ld: a second %s rate for the same date (the first is on line %ld)",
			    path, c->r[i].line, c->code, c->r[i - 1].line);
}

static void
load_fx(const char *path)
{
	static const char *const want[] = { "date", "currency", "rate" };
	int f[3];
	struct kpo_csv *r = table_open(path, "--fx", want, f, 3);
	struct kpo_record *rec;

	if (f[1] < 0)
		missing_table_column(r, "currency", "currency,rate or date,currency,rate");
	if (f[2] < 0)
		missing_table_column(r, "rate", "currency,rate or date,currency,rate");
	fx.dated = f[0] >= 0;
	fx.map = kpo_strmap_new();
	while ((rec = table_next(r, "--fx"))) {
		char code[64];
		struct fx_rate x;
		struct fx_cur *c;
		void **slot;

		table_text(r, rec, f[1], code, sizeof code, 1);
		if (!code[0])
			kpo_errx(EX_DATAERR, "%s:%ld: empty currency", path, rec->line);
		x.day = fx.dated ? table_date(r, rec, f[0]) : INT64_MIN;
		x.rate = table_rate(r, rec, f[2]);
		x.line = rec->line;
		if (strcmp(code, opt.base) == 0) {
			struct kpo_dec one = x.rate;

			while (one.scale > 0 && one.m % 10 == 0) {
				one.m /= 10;
				one.scale--;
			}
			if (one.m != 1 || one.scale != 0)
				kpo_errx(EX_DATAERR, "%s:%ld: the base currency %s has the rate 1, not this one "
				    "(is the table for another --base?)", path, rec->line, code);
			continue;
		}
		slot = kpo_strmap_get(fx.map, code, strlen(code), 1);
		if (!*slot) {
			c = kpo_xcalloc(1, sizeof *c);
			c->code = kpo_xstrdup(code);
			*slot = c;
		}
		c = *slot;
		if (!fx.dated && c->n)
			kpo_errx(EX_DATAERR, "%s:%ld: a second rate for %s (the first is on line %ld)", path, rec->line,
			    code, c->r[0].line);
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 8;
			c->r = kpo_xrealloc(c->r, c->cap * sizeof *c->r);
		}
		c->r[c->n++] = x;
	}
	kpo_csv_close(r);
	kpo_strmap_each(fx.map, sort_fx, (void *)path);
}

enum fx_result { FX_OK, FX_UNKNOWN, FX_NO_DATE };

/* The rate of currency CODE (N bytes) on DAY: the base currency's is 1. */
static enum fx_result
fx_rate(const char *code, size_t n, int64_t day, struct kpo_dec *rate, const struct fx_cur **cur)
{
	const struct fx_cur *c;
	void **slot;
	size_t lo, hi;

	*cur = NULL;
	if (n == 0 || (n == strlen(opt.base) && memcmp(code, opt.base, n) == 0)) {
		*rate = ONE;
		return FX_OK;
	}
	if (!fx.map || !(slot = kpo_strmap_get(fx.map, code, n, 0)))
		return FX_UNKNOWN;
	*cur = c = *slot;
	/* The last rate on or before DAY. */
	lo = 0;
	hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->r[mid].day <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return FX_NO_DATE;
	*rate = c->r[lo - 1].rate;
	return FX_OK;
}

/* --rates: "domain NUL region" -> struct rate. */
struct rate {
	struct kpo_dec rate;
	char code[64];          /* currency; "" for the base currency */
	long line;
};

static struct kpo_strmap *rates;

/* The key of DOMAIN + REGION in *BUF (grown as needed, never shrunk). */
static size_t
rate_key(char **buf, size_t *cap, const char *domain, size_t dn, const char *region, size_t rn)
{
	if (dn + rn + 1 > *cap) {
		*cap = 2 * (dn + rn + 1);
		*buf = kpo_xrealloc(*buf, *cap);
	}
	memcpy(*buf, domain, dn);
	(*buf)[dn] = '\0';
	memcpy(*buf + dn + 1, region, rn);
	return dn + rn + 1;
}

static void
load_rates(const char *path)
{
	static const char *const want[] = { "domain", "region", "rate", "currency" };
	int f[4];
	struct kpo_csv *r = table_open(path, "--rates", want, f, 4);
	struct kpo_record *rec;
	char *key = NULL;
	size_t cap = 0;

	if (f[0] < 0)
		missing_table_column(r, "domain", "domain,rate (region and currency optional)");
	if (f[2] < 0)
		missing_table_column(r, "rate", "domain,rate (region and currency optional)");
	rates = kpo_strmap_new();
	while ((rec = table_next(r, "--rates"))) {
		char domain[1024], region[1024];
		struct rate x;
		void **slot;
		size_t n;

		table_text(r, rec, f[0], domain, sizeof domain, 0);
		table_text(r, rec, f[1], region, sizeof region, 0);
		table_text(r, rec, f[3], x.code, sizeof x.code, 1);
		if (!domain[0])
			kpo_errx(EX_DATAERR, "%s:%ld: empty domain", path, rec->line);
		x.rate = table_rate(r, rec, f[2]);
		x.line = rec->line;
		if (strcmp(x.code, opt.base) == 0)
			x.code[0] = '\0';
		if (x.code[0]) {
			void **c = fx.map ? kpo_strmap_get(fx.map, x.code, strlen(x.code), 0) : NULL;

			if (!c)
				kpo_errx(EX_DATAERR, "%s:%ld: a rate in %s, and %s", path, rec->line, x.code,
				    opt.fx ? "the --fx table has no rate for it" : "no --fx table converts it to the base currency");
		}
		n = rate_key(&key, &cap, domain, strlen(domain), region, strlen(region));
		slot = kpo_strmap_get(rates, key, n, 1);
		if (*slot)
			kpo_errx(EX_DATAERR, "%s:%ld: a second rate for domain '%s'%s%s%s (the first is on line %ld)",
			    path, rec->line, domain, region[0] ? ", region '" : "", region, region[0] ? "'" : "",
			    ((struct rate *)*slot)->line);
		*slot = kpo_xmalloc(sizeof x);
		memcpy(*slot, &x, sizeof x);
	}
	free(key);
	kpo_csv_close(r);
}

/* --calendar: a column "date" of holidays. */
static void
load_calendar(const char *path)
{
	static const char *const want[] = { "date" };
	int f[1];
	struct kpo_csv *r = table_open(path, "--calendar", want, f, 1);
	struct kpo_record *rec;

	if (f[0] < 0)
		missing_table_column(r, "date", "date (other columns are ignored)");
	while ((rec = table_next(r, "--calendar")))
		kpo_calendar_add_holiday(run.cal, table_date(r, rec, f[0]));
	kpo_csv_close(r);
}

static void
free_entry(const char *key, size_t n, void **value, void *ctx)
{
	struct fx_cur *c = *value;

	(void)key, (void)n;
	if (ctx) {
		free(c->code);
		free(c->r);
	}
	free(c);
}

/* Arithmetic ------------------------------------------------------------- */

/* A x B x C rounded once, half to even, to 1/10000: hours x rate x fx.  Each
 * mantissa is below 10^18; A x B is exact in 128 bits, the third factor is
 * checked. */
static int
mul3_money(struct kpo_dec a, struct kpo_dec b, struct kpo_dec c, kpo_money *out)
{
	kpo_i128 q, p10 = 1;
	int s = a.scale + b.scale + c.scale, e;

	if (__builtin_mul_overflow((kpo_i128)a.m * b.m, (kpo_i128)c.m, &q))
		return KPO_PARSE_RANGE;
	if (s <= 4) {
		for (e = s; e < 4; e++)
			p10 *= 10;
		if (__builtin_mul_overflow(q, p10, &q))
			return KPO_PARSE_RANGE;
	} else if (s - 4 > 38) {
		q = 0;          /* |q| < 2^127 < 10^39 / 2 */
	} else {
		for (e = 4; e < s; e++)
			p10 *= 10;
		q = kpo_div_round(q, p10);
	}
	if (q > INT64_MAX || q < -INT64_MAX)
		return KPO_PARSE_RANGE;
	*out = (kpo_money)q;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const unsigned char dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static int
digits(const char *s, int n)
{
	int v = 0;

	while (n--) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* A date-time of the stream: the canonical YYYY-MM-DDTHH:MM:SSZ quickly,
 * anything else kpo-ingest would accept (naive times as UTC) slowly. */
static int
parse_when(const char *s, size_t n, int64_t *t)
{
	if (n == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
	    s[19] == 'Z') {
		int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
		int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);

		if (y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) && h >= 0 && h < 24 &&
		    mi >= 0 && mi < 60 && se >= 0 && se < 60) {
			*t = kpo_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
			return 0;
		}
	}
	{
		struct kpo_datefmt utc;

		memset(&utc, 0, sizeof utc);
		return kpo_datetime_parse(s, n, &utc, t);
	}
}

static int64_t
day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* Rows ------------------------------------------------------------------- */

/* The header of one input: our columns' field indexes (-1: absent, only
 * source may be), and for each output column the field it comes from. */
struct layout {
	int field[NCOLS];
	size_t *perm;
};

/* Why a row cannot be used: the reject kind and its detail. */
struct verdict {
	const char *kind;
	char detail[512];
};

/* The appended values of one row. */
struct extra {
	char v[NADDED][KPO_MONEY_MAX];
	int no_rate;
};

static int
bad(struct verdict *v, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
bad(struct verdict *v, const char *kind, const char *fmt, ...)
{
	va_list ap;

	v->kind = kind;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof v->detail, fmt, ap);
	va_end(ap);
	return -1;
}

#define SHOWN(n) (int)((n) > 80 ? 80 : (n))

/* Field C of REC as a date-time: 1 when set, 0 when empty, -1 (verdict)
 * when not a date. */
static int
field_when(const struct kpo_record *rec, const struct layout *L, enum col c, int64_t *t, struct verdict *v)
{
	const char *s = rec->f[L->field[c]];
	size_t n = rec->len[L->field[c]];

	if (n == 0)
		return 0;
	if (parse_when(s, n, t) != 0)
		return bad(v, "unparsable date", "column '%s': '%.*s'", colname[c], SHOWN(n), s);
	return 1;
}

static int
field_dec(const struct kpo_record *rec, const struct layout *L, enum col c, struct kpo_dec *d, struct verdict *v)
{
	const char *s = rec->f[L->field[c]];
	size_t n = rec->len[L->field[c]];
	int rc;

	if (n == 0)
		return 0;
	if ((rc = kpo_dec_parse(s, n, d)) != 0)
		return bad(v, rc == KPO_PARSE_RANGE ? "number out of range" : "unparsable number",
		    "column '%s': '%.*s'", colname[c], SHOWN(n), s);
	return 1;
}

static const char *
fx_source(void)
{
	return opt.fx;
}

/* The rate of currency CODE on DAY, or a verdict. */
static int
rate_on(const char *code, size_t n, int64_t day, const char *what, struct kpo_dec *rate, struct verdict *v)
{
	const struct fx_cur *cur;
	char date[KPO_DATETIME_MAX];

	switch (fx_rate(code, n, day, rate, &cur)) {
	case FX_OK:
		return 0;
	case FX_UNKNOWN:
		if (!opt.fx)
			return bad(v, "unknown currency", "%s '%.*s' is not the base currency %s, and no --fx table "
			    "was given", what, SHOWN(n), code, opt.base);
		return bad(v, "unknown currency", "%s '%.*s' has no rate in %s", what, SHOWN(n), code, fx_source());
	case FX_NO_DATE:
		kpo_datetime_format(day * 86400, date);
		date[10] = '\0';
		kpo_datetime_format(cur->r[0].day * 86400, date + 11);
		date[21] = '\0';
		return bad(v, "no fx rate for date", "%s '%.*s': no rate on or before %s in %s (the first is for %s)",
		    what, SHOWN(n), code, date, fx_source(), date + 11);
	}
	return -1;
}

/* V / 10000 with 4 decimals, as kpo_money_format(V, 4, OUT) writes it, without
 * its 128-bit division and printf: this runs three times a row. */
static void
money_out(kpo_money v, char *out)
{
	char tmp[24];
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int k = 0, i;

	for (i = 0; i < 4; i++) {
		tmp[k++] = (char)('0' + (int)(a % 10));
		a /= 10;
	}
	tmp[k++] = '.';
	do {
		tmp[k++] = (char)('0' + (int)(a % 10));
		a /= 10;
	} while (a);
	if (v < 0)
		*out++ = '-';
	while (k)
		*out++ = tmp[--k];
	*out = '\0';
}

/* SECS / 3600 hours with 4 decimals, rounded half to even, as
 * kpo_ratio_format(SECS, 3600, 4, OUT) writes it. */
static void
hours_out(int64_t secs, char *out)
{
	if (secs > INT64_MAX / 10000 || secs < -(INT64_MAX / 10000)) {
		kpo_ratio_format(secs, 3600, 4, out);
		return;
	}
	money_out((kpo_money)kpo_div_round((kpo_i128)secs * 10000, 3600), out);
}

/* Computes the appended columns of REC, or says why it cannot. */
static int
enrich(const struct kpo_record *rec, const struct layout *L, struct extra *x, struct verdict *v,
    char **keybuf, size_t *keycap)
{
	int64_t req, due = 0, del = 0, day;
	int has_due, has_del, rc;
	struct kpo_dec cost, hours, fxr, own;
	kpo_money cost_base, baseline = 0;
	int has_baseline = 0;
	int64_t y;
	unsigned mo, d;

	if ((rc = field_when(rec, L, C_REQUESTED_AT, &req, v)) < 0)
		return -1;
	if (rc == 0)
		return bad(v, "missing value", "requested_at is empty");
	if ((has_due = field_when(rec, L, C_DUE_AT, &due, v)) < 0 ||
	    (has_del = field_when(rec, L, C_DELIVERED_AT, &del, v)) < 0)
		return -1;
	if (has_del && del < req)
		return bad(v, "delivered before requested", "delivered %.*s, requested %.*s",
		    SHOWN(rec->len[L->field[C_DELIVERED_AT]]), rec->f[L->field[C_DELIVERED_AT]],
		    SHOWN(rec->len[L->field[C_REQUESTED_AT]]), rec->f[L->field[C_REQUESTED_AT]]);
	/* No engagement task runs for ten years; such a span is bad data, and
	 * counting its business hours day by day would cost milliseconds a row. */
	if (has_del && del - req > MAX_TURNAROUND)
		return bad(v, "turnaround out of range", "delivered %.*s, more than ten years after requested %.*s",
		    SHOWN(rec->len[L->field[C_DELIVERED_AT]]), rec->f[L->field[C_DELIVERED_AT]],
		    SHOWN(rec->len[L->field[C_REQUESTED_AT]]), rec->f[L->field[C_REQUESTED_AT]]);
	if ((rc = field_dec(rec, L, C_COST, &cost, v)) < 0)
		return -1;
	if (rc == 0)
		return bad(v, "missing value", "cost is empty");
	if ((rc = field_dec(rec, L, C_HOURS, &hours, v)) < 0)
		return -1;
	if (rc == 0)
		return bad(v, "missing value", "hours is empty");

	/* Money: the rate of the delivery date, else of the request date. */
	day = day_of(has_del ? del : req);
	if (rate_on(rec->f[L->field[C_CURRENCY]], rec->len[L->field[C_CURRENCY]], day, "currency", &fxr, v) != 0)
		return -1;
	if (kpo_dec_mul_money(cost, fxr, &cost_base) != 0)
		return bad(v, "number out of range", "cost_base of cost %.*s", SHOWN(rec->len[L->field[C_COST]]),
		    rec->f[L->field[C_COST]]);

	if ((rc = field_dec(rec, L, C_INHOUSE_RATE, &own, v)) < 0)
		return -1;
	if (rc == 1) {
		if (kpo_dec_mul_money(hours, own, &baseline) != 0)
			return bad(v, "number out of range", "baseline of hours x inhouse_rate");
		has_baseline = 1;
	} else if (rates) {
		const char *dom = rec->f[L->field[C_DOMAIN]], *reg = rec->f[L->field[C_REGION]];
		size_t dn = rec->len[L->field[C_DOMAIN]], rn = rec->len[L->field[C_REGION]], n;
		void **slot = NULL;

		if (rn) {
			n = rate_key(keybuf, keycap, dom, dn, reg, rn);
			slot = kpo_strmap_get(rates, *keybuf, n, 0);
		}
		if (!slot) {
			n = rate_key(keybuf, keycap, dom, dn, "", 0);
			slot = kpo_strmap_get(rates, *keybuf, n, 0);
		}
		if (slot) {
			const struct rate *r = *slot;
			struct kpo_dec conv;

			if (!r->code[0]) {
				rc = kpo_dec_mul_money(hours, r->rate, &baseline);
			} else {
				if (rate_on(r->code, strlen(r->code), day, "in-house rate currency", &conv, v) != 0)
					return -1;
				rc = mul3_money(hours, r->rate, conv, &baseline);
			}
			if (rc != 0)
				return bad(v, "number out of range", "baseline of hours x rate");
			has_baseline = 1;
		}
	}
	x->no_rate = !has_baseline;
	money_out(cost_base, x->v[A_COST_BASE]);
	if (has_baseline) {
		kpo_money savings;

		if (__builtin_sub_overflow(baseline, cost_base, &savings))
			return bad(v, "number out of range", "savings");
		money_out(baseline, x->v[A_BASELINE]);
		money_out(savings, x->v[A_SAVINGS]);
	} else {
		x->v[A_BASELINE][0] = x->v[A_SAVINGS][0] = '\0';
	}

	/* Time. */
	if (has_del) {
		int64_t secs = run.cal ? kpo_calendar_seconds(run.cal, req, del) : del - req;

		hours_out(secs, x->v[A_TAT_H]);
		strcpy(x->v[A_ON_TIME], !has_due ? "" : del <= due ? "1" : "0");
	} else {
		x->v[A_TAT_H][0] = '\0';
		strcpy(x->v[A_ON_TIME], has_due && due < opt.as_of ? "0" : "");
	}
	kpo_civil_from_days(day, &y, &mo, &d);
	x->v[A_MONTH][0] = (char)('0' + y / 1000 % 10);
	x->v[A_MONTH][1] = (char)('0' + y / 100 % 10);
	x->v[A_MONTH][2] = (char)('0' + y / 10 % 10);
	x->v[A_MONTH][3] = (char)('0' + y % 10);
	x->v[A_MONTH][4] = '-';
	x->v[A_MONTH][5] = (char)('0' + mo / 10);
	x->v[A_MONTH][6] = (char)('0' + mo % 10);
	x->v[A_MONTH][7] = '\0';
	return 0;
}

/* Rejects REC; its place is the row's own source (FILE:LINE of the export)
 * when it has one, else its place in this stream. */
static void
reject(struct kpo_csv *r, const struct kpo_record *rec, const struct layout *L, const char *kind,
    const char *detail)
{
	static char file[4096];
	const char *name = kpo_csv_name(r);
	long line = rec->line;
	int sf = L->field[C_SOURCE];

	if (rec->status == KPO_REC_OK && sf >= 0 && rec->len[sf] > 0 && rec->len[sf] < sizeof file) {
		char *colon, *end;
		long n;

		memcpy(file, rec->f[sf], rec->len[sf]);
		file[rec->len[sf]] = '\0';
		colon = strrchr(file, ':');
		if (colon && colon > file && colon[1] >= '0' && colon[1] <= '9') {
			errno = 0;
			n = strtol(colon + 1, &end, 10);
			if (!*end && !errno && n > 0) {
				*colon = '\0';
				name = file;
				line = n;
			}
		}
	}
	kpo_reject(run.rejects, name, line, kind, detail, rec->raw, rec->rawlen);
}

/* Maps the header of R; the first input's header becomes the output's.
 * 0, or EX_DATAERR after saying what is wrong. */
static int
map_header(struct kpo_csv *r, struct layout *L, struct kpo_out *out)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char seen[2048];
	size_t i;
	int c, status = 0;

	if (!h) {
		kpo_warn_at(kpo_csv_name(r), 0, "empty input: no header line");
		return EX_DATAERR;
	}
	for (c = 0; c < NCOLS; c++)
		if ((L->field[c] = kpo_header_find(h, colname[c])) < 0 && c != C_SOURCE) {
			kpo_header_describe(h, seen, sizeof seen);
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' missing (it is produced by kpo-ingest); "
			    "the header has: %s", colname[c], seen);
			status = EX_DATAERR;
		}
	for (c = 0; c < NADDED; c++)
		if (kpo_header_find(h, addname[c]) >= 0) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' is already there: is this stream enriched "
			    "already?", addname[c]);
			status = EX_DATAERR;
		}
	if (status)
		return status;
	L->perm = kpo_xcalloc(h->nf + 1, sizeof *L->perm);
	if (!run.outcol) {
		run.nout = h->nf;
		run.outcol = kpo_xcalloc(h->nf, sizeof *run.outcol);
		for (i = 0; i < h->nf; i++) {
			run.outcol[i] = kpo_xstrdup(h->f[i]);
			L->perm[i] = i;
			kpo_out_field(out, h->f[i], h->len[i]);
		}
		for (c = 0; c < NADDED; c++)
			kpo_out_fieldz(out, addname[c]);
		kpo_out_endrow(out);
		return 0;
	}
	/* A later input: the same columns, in any order. */
	for (i = 0; i < run.nout; i++) {
		int f = kpo_header_find(h, run.outcol[i]);

		if (f < 0) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' of the first input is missing", run.outcol[i]);
			status = EX_DATAERR;
		}
		L->perm[i] = (size_t)(f < 0 ? 0 : f);
	}
	for (i = 0; i < h->nf; i++) {
		size_t k;

		for (k = 0; k < run.nout && strcmp(run.outcol[k], h->f[i]) != 0; k++)
			;
		if (k == run.nout) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' is not in the first input's header", h->f[i]);
			status = EX_DATAERR;
		}
	}
	return status;
}

/* Streams one input; returns its exit status (0 when every problem was a
 * counted reject). */
static int
process(const char *path, struct kpo_out *out)
{
	struct kpo_csv_opts csv = { .delim = ',' };
	struct kpo_csv *r = kpo_csv_open(path, &csv);
	struct kpo_record *rec;
	struct layout L;
	struct verdict v;
	struct extra x;
	char *keybuf = NULL;
	size_t keycap = 0;
	int status = 0, rc = 0, c;

	memset(&L, 0, sizeof L);
	if (kpo_csv_error(r)) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
		goto done;
	}
	if ((status = map_header(r, &L, out)) != 0)
		goto done;

	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		size_t i;

		run.read++;
		kpo_progress_tick(&run.progress, run.read, run.bytes_done + kpo_csv_bytes(r));
		if (rec->status != KPO_REC_OK) {
			char detail[128];

			snprintf(detail, sizeof detail, "%zu fields, the header has %zu", rec->nf,
			    kpo_csv_header(r)->nf);
			reject(r, rec, &L, kpo_rec_status_kind(rec->status), rec->status == KPO_REC_FIELD_COUNT ? detail : NULL);
			continue;
		}
		if (enrich(rec, &L, &x, &v, &keybuf, &keycap) != 0) {
			reject(r, rec, &L, v.kind, v.detail);
			continue;
		}
		for (i = 0; i < run.nout; i++)
			kpo_out_field(out, rec->f[L.perm[i]], rec->len[L.perm[i]]);
		for (c = 0; c < NADDED; c++)
			kpo_out_fieldz(out, x.v[c]);
		kpo_out_endrow(out);
		run.written++;
		run.no_rate += (unsigned)x.no_rate;
		if (kpo_out_failed(out))
			break;
	}
	if (rc < 0) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
	}
done:
	run.bytes_done += kpo_csv_bytes(r);
	free(L.perm);
	free(keybuf);
	kpo_csv_close(r);
	return status;
}

/* Options ---------------------------------------------------------------- */

static void
parse_base(const char *arg)
{
	size_t i, n = strlen(arg);

	if (n == 0 || n >= sizeof opt.base)
		kpo_errx(EX_USAGE, "--base: a currency code such as USD expected: '%s'", arg);
	for (i = 0; i < n; i++) {
		char ch = arg[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			kpo_errx(EX_USAGE, "--base: a currency code such as USD expected: '%s'", arg);
		opt.base[i] = ch;
	}
	opt.base[n] = '\0';
}

static int64_t
parse_as_of(const char *arg)
{
	struct kpo_datefmt utc;
	int64_t t;

	memset(&utc, 0, sizeof utc);
	if (kpo_datetime_parse(arg, strlen(arg), &utc, &t) != 0)
		kpo_errx(EX_USAGE, "--as-of: a date (YYYY-MM-DD) or date-time expected: '%s'", arg);
	return t;
}

int
main(int argc, char **argv)
{
	enum { O_REJECTS = 256, O_MAXPCT, O_BASE, O_FX, O_RATES, O_CALENDAR, O_WORKHOURS, O_WORKDAYS,
	       O_TZ, O_ASOF, O_PROGRESS, O_NOPROGRESS, O_VERSION };
	static const struct option longopts[] = {
		{ "as-of",          required_argument, NULL, O_ASOF },
		{ "base",           required_argument, NULL, O_BASE },
		{ "calendar",       required_argument, NULL, O_CALENDAR },
		{ "fx",             required_argument, NULL, O_FX },
		{ "help",           no_argument,       NULL, 'h' },
		{ "max-reject-pct", required_argument, NULL, O_MAXPCT },
		{ "no-progress",    no_argument,       NULL, O_NOPROGRESS },
		{ "output",         required_argument, NULL, 'o' },
		{ "progress",       no_argument,       NULL, O_PROGRESS },
		{ "quiet",          no_argument,       NULL, 'q' },
		{ "rates",          required_argument, NULL, O_RATES },
		{ "rejects",        required_argument, NULL, O_REJECTS },
		{ "tz",             required_argument, NULL, O_TZ },
		{ "version",        no_argument,       NULL, O_VERSION },
		{ "work-days",      required_argument, NULL, O_WORKDAYS },
		{ "work-hours",     required_argument, NULL, O_WORKHOURS },
		{ NULL, 0, NULL, 0 }
	};
	struct kpo_out *out;
	const char *rejects_name = NULL;
	char summary[1024];
	int ch, i, status = 0, as_of_given = 0;

	kpo_stage_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case O_ASOF:
			opt.as_of = parse_as_of(optarg);
			as_of_given = 1;
			break;
		case O_BASE:
			parse_base(optarg);
			break;
		case O_CALENDAR:
			opt.calendar = optarg;
			opt.business = 1;
			break;
		case O_FX:
			opt.fx = optarg;
			break;
		case O_MAXPCT:
			opt.max_reject_pct = kpo_max_reject_pct_arg(optarg);
			break;
		case O_NOPROGRESS:
			opt.progress = 0;
			break;
		case O_PROGRESS:
			opt.progress = 1;
			break;
		case O_RATES:
			opt.rates = optarg;
			break;
		case O_REJECTS:
			opt.rejects = optarg;
			break;
		case O_TZ:
			if (kpo_tz_valid(optarg) != 0)
				kpo_errx(EX_USAGE, "--tz: unknown time zone '%s' (a name such as Europe/Berlin)", optarg);
			opt.tz = optarg;
			break;
		case O_VERSION:
			printf("kpo-enrich %s\n", KPO_VERSION);
			return kpo_close_stdout(0);
		case O_WORKDAYS:
			if (kpo_work_days_parse(optarg, &opt.work_days) != 0)
				kpo_errx(EX_USAGE, "--work-days: day names such as Mon-Fri or Mon,Wed,Fri expected: '%s'",
				    optarg);
			opt.business = 1;
			break;
		case O_WORKHOURS:
			if (kpo_work_hours_parse(optarg, &opt.work_start, &opt.work_end) != 0)
				kpo_errx(EX_USAGE, "--work-hours: HH:MM-HH:MM with the start before the end expected: '%s'",
				    optarg);
			opt.business = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (!as_of_given)
		opt.as_of = day_of((int64_t)time(NULL)) * 86400;
	if (opt.tz && !opt.business)
		kpo_warnx("--tz counts business hours only; without --calendar, --work-hours or --work-days "
		    "turnaround is elapsed time and --tz has no effect");

	/* Reference tables, before any output exists. */
	if (opt.fx)
		load_fx(opt.fx);
	if (opt.rates)
		load_rates(opt.rates);
	if (opt.business) {
		run.cal = kpo_calendar_new(opt.tz, opt.work_start, opt.work_end, opt.work_days);
		if (opt.calendar)
			load_calendar(opt.calendar);
	}
	if (opt.progress < 0)
		opt.progress = isatty(STDERR_FILENO);
	kpo_progress_init(&run.progress, opt.progress);

	if (!(out = kpo_out_open(opt.output)))
		kpo_err(EX_CANTCREAT, "%s", opt.output);
	if (!(run.rejects = kpo_rejects_open(opt.rejects, "enrich")))
		kpo_err(EX_CANTCREAT, "%s", opt.rejects);

	if (argc == 0)
		status = process("-", out);
	for (i = 0; i < argc && !kpo_out_failed(out); i++)
		status = kpo_status_merge(status, process(argv[i], out));
	kpo_progress_show(&run.progress, run.read, run.bytes_done, 1);

	if (!opt.quiet) {
		size_t len;

		snprintf(summary, sizeof summary, "%llu rows read, %llu written, %llu rejected",
		    run.read, run.written, kpo_rejects_count(run.rejects));
		kpo_rejects_describe(run.rejects, summary, sizeof summary);
		len = strlen(summary);
		if (run.no_rate)
			snprintf(summary + len, sizeof summary - len, "; %llu without an in-house rate", run.no_rate);
		kpo_warnx("%s", summary);
	}
	if (kpo_reject_threshold_passed(kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct)) {
		kpo_warnx("%llu of %llu rows rejected, more than --max-reject-pct %g%%",
		    kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct);
		status = kpo_status_merge(status, EX_DATAERR);
	}
	if (kpo_rejects_close(run.rejects, &rejects_name) != 0) {
		kpo_warn("%s: write error", rejects_name);
		status = kpo_status_merge(status, EX_IOERR);
	}
	/* -o FILE is replaced only by a run that succeeded. */
	if (status != 0 && opt.output && !kpo_out_failed(out)) {
		kpo_out_abort(out);
	} else if (kpo_out_commit(out) != 0) {
		kpo_warn("%s: write error", opt.output ? opt.output : "stdout");
		status = kpo_status_merge(status, EX_IOERR);
	}

	if (fx.map) {
		kpo_strmap_each(fx.map, free_entry, (void *)1);
		kpo_strmap_free(fx.map);
	}
	if (rates) {
		kpo_strmap_each(rates, free_entry, NULL);
		kpo_strmap_free(rates);
	}
	for (i = 0; i < (int)run.nout; i++)
		free(run.outcol[i]);
	free(run.outcol);
	kpo_calendar_free(run.cal);
	return kpo_close_stdout(status);
}
