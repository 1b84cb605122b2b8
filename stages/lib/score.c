#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "bigq.h"
#include "csvread.h"
#include "err.h"
#include "fail.h"
#include "fs.h"
#include "num.h"
#include "out.h"
#include "reftable.h"
#include "score.h"
#include "strmap.h"

/* ---- The targets file ---- */

struct target {
	int metric;
	enum kpo_scope scope;
	char *name[2];          /* ALL: none; domain, vendor: [0]; vendor;domain: vendor, domain.  NULL: * */
	size_t len[2];
	kpo_i128 min, target, weight;
	char *min_text, *target_text;   /* canonical */
	long line;
};

struct kpo_targets {
	char *path;
	struct target *t;
	size_t n;
};

enum { F_METRIC, F_SCOPE, F_MIN, F_TARGET, F_WEIGHT, NFIELDS };

#define TARGETS_HEADER "metric,scope,min,target[,weight]"
#define SCOPE_FORMS "ALL, domain=NAME, vendor=NAME or vendor=NAME;domain=NAME, with * for every name"

/* The count a metric's value is computed from: a group with fewer than
 * --min-n of them is not judged. */
static int
n_metric(int m)
{
	switch (m) {
	case KPO_M_ON_TIME_PCT:
	case KPO_M_SLA_ATTAINMENT_PCT:
		return KPO_M_ON_TIME_N;
	case KPO_M_QUALITY_MEAN:
		return KPO_M_QUALITY_N;
	case KPO_M_DEFECTS_PER_ITEM: case KPO_M_REWORK_RATE: case KPO_M_FIRST_PASS_YIELD:
	case KPO_M_TAT_MEAN_H: case KPO_M_TAT_P10_H: case KPO_M_TAT_P25_H: case KPO_M_TAT_P50_H:
	case KPO_M_TAT_P75_H: case KPO_M_TAT_P90_H: case KPO_M_TAT_MAX_H:
		return KPO_M_DELIVERED;
	default:
		return KPO_M_ITEMS;
	}
}

/* KEY (case aside), blanks, '=' at *S: moves *S past them. */
static int
eat_key(const char **s, const char *key)
{
	size_t n = strlen(key);
	const char *p = *s;

	if (strncasecmp(p, key, n) != 0)
		return 0;
	for (p += n; *p == ' '; p++)
		;
	if (*p != '=')
		return 0;
	*s = p + 1;
	return 1;
}

/* A name from S (N bytes), trimmed: NULL for "*"; -1 when empty. */
static int
scope_name(const char *s, size_t n, char **name, size_t *len)
{
	while (n && *s == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return -1;
	*name = NULL;
	*len = 0;
	if (n == 1 && *s == '*')
		return 0;
	*name = kpo_xmalloc(n + 1);
	memcpy(*name, s, n);
	(*name)[n] = '\0';
	*len = n;
	return 0;
}

/* KEY=NAME;OTHER=NAME: the offset of the ';' before OTHER=, or -1. */
static long
find_second(const char *s, const char *other)
{
	const char *p;

	for (p = s; (p = strchr(p, ';')); p++) {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (eat_key(&q, other))
			return p - s;
	}
	return -1;
}

static int
parse_scope(const char *s, struct target *t)
{
	const char *rest = s;
	long cut;
	int first;

	t->name[0] = t->name[1] = NULL;
	if (strcasecmp(s, kpo_scopes[KPO_SCOPE_ALL].by) == 0) {
		t->scope = KPO_SCOPE_ALL;
		return 0;
	}
	if (eat_key(&rest, "vendor"))
		first = 0;
	else if (eat_key(&rest, "domain"))
		first = 1;
	else
		return -1;
	cut = find_second(rest, first == 0 ? "domain" : "vendor");
	if (cut < 0) {
		t->scope = first == 0 ? KPO_SCOPE_VENDOR : KPO_SCOPE_DOMAIN;
		return scope_name(rest, strlen(rest), &t->name[0], &t->len[0]);
	}
	t->scope = KPO_SCOPE_VENDOR_DOMAIN;
	{
		const char *second = rest + cut + 1;

		while (*second == ' ')
			second++;
		eat_key(&second, first == 0 ? "domain" : "vendor");
		/* vendor first, whatever the order of the line */
		if (scope_name(rest, (size_t)cut, &t->name[first], &t->len[first]) != 0)
			return -1;
		if (scope_name(second, strlen(second), &t->name[!first], &t->len[!first]) != 0) {
			free(t->name[first]);
			t->name[first] = NULL;
			return -1;
		}
		return 0;
	}
}

/* A number of column I: its canonical text (CANON, KPO_NUM_MAX bytes) and
 * exact value. */
static void
parse_number(struct kpo_csv *r, const struct kpo_record *rec, int i, const char *col, char *canon, kpo_i128 *v)
{
	char raw[256];

	kpo_table_text(r, rec, i, raw, sizeof raw, 0);
	if (!*raw)
		kpo_table_fail(r, rec, "%s is empty: a number expected", col);
	if (kpo_num_canon(raw, strlen(raw), kpo_csv_delim(r) == ';' ? ',' : '.', canon) != 0 ||
	    kpo_exact_parse(canon, v) != 0)
		kpo_table_fail(r, rec, "%s is not a number: '%s'", col, raw);
}

static int
same_name(const char *a, size_t na, const char *b, size_t nb)
{
	if (!a || !b)
		return !a && !b;
	return na == nb && memcmp(a, b, na) == 0;
}

static void
free_target(struct target *t)
{
	free(t->name[0]);
	free(t->name[1]);
	free(t->min_text);
	free(t->target_text);
}

static void
metric_list(char *buf, size_t size)
{
	size_t len = 0;
	int m;

	buf[0] = '\0';
	for (m = 0; m < KPO_NMETRICS && len < size; m++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", m ? ", " : "", kpo_metrics[m].name);
}

struct kpo_targets *
kpo_targets_new(void)
{
	return kpo_xcalloc(1, sizeof(struct kpo_targets));
}

/* Every check that can fail comes before the line's allocations, and a
 * line is added to TS whole, so that a bad line leaves nothing unreachable. */
void
kpo_targets_read(struct kpo_targets *ts, const char *path)
{
	static const char *const want[NFIELDS] = { "metric", "scope", "min", "target", "weight" };
	static const char *const col[NFIELDS] = { "metric", "scope", "min", "target", "weight" };
	struct kpo_record *rec;
	struct kpo_csv *r;
	int field[NFIELDS], k;
	size_t cap = 0, i;

	free(ts->path);
	ts->path = kpo_xstrdup(path);
	r = kpo_table_open(path, "--targets", want, field, NFIELDS);
	for (k = 0; k < F_WEIGHT; k++)
		kpo_table_require(r, field[k], col[k], TARGETS_HEADER);
	while ((rec = kpo_table_next(r, "--targets"))) {
		char buf[4096], list[1024], mn[KPO_NUM_MAX], tg[KPO_NUM_MAX], w[KPO_NUM_MAX];
		struct target t;

		memset(&t, 0, sizeof t);
		t.line = rec->line;
		kpo_table_text(r, rec, field[F_METRIC], buf, sizeof buf, 0);
		if ((t.metric = kpo_metric_find(buf)) < 0) {
			metric_list(list, sizeof list);
			kpo_table_fail(r, rec, "unknown metric '%s' (the metrics are %s)", buf, list);
		}
		parse_number(r, rec, field[F_MIN], col[F_MIN], mn, &t.min);
		parse_number(r, rec, field[F_TARGET], col[F_TARGET], tg, &t.target);
		t.weight = KPO_E12;
		kpo_table_text(r, rec, field[F_WEIGHT], buf, sizeof buf, 0);
		if (*buf) {
			parse_number(r, rec, field[F_WEIGHT], col[F_WEIGHT], w, &t.weight);
			if (t.weight < 0)
				kpo_table_fail(r, rec, "weight must not be negative: '%s'", buf);
		}
		kpo_table_text(r, rec, field[F_SCOPE], buf, sizeof buf, 0);
		if (parse_scope(buf, &t) != 0)
			kpo_table_fail(r, rec, "malformed scope '%s' (%s)", buf, SCOPE_FORMS);
		for (i = 0; i < ts->n; i++) {
			const struct target *o = &ts->t[i];

			if (o->metric == t.metric && o->scope == t.scope && same_name(o->name[0], o->len[0], t.name[0],
			    t.len[0]) && same_name(o->name[1], o->len[1], t.name[1], t.len[1])) {
				free_target(&t);
				kpo_table_fail(r, rec, "the same metric and scope as line %ld", o->line);
			}
		}
		t.min_text = kpo_xstrdup(mn);
		t.target_text = kpo_xstrdup(tg);
		if (ts->n == cap) {
			cap = cap ? 2 * cap : 16;
			ts->t = kpo_xrealloc(ts->t, cap * sizeof *ts->t);
		}
		ts->t[ts->n++] = t;
	}
	kpo_csv_close(r);
}

void
kpo_targets_free(struct kpo_targets *ts)
{
	size_t i;

	if (!ts)
		return;
	for (i = 0; i < ts->n; i++)
		free_target(&ts->t[i]);
	free(ts->t);
	free(ts->path);
	free(ts);
}

void
kpo_targets_need(const struct kpo_targets *ts, struct kpo_bundle_need *need)
{
	size_t i;
	int sc;

	for (sc = 0; sc < KPO_NSCOPES; sc++)
		need->metrics[kpo_scopes[sc].table] |= KPO_MBIT(KPO_M_ITEMS);
	need->metrics[KPO_T_VENDOR] |= KPO_MBIT(KPO_M_COST);
	for (i = 0; i < ts->n; i++) {
		enum kpo_table t = kpo_scopes[ts->t[i].scope].table;

		need->metrics[t] |= KPO_MBIT(ts->t[i].metric) | KPO_MBIT(n_metric(ts->t[i].metric));
	}
	need->totals |= 1ul << kpo_scopes[KPO_SCOPE_ALL].table;
	need->text = 1;
}

/* ---- Judging ---- */

/* A vendor's line of the scorecard. */
struct card {
	const struct kpo_row *r;
	int has_score;
	uint32_t score;         /* in 1/100 */
	int status;             /* -1: no target applies */
	int *mstatus;           /* per scored metric, -1: none */
};

struct kpo_score {
	const struct kpo_targets *ts;
	const struct kpo_bundle *b;
	struct kpo_score_opts opt;
	struct kpo_statuses st;
	const struct target **win;              /* per status: its line */
	const struct kpo_row **src;             /* per status: its row */
	size_t cap;
	struct kpo_status_row *alerts;          /* shallow copies, worst first */
	size_t nalerts;
	int scored[KPO_NMETRICS];               /* the metrics with a vendor line, in table order */
	int nscored;
	struct card *cards;                     /* scorecard order */
	size_t ncards, nscored_vendors;
	size_t count[KPO_NSTATUS];
};

static int
names_match(const struct target *t, int k, const char *name, size_t len)
{
	return !t->name[k] || (t->len[k] == len && memcmp(t->name[k], name, len) == 0);
}

/* Line T applies to row R of its scope's table. */
static int
applies(const struct target *t, const struct kpo_row *r)
{
	switch (t->scope) {
	case KPO_SCOPE_ALL:
		return 1;
	case KPO_SCOPE_VENDOR_DOMAIN:
		return names_match(t, 0, r->key[0], r->keylen[0]) && names_match(t, 1, r->key[1], r->keylen[1]);
	default:
		return names_match(t, 0, r->key[0], r->keylen[0]);
	}
}

/* A vendor named beats a domain named, and either beats *. */
static int
specificity(const struct target *t)
{
	return (t->name[0] ? 2 : 0) + (t->name[1] ? 1 : 0);
}

/* The line for METRIC of row R in scope SC, or NULL. */
static const struct target *
winner(const struct kpo_targets *ts, int metric, enum kpo_scope sc, const struct kpo_row *r)
{
	const struct target *best = NULL;
	size_t i;

	for (i = 0; i < ts->n; i++) {
		const struct target *t = &ts->t[i];

		if (t->metric == metric && t->scope == sc && applies(t, r) &&
		    (!best || specificity(t) > specificity(best)))
			best = t;
	}
	return best;
}

static char *
group_text(enum kpo_scope sc, const struct kpo_row *r)
{
	if (sc == KPO_SCOPE_ALL)
		return kpo_xstrdup(kpo_total_key);
	if (sc == KPO_SCOPE_VENDOR_DOMAIN)
		return kpo_xasprintf("%s;%s", r->key[0], r->key[1]);
	return kpo_xstrdup(r->key[0]);
}

static void
add_status(struct kpo_score *s, enum kpo_scope sc, const struct kpo_row *r, const struct target *t)
{
	struct kpo_status_row *st;
	const char *value = r->text[t->metric] ? r->text[t->metric] : "";
	const char *n = r->text[n_metric(t->metric)] ? r->text[n_metric(t->metric)] : "";
	kpo_i128 v;
	char *end;
	unsigned long long items;

	if (s->st.n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->st.r = kpo_xrealloc(s->st.r, s->cap * sizeof *s->st.r);
		s->win = kpo_xrealloc(s->win, s->cap * sizeof *s->win);
		s->src = kpo_xrealloc(s->src, s->cap * sizeof *s->src);
	}
	s->win[s->st.n] = t;
	s->src[s->st.n] = r;
	st = &s->st.r[s->st.n++];
	st->scope = sc;
	st->group = group_text(sc, r);
	st->metric = t->metric;
	st->value = kpo_xstrdup(value);
	st->n = kpo_xstrdup(n);
	st->min = kpo_xstrdup(t->min_text);
	st->target = kpo_xstrdup(t->target_text);
	errno = 0;
	items = strtoull(n, &end, 10);
	if (kpo_exact_parse(value, &v) != 0 || !*n || *end || errno || items < s->opt.min_n)
		st->status = KPO_ST_UNKNOWN;
	else
		st->status = kpo_status_judge(v, t->min, t->target);
	st->previous = -1;
	s->count[st->status]++;
}

/* The statuses of scope SC: its table's rows (the totals for ALL), each
 * metric in table order. */
static void
judge_scope(struct kpo_score *s, enum kpo_scope sc)
{
	const struct kpo_rows *t = &s->b->t[kpo_scopes[sc].table];
	size_t i, n = sc == KPO_SCOPE_ALL ? 1 : t->n;
	int m;

	for (i = 0; i < n; i++) {
		const struct kpo_row *r = sc == KPO_SCOPE_ALL ? &t->all : &t->rows[i];

		for (m = 0; m < KPO_NMETRICS; m++) {
			const struct target *w = winner(s->ts, m, sc, r);

			if (w)
				add_status(s, sc, r, w);
		}
	}
}

/* Lines whose scope names no group of the bundle: a warning each. */
static void
warn_unmatched(const struct kpo_score *s)
{
	size_t i, j;

	for (i = 0; i < s->ts->n; i++) {
		const struct target *t = &s->ts->t[i];
		const struct kpo_rows *rows = &s->b->t[kpo_scopes[t->scope].table];
		int found = t->scope == KPO_SCOPE_ALL;

		for (j = 0; j < rows->n && !found; j++)
			found = applies(t, &rows->rows[j]);
		if (found)
			continue;
		if (t->scope == KPO_SCOPE_VENDOR_DOMAIN)
			kpo_warn_at(s->ts->path, t->line, "no vendor '%s' with domain '%s' in %s: the line applies to nothing",
			    t->name[0] ? t->name[0] : "*", t->name[1] ? t->name[1] : "*", s->b->dir);
		else
			kpo_warn_at(s->ts->path, t->line, "no %s '%s' in %s: the line applies to nothing",
			    kpo_scopes[t->scope].by, t->name[0] ? t->name[0] : "*", s->b->dir);
	}
}

static void
mark_previous(struct kpo_score *s)
{
	size_t i;

	for (i = 0; i < s->st.n && s->opt.previous; i++) {
		struct kpo_status_row *r = &s->st.r[i];
		const struct kpo_status_row *p = kpo_statuses_find(s->opt.previous, r->scope, r->group,
		    strlen(r->group), r->metric);

		r->previous = p ? p->status : -1;
	}
}

/* Red or amber now, and not so before (all of them without --previous). */
static void
find_alerts(struct kpo_score *s)
{
	size_t i;

	s->alerts = kpo_xcalloc(s->st.n + 1, sizeof *s->alerts);
	for (i = 0; i < s->st.n; i++) {
		const struct kpo_status_row *r = &s->st.r[i];

		if ((r->status == KPO_ST_RED || r->status == KPO_ST_AMBER) &&
		    (!s->opt.previous || r->previous != r->status))
			s->alerts[s->nalerts++] = *r;
	}
	if (s->nalerts > 1)
		qsort(s->alerts, s->nalerts, sizeof *s->alerts, kpo_status_worst_cmp);
}

/* Worse known statuses outrank better ones; unknown only when none is known. */
static int
worse(int have, int next)
{
	static const int rank[KPO_NSTATUS] = {
		[KPO_ST_UNKNOWN] = 0, [KPO_ST_GREEN] = 1, [KPO_ST_AMBER] = 2, [KPO_ST_RED] = 3,
	};

	return have < 0 || rank[next] > rank[have] ? next : have;
}

static void
score_card(struct kpo_score *s, struct card *c)
{
	struct kpo_frac_sum sum;
	kpo_u128 wsum = 0;
	int k;

	kpo_frac_sum_init(&sum);
	c->status = -1;
	c->mstatus = kpo_xcalloc((size_t)s->nscored + 1, sizeof *c->mstatus);
	for (k = 0; k < s->nscored; k++) {
		const struct kpo_status_row *r = kpo_statuses_find(&s->st, KPO_SCOPE_VENDOR, c->r->key[0],
		    c->r->keylen[0], s->scored[k]);
		kpo_u128 num, den;

		c->mstatus[k] = r ? r->status : -1;
		if (!r)
			continue;
		c->status = worse(c->status, r->status);
		if (kpo_status_row_attainment(r, &num, &den) != 0)
			continue;       /* unknown: not scored */
		{
			const struct target *t = s->win[r - s->st.r];

			kpo_frac_sum_add(&sum, (kpo_u128)t->weight, num, den);
			wsum += (kpo_u128)t->weight;
		}
	}
	if (wsum > 0) {
		c->has_score = 1;
		c->score = kpo_frac_sum_mean(&sum, wsum, 10000, 10000);
		s->nscored_vendors++;
	}
	kpo_frac_sum_free(&sum);
}

static int
card_cmp(const void *pa, const void *pb)
{
	const struct card *a = pa, *b = pb;

	if (a->has_score != b->has_score)
		return a->has_score ? -1 : 1;
	if (a->has_score && a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return kpo_row_cmp(a->r, b->r);
}

static void
build_cards(struct kpo_score *s)
{
	const struct kpo_rows *v = &s->b->t[KPO_T_VENDOR];
	size_t i;
	int m;

	for (m = 0; m < KPO_NMETRICS; m++)
		for (i = 0; i < s->ts->n; i++)
			if (s->ts->t[i].metric == m && s->ts->t[i].scope == KPO_SCOPE_VENDOR) {
				s->scored[s->nscored++] = m;
				break;
			}
	s->ncards = v->n;
	s->cards = kpo_xcalloc(v->n + 1, sizeof *s->cards);
	for (i = 0; i < v->n; i++) {
		s->cards[i].r = &v->rows[i];
		score_card(s, &s->cards[i]);
	}
	if (s->ncards > 1)
		qsort(s->cards, s->ncards, sizeof *s->cards, card_cmp);
}

struct kpo_score *
kpo_score_new(const struct kpo_targets *ts, const struct kpo_bundle *b, const struct kpo_score_opts *opt)
{
	struct kpo_score *s = kpo_xcalloc(1, sizeof *s);
	int sc;

	s->ts = ts;
	s->b = b;
	s->opt = *opt;
	warn_unmatched(s);
	for (sc = 0; sc < KPO_NSCOPES; sc++)
		judge_scope(s, (enum kpo_scope)sc);
	kpo_statuses_index(&s->st);
	mark_previous(s);
	find_alerts(s);
	build_cards(s);
	return s;
}

void
kpo_score_free(struct kpo_score *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ncards; i++)
		free(s->cards[i].mstatus);
	free(s->cards);
	free(s->alerts);
	free(s->win);
	free(s->src);
	kpo_statuses_free(&s->st);
	free(s);
}

const struct kpo_statuses *
kpo_score_statuses(const struct kpo_score *s)
{
	return &s->st;
}

size_t
kpo_score_count(const struct kpo_score *s, int status)
{
	return s->count[status];
}

size_t
kpo_score_nalerts(const struct kpo_score *s)
{
	return s->nalerts;
}

size_t
kpo_score_nscored(const struct kpo_score *s)
{
	return s->nscored_vendors;
}

/* ---- Writing ---- */

static void
put_status_row(struct kpo_out *o, const struct kpo_status_row *r)
{
	kpo_out_fieldz(o, kpo_scopes[r->scope].by);
	kpo_out_fieldz(o, r->group);
	kpo_out_fieldz(o, kpo_metrics[r->metric].name);
	kpo_out_fieldz(o, r->value);
	kpo_out_fieldz(o, r->n);
	kpo_out_fieldz(o, r->min);
	kpo_out_fieldz(o, r->target);
	kpo_out_fieldz(o, kpo_status_words[r->status]);
	kpo_out_fieldz(o, r->previous >= 0 ? kpo_status_words[r->previous] : "");
	kpo_out_endrow(o);
}

static void
write_statuses(struct kpo_out *o, const struct kpo_status_row *r, size_t n)
{
	size_t i;
	int k;

	for (k = 0; k < KPO_NSTATUS_COLS; k++)
		kpo_out_fieldz(o, kpo_status_columns[k]);
	kpo_out_endrow(o);
	for (i = 0; i < n && !kpo_out_failed(o); i++)
		put_status_row(o, &r[i]);
}

static void
write_scorecard(const struct kpo_score *s, struct kpo_out *o)
{
	size_t i;
	int k;

	kpo_out_fieldz(o, kpo_scorecard_vendor);
	kpo_out_fieldz(o, kpo_metrics[KPO_M_ITEMS].name);
	kpo_out_fieldz(o, kpo_metrics[KPO_M_COST].name);
	for (k = 0; k < s->nscored; k++) {
		char *name = kpo_xasprintf("%s%s", kpo_metrics[s->scored[k]].name, kpo_status_suffix);

		kpo_out_fieldz(o, kpo_metrics[s->scored[k]].name);
		kpo_out_fieldz(o, name);
		free(name);
	}
	kpo_out_fieldz(o, kpo_scorecard_score);
	kpo_out_fieldz(o, kpo_scorecard_status);
	kpo_out_endrow(o);
	for (i = 0; i < s->ncards && !kpo_out_failed(o); i++) {
		const struct card *c = &s->cards[i];
		char buf[32];

		kpo_out_field(o, c->r->key[0], c->r->keylen[0]);
		kpo_out_fieldz(o, c->r->text[KPO_M_ITEMS] ? c->r->text[KPO_M_ITEMS] : "");
		kpo_out_fieldz(o, c->r->text[KPO_M_COST] ? c->r->text[KPO_M_COST] : "");
		for (k = 0; k < s->nscored; k++) {
			const char *v = c->r->text[s->scored[k]];

			kpo_out_fieldz(o, v ? v : "");
			kpo_out_fieldz(o, c->mstatus[k] >= 0 ? kpo_status_words[c->mstatus[k]] : "");
		}
		if (c->has_score)
			snprintf(buf, sizeof buf, "%u.%02u", (unsigned)(c->score / 100), (unsigned)(c->score % 100));
		else
			buf[0] = '\0';
		kpo_out_fieldz(o, buf);
		kpo_out_fieldz(o, c->status >= 0 ? kpo_status_words[c->status] : "");
		kpo_out_endrow(o);
	}
}

int
kpo_score_write(const struct kpo_score *s, const char *dir, struct kpo_fail *f)
{
	struct kpo_out *o[KPO_NSTATUS_FILES] = { NULL };
	char *path[KPO_NSTATUS_FILES] = { NULL };
	int k, rc = 0;

	if (kpo_mkdirs(dir) != 0)
		return kpo_fail_errno(f, EX_CANTCREAT, "%s", dir);
	for (k = 0; k < KPO_NSTATUS_FILES && rc == 0; k++) {
		path[k] = kpo_xasprintf("%s/%s", dir, kpo_status_files[k]);
		if (!(o[k] = kpo_out_open(path[k])))
			rc = kpo_fail_errno(f, EX_CANTCREAT, "%s", path[k]);
	}
	if (rc == 0) {
		write_statuses(o[KPO_SF_STATUS], s->st.r, s->st.n);
		write_scorecard(s, o[KPO_SF_SCORECARD]);
		write_statuses(o[KPO_SF_ALERTS], s->alerts, s->nalerts);
		for (k = 0; k < KPO_NSTATUS_FILES && rc == 0; k++)
			if (kpo_out_failed(o[k])) {
				errno = kpo_out_errno(o[k]);
				rc = kpo_fail_errno(f, EX_IOERR, "%s: write error", path[k]);
			}
	}
	for (k = 0; k < KPO_NSTATUS_FILES; k++) {
		if (o[k] && rc == 0 && kpo_out_commit(o[k]) != 0)
			rc = kpo_fail_errno(f, EX_IOERR, "%s: write error", path[k]);
		else if (o[k] && rc != 0)
			kpo_out_abort(o[k]);
		o[k] = NULL;
		free(path[k]);
	}
	return rc;
}

/* A name for one line of text: control bytes become spaces. */
static int
put_name(FILE *fp, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc >= 0; i++)
		rc = putc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i], fp);
	return rc;
}

int
kpo_score_print_alerts(const struct kpo_score *s, FILE *fp)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < s->nalerts && rc >= 0; i++) {
		const struct kpo_status_row *r = &s->alerts[i];
		/* The row it came from, for the names (a group text may hold ';'). */
		const struct kpo_row *src = s->src[kpo_statuses_find(&s->st, r->scope, r->group, strlen(r->group),
		    r->metric) - s->st.r];
		rc = fprintf(fp, "%s: ", kpo_status_words[r->status]);
		switch (r->scope) {
		case KPO_SCOPE_ALL:
			rc = fputs(kpo_total_key, fp);
			break;
		case KPO_SCOPE_VENDOR_DOMAIN:
			fputs("vendor=", fp);
			put_name(fp, src->key[0], src->keylen[0]);
			fputs(";domain=", fp);
			rc = put_name(fp, src->key[1], src->keylen[1]);
			break;
		default:
			fprintf(fp, "%s=", kpo_scopes[r->scope].by);
			rc = put_name(fp, src->key[0], src->keylen[0]);
			break;
		}
		if (rc >= 0)
			rc = fprintf(fp, ": %s %s (min %s, target %s, n %s)", kpo_metrics[r->metric].name, r->value,
			    r->min, r->target, r->n);
		if (rc >= 0 && s->opt.previous)
			rc = r->previous >= 0 ? fprintf(fp, ", was %s", kpo_status_words[r->previous]) :
			    fputs(", new", fp);
		if (rc >= 0)
			rc = putc('\n', fp);
	}
	return rc;
}
