/* kpo-enrich's row logic: the reference tables (--fx, --rates, --calendar)
 * and, for each row of the canonical stream, the appended columns
 * (kpo_enriched_columns: money in the base currency, baseline, savings,
 * turnaround, on-time, month) or a verdict.
 *
 * A struct kpo_enrich holds what a run shares, read-only once made; a struct
 * kpo_enrich_input holds one input's header mapping and the values of its
 * current row.  kpo-enrich(1) has the formulas. */
#ifndef KPO_ENRICH_H
#define KPO_ENRICH_H

#include <stddef.h>
#include <stdint.h>

struct kpo_csv;
struct kpo_out;
struct kpo_record;
struct kpo_stage;
struct kpo_stage_ops;
struct kpo_verdict;

struct kpo_enrich_opts {
	char base[4];           /* --base, upper case */
	const char *fx;         /* --fx FILE */
	const char *rates;      /* --rates FILE */
	const char *vendor_rates;       /* --vendor-rates FILE */
	const char *calendar;   /* --calendar FILE */
	const char *tz;         /* --tz: the zone of business hours */
	int64_t as_of;          /* --as-of, an instant */
	int work_start, work_end;       /* --work-hours, seconds after midnight */
	unsigned work_days;     /* --work-days, bit 0 Sunday */
	int business;           /* business-hour turnaround */
	int dedupe;             /* --dedupe: reject a task_id seen before */
};

struct kpo_enrich;
struct kpo_enrich_input;

/* Says that --tz has no effect when nothing counts business hours (kpo-enrich
 * and kpo-run --ingested, after reading their options). */
void kpo_enrich_warn_tz(const struct kpo_enrich_opts *opts);

/* Reads the reference tables; one that cannot be used ends the program (a
 * main() helper, as reftable.h). */
struct kpo_enrich *kpo_enrich_new(const struct kpo_enrich_opts *opts);
void kpo_enrich_free(struct kpo_enrich *e);

/* Maps the header of R.  The first input's header becomes the output's:
 * OUT gets it, with the appended columns, when it is the first; a later
 * input must have the same columns (in any order).  NULL after saying what
 * is wrong. */
struct kpo_enrich_input *kpo_enrich_input(struct kpo_enrich *e, struct kpo_csv *r, struct kpo_out *out);
void kpo_enrich_input_free(struct kpo_enrich_input *in);

/* The field of the source column of IN's header, or -1: where a rejected
 * row's FILE:LINE comes from. */
int kpo_enrich_source_field(const struct kpo_enrich_input *in);

/* Computes the appended columns of REC: 0 (kept in IN), or -1 with the
 * reason in *V. */
int kpo_enrich_row(const struct kpo_enrich *e, struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_verdict *v);

/* The fields kpo_enrich_put would write, into F and LEN (room for REC's
 * fields and KPO_NENRICHED): their number.  NUL-terminated. */
size_t kpo_enrich_fields(const struct kpo_enrich *e, const struct kpo_enrich_input *in, const struct kpo_record *rec,
    const char **f, size_t *len);

/* Writes REC with the columns kpo_enrich_row computed for it. */
void kpo_enrich_put(const struct kpo_enrich *e, const struct kpo_enrich_input *in, const struct kpo_record *rec,
    struct kpo_out *out);

/* About the row kpo_enrich_row computed last: 1 when it has no in-house
 * rate (so no baseline), no cost (its own or from --vendor-rates), or a cost
 * priced from --vendor-rates. */
/* The field of task_id, or -1. */
int kpo_enrich_task_field(const struct kpo_enrich_input *in);
int kpo_enrich_no_rate(const struct kpo_enrich_input *in);
int kpo_enrich_no_cost(const struct kpo_enrich_input *in);
int kpo_enrich_priced(const struct kpo_enrich_input *in);

/* kpo-enrich's part in kpo_stage_run (report.h), for CTX a struct
 * kpo_enrich_stage: each sound row written to OUT with its new columns,
 * each bad one rejected at the FILE:LINE of its source column.  Shared by
 * kpo-enrich and kpo-run. */
struct kpo_enrich_stage {
	struct kpo_enrich *e;
	struct kpo_stage *st;
	struct kpo_out *out;
	unsigned long long no_rate;     /* rows written without an in-house rate */
	unsigned long long no_cost;     /* ... without a cost */
	unsigned long long priced;      /* ... priced from --vendor-rates */
};
extern const struct kpo_stage_ops kpo_enrich_stage_ops;

/* What the summary line adds ("; 3 without a cost"), into BUF. */
void kpo_enrich_stage_extra(const struct kpo_enrich_stage *x, char *buf, size_t size);

#endif
