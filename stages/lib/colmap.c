#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "colmap.h"
#include "csvread.h"
#include "err.h"
#include "names.h"
#include "profile.h"
#include "reftable.h"
#include "text.h"

/* The header texts that name each canonical column in exports of any kind,
 * most specific first ('|' separated). */
static const char *const builtin_aliases[KPO_COL_SOURCE] = {
	[KPO_COL_TASK_ID] = "task id|task|issue key|ticket id|ticket|key|"
	    "номер задачи|№ задачи|id задачи|задача",
	[KPO_COL_ENGAGEMENT_ID] = "engagement id|engagement|custom field (engagement)|project key|project|"
	    "contract|sow|проект|договор",
	[KPO_COL_VENDOR] = "vendor|vendor name|custom field (vendor)|supplier|provider|contractor|partner|"
	    "proveedor|lieferant|anbieter|fournisseur|prestataire|fornecedor|"
	    "подрядчик|поставщик|исполнитель",
	[KPO_COL_DOMAIN] = "domain|custom field (domain)|practice|service line|service|category|"
	    "dominio|domaine|domínio|направление|домен|услуга|категория",
	[KPO_COL_REGION] = "region|custom field (region)|location|country|geo|región|région|região|регион|страна",
	[KPO_COL_REQUESTED_AT] = "requested at|requested|request date|created|created at|opened|submitted|"
	    "дата заявки|дата создания|создано|создана|date|дата",
	[KPO_COL_DUE_AT] = "due at|due|due date|deadline|sla date|срок|дедлайн|срок сдачи|плановая дата",
	[KPO_COL_DELIVERED_AT] = "delivered at|delivered|delivery date|resolved|completed|closed|"
	    "дата сдачи|дата выполнения|сдано|выполнено",
	[KPO_COL_HOURS] = "custom field (hours)|effort hours|hours spent|billable hours|duration|"
	    "часы|трудозатраты|трудозатраты ч|часов",
	[KPO_COL_COST] = "custom field (cost)|amount|invoice amount|fee|price|total|стоимость|сумма",
	[KPO_COL_CURRENCY] = "custom field (currency)|ccy|cur|валюта",
	[KPO_COL_INHOUSE_RATE] = "inhouse rate|in-house rate|custom field (in-house rate)|internal rate|"
	    "loaded rate|внутренняя ставка|ставка",
	[KPO_COL_QUALITY] = "quality|custom field (quality score)|quality score|qa score|score|rating|"
	    "качество|оценка|оценка качества",
	[KPO_COL_DEFECTS] = "defects|custom field (defects)|defect count|errors|bugs|дефекты|ошибки|замечания",
	[KPO_COL_REWORKED] = "reworked|custom field (reworked)|rework|returned|reopened|доработка|возврат|переделка",
};

/* One alias: its key, and for hours the seconds per unit it is in (0: the
 * default). */
struct alias {
	char *key;
	int secs;
};

struct list {
	struct alias *a;
	size_t n, cap;
};

struct kpo_aliases {
	struct list map[KPO_COL_SOURCE];        /* --map */
	struct list builtin[KPO_COL_SOURCE];
};

/* What a header cell can be matched as. */
struct cell {
	char *key;              /* the whole text */
	char *base;             /* without a bracketed currency: "Amount (USD)" -> "amount" */
	const char *inner;      /* within a custom-field prefix, or NULL */
	char currency[4];       /* the bracketed currency, or "" */
	int excluded;           /* a name the format uses for something else */
};

static void
add(struct list *l, const char *text, size_t n)
{
	const char *at = memchr(text, '@', n);
	size_t len = at ? (size_t)(at - text) : n;
	struct alias *a;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->a = kpo_xrealloc(l->a, l->cap * sizeof *l->a);
	}
	a = &l->a[l->n++];
	a->key = kpo_xmalloc(len + 1);
	kpo_header_key(text, len, a->key);
	a->secs = !at ? 0 : n - len == 2 && at[1] == 's' ? 1 : 60;     /* "@s" or "@min" */
}

/* Adds the '|' separated ALIASES to L. */
static void
add_list(struct list *l, const char *aliases)
{
	const char *a, *bar;

	for (a = aliases; a && *a; a = bar + 1) {
		bar = strchr(a, '|');
		add(l, a, bar ? (size_t)(bar - a) : strlen(a));
		if (!bar)
			break;
	}
}

/* --map FILE: "column,alias" lines, read before the built-in aliases so they win. */
static void
load_map(struct kpo_aliases *al, const char *path)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	const struct kpo_record *h;
	struct kpo_record *rec;
	int ci = -1, ai = -1, rc;
	char names[512];
	size_t i;

	if (kpo_csv_error(r))
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--map %s", kpo_csv_message(r));
	h = kpo_csv_header(r);
	for (i = 0; h && i < h->nf; i++) {
		if (strcmp(h->f[i], "column") == 0)
			ci = (int)i;
		else if (strcmp(h->f[i], "alias") == 0)
			ai = (int)i;
	}
	if (ci < 0 || ai < 0)
		kpo_errx(EX_DATAERR, "%s:1: a --map file needs the header 'column,alias'", path);
	kpo_column_list(names, sizeof names);
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		int c;

		if (rec->status != KPO_REC_OK)
			kpo_table_fail(r, rec, "not a valid 'column,alias' line");
		c = kpo_column_find(rec->f[ci]);
		if (c < 0 || c == KPO_COL_SOURCE)
			kpo_table_fail(r, rec, "unknown column '%s' (the canonical names are %s)", rec->f[ci], names);
		if (rec->len[ai] == 0)
			kpo_table_fail(r, rec, "empty alias for '%s'", rec->f[ci]);
		add(&al->map[c], rec->f[ai], rec->len[ai]);
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--map %s", kpo_csv_message(r));
	kpo_csv_close(r);
}

struct kpo_aliases *
kpo_aliases_new(const char *map)
{
	struct kpo_aliases *al = kpo_xcalloc(1, sizeof *al);
	int c;

	if (map)
		load_map(al, map);
	for (c = 0; c < KPO_COL_SOURCE; c++)
		add_list(&al->builtin[c], builtin_aliases[c]);
	return al;
}

static void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->a[i].key);
	free(l->a);
}

void
kpo_aliases_free(struct kpo_aliases *al)
{
	int c;

	if (!al)
		return;
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		list_free(&al->map[c]);
		list_free(&al->builtin[c]);
	}
	free(al);
}

int
kpo_aliases_mapped(const struct kpo_aliases *al, int c)
{
	return al->map[c].n > 0;
}

/* Whether KEY is one of the '|' separated NAMES (as keys). */
static int
named(const char *key, const char *names)
{
	struct list l = { 0 };
	size_t i;
	int found = 0;

	add_list(&l, names);
	for (i = 0; i < l.n && !found; i++)
		found = strcmp(l.a[i].key, key) == 0;
	list_free(&l);
	return found;
}

/* The text of a header cell without a bracketed currency at its end
 * ("Amount (USD)", "Cost (€)"; upper case: "(min)" is no currency): its
 * length, with the code in CUR ("" for "Amount ()"). */
static size_t
strip_currency(const char *s, size_t n, char cur[4])
{
	size_t k = n, open;
	int i;

	cur[0] = '\0';
	while (k > 0 && s[k - 1] == ' ')
		k--;
	if (k < 2 || s[k - 1] != ')')
		return n;
	for (open = k - 1; open > 0 && s[open - 1] != '('; open--)
		;
	if (open == 0)
		return n;
	if (open == k - 1)
		return k - 2;           /* "()": Toggl's amount without a currency */
	if (k - 1 - open == 3 && (unsigned char)s[open] < 0x80) {
		for (i = 0; i < 3; i++)
			if (s[open + i] < 'A' || s[open + i] > 'Z')
				return n;
		memcpy(cur, s + open, 3);
		cur[3] = '\0';
		return open - 1;
	}
	if (k - 1 - open <= 4 && (unsigned char)s[open] >= 0x80 && kpo_currency_code(s + open, k - 1 - open, cur) == 0)
		return open - 1;
	return n;
}

/* The keys of every header cell, for format PROFILE. */
static struct cell *
cells_of(const struct kpo_record *h, const struct kpo_profile *profile)
{
	struct cell *cells = kpo_xcalloc(h->nf + 1, sizeof *cells);
	struct list prefix = { 0 };
	size_t i, p;

	if (profile)
		add_list(&prefix, profile->custom_prefix);
	for (i = 0; i < h->nf; i++) {
		struct cell *c = &cells[i];
		size_t bn = strip_currency(h->f[i], h->len[i], c->currency);

		c->key = kpo_xmalloc(h->len[i] + 1);
		kpo_header_key(h->f[i], h->len[i], c->key);
		c->base = kpo_xmalloc(bn + 1);
		kpo_header_key(h->f[i], bn, c->base);
		for (p = 0; p < prefix.n && !c->inner; p++) {
			size_t pl = strlen(prefix.a[p].key);

			if (strncmp(c->key, prefix.a[p].key, pl) == 0 && c->key[pl])
				c->inner = c->key + pl;
		}
		c->excluded = profile && profile->exclude &&
		    (named(c->key, profile->exclude) || named(c->base, profile->exclude) ||
		    (c->inner && named(c->inner, profile->exclude)));
	}
	list_free(&prefix);
	return cells;
}

static void
cells_free(struct cell *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(cells[i].key);
		free(cells[i].base);
	}
	free(cells);
}

static int
matches(const struct cell *c, const char *key)
{
	return key[0] && (strcmp(c->key, key) == 0 || strcmp(c->base, key) == 0 ||
	    (c->inner && strcmp(c->inner, key) == 0));
}

/* The first cell of CELLS an alias of L names (EXCLUDED cells only when
 * ANY), with the alias's unit in *SECS; -1 when none does. */
static int
find_in(const struct list *l, const struct cell *cells, size_t n, int any, int *secs)
{
	size_t k, i;

	for (k = 0; k < l->n; k++)
		for (i = 0; i < n; i++)
			if ((any || !cells[i].excluded) && matches(&cells[i], l->a[k].key)) {
				*secs = l->a[k].secs;
				return (int)i;
			}
	return -1;
}

/* The field holding column C: --map, the name, the format's, built-in. */
static int
find_column(const struct kpo_aliases *al, const struct kpo_profile *profile, int c, const struct cell *cells,
    size_t n, int *secs)
{
	struct list own = { 0 }, name = { 0 };
	int f;

	*secs = 0;
	if ((f = find_in(&al->map[c], cells, n, 1, secs)) >= 0)
		return f;
	add_list(&name, kpo_columns[c].name);
	f = find_in(&name, cells, n, 0, secs);
	list_free(&name);
	if (f < 0 && profile) {
		add_list(&own, profile->aliases[c]);
		f = find_in(&own, cells, n, 0, secs);
		list_free(&own);
	}
	/* A format whose rows are time entries has no task id of any name. */
	if (f < 0 && !(c == KPO_COL_TASK_ID && profile && (profile->flags & KPO_PF_TIME_ENTRIES)))
		f = find_in(&al->builtin[c], cells, n, 0, secs);
	return f;
}

/* The cell holding the time of day of the date in cell D ("Start date" ->
 * "Start time", "Дата начала" -> "Время начала"), or -1. */
static int
time_of(const struct cell *cells, size_t n, size_t d)
{
	static const struct { const char *date, *time; int suffix; } pairs[] = {
		{ "date", "time", 1 }, { "дата", "время", 0 }, { "datade", "horade", 0 }, { "fechade", "horade", 0 },
	};
	const char *key = cells[d].base;
	size_t kl = strlen(key), p, i;
	char want[512];

	for (p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		size_t dl = strlen(pairs[p].date);

		if (kl <= dl || kl + 16 >= sizeof want)
			continue;
		if (pairs[p].suffix && strcmp(key + kl - dl, pairs[p].date) == 0)
			snprintf(want, sizeof want, "%.*s%s", (int)(kl - dl), key, pairs[p].time);
		else if (!pairs[p].suffix && strncmp(key, pairs[p].date, dl) == 0)
			snprintf(want, sizeof want, "%s%s", pairs[p].time, key + dl);
		else
			continue;
		for (i = 0; i < n; i++)
			if (i != d && strcmp(cells[i].base, want) == 0)
				return (int)i;
	}
	return -1;
}

void
kpo_colmap_find(struct kpo_colmap *m, const struct kpo_aliases *al, const struct kpo_record *h,
    const struct kpo_profile *profile)
{
	struct cell *cells = cells_of(h, profile);
	int c, secs;

	memset(m, 0, sizeof *m);
	m->profile = profile;
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		m->field[c] = find_column(al, profile, c, cells, h->nf, &secs);
		m->time_field[c] = -1;
		if (m->field[c] < 0)
			continue;
		if (kpo_columns[c].kind == KPO_KIND_DATETIME)
			m->time_field[c] = time_of(cells, h->nf, (size_t)m->field[c]);
		if (c == KPO_COL_HOURS)
			m->hours_secs = secs;
		if (c == KPO_COL_COST)
			memcpy(m->cost_currency, cells[m->field[c]].currency, 4);
	}
	cells_free(cells, h->nf);
}

const struct kpo_profile *
kpo_colmap_recognise(const struct kpo_record *h)
{
	char **keys = kpo_xcalloc(h->nf + 1, sizeof *keys);
	const struct kpo_profile *p;
	size_t i;

	for (i = 0; i < h->nf; i++) {
		keys[i] = kpo_xmalloc(h->len[i] + 1);
		kpo_header_key(h->f[i], h->len[i], keys[i]);
	}
	p = kpo_profile_recognise(keys, h->nf);
	for (i = 0; i < h->nf; i++)
		free(keys[i]);
	free(keys);
	return p;
}

int
kpo_colmap_score(const struct kpo_aliases *al, const struct kpo_record *h)
{
	struct kpo_colmap m;
	int c, score = 0;

	kpo_colmap_find(&m, al, h, kpo_colmap_recognise(h));
	for (c = 0; c < KPO_COL_SOURCE; c++)
		score += m.field[c] >= 0;
	return score;
}
