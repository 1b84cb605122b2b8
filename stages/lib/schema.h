/* The shape of what kpo's stages hand each other, written down once.
 *
 * The canonical stream (kpo-ingest's output), the columns kpo-enrich adds,
 * the metric columns of kpo-metrics, and the files and keys of a bundle are
 * tables here that the writers and the readers both use, so a column cannot
 * be spelled one way by the stage that writes it and another by the one that
 * reads it.  Stages find columns by these names in a header, never by
 * position.  See kpo(7) for what each column means. */
#ifndef KPO_SCHEMA_H
#define KPO_SCHEMA_H

#include <stddef.h>

/* The canonical stream, in output order; kpo-ingest may add --keep columns
 * after source. */
enum kpo_col {
	KPO_COL_TASK_ID, KPO_COL_ENGAGEMENT_ID, KPO_COL_VENDOR, KPO_COL_DOMAIN, KPO_COL_REGION,
	KPO_COL_REQUESTED_AT, KPO_COL_DUE_AT, KPO_COL_DELIVERED_AT, KPO_COL_HOURS, KPO_COL_COST,
	KPO_COL_CURRENCY, KPO_COL_INHOUSE_RATE, KPO_COL_QUALITY, KPO_COL_DEFECTS, KPO_COL_REWORKED,
	KPO_COL_SOURCE, KPO_NCOLS
};

/* What a canonical value is, which decides how kpo-ingest reads it. */
enum kpo_col_kind {
	KPO_KIND_TEXT,          /* trimmed, inner white space folded */
	KPO_KIND_CODE,          /* the same, upper case (currency) */
	KPO_KIND_DATETIME,      /* YYYY-MM-DDTHH:MM:SSZ */
	KPO_KIND_AMOUNT,        /* a non-negative plain decimal */
	KPO_KIND_SCORE,         /* a plain decimal 0..100 */
	KPO_KIND_COUNT,         /* a non-negative whole number */
	KPO_KIND_BOOLEAN,       /* 0 or 1 */
	KPO_KIND_SOURCE,        /* FILE:LINE, written by kpo-ingest itself */
};

struct kpo_column {
	const char *name;
	enum kpo_col_kind kind;
	int required;           /* a row without a value is rejected */
};

extern const struct kpo_column kpo_columns[KPO_NCOLS];

/* The columns kpo-enrich appends, in this order. */
enum kpo_enriched {
	KPO_EN_COST_BASE, KPO_EN_BASELINE, KPO_EN_SAVINGS, KPO_EN_TAT_H, KPO_EN_ON_TIME, KPO_EN_MONTH,
	KPO_NENRICHED
};

extern const char *const kpo_enriched_columns[KPO_NENRICHED];

/* The canonical column named NAME, or -1. */
int kpo_column_find(const char *name);

/* The column kpo-enrich appends named NAME, or -1. */
int kpo_enriched_find(const char *name);

/* "task_id, engagement_id, ...": the canonical names users may map, for a
 * message, cut to SIZE bytes. */
void kpo_column_list(char *buf, size_t size);

/* The metric columns of kpo-metrics, after the key columns, in this order.
 * The table says how each is printed; kpo-metrics (metrics.c) says how each
 * is computed. */
enum kpo_metric {
	KPO_M_ITEMS, KPO_M_DELIVERED, KPO_M_OPEN, KPO_M_OVERDUE, KPO_M_HOURS, KPO_M_COST,
	KPO_M_BASELINE, KPO_M_SAVINGS, KPO_M_SAVINGS_PCT, KPO_M_QUALITY_MEAN, KPO_M_QUALITY_N,
	KPO_M_DEFECTS_PER_ITEM, KPO_M_REWORK_RATE, KPO_M_FIRST_PASS_YIELD, KPO_M_ON_TIME_PCT,
	KPO_M_TAT_MEAN_H, KPO_M_TAT_P10_H, KPO_M_TAT_P25_H, KPO_M_TAT_P50_H, KPO_M_TAT_P75_H,
	KPO_M_TAT_P90_H, KPO_M_TAT_MAX_H,
	/* Coverage: the rows behind the sums and the savings %. */
	KPO_M_HOURS_N, KPO_M_COST_N, KPO_M_BASELINE_N, KPO_M_SAVINGS_N,
	/* Honest numbers: counts behind the control charts, the rates' 95 %
	 * Wilson intervals, the total cost of outsourcing, vendor concentration. */
	KPO_M_REWORKED_N, KPO_M_DEFECTIVE_N,
	KPO_M_ON_TIME_PCT_LO, KPO_M_ON_TIME_PCT_HI, KPO_M_SLA_ATTAINMENT_PCT_LO, KPO_M_SLA_ATTAINMENT_PCT_HI,
	KPO_M_REWORK_RATE_LO, KPO_M_REWORK_RATE_HI, KPO_M_FIRST_PASS_YIELD_LO, KPO_M_FIRST_PASS_YIELD_HI,
	KPO_M_GOVERNANCE, KPO_M_TRANSITION, KPO_M_OTHER_COST, KPO_M_TCO, KPO_M_NET_SAVINGS,
	KPO_M_NET_SAVINGS_PCT, KPO_M_COST_PER_ITEM, KPO_M_EFFECTIVE_RATE, KPO_M_HHI,
	KPO_M_TOP_VENDOR_SHARE_PCT,
	/* Judging the numbers: open items at the as-of instant, and a rate's
	 * denominator. */
	KPO_M_SLA_ATTAINMENT_PCT, KPO_M_AT_RISK, KPO_M_OPEN_0_7D, KPO_M_OPEN_8_30D, KPO_M_OPEN_31_90D,
	KPO_M_OPEN_OVER_90D, KPO_M_ON_TIME_N,
	KPO_NMETRICS
};

/* How a metric value reads. */
enum kpo_metric_kind {
	KPO_MK_COUNT,           /* a whole number */
	KPO_MK_MONEY,           /* in the base currency, 2 decimals */
	KPO_MK_HOURS,           /* 2 decimals */
	KPO_MK_PCT,             /* a percentage, 2 decimals */
	KPO_MK_SCORE,           /* a mean or ratio, 2 decimals */
};

/* Flags of a metric. */
#define KPO_MF_SUM 1u           /* additive: a group of groups has the sum */

struct kpo_metric_def {
	const char *name;
	enum kpo_metric_kind kind;
	unsigned flags;
};

extern const struct kpo_metric_def kpo_metrics[KPO_NMETRICS];

/* Digits after the point a metric of KIND is printed with. */
int kpo_metric_decimals(enum kpo_metric_kind kind);

/* The metric named NAME, or -1. */
int kpo_metric_find(const char *name);

/* The columns of the 95 % Wilson interval of rate M (on_time_pct ->
 * on_time_pct_lo, on_time_pct_hi): 1 with *LO and *HI set, or 0 when M has
 * no interval.  A status judged on M is uncertain when the group's interval
 * straddles the target (wilson.h, kpo_interval_straddles). */
int kpo_metric_interval(int m, int *lo, int *hi);

/* The tables of a bundle (kpo-metrics --bundle DIR), each grouped by one or
 * two stream columns and ending with an ALL row. */
enum kpo_table {
	KPO_T_DOMAIN, KPO_T_VENDOR, KPO_T_REGION, KPO_T_MONTH, KPO_T_DOMAIN_MONTH, KPO_T_VENDOR_DOMAIN,
	KPO_NTABLES
};

#define KPO_TABLE_MAX_KEYS 2

struct kpo_bundle_table {
	const char *file;                       /* in the bundle folder */
	size_t nkeys;
	const char *key[KPO_TABLE_MAX_KEYS];    /* stream column names */
};

extern const struct kpo_bundle_table kpo_bundle_tables[KPO_NTABLES];

/* The exception lists of a bundle: one row per open item, the most overdue
 * first.  A list has the first NCOLS of kpo_list_columns. */
enum kpo_list { KPO_L_BREACHED, KPO_L_AT_RISK, KPO_NLISTS };

enum kpo_list_col {
	KPO_LC_TASK_ID, KPO_LC_VENDOR, KPO_LC_DOMAIN, KPO_LC_REQUESTED_AT, KPO_LC_DUE_AT,
	KPO_LC_DAYS_OVERDUE, KPO_LC_SOURCE, KPO_LC_PCT_OF_WINDOW_USED, KPO_NLISTCOLS
};

struct kpo_bundle_list {
	const char *file;       /* in the bundle folder */
	size_t ncols;
};

extern const struct kpo_bundle_list kpo_bundle_lists[KPO_NLISTS];
extern const char *const kpo_list_columns[KPO_NLISTCOLS];

/* The key value of the totals row of every table. */
extern const char kpo_total_key[];

/* The bundle's meta.csv: a "key,value" table with these keys, in this order. */
enum kpo_meta { KPO_META_AS_OF, KPO_META_ROWS, KPO_META_BASE_CURRENCY, KPO_META_VERSION, KPO_NMETA };

extern const char kpo_meta_file[];
extern const char *const kpo_meta_keys[KPO_NMETA];
extern const char kpo_meta_header[];    /* "key,value" */

/* What kpo-score writes into its folder (the report's status/), the
 * columns of status.csv and alerts.csv, and the status words. */
enum kpo_status_file { KPO_SF_STATUS, KPO_SF_SCORECARD, KPO_SF_ALERTS, KPO_NSTATUS_FILES };

extern const char *const kpo_status_files[KPO_NSTATUS_FILES];

enum kpo_status_col {
	KPO_SC_BY, KPO_SC_GROUP, KPO_SC_METRIC, KPO_SC_VALUE, KPO_SC_N, KPO_SC_MIN, KPO_SC_TARGET,
	KPO_SC_STATUS, KPO_SC_PREVIOUS, KPO_NSTATUS_COLS
};

extern const char *const kpo_status_columns[KPO_NSTATUS_COLS];

/* From the best to the worst known status; unknown is not ranked. */
enum kpo_status { KPO_ST_GREEN, KPO_ST_AMBER, KPO_ST_RED, KPO_ST_UNKNOWN, KPO_NSTATUS };

extern const char *const kpo_status_words[KPO_NSTATUS];

/* The status named WORD, or -1. */
int kpo_status_find(const char *word);

/* The scopes of a target line, which are the values of status.csv's "by"
 * column: the totals row, or the rows of one table of the bundle. */
enum kpo_scope { KPO_SCOPE_ALL, KPO_SCOPE_DOMAIN, KPO_SCOPE_VENDOR, KPO_SCOPE_VENDOR_DOMAIN, KPO_NSCOPES };

struct kpo_scope_def {
	const char *by;                 /* "ALL", "domain", "vendor", "vendor;domain" */
	enum kpo_table table;           /* its rows (ALL: this table's totals row) */
};

extern const struct kpo_scope_def kpo_scopes[KPO_NSCOPES];

/* The scorecard's fixed columns around the targeted metrics' pairs
 * (METRIC, METRIC + kpo_status_suffix). */
extern const char kpo_scorecard_vendor[], kpo_scorecard_score[], kpo_scorecard_status[];
extern const char kpo_status_suffix[];  /* "_status" */

#endif
