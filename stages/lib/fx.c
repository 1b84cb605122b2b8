#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvread.h"
#include "date.h"
#include "err.h"
#include "fx.h"
#include "reftable.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"

#define SHOWN(n) (int)((n) > 80 ? 80 : (n))

/* Per currency, its rates sorted by date (one rate of day INT64_MIN in a
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

struct kpo_fx {
	char *path;                     /* NULL: no table */
	char base[4];
	int dated;
	struct kpo_strmap *cur;         /* code -> struct fx_cur */
};

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
add_fx_rate(struct kpo_fx *fx, struct kpo_csv *r, const struct kpo_record *rec, const char *code,
    struct fx_rate x)
{
	void **slot = kpo_strmap_get(fx->cur, code, strlen(code), 1);
	struct fx_cur *c = *slot;

	if (!c) {
		c = kpo_xcalloc(1, sizeof *c);
		c->code = kpo_xstrdup(code);
		*slot = c;
	}
	if (!fx->dated && c->n)
		kpo_table_fail(r, rec, "a second rate for %s (the first is on line %ld)", code, c->r[0].line);
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->r = kpo_xrealloc(c->r, c->cap * sizeof *c->r);
	}
	c->r[c->n++] = x;
}

struct kpo_fx *
kpo_fx_load(const char *path, const char *base)
{
	const char *const want[] = { "date", kpo_columns[KPO_COL_CURRENCY].name, "rate" };
	static const char header[] = "currency,rate or date,currency,rate";
	struct kpo_fx *fx = kpo_xcalloc(1, sizeof *fx);
	struct kpo_record *rec;
	struct kpo_csv *r;
	int f[3];

	snprintf(fx->base, sizeof fx->base, "%s", base);
	fx->cur = kpo_strmap_new();
	if (!path)
		return fx;
	fx->path = kpo_xstrdup(path);
	r = kpo_table_open(path, "--fx", want, f, 3);
	kpo_table_require(r, f[1], want[1], header);
	kpo_table_require(r, f[2], want[2], header);
	fx->dated = f[0] >= 0;
	while ((rec = kpo_table_next(r, "--fx"))) {
		char code[64];
		struct fx_rate x;

		kpo_table_text(r, rec, f[1], code, sizeof code, 1);
		if (!code[0])
			kpo_table_fail(r, rec, "empty currency");
		x.day = fx->dated ? kpo_table_date(r, rec, f[0]) : INT64_MIN;
		x.rate = kpo_table_rate(r, rec, f[2]);
		x.line = rec->line;
		if (strcmp(code, fx->base) == 0)
			check_base_rate(r, rec, x.rate, code);
		else
			add_fx_rate(fx, r, rec, code, x);
	}
	kpo_csv_close(r);
	kpo_strmap_each(fx->cur, sort_fx, (void *)path);
	return fx;
}

static void
free_cur(const char *key, size_t n, void **value, void *ctx)
{
	struct fx_cur *c = *value;

	(void)key, (void)n, (void)ctx;
	free(c->code);
	free(c->r);
	free(c);
}

void
kpo_fx_free(struct kpo_fx *fx)
{
	if (!fx)
		return;
	kpo_strmap_each(fx->cur, free_cur, NULL);
	kpo_strmap_free(fx->cur);
	free(fx->path);
	free(fx);
}

int
kpo_fx_has(const struct kpo_fx *fx, const char *code, size_t n)
{
	return kpo_strmap_get(fx->cur, code, n, 0) != NULL;
}

int
kpo_fx_rate(const struct kpo_fx *fx, const char *code, size_t n, int64_t day, const char *what,
    struct kpo_dec *rate, struct kpo_verdict *v)
{
	const struct fx_cur *c;
	char date[11], first[11];
	void **slot;
	size_t lo, hi;

	if (n == 0 || (n == strlen(fx->base) && memcmp(code, fx->base, n) == 0)) {
		*rate = ONE;
		return 0;
	}
	if (!(slot = kpo_strmap_get(fx->cur, code, n, 0))) {
		if (!fx->path)
			return kpo_verdict(v, "unknown currency", "%s '%.*s' is not the base currency %s, and no --fx "
			    "table was given", what, SHOWN(n), code, fx->base);
		return kpo_verdict(v, "unknown currency", "%s '%.*s' has no rate in %s", what, SHOWN(n), code,
		    fx->path);
	}
	c = *slot;
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
	if (lo == 0) {
		kpo_date_format(day, date);
		kpo_date_format(c->r[0].day, first);
		return kpo_verdict(v, "no fx rate for date", "%s '%.*s': no rate on or before %s in %s (the first is "
		    "for %s)", what, SHOWN(n), code, date, fx->path, first);
	}
	*rate = c->r[lo - 1].rate;
	return 0;
}
