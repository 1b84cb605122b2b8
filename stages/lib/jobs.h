/* kpo-run's jobs: ingest, enrich and metrics fused into one loop per part
 * of the inputs, the parts on threads, their results put together in the
 * inputs' order.
 *
 * The stages do not write and read the stream between them: a row kpo-ingest
 * made is handed to kpo-enrich as the record its reader would have read,
 * and the enriched row to kpo-metrics.  Each part (a file, or a part of a
 * large plain file, csvsplit.h) gets its own kpo_metrics, rejects held back
 * and messages held back; they are merged, replayed and printed part after
 * part, so the table, the bundle, the rejects files, the messages and the
 * summary lines are those of kpo-ingest FILE... | kpo-enrich | kpo-metrics.
 *
 * What the stream would change is checked for each row: a field or a record
 * past the stream readers' caps, or one key combination too many, makes the
 * run inexact (KPO_JOBS_INEXACT), and kpo-run then runs the stages joined by
 * pipes instead.  kpo_jobs_can says beforehand which options need the pipes
 * anyway (standard input, --keep, caps narrower than the stream).
 *
 * With ingested inputs (kpo-run --ingested) the operands are streams
 * kpo-ingest wrote, and the jobs run kpo-enrich FILE... | kpo-metrics: in
 * each part kpo-enrich's reader reads the file, and each row it writes on is
 * handed to kpo-metrics as above.  The first operand's header is the
 * enriched stream's, as in kpo-enrich; the jobs read it first, and leave to
 * the pipes a first operand that is not a plain one (kpo_jobs_can). */
#ifndef KPO_JOBS_H
#define KPO_JOBS_H

#include <stddef.h>

struct kpo_costs;
struct kpo_csv_opts;
struct kpo_dec;
struct kpo_enrich_opts;
struct kpo_enrich_stage;
struct kpo_ingest;
struct kpo_ingest_opts;
struct kpo_metrics;
struct kpo_metrics_opts;
struct kpo_metrics_stage;
struct kpo_stage;

struct kpo_jobs_conf {
	int jobs;                       /* threads reading parts */
	int ingested;                   /* the operands are kpo-ingest's streams: no ingest stage */
	unsigned long long part_bytes;  /* the size of a part, 0: 8 MiB or more, two a job */
	const struct kpo_ingest_opts *io;
	const struct kpo_csv_opts *csv;         /* the operands' reader: kpo-ingest's (kpo-enrich's if ingested) */
	const struct kpo_enrich_opts *eo;
	const struct kpo_metrics_opts *mo;
	const struct kpo_costs *costs;          /* or NULL */
	const struct kpo_dec *gov_pct;          /* or NULL */
	size_t max_field, max_fields, max_record;       /* the stream readers' caps (0: defaults) */
	unsigned shard, nshards;        /* ingested: only the rows of shard SHARD of NSHARDS (by task_id) */
};

#define KPO_JOBS_INEXACT (-1)

/* 1 when the jobs can give the chain's outputs for these options and the
 * operands ARGV[0..ARGC) (none: standard input); 0 when the pipes must. */
int kpo_jobs_can(const struct kpo_jobs_conf *c, int argc, char **argv);

/* Runs the chain over ARGV[0..ARGC) as the stages INGEST, ENRICH and METRICS
 * would (their kpo_stage counts and rejects files, ingest's notes in ING,
 * enrich's counts in ENRICH, the rows in METRICS->m): on return each stage
 * is ready for kpo_stage_finish.  Returns kpo-ingest's status of its inputs
 * (kpo-enrich's and kpo-metrics' are 0), or KPO_JOBS_INEXACT with nothing
 * written or printed.  The progress line is INGEST's.  With C->ingested,
 * INGEST and ING are NULL, and the status and the progress line are
 * kpo-enrich's, which reads the inputs. */
int kpo_jobs_run(const struct kpo_jobs_conf *c, struct kpo_stage *ingest, struct kpo_ingest *ing,
    struct kpo_enrich_stage *enrich, struct kpo_metrics_stage *metrics, int argc, char **argv);

#endif
