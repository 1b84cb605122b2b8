/* Dates and times: parsing what exports hold, writing the one canonical
 * form, and the calendar arithmetic behind both.  Instants are seconds since
 * 1970-01-01T00:00:00Z in an int64_t; days are days since 1970-01-01. */
#ifndef KPO_DATE_H
#define KPO_DATE_H

#include <stddef.h>
#include <stdint.h>

#include "num.h"        /* KPO_PARSE_BAD, KPO_PARSE_RANGE */

struct kpo_datefmt {
	char order;             /* 'd' (DD/MM/YYYY) or 'm' (MM/DD/YYYY) for numeric slash dates; 0 rejects them */
	const char *strptime;   /* tried first when set */
	const char *tz;         /* zone of naive times; NULL or "UTC" */
	/* Cache of the zone's last offset, for speed. */
	int64_t cache_key;
	long cache_offset;
};

/* 0 when ZONE names a time zone this machine knows (or is UTC). */
int kpo_tz_valid(const char *zone);

/* Makes ZONE (a name) the zone of mktime and localtime_r: sets TZ unless it
 * already names ZONE.  A program with threads calls it before they start. */
void kpo_tz_use(const char *zone);

/* Parses S into *T.  Accepts YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]],
 * DD.MM.YYYY[ HH:MM[:SS]], YYYY/MM/DD[ time], DD/Mon/YY[YY][ time] (Jira),
 * numeric slash dates with an order, and F->strptime.  A time may end in AM
 * or PM.  Years 0001-9999.  0, KPO_PARSE_BAD or KPO_PARSE_RANGE. */
int kpo_datetime_parse(const char *s, size_t n, struct kpo_datefmt *f, int64_t *t);

/* A date-time of a kpo stream: the canonical form quickly, anything else
 * kpo_datetime_parse takes (naive times as UTC) slowly. */
int kpo_stream_datetime(const char *s, size_t n, int64_t *t);

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define KPO_TIME_MIN (-62135596800LL)
#define KPO_TIME_MAX (253402300799LL)

/* Writes T as YYYY-MM-DDTHH:MM:SSZ (20 characters for years 1-9999); OUT
 * needs KPO_DATETIME_MAX bytes.  Returns the length written. */
#define KPO_DATETIME_MAX 32
size_t kpo_datetime_format(int64_t t, char *out);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t kpo_days_from_civil(int64_t y, unsigned m, unsigned d);
void kpo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
unsigned kpo_days_in_month(int64_t y, unsigned m);

/* The day of instant T (rounded down, also before 1970). */
int64_t kpo_day_of(int64_t t);

/* Writes DAY as YYYY-MM-DD, or its month as YYYY-MM; years 0-9999.  OUT
 * needs 11 bytes for either. */
void kpo_date_format(int64_t day, char *out);
void kpo_month_format(int64_t day, char *out);

#endif
