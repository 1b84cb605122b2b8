#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "bigq.h"
#include "err.h"
#include "fail.h"
#include "status.h"
#include "strmap.h"
#include "texttable.h"

int
kpo_exact_parse(const char *s, kpo_i128 *v)
{
	kpo_i128 ip = 0, fp = 0;
	int neg = 0, id = 0, fd = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, id++) {
		if (id == 26)
			return -1;
		ip = ip * 10 + (*s - '0');
	}
	if (id == 0)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, fd++) {
			if (fd == 12)
				return -1;
			fp = fp * 10 + (*s - '0');
		}
		if (fd == 0)
			return -1;
	}
	if (*s)
		return -1;
	for (; fd < 12; fd++)
		fp *= 10;
	*v = ip * KPO_E12 + fp;
	if (neg)
		*v = -*v;
	return 0;
}

int
kpo_status_judge(kpo_i128 v, kpo_i128 min, kpo_i128 target)
{
	if (target >= min)
		return v >= target ? KPO_ST_GREEN : v >= min ? KPO_ST_AMBER : KPO_ST_RED;
	return v <= target ? KPO_ST_GREEN : v <= min ? KPO_ST_AMBER : KPO_ST_RED;
}

void
kpo_attainment(kpo_i128 v, kpo_i128 min, kpo_i128 target, kpo_u128 *num, kpo_u128 *den)
{
	kpo_i128 n = target >= min ? v : target, d = target >= min ? target : v;

	*num = 0;
	*den = 1;
	if (kpo_status_judge(v, min, target) == KPO_ST_GREEN) {
		*num = 1;
		return;
	}
	if (d == 0)
		return;
	if (d < 0) {
		n = -n;
		d = -d;
	}
	if (n < 0 || n >= d)
		return;
	*num = (kpo_u128)n;
	*den = (kpo_u128)d;
}

int
kpo_status_row_attainment(const struct kpo_status_row *r, kpo_u128 *num, kpo_u128 *den)
{
	kpo_i128 v, mn, t;

	if (r->status == KPO_ST_UNKNOWN || kpo_exact_parse(r->value, &v) != 0 || kpo_exact_parse(r->min, &mn) != 0 ||
	    kpo_exact_parse(r->target, &t) != 0)
		return -1;
	kpo_attainment(v, mn, t, num, den);
	return 0;
}

static int
bytes_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : na < nb ? -1 : na > nb;
}

int
kpo_status_worst_cmp(const void *pa, const void *pb)
{
	static const int rank[KPO_NSTATUS] = {
		[KPO_ST_RED] = 0, [KPO_ST_AMBER] = 1, [KPO_ST_GREEN] = 2, [KPO_ST_UNKNOWN] = 3,
	};
	const struct kpo_status_row *a = pa, *b = pb;
	kpo_u128 an, ad, bn, bd;
	int c;

	if (rank[a->status] != rank[b->status])
		return rank[a->status] < rank[b->status] ? -1 : 1;
	if (kpo_status_row_attainment(a, &an, &ad) == 0 && kpo_status_row_attainment(b, &bn, &bd) == 0 &&
	    (c = kpo_frac_cmp(an, ad, bn, bd)) != 0)
		return c;
	if (a->scope != b->scope)
		return a->scope < b->scope ? -1 : 1;
	if ((c = bytes_cmp(a->group, b->group)) != 0)
		return c;
	return (a->metric > b->metric) - (a->metric < b->metric);
}

/* The index key: scope, metric (two bytes), group. */
static size_t
index_key(char **buf, size_t *cap, enum kpo_scope scope, int metric, const char *group, size_t n)
{
	if (n + 3 > *cap) {
		*cap = 2 * (n + 3);
		*buf = kpo_xrealloc(*buf, *cap);
	}
	(*buf)[0] = (char)scope;
	(*buf)[1] = (char)(metric & 0xff);
	(*buf)[2] = (char)(metric >> 8);
	memcpy(*buf + 3, group, n);
	return n + 3;
}

void
kpo_statuses_index(struct kpo_statuses *s)
{
	char *key = NULL;
	size_t cap = 0, i;

	if (s->index)
		kpo_strmap_free(s->index);
	s->index = kpo_strmap_new();
	for (i = 0; i < s->n; i++) {
		const struct kpo_status_row *r = &s->r[i];
		size_t n = index_key(&key, &cap, r->scope, r->metric, r->group, strlen(r->group));

		*kpo_strmap_get(s->index, key, n, 1) = (void *)(uintptr_t)(i + 1);
	}
	free(key);
}

const struct kpo_status_row *
kpo_statuses_find(const struct kpo_statuses *s, enum kpo_scope scope, const char *group, size_t n, int metric)
{
	char small[256], *key = small;
	size_t cap = sizeof small, len;
	void **slot;

	if (!s->index)
		return NULL;
	len = index_key(&key, &cap, scope, metric, group, n);
	slot = kpo_strmap_get(s->index, key, len, 0);
	if (key != small)
		free(key);
	return slot ? &s->r[(uintptr_t)*slot - 1] : NULL;
}

int
kpo_statuses_read(struct kpo_statuses *s, const char *path, struct kpo_fail *f)
{
	struct kpo_text_table t;
	size_t i;
	int sc;

	memset(s, 0, sizeof *s);
	if (kpo_text_table_read(&t, path, kpo_status_columns, KPO_NSTATUS_COLS, (size_t)-1, "kpo-score", f) != 0)
		return -1;
	s->r = kpo_xcalloc(t.nrows + 1, sizeof *s->r);
	for (i = 0; i < t.nrows; i++) {
		char **c = t.row[i];
		struct kpo_status_row *r = &s->r[i];
		const char *bad = NULL;

		for (sc = 0; sc < KPO_NSCOPES && strcmp(kpo_scopes[sc].by, c[KPO_SC_BY]) != 0; sc++)
			;
		r->scope = (enum kpo_scope)sc;
		r->metric = kpo_metric_find(c[KPO_SC_METRIC]);
		r->status = kpo_status_find(c[KPO_SC_STATUS]);
		r->previous = *c[KPO_SC_PREVIOUS] ? kpo_status_find(c[KPO_SC_PREVIOUS]) : -1;
		if (sc == KPO_NSCOPES)
			bad = kpo_status_columns[KPO_SC_BY];
		else if (r->metric < 0)
			bad = kpo_status_columns[KPO_SC_METRIC];
		else if (r->status < 0)
			bad = kpo_status_columns[KPO_SC_STATUS];
		else if (*c[KPO_SC_PREVIOUS] && r->previous < 0)
			bad = kpo_status_columns[KPO_SC_PREVIOUS];
		if (bad) {
			kpo_fail(f, EX_DATAERR, "%s:%zu: column '%s': not a value kpo-score writes", path, t.line[i], bad);
			s->n = i;
			kpo_statuses_free(s);
			kpo_text_table_free(&t);
			return -1;
		}
		r->group = c[KPO_SC_GROUP];
		r->value = c[KPO_SC_VALUE];
		r->n = c[KPO_SC_N];
		r->min = c[KPO_SC_MIN];
		r->target = c[KPO_SC_TARGET];
		c[KPO_SC_GROUP] = c[KPO_SC_VALUE] = c[KPO_SC_N] = c[KPO_SC_MIN] = c[KPO_SC_TARGET] = NULL;
	}
	s->n = t.nrows;
	kpo_text_table_free(&t);
	kpo_statuses_index(s);
	return 0;
}

void
kpo_statuses_free(struct kpo_statuses *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->r[i].group);
		free(s->r[i].value);
		free(s->r[i].n);
		free(s->r[i].min);
		free(s->r[i].target);
	}
	free(s->r);
	if (s->index)
		kpo_strmap_free(s->index);
	memset(s, 0, sizeof *s);
}
