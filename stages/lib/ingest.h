/* kpo-ingest's row logic: an export's header mapped to the canonical
 * columns (colmap.h, with the export formats of profile.h), and each record
 * turned into canonical cells or a verdict.
 *
 * A struct kpo_ingest holds what a run shares (the aliases, --keep, the
 * --set constants, the name dictionaries, the --dedupe index); a struct
 * kpo_ingest_input holds one input's header mapping and the cells of its
 * current row, so several inputs may be read side by side.  kpo-ingest(1)
 * says what is accepted and why a row is rejected. */
#ifndef KPO_INGEST_H
#define KPO_INGEST_H

#include <stddef.h>

#include "date.h"
#include "schema.h"

struct kpo_csv;
struct kpo_csv_opts;
struct kpo_out;
struct kpo_record;
struct kpo_stage;
struct kpo_stage_ops;
struct kpo_verdict;

struct kpo_ingest_opts {
	const char *map;        /* --map FILE: "column,alias" lines, or NULL */
	const char *keep;       /* --keep COL,... or NULL */
	int dedupe;             /* reject a repeated task_id (a real one) */
	char decimal;           /* '.' or ','; 0: ',' after a ';' delimiter, else '.' */
	struct kpo_datefmt date;
	const char *profile;    /* --profile NAME; "none": no format; NULL: recognise it */
	const char *set[KPO_COL_SOURCE];        /* --set COLUMN=VALUE */
	int hours_unit;         /* --hours-unit: seconds per unit of plain hours numbers (3600, 60, 1); 0: 3600 */
	const char *domains;    /* --domains FILE: "alias,domain" */
	const char *vendors;    /* --vendors FILE: "alias,vendor" */
};

/* kpo-ingest's own options, for kpo-ingest and kpo-run: KPO_INGEST_LONGOPTS
 * in a getopt_long table ("d:" in the short ones), then kpo_ingest_option
 * for what getopt returns: 1 when CH was one of them, into IO and CSV (a
 * bad value ends the program, EX_USAGE); 0 otherwise.  --tz is left to the
 * program: kpo-run gives it to enrich too. */
enum {
	KPO_OPT_MAP = 0x2000, KPO_OPT_KEEP, KPO_OPT_DEDUPE, KPO_OPT_DATEORDER, KPO_OPT_DATEFORMAT,
	KPO_OPT_DECIMAL, KPO_OPT_ENCODING, KPO_OPT_PROFILE, KPO_OPT_SET, KPO_OPT_HOURSUNIT, KPO_OPT_DOMAINS,
	KPO_OPT_VENDORS, KPO_OPT_SKIP, KPO_OPT_NOHEADER, KPO_OPT_COLUMNS,
	KPO_OPT_INGEST_END      /* a program numbers its own options from here */
};
#define KPO_INGEST_SHORTOPTS "d:"
#define KPO_INGEST_LONGOPTS \
	{ "columns",        required_argument, NULL, KPO_OPT_COLUMNS }, \
	{ "date-format",    required_argument, NULL, KPO_OPT_DATEFORMAT }, \
	{ "date-order",     required_argument, NULL, KPO_OPT_DATEORDER }, \
	{ "decimal",        required_argument, NULL, KPO_OPT_DECIMAL }, \
	{ "dedupe",         no_argument,       NULL, KPO_OPT_DEDUPE }, \
	{ "delimiter",      required_argument, NULL, 'd' }, \
	{ "domains",        required_argument, NULL, KPO_OPT_DOMAINS }, \
	{ "encoding",       required_argument, NULL, KPO_OPT_ENCODING }, \
	{ "hours-unit",     required_argument, NULL, KPO_OPT_HOURSUNIT }, \
	{ "keep",           required_argument, NULL, KPO_OPT_KEEP }, \
	{ "map",            required_argument, NULL, KPO_OPT_MAP }, \
	{ "no-header",      no_argument,       NULL, KPO_OPT_NOHEADER }, \
	{ "profile",        required_argument, NULL, KPO_OPT_PROFILE }, \
	{ "set",            required_argument, NULL, KPO_OPT_SET }, \
	{ "skip",           required_argument, NULL, KPO_OPT_SKIP }, \
	{ "vendors",        required_argument, NULL, KPO_OPT_VENDORS }
int kpo_ingest_option(struct kpo_ingest_opts *io, struct kpo_csv_opts *csv, int ch, const char *arg);

/* --set COLUMN=VALUE into O; -1 when COLUMN is not a column --set fills. */
int kpo_ingest_set(struct kpo_ingest_opts *o, const char *arg);

/* --hours-unit h|min|s into O; -1 when it is none of them. */
int kpo_ingest_hours_unit(struct kpo_ingest_opts *o, const char *arg);

struct kpo_ingest;
struct kpo_ingest_input;

/* Reads --map, --keep, --domains, --vendors, the --set values and the
 * profile name; a bad one ends the program (main's helper, as args.h):
 * EX_USAGE for an option, EX_DATAERR for a file. */
struct kpo_ingest *kpo_ingest_new(const struct kpo_ingest_opts *opts);
void kpo_ingest_free(struct kpo_ingest *ing);

/* Writes the canonical header (with the --keep columns). */
void kpo_ingest_header(const struct kpo_ingest *ing, struct kpo_out *out);

/* Maps the header of R, which must have one.  NULL after saying what is
 * wrong (required columns missing, a header that is not UTF-8). */
struct kpo_ingest_input *kpo_ingest_input(struct kpo_ingest *ing, struct kpo_csv *r);
void kpo_ingest_input_free(struct kpo_ingest_input *in);

/* Converts REC (read from IN's reader, status KPO_REC_OK) whose place is
 * SOURCE ("FILE:LINE"): 0 with the row's cells kept in IN, or -1 with the
 * reason in *V. */
int kpo_ingest_row(struct kpo_ingest *ing, struct kpo_ingest_input *in, const struct kpo_record *rec,
    const char *source, struct kpo_verdict *v);

/* -1 with a "summary line" verdict when REC (of any field count) is a
 * total or balance line rather than a data row; 0 otherwise. */
int kpo_ingest_summary_line(const struct kpo_record *rec, struct kpo_verdict *v);

/* -1 with a "note line" verdict when REC has one filled field and fewer
 * fields than the header (HEADER_NF): a line of text ("Statement made on
 * ..."), not a data row; 0 otherwise. */
int kpo_ingest_note_line(const struct kpo_record *rec, size_t header_nf, struct kpo_verdict *v);

/* Writes the row kpo_ingest_row made last. */
void kpo_ingest_put(const struct kpo_ingest_input *in, struct kpo_out *out);

/* The fields kpo_ingest_put would write, without the --keep ones, into F
 * and LEN (room for KPO_COL_SOURCE + 1): their number.  Not NUL-terminated. */
size_t kpo_ingest_fields(const struct kpo_ingest_input *in, const char **f, size_t *len);

/* "FILE:LINE" of a record of IN, made fast (it runs for every row); valid
 * until the next call. */
const char *kpo_ingest_source(struct kpo_ingest_input *in, long line);

/* What the summary line adds: the formats recognised ("; FILE: a Toggl
 * Track detailed report"), or "". */
const char *kpo_ingest_notes(const struct kpo_ingest *ing);
/* The notes from byte FROM of them (kpo_ingest_notes_len before an input)
 * into BUF, and cut from ING; and notes taken so put at the end of ING's,
 * by the rule of one reader: kpo-run's jobs note each part of a file. */
size_t kpo_ingest_notes_len(const struct kpo_ingest *ing);
void kpo_ingest_take_notes(struct kpo_ingest *ing, size_t from, char *buf, size_t size);
void kpo_ingest_add_notes(struct kpo_ingest *ing, const char *notes);

/* How much the record REC looks like a header to ING (a struct
 * kpo_ingest): the number of canonical columns its cells name.  For
 * kpo_csv_opts.header_score. */
int kpo_ingest_header_score(const struct kpo_record *rec, void *ing);

/* kpo-ingest's part in kpo_stage_run (report.h), for CTX a struct
 * kpo_ingest_stage: each sound row converted and written to OUT, each bad
 * one rejected into ST's rejects at its FILE:LINE (a total or note line at
 * the foot of an export by what it is).  Shared by kpo-ingest and kpo-run. */
struct kpo_ingest_stage {
	struct kpo_ingest *ing;
	struct kpo_stage *st;
	struct kpo_out *out;
};
extern const struct kpo_stage_ops kpo_ingest_stage_ops;

#endif
