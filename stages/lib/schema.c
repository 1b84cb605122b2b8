#include <stdio.h>
#include <string.h>

#include "schema.h"

const struct kpo_column kpo_columns[KPO_NCOLS] = {
	[KPO_COL_TASK_ID]       = { "task_id",       KPO_KIND_TEXT,     1 },
	[KPO_COL_ENGAGEMENT_ID] = { "engagement_id", KPO_KIND_TEXT,     0 },
	[KPO_COL_VENDOR]        = { "vendor",        KPO_KIND_TEXT,     1 },
	[KPO_COL_DOMAIN]        = { "domain",        KPO_KIND_TEXT,     1 },
	[KPO_COL_REGION]        = { "region",        KPO_KIND_TEXT,     0 },
	[KPO_COL_REQUESTED_AT]  = { "requested_at",  KPO_KIND_DATETIME, 1 },
	[KPO_COL_DUE_AT]        = { "due_at",        KPO_KIND_DATETIME, 0 },
	[KPO_COL_DELIVERED_AT]  = { "delivered_at",  KPO_KIND_DATETIME, 0 },
	[KPO_COL_HOURS]         = { "hours",         KPO_KIND_AMOUNT,   0 },
	[KPO_COL_COST]          = { "cost",          KPO_KIND_AMOUNT,   0 },
	[KPO_COL_CURRENCY]      = { "currency",      KPO_KIND_CODE,     0 },
	[KPO_COL_INHOUSE_RATE]  = { "inhouse_rate",  KPO_KIND_AMOUNT,   0 },
	[KPO_COL_QUALITY]       = { "quality",       KPO_KIND_SCORE,    0 },
	[KPO_COL_DEFECTS]       = { "defects",       KPO_KIND_COUNT,    0 },
	[KPO_COL_REWORKED]      = { "reworked",      KPO_KIND_BOOLEAN,  0 },
	[KPO_COL_SOURCE]        = { "source",        KPO_KIND_SOURCE,   0 },
};

const char *const kpo_enriched_columns[KPO_NENRICHED] = {
	[KPO_EN_COST_BASE] = "cost_base",
	[KPO_EN_BASELINE]  = "baseline",
	[KPO_EN_SAVINGS]   = "savings",
	[KPO_EN_TAT_H]     = "tat_h",
	[KPO_EN_ON_TIME]   = "on_time",
	[KPO_EN_MONTH]     = "month",
};

const struct kpo_metric_def kpo_metrics[KPO_NMETRICS] = {
	[KPO_M_ITEMS]            = { "items",            KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_DELIVERED]        = { "delivered",        KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OPEN]             = { "open",             KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OVERDUE]          = { "overdue",          KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_HOURS]            = { "hours",            KPO_MK_HOURS, KPO_MF_SUM },
	[KPO_M_COST]             = { "cost",             KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_BASELINE]         = { "baseline",         KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_SAVINGS]          = { "savings",          KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_SAVINGS_PCT]      = { "savings_pct",      KPO_MK_PCT,   0 },
	[KPO_M_QUALITY_MEAN]     = { "quality_mean",     KPO_MK_SCORE, 0 },
	[KPO_M_QUALITY_N]        = { "quality_n",        KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_DEFECTS_PER_ITEM] = { "defects_per_item", KPO_MK_SCORE, 0 },
	[KPO_M_REWORK_RATE]      = { "rework_rate",      KPO_MK_PCT,   0 },
	[KPO_M_FIRST_PASS_YIELD] = { "first_pass_yield", KPO_MK_PCT,   0 },
	[KPO_M_ON_TIME_PCT]      = { "on_time_pct",      KPO_MK_PCT,   0 },
	[KPO_M_TAT_MEAN_H]       = { "tat_mean_h",       KPO_MK_HOURS, 0 },
	[KPO_M_TAT_P10_H]        = { "tat_p10_h",        KPO_MK_HOURS, 0 },
	[KPO_M_TAT_P25_H]        = { "tat_p25_h",        KPO_MK_HOURS, 0 },
	[KPO_M_TAT_P50_H]        = { "tat_p50_h",        KPO_MK_HOURS, 0 },
	[KPO_M_TAT_P75_H]        = { "tat_p75_h",        KPO_MK_HOURS, 0 },
	[KPO_M_TAT_P90_H]        = { "tat_p90_h",        KPO_MK_HOURS, 0 },
	[KPO_M_TAT_MAX_H]        = { "tat_max_h",        KPO_MK_HOURS, 0 },
	[KPO_M_HOURS_N]          = { "hours_n",          KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_COST_N]           = { "cost_n",           KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_BASELINE_N]       = { "baseline_n",       KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_SAVINGS_N]        = { "savings_n",        KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_REWORKED_N]       = { "reworked_n",       KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_DEFECTIVE_N]      = { "defective_n",      KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_ON_TIME_PCT_LO]   = { "on_time_pct_lo",   KPO_MK_PCT,   0 },
	[KPO_M_ON_TIME_PCT_HI]   = { "on_time_pct_hi",   KPO_MK_PCT,   0 },
	[KPO_M_SLA_ATTAINMENT_PCT_LO] = { "sla_attainment_pct_lo", KPO_MK_PCT, 0 },
	[KPO_M_SLA_ATTAINMENT_PCT_HI] = { "sla_attainment_pct_hi", KPO_MK_PCT, 0 },
	[KPO_M_REWORK_RATE_LO]   = { "rework_rate_lo",   KPO_MK_PCT,   0 },
	[KPO_M_REWORK_RATE_HI]   = { "rework_rate_hi",   KPO_MK_PCT,   0 },
	[KPO_M_FIRST_PASS_YIELD_LO] = { "first_pass_yield_lo", KPO_MK_PCT, 0 },
	[KPO_M_FIRST_PASS_YIELD_HI] = { "first_pass_yield_hi", KPO_MK_PCT, 0 },
	[KPO_M_GOVERNANCE]       = { "governance",       KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_TRANSITION]       = { "transition",       KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_OTHER_COST]       = { "other_cost",       KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_TCO]              = { "tco",              KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_NET_SAVINGS]      = { "net_savings",      KPO_MK_MONEY, KPO_MF_SUM },
	[KPO_M_NET_SAVINGS_PCT]  = { "net_savings_pct",  KPO_MK_PCT,   0 },
	[KPO_M_COST_PER_ITEM]    = { "cost_per_item",    KPO_MK_MONEY, 0 },
	[KPO_M_EFFECTIVE_RATE]   = { "effective_rate",   KPO_MK_MONEY, 0 },
	[KPO_M_HHI]              = { "hhi",              KPO_MK_SCORE, 0 },
	[KPO_M_TOP_VENDOR_SHARE_PCT] = { "top_vendor_share_pct", KPO_MK_PCT, 0 },
	[KPO_M_SLA_ATTAINMENT_PCT] = { "sla_attainment_pct", KPO_MK_PCT,   0 },
	[KPO_M_AT_RISK]            = { "at_risk",            KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OPEN_0_7D]          = { "open_0_7d",          KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OPEN_8_30D]         = { "open_8_30d",         KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OPEN_31_90D]        = { "open_31_90d",        KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_OPEN_OVER_90D]      = { "open_over_90d",      KPO_MK_COUNT, KPO_MF_SUM },
	[KPO_M_ON_TIME_N]          = { "on_time_n",          KPO_MK_COUNT, KPO_MF_SUM },
};

/* Each rate with a Wilson interval, and its two columns. */
static const int intervals[][3] = {
	{ KPO_M_ON_TIME_PCT,      KPO_M_ON_TIME_PCT_LO,      KPO_M_ON_TIME_PCT_HI },
	{ KPO_M_REWORK_RATE,      KPO_M_REWORK_RATE_LO,      KPO_M_REWORK_RATE_HI },
	{ KPO_M_FIRST_PASS_YIELD, KPO_M_FIRST_PASS_YIELD_LO, KPO_M_FIRST_PASS_YIELD_HI },
	{ KPO_M_SLA_ATTAINMENT_PCT, KPO_M_SLA_ATTAINMENT_PCT_LO, KPO_M_SLA_ATTAINMENT_PCT_HI },
};

const struct kpo_bundle_table kpo_bundle_tables[KPO_NTABLES] = {
	[KPO_T_DOMAIN]        = { "by-domain.csv.gz",        1, { "domain", NULL } },
	[KPO_T_VENDOR]        = { "by-vendor.csv.gz",        1, { "vendor", NULL } },
	[KPO_T_REGION]        = { "by-region.csv.gz",        1, { "region", NULL } },
	[KPO_T_MONTH]         = { "by-month.csv.gz",         1, { "month", NULL } },
	[KPO_T_DOMAIN_MONTH]  = { "by-domain-month.csv.gz",  2, { "domain", "month" } },
	[KPO_T_VENDOR_DOMAIN] = { "by-vendor-domain.csv.gz", 2, { "vendor", "domain" } },
};

const struct kpo_bundle_list kpo_bundle_lists[KPO_NLISTS] = {
	[KPO_L_BREACHED] = { "open-breached.csv.gz", KPO_LC_SOURCE + 1 },
	[KPO_L_AT_RISK]  = { "at-risk.csv.gz",       KPO_NLISTCOLS },
};

const char *const kpo_list_columns[KPO_NLISTCOLS] = {
	[KPO_LC_TASK_ID]             = "task_id",
	[KPO_LC_VENDOR]              = "vendor",
	[KPO_LC_DOMAIN]              = "domain",
	[KPO_LC_REQUESTED_AT]        = "requested_at",
	[KPO_LC_DUE_AT]              = "due_at",
	[KPO_LC_DAYS_OVERDUE]        = "days_overdue",
	[KPO_LC_SOURCE]              = "source",
	[KPO_LC_PCT_OF_WINDOW_USED]  = "pct_of_window_used",
};

const char kpo_total_key[] = "ALL";

const char kpo_meta_file[] = "meta.csv";
const char kpo_meta_header[] = "key,value";
const char *const kpo_meta_keys[KPO_NMETA] = {
	[KPO_META_AS_OF]         = "as_of",
	[KPO_META_ROWS]          = "rows",
	[KPO_META_BASE_CURRENCY] = "base_currency",
	[KPO_META_VERSION]       = "version",
};

const char *const kpo_status_files[KPO_NSTATUS_FILES] = {
	[KPO_SF_STATUS]    = "status.csv",
	[KPO_SF_SCORECARD] = "scorecard.csv",
	[KPO_SF_ALERTS]    = "alerts.csv",
};

const char *const kpo_status_columns[KPO_NSTATUS_COLS] = {
	[KPO_SC_BY]       = "by",
	[KPO_SC_GROUP]    = "group",
	[KPO_SC_METRIC]   = "metric",
	[KPO_SC_VALUE]    = "value",
	[KPO_SC_N]        = "n",
	[KPO_SC_MIN]      = "min",
	[KPO_SC_TARGET]   = "target",
	[KPO_SC_STATUS]   = "status",
	[KPO_SC_PREVIOUS] = "previous_status",
};

const char *const kpo_status_words[KPO_NSTATUS] = {
	[KPO_ST_GREEN]   = "green",
	[KPO_ST_AMBER]   = "amber",
	[KPO_ST_RED]     = "red",
	[KPO_ST_UNKNOWN] = "unknown",
};

const struct kpo_scope_def kpo_scopes[KPO_NSCOPES] = {
	[KPO_SCOPE_ALL]           = { "ALL",           KPO_T_DOMAIN },
	[KPO_SCOPE_DOMAIN]        = { "domain",        KPO_T_DOMAIN },
	[KPO_SCOPE_VENDOR]        = { "vendor",        KPO_T_VENDOR },
	[KPO_SCOPE_VENDOR_DOMAIN] = { "vendor;domain", KPO_T_VENDOR_DOMAIN },
};

const char kpo_scorecard_vendor[] = "vendor";
const char kpo_scorecard_score[] = "score";
const char kpo_scorecard_status[] = "status";
const char kpo_status_suffix[] = "_status";

int
kpo_status_find(const char *word)
{
	int s;

	for (s = 0; s < KPO_NSTATUS; s++)
		if (strcmp(kpo_status_words[s], word) == 0)
			return s;
	return -1;
}

int
kpo_column_find(const char *name)
{
	int c;

	for (c = 0; c < KPO_NCOLS; c++)
		if (strcmp(kpo_columns[c].name, name) == 0)
			return c;
	return -1;
}

int
kpo_enriched_find(const char *name)
{
	int e;

	for (e = 0; e < KPO_NENRICHED; e++)
		if (strcmp(kpo_enriched_columns[e], name) == 0)
			return e;
	return -1;
}

void
kpo_column_list(char *buf, size_t size)
{
	size_t len = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < KPO_COL_SOURCE && len < size; c++)     /* source is not named by users */
		len += (size_t)snprintf(buf + len, size - len, "%s%s", c ? ", " : "", kpo_columns[c].name);
}

int
kpo_metric_decimals(enum kpo_metric_kind kind)
{
	return kind == KPO_MK_COUNT ? 0 : 2;
}

int
kpo_metric_interval(int m, int *lo, int *hi)
{
	size_t i;

	for (i = 0; i < sizeof intervals / sizeof intervals[0]; i++)
		if (intervals[i][0] == m) {
			*lo = intervals[i][1];
			*hi = intervals[i][2];
			return 1;
		}
	return 0;
}

int
kpo_metric_find(const char *name)
{
	int m;

	for (m = 0; m < KPO_NMETRICS; m++)
		if (strcmp(kpo_metrics[m].name, name) == 0)
			return m;
	return -1;
}
