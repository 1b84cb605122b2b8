/* A small CSV file kept as text, whole or its first rows: a bundle's
 * exception lists, and the files of kpo-score's status/ folder.
 *
 * Columns are found by their names (in any order, others ignored) and each
 * row's cells are handed out in the order asked for; every row is counted,
 * so a reader can show the first N of them and say how many there are.
 * Nothing here exits: a file that cannot be opened gives -1 and a struct
 * kpo_fail with EX_NOINPUT; a missing column or a malformed row EX_DATAERR
 * with FILE:LINE; a read error or a damaged gzip file EX_IOERR. */
#ifndef KPO_TEXTTABLE_H
#define KPO_TEXTTABLE_H

#include <stddef.h>

struct kpo_fail;

struct kpo_text_table {
	size_t ncols;
	char **head;                    /* the column names, as asked or as in the file */
	char ***row;                    /* the first rows, ncols cells each */
	size_t *line;                   /* their lines in the file */
	size_t nrows;                   /* rows kept */
	unsigned long long total;       /* data rows in the file */
};

/* Reads PATH (plain or gzip) into T: the columns named WANT (NWANT of them;
 * WANT NULL: every column, as the header has them), the first LIMIT rows
 * ((size_t)-1: all).  WHO names the program that writes the file, for the
 * message when it is missing.  0, or -1 with F set and T empty. */
int kpo_text_table_read(struct kpo_text_table *t, const char *path, const char *const *want, size_t nwant,
    size_t limit, const char *who, struct kpo_fail *f);

void kpo_text_table_free(struct kpo_text_table *t);

#endif
