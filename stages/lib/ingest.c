#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "args.h"
#include "colmap.h"
#include "csvread.h"
#include "err.h"
#include "ingest.h"
#include "names.h"
#include "num.h"
#include "out.h"
#include "profile.h"
#include "report.h"
#include "strmap.h"
#include "text.h"
#include "utf8.h"

#define NOTES_MAX 2048

struct kpo_ingest {
	struct kpo_ingest_opts opt;
	struct kpo_aliases *aliases;
	const struct kpo_profile *forced;       /* --profile NAME */
	int no_profile;                         /* --profile none */
	struct kpo_names *domains, *vendors;
	char **keep;            /* --keep names as given */
	char **keep_out;        /* and as output columns */
	size_t nkeep;
	char *keep_list;        /* their storage */
	struct kpo_strmap *seen;        /* task_id -> first source, with --dedupe */
	char notes[NOTES_MAX];
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
	struct kpo_colmap map;
	int *keep;                      /* the field of each --keep column, or -1 */
	char decimal;
	struct kpo_datefmt date;        /* a copy: it caches zone offsets */
	int hours_unit;
	/* The --set values, converted. */
	struct cell fixed[KPO_COL_SOURCE];
	char *fixed_buf;
	/* The current row. */
	struct cell cells[KPO_COL_SOURCE];
	const struct kpo_record *rec;
	const char *source;
	char *scratch;
	size_t scratch_cap;
	/* "FILE:" and room for a line number. */
	char src[4096 + 32];
	size_t src_prefix, srclen;
	/* The dictionaries' answers for the domains and vendors seen last:
	 * the same few names come row after row. */
	struct memo {
		uint32_t n;     /* of the folded text; 0: nothing kept here */
		char folded[44];
		const char *name;       /* NULL: not in the dictionary */
		size_t len;
	} memo[2][64];
};

/* Options ---------------------------------------------------------------- */

int
kpo_ingest_set(struct kpo_ingest_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	int c;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name)
		return -1;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	c = kpo_column_find(name);
	/* An id for every row would make them one; the source is ours. */
	if (c < 0 || c == KPO_COL_TASK_ID || c == KPO_COL_SOURCE)
		return -1;
	o->set[c] = eq + 1;
	return 0;
}

int
kpo_ingest_hours_unit(struct kpo_ingest_opts *o, const char *arg)
{
	if (strcmp(arg, "h") == 0)
		o->hours_unit = 3600;
	else if (strcmp(arg, "min") == 0)
		o->hours_unit = 60;
	else if (strcmp(arg, "s") == 0)
		o->hours_unit = 1;
	else
		return -1;
	return 0;
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

/* --profile NAME: the format, or NULL for none or "none"; an unknown name
 * ends the program, before anything is allocated (nothing is left behind
 * for the leak checker to find). */
static const struct kpo_profile *
pick_profile(const char *name)
{
	const struct kpo_profile *p;

	if (!name || strcmp(name, "none") == 0)
		return NULL;
	if (!(p = kpo_profile_named(name)))
		kpo_errx(EX_USAGE, "--profile: one of %s, or none, expected: '%s'", kpo_profile_names(), name);
	return p;
}

static struct cell convert_fixed(struct kpo_ingest_input *in, int c, char *buf, struct kpo_verdict *v);

/* The --set values must be values of their columns. */
static void
check_fixed(struct kpo_ingest *ing)
{
	struct kpo_ingest_input in;
	struct kpo_verdict v;
	char buf[4096];
	int c;

	memset(&in, 0, sizeof in);
	in.ing = ing;
	in.decimal = ing->opt.decimal ? ing->opt.decimal : '.';
	in.date = ing->opt.date;
	in.hours_unit = 3600;
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		if (!ing->opt.set[c])
			continue;
		if (strlen(ing->opt.set[c]) >= sizeof buf / 4)
			kpo_errx(EX_USAGE, "--set %s: the value is too long", kpo_columns[c].name);
		/* Numbers and dates are read with each file's decimal and date
		 * order: when its header is read. */
		if (kpo_columns[c].kind != KPO_KIND_TEXT && kpo_columns[c].kind != KPO_KIND_CODE &&
		    kpo_columns[c].kind != KPO_KIND_BOOLEAN)
			continue;
		v.kind = NULL;
		convert_fixed(&in, c, buf, &v);
		if (v.kind)
			kpo_errx(EX_USAGE, "--set %s=%s: %s", kpo_columns[c].name, ing->opt.set[c], v.kind);
	}
}

struct kpo_ingest *
kpo_ingest_new(const struct kpo_ingest_opts *opts)
{
	const struct kpo_profile *forced = pick_profile(opts->profile);
	struct kpo_ingest *ing = kpo_xcalloc(1, sizeof *ing);

	ing->opt = *opts;
	if (!ing->opt.hours_unit)
		ing->opt.hours_unit = 3600;
	ing->forced = forced;
	ing->no_profile = opts->profile && strcmp(opts->profile, "none") == 0;
	if (opts->keep)
		parse_keep(ing, opts->keep);
	ing->aliases = kpo_aliases_new(opts->map);
	ing->domains = kpo_names_new();
	kpo_names_add_domains(ing->domains);
	if (opts->domains)
		kpo_names_load(ing->domains, opts->domains, "--domains", kpo_columns[KPO_COL_DOMAIN].name);
	ing->vendors = kpo_names_new();
	if (opts->vendors)
		kpo_names_load(ing->vendors, opts->vendors, "--vendors", kpo_columns[KPO_COL_VENDOR].name);
	check_fixed(ing);
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
	size_t k;

	if (!ing)
		return;
	kpo_aliases_free(ing->aliases);
	kpo_names_free(ing->domains);
	kpo_names_free(ing->vendors);
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

const char *
kpo_ingest_notes(const struct kpo_ingest *ing)
{
	return ing->notes;
}

void
kpo_ingest_take_notes(struct kpo_ingest *ing, size_t from, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ing->notes + from);
	ing->notes[from] = '\0';
}

size_t
kpo_ingest_notes_len(const struct kpo_ingest *ing)
{
	return strlen(ing->notes);
}

void
kpo_ingest_add_notes(struct kpo_ingest *ing, const char *notes)
{
	size_t len = strlen(ing->notes);

	/* note_input's rule, so that the notes come out as one reader's. */
	if (*notes && len + 300 < sizeof ing->notes)
		snprintf(ing->notes + len, sizeof ing->notes - len, "%s", notes);
}

int
kpo_ingest_header_score(const struct kpo_record *rec, void *ing)
{
	return kpo_colmap_score(((const struct kpo_ingest *)ing)->aliases, rec);
}

/* The header ------------------------------------------------------------- */

/* The first field that is not UTF-8, named, or 0 when all are. */
static int
check_utf8(const struct kpo_record *h, const struct kpo_record *rec, struct kpo_verdict *v)
{
	size_t i;
	long at;

	/* Its text as read holds every byte of its fields (and only ASCII
	 * delimiters and quotes besides): one pass over it, word by word,
	 * instead of a short one per field.  Each field is looked at only to
	 * name the bad one. */
	if (rec->rawlen > 0 && kpo_text_invalid_at(rec->raw, rec->rawlen) < 0)
		return 0;
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

/* The field of each --keep column; a missing one is left empty, and said. */
static void
find_keep(const struct kpo_ingest *ing, struct kpo_ingest_input *in, struct kpo_csv *r, int quiet)
{
	const struct kpo_record *h = kpo_csv_header(r);
	size_t i, k;

	in->keep = kpo_xcalloc(ing->nkeep + 1, sizeof *in->keep);
	for (k = 0; k < ing->nkeep; k++) {
		char *want = kpo_xmalloc(strlen(ing->keep[k]) + 1);

		kpo_header_key(ing->keep[k], strlen(ing->keep[k]), want);
		in->keep[k] = -1;
		for (i = 0; i < h->nf && in->keep[k] < 0; i++) {
			char *key = kpo_xmalloc(h->len[i] + 1);

			kpo_header_key(h->f[i], h->len[i], key);
			if (strcmp(key, want) == 0)
				in->keep[k] = (int)i;
			free(key);
		}
		if (in->keep[k] < 0 && !quiet)
			kpo_warn_at(kpo_csv_name(r), h->line, "--keep column '%s' is not in the header; left empty",
			    ing->keep[k]);
		free(want);
	}
}

/* 0, or -1 after naming, in one message, the required columns the header
 * lacks and no --set gives. */
static int
check_required(const struct kpo_ingest *ing, const struct kpo_ingest_input *in, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char missing[256] = "", seen[300];
	size_t len = 0;
	int c, n = 0;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (kpo_columns[c].required && c != KPO_COL_TASK_ID && in->map.field[c] < 0 && !ing->opt.set[c]) {
			len += (size_t)snprintf(missing + len, sizeof missing - len, "%s%s", n ? ", " : "",
			    kpo_columns[c].name);
			n++;
		}
	if (!n)
		return 0;
	if (!kpo_csv_header_found(r)) {
		/* No line looked like a header: whatever is on line 1 is data,
		 * and a message must not print it. */
		kpo_warn_at(kpo_csv_name(r), 0, "no header found: none of the first %d lines names the columns "
		    "%s; say which line it is with --skip N, or for a file without one name its columns with "
		    "--no-header --columns COL,...", KPO_CSV_HEADER_LINES, missing);
		return -1;
	}
	kpo_header_describe(h, seen, sizeof seen);
	kpo_warn_at(kpo_csv_name(r), h->line, "required column%s missing: %s; the header has: %s%s", n > 1 ? "s" : "",
	    missing, seen, strlen(seen) + 1 == sizeof seen ? "..." : "");
	kpo_warn_at(kpo_csv_name(r), h->line, "name %s with --map, or give %s for every row with --set COLUMN=VALUE%s",
	    n > 1 ? "them" : "it", n > 1 ? "values" : "a value",
	    in->map.profile ? "" : "; or is this a format kpo knows (--profile)?");
	return -1;
}

/* Notes what the input was recognised as, for the summary line. */
static void
note_input(struct kpo_ingest *ing, const struct kpo_ingest_input *in, struct kpo_csv *r)
{
	size_t len = strlen(ing->notes);
	const char *name = kpo_csv_name(r), *slash = strrchr(name, '/');

	if (len + 300 >= sizeof ing->notes)
		return;
	if (kpo_csv_skipped(r))
		len += (size_t)snprintf(ing->notes + len, sizeof ing->notes - len, "; %.200s: %ld line%s before the "
		    "header skipped", slash ? slash + 1 : name, kpo_csv_skipped(r), kpo_csv_skipped(r) == 1 ? "" : "s");
	if (in->map.profile)
		snprintf(ing->notes + len, sizeof ing->notes - len, "; %.200s recognised as %s%s", slash ? slash + 1 : name,
		    in->map.profile->what, in->map.field[KPO_COL_TASK_ID] < 0 ? " (task_id from each row's source)" : "");
	else if (in->map.field[KPO_COL_TASK_ID] < 0)
		snprintf(ing->notes + len, sizeof ing->notes - len, "; %.200s has no task id: task_id from each row's "
		    "source", slash ? slash + 1 : name);
}

/* The --set values as cells of this input: 0, or -1 (verdict V) when one
 * is not a value of its column in this file. */
static int
fix_values(struct kpo_ingest_input *in, struct kpo_verdict *out)
{
	struct kpo_verdict v;
	size_t size = 0, used = 0;
	int c;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (in->ing->opt.set[c])
			size += 4 * strlen(in->ing->opt.set[c]) + KPO_DATETIME_MAX + KPO_NUM_MAX;
	in->fixed_buf = kpo_xmalloc(size + 1);
	for (c = 0; c < KPO_COL_SOURCE; c++) {
		in->fixed[c].s = "";
		in->fixed[c].n = 0;
		if (!in->ing->opt.set[c])
			continue;
		v.kind = NULL;
		in->fixed[c] = convert_fixed(in, c, in->fixed_buf + used, &v);
		if (v.kind && kpo_columns[c].kind == KPO_KIND_DATETIME)
			return kpo_verdict(out, v.kind, "--set %s=%s: %s", kpo_columns[c].name, in->ing->opt.set[c],
			    v.kind);
		if (v.kind)
			return kpo_verdict(out, v.kind, "--set %s=%s: %s (this file's decimal is '%c')",
			    kpo_columns[c].name, in->ing->opt.set[c], v.kind, in->decimal);
		used += in->fixed[c].n + 1;
	}
	return 0;
}

struct kpo_ingest_input *
kpo_ingest_input(struct kpo_ingest *ing, struct kpo_csv *r)
{
	const struct kpo_record *h = kpo_csv_header(r);
	const struct kpo_profile *profile;
	struct kpo_ingest_input *in;
	struct kpo_verdict v;
	int bad;

	if (check_utf8(h, h, &v) != 0) {
		kpo_warn_at(kpo_csv_name(r), h->line, "the header is not UTF-8; name the file's encoding with "
		    "--encoding, e.g. cp1251");
		return NULL;
	}
	in = kpo_xcalloc(1, sizeof *in);
	in->ing = ing;
	in->header = h;
	profile = ing->no_profile ? NULL : ing->forced ? ing->forced : kpo_colmap_recognise(h);
	kpo_colmap_find(&in->map, ing->aliases, h, profile);
	bad = check_required(ing, in, r);
	find_keep(ing, in, r, bad);
	if (bad) {
		kpo_ingest_input_free(in);
		return NULL;
	}
	in->decimal = ing->opt.decimal ? ing->opt.decimal : kpo_csv_delim(r) == ';' ? ',' : '.';
	in->date = ing->opt.date;
	if (!in->date.order && profile)
		in->date.order = profile->date_order;
	in->hours_unit = in->map.hours_secs ? in->map.hours_secs : ing->opt.hours_unit;
	if (fix_values(in, &v) != 0)
		kpo_errx(EX_USAGE, "%s: %s", kpo_csv_name(r), v.detail);
	note_input(ing, in, r);
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
	free(in->fixed_buf);
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
	in->srclen = i;
	return in->src;
}

/* Values ----------------------------------------------------------------- */

/* A canonical non-negative number (no leading zeros) is at most 100. */
static int
at_most_100(const char *canon, size_t n)
{
	const char *point = memchr(canon, '.', n);
	size_t intlen = point ? (size_t)(point - canon) : n;

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

/* The name dictionary D gives the folded text S (N bytes), or NULL,
 * remembered in MEMO. */
static const char *
dictionary_name(const struct kpo_names *d, struct memo *memo, const char *s, size_t n, size_t *len)
{
	struct memo *m;

	if (n == 0 || n > sizeof memo->folded)
		return kpo_names_find(d, s, n, len);
	m = &memo[(n * 31 + (unsigned char)s[0] * 7 + (unsigned char)s[n - 1]) % 64];
	if (m->n != n || memcmp(m->folded, s, n) != 0) {
		m->n = (uint32_t)n;
		memcpy(m->folded, s, n);
		m->name = kpo_names_find(d, s, n, &m->len);
	}
	*len = m->len;
	return m->name;
}

/* Text, trimmed and folded; a currency as its code, a domain or vendor by
 * the name its dictionary gives. */
static size_t
text_cell(struct kpo_ingest_input *in, int c, struct cell *cell, const char *s, size_t n, char *scratch)
{
	const struct kpo_ingest *ing = in->ing;
	const struct kpo_names *dict = c == KPO_COL_DOMAIN ? ing->domains : c == KPO_COL_VENDOR ? ing->vendors : NULL;
	const char *name;
	size_t k, len;

	cell->s = scratch;
	cell->n = kpo_text_fold(s, n, scratch);
	if (dict && (name = dictionary_name(dict, in->memo[c == KPO_COL_VENDOR], scratch, cell->n, &len))) {
		cell->s = name;
		cell->n = len;
	} else if (c == KPO_COL_CURRENCY) {
		char code[4];

		if (kpo_currency_code(scratch, cell->n, code) == 0) {
			memcpy(scratch, code, 4);
			cell->n = 3;
		}
		for (k = 0; k < cell->n; k++)
			if (scratch[k] >= 'a' && scratch[k] <= 'z')
				scratch[k] = (char)(scratch[k] - 'a' + 'A');
	}
	return cell->n + 1;
}

/* "03/04/2026": a date whose order only the user knows. */
static int
numeric_slash_date(const char *s, size_t n)
{
	size_t i, slashes = 0;

	for (i = 0; i < n && s[i] != ' '; i++)
		if (s[i] == '/')
			slashes++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	return slashes == 2 && s[0] != '/' && s[0] >= '0';
}

static int
date_cell(struct kpo_ingest_input *in, struct cell *cell, const char *col, const char *s, size_t n,
    char *scratch, struct kpo_verdict *v)
{
	if (kpo_datetime_parse(s, n, &in->date, &cell->when) != 0) {
		if (!in->date.order && numeric_slash_date(s, n))
			return kpo_verdict(v, "unparsable date", "column '%.100s': '%.*s' (day/month or month/day? "
			    "say which with --date-order dmy or mdy)", col, (int)(n > 60 ? 60 : n), s);
		return kpo_verdict_value(v, "unparsable date", col, s, n);
	}
	cell->n = kpo_datetime_format(cell->when, scratch);
	cell->s = scratch;
	return 0;
}

/* A number of KIND in canonical form; hours may be a duration too. */
static int
number_cell(struct kpo_ingest_input *in, int c, struct cell *cell, const char *col, const char *s, size_t n,
    char *scratch, struct kpo_verdict *v)
{
	enum kpo_col_kind kind = kpo_columns[c].kind;
	int64_t secs;
	size_t len;
	int rc, duration;

	if (c == KPO_COL_HOURS)
		rc = kpo_hours_canon(s, n, in->decimal, in->hours_unit, scratch, &duration);
	else
		rc = kpo_num_canon(s, n, in->decimal, scratch);
	if (rc == KPO_PARSE_RANGE)
		return kpo_verdict_value(v, "number out of range", col, s, n);
	if (rc != 0 && c != KPO_COL_HOURS && kpo_duration_parse(s, n, &secs) == 0)
		return kpo_verdict(v, "unparsable number", "column '%.100s': '%.*s' (a duration? only hours are read "
		    "as H:MM)", col, (int)(n > 60 ? 60 : n), s);
	len = rc == 0 ? strlen(scratch) : 0;
	if (rc != 0 || (kind == KPO_KIND_COUNT && memchr(scratch, '.', len)))
		return kpo_verdict_value(v, "unparsable number", col, s, n);
	if (kind == KPO_KIND_SCORE && (scratch[0] == '-' || !at_most_100(scratch, len)))
		return kpo_verdict_value(v, "quality out of range", col, s, n);
	if (scratch[0] == '-')
		return kpo_verdict_value(v, "negative value", col, s, n);
	cell->s = scratch;
	cell->n = len;
	return 0;
}

/* S (N bytes, of the header column COL) as column C in *CELL: 0, or -1
 * (verdict).  Text goes to SCRATCH, whose use is added to *USED. */
static int
convert(struct kpo_ingest_input *in, int c, const char *col, const char *s, size_t n, struct cell *cell,
    char *scratch, size_t *used, struct kpo_verdict *v)
{
	enum kpo_col_kind kind = kpo_columns[c].kind;
	int b;

	cell->s = "";
	cell->n = 0;
	if (n == 2 && s[0] == '\\' && s[1] == 'N')
		return 0;       /* a database dump's NULL (PostgreSQL COPY) */
	if (kind != KPO_KIND_TEXT && kind != KPO_KIND_CODE && blank(s, n))
		return 0;
	switch (kind) {
	case KPO_KIND_TEXT:
	case KPO_KIND_CODE:
		*used += text_cell(in, c, cell, s, n, scratch);
		return 0;
	case KPO_KIND_DATETIME:
		*used += KPO_DATETIME_MAX;
		return date_cell(in, cell, col, s, n, scratch, v);
	case KPO_KIND_AMOUNT:
	case KPO_KIND_SCORE:
	case KPO_KIND_COUNT:
		*used += KPO_NUM_MAX;
		return number_cell(in, c, cell, col, s, n, scratch, v);
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

/* The --set value of column C, converted into BUF; a bad one leaves its
 * reason in V. */
static struct cell
convert_fixed(struct kpo_ingest_input *in, int c, char *buf, struct kpo_verdict *v)
{
	const char *s = in->ing->opt.set[c];
	struct cell cell;
	size_t used = 0;

	if (convert(in, c, "--set", s, strlen(s), &cell, buf, &used, v) != 0) {
		cell.s = "";
		cell.n = 0;
	}
	if (cell.s == buf)
		buf[cell.n] = '\0';
	return cell;
}

/* Rows ------------------------------------------------------------------- */

/* The value of column C in REC: its field, with its time of day when that
 * has a field of its own (joined in SCRATCH).  Its length in *N. */
static const char *
value_of(struct kpo_ingest_input *in, int c, const struct kpo_record *rec, size_t *n, char *scratch, size_t *used)
{
	int f = in->map.field[c], t = in->map.time_field[c];

	*n = rec->len[f];
	if (t < 0 || blank(rec->f[f], rec->len[f]) || blank(rec->f[t], rec->len[t]))
		return rec->f[f];
	memcpy(scratch, rec->f[f], rec->len[f]);
	scratch[rec->len[f]] = ' ';
	memcpy(scratch + rec->len[f] + 1, rec->f[t], rec->len[t]);
	*n = rec->len[f] + 1 + rec->len[t];
	*used += *n + 1;
	return scratch;
}

/* Whether REC is a total, balance or similar line at the foot of an export
 * (or between its sections): one of its first cells starts with such a
 * word. */
static int
summary_line(const struct kpo_record *rec)
{
	static const char words[] = "total|totals|grand total|subtotal|sum|summe|gesamt|balance|closing balance|"
	    "opening balance|saldo|kontostand|итого|итог|всего|обороты|остаток|входящий остаток|"
	    "исходящий остаток|сальдо";
	size_t i, seen = 0;

	for (i = 0; i < rec->nf && seen < 3; i++) {
		char key[64];
		const char *w, *bar;

		if (rec->len[i] == 0 || rec->len[i] >= sizeof key)
			continue;
		seen++;
		kpo_header_key(rec->f[i], rec->len[i], key);
		for (w = words; ; w = bar + 1) {
			char wk[128];
			size_t wl;

			bar = strchr(w, '|');
			wl = bar ? (size_t)(bar - w) : strlen(w);
			wl = kpo_header_key(w, wl, wk);
			if (wl && strncmp(key, wk, wl) == 0)
				return 1;
			if (!bar)
				break;
		}
	}
	return 0;
}

int
kpo_ingest_summary_line(const struct kpo_record *rec, struct kpo_verdict *v)
{
	size_t i;

	if (!summary_line(rec))
		return 0;
	for (i = 0; i < rec->nf && rec->len[i] == 0; i++)
		;
	return kpo_verdict(v, "summary line", "'%.*s' begins a total or balance line, not a data row",
	    (int)(i < rec->nf && rec->len[i] < 60 ? rec->len[i] : i < rec->nf ? 60 : 0), i < rec->nf ? rec->f[i] : "");
}

int
kpo_ingest_note_line(const struct kpo_record *rec, size_t header_nf, struct kpo_verdict *v)
{
	size_t i, k = 0, filled = 0;

	for (i = 0; i < rec->nf; i++)
		if (rec->len[i]) {
			filled++;
			k = i;
		}
	if (filled != 1 || rec->nf >= header_nf)
		return 0;
	return kpo_verdict(v, "note line", "'%.*s%s' is a line of text, not a data row (%zu field%s, the header "
	    "has %zu)", (int)(rec->len[k] > 60 ? 60 : rec->len[k]), rec->f[k], rec->len[k] > 60 ? "..." : "", rec->nf,
	    rec->nf == 1 ? "" : "s", header_nf);
}

/* What the cells of a row must satisfy together. */
static int
check_row(const struct kpo_ingest_input *in, struct kpo_verdict *v)
{
	const struct cell *cells = in->cells;
	int c;

	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (kpo_columns[c].required && cells[c].n == 0) {
			if (kpo_ingest_summary_line(in->rec, v))
				return -1;
			if (in->map.field[c] >= 0)
				return kpo_verdict(v, "missing value", "%s (column '%.100s') is empty", kpo_columns[c].name,
				    in->header->f[in->map.field[c]]);
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
		return kpo_verdict(v, "duplicate task_id", "'%.*s' first seen at %s", (int)(id->n > 60 ? 60 : id->n),
		    id->s, (const char *)*slot);
	*slot = kpo_xstrdup(source);
	return 0;
}

/* Room for every cell of REC: its field lengths (four times: dates joined
 * with their times, maybe for more than one column) plus the widest
 * canonical forms. */
static char *
scratch_for(struct kpo_ingest_input *in, const struct kpo_record *rec)
{
	size_t need = KPO_COL_SOURCE * (KPO_DATETIME_MAX + KPO_NUM_MAX), i;

	for (i = 0; i < rec->nf; i++)
		need += 4 * (rec->len[i] + 1);
	if (need > in->scratch_cap) {
		in->scratch_cap = 2 * need;
		in->scratch = kpo_xrealloc(in->scratch, in->scratch_cap);
	}
	return in->scratch;
}

/* Column C of the row: its field, else the bracketed currency of the cost
 * header (for the currency), else its --set value. */
static int
row_cell(struct kpo_ingest_input *in, int c, const struct kpo_record *rec, char *scratch, size_t *used,
    struct kpo_verdict *v)
{
	struct cell *cell = &in->cells[c];

	cell->s = "";
	cell->n = 0;
	if (in->map.field[c] >= 0) {
		size_t n;
		const char *s = value_of(in, c, rec, &n, scratch + *used, used);

		if (convert(in, c, in->header->f[in->map.field[c]], s, n, cell, scratch + *used, used, v) != 0)
			return -1;
	}
	if (cell->n == 0 && c == KPO_COL_CURRENCY && in->map.cost_currency[0]) {
		cell->s = in->map.cost_currency;
		cell->n = 3;
	} else if (cell->n == 0) {
		*cell = in->fixed[c];
	}
	return 0;
}

int
kpo_ingest_row(struct kpo_ingest *ing, struct kpo_ingest_input *in, const struct kpo_record *rec,
    const char *source, struct kpo_verdict *v)
{
	char *scratch = scratch_for(in, rec);
	size_t used = 0;
	int c, derived = in->map.field[KPO_COL_TASK_ID] < 0;

	if (check_utf8(in->header, rec, v) != 0)
		return -1;
	in->rec = rec;
	for (c = 0; c < KPO_COL_SOURCE; c++)
		if (row_cell(in, c, rec, scratch, &used, v) != 0) {
			/* A total line's values fail too: say what it is. */
			kpo_ingest_summary_line(rec, v);
			return -1;
		}
	/* Time entries have no id of their own, nor a row whose id is empty:
	 * its place is one. */
	if (derived || in->cells[KPO_COL_TASK_ID].n == 0) {
		derived = 1;
		in->cells[KPO_COL_TASK_ID].s = source;
		in->cells[KPO_COL_TASK_ID].n = source == in->src ? in->srclen : strlen(source);
	}
	if (check_row(in, v) != 0)
		return -1;
	if (ing->seen && !derived && duplicate(ing, &in->cells[KPO_COL_TASK_ID], source, v) != 0)
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

size_t
kpo_ingest_fields(const struct kpo_ingest_input *in, const char **f, size_t *len)
{
	size_t c;

	for (c = 0; c < KPO_COL_SOURCE; c++) {
		f[c] = in->cells[c].s;
		len[c] = in->cells[c].n;
	}
	f[c] = in->source;
	len[c] = in->source == in->src ? in->srclen : strlen(in->source);
	return c + 1;
}

/* kpo-ingest's part in kpo_stage_run, shared by kpo-ingest and kpo-run. */
static void *
stage_input(void *ctx, struct kpo_csv *r)
{
	return kpo_ingest_input(((struct kpo_ingest_stage *)ctx)->ing, r);
}

static int
stage_row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct kpo_ingest_stage *x = ctx;
	const char *source = kpo_ingest_source(in, rec->line);
	struct kpo_verdict v;

	if (kpo_ingest_row(x->ing, in, rec, source, &v) != 0) {
		kpo_reject(x->st->rejects, kpo_csv_name(r), rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
		return 0;
	}
	kpo_ingest_put(in, x->out);
	x->st->written++;
	return kpo_out_failed(x->out) ? -1 : 0;
}

static void
stage_input_free(void *in)
{
	kpo_ingest_input_free(in);
}

static int
stage_stop(void *ctx)
{
	return kpo_out_failed(((struct kpo_ingest_stage *)ctx)->out);
}

/* A total, balance or note line at the foot of an export has fewer fields
 * than the header: say what it is rather than count its fields. */
static int
stage_damaged(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct kpo_ingest_stage *x = ctx;
	struct kpo_verdict v;

	(void)in;
	if (rec->status != KPO_REC_FIELD_COUNT ||
	    (!kpo_ingest_summary_line(rec, &v) && !kpo_ingest_note_line(rec, kpo_csv_header(r)->nf, &v)))
		return 0;
	kpo_reject(x->st->rejects, kpo_csv_name(r), rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
	return 1;
}

const struct kpo_stage_ops kpo_ingest_stage_ops = {
	stage_input, stage_row, stage_input_free, stage_stop, stage_damaged
};

/* -d C: one character, or a tab. */
static char
parse_delim(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0 || strcmp(arg, "TAB") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
		kpo_errx(EX_USAGE, "-d: one character, or 'tab', expected: '%s'", arg);
	return arg[0];
}

int
kpo_ingest_option(struct kpo_ingest_opts *io, struct kpo_csv_opts *csv, int ch, const char *arg)
{
	switch (ch) {
	case 'd':
		csv->delim = parse_delim(arg);
		return 1;
	case KPO_OPT_DATEFORMAT:
		io->date.strptime = arg;
		return 1;
	case KPO_OPT_DATEORDER:
		if (strcmp(arg, "dmy") != 0 && strcmp(arg, "mdy") != 0)
			kpo_errx(EX_USAGE, "--date-order: 'dmy' or 'mdy' expected: '%s'", arg);
		io->date.order = arg[0];
		return 1;
	case KPO_OPT_DECIMAL:
		if (strcmp(arg, ".") != 0 && strcmp(arg, ",") != 0)
			kpo_errx(EX_USAGE, "--decimal: '.' or ',' expected: '%s'", arg);
		io->decimal = arg[0];
		return 1;
	case KPO_OPT_DEDUPE:
		io->dedupe = 1;
		return 1;
	case KPO_OPT_ENCODING:
		csv->encoding = arg;
		return 1;
	case KPO_OPT_KEEP:
		io->keep = arg;
		csv->keep_blanks = 1;   /* raw values, blanks and all */
		return 1;
	case KPO_OPT_COLUMNS:
		csv->columns = arg;
		return 1;
	case KPO_OPT_DOMAINS:
		io->domains = arg;
		return 1;
	case KPO_OPT_NOHEADER:
		csv->no_header = 1;
		return 1;
	case KPO_OPT_SKIP:
		csv->skip = (long)kpo_number_arg("--skip", arg, 0, 1e9);
		if (csv->skip != strtod(arg, NULL))
			kpo_errx(EX_USAGE, "--skip: a whole number of lines expected: '%s'", arg);
		return 1;
	case KPO_OPT_HOURSUNIT:
		if (kpo_ingest_hours_unit(io, arg) != 0)
			kpo_errx(EX_USAGE, "--hours-unit: h, min or s expected: '%s'", arg);
		return 1;
	case KPO_OPT_MAP:
		io->map = arg;
		return 1;
	case KPO_OPT_PROFILE:
		io->profile = arg;
		return 1;
	case KPO_OPT_SET:
		if (kpo_ingest_set(io, arg) != 0)
			kpo_errx(EX_USAGE, "--set: COLUMN=VALUE with a canonical column other than task_id "
			    "and source expected: '%s'", arg);
		return 1;
	case KPO_OPT_VENDORS:
		io->vendors = arg;
		return 1;
	}
	return 0;
}
