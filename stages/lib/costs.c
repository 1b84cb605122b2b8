#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "costs.h"
#include "csvread.h"
#include "date.h"
#include "err.h"
#include "fx.h"
#include "num.h"
#include "reftable.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"
#include "text.h"

#define MAX_MONTHS 120          /* a transition is amortised over at most ten years */
#define DEFAULT_MONTHS 12
#define MAX_TEXT 1024

const char *const kpo_cost_kinds[KPO_NCOSTKINDS] = {
	[KPO_COST_GOVERNANCE] = "governance",
	[KPO_COST_TRANSITION] = "transition",
	[KPO_COST_OTHER]      = "other",
};

enum col { C_DATE, C_VENDOR, C_DOMAIN, C_KIND, C_AMOUNT, C_CURRENCY, C_MONTHS, NCOL };

static const char *const colname[NCOL] = {
	[C_DATE] = "date", [C_VENDOR] = "vendor", [C_DOMAIN] = "domain", [C_KIND] = "kind",
	[C_AMOUNT] = "amount", [C_CURRENCY] = "currency", [C_MONTHS] = "months",
};

void
kpo_month_of(int64_t mon, char out[8])
{
	int64_t y = mon >= 0 ? mon / 12 : -((-mon + 11) / 12);
	unsigned yy = (unsigned)((y % 10000 + 10000) % 10000), mm = (unsigned)(mon - 12 * y + 1);

	out[0] = (char)('0' + yy / 1000);
	out[1] = (char)('0' + yy / 100 % 10);
	out[2] = (char)('0' + yy / 10 % 10);
	out[3] = (char)('0' + yy % 10);
	out[4] = '-';
	out[5] = (char)('0' + mm / 10);
	out[6] = (char)('0' + mm % 10);
	out[7] = '\0';
}

int
kpo_month_parse(const char *s, size_t n, int64_t *mon)
{
	size_t i;
	int y = 0, m;

	if (n != 7 || s[4] != '-')
		return -1;
	for (i = 0; i < 7; i++)
		if (i != 4 && (unsigned)(s[i] - '0') > 9)
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (m < 1 || m > 12)
		return -1;
	*mon = (int64_t)y * 12 + m - 1;
	return 0;
}

/* One slice before summing. */
struct slice {
	const char *vendor, *domain;    /* into the text arena */
	size_t vlen, dlen;
	int64_t mon;
	enum kpo_cost_kind kind;
	kpo_money amount;
};

struct load {
	struct kpo_costs *c;
	struct slice *s;
	size_t n, cap;
	char **text;                    /* the vendor and domain copies */
	size_t ntext, textcap;
	int64_t as_of_mon;
};

static const char *
keep_text(struct load *L, const char *s, size_t n)
{
	char *p = kpo_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	if (L->ntext == L->textcap) {
		L->textcap = L->textcap ? 2 * L->textcap : 64;
		L->text = kpo_xrealloc(L->text, L->textcap * sizeof *L->text);
	}
	L->text[L->ntext++] = p;
	return p;
}

static void
add_slice(struct load *L, const struct slice *x)
{
	if (x->mon > L->as_of_mon) {
		L->c->later++;
		return;
	}
	if (L->n == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 64;
		L->s = kpo_xrealloc(L->s, L->cap * sizeof *L->s);
	}
	L->s[L->n++] = *x;
}

/* Field I of REC trimmed and folded into BUF (MAX_TEXT bytes): its length,
 * or -1 (verdict) when too long. */
static long
field_text(const struct kpo_record *rec, int i, char *buf, const char *name, struct kpo_verdict *v)
{
	if (i < 0)
		return 0;
	if (rec->len[i] >= MAX_TEXT)
		return kpo_verdict(v, "field too long", "column '%s': more than %d bytes", name, MAX_TEXT - 1);
	return (long)kpo_text_fold(rec->f[i], rec->len[i], buf);
}

static int
lower_eq(const char *s, size_t n, const char *word)
{
	size_t i;

	if (n != strlen(word))
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];

		if (ch != word[i])
			return 0;
	}
	return 1;
}

/* One row: its slices added, or -1 with the reason in *V. */
static int
read_row(struct load *L, struct kpo_csv *r, const struct kpo_record *rec, const int *f, const struct kpo_fx *fx,
    struct kpo_verdict *v)
{
	char t[NCOL][MAX_TEXT], canon[KPO_NUM_MAX];
	long len[NCOL];
	struct kpo_datefmt utc;
	struct kpo_dec amount, rate, months = { DEFAULT_MONTHS, 0 };
	struct slice x;
	kpo_money total;
	int64_t when, k, n;
	int c, kind;

	for (c = 0; c < NCOL; c++)
		if ((len[c] = field_text(rec, f[c], t[c], colname[c], v)) < 0)
			return -1;
	for (c = 0; c < NCOL; c++)
		if (len[c] == 0 && (c == C_DATE || c == C_VENDOR || c == C_KIND || c == C_AMOUNT))
			return kpo_verdict(v, "missing value", "%s is empty", colname[c]);
	memset(&utc, 0, sizeof utc);
	if (kpo_datetime_parse(t[C_DATE], (size_t)len[C_DATE], &utc, &when) != 0 || when % 86400 != 0)
		return kpo_verdict(v, "unparsable date", "column 'date': '%s' (YYYY-MM-DD expected)", t[C_DATE]);
	for (kind = 0; kind < KPO_NCOSTKINDS; kind++)
		if (lower_eq(t[C_KIND], (size_t)len[C_KIND], kpo_cost_kinds[kind]))
			break;
	if (kind == KPO_NCOSTKINDS)
		return kpo_verdict(v, "unknown cost kind", "column 'kind': '%.80s' (governance, transition or other)",
		    t[C_KIND]);
	if (kpo_num_canon(t[C_AMOUNT], (size_t)len[C_AMOUNT], kpo_csv_delim(r) == ';' ? ',' : '.', canon) != 0 ||
	    kpo_dec_parse(canon, strlen(canon), &amount) != 0)
		return kpo_verdict_value(v, "unparsable number", colname[C_AMOUNT], t[C_AMOUNT], (size_t)len[C_AMOUNT]);
	if (amount.m < 0)
		return kpo_verdict_value(v, "negative value", colname[C_AMOUNT], t[C_AMOUNT], (size_t)len[C_AMOUNT]);
	if (len[C_MONTHS]) {
		if (kind != KPO_COST_TRANSITION)
			return kpo_verdict(v, "months without transition", "only a transition cost is amortised: kind '%s', "
			    "months '%.20s'", kpo_cost_kinds[kind], t[C_MONTHS]);
		if (kpo_dec_parse(t[C_MONTHS], (size_t)len[C_MONTHS], &months) != 0 || months.scale != 0 ||
		    months.m < 1 || months.m > MAX_MONTHS)
			return kpo_verdict(v, "months out of range", "column 'months': '%.20s' (a whole number from 1 "
			    "to %d)", t[C_MONTHS], MAX_MONTHS);
	}
	for (c = 0; c < (int)len[C_CURRENCY]; c++)
		if (t[C_CURRENCY][c] >= 'a' && t[C_CURRENCY][c] <= 'z')
			t[C_CURRENCY][c] = (char)(t[C_CURRENCY][c] - 'a' + 'A');
	if (kpo_fx_rate(fx, t[C_CURRENCY], (size_t)len[C_CURRENCY], when / 86400, colname[C_CURRENCY], &rate,
	    v) != 0)
		return -1;
	if (kpo_dec_mul_money(amount, rate, &total) != 0)
		return kpo_verdict(v, "number out of range", "amount %s x rate", t[C_AMOUNT]);

	x.vendor = keep_text(L, t[C_VENDOR], (size_t)len[C_VENDOR]);
	x.vlen = (size_t)len[C_VENDOR];
	x.domain = keep_text(L, t[C_DOMAIN], (size_t)len[C_DOMAIN]);
	x.dlen = (size_t)len[C_DOMAIN];
	x.kind = (enum kpo_cost_kind)kind;
	{
		int64_t y;
		unsigned mo, d;

		kpo_civil_from_days(when / 86400, &y, &mo, &d);
		x.mon = y * 12 + mo - 1;
	}
	n = kind == KPO_COST_TRANSITION ? months.m : 1;
	for (k = 0; k < n; k++) {
		struct slice s = x;

		s.mon = x.mon + k;
		s.amount = total / n + (k < total % n ? 1 : 0);
		add_slice(L, &s);
	}
	if (kind == KPO_COST_GOVERNANCE)
		*kpo_strmap_get(L->c->governed, x.vendor, x.vlen, 1) = (void *)1;
	return 0;
}

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

static int
slice_cmp(const void *pa, const void *pb)
{
	const struct slice *a = pa, *b = pb;
	int c;

	if ((c = bytes_cmp(a->vendor, a->vlen, b->vendor, b->vlen)) != 0 ||
	    (c = bytes_cmp(a->domain, a->dlen, b->domain, b->dlen)) != 0)
		return c;
	if (a->mon != b->mon)
		return (a->mon > b->mon) - (a->mon < b->mon);
	return (a->kind > b->kind) - (a->kind < b->kind);
}

/* The slices summed per vendor, domain, month and kind, into C. */
static void
sum_slices(struct load *L)
{
	struct kpo_costs *c = L->c;
	size_t i;

	if (L->n)
		qsort(L->s, L->n, sizeof *L->s, slice_cmp);
	c->c = kpo_xcalloc(L->n + 1, sizeof *c->c);
	for (i = 0; i < L->n; i++) {
		const struct slice *s = &L->s[i];
		struct kpo_cost *last = c->n ? &c->c[c->n - 1] : NULL;

		if (last && bytes_cmp(last->vendor, last->vlen, s->vendor, s->vlen) == 0 &&
		    bytes_cmp(last->domain, last->dlen, s->domain, s->dlen) == 0 && last->mon == s->mon &&
		    last->kind == s->kind) {
			if (__builtin_add_overflow(last->amount, s->amount, &last->amount))
				kpo_errx(EX_DATAERR, "the %s costs of vendor '%s' in %s are too large to hold",
				    kpo_cost_kinds[s->kind], last->vendor, last->month);
			continue;
		}
		last = &c->c[c->n++];
		last->vendor = kpo_xstrdup(s->vendor);
		last->vlen = s->vlen;
		last->domain = kpo_xstrdup(s->domain);
		last->dlen = s->dlen;
		last->mon = s->mon;
		kpo_month_of(s->mon, last->month);
		last->kind = s->kind;
		last->amount = s->amount;
	}
}

void
kpo_costs_load(struct kpo_costs *c, const char *path, const struct kpo_fx *fx, int64_t as_of_day,
    struct kpo_rejects *rj)
{
	static const char header[] = "date,vendor,domain,kind,amount,currency,months (domain, currency and months "
	    "optional)";
	struct kpo_csv *r;
	struct kpo_record *rec;
	struct load L;
	int f[NCOL], rc;
	size_t i;

	memset(c, 0, sizeof *c);
	memset(&L, 0, sizeof L);
	L.c = c;
	{
		int64_t y;
		unsigned mo, d;

		kpo_civil_from_days(as_of_day, &y, &mo, &d);
		L.as_of_mon = y * 12 + mo - 1;
	}
	c->governed = kpo_strmap_new();
	r = kpo_table_open(path, "--costs", colname, f, NCOL);
	kpo_table_require(r, f[C_DATE], colname[C_DATE], header);
	kpo_table_require(r, f[C_VENDOR], colname[C_VENDOR], header);
	kpo_table_require(r, f[C_KIND], colname[C_KIND], header);
	kpo_table_require(r, f[C_AMOUNT], colname[C_AMOUNT], header);
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		struct kpo_verdict v;

		c->read++;
		if (rec->status != KPO_REC_OK) {
			char detail[128];

			snprintf(detail, sizeof detail, "%zu fields, the header has %zu", rec->nf, kpo_csv_header(r)->nf);
			kpo_reject_side(rj, kpo_csv_name(r), rec->line, kpo_rec_status_kind(rec->status),
			    rec->status == KPO_REC_FIELD_COUNT ? detail : NULL, rec->raw, rec->rawlen);
			continue;
		}
		if (read_row(&L, r, rec, f, fx, &v) != 0) {
			kpo_reject_side(rj, kpo_csv_name(r), rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
			continue;
		}
		c->used++;
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--costs %s", kpo_csv_message(r));
	kpo_csv_close(r);
	sum_slices(&L);
	for (i = 0; i < L.ntext; i++)
		free(L.text[i]);
	free(L.text);
	free(L.s);
}

void
kpo_costs_free(struct kpo_costs *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->c[i].vendor);
		free(c->c[i].domain);
	}
	free(c->c);
	if (c->governed)
		kpo_strmap_free(c->governed);
	memset(c, 0, sizeof *c);
}
