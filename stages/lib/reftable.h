/* Reference tables: small CSV files with a header that names their columns
 * (--map, --fx, --rates, --calendar, ...), read whole at start-up with the
 * same reader as exports.
 *
 * Like the option parsers of args.h these are main()'s helpers and run
 * before any output exists: a table that cannot be used ends the program
 * with a FILE:LINE message and EX_DATAERR (or the reader's status when it
 * cannot be opened or read), so no run goes on with half a table. */
#ifndef KPO_REFTABLE_H
#define KPO_REFTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

struct kpo_csv;
struct kpo_record;

/* Opens the table PATH for option WHAT ("--fx") with its header read; each
 * column named in WANT (header keys, as kpo_header_key makes them) gets its
 * field index in FIELD, or -1. */
struct kpo_csv *kpo_table_open(const char *path, const char *what, const char *const *want, int *field,
    size_t nwant);

/* Ends the program when column COL is missing (FIELD < 0), saying the header
 * should be HEADER. */
void kpo_table_require(struct kpo_csv *r, int field, const char *col, const char *header);

/* The next row, or NULL at the end; a broken row or file ends the program. */
struct kpo_record *kpo_table_next(struct kpo_csv *r, const char *what);

/* Field I of REC trimmed and folded as kpo-ingest does (upper case when
 * UPPER), in BUF of SIZE bytes; "" when I < 0.  A longer value ends the
 * program. */
const char *kpo_table_text(struct kpo_csv *r, const struct kpo_record *rec, int i, char *buf, size_t size,
    int upper);

/* A positive number (a rate) in column I. */
struct kpo_dec kpo_table_rate(struct kpo_csv *r, const struct kpo_record *rec, int i);

/* An ISO date in column I, as days since 1970-01-01. */
int64_t kpo_table_date(struct kpo_csv *r, const struct kpo_record *rec, int i);

/* Ends the program with "FILE:LINE: message" about REC (NULL: line 1). */
_Noreturn void kpo_table_fail(struct kpo_csv *r, const struct kpo_record *rec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
