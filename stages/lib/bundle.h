/* Reading a kpo-metrics bundle (kpo-metrics --bundle DIR) into memory.
 *
 * A bundle is meta.csv, the six tables and the two exception lists of
 * schema.h; the tables are read whole so that a caller can check everything
 * before it writes anything, the lists (when asked for) up to a number of
 * rows, and counted.  Columns are found
 * by their schema.h names, never by position; every metric value present
 * must be a finite number, and the caller names the columns and totals rows
 * it cannot do without.  Of meta.csv, as_of and base_currency are checked
 * for their form (YYYY-MM-DD, three capital letters): kpo-chart puts them
 * into gnuplot scripts, the only bundle text that goes there.
 *
 * Nothing here exits: a bundle that cannot be used gives -1 and a struct
 * kpo_fail saying FILE:LINE and what is wrong.  A folder that is not there
 * is EX_NOINPUT; a missing or malformed file is bad data, EX_DATAERR; a read
 * error or a damaged gzip file is EX_IOERR. */
#ifndef KPO_BUNDLE_H
#define KPO_BUNDLE_H

#include <stddef.h>

#include "schema.h"
#include "texttable.h"

struct kpo_fail;

#define KPO_MBIT(m) (1ul << (m))        /* a set of enum kpo_metric */
_Static_assert(KPO_NMETRICS <= 8 * sizeof(unsigned long), "a set of metrics no longer fits an unsigned long");

/* One row of a table. */
struct kpo_row {
	char *key[KPO_TABLE_MAX_KEYS];          /* NUL-terminated, but keylen counts */
	size_t keylen[KPO_TABLE_MAX_KEYS];
	double v[KPO_NMETRICS];
	unsigned char has[KPO_NMETRICS];        /* 0: empty or no such column */
	char *text[KPO_NMETRICS];               /* each cell as written, when asked for (else NULL) */
};

struct kpo_rows {
	struct kpo_row *rows;   /* sorted by key bytes (kpo_row_cmp), without the totals row */
	size_t n;
	struct kpo_row all;     /* the totals row: every key is kpo_total_key */
	int have_all;
};

struct kpo_bundle {
	const char *dir;                /* as given */
	char as_of[11];                 /* YYYY-MM-DD */
	char base[4];                   /* the base currency */
	char *rows, *version;           /* from meta.csv as written; NULL when absent */
	struct kpo_rows t[KPO_NTABLES];
	struct kpo_text_table list[KPO_NLISTS]; /* when asked for; cells in kpo_list_columns order */
};

/* What a reader cannot do without. */
struct kpo_bundle_need {
	unsigned long metrics[KPO_NTABLES];     /* KPO_MBIT()s: columns each table must have */
	unsigned long totals;                   /* bit T: table T must have its totals row */
	int text;                               /* keep each metric cell's text (kpo_row.text) */
	unsigned long lists;                    /* bit L: read exception list L ... */
	size_t list_rows;                       /* ... keeping its first this many rows */
};

/* Reads the bundle in folder DIR into B.  0, or -1 with F set and B empty. */
int kpo_bundle_read(struct kpo_bundle *b, const char *dir, const struct kpo_bundle_need *need,
    struct kpo_fail *f);

void kpo_bundle_free(struct kpo_bundle *b);

/* Orders rows by their keys' bytes, the first key first (qsort). */
int kpo_row_cmp(const void *a, const void *b);

#endif
