#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvread.h"
#include "err.h"
#include "names.h"
#include "reftable.h"
#include "strmap.h"
#include "text.h"

struct kpo_names {
	struct kpo_strmap *map;         /* alias key -> malloc'ed name */
};

/* The KPO domains kpo knows, and what exports call them. */
static const struct {
	const char *name;
	const char *aliases;            /* '|' separated */
} domains[] = {
	{ "Financial Advisory", "financial advisory|financial advisory services|financial analysis|finance|"
	    "financial services|corporate finance|финансовый консалтинг|финансовое консультирование|"
	    "финансовый анализ|финансы|финансовые услуги" },
	{ "Research & Development", "research & development|research and development|r&d|rnd|r and d|research|"
	    "ниокр|исследования и разработки|научные исследования" },
	{ "Management Consulting", "management consulting|management consultancy|consulting|business consulting|"
	    "strategy consulting|управленческий консалтинг|управленческое консультирование|консалтинг|"
	    "бизнес-консалтинг" },
	{ "Technical Analysis", "technical analysis|engineering analysis|technical services|engineering|"
	    "технический анализ|инженерный анализ|инжиниринг" },
	{ "Investment Research", "investment research|equity research|investment analysis|investment analytics|"
	    "инвестиционные исследования|инвестиционная аналитика|инвестиционный анализ" },
	{ "Legal", "legal|legal services|legal process outsourcing|lpo|law|юридические услуги|"
	    "юридический консалтинг|правовые услуги|юриспруденция|право" },
	{ "Healthcare", "healthcare|health care|healthcare services|medical|здравоохранение|медицина|"
	    "медицинские услуги" },
	{ "Data Analytics", "data analytics|data analysis|analytics|data science|business intelligence|bi|"
	    "аналитика данных|анализ данных|аналитика" },
};

struct kpo_names *
kpo_names_new(void)
{
	struct kpo_names *d = kpo_xcalloc(1, sizeof *d);

	d->map = kpo_strmap_new();
	return d;
}

static void
free_name(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

void
kpo_names_free(struct kpo_names *d)
{
	if (!d)
		return;
	kpo_strmap_each(d->map, free_name, NULL);
	kpo_strmap_free(d->map);
	free(d);
}

void
kpo_names_add(struct kpo_names *d, const char *alias, size_t an, const char *name, size_t nn)
{
	char *key = kpo_xmalloc(an + 1), *copy = kpo_xmalloc(nn + 1);
	size_t kn = kpo_header_key(alias, an, key);
	void **slot;

	memcpy(copy, name, nn);
	copy[nn] = '\0';
	if (kn == 0) {
		free(key);
		free(copy);
		return;
	}
	slot = kpo_strmap_get(d->map, key, kn, 1);
	free(*slot);
	*slot = copy;
	free(key);
}

void
kpo_names_add_domains(struct kpo_names *d)
{
	size_t i;

	for (i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		const char *a = domains[i].aliases, *bar;
		size_t nn = strlen(domains[i].name);

		kpo_names_add(d, domains[i].name, nn, domains[i].name, nn);
		for (;; a = bar + 1) {
			bar = strchr(a, '|');
			kpo_names_add(d, a, bar ? (size_t)(bar - a) : strlen(a), domains[i].name, nn);
			if (!bar)
				break;
		}
	}
}

void
kpo_names_load(struct kpo_names *d, const char *path, const char *what, const char *column)
{
	const char *want[] = { "alias", column };
	char header[128], alias[1024], name[1024];
	struct kpo_csv *r;
	struct kpo_record *rec;
	int f[2];

	snprintf(header, sizeof header, "alias,%s", column);
	r = kpo_table_open(path, what, want, f, 2);
	kpo_table_require(r, f[0], "alias", header);
	kpo_table_require(r, f[1], column, header);
	while ((rec = kpo_table_next(r, what))) {
		kpo_table_text(r, rec, f[0], alias, sizeof alias, 0);
		kpo_table_text(r, rec, f[1], name, sizeof name, 0);
		if (!alias[0] || !name[0])
			kpo_table_fail(r, rec, "an empty %s", !alias[0] ? "alias" : column);
		kpo_names_add(d, alias, strlen(alias), name, strlen(name));
	}
	kpo_csv_close(r);
}

const char *
kpo_names_find(const struct kpo_names *d, const char *s, size_t n, size_t *len)
{
	char small[256], *key = n < sizeof small ? small : kpo_xmalloc(n + 1);
	size_t kn = kpo_header_key(s, n, key);
	void **slot = kn ? kpo_strmap_get(d->map, key, kn, 0) : NULL;

	if (key != small)
		free(key);
	if (!slot)
		return NULL;
	*len = strlen(*slot);
	return *slot;
}

static int
letter(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Three ASCII letters at S, upper-cased into OUT. */
static int
three_letters(const char *s, char out[4])
{
	int i;

	for (i = 0; i < 3; i++) {
		if (!letter(s[i]))
			return -1;
		out[i] = (char)(s[i] >= 'a' ? s[i] - 'a' + 'A' : s[i]);
	}
	out[3] = '\0';
	return 0;
}

int
kpo_currency_code(const char *s, size_t n, char out[4])
{
	static const struct { const char *sym, *code; } symbols[] = {
		{ "$", "USD" }, { "us$", "USD" }, { "\xe2\x82\xac", "EUR" } /* € */, { "\xc2\xa3", "GBP" } /* £ */,
		{ "\xe2\x82\xbd", "RUB" } /* ₽ */, { "\xd1\x80\xd1\x83\xd0\xb1", "RUB" } /* руб */,
		{ "\xd1\x80\xd1\x83\xd0\xb1.", "RUB" }, { "\xe2\x82\xb9", "INR" } /* ₹ */,
		{ "z\xc5\x82", "PLN" } /* zł */,
	};
	char low[16];
	size_t i;

	kpo_trim(&s, &n);
	if (n == 3 && three_letters(s, out) == 0)
		return 0;
	/* Harvest: "United States Dollar - USD" */
	if (n > 6 && memcmp(s + n - 6, " - ", 3) == 0 && three_letters(s + n - 3, out) == 0)
		return 0;
	if (n == 0 || n >= sizeof low)
		return -1;
	kpo_lower_utf8(s, n, low);
	low[n] = '\0';
	for (i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
		if (strcmp(low, symbols[i].sym) == 0) {
			memcpy(out, symbols[i].code, 4);
			return 0;
		}
	return -1;
}
