#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "calendar.h"
#include "csvread.h"
#include "date.h"
#include "enrich.h"
#include "err.h"
#include "fx.h"
#include "money.h"
#include "out.h"
#include "reftable.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"

/* The stream columns kpo-enrich reads. */
enum need {
	N_VENDOR, N_DOMAIN, N_REGION, N_REQUESTED_AT, N_DUE_AT, N_DELIVERED_AT, N_HOURS, N_COST, N_CURRENCY,
	N_INHOUSE_RATE, N_SOURCE, N_TASK, NNEED
};

static const enum kpo_col need_col[NNEED] = {
	[N_VENDOR] = KPO_COL_VENDOR, [N_DOMAIN] = KPO_COL_DOMAIN, [N_REGION] = KPO_COL_REGION, [N_REQUESTED_AT] = KPO_COL_REQUESTED_AT,
	[N_DUE_AT] = KPO_COL_DUE_AT, [N_DELIVERED_AT] = KPO_COL_DELIVERED_AT, [N_HOURS] = KPO_COL_HOURS,
	[N_COST] = KPO_COL_COST, [N_CURRENCY] = KPO_COL_CURRENCY, [N_INHOUSE_RATE] = KPO_COL_INHOUSE_RATE,
	[N_SOURCE] = KPO_COL_SOURCE, [N_TASK] = KPO_COL_TASK_ID,
};

/* The longest turnaround taken as real: ten years (of 365.25 days).  No
 * engagement task runs that long, and counting the business hours of such a
 * span day by day would cost milliseconds a row. */
#define MAX_TURNAROUND ((int64_t)3653 * 86400)

/* --rates: "domain NUL region" -> struct rate. */
struct rate {
	struct kpo_dec rate;
	char code[64];          /* currency; "" for the base currency */
	long line;
};

struct kpo_enrich {
	struct kpo_enrich_opts opt;
	struct kpo_fx *fx;              /* --fx */
	struct kpo_strmap *rates;
	struct kpo_strmap *vendor_rates;        /* "vendor NUL domain NUL region" -> struct rate */
	struct kpo_calendar *cal;
	struct kpo_strmap *seen;        /* --dedupe: task_id -> where it was first */
	/* The output columns: the first input's header. */
	char **outcol;
	size_t nout;
};

struct kpo_enrich_input {
	int field[NNEED];               /* -1: absent (only source and task_id may be) */
	size_t *perm;                   /* output column -> input field */
	/* The current row. */
	char value[KPO_NENRICHED][KPO_MONEY_MAX];
	int no_rate, no_cost, priced;
	char *keybuf;
	size_t keycap;
};


/* Reference tables ------------------------------------------------------- */

/* A rate in a currency the run can convert, or the end of the program. */
static void
check_rate_currency(const struct kpo_enrich *e, struct kpo_csv *r, const struct kpo_record *rec, const char *code)
{
	if (code[0] && !kpo_fx_has(e->fx, code, strlen(code)))
		kpo_table_fail(r, rec, "a rate in %s, and %s", code, e->opt.fx
		    ? "the --fx table has no rate for it" : "no --fx table converts it to the base currency");
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
		check_rate_currency(e, r, rec, x.code);
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

/* The key of VENDOR + DOMAIN + REGION in *BUF (grown as needed). */
static size_t
vendor_key(char **buf, size_t *cap, const char *vendor, size_t vn, const char *domain, size_t dn,
    const char *region, size_t rn)
{
	size_t n = vn + 1 + dn + 1 + rn;

	if (n > *cap) {
		*cap = 2 * n;
		*buf = kpo_xrealloc(*buf, *cap);
	}
	memcpy(*buf, vendor, vn);
	(*buf)[vn] = '\0';
	memcpy(*buf + vn + 1, domain, dn);
	(*buf)[vn + 1 + dn] = '\0';
	memcpy(*buf + vn + 1 + dn + 1, region, rn);
	return n;
}

/* --vendor-rates: what a vendor bills an hour, by vendor and optionally
 * domain and region, to price rows that have hours but no cost. */
static void
load_vendor_rates(struct kpo_enrich *e, const char *path)
{
	const char *const want[] = { kpo_columns[KPO_COL_VENDOR].name, kpo_columns[KPO_COL_DOMAIN].name,
		kpo_columns[KPO_COL_REGION].name, "rate", kpo_columns[KPO_COL_CURRENCY].name };
	static const char header[] = "vendor,rate,currency (domain and region optional)";
	int f[5];
	struct kpo_csv *r = kpo_table_open(path, "--vendor-rates", want, f, 5);
	struct kpo_record *rec;
	char *key = NULL;
	size_t cap = 0;

	kpo_table_require(r, f[0], want[0], header);
	kpo_table_require(r, f[3], want[3], header);
	kpo_table_require(r, f[4], want[4], header);
	e->vendor_rates = kpo_strmap_new();
	while ((rec = kpo_table_next(r, "--vendor-rates"))) {
		char vendor[1024], domain[1024], region[1024];
		struct rate x;
		void **slot;
		size_t n;

		kpo_table_text(r, rec, f[0], vendor, sizeof vendor, 0);
		kpo_table_text(r, rec, f[1], domain, sizeof domain, 0);
		kpo_table_text(r, rec, f[2], region, sizeof region, 0);
		kpo_table_text(r, rec, f[4], x.code, sizeof x.code, 1);
		if (!vendor[0])
			kpo_table_fail(r, rec, "empty vendor");
		x.rate = kpo_table_rate(r, rec, f[3]);
		x.line = rec->line;
		if (strcmp(x.code, e->opt.base) == 0)
			x.code[0] = '\0';
		check_rate_currency(e, r, rec, x.code);
		n = vendor_key(&key, &cap, vendor, strlen(vendor), domain, strlen(domain), region, strlen(region));
		slot = kpo_strmap_get(e->vendor_rates, key, n, 1);
		if (*slot)
			kpo_table_fail(r, rec, "a second rate for vendor '%s'%s%s%s%s%s%s (the first is on line %ld)",
			    vendor, domain[0] ? ", domain '" : "", domain, domain[0] ? "'" : "",
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

void
kpo_enrich_warn_tz(const struct kpo_enrich_opts *opts)
{
	if (opts->tz && !opts->business)
		kpo_warnx("--tz counts business hours only; without --calendar, --work-hours or --work-days "
		    "turnaround is elapsed time and --tz has no effect");
}

struct kpo_enrich *
kpo_enrich_new(const struct kpo_enrich_opts *opts)
{
	struct kpo_enrich *e = kpo_xcalloc(1, sizeof *e);

	e->opt = *opts;
	e->fx = kpo_fx_load(opts->fx, opts->base);
	if (opts->rates)
		load_rates(e, opts->rates);
	if (opts->vendor_rates)
		load_vendor_rates(e, opts->vendor_rates);
	if (opts->business) {
		e->cal = kpo_calendar_new(opts->tz, opts->work_start, opts->work_end, opts->work_days);
		if (opts->calendar)
			load_calendar(e, opts->calendar);
	}
	if (opts->dedupe)
		e->seen = kpo_strmap_new();
	return e;
}

static void
free_entry(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

void
kpo_enrich_free(struct kpo_enrich *e)
{
	size_t i;

	if (!e)
		return;
	kpo_fx_free(e->fx);
	if (e->rates) {
		kpo_strmap_each(e->rates, free_entry, NULL);
		kpo_strmap_free(e->rates);
	}
	if (e->vendor_rates) {
		kpo_strmap_each(e->vendor_rates, free_entry, NULL);
		kpo_strmap_free(e->vendor_rates);
	}
	for (i = 0; i < e->nout; i++)
		free(e->outcol[i]);
	free(e->outcol);
	kpo_calendar_free(e->cal);
	if (e->seen) {
		kpo_strmap_each(e->seen, free_entry, NULL);
		kpo_strmap_free(e->seen);
	}
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

/* Our columns found, none of the appended ones there yet: 0, or -1 after
 * saying, once, what is missing. */
static int
find_columns(struct kpo_enrich_input *in, struct kpo_csv *r, int vendors)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char seen[300], missing[512] = "";
	size_t len = 0;
	int c, n = 0, bad = 0;

	for (c = 0; c < NNEED; c++)
		if ((in->field[c] = kpo_header_find(h, kpo_columns[need_col[c]].name)) < 0 && c != N_SOURCE &&
		    c != N_TASK && (c != N_VENDOR || vendors)) {
			len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s", n ? ", " : "",
			    kpo_columns[need_col[c]].name);
			n++;
		}
	if (n) {
		kpo_header_describe(h, seen, sizeof seen);
		kpo_warn_at(kpo_csv_name(r), h->line, "column%s %s missing: this is not the canonical stream "
		    "(kpo-ingest writes it); the header has: %s", n > 1 ? "s" : "", missing, seen);
		bad = -1;
	}
	for (c = 0; c < KPO_NENRICHED; c++)
		if (kpo_header_find(h, kpo_enriched_columns[c]) >= 0) {
			kpo_warn_at(kpo_csv_name(r), h->line, "column '%s' is already there: is this stream enriched "
			    "already?", kpo_enriched_columns[c]);
			bad = -1;
			break;
		}
	return bad;
}

struct kpo_enrich_input *
kpo_enrich_input(struct kpo_enrich *e, struct kpo_csv *r, struct kpo_out *out)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_enrich_input *in = kpo_xcalloc(1, sizeof *in);

	if (find_columns(in, r, e->vendor_rates != NULL) != 0) {
		kpo_enrich_input_free(in);
		return NULL;
	}
	if (e->seen && in->field[N_TASK] < 0)
		kpo_warn_at(kpo_csv_name(r), h->line, "--dedupe: no column task_id: the rows of this input are "
		    "not compared");
	/* One entry per output column: the first input's, which a later
	 * input may have fewer of. */
	in->perm = kpo_xcalloc((e->outcol ? e->nout : h->nf) + 1, sizeof *in->perm);
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
kpo_enrich_task_field(const struct kpo_enrich_input *in)
{
	return in->field[N_TASK];
}

int
kpo_enrich_no_rate(const struct kpo_enrich_input *in)
{
	return in->no_rate;
}

int
kpo_enrich_no_cost(const struct kpo_enrich_input *in)
{
	return in->no_cost;
}

int
kpo_enrich_priced(const struct kpo_enrich_input *in)
{
	return in->priced;
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
		if (kpo_fx_rate(e->fx, r->code, strlen(r->code), day, "in-house rate currency", &conv, v) != 0)
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

/* The vendor's hourly rate for the row, the most specific first: its
 * domain and region, its domain, its region, any; or NULL. */
static const struct rate *
vendor_rate(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec)
{
	const char *ven = rec->f[in->field[N_VENDOR]], *dom = rec->f[in->field[N_DOMAIN]];
	const char *reg = rec->f[in->field[N_REGION]];
	size_t vn = rec->len[in->field[N_VENDOR]], dn = rec->len[in->field[N_DOMAIN]];
	size_t rn = rec->len[in->field[N_REGION]], k, n;

	for (k = 0; k < 4; k++) {
		void **slot;

		if ((k == 0 && !rn) || (k == 2 && !rn))
			continue;
		n = vendor_key(&in->keybuf, &in->keycap, ven, vn, dom, k < 2 ? dn : 0, reg, k % 2 == 0 ? rn : 0);
		if ((slot = kpo_strmap_get(e->vendor_rates, in->keybuf, n, 0)))
			return *slot;
	}
	return NULL;
}

/* The cost of the row in the base currency: its own, converted on DAY (1),
 * or HOURS (when HAS_HOURS) at the vendor's rate (1, *PRICED set), or none
 * (0); -1 (verdict). */
static int
cost_of(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec, int64_t day,
    struct kpo_dec hours, int has_hours, kpo_money *cost_base, struct kpo_verdict *v)
{
	const struct rate *r;
	struct kpo_dec cost, fxr;
	int rc;

	if ((rc = field_dec(rec, in, N_COST, &cost, v)) < 0)
		return -1;
	if (rc == 1) {
		/* The rate of the delivery date, else of the request date. */
		if (kpo_fx_rate(e->fx, FIELD(rec, in, N_CURRENCY), day, kpo_columns[KPO_COL_CURRENCY].name, &fxr, v) != 0)
			return -1;
		if (kpo_dec_mul_money(cost, fxr, cost_base) != 0)
			return kpo_verdict(v, "number out of range", "cost_base of cost %.*s",
			    SHOWN(rec->len[in->field[N_COST]]), rec->f[in->field[N_COST]]);
		return 1;
	}
	if (!has_hours || !e->vendor_rates || !(r = vendor_rate(e, in, rec)))
		return 0;
	if (!r->code[0]) {
		rc = kpo_dec_mul_money(hours, r->rate, cost_base);
	} else {
		if (kpo_fx_rate(e->fx, r->code, strlen(r->code), day, "vendor rate currency", &fxr, v) != 0)
			return -1;
		rc = kpo_dec_mul3_money(hours, r->rate, fxr, cost_base);
	}
	if (rc != 0)
		return kpo_verdict(v, "number out of range", "cost_base of hours x vendor rate");
	in->priced = 1;
	return 1;
}

/* The money columns: cost_base, baseline, savings.  A row without a cost
 * (and none from --vendor-rates) or without hours is kept with those empty. */
static int
row_money(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec, int64_t day,
    struct kpo_verdict *v)
{
	struct kpo_dec hours = { 0, 0 };
	kpo_money cost_base = 0, baseline = 0, savings;
	int has_hours, has_cost, has_baseline = 0;

	in->priced = 0;
	if ((has_hours = field_dec(rec, in, N_HOURS, &hours, v)) < 0)
		return -1;
	if ((has_cost = cost_of(e, in, rec, day, hours, has_hours, &cost_base, v)) < 0)
		return -1;
	if (has_hours && (has_baseline = baseline_of(e, in, rec, hours, day, &baseline, v)) < 0)
		return -1;
	in->no_rate = has_hours && !has_baseline;
	in->no_cost = !has_cost;
	in->value[KPO_EN_COST_BASE][0] = in->value[KPO_EN_BASELINE][0] = in->value[KPO_EN_SAVINGS][0] = '\0';
	if (has_cost)
		kpo_money_format(cost_base, 4, in->value[KPO_EN_COST_BASE]);
	if (has_baseline)
		kpo_money_format(baseline, 4, in->value[KPO_EN_BASELINE]);
	if (has_cost && has_baseline) {
		if (__builtin_sub_overflow(baseline, cost_base, &savings))
			return kpo_verdict(v, "number out of range", "%s", kpo_enriched_columns[KPO_EN_SAVINGS]);
		kpo_money_format(savings, 4, in->value[KPO_EN_SAVINGS]);
	}
	return 0;
}

/* With --dedupe: the first row of a task_id is kept (in the inputs'
 * order), a later one is rejected with the first's place, as kpo-ingest
 * --dedupe does within one export. */
static int
duplicate(const struct kpo_enrich *e, const struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v)
{
	const char *id = rec->f[in->field[N_TASK]];
	size_t n = rec->len[in->field[N_TASK]];
	void **slot = kpo_strmap_get(e->seen, id, n, 1);
	char where[64];

	if (*slot)
		return kpo_verdict(v, "duplicate task_id", "'%.*s' first seen at %s", (int)(n > 60 ? 60 : n), id,
		    (const char *)*slot);
	if (in->field[N_SOURCE] >= 0 && rec->len[in->field[N_SOURCE]] > 0) {
		size_t sn = rec->len[in->field[N_SOURCE]];
		char *src = kpo_xmalloc(sn + 1);

		memcpy(src, rec->f[in->field[N_SOURCE]], sn);
		src[sn] = '\0';
		*slot = src;
	} else {
		snprintf(where, sizeof where, "line %ld", rec->line);
		*slot = kpo_xstrdup(where);
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
	if (e->seen && in->field[N_TASK] >= 0)
		return duplicate(e, in, rec, v);
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

size_t
kpo_enrich_fields(const struct kpo_enrich *e, const struct kpo_enrich_input *in, const struct kpo_record *rec,
    const char **f, size_t *len)
{
	size_t i;
	int c;

	for (i = 0; i < e->nout; i++) {
		f[i] = rec->f[in->perm[i]];
		len[i] = rec->len[in->perm[i]];
	}
	for (c = 0; c < KPO_NENRICHED; c++, i++) {
		f[i] = in->value[c];
		len[i] = strlen(in->value[c]);
	}
	return i;
}

/* kpo-enrich's part in kpo_stage_run, shared by kpo-enrich and kpo-run. */
static void *
stage_input(void *ctx, struct kpo_csv *r)
{
	struct kpo_enrich_stage *x = ctx;

	return kpo_enrich_input(x->e, r, x->out);
}

static int
stage_row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct kpo_enrich_stage *x = ctx;
	struct kpo_verdict v;

	if (kpo_enrich_row(x->e, in, rec, &v) != 0) {
		kpo_reject_row(x->st->rejects, r, rec, kpo_enrich_source_field(in), v.kind, v.detail);
		return 0;
	}
	kpo_enrich_put(x->e, in, rec, x->out);
	x->st->written++;
	x->no_rate += (unsigned)kpo_enrich_no_rate(in);
	x->no_cost += (unsigned)kpo_enrich_no_cost(in);
	x->priced += (unsigned)kpo_enrich_priced(in);
	return kpo_out_failed(x->out) ? -1 : 0;
}

static void
stage_input_free(void *in)
{
	kpo_enrich_input_free(in);
}

static int
stage_stop(void *ctx)
{
	return kpo_out_failed(((struct kpo_enrich_stage *)ctx)->out);
}

const struct kpo_stage_ops kpo_enrich_stage_ops = {
	stage_input, stage_row, stage_input_free, stage_stop, NULL
};

void
kpo_enrich_stage_extra(const struct kpo_enrich_stage *x, char *buf, size_t size)
{
	buf[0] = '\0';
	if (x->priced)
		snprintf(buf + strlen(buf), size - strlen(buf), "; %llu priced from --vendor-rates", x->priced);
	if (x->no_cost)
		snprintf(buf + strlen(buf), size - strlen(buf), "; %llu without a cost", x->no_cost);
	if (x->no_rate)
		snprintf(buf + strlen(buf), size - strlen(buf), "; %llu without an in-house rate", x->no_rate);
}
