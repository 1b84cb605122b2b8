#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "calendar.h"
#include "csvread.h"
#include "date.h"
#include "enrich.h"
#include "err.h"
#include "money.h"
#include "out.h"
#include "reftable.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"

/* The stream columns kpo-enrich reads. */
enum need {
	N_DOMAIN, N_REGION, N_REQUESTED_AT, N_DUE_AT, N_DELIVERED_AT, N_HOURS, N_COST, N_CURRENCY,
	N_INHOUSE_RATE, N_SOURCE, NNEED
};

static const enum kpo_col need_col[NNEED] = {
	[N_DOMAIN] = KPO_COL_DOMAIN, [N_REGION] = KPO_COL_REGION, [N_REQUESTED_AT] = KPO_COL_REQUESTED_AT,
	[N_DUE_AT] = KPO_COL_DUE_AT, [N_DELIVERED_AT] = KPO_COL_DELIVERED_AT, [N_HOURS] = KPO_COL_HOURS,
	[N_COST] = KPO_COL_COST, [N_CURRENCY] = KPO_COL_CURRENCY, [N_INHOUSE_RATE] = KPO_COL_INHOUSE_RATE,
	[N_SOURCE] = KPO_COL_SOURCE,
};

/* The longest turnaround taken as real: ten years (of 365.25 days).  No
 * engagement task runs that long, and counting the business hours of such a
 * span day by day would cost milliseconds a row. */
#define MAX_TURNAROUND ((int64_t)3653 * 86400)

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

/* --rates: "domain NUL region" -> struct rate. */
struct rate {
	struct kpo_dec rate;
	char code[64];          /* currency; "" for the base currency */
	long line;
};

struct kpo_enrich {
	struct kpo_enrich_opts opt;
	struct kpo_strmap *fx;          /* code -> struct fx_cur */
	int fx_dated;
	struct kpo_strmap *rates;
	struct kpo_calendar *cal;
	/* The output columns: the first input's header. */
	char **outcol;
	size_t nout;
};

struct kpo_enrich_input {
	int field[NNEED];               /* -1: absent (only source may be) */
	size_t *perm;                   /* output column -> input field */
	/* The current row. */
	char value[KPO_NENRICHED][KPO_MONEY_MAX];
	int no_rate;
	char *keybuf;
	size_t keycap;
};

static const struct kpo_dec ONE = { 1, 0 };

/* Reference tables ------------------------------------------------------- */

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

/* The base currency's rate must be 1: a table made for another base would
 * convert everything wrongly. */
static void
check_base_rate(struct kpo_csv *r, const struct kpo_record *rec, struct kpo_dec one, const char *code)
{
	while (one.scale > 0 && one.m % 10 == 0) {
		one.m /= 10;
		one.scale--;
	}
	if (one.m != 1 || one.scale != 0)
		kpo_table_fail(r, rec, "the base currency %s has the rate 1, not this one "
		    "(is the table for another --base?)", code);
}

static void
add_fx_rate(struct kpo_enrich *e, struct kpo_csv *r, const struct kpo_record *rec, const char *code,
    struct fx_rate x)
{
	void **slot = kpo_strmap_get(e->fx, code, strlen(code), 1);
	struct fx_cur *c = *slot;

	if (!c) {
		c = kpo_xcalloc(1, sizeof *c);
		c->code = kpo_xstrdup(code);
		*slot = c;
	}
	if (!e->fx_dated && c->n)
		kpo_table_fail(r, rec, "a second rate for %s (the first is on line %ld)", code, c->r[0].line);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->r = kpo_xrealloc(c->r, c->cap * sizeof *c->r);
	}
	c->r[c->n++] = x;
}

static void
load_fx(struct kpo_enrich *e, const char *path)
{
	const char *const want[] = { "date", kpo_columns[KPO_COL_CURRENCY].name, "rate" };
	static const char header[] = "currency,rate or date,currency,rate";
	int f[3];
	struct kpo_csv *r = kpo_table_open(path, "--fx", want, f, 3);
	struct kpo_record *rec;

	kpo_table_require(r, f[1], want[1], header);
	kpo_table_require(r, f[2], want[2], header);
	e->fx_dated = f[0] >= 0;
	e->fx = kpo_strmap_new();
	while ((rec = kpo_table_next(r, "--fx"))) {
		char code[64];
		struct fx_rate x;

		kpo_table_text(r, rec, f[1], code, sizeof code, 1);
		if (!code[0])
			kpo_table_fail(r, rec, "empty currency");
		x.day = e->fx_dated ? kpo_table_date(r, rec, f[0]) : INT64_MIN;
		x.rate = kpo_table_rate(r, rec, f[2]);
		x.line = rec->line;
		if (strcmp(code, e->opt.base) == 0)
			check_base_rate(r, rec, x.rate, code);
		else
			add_fx_rate(e, r, rec, code, x);
	}
	kpo_csv_close(r);
	kpo_strmap_each(e->fx, sort_fx, (void *)path);
}

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
load_rates(struct kpo_enrich *e, const char *path)
{
	const char *const want[] = { kpo_columns[KPO_COL_DOMAIN].name, kpo_columns[KPO_COL_REGION].name, "rate",
		kpo_columns[KPO_COL_CURRENCY].name };
	static const char header[] = "domain,rate (region and currency optional)";
	int f[4];
	struct kpo_csv *r = kpo_table_open(path, "--rates", want, f, 4);
	struct kpo_record *rec;
	char *key = NULL;
	size_t cap = 0;

	kpo_table_require(r, f[0], want[0], header);
	kpo_table_require(r, f[2], want[2], header);
	e->rates = kpo_strmap_new();
	while ((rec = kpo_table_next(r, "--rates"))) {
		char domain[1024], region[1024];
		struct rate x;
		void **slot;
		size_t n;

		kpo_table_text(r, rec, f[0], domain, sizeof domain, 0);
		kpo_table_text(r, rec, f[1], region, sizeof region, 0);
		kpo_table_text(r, rec, f[3], x.code, sizeof x.code, 1);
		if (!domain[0])
			kpo_table_fail(r, rec, "empty domain");
		x.rate = kpo_table_rate(r, rec, f[2]);
		x.line = rec->line;
		if (strcmp(x.code, e->opt.base) == 0)
			x.code[0] = '\0';
		if (x.code[0] && !(e->fx && kpo_strmap_get(e->fx, x.code, strlen(x.code), 0)))
			kpo_table_fail(r, rec, "a rate in %s, and %s", x.code, e->opt.fx
			    ? "the --fx table has no rate for it" : "no --fx table converts it to the base currency");
		n = rate_key(&key, &cap, domain, strlen(domain), region, strlen(region));
		slot = kpo_strmap_get(e->rates, key, n, 1);
		if (*slot)
			kpo_table_fail(r, rec, "a second rate for domain '%s'%s%s%s (the first is on line %ld)", domain,
			    region[0] ? ", region '" : "", region, region[0] ? "'" : "", ((struct rate *)*slot)->line);
		*slot = kpo_xmalloc(sizeof x);
		memcpy(*slot, &x, sizeof x);
	}
	free(key);
	kpo_csv_close(r);
}

/* --calendar: a column "date" of holidays. */
static void
load_calendar(struct kpo_enrich *e, const char *path)
{
	static const char *const want[] = { "date" };
	int f[1];
	struct kpo_csv *r = kpo_table_open(path, "--calendar", want, f, 1);
	struct kpo_record *rec;

	kpo_table_require(r, f[0], "date", "date (other columns are ignored)");
	while ((rec = kpo_table_next(r, "--calendar")))
		kpo_calendar_add_holiday(e->cal, kpo_table_date(r, rec, f[0]));
	kpo_csv_close(r);
}

struct kpo_enrich *
kpo_enrich_new(const struct kpo_enrich_opts *opts)
{
	struct kpo_enrich *e = kpo_xcalloc(1, sizeof *e);

	e->opt = *opts;
	if (opts->fx)
		load_fx(e, opts->fx);
	if (opts->rates)
		load_rates(e, opts->rates);
	if (opts->business) {
		e->cal = kpo_calendar_new(opts->tz, opts->work_start, opts->work_end, opts->work_days);
		if (opts->calendar)
			load_calendar(e, opts->calendar);
	}
	return e;
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

void
kpo_enrich_free(struct kpo_enrich *e)
{
	size_t i;

	if (!e)
		return;
	if (e->fx) {
		kpo_strmap_each(e->fx, free_entry, (void *)1);
		kpo_strmap_free(e->fx);
	}
	if (e->rates) {
		kpo_strmap_each(e->rates, free_entry, NULL);
		kpo_strmap_free(e->rates);
	}
	for (i = 0; i < e->nout; i++)
		free(e->outcol[i]);
	free(e->outcol);
	kpo_calendar_free(e->cal);
	free(e);
}

/* The header ------------------------------------------------------------- */

/* The first input's header becomes the output's. */
static void
first_header(struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *h, struct kpo_out *out)
{
	size_t i;
	int c;

	e->nout = h->nf;
	e->outcol = kpo_xcalloc(h->nf, sizeof *e->outcol);
	for (i = 0; i < h->nf; i++) {
		e->outcol[i] = kpo_xstrdup(h->f[i]);
		in->perm[i] = i;
		kpo_out_field(out, h->f[i], h->len[i]);
	}
	for (c = 0; c < KPO_NENRICHED; c++)
		kpo_out_fieldz(out, kpo_enriched_columns[c]);
	kpo_out_endrow(out);
}

/* A later input: the same columns, in any order.  0, or -1 after saying why not. */
static int
later_header(const struct kpo_enrich *e, struct kpo_enrich_input *in, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	size_t i, k;
	int bad = 0;

	for (i = 0; i < e->nout; i++) {
		int f = kpo_header_find(h, e->outcol[i]);

		if (f < 0) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' of the first input is missing", e->outcol[i]);
			bad = -1;
		}
		in->perm[i] = (size_t)(f < 0 ? 0 : f);
	}
	for (i = 0; i < h->nf; i++) {
		for (k = 0; k < e->nout && strcmp(e->outcol[k], h->f[i]) != 0; k++)
			;
		if (k == e->nout) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' is not in the first input's header", h->f[i]);
			bad = -1;
		}
	}
	return bad;
}

/* Our columns found, none of the appended ones there yet: 0, or -1. */
static int
find_columns(struct kpo_enrich_input *in, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char seen[2048];
	int c, bad = 0;

	for (c = 0; c < NNEED; c++)
		if ((in->field[c] = kpo_header_find(h, kpo_columns[need_col[c]].name)) < 0 && c != N_SOURCE) {
			kpo_header_describe(h, seen, sizeof seen);
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' missing (it is produced by kpo-ingest); "
			    "the header has: %s", kpo_columns[need_col[c]].name, seen);
			bad = -1;
		}
	for (c = 0; c < KPO_NENRICHED; c++)
		if (kpo_header_find(h, kpo_enriched_columns[c]) >= 0) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' is already there: is this stream enriched "
			    "already?", kpo_enriched_columns[c]);
			bad = -1;
		}
	return bad;
}

struct kpo_enrich_input *
kpo_enrich_input(struct kpo_enrich *e, struct kpo_csv *r, struct kpo_out *out)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_enrich_input *in = kpo_xcalloc(1, sizeof *in);

	if (find_columns(in, r) != 0) {
		kpo_enrich_input_free(in);
		return NULL;
	}
	in->perm = kpo_xcalloc(h->nf + 1, sizeof *in->perm);
	if (!e->outcol)
		first_header(e, in, h, out);
	else if (later_header(e, in, r) != 0) {
		kpo_enrich_input_free(in);
		return NULL;
	}
	return in;
}

void
kpo_enrich_input_free(struct kpo_enrich_input *in)
{
	if (!in)
		return;
	free(in->perm);
	free(in->keybuf);
	free(in);
}

int
kpo_enrich_source_field(const struct kpo_enrich_input *in)
{
	return in->field[N_SOURCE];
}

int
kpo_enrich_no_rate(const struct kpo_enrich_input *in)
{
	return in->no_rate;
}

/* Rows ------------------------------------------------------------------- */

#define SHOWN(n) (int)((n) > 80 ? 80 : (n))
#define FIELD(rec, in, c) (rec)->f[(in)->field[c]], (rec)->len[(in)->field[c]]

/* Field C of REC as a date-time: 1 when set, 0 when empty, -1 (verdict)
 * when not a date. */
static int
field_when(const struct kpo_record *rec, const struct kpo_enrich_input *in, enum need c, int64_t *t,
    struct kpo_verdict *v)
{
	const char *s = rec->f[in->field[c]];
	size_t n = rec->len[in->field[c]];

	if (n == 0)
		return 0;
	if (kpo_stream_datetime(s, n, t) != 0)
		return kpo_verdict_value(v, "unparsable date", kpo_columns[need_col[c]].name, s, n);
	return 1;
}

static int
field_dec(const struct kpo_record *rec, const struct kpo_enrich_input *in, enum need c, struct kpo_dec *d,
    struct kpo_verdict *v)
{
	const char *s = rec->f[in->field[c]];
	size_t n = rec->len[in->field[c]];
	int rc;

	if (n == 0)
		return 0;
	if ((rc = kpo_dec_parse(s, n, d)) != 0)
		return kpo_verdict_value(v, rc == KPO_PARSE_RANGE ? "number out of range" : "unparsable number",
		    kpo_columns[need_col[c]].name, s, n);
	return 1;
}

enum fx_result { FX_OK, FX_UNKNOWN, FX_NO_DATE };

/* The rate of currency CODE (N bytes) on DAY: the base currency's is 1. */
static enum fx_result
fx_rate(const struct kpo_enrich *e, const char *code, size_t n, int64_t day, struct kpo_dec *rate,
    const struct fx_cur **cur)
{
	const struct fx_cur *c;
	void **slot;
	size_t lo, hi;

	*cur = NULL;
	if (n == 0 || (n == strlen(e->opt.base) && memcmp(code, e->opt.base, n) == 0)) {
		*rate = ONE;
		return FX_OK;
	}
	if (!e->fx || !(slot = kpo_strmap_get(e->fx, code, n, 0)))
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

/* The rate of currency CODE on DAY, or a verdict. */
static int
rate_on(const struct kpo_enrich *e, const char *code, size_t n, int64_t day, const char *what,
    struct kpo_dec *rate, struct kpo_verdict *v)
{
	const struct fx_cur *cur;
	char date[11], first[11];

	switch (fx_rate(e, code, n, day, rate, &cur)) {
	case FX_OK:
		return 0;
	case FX_UNKNOWN:
		if (!e->opt.fx)
			return kpo_verdict(v, "unknown currency", "%s '%.*s' is not the base currency %s, and no --fx "
			    "table was given", what, SHOWN(n), code, e->opt.base);
		return kpo_verdict(v, "unknown currency", "%s '%.*s' has no rate in %s", what, SHOWN(n), code,
		    e->opt.fx);
	case FX_NO_DATE:
		kpo_date_format(day, date);
		kpo_date_format(cur->r[0].day, first);
		return kpo_verdict(v, "no fx rate for date", "%s '%.*s': no rate on or before %s in %s (the first is "
		    "for %s)", what, SHOWN(n), code, date, e->opt.fx, first);
	}
	return -1;
}

/* The in-house rate of the row's domain (and region) from --rates, or NULL. */
static const struct rate *
table_rate(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec)
{
	const char *dom = rec->f[in->field[N_DOMAIN]], *reg = rec->f[in->field[N_REGION]];
	size_t dn = rec->len[in->field[N_DOMAIN]], rn = rec->len[in->field[N_REGION]], n;
	void **slot = NULL;

	if (rn) {
		n = rate_key(&in->keybuf, &in->keycap, dom, dn, reg, rn);
		slot = kpo_strmap_get(e->rates, in->keybuf, n, 0);
	}
	if (!slot) {
		n = rate_key(&in->keybuf, &in->keycap, dom, dn, "", 0);
		slot = kpo_strmap_get(e->rates, in->keybuf, n, 0);
	}
	return slot ? *slot : NULL;
}

/* The in-house baseline of HOURS on DAY: 1 with *BASELINE set, 0 when no
 * rate applies, -1 (verdict). */
static int
baseline_of(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_dec hours, int64_t day, kpo_money *baseline, struct kpo_verdict *v)
{
	const struct rate *r;
	struct kpo_dec own, conv;
	int rc;

	if ((rc = field_dec(rec, in, N_INHOUSE_RATE, &own, v)) < 0)
		return -1;
	if (rc == 1) {
		if (kpo_dec_mul_money(hours, own, baseline) != 0)
			return kpo_verdict(v, "number out of range", "baseline of hours x inhouse_rate");
		return 1;
	}
	if (!e->rates || !(r = table_rate(e, in, rec)))
		return 0;
	if (!r->code[0]) {
		rc = kpo_dec_mul_money(hours, r->rate, baseline);
	} else {
		if (rate_on(e, r->code, strlen(r->code), day, "in-house rate currency", &conv, v) != 0)
			return -1;
		rc = kpo_dec_mul3_money(hours, r->rate, conv, baseline);
	}
	if (rc != 0)
		return kpo_verdict(v, "number out of range", "baseline of hours x rate");
	return 1;
}

/* The dates of a row, checked: 0, or -1 (verdict). */
static int
row_times(const struct kpo_record *rec, const struct kpo_enrich_input *in, int64_t t[3], int has[3],
    struct kpo_verdict *v)
{
	int rc;

	if ((rc = field_when(rec, in, N_REQUESTED_AT, &t[0], v)) < 0)
		return -1;
	if (rc == 0)
		return kpo_verdict(v, "missing value", "requested_at is empty");
	if ((has[1] = field_when(rec, in, N_DUE_AT, &t[1], v)) < 0 ||
	    (has[2] = field_when(rec, in, N_DELIVERED_AT, &t[2], v)) < 0)
		return -1;
	if (has[2] && t[2] < t[0])
		return kpo_verdict(v, "delivered before requested", "delivered %.*s, requested %.*s",
		    SHOWN(rec->len[in->field[N_DELIVERED_AT]]), rec->f[in->field[N_DELIVERED_AT]],
		    SHOWN(rec->len[in->field[N_REQUESTED_AT]]), rec->f[in->field[N_REQUESTED_AT]]);
	if (has[2] && t[2] - t[0] > MAX_TURNAROUND)
		return kpo_verdict(v, "turnaround out of range", "delivered %.*s, more than ten years after requested %.*s",
		    SHOWN(rec->len[in->field[N_DELIVERED_AT]]), rec->f[in->field[N_DELIVERED_AT]],
		    SHOWN(rec->len[in->field[N_REQUESTED_AT]]), rec->f[in->field[N_REQUESTED_AT]]);
	return 0;
}

/* The money columns: cost_base, baseline, savings. */
static int
row_money(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec, int64_t day,
    struct kpo_verdict *v)
{
	struct kpo_dec cost, hours, fxr;
	kpo_money cost_base, baseline, savings;
	int rc;

	if ((rc = field_dec(rec, in, N_COST, &cost, v)) < 0)
		return -1;
	if (rc == 0)
		return kpo_verdict(v, "missing value", "cost is empty");
	if ((rc = field_dec(rec, in, N_HOURS, &hours, v)) < 0)
		return -1;
	if (rc == 0)
		return kpo_verdict(v, "missing value", "hours is empty");
	/* The rate of the delivery date, else of the request date. */
	if (rate_on(e, FIELD(rec, in, N_CURRENCY), day, kpo_columns[KPO_COL_CURRENCY].name, &fxr, v) != 0)
		return -1;
	if (kpo_dec_mul_money(cost, fxr, &cost_base) != 0)
		return kpo_verdict(v, "number out of range", "cost_base of cost %.*s",
		    SHOWN(rec->len[in->field[N_COST]]), rec->f[in->field[N_COST]]);
	if ((rc = baseline_of(e, in, rec, hours, day, &baseline, v)) < 0)
		return -1;
	in->no_rate = rc == 0;
	kpo_money_format(cost_base, 4, in->value[KPO_EN_COST_BASE]);
	in->value[KPO_EN_BASELINE][0] = in->value[KPO_EN_SAVINGS][0] = '\0';
	if (rc == 1) {
		if (__builtin_sub_overflow(baseline, cost_base, &savings))
			return kpo_verdict(v, "number out of range", "%s", kpo_enriched_columns[KPO_EN_SAVINGS]);
		kpo_money_format(baseline, 4, in->value[KPO_EN_BASELINE]);
		kpo_money_format(savings, 4, in->value[KPO_EN_SAVINGS]);
	}
	return 0;
}

int
kpo_enrich_row(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v)
{
	int64_t t[3] = { 0, 0, 0 }, req, due, del;
	int has[3] = { 1, 0, 0 };
	char *tat = in->value[KPO_EN_TAT_H], *on_time = in->value[KPO_EN_ON_TIME];

	if (row_times(rec, in, t, has, v) != 0)
		return -1;
	req = t[0], due = t[1], del = t[2];
	if (row_money(e, in, rec, kpo_day_of(has[2] ? del : req), v) != 0)
		return -1;
	if (has[2]) {
		kpo_seconds_as_hours(e->cal ? kpo_calendar_seconds(e->cal, req, del) : del - req, tat);
		strcpy(on_time, !has[1] ? "" : del <= due ? "1" : "0");
	} else {
		tat[0] = '\0';
		strcpy(on_time, has[1] && due < e->opt.as_of ? "0" : "");
	}
	kpo_month_format(kpo_day_of(has[2] ? del : req), in->value[KPO_EN_MONTH]);
	return 0;
}

void
kpo_enrich_put(const struct kpo_enrich *e, const struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_out *out)
{
	size_t i;
	int c;

	for (i = 0; i < e->nout; i++)
		kpo_out_field(out, rec->f[in->perm[i]], rec->len[in->perm[i]]);
	for (c = 0; c < KPO_NENRICHED; c++)
		kpo_out_fieldz(out, in->value[c]);
	kpo_out_endrow(out);
}
