/* kpo-ingest's row logic: an export's header mapped to the canonical
 * columns, and each record turned into canonical cells or a verdict.
 *
 * A struct kpo_ingest holds what a run shares (the header aliases, --keep,
 * the --dedupe index); a struct kpo_ingest_input holds one input's header
 * mapping and the cells of its current row, so several inputs may be read
 * side by side.  kpo-ingest(1) says what is accepted and why a row is
 * rejected. */
#ifndef KPO_INGEST_H
#define KPO_INGEST_H

#include <stddef.h>

#include "date.h"

struct kpo_csv;
struct kpo_out;
struct kpo_record;
struct kpo_verdict;

struct kpo_ingest_opts {
	const char *map;        /* --map FILE: "column,alias" lines, or NULL */
	const char *keep;       /* --keep COL,... or NULL */
	int dedupe;             /* reject a repeated task_id */
	char decimal;           /* '.' or ','; 0: ',' after a ';' delimiter, else '.' */
	struct kpo_datefmt date;
};

struct kpo_ingest;
struct kpo_ingest_input;

/* Reads --map and --keep; a bad one ends the program (main's helper, as
 * args.h): EX_USAGE for --keep, EX_DATAERR for the map file. */
struct kpo_ingest *kpo_ingest_new(const struct kpo_ingest_opts *opts);
void kpo_ingest_free(struct kpo_ingest *ing);

/* Writes the canonical header (with the --keep columns). */
void kpo_ingest_header(const struct kpo_ingest *ing, struct kpo_out *out);

/* Maps the header of R, which must have one.  NULL after saying what is
 * wrong (a required column missing, a header that is not UTF-8). */
struct kpo_ingest_input *kpo_ingest_input(const struct kpo_ingest *ing, struct kpo_csv *r);
void kpo_ingest_input_free(struct kpo_ingest_input *in);

/* Converts REC (read from IN's reader, status KPO_REC_OK) whose place is
 * SOURCE ("FILE:LINE"): 0 with the row's cells kept in IN, or -1 with the
 * reason in *V. */
int kpo_ingest_row(struct kpo_ingest *ing, struct kpo_ingest_input *in, const struct kpo_record *rec,
    const char *source, struct kpo_verdict *v);

/* Writes the row kpo_ingest_row made last. */
void kpo_ingest_put(const struct kpo_ingest_input *in, struct kpo_out *out);

/* "FILE:LINE" of a record of IN, made fast (it runs for every row); valid
 * until the next call. */
const char *kpo_ingest_source(struct kpo_ingest_input *in, long line);

#endif
