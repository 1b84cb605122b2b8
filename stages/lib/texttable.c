#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csvread.h"
#include "err.h"
#include "fail.h"
#include "texttable.h"

static char *
copy(const char *s, size_t n)
{
	char *p = kpo_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
kpo_text_table_read(struct kpo_text_table *t, const char *path, const char *const *want, size_t nwant,
    size_t limit, const char *who, struct kpo_fail *f)
{
	struct kpo_csv *r = kpo_csv_open(path, NULL);
	const struct kpo_record *h;
	struct kpo_record *rec;
	int *col = NULL, rc;
	size_t k, cap = 0;

	memset(t, 0, sizeof *t);
	if (kpo_csv_error(r) == KPO_CSV_EOPEN) {
		kpo_fail(f, EX_NOINPUT, "%s (%s writes it)", kpo_csv_message(r), who);
		goto fail;
	}
	if (kpo_csv_error(r)) {
		kpo_fail(f, kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
		goto fail;
	}
	if (!(h = kpo_csv_header(r))) {
		kpo_fail(f, EX_DATAERR, "%s:1: empty file: no header line", path);
		goto fail;
	}
	t->ncols = want ? nwant : h->nf;
	t->head = kpo_xcalloc(t->ncols + 1, sizeof *t->head);
	col = kpo_xcalloc(t->ncols + 1, sizeof *col);
	for (k = 0; k < t->ncols; k++) {
		col[k] = want ? kpo_header_find(h, want[k]) : (int)k;
		if (col[k] < 0) {
			kpo_fail(f, EX_DATAERR, "%s:%ld: column '%s' missing (%s writes it)", path, h->line, want[k], who);
			goto fail;
		}
		t->head[k] = copy(h->f[col[k]], h->len[col[k]]);
	}
	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		if (rec->status != KPO_REC_OK) {
			kpo_fail(f, EX_DATAERR, "%s:%ld: malformed row (%zu fields, the header has %zu)", path, rec->line,
			    rec->nf, h->nf);
			goto fail;
		}
		t->total++;
		if (t->nrows >= limit)
			continue;
		if (t->nrows == cap) {
			cap = cap ? 2 * cap : 32;
			t->row = kpo_xrealloc(t->row, cap * sizeof *t->row);
			t->line = kpo_xrealloc(t->line, cap * sizeof *t->line);
		}
		t->row[t->nrows] = kpo_xcalloc(t->ncols + 1, sizeof **t->row);
		for (k = 0; k < t->ncols; k++)
			t->row[t->nrows][k] = copy(rec->f[col[k]], rec->len[col[k]]);
		t->line[t->nrows++] = (size_t)rec->line;
	}
	if (rc < 0) {
		kpo_fail(f, kpo_csv_exit_status(kpo_csv_error(r)), "%s", kpo_csv_message(r));
		goto fail;
	}
	free(col);
	kpo_csv_close(r);
	return 0;
fail:
	free(col);
	kpo_csv_close(r);
	kpo_text_table_free(t);
	return -1;
}

void
kpo_text_table_free(struct kpo_text_table *t)
{
	size_t i, k;

	for (i = 0; i < t->nrows; i++) {
		for (k = 0; k < t->ncols; k++)
			free(t->row[i][k]);
		free(t->row[i]);
	}
	for (k = 0; t->head && k < t->ncols; k++)
		free(t->head[k]);
	free(t->head);
	free(t->row);
	free(t->line);
	memset(t, 0, sizeof *t);
}
