/* kpo-ingest: raw CSV exports in any dialect -> the canonical record stream.
 * See kpo-ingest(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "csvread.h"
#include "err.h"
#include "out.h"
#include "date.h"
#include "num.h"
#include "text.h"
#include "utf8.h"
#include "args.h"
#include "report.h"
#include "strmap.h"

enum col {
	C_TASK_ID, C_ENGAGEMENT_ID, C_VENDOR, C_DOMAIN, C_REGION, C_REQUESTED_AT,
	C_DUE_AT, C_DELIVERED_AT, C_HOURS, C_COST, C_CURRENCY, C_INHOUSE_RATE,
	C_QUALITY, C_DEFECTS, C_REWORKED, NCOLS
};

enum kind { TEXT, CODE, DATETIME, AMOUNT, SCORE, COUNT, BOOLEAN };

/* The canonical columns, in output order, with the header texts that name
 * them in exports, most specific first.  Matching ignores case, spaces and
 * punctuation (kpo_header_key). */
static const struct column {
	const char *name;
	enum kind kind;
	int required;
	const char *aliases;    /* '|' separated */
} columns[NCOLS] = {
	{ "task_id", TEXT, 1, "task id|task|issue key|ticket id|ticket|key|"
	    "номер задачи|№ задачи|id задачи|задача" },
	{ "engagement_id", TEXT, 0, "engagement id|engagement|custom field (engagement)|project key|project|"
	    "contract|sow|проект|договор" },
	{ "vendor", TEXT, 1, "vendor|vendor name|custom field (vendor)|supplier|provider|contractor|partner|"
	    "подрядчик|поставщик|исполнитель" },
	{ "domain", TEXT, 1, "domain|custom field (domain)|practice|service line|service|category|"
	    "направление|домен|услуга|категория" },
	{ "region", TEXT, 0, "region|custom field (region)|location|country|geo|регион|страна" },
	{ "requested_at", DATETIME, 1, "requested at|requested|request date|created|created at|opened|submitted|"
	    "дата заявки|дата создания|создано|создана" },
	{ "due_at", DATETIME, 0, "due at|due|due date|deadline|sla date|срок|дедлайн|срок сдачи|плановая дата" },
	{ "delivered_at", DATETIME, 0, "delivered at|delivered|delivery date|resolved|completed|closed|"
	    "дата сдачи|дата выполнения|сдано|выполнено" },
	{ "hours", AMOUNT, 1, "hours|custom field (hours)|effort hours|hours spent|billable hours|"
	    "часы|трудозатраты|трудозатраты ч|часов" },
	{ "cost", AMOUNT, 1, "cost|custom field (cost)|amount|invoice amount|fee|price|total|стоимость|сумма" },
	{ "currency", CODE, 0, "currency|custom field (currency)|ccy|cur|валюта" },
	{ "inhouse_rate", AMOUNT, 0, "inhouse rate|in-house rate|custom field (in-house rate)|internal rate|"
	    "loaded rate|внутренняя ставка|ставка" },
	{ "quality", SCORE, 0, "quality|custom field (quality score)|quality score|qa score|score|rating|"
	    "качество|оценка|оценка качества" },
	{ "defects", COUNT, 0, "defects|custom field (defects)|defect count|errors|bugs|дефекты|ошибки|замечания" },
	{ "reworked", BOOLEAN, 0, "reworked|custom field (reworked)|rework|returned|reopened|доработка|возврат|переделка" },
};

/* Match keys per column: --map aliases first, then the canonical name, then
 * the built-in aliases. */
struct aliases {
	char **key;
	size_t n, cap;
};

static struct aliases alias[NCOLS];

static struct {
	const char *output;
	const char *rejects;
	const char *map;
	double max_reject_pct;
	int dedupe;
	int quiet;
	int progress;
	char decimal;
	struct kpo_csv_opts csv;
	struct kpo_datefmt date;
	char **keep;            /* --keep names as given */
	char **keep_out;        /* and as output columns */
	size_t nkeep;
} opt = { .max_reject_pct = 5.0, .progress = -1 };

static struct {
	unsigned long long read, written;
	struct kpo_rejects *rejects;
	struct kpo_strmap *seen;        /* task_id -> first source, with --dedupe */
	struct kpo_progress progress;
	unsigned long long bytes_done;
} run;

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-q] [-d DELIM] [-o FILE] [--rejects FILE] [--max-reject-pct P]\n"
	    "       [--map FILE] [--keep COL,...] [--dedupe] [--encoding ENC] [--decimal .|,]\n"
	    "       [--tz ZONE] [--date-order dmy|mdy] [--date-format FORMAT] [--progress] [FILE ...]\n",
	    kpo_progname);
	if (!status)
		printf("Reads CSV exports (any dialect, .gz too) and writes the canonical kpo record stream.\n"
		    "See kpo-ingest(1).\n");
	exit(status);
}

static void
add_alias(enum col c, const char *text, size_t n)
{
	struct aliases *a = &alias[c];

	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->key = kpo_xrealloc(a->key, a->cap * sizeof *a->key);
	}
	a->key[a->n] = kpo_xmalloc(n + 1);
	kpo_header_key(text, n, a->key[a->n]);
	a->n++;
}

static int
column_named(const char *name)
{
	int c;

	for (c = 0; c < NCOLS; c++)
		if (strcmp(columns[c].name, name) == 0)
			return c;
	return -1;
}

/* --map FILE: "column,alias" lines, read before the built-in aliases so they win. */
static void
load_map(const char *path)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	const struct kpo_record *h;
	struct kpo_record *rec;
	int ci = -1, ai = -1, rc;
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
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		int c;

		if (rec->status != KPO_REC_OK)
			kpo_errx(EX_DATAERR, "%s:%ld: not a valid 'column,alias' line", path, rec->line);
		c = column_named(rec->f[ci]);
		if (c < 0)
			kpo_errx(EX_DATAERR, "%s:%ld: unknown column '%s' (the canonical names are task_id, "
			    "engagement_id, vendor, domain, region, requested_at, due_at, delivered_at, hours, cost, "
			    "currency, inhouse_rate, quality, defects, reworked)", path, rec->line, rec->f[ci]);
		if (rec->len[ai] == 0)
			kpo_errx(EX_DATAERR, "%s:%ld: empty alias for '%s'", path, rec->line, rec->f[ci]);
		add_alias((enum col)c, rec->f[ai], rec->len[ai]);
	}
	if (rc < 0)
		kpo_errx(kpo_csv_exit_status(kpo_csv_error(r)), "--map %s", kpo_csv_message(r));
	kpo_csv_close(r);
}

static void
builtin_aliases(void)
{
	int c;

	for (c = 0; c < NCOLS; c++) {
		const char *a = columns[c].aliases, *bar;

		add_alias((enum col)c, columns[c].name, strlen(columns[c].name));
		for (;; a = bar + 1) {
			bar = strchr(a, '|');
			add_alias((enum col)c, a, bar ? (size_t)(bar - a) : strlen(a));
			if (!bar)
				break;
		}
	}
}

static void
parse_keep(char *list)
{
	char *name;

	for (name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		char *snake = kpo_xmalloc(strlen(name) + 1);

		if (kpo_snake_case(name, strlen(name), snake) == 0)
			kpo_errx(EX_USAGE, "--keep: '%s' is not a column name", name);
		if (column_named(snake) >= 0 || strcmp(snake, "source") == 0)
			kpo_errx(EX_USAGE, "--keep: '%s' is already a canonical column", name);
		opt.keep = kpo_xrealloc(opt.keep, (opt.nkeep + 1) * sizeof *opt.keep);
		opt.keep_out = kpo_xrealloc(opt.keep_out, (opt.nkeep + 1) * sizeof *opt.keep_out);
		opt.keep[opt.nkeep] = name;
		opt.keep_out[opt.nkeep] = snake;
		opt.nkeep++;
	}
}

/* The header of one input mapped to our columns: for each canonical column
 * the index of its field, or -1. */
struct layout {
	int field[NCOLS];
	int *keep;
	char decimal;
};

/* 0, or EX_DATAERR after saying which required column is missing. */
static int
map_header(struct kpo_csv *r, struct layout *L)
{
	const struct kpo_record *h = kpo_csv_header(r);
	char **keys = kpo_xcalloc(h->nf, sizeof *keys);
	size_t i, k;
	int c, status = 0;

	for (i = 0; i < h->nf; i++) {
		keys[i] = kpo_xmalloc(h->len[i] + 1);
		kpo_header_key(h->f[i], h->len[i], keys[i]);
	}
	for (c = 0; c < NCOLS; c++) {
		L->field[c] = -1;
		for (k = 0; k < alias[c].n && L->field[c] < 0; k++)
			for (i = 0; i < h->nf; i++)
				if (keys[i][0] && strcmp(keys[i], alias[c].key[k]) == 0) {
					L->field[c] = (int)i;
					break;
				}
	}
	for (c = 0; c < NCOLS; c++)
		if (columns[c].required && L->field[c] < 0) {
			char seen[2048];

			kpo_header_describe(h, seen, sizeof seen);
			kpo_warn_at(kpo_csv_name(r), h->line, "required column '%s' missing; the header has: %s%s",
			    columns[c].name, seen, opt.map ? "" : " (name it with --map)");
			status = EX_DATAERR;
		}
	L->keep = kpo_xcalloc(opt.nkeep + 1, sizeof *L->keep);
	for (k = 0; k < opt.nkeep; k++) {
		char *want = kpo_xmalloc(strlen(opt.keep[k]) + 1);

		kpo_header_key(opt.keep[k], strlen(opt.keep[k]), want);
		L->keep[k] = -1;
		for (i = 0; i < h->nf; i++)
			if (strcmp(keys[i], want) == 0) {
				L->keep[k] = (int)i;
				break;
			}
		if (L->keep[k] < 0 && status == 0)
			kpo_warn_at(kpo_csv_name(r), h->line, "--keep column '%s' is not in the header; left empty", opt.keep[k]);
		free(want);
	}
	for (i = 0; i < h->nf; i++)
		free(keys[i]);
	free(keys);
	L->decimal = opt.decimal ? opt.decimal : kpo_csv_delim(r) == ';' ? ',' : '.';
	return status;
}

/* A value ready to print. */
struct cell {
	const char *s;
	size_t n;
	int64_t when;           /* DATETIME: seconds since the epoch */
};

/* Why a row cannot be used: the reject kind and its detail. */
struct verdict {
	const char *kind;
	char detail[512];
};

static int
verdict(struct verdict *v, const char *kind, const struct kpo_record *h, int field,
    const char *value, size_t n)
{
	v->kind = kind;
	snprintf(v->detail, sizeof v->detail, "column '%.100s': '%.*s'%s", h->f[field],
	    (int)(n > 80 ? 80 : n), value, n > 80 ? "..." : "");
	return -1;
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

/* Converts the fields of REC to canonical cells; text goes to SCRATCH, which
 * must hold every field's length plus one byte per column. */
static int
convert(const struct kpo_record *h, const struct kpo_record *rec, const struct layout *L,
    struct cell *cells, char *scratch, struct verdict *v)
{
	int c;

	for (c = 0; c < NCOLS; c++) {
		struct cell *cell = &cells[c];
		int field = L->field[c], rc, b;
		const char *s;
		size_t n, k;

		cell->s = "";
		cell->n = 0;
		if (field < 0)
			continue;
		s = rec->f[field];
		n = rec->len[field];
		if (columns[c].kind != TEXT && columns[c].kind != CODE && blank(s, n))
			continue;
		switch (columns[c].kind) {
		case TEXT:
		case CODE:
			cell->s = scratch;
			cell->n = kpo_text_fold(s, n, scratch);
			if (columns[c].kind == CODE)
				for (k = 0; k < cell->n; k++)
					if (scratch[k] >= 'a' && scratch[k] <= 'z')
						scratch[k] = (char)(scratch[k] - 'a' + 'A');
			scratch += cell->n + 1;
			break;
		case DATETIME:
			if (kpo_datetime_parse(s, n, &opt.date, &cell->when) != 0)
				return verdict(v, "unparsable date", h, field, s, n);
			kpo_datetime_format(cell->when, scratch);
			cell->s = scratch;
			cell->n = strlen(scratch);
			scratch += KPO_DATETIME_MAX;
			break;
		case AMOUNT:
		case SCORE:
		case COUNT:
			rc = kpo_num_canon(s, n, L->decimal, scratch);
			if (rc == KPO_PARSE_RANGE)
				return verdict(v, "number out of range", h, field, s, n);
			if (rc != 0 || (columns[c].kind == COUNT && strchr(scratch, '.')))
				return verdict(v, "unparsable number", h, field, s, n);
			if (columns[c].kind == SCORE && (scratch[0] == '-' || !at_most_100(scratch)))
				return verdict(v, "quality out of range", h, field, s, n);
			if (scratch[0] == '-')
				return verdict(v, "negative value", h, field, s, n);
			cell->s = scratch;
			cell->n = strlen(scratch);
			scratch += KPO_NUM_MAX;
			break;
		case BOOLEAN:
			if (kpo_bool_parse(s, n, &b) != 0)
				return verdict(v, "unparsable boolean", h, field, s, n);
			cell->s = b ? "1" : "0";
			cell->n = 1;
			break;
		}
	}
	for (c = 0; c < NCOLS; c++)
		if (columns[c].required && cells[c].n == 0) {
			v->kind = "missing value";
			if (L->field[c] >= 0)
				snprintf(v->detail, sizeof v->detail, "%s (column '%.100s') is empty",
				    columns[c].name, h->f[L->field[c]]);
			else
				snprintf(v->detail, sizeof v->detail, "%s is empty", columns[c].name);
			return -1;
		}
	if (cells[C_DELIVERED_AT].n && cells[C_DELIVERED_AT].when < cells[C_REQUESTED_AT].when) {
		v->kind = "delivered before requested";
		snprintf(v->detail, sizeof v->detail, "delivered %s, requested %s",
		    cells[C_DELIVERED_AT].s, cells[C_REQUESTED_AT].s);
		return -1;
	}
	return 0;
}

/* The first field that is not UTF-8, named, or 0 when all are. */
static int
check_utf8(const struct kpo_record *h, const struct kpo_record *rec, struct verdict *v)
{
	size_t i;
	long at;

	for (i = 0; i < rec->nf; i++) {
		if ((at = kpo_text_invalid_at(rec->f[i], rec->len[i])) < 0)
			continue;
		v->kind = "invalid UTF-8";
		if (rec->f[i][at] == '\0')
			snprintf(v->detail, sizeof v->detail, "column '%.100s', byte %ld: a NUL byte", h->f[i], at + 1);
		else
			snprintf(v->detail, sizeof v->detail,
			    "column '%.100s', byte %ld (0x%02X); name the file's encoding with --encoding, e.g. cp1251",
			    h->f[i], at + 1, (unsigned char)rec->f[i][at]);
		return -1;
	}
	return 0;
}

static void
write_header(struct kpo_out *out)
{
	int c;
	size_t k;

	for (c = 0; c < NCOLS; c++)
		kpo_out_fieldz(out, columns[c].name);
	kpo_out_fieldz(out, "source");
	for (k = 0; k < opt.nkeep; k++)
		kpo_out_fieldz(out, opt.keep_out[k]);
	kpo_out_endrow(out);
}

/* "FILE:LINE" for one input, built by hand: it runs for every row. */
struct source {
	char text[4096 + 32];
	size_t prefix;
};

static void
source_init(struct source *src, const char *file)
{
	snprintf(src->text, sizeof src->text - 24, "%s:", file);
	src->prefix = strlen(src->text);
}

static const char *
source_at(struct source *src, long line)
{
	char digits[24];
	size_t i = src->prefix;
	int k = 0;

	do {
		digits[k++] = (char)('0' + line % 10);
		line /= 10;
	} while (line > 0);
	while (k > 0)
		src->text[i++] = digits[--k];
	src->text[i] = '\0';
	return src->text;
}

/* With --dedupe: the first occurrence wins; a repeat gets the first's place
 * in its verdict. */
static int
duplicate(const struct cell *id, const char *source, struct verdict *v)
{
	void **slot = kpo_strmap_get(run.seen, id->s, id->n, 1);

	if (*slot) {
		v->kind = "duplicate task_id";
		snprintf(v->detail, sizeof v->detail, "'%.*s' first seen at %s", (int)(id->n > 80 ? 80 : id->n),
		    id->s, (const char *)*slot);
		return -1;
	}
	*slot = kpo_xstrdup(source);
	return 0;
}

/* Streams one input; returns its exit status (0 when every problem was a
 * counted reject). */
static int
ingest(const char *path, struct kpo_out *out)
{
	struct kpo_csv *r = kpo_csv_open(path, &opt.csv);
	const struct kpo_record *h;
	struct kpo_record *rec;
	struct layout L;
	struct cell cells[NCOLS];
	struct verdict v;
	struct source src;
	char *scratch = NULL;
	size_t scratch_cap = 0;
	int status = 0, rc;

	memset(&L, 0, sizeof L);
	if (kpo_csv_error(r)) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
		goto done;
	}
	h = kpo_csv_header(r);
	if (!h) {
		kpo_warn_at(kpo_csv_name(r), 0, "empty input: no header line");
		status = EX_DATAERR;
		goto done;
	}
	if (check_utf8(h, h, &v) != 0) {
		kpo_warn_at(kpo_csv_name(r), h->line, "the header is not UTF-8; name the file's encoding with --encoding, e.g. cp1251");
		status = EX_DATAERR;
		goto done;
	}
	if ((status = map_header(r, &L)) != 0)
		goto done;
	source_init(&src, kpo_csv_name(r));

	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		const char *file = kpo_csv_name(r);
		size_t need = NCOLS * (KPO_DATETIME_MAX + KPO_NUM_MAX), i, k;

		run.read++;
		kpo_progress_tick(&run.progress, run.read, run.bytes_done + kpo_csv_bytes(r));
		if (rec->status != KPO_REC_OK) {
			char detail[128];

			snprintf(detail, sizeof detail, "%zu fields, the header has %zu", rec->nf, h->nf);
			kpo_reject(run.rejects, file, rec->line, kpo_rec_status_kind(rec->status),
			    rec->status == KPO_REC_FIELD_COUNT ? detail : NULL, rec->raw, rec->rawlen);
			continue;
		}
		for (i = 0; i < rec->nf; i++)
			need += rec->len[i] + 1;
		if (need > scratch_cap) {
			scratch_cap = 2 * need;
			scratch = kpo_xrealloc(scratch, scratch_cap);
		}
		if (check_utf8(h, rec, &v) != 0 || convert(h, rec, &L, cells, scratch, &v) != 0 ||
		    (opt.dedupe && duplicate(&cells[C_TASK_ID], source_at(&src, rec->line), &v) != 0)) {
			kpo_reject(run.rejects, file, rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
			continue;
		}
		for (i = 0; i < NCOLS; i++)
			kpo_out_field(out, cells[i].s, cells[i].n);
		kpo_out_fieldz(out, source_at(&src, rec->line));
		for (k = 0; k < opt.nkeep; k++)
			if (L.keep[k] >= 0)
				kpo_out_field(out, rec->f[L.keep[k]], rec->len[L.keep[k]]);
			else
				kpo_out_field(out, "", 0);
		kpo_out_endrow(out);
		run.written++;
		if (kpo_out_failed(out))
			break;
	}
	if (rc < 0) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_csv_exit_status(kpo_csv_error(r));
	}
done:
	run.bytes_done += kpo_csv_bytes(r);
	free(L.keep);
	free(scratch);
	kpo_csv_close(r);
	return status;
}

static void
free_value(const char *key, size_t n, void **value, void *ctx)
{
	(void)key, (void)n, (void)ctx;
	free(*value);
}

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
main(int argc, char **argv)
{
	enum { O_REJECTS = 256, O_MAXPCT, O_MAP, O_KEEP, O_DEDUPE, O_TZ, O_DATEORDER,
	       O_DATEFORMAT, O_DECIMAL, O_ENCODING, O_PROGRESS, O_NOPROGRESS, O_VERSION };
	static const struct option longopts[] = {
		{ "date-format",    required_argument, NULL, O_DATEFORMAT },
		{ "date-order",     required_argument, NULL, O_DATEORDER },
		{ "decimal",        required_argument, NULL, O_DECIMAL },
		{ "dedupe",         no_argument,       NULL, O_DEDUPE },
		{ "delimiter",      required_argument, NULL, 'd' },
		{ "encoding",       required_argument, NULL, O_ENCODING },
		{ "help",           no_argument,       NULL, 'h' },
		{ "keep",           required_argument, NULL, O_KEEP },
		{ "map",            required_argument, NULL, O_MAP },
		{ "max-reject-pct", required_argument, NULL, O_MAXPCT },
		{ "no-progress",    no_argument,       NULL, O_NOPROGRESS },
		{ "output",         required_argument, NULL, 'o' },
		{ "progress",       no_argument,       NULL, O_PROGRESS },
		{ "quiet",          no_argument,       NULL, 'q' },
		{ "rejects",        required_argument, NULL, O_REJECTS },
		{ "tz",             required_argument, NULL, O_TZ },
		{ "version",        no_argument,       NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct kpo_out *out;
	const char *rejects_name = NULL;
	char summary[1024];
	int ch, i, status = 0;

	kpo_stage_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "d:ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			opt.csv.delim = parse_delim(optarg);
			break;
		case 'h':
			usage(0);
			break;
		case 'o':
			opt.output = optarg;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case O_DATEFORMAT:
			opt.date.strptime = optarg;
			break;
		case O_DATEORDER:
			if (strcmp(optarg, "dmy") != 0 && strcmp(optarg, "mdy") != 0)
				kpo_errx(EX_USAGE, "--date-order: 'dmy' or 'mdy' expected: '%s'", optarg);
			opt.date.order = optarg[0];
			break;
		case O_DECIMAL:
			if (strcmp(optarg, ".") != 0 && strcmp(optarg, ",") != 0)
				kpo_errx(EX_USAGE, "--decimal: '.' or ',' expected: '%s'", optarg);
			opt.decimal = optarg[0];
			break;
		case O_DEDUPE:
			opt.dedupe = 1;
			break;
		case O_ENCODING:
			opt.csv.encoding = optarg;
			break;
		case O_KEEP:
			parse_keep(optarg);
			opt.csv.keep_blanks = 1;        /* raw values, blanks and all */
			break;
		case O_MAP:
			opt.map = optarg;
			break;
		case O_MAXPCT:
			opt.max_reject_pct = kpo_max_reject_pct_arg(optarg);
			break;
		case O_NOPROGRESS:
			opt.progress = 0;
			break;
		case O_PROGRESS:
			opt.progress = 1;
			break;
		case O_REJECTS:
			opt.rejects = optarg;
			break;
		case O_TZ:
			if (kpo_tz_valid(optarg) != 0)
				kpo_errx(EX_USAGE, "--tz: unknown time zone '%s' (a name such as Europe/Berlin)", optarg);
			opt.date.tz = optarg;
			break;
		case O_VERSION:
			printf("kpo-ingest %s\n", KPO_VERSION);
			return kpo_close_stdout(0);
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (opt.map)
		load_map(opt.map);
	builtin_aliases();
	if (opt.progress < 0)
		opt.progress = isatty(STDERR_FILENO);
	kpo_progress_init(&run.progress, opt.progress);
	if (opt.dedupe)
		run.seen = kpo_strmap_new();

	if (!(out = kpo_out_open(opt.output)))
		kpo_err(EX_CANTCREAT, "%s", opt.output);
	if (!(run.rejects = kpo_rejects_open(opt.rejects, "ingest")))
		kpo_err(EX_CANTCREAT, "%s", opt.rejects);

	write_header(out);
	if (argc == 0)
		status = ingest("-", out);
	for (i = 0; i < argc && !kpo_out_failed(out); i++)
		status = kpo_status_merge(status, ingest(argv[i], out));
	kpo_progress_show(&run.progress, run.read, run.bytes_done, 1);

	if (!opt.quiet) {
		snprintf(summary, sizeof summary, "%llu rows read, %llu written, %llu rejected",
		    run.read, run.written, kpo_rejects_count(run.rejects));
		kpo_rejects_describe(run.rejects, summary, sizeof summary);
		kpo_warnx("%s", summary);
	}
	if (kpo_reject_threshold_passed(kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct)) {
		kpo_warnx("%llu of %llu rows rejected, more than --max-reject-pct %g%%",
		    kpo_rejects_count(run.rejects), run.read, opt.max_reject_pct);
		status = kpo_status_merge(status, EX_DATAERR);
	}
	if (kpo_rejects_close(run.rejects, &rejects_name) != 0) {
		kpo_warn("%s: write error", rejects_name);
		status = kpo_status_merge(status, EX_IOERR);
	}
	/* -o FILE is replaced only by a run that succeeded. */
	if (status != 0 && opt.output && !kpo_out_failed(out)) {
		kpo_out_abort(out);
	} else if (kpo_out_commit(out) != 0) {
		kpo_warn("%s: write error", opt.output ? opt.output : "stdout");
		status = kpo_status_merge(status, EX_IOERR);
	}
	if (run.seen) {
		kpo_strmap_each(run.seen, free_value, NULL);
		kpo_strmap_free(run.seen);
	}
	return kpo_close_stdout(status);
}
