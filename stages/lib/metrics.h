/* kpo-metrics' row logic: group-by of the enriched stream into exact
 * metrics, and the tables it writes (one, or a bundle).
 *
 * Every number is exact: values are read as integers of 1/10^12 (money,
 * hours, quality, defects) or 1/10^4 hours (turnaround), summed in 128 bits,
 * and divided and rounded half to even only when printed, so the output does
 * not depend on the order of the rows.
 *
 * Rows are summed per leaf: one accumulator per distinct combination of all
 * key columns.  Groups are made from leaves at the end.  The turnaround of
 * each delivered row is kept once, packed with its leaf number in 8 bytes;
 * one sort of them and one scan find every group's quantiles.
 *
 * Open items are judged at one as-of instant: their age, whether they are
 * past due or at risk.  A bundle lists those past due and at risk; only
 * those items' few fields (task_id, vendor, domain, source, two instants)
 * are kept, and the lists are sorted when written.
 *
 * The metric columns are schema.h's kpo_metrics[] table, in its order; how
 * each is computed is the table of computations in metrics.c. */
#ifndef KPO_METRICS_H
#define KPO_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct kpo_costs;
struct kpo_csv;
struct kpo_dec;
struct kpo_out;
struct kpo_record;
struct kpo_stage;
struct kpo_stage_ops;
struct kpo_verdict;

struct kpo_metrics_opts {
	const char *by;         /* --by KEYS: one table grouped by these columns */
	int bundle;             /* or the tables of a bundle (schema.h) */
	int total;              /* an ALL row (always in a bundle) */
	int64_t as_of;          /* the instant open items are judged at (--as-of) */
};

struct kpo_metrics;
struct kpo_metrics_input;

/* A bad --by list ends the program with EX_USAGE (a main() helper). */
struct kpo_metrics *kpo_metrics_new(const struct kpo_metrics_opts *opts);
void kpo_metrics_free(struct kpo_metrics *m);

/* The overheads to allocate at the end (the columns governance, transition,
 * other_cost, tco and net_savings): the costs table COSTS (NULL: none; it
 * must live until kpo_metrics_build) and --governance-pct GOV_PCT (NULL:
 * none).  With neither those columns are empty.  Before the first input. */
void kpo_metrics_overheads(struct kpo_metrics *m, const struct kpo_costs *costs, const struct kpo_dec *gov_pct);

/* Maps the header of R: NULL after naming every missing column and the stage
 * that makes it. */
struct kpo_metrics_input *kpo_metrics_input(struct kpo_metrics *m, struct kpo_csv *r);
void kpo_metrics_input_free(struct kpo_metrics_input *in);

/* The field of the source column, or -1: where a rejected row's FILE:LINE
 * comes from. */
int kpo_metrics_source_field(const struct kpo_metrics_input *in);

/* Adds REC: 0, -1 with the reason in *V (a reject), or KPO_METRICS_FULL
 * when its key combination would be one too many (the run cannot go on). */
#define KPO_METRICS_FULL 1
#define KPO_METRICS_MAX_LEAVES (UINT64_C(1) << 24)
int kpo_metrics_add(struct kpo_metrics *m, struct kpo_metrics_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v);

/* Adds what FROM was given to TO, as if TO had been given FROM's rows after
 * its own, in their order: the same tables, byte for byte.  0, or
 * KPO_METRICS_FULL when the key combinations of both are too many.  FROM
 * (made with the same options) is left to free, its open items moved. */
int kpo_metrics_merge(struct kpo_metrics *to, struct kpo_metrics *from);

/* A partial's part (partial.h): every leaf's key and sums, the
 * turnarounds, the open items.  Sorts M's turnarounds; M is then only to
 * be freed or saved again. */
struct kpo_pin;
void kpo_metrics_save(struct kpo_metrics *m, struct kpo_out *o);

/* Adds what a partial saved of a kpo_metrics made with the same options, as
 * kpo_metrics_merge adds one: 0, KPO_METRICS_FULL, or -1 when IN is damaged
 * (said; kpo_pin_status has the exit status). */
int kpo_metrics_load(struct kpo_metrics *m, struct kpo_pin *in);

/* Every partial of MG (kpo_merge_open'ed): its stages into STAGES, its
 * metrics into M, and then the rejects replayed.  0, or the exit status
 * after saying why. */
struct kpo_merge;
struct kpo_pstage;
int kpo_metrics_merge_partials(struct kpo_metrics *m, struct kpo_merge *mg, struct kpo_pstage *stages,
    size_t nstages);

/* The outputs, opened before reading so that a bad -o or DIR fails at once:
 * the one table to OUTPUT ("-" or NULL: standard output), or the bundle's
 * tables and meta.csv into folder BUNDLE (made when missing).  0, or the exit
 * status after saying why. */
int kpo_metrics_open(struct kpo_metrics *m, const char *output, const char *bundle);

/* What meta.csv says of the run. */
struct kpo_metrics_meta {
	char as_of[11];         /* YYYY-MM-DD */
	char base[4];
	unsigned long long rows;
};

/* With STATUS 0: folds the leaves into groups, writes every table (and
 * meta.csv), and publishes all or none.  Otherwise throws the outputs away.
 * Returns STATUS, made EX_IOERR after saying so when writing failed. */
int kpo_metrics_finish(struct kpo_metrics *m, int status, const struct kpo_metrics_meta *meta);

/* The parts of kpo_metrics_finish, for callers with outputs of their own
 * (the fuzz target): fold the leaves into groups, once; then write table T
 * (0 .. kpo_metrics_ntables() - 1) to O. */
void kpo_metrics_build(struct kpo_metrics *m);
size_t kpo_metrics_ntables(const struct kpo_metrics *m);
void kpo_metrics_write_table(const struct kpo_metrics *m, size_t t, struct kpo_out *o);

/* A bundle's exception lists (schema.h's kpo_bundle_lists; none without
 * a bundle), each sorted when written: list L to O. */
size_t kpo_metrics_nlists(const struct kpo_metrics *m);
void kpo_metrics_write_list(struct kpo_metrics *m, size_t l, struct kpo_out *o);

/* kpo-metrics' part in kpo_stage_run (report.h), for CTX a struct
 * kpo_metrics_stage: each sound row added, each bad one rejected at the
 * FILE:LINE of its source column; one key combination too many stops the
 * run (FULL).  Shared by kpo-metrics and kpo-run. */
struct kpo_metrics_stage {
	struct kpo_metrics *m;
	struct kpo_stage *st;
	int full;               /* the key combinations ran out */
};
extern const struct kpo_stage_ops kpo_metrics_stage_ops;

/* The end of the --costs table: what the summary line adds ("; costs: N
 * rows read, ...") into EXTRA, and STATUS made EX_DATAERR after saying so
 * when more of its rows were rejected than ST's --max-reject-pct. */
int kpo_metrics_stage_costs(const struct kpo_stage *st, const struct kpo_costs *costs, int status, char *extra,
    size_t size);

#endif
