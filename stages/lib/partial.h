/* Partials: the exact state of a run over a shard of its inputs, on disk, so
 * that runs on other machines can be merged into the outputs of one run.
 *
 * Every metric is a sum, a count or an exact multiset of values, so a
 * partial holds the metrics' leaves (metrics.h), the turnaround values, the
 * open items; each stage's counts and its rejects, each with its place (the
 * input and the line it was read at); and a header: the format, the program
 * that made it, the shard (K of N), the names of the inputs, and the
 * options the outputs depend on (the reference tables by their size and
 * CRC-32), which every partial of one merge must share.
 *
 * The file is gzip (no time stamp): a magic line, then integers as LEB128
 * varints (signed ones zigzagged), strings as a length and bytes, and an
 * end mark, so a truncated partial is told from a whole one.  The same run
 * writes the same bytes.  kpo(7) has the layout. */
#ifndef KPO_PARTIAL_H
#define KPO_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

struct kpo_out;
struct kpo_rejects;
struct kpo_stage;

#define KPO_PARTIAL_MAGIC "kpo partial\n"
#define KPO_PARTIAL_VERSION 1

/* Writing: every put goes to O (kpo_out's first error sticks). */
void kpo_put_u64(struct kpo_out *o, uint64_t v);
void kpo_put_i64(struct kpo_out *o, int64_t v);
void kpo_put_i128(struct kpo_out *o, kpo_i128 v);
void kpo_put_bytes(struct kpo_out *o, const void *s, size_t n);

/* Reading a partial: the first problem sticks (bad data or a read error),
 * later gets return zeros. */
struct kpo_pin;
struct kpo_pin *kpo_pin_open(const char *path);       /* NULL with errno set */
void kpo_pin_close(struct kpo_pin *in);
const char *kpo_pin_name(const struct kpo_pin *in);
uint64_t kpo_get_u64(struct kpo_pin *in);
int64_t kpo_get_i64(struct kpo_pin *in);
kpo_i128 kpo_get_i128(struct kpo_pin *in);
/* A count of things of at least SIZE bytes each: more than the rest of a
 * file could hold is damage, not a reason to allocate. */
uint64_t kpo_get_count(struct kpo_pin *in, size_t size);
/* A string: *N bytes in a buffer of IN's, valid until the next get. */
const char *kpo_get_bytes(struct kpo_pin *in, size_t *n);
/* Marks IN damaged: WHY says what was wrong ("a leaf key of 3 columns"). */
void kpo_pin_bad(struct kpo_pin *in, const char *why);
/* 0, or the exit status after saying what is wrong with IN (65 damaged or
 * not a partial, 74 a read error or a truncated file). */
int kpo_pin_status(const struct kpo_pin *in);

/* The options a partial's outputs depend on, as NAME=VALUE lines in a fixed
 * order; a reference table as its size and CRC-32. */
struct kpo_popts {
	char *text;
	size_t len, cap;
};
void kpo_popts_add(struct kpo_popts *p, const char *name, const char *value);
/* 0, or -1 with errno set when PATH cannot be read. */
int kpo_popts_file(struct kpo_popts *p, const char *name, const char *path);
void kpo_popts_free(struct kpo_popts *p);

/* A stage's part of a partial: its counts, the extra counts of its summary
 * line, and its rejects (ST's store must be held back: kpo_rejects_defer). */
#define KPO_PSTAGE_EXTRA 3
struct kpo_pstage {
	const char *name;       /* "kpo-enrich" */
	struct kpo_stage *st;
	unsigned long long extra[KPO_PSTAGE_EXTRA];
};

struct kpo_partial_head {
	const char *program;    /* "kpo-run --ingested", "kpo-metrics" */
	unsigned shard, nshards;
	int ninputs;
	char **inputs;
	const struct kpo_popts *opts;
};

/* Writes the header and the stages; the caller then writes the metrics
 * (kpo_metrics_save) and kpo_partial_end. */
void kpo_partial_begin(struct kpo_out *o, const struct kpo_partial_head *h, const struct kpo_pstage *stages,
    size_t nstages);
void kpo_partial_end(struct kpo_out *o);

/* The merge of partials into a run's outputs.  kpo_merge_open reads each
 * header and checks them together: one program, the same options (with
 * the merge's own OPTS for every name in SHARED, a NULL-terminated list),
 * and for each set of inputs every shard once.  0, or the exit status after
 * saying why (65: partials that disagree, naming both). */
struct kpo_merge;
int kpo_merge_open(struct kpo_merge **mp, const char *program, const struct kpo_popts *opts,
    const char *const *shared, int argc, char **argv);
size_t kpo_merge_count(const struct kpo_merge *mg);
/* Partial I, its header read: the stages next (kpo_merge_stages), then the
 * metrics (kpo_metrics_load), then kpo_merge_done. */
struct kpo_pin *kpo_merge_input(struct kpo_merge *mg, size_t i);
/* Adds partial I's stages to STAGES (the same names, in order): counts and
 * extras summed, rejects held until kpo_merge_replay.  0, or the status. */
int kpo_merge_stages(struct kpo_merge *mg, size_t i, struct kpo_pstage *stages, size_t nstages);
/* Checks the end mark and closes partial I: 0, or the status. */
int kpo_merge_done(struct kpo_merge *mg, size_t i);
/* Replays every stage's rejects into its store, in the order one run would
 * have made them: the sets of inputs in the order of their first partial
 * on the command line, in each by input and line. */
void kpo_merge_replay(struct kpo_merge *mg, struct kpo_pstage *stages, size_t nstages);
void kpo_merge_free(struct kpo_merge *mg);

/* --shard K/N: 0 with *K and *N set, else -1. */
int kpo_shard_parse(const char *s, unsigned *k, unsigned *n);
/* The shard of a task_id among N: the same on every machine. */
unsigned kpo_shard_of(const char *task, size_t n, unsigned nshards);

#endif
