/* Values as people type them, turned into the one form kpo streams carry.
 *
 * Every parser takes a pointer and a length (fields may hold NUL bytes) and
 * returns 0 on success or a negative KPO_PARSE_* code; none allocates. */
#ifndef KPO_PARSE_H
#define KPO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define KPO_PARSE_BAD   (-1)   /* not a value of the kind */
#define KPO_PARSE_RANGE (-2)   /* a value, but beyond what kpo keeps */

/* Numbers.  DECIMAL is '.' or ','; the other of the two, a space, NBSP,
 * narrow NBSP and an apostrophe may separate thousands (in groups of three).
 * An exponent (1.5E+3) is accepted.  The canonical form has '.' for the
 * decimal, no sign for zero or positives, no leading or trailing zeros and no
 * exponent: "1 250,50" -> "1250.5".  At most 15 integer and 12 fraction
 * digits.  OUT needs KPO_NUM_MAX bytes. */
#define KPO_NUM_MAX 32
int kpo_num_canon(const char *s, size_t n, char decimal, char *out);

/* Booleans: 1/0, true/false, yes/no, y/n, да/нет, any case.  Sets *v. */
int kpo_bool_parse(const char *s, size_t n, int *v);

/* Date-times. */
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

/* Parses S into seconds since 1970-01-01T00:00:00Z (*t).  Accepts
 * YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH[:MM]], DD.MM.YYYY[ HH:MM[:SS]],
 * YYYY/MM/DD[ time], DD/Mon/YY[YY][ time] (Jira), numeric slash dates with an
 * order, and F->strptime.  A time may end in AM or PM.  Years 0001-9999. */
int kpo_datetime_parse(const char *s, size_t n, struct kpo_datefmt *f, int64_t *t);

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define KPO_TIME_MIN (-62135596800LL)
#define KPO_TIME_MAX (253402300799LL)

/* Writes T as YYYY-MM-DDTHH:MM:SSZ (20 characters for years 1-9999); OUT
 * needs KPO_DATETIME_MAX bytes. */
#define KPO_DATETIME_MAX 32
void kpo_datetime_format(int64_t t, char *out);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t kpo_days_from_civil(int64_t y, unsigned m, unsigned d);
void kpo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Text.  Trims white space (ASCII, NBSP, narrow NBSP) at both ends and folds
 * inner runs to one space; OUT needs N + 1 bytes.  Returns the length. */
size_t kpo_text_fold(const char *s, size_t n, char *out);

/* The length of the valid UTF-8 character at S (at most N > 0 bytes), with
 * its code point in *CP, or 0 when it is not valid: overlong forms,
 * surrogates and code points past U+10FFFF are not. */
size_t kpo_utf8_char(const char *s, size_t n, unsigned long *cp);

/* -1 when S is valid UTF-8, else the offset of the first bad byte.  Overlong
 * forms, surrogates and code points past U+10FFFF are bad. */
long kpo_utf8_invalid_at(const char *s, size_t n);

/* The same, and a NUL byte is bad too (U+0000 is UTF-8, but no tool takes it
 * as text). */
long kpo_text_invalid_at(const char *s, size_t n);

/* A header's match key: lower case (ASCII and Cyrillic), letters and digits
 * only.  OUT needs N + 1 bytes.  Returns the length. */
size_t kpo_header_key(const char *s, size_t n, char *out);

/* lower_snake_case of a column name (letters and digits kept, runs of
 * anything else one '_').  OUT needs N + 1 bytes. */
size_t kpo_snake_case(const char *s, size_t n, char *out);

#endif
