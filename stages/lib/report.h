/* What a stage tells about its run: the rejects file, the messages for bad
 * rows, the progress line and the summary line. */
#ifndef KPO_REPORT_H
#define KPO_REPORT_H

#include <stddef.h>

struct kpo_csv;
struct kpo_csv_opts;
struct kpo_out;
struct kpo_record;
struct kpo_rejects;

/* Why a row cannot be used: the reject KIND (a fixed string; the summary
 * line counts kinds) and its detail. */
struct kpo_verdict {
	const char *kind;
	char detail[512];
};

/* Fills V; returns -1, so that a check reads "return kpo_verdict(...)". */
int kpo_verdict(struct kpo_verdict *v, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with the detail "column 'COL': 'VALUE'", the value cut to 60
 * bytes (and "..." when cut): a message quotes a value, never a row. */
int kpo_verdict_value(struct kpo_verdict *v, const char *kind, const char *col, const char *s, size_t n);

/* PATH NULL counts rejects without writing them.  NULL with errno set when
 * PATH cannot be created.  STAGE names the stage in each row ("ingest"). */
struct kpo_rejects *kpo_rejects_open(const char *path, const char *stage);

/* Rejects held back, in order, to be replayed into another (a file's
 * rejects) by kpo_rejects_replay, which frees FROM: kpo-run's jobs reject
 * rows of parts of the inputs in any order, and the rejects file, the
 * messages and the counts come out in the inputs' order. */
struct kpo_rejects *kpo_rejects_defer(void);
void kpo_rejects_replay(struct kpo_rejects *to, struct kpo_rejects *from);
/* Where the row being read is: its input's number and its line there.  A
 * held-back store keeps it with each reject (and a replay into one keeps
 * the replayed one's), so that the rejects of the shards of one input can
 * be put back in its order (partial.h). */
void kpo_rejects_at(struct kpo_rejects *r, unsigned input, long line);

/* Each reject held back in R, in order. */
struct kpo_held_reject {
	int side;
	const char *file;
	size_t filelen;
	long line;
	const char *kind;
	const char *detail;     /* or NULL */
	size_t detaillen;
	const char *raw;
	size_t rawlen;
	unsigned input;         /* kpo_rejects_at's place */
	long at_line;
};
void kpo_rejects_each(const struct kpo_rejects *r, void (*fn)(void *ctx, const struct kpo_held_reject *h), void *ctx);

/* Frees R without writing it (a rejects file is removed). */
void kpo_rejects_discard(struct kpo_rejects *r);

/* Records one dropped row: the rejects file gets "FILE:LINE,STAGE,REASON,RAW"
 * where REASON is "KIND: DETAIL" (or KIND).  KIND is a fixed string and
 * is what the summary line counts.  The first few also go to stderr. */
void kpo_reject(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen);

/* The same for a row of a side table (kpo-metrics --costs): written to the
 * rejects file and shown like any reject, but counted apart, so that
 * kpo_rejects_count and kpo_rejects_describe (the summary line, the reject
 * threshold) count the stream's rows only. */
void kpo_reject_side(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen);

/* Rejects REC of the kpo stream R: its place is the row's own source column
 * (FILE:LINE of the export; field SOURCE, -1 when there is none) when it
 * holds one, else its place in this stream. */
void kpo_reject_row(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec,
    int source, const char *kind, const char *detail);

/* 1 when kpo_reject_row places REC at its source column's FILE:LINE, 0 when
 * at its place in the stream (which kpo-run's jobs do not know). */
int kpo_reject_row_by_source(const struct kpo_record *rec, int source);

/* Rejects a record the reader found damaged (wrong field count, bad quotes,
 * too long), at its place in R. */
void kpo_reject_damaged(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec);

/* Splits a source value "FILE:LINE": 0 with *FILELEN and *LINE set when S
 * (N bytes) is that (a non-empty FILE, LINE a positive decimal). */
int kpo_source_split(const char *s, size_t n, size_t *filelen, long *line);

unsigned long long kpo_rejects_count(const struct kpo_rejects *r);
unsigned long long kpo_rejects_side_count(const struct kpo_rejects *r);

/* Appends " (N KIND, ...)" to BUF: the stream's rejects, or the side
 * table's. */
void kpo_rejects_describe(const struct kpo_rejects *r, char *buf, size_t size);
void kpo_rejects_side_describe(const struct kpo_rejects *r, char *buf, size_t size);

/* Writes the rejects file; 0, or -1 with errno set.  Frees R. */
int kpo_rejects_close(struct kpo_rejects *r, const char **name);

/* Exit with EX_DATAERR is due when more than PCT % of READ rows were rejected. */
int kpo_reject_threshold_passed(unsigned long long rejected, unsigned long long read, double pct);

/* The progress line on stderr, one for a run: "\rSTAGE: 42% of 166 MB,
 * 420000 rows, 110 MB/s, 0:01 left" (the share and the time left when the
 * size of the input is known), at most twice a second, and wiped before
 * the summary line, so nothing of it stays on the terminal. */
struct kpo_progress {
	int on;
	int shown;              /* the width now on the line, 0: none */
	unsigned long long total;       /* bytes of the input, 0: unknown */
	double start, last, every;
};
void kpo_progress_init(struct kpo_progress *p, int on, unsigned long long total);
void kpo_progress_show(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes);
/* Wipes the line, when one is shown. */
void kpo_progress_clear(struct kpo_progress *p);
static inline void
kpo_progress_tick(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes)
{
	if (p->on && (rows & 4095) == 0)
		kpo_progress_show(p, rows, bytes);
}

/* Common start of every stage's main(): program name, SIGPIPE back to its
 * default (a stage piped into head ends quietly), C locale for numbers. */
void kpo_stage_init(const char *argv0);

/* Flushes and checks standard output and stderr before exit; a full disk
 * must never look like success.  Returns the status to exit with. */
int kpo_close_stdout(int status);

/* What every row-reading stage counts, and the end of its main(). */
struct kpo_stage {
	unsigned long long read, written;
	unsigned long long bytes_done;  /* raw bytes of the inputs read to their end */
	unsigned inputs;                /* read so far */
	unsigned input_base;            /* the number of its first input among the run's (kpo_rejects_at) */
	struct kpo_rejects *rejects;
	struct kpo_progress progress;
	double max_reject_pct;
	int quiet;
	const char *written_word;       /* "written" (the default) or "used" */
	int need_rows;                  /* rows read but none usable is bad data */
};

/* The options every row-reading stage takes, for its getopt_long table
 * (KPO_STAGE_LONGOPTS, and "ho:q" in the short ones): -h, -o, -q,
 * --rejects, --max-reject-pct, --progress, --no-progress, --version, and
 * the reader's caps --max-field-bytes, --max-fields, --max-record-bytes. */
enum {
	KPO_OPT_REJECTS = 0x1000, KPO_OPT_MAXPCT, KPO_OPT_PROGRESS, KPO_OPT_NOPROGRESS, KPO_OPT_VERSION,
	KPO_OPT_MAXFIELDS, KPO_OPT_MAXRECORD, KPO_OPT_MAXFIELD,
	KPO_OPT_STAGE_END       /* a stage numbers its own options from here */
};
#define KPO_STAGE_SHORTOPTS "ho:q"
#define KPO_STAGE_LONGOPTS \
	{ "help",           no_argument,       NULL, 'h' }, \
	{ "max-field-bytes", required_argument, NULL, KPO_OPT_MAXFIELD }, \
	{ "max-fields",     required_argument, NULL, KPO_OPT_MAXFIELDS }, \
	{ "max-record-bytes", required_argument, NULL, KPO_OPT_MAXRECORD }, \
	{ "max-reject-pct", required_argument, NULL, KPO_OPT_MAXPCT }, \
	{ "no-progress",    no_argument,       NULL, KPO_OPT_NOPROGRESS }, \
	{ "output",         required_argument, NULL, 'o' }, \
	{ "progress",       no_argument,       NULL, KPO_OPT_PROGRESS }, \
	{ "quiet",          no_argument,       NULL, 'q' }, \
	{ "rejects",        required_argument, NULL, KPO_OPT_REJECTS }, \
	{ "version",        no_argument,       NULL, KPO_OPT_VERSION }

/* One line of --help: an option with its argument, and what it does. */
struct kpo_help {
	const char *option;
	const char *what;
};

/* --help (STATUS 0: on standard output, with WHAT the program does, each
 * of OPTIONS, then the options every stage shares when SHARED, one line
 * each) or a usage error (the synopsis and a pointer to --help on standard
 * error); then exits with STATUS.  SYNOPSIS follows "usage: PROG ". */
_Noreturn void kpo_usage(int status, const char *synopsis, const char *what, const struct kpo_help *options,
    int shared);

struct kpo_stage_args {
	const char *output;     /* -o */
	const char *rejects;    /* --rejects */
	int progress;           /* -1: when stderr is a terminal */
	size_t max_field, max_fields, max_record;       /* the reader's caps; 0: its defaults */
};

/* The caps of A in the reader's options O. */
void kpo_stage_caps(const struct kpo_stage_args *a, struct kpo_csv_opts *o);

/* Takes option CH (ARG) when it is one of the shared ones: 1, else 0.  -h
 * calls USAGE(0); --version prints the version and exits. */
int kpo_stage_option(struct kpo_stage *st, struct kpo_stage_args *a, int ch, const char *arg,
    void (*usage)(int));

/* Starts the progress line and opens the rejects file (a failure ends the
 * program with EX_CANTCREAT); STAGE names the stage in the rejects.  The
 * operands ARGV[0..ARGC) (standard input when none) decide whether a
 * progress line is shown by default: when standard error is a terminal and
 * every input is a regular file, so that of the stages of a pipe only the
 * first shows one (and -q shows none); --progress and --no-progress say
 * otherwise. */
void kpo_stage_start(struct kpo_stage *st, const struct kpo_stage_args *a, const char *stage, int argc,
    char **argv);

/* A stage's part in reading its operands, for kpo_stage_run. */
struct kpo_stage_ops {
	/* Maps the header of a new input R: the input's state, or NULL after
	 * saying what is wrong (the input then fails with EX_DATAERR). */
	void *(*input)(void *ctx, struct kpo_csv *r);
	/* One sound record: 0 to go on, -1 to stop quietly (the output
	 * failed), or an exit status to stop the input with. */
	int (*row)(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec);
	void (*input_free)(void *in);
	/* Nonzero when no further operand is to be read. */
	int (*stop)(void *ctx);
	/* A record the reader found damaged: 1 when this rejected it with a
	 * reason of its own, 0 for the reader's (NULL: always the reader's). */
	int (*damaged)(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec);
};

/* Reads the operands ARGV[0..ARGC) (standard input when there are none) in
 * order: opens each (CSV), maps its header, counts every record, ticks the
 * progress line, rejects damaged records and hands the others to OPS->row.
 * Returns the worst status of the inputs (0 when every problem was a
 * counted reject). */
int kpo_stage_run(struct kpo_stage *st, const struct kpo_stage_ops *ops, void *ctx,
    const struct kpo_csv_opts *csv, int argc, char **argv);

/* The epilogue of a stage: the last progress line, the summary line
 * ("N rows read, N written, N rejected (kinds)" and EXTRA when not NULL),
 * the reject threshold, and the rejects file closed.  Returns STATUS merged
 * with what went wrong. */
int kpo_stage_finish(struct kpo_stage *st, int status, const char *extra);

#endif
