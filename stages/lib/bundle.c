#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "bundle.h"
#include "csvread.h"
#include "err.h"
#include "fail.h"

/* A reader's failure as a struct kpo_fail. */
static int
read_failed(struct kpo_csv *r, struct kpo_fail *f)
{
	return kpo_fail(f, kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
}

/* Opens a bundle file; one that is missing is bad data (the bundle is
 * incomplete), a read error is an I/O error. */
static struct kpo_csv *
open_member(const char *path, struct kpo_fail *f)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);

	if (kpo_csv_error(r) == KPO_CSV_EOPEN)
		kpo_fail(f, EX_DATAERR, "%s (kpo-metrics --bundle writes it)", kpo_csv_message(r));
	else if (kpo_csv_error(r))
		read_failed(r, f);
	else if (!kpo_csv_header(r))
		kpo_fail(f, EX_DATAERR, "%s:1: empty file: no header line", path);
	else
		return r;
	kpo_csv_close(r);
	return NULL;
}

/* The two column names of meta.csv, from kpo_meta_header. */
static void
meta_columns(char name[2][32])
{
	size_t n = strcspn(kpo_meta_header, ",");

	snprintf(name[0], sizeof name[0], "%.*s", (int)n, kpo_meta_header);
	snprintf(name[1], sizeof name[1], "%s", kpo_meta_header + n + (kpo_meta_header[n] != '\0'));
}

static int
is_date(const char *s)
{
	return strlen(s) == 10 && strspn(s, "0123456789-") == 10 && s[4] == '-' && s[7] == '-' &&
	    strchr(s, '-') == s + 4 && strrchr(s, '-') == s + 7 &&
	    atoi(s + 5) >= 1 && atoi(s + 5) <= 12 && atoi(s + 8) >= 1 && atoi(s + 8) <= 31;
}

static int
is_currency(const char *s)
{
	return strlen(s) == 3 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3;
}

/* The meta.csv values, the last row of each key winning; as_of and
 * base_currency enter gnuplot scripts (titles), so their form is checked. */
static int
check_meta(struct kpo_bundle *b, const char *path, char **val, const long *line, struct kpo_fail *f)
{
	const char *as_of = kpo_meta_keys[KPO_META_AS_OF], *base = kpo_meta_keys[KPO_META_BASE_CURRENCY];

	if (!val[KPO_META_AS_OF])
		return kpo_fail(f, EX_DATAERR, "%s: no '%s' row", path, as_of);
	if (!is_date(val[KPO_META_AS_OF]))
		return kpo_fail(f, EX_DATAERR, "%s:%ld: %s must be a date YYYY-MM-DD", path,
		    line[KPO_META_AS_OF], as_of);
	if (!val[KPO_META_BASE_CURRENCY])
		return kpo_fail(f, EX_DATAERR, "%s: no '%s' row", path, base);
	if (!is_currency(val[KPO_META_BASE_CURRENCY]))
		return kpo_fail(f, EX_DATAERR, "%s:%ld: base must be a currency code of 3 capital letters",
		    path, line[KPO_META_BASE_CURRENCY]);
	memcpy(b->as_of, val[KPO_META_AS_OF], sizeof b->as_of);
	memcpy(b->base, val[KPO_META_BASE_CURRENCY], sizeof b->base);
	b->rows = val[KPO_META_ROWS];
	b->version = val[KPO_META_VERSION];
	val[KPO_META_ROWS] = val[KPO_META_VERSION] = NULL;
	return 0;
}

/* Reads the key,value rows of R into VAL and LINE. */
static int
meta_rows(struct kpo_csv *r, const char *path, int kc, int vc, char **val, long *line, struct kpo_fail *f)
{
	struct kpo_record *rec;
	int rc, k;

	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		if (rec->status != KPO_REC_OK)
			return kpo_fail(f, EX_DATAERR, "%s:%ld: not a '%s' row", path, rec->line, kpo_meta_header);
		for (k = 0; k < KPO_NMETA; k++)
			if (strcmp(rec->f[kc], kpo_meta_keys[k]) == 0) {
				free(val[k]);
				val[k] = kpo_xstrdup(rec->f[vc]);
				line[k] = rec->line;
				break;
			}
	}
	return rc < 0 ? read_failed(r, f) : 0;
}

static int
read_meta(struct kpo_bundle *b, struct kpo_fail *f)
{
	char *path = kpo_xasprintf("%s/%s", b->dir, kpo_meta_file), *val[KPO_NMETA] = { NULL }, name[2][32];
	long line[KPO_NMETA];
	struct kpo_csv *r;
	int kc, vc, k, rc = -1;

	for (k = 0; k < KPO_NMETA; k++)
		line[k] = 1;
	meta_columns(name);
	if ((r = open_member(path, f))) {
		kc = kpo_header_find(kpo_csv_header(r), name[0]);
		vc = kpo_header_find(kpo_csv_header(r), name[1]);
		if (kc < 0 || vc < 0)
			kpo_fail(f, EX_DATAERR, "%s:1: column '%s' missing (kpo-metrics --bundle writes '%s')",
			    path, name[kc < 0 ? 0 : 1], kpo_meta_header);
		else if (meta_rows(r, path, kc, vc, val, line, f) == 0)
			rc = check_meta(b, path, val, line, f);
		kpo_csv_close(r);
	}
	for (k = 0; k < KPO_NMETA; k++)
		free(val[k]);
	free(path);
	return rc;
}

int
kpo_row_cmp(const void *a, const void *b)
{
	const struct kpo_row *x = a, *y = b;
	int k, c;

	for (k = 0; k < KPO_TABLE_MAX_KEYS; k++) {
		size_t n = x->keylen[k] < y->keylen[k] ? x->keylen[k] : y->keylen[k];

		if (!x->key[k])
			return 0;
		if ((c = memcmp(x->key[k], y->key[k], n)) != 0)
			return c;
		if (x->keylen[k] != y->keylen[k])
			return x->keylen[k] < y->keylen[k] ? -1 : 1;
	}
	return 0;
}

/* Where a table's columns are: KCOL its keys, MCOL each metric (-1: none). */
struct layout {
	const char *path;
	const struct kpo_bundle_table *def;
	int kcol[KPO_TABLE_MAX_KEYS];
	int mcol[KPO_NMETRICS];
	int text;               /* keep the cells' text */
};

static int
find_columns(struct layout *L, const struct kpo_record *h, unsigned long need, struct kpo_fail *f)
{
	size_t k;
	int m;

	for (k = 0; k < L->def->nkeys; k++)
		if ((L->kcol[k] = kpo_header_find(h, L->def->key[k])) < 0)
			return kpo_fail(f, EX_DATAERR, "%s:%ld: column '%s' missing (kpo-metrics --bundle writes it)",
			    L->path, h->line, L->def->key[k]);
	for (m = 0; m < KPO_NMETRICS; m++) {
		L->mcol[m] = kpo_header_find(h, kpo_metrics[m].name);
		if (L->mcol[m] < 0 && (need & KPO_MBIT(m)))
			return kpo_fail(f, EX_DATAERR, "%s:%ld: column '%s' missing (kpo-metrics --bundle writes it)",
			    L->path, h->line, kpo_metrics[m].name);
	}
	return 0;
}

static void
free_row(struct kpo_row *row)
{
	int k;

	for (k = 0; k < KPO_TABLE_MAX_KEYS; k++)
		free(row->key[k]);
	for (k = 0; k < KPO_NMETRICS; k++)
		free(row->text[k]);
}

/* ROW from REC: its keys copied, its metric values read. */
static int
parse_row(const struct layout *L, const struct kpo_record *rec, struct kpo_row *row, struct kpo_fail *f)
{
	size_t k;
	int m;

	memset(row, 0, sizeof *row);
	for (k = 0; k < L->def->nkeys; k++) {
		row->keylen[k] = rec->len[L->kcol[k]];
		row->key[k] = kpo_xmalloc(row->keylen[k] + 1);
		memcpy(row->key[k], rec->f[L->kcol[k]], row->keylen[k] + 1);
	}
	for (m = 0; m < KPO_NMETRICS; m++) {
		const char *s;
		char *end;

		if (L->mcol[m] < 0 || rec->len[L->mcol[m]] == 0)
			continue;
		s = rec->f[L->mcol[m]];
		errno = 0;
		row->v[m] = strtod(s, &end);
		if (end == s || *end || errno == ERANGE || !isfinite(row->v[m])) {
			free_row(row);
			return kpo_fail(f, EX_DATAERR, "%s:%ld: column '%s': not a number: '%.40s'",
			    L->path, rec->line, kpo_metrics[m].name, s);
		}
		row->has[m] = 1;
		if (L->text)
			row->text[m] = kpo_xstrdup(s);
	}
	return 0;
}

static int
is_total(const struct kpo_row *row, size_t nkeys)
{
	size_t k;

	for (k = 0; k < nkeys; k++)
		if (strcmp(row->key[k], kpo_total_key) != 0)
			return 0;
	return 1;
}

/* Keeps ROW in T: as its totals row (the last one wins), or appended. */
static void
keep_row(struct kpo_rows *t, struct kpo_row *row, size_t nkeys, size_t *cap)
{
	if (is_total(row, nkeys)) {
		if (t->have_all)
			free_row(&t->all);
		t->all = *row;
		t->have_all = 1;
		return;
	}
	if (t->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		t->rows = kpo_xrealloc(t->rows, *cap * sizeof *t->rows);
	}
	t->rows[t->n++] = *row;
}

static int
table_rows(struct kpo_csv *r, const struct layout *L, struct kpo_rows *t, struct kpo_fail *f)
{
	const struct kpo_record *h = kpo_csv_header(r);
	struct kpo_record *rec;
	struct kpo_row row;
	size_t cap = 0;
	int rc;

	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		if (rec->status != KPO_REC_OK)
			return kpo_fail(f, EX_DATAERR, "%s:%ld: malformed row (%zu fields, the header has %zu)",
			    L->path, rec->line, rec->nf, h->nf);
		if (parse_row(L, rec, &row, f) != 0)
			return -1;
		keep_row(t, &row, L->def->nkeys, &cap);
	}
	if (rc < 0)
		return read_failed(r, f);
	if (t->n)
		qsort(t->rows, t->n, sizeof *t->rows, kpo_row_cmp);
	return 0;
}

static int
read_table(struct kpo_bundle *b, int ti, unsigned long need, int text, struct kpo_fail *f)
{
	struct layout L;
	struct kpo_csv *r;
	int rc = -1;

	L.text = text;
	L.def = &kpo_bundle_tables[ti];
	L.path = kpo_xasprintf("%s/%s", b->dir, L.def->file);
	if ((r = open_member(L.path, f))) {
		if (find_columns(&L, kpo_csv_header(r), need, f) == 0)
			rc = table_rows(r, &L, &b->t[ti], f);
		kpo_csv_close(r);
	}
	free((char *)L.path);
	return rc;
}

static int
check_totals(const struct kpo_bundle *b, unsigned long totals, struct kpo_fail *f)
{
	int t;

	for (t = 0; t < KPO_NTABLES; t++)
		if ((totals & (1ul << t)) && !b->t[t].have_all) {
			char *p = kpo_xasprintf("%s/%s", b->dir, kpo_bundle_tables[t].file);

			kpo_fail(f, EX_DATAERR, "%s: no totals row (%s '%s')", p, kpo_bundle_tables[t].key[0],
			    kpo_total_key);
			free(p);
			return -1;
		}
	return 0;
}

/* An exception list, its first ROWS rows; a missing one is bad data (the
 * bundle is incomplete), as a missing table is. */
static int
read_list(struct kpo_bundle *b, int l, size_t rows, struct kpo_fail *f)
{
	char *path = kpo_xasprintf("%s/%s", b->dir, kpo_bundle_lists[l].file);
	int rc = kpo_text_table_read(&b->list[l], path, kpo_list_columns, kpo_bundle_lists[l].ncols, rows,
	    "kpo-metrics --bundle", f);

	if (rc != 0 && f->status == EX_NOINPUT)
		f->status = EX_DATAERR;
	free(path);
	return rc;
}

int
kpo_bundle_read(struct kpo_bundle *b, const char *dir, const struct kpo_bundle_need *need,
    struct kpo_fail *f)
{
	struct stat st;
	DIR *dp;
	int t, rc = 0;

	memset(b, 0, sizeof *b);
	b->dir = dir;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || !(dp = opendir(dir)))
		return kpo_fail_errno(f, EX_NOINPUT, "%s: cannot open the bundle folder", dir);
	closedir(dp);
	rc = read_meta(b, f);
	for (t = 0; t < KPO_NTABLES && rc == 0; t++)
		rc = read_table(b, t, need->metrics[t], need->text, f);
	if (rc == 0)
		rc = check_totals(b, need->totals, f);
	for (t = 0; t < KPO_NLISTS && rc == 0; t++)
		if (need->lists & (1ul << t))
			rc = read_list(b, t, need->list_rows, f);
	if (rc != 0)
		kpo_bundle_free(b);
	return rc;
}

void
kpo_bundle_free(struct kpo_bundle *b)
{
	size_t i;
	int t;

	for (t = 0; t < KPO_NTABLES; t++) {
		for (i = 0; i < b->t[t].n; i++)
			free_row(&b->t[t].rows[i]);
		free_row(&b->t[t].all);
		free(b->t[t].rows);
	}
	for (t = 0; t < KPO_NLISTS; t++)
		kpo_text_table_free(&b->list[t]);
	free(b->rows);
	free(b->version);
	memset(b->t, 0, sizeof b->t);
	b->rows = b->version = NULL;
}
