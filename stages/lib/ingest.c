#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvread.h"
#include "err.h"
#include "ingest.h"
#include "num.h"
#include "out.h"
#include "reftable.h"
#include "report.h"
#include "schema.h"
#include "strmap.h"
#include "text.h"
#include "utf8.h"

/* The header texts that name each canonical column in exports, most
 * specific first ('|' separated).  Matching ignores case, spaces and
 * punctuation (kpo_header_key). */
static const char *const builtin_aliases[KPO_COL_SOURCE] = {
	[KPO_COL_TASK_ID] = "task id|task|issue key|ticket id|ticket|key|"
	    "номер задачи|№ задачи|id задачи|задача",
	[KPO_COL_ENGAGEMENT_ID] = "engagement id|engagement|custom field (engagement)|project key|project|"
	    "contract|sow|проект|договор",
	[KPO_COL_VENDOR] = "vendor|vendor name|custom field (vendor)|supplier|provider|contractor|partner|"
	    "подрядчик|поставщик|исполнитель",
	[KPO_COL_DOMAIN] = "domain|custom field (domain)|practice|service line|service|category|"
	    "направление|домен|услуга|категория",
	[KPO_COL_REGION] = "region|custom field (region)|location|country|geo|регион|страна",
	[KPO_COL_REQUESTED_AT] = "requested at|requested|request date|created|created at|opened|submitted|"
	    "дата заявки|дата создания|создано|создана",
	[KPO_COL_DUE_AT] = "due at|due|due date|deadline|sla date|срок|дедлайн|срок сдачи|плановая дата",
	[KPO_COL_DELIVERED_AT] = "delivered at|delivered|delivery date|resolved|completed|closed|"
	    "дата сдачи|дата выполнения|сдано|выполнено",
	[KPO_COL_HOURS] = "hours|custom field (hours)|effort hours|hours spent|billable hours|"
	    "часы|трудозатраты|трудозатраты ч|часов",
	[KPO_COL_COST] = "cost|custom field (cost)|amount|invoice amount|fee|price|total|стоимость|сумма",
	[KPO_COL_CURRENCY] = "currency|custom field (currency)|ccy|cur|валюта",
	[KPO_COL_INHOUSE_RATE] = "inhouse rate|in-house rate|custom field (in-house rate)|internal rate|"
	    "loaded rate|внутренняя ставка|ставка",
	[KPO_COL_QUALITY] = "quality|custom field (quality score)|quality score|qa score|score|rating|"
	    "качество|оценка|оценка качества",
	[KPO_COL_DEFECTS] = "defects|custom field (defects)|defect count|errors|bugs|дефекты|ошибки|замечания",
	[KPO_COL_REWORKED] = "reworked|custom field (reworked)|rework|returned|reopened|доработка|возврат|переделка",
};

/* The match keys of one canonical column: --map aliases first, then its
 * name, then the built-in aliases. */
struct aliases {
	char **key;
	size_t n, cap;
};

struct kpo_ingest {
	struct kpo_ingest_opts opt;
	struct aliases alias[KPO_COL_SOURCE];
	char **keep;            /* --keep names as given */
	char **keep_out;        /* and as output columns */
	size_t nkeep;
	char *keep_list;        /* their storage */
	struct kpo_strmap *seen;        /* task_id -> first source, with --dedupe */
};

/* A value ready to print. */
struct cell {
	const char *s;
	size_t n;
	int64_t when;           /* DATETIME: seconds since the epoch */
};

struct kpo_ingest_input {
	const struct kpo_ingest *ing;
	const struct kpo_record *header;
	int field[KPO_COL_SOURCE];      /* the field of each canonical column, or -1 */
	int *keep;                      /* the field of each --keep column, or -1 */
	char decimal;
	struct kpo_datefmt date;        /* a copy: it caches zone offsets */
	/* The current row. */
	struct cell cells[KPO_COL_SOURCE];
	const struct kpo_record *rec;
	const char *source;
	char *scratch;
	size_t scratch_cap;
	/* "FILE:" and room for a line number. */
	char src[4096 + 32];
	size_t src_prefix;
};

static void
add_alias(struct kpo_ingest *ing, enum kpo_col c, const char *text, size_t n)
{
	struct aliases *a = &ing->alias[c];

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->key = kpo_xrealloc(a->key, a->cap * sizeof *a->key);
	}
	a->key[a->n] = kpo_xmalloc(n + 1);
	kpo_header_key(text, n, a->key[a->n]);
	a->n++;
}

/* --map FILE: "column,alias" lines, read before the built-in aliases so they win. */
static void
load_map(struct kpo_ingest *ing, const char *path)
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
		add_alias(ing, (enum kpo_col)c, rec->f[ai], rec->len[ai]);
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--map %s", kpo_csv_message(r));
	kpo_csv_close(r);
}

static void
add_builtin_aliases(struct kpo_ingest *ing)
{
	int c;

	for (c = 0; c < KPO_COL_SOURCE; c++) {
		const char *a = builtin_aliases[c], *bar;

		add_alias(ing, (enum kpo_col)c, kpo_columns[c].name, strlen(kpo_columns[c].name));
		for (;; a = bar + 1) {
			bar = strchr(a, '|');
			add_alias(ing, (enum kpo_col)c, a, bar ? (size_t)(bar - a) : strlen(a));
			if (!bar)
				break;
		}
	}
}

static void
parse_keep(struct kpo_ingest *ing, const char *list)
{
	char *name;

	ing->keep_list = kpo_xstrdup(list);
	for (name = strtok(ing->keep_list, ","); name; name = strtok(NULL, ",")) {
		char *snake = kpo_xmalloc(strlen(name) + 1);

		if (kpo_snake_case(name, strlen(name), snake) == 0)
			kpo_errx(EX_USAGE, "--keep: '%s' is not a column name", name);
		if (kpo_column_find(snake) >= 0)
			kpo_errx(EX_USAGE, "--keep: '%s' is already a canonical column", name);
		ing->keep = kpo_xrealloc(ing->keep, (ing->nkeep + 1) * sizeof *ing->keep);
		ing->keep_out = kpo_xrealloc(ing->keep_out, (ing->nkeep + 1) * sizeof *ing->keep_out);
		ing->keep[ing->nkeep] = name;
		ing->keep_out[ing->nkeep] = snake;
		ing->nkeep++;
	}
}

struct kpo_ingest *
kpo_ingest_new(const struct kpo_ingest_opts *opts)
{
	struct kpo_ingest *ing = kpo_xcalloc(1, sizeof *ing);

	ing->opt = *opts;
	if (opts->keep)
		parse_keep(ing, opts->keep);
	if (opts->map)
		load_map(ing, opts->map);
	add_builtin_aliases(ing);
	if (opts->dedupe)
		ing->seen = kpo_strmap_new();
	return ing;
}

static void
free_value(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

void
kpo_ingest_free(struct kpo_ingest *ing)
{
	size_t c, k;

	if (!ing)
		return;
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		for (k = 0; k < ing->alias[c].n; k++)
			free(ing->alias[c].key[k]);
		free(ing->alias[c].key);
	}
	for (k = 0; k < ing->nkeep; k++)
		free(ing->keep_out[k]);
	free(ing->keep);
	free(ing->keep_out);
	free(ing->keep_list);
	if (ing->seen) {
		kpo_strmap_each(ing->seen, free_value, NULL);
		kpo_strmap_free(ing->seen);
	}
	free(ing);
}

void
kpo_ingest_header(const struct kpo_ingest *ing, struct kpo_out *out)
{
	size_t c, k;

	for (c = 0; c < KPO_NCOLS; c++)
		kpo_out_fieldz(out, kpo_columns[c].name);
	for (k = 0; k < ing->nkeep; k++)
		kpo_out_fieldz(out, ing->keep_out[k]);
	kpo_out_endrow(out);
}

/* The first field that is not UTF-8, named, or 0 when all are. */
static int
check_utf8(const struct kpo_record *h, const struct kpo_record *rec, struct kpo_verdict *v)
{
	size_t i;
	long at;

	for (i = 0; i < rec->nf; i++) {
		if ((at = kpo_text_invalid_at(rec->f[i], rec->len[i])) < 0)
			continue;
		if (rec->f[i][at] == '\0')
			return kpo_verdict(v, "invalid UTF-8", "column '%.100s', byte %ld: a NUL byte", h->f[i], at + 1);
		return kpo_verdict(v, "invalid UTF-8",
		    "column '%.100s', byte %ld (0x%02X); name the file's encoding with --encoding, e.g. cp1251",
		    h->f[i], at + 1, (unsigned char)rec->f[i][at]);
	}
	return 0;
}

/* The field of each canonical column in the header keys KEYS. */
static void
find_columns(const struct kpo_ingest *ing, struct kpo_ingest_input *in, char **keys, size_t nf)
{
	size_t i, k;
	int c;

	for (c = 0; c < KPO_COL_SOURCE; c++) {
		in->field[c] = -1;
		for (k = 0; k < ing->alias[c].n && in->field[c] < 0; k++)
			for (i = 0; i < nf; i++)
				if (keys[i][0] && strcmp(keys[i], ing->alias[c].key[k]) == 0) {
					in->field[c] = (int)i;
					break;
				}
	}
}

/* The field of each --keep column; a missing one is left empty, and said. */
static void
find_keep(const struct kpo_ingest *ing, struct kpo_ingest_input *in, char **keys, size_t nf,
    struct kpo_csv *r, int quiet)
{
	size_t i, k;

	in->keep = kpo_xcalloc(ing->nkeep + 1, sizeof *in->keep);
	for (k = 0; k < ing->nkeep; k++) {
		char *want = kpo_xmalloc(strlen(ing->keep[k]) + 1);

		kpo_header_key(ing->keep[k], strlen(ing->keep[k]), want);
		in->keep[k] = -1;
		for (i = 0; i < nf; i++)
			if (strcmp(keys[i], want) == 0) {
				in->keep[k] = (int)i;
				break;
			}
		if (in->keep[k] < 0 && !quiet)
			kpo_warn_at(kpo_csv_name(r), kpo_csv_header(r)->line,
			    "--keep column '%s' is not in the header; left empty", ing->keep[k]);
		free(want);
	}
}

/* 0, or -1 after saying which required columns are missing. */
static int
check_required(const struct kpo_ingest *ing, const struct kpo_ingest_input *in, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	int c, missing = 0;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (kpo_columns[c].required && in->field[c] < 0) {
			char seen[2048];

			kpo_header_describe(h, seen, sizeof seen);
			kpo_warn_at(kpo_csv_name(r), h->line, "required column '%s' missing; the header has: %s%s",
			    kpo_columns[c].name, seen, ing->opt.map ? "" : " (name it with --map)");
			missing = 1;
		}
	return missing ? -1 : 0;
}

struct kpo_ingest_input *
kpo_ingest_input(const struct kpo_ingest *ing, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_ingest_input *in;
	struct kpo_verdict v;
	char **keys;
	size_t i;
	int bad;

	if (check_utf8(h, h, &v) != 0) {
		kpo_warn_at(kpo_csv_name(r), h->line, "the header is not UTF-8; name the file's encoding with "
		    "--encoding, e.g. cp1251");
		return NULL;
	}
	in = kpo_xcalloc(1, sizeof *in);
	in->ing = ing;
	in->header = h;
	keys = kpo_xcalloc(h->nf, sizeof *keys);
	for (i = 0; i < h->nf; i++) {
		keys[i] = kpo_xmalloc(h->len[i] + 1);
		kpo_header_key(h->f[i], h->len[i], keys[i]);
	}
	find_columns(ing, in, keys, h->nf);
	bad = check_required(ing, in, r);
	find_keep(ing, in, keys, h->nf, r, bad);
	for (i = 0; i < h->nf; i++)
		free(keys[i]);
	free(keys);
	if (bad) {
		kpo_ingest_input_free(in);
		return NULL;
	}
	in->decimal = ing->opt.decimal ? ing->opt.decimal : kpo_csv_delim(r) == ';' ? ',' : '.';
	in->date = ing->opt.date;
	snprintf(in->src, sizeof in->src - 24, "%s:", kpo_csv_name(r));
	in->src_prefix = strlen(in->src);
	return in;
}

void
kpo_ingest_input_free(struct kpo_ingest_input *in)
{
	if (!in)
		return;
	free(in->keep);
	free(in->scratch);
	free(in);
}

const char *
kpo_ingest_source(struct kpo_ingest_input *in, long line)
{
	char digits[24];
	size_t i = in->src_prefix;
	int k = 0;

	do {
		digits[k++] = (char)('0' + line % 10);
		line /= 10;
	} while (line > 0);
	while (k > 0)
		in->src[i++] = digits[--k];
	in->src[i] = '\0';
	return in->src;
}

/* A canonical non-negative number (no leading zeros) is at most 100. */
static int
at_most_100(const char *canon)
{
	const char *point = strchr(canon, '.');
	size_t intlen = point ? (size_t)(point - canon) : strlen(canon);

	return intlen < 3 || (intlen == 3 && strncmp(canon, "100", 3) == 0 && !point);
}

/* Only white space (a number or date column left empty). */
static int
blank(const char *s, size_t n)
{
	char tiny[8];

	if (n == 0)
		return 1;
	if ((unsigned char)s[0] > ' ' && (unsigned char)s[0] != 0xC2 && (unsigned char)s[0] != 0xE2)
		return 0;
	return n < sizeof tiny ? kpo_text_fold(s, n, tiny) == 0 : 0;
}

/* Text, trimmed and folded; CODE upper case. */
static size_t
text_cell(struct cell *cell, const char *s, size_t n, int upper, char *scratch)
{
	size_t k;

	cell->s = scratch;
	cell->n = kpo_text_fold(s, n, scratch);
	if (upper)
		for (k = 0; k < cell->n; k++)
			if (scratch[k] >= 'a' && scratch[k] <= 'z')
				scratch[k] = (char)(scratch[k] - 'a' + 'A');
	return cell->n + 1;
}

/* A number of KIND in canonical form. */
static int
number_cell(struct cell *cell, enum kpo_col_kind kind, const char *col, const char *s, size_t n,
    char decimal, char *scratch, struct kpo_verdict *v)
{
	int rc = kpo_num_canon(s, n, decimal, scratch);

	if (rc == KPO_PARSE_RANGE)
		return kpo_verdict_value(v, "number out of range", col, s, n);
	if (rc != 0 || (kind == KPO_KIND_COUNT && strchr(scratch, '.')))
		return kpo_verdict_value(v, "unparsable number", col, s, n);
	if (kind == KPO_KIND_SCORE && (scratch[0] == '-' || !at_most_100(scratch)))
		return kpo_verdict_value(v, "quality out of range", col, s, n);
	if (scratch[0] == '-')
		return kpo_verdict_value(v, "negative value", col, s, n);
	cell->s = scratch;
	cell->n = strlen(scratch);
	return 0;
}

/* Field FIELD of the record as canonical column C in *CELL; text goes to
 * SCRATCH, whose use is added to *USED. */
static int
convert_cell(struct kpo_ingest_input *in, int c, const struct kpo_record *rec, int field, struct cell *cell,
    char *scratch, size_t *used, struct kpo_verdict *v)
{
	const char *col = in->header->f[field], *s = rec->f[field];
	size_t n = rec->len[field];
	enum kpo_col_kind kind = kpo_columns[c].kind;
	int b;

	if (kind != KPO_KIND_TEXT && kind != KPO_KIND_CODE && blank(s, n))
		return 0;
	switch (kind) {
	case KPO_KIND_TEXT:
	case KPO_KIND_CODE:
		*used += text_cell(cell, s, n, kind == KPO_KIND_CODE, scratch);
		return 0;
	case KPO_KIND_DATETIME:
		if (kpo_datetime_parse(s, n, &in->date, &cell->when) != 0)
			return kpo_verdict_value(v, "unparsable date", col, s, n);
		kpo_datetime_format(cell->when, scratch);
		cell->s = scratch;
		cell->n = strlen(scratch);
		*used += KPO_DATETIME_MAX;
		return 0;
	case KPO_KIND_AMOUNT:
	case KPO_KIND_SCORE:
	case KPO_KIND_COUNT:
		*used += KPO_NUM_MAX;
		return number_cell(cell, kind, col, s, n, in->decimal, scratch, v);
	case KPO_KIND_BOOLEAN:
		if (kpo_bool_parse(s, n, &b) != 0)
			return kpo_verdict_value(v, "unparsable boolean", col, s, n);
		cell->s = b ? "1" : "0";
		cell->n = 1;
		return 0;
	case KPO_KIND_SOURCE:
		break;
	}
	return 0;
}

/* What the cells of a row must satisfy together. */
static int
check_row(const struct kpo_ingest_input *in, struct kpo_verdict *v)
{
	const struct cell *cells = in->cells;
	int c;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (kpo_columns[c].required && cells[c].n == 0) {
			if (in->field[c] >= 0)
				return kpo_verdict(v, "missing value", "%s (column '%.100s') is empty", kpo_columns[c].name,
				    in->header->f[in->field[c]]);
			return kpo_verdict(v, "missing value", "%s is empty", kpo_columns[c].name);
		}
	if (cells[KPO_COL_DELIVERED_AT].n && cells[KPO_COL_DELIVERED_AT].when < cells[KPO_COL_REQUESTED_AT].when)
		return kpo_verdict(v, "delivered before requested", "delivered %s, requested %s",
		    cells[KPO_COL_DELIVERED_AT].s, cells[KPO_COL_REQUESTED_AT].s);
	return 0;
}

/* With --dedupe: the first occurrence wins; a repeat gets the first's place
 * in its verdict. */
static int
duplicate(struct kpo_ingest *ing, const struct cell *id, const char *source, struct kpo_verdict *v)
{
	void **slot = kpo_strmap_get(ing->seen, id->s, id->n, 1);

	if (*slot)
		return kpo_verdict(v, "duplicate task_id", "'%.*s' first seen at %s", (int)(id->n > 80 ? 80 : id->n),
		    id->s, (const char *)*slot);
	*slot = kpo_xstrdup(source);
	return 0;
}

/* Room for every cell of REC: its field lengths plus the widest canonical
 * forms. */
static char *
scratch_for(struct kpo_ingest_input *in, const struct kpo_record *rec)
{
	size_t need = KPO_COL_SOURCE * (KPO_DATETIME_MAX + KPO_NUM_MAX), i;

	for (i = 0; i < rec->nf; i++)
		need += rec->len[i] + 1;
	if (need > in->scratch_cap) {
		in->scratch_cap = 2 * need;
		in->scratch = kpo_xrealloc(in->scratch, in->scratch_cap);
	}
	return in->scratch;
}

int
kpo_ingest_row(struct kpo_ingest *ing, struct kpo_ingest_input *in, const struct kpo_record *rec,
    const char *source, struct kpo_verdict *v)
{
	char *scratch = scratch_for(in, rec);
	size_t used = 0;
	int c;

	if (check_utf8(in->header, rec, v) != 0)
		return -1;
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		in->cells[c].s = "";
		in->cells[c].n = 0;
		if (in->field[c] >= 0 &&
		    convert_cell(in, c, rec, in->field[c], &in->cells[c], scratch + used, &used, v) != 0)
			return -1;
	}
	if (check_row(in, v) != 0)
		return -1;
	if (ing->seen && duplicate(ing, &in->cells[KPO_COL_TASK_ID], source, v) != 0)
		return -1;
	in->rec = rec;
	in->source = source;
	return 0;
}

void
kpo_ingest_put(const struct kpo_ingest_input *in, struct kpo_out *out)
{
	const struct kpo_record *rec = in->rec;
	size_t c, k;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		kpo_out_field(out, in->cells[c].s, in->cells[c].n);
	kpo_out_fieldz(out, in->source);
	for (k = 0; k < in->ing->nkeep; k++)
		if (in->keep[k] >= 0)
			kpo_out_field(out, rec->f[in->keep[k]], rec->len[in->keep[k]]);
		else
			kpo_out_field(out, "", 0);
	kpo_out_endrow(out);
}
