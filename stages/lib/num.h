/* Numbers and booleans as people type them, turned into the one form kpo
 * streams carry.
 *
 * Every parser takes a pointer and a length (fields may hold NUL bytes) and
 * returns 0 on success or a negative KPO_PARSE_* code; none allocates. */
#ifndef KPO_NUM_H
#define KPO_NUM_H

#include <stddef.h>
#include <stdint.h>

#define KPO_PARSE_BAD   (-1)   /* not a value of the kind */
#define KPO_PARSE_RANGE (-2)   /* a value, but beyond what kpo keeps */

/* Numbers.  DECIMAL is '.' or ','; the other of the two, a space, NBSP,
 * narrow NBSP and an apostrophe may separate thousands (in groups of three).
 * An exponent (1.5E+3) is accepted.  The canonical form has '.' for the
 * decimal, no sign for zero or positives, no leading or trailing zeros and no
 * exponent: "1 250,50" gives "1250.5".  At most 15 integer and 12 fraction
 * digits.  OUT needs KPO_NUM_MAX bytes. */
#define KPO_NUM_MAX 32
int kpo_num_canon(const char *s, size_t n, char decimal, char *out);

/* A duration: H:MM or H:MM:SS (the hours may pass 24), or units as in
 * "1h 30m", "1h30m15s", "45m", "2 h", "90 min"; a sign before it.  Whole
 * seconds in *SECS. */
int kpo_duration_parse(const char *s, size_t n, int64_t *secs);

/* Hours as kpo streams carry them, in OUT (KPO_NUM_MAX bytes): a number of
 * units of UNIT seconds (3600: hours, kept exactly as kpo_num_canon writes
 * them; 60: minutes; 1: seconds), or a duration; a count of minutes or
 * seconds and a duration become hours rounded half to even to 4 decimals
 * (68700 s: 19.0833).  *WAS_DURATION says which it was. */
int kpo_hours_canon(const char *s, size_t n, char decimal, int unit, char *out, int *was_duration);

/* "00" to "99" in a row: the digits of V < 100 are at kpo_digit_pairs +
 * 2 * V, for formatting numbers two digits at a time. */
extern const char kpo_digit_pairs[201];

/* Booleans: 1/0, true/false, yes/no, y/n, t/f, да/нет, any case.  Sets *v. */
int kpo_bool_parse(const char *s, size_t n, int *v);

#endif
