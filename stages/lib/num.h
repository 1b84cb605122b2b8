/* Numbers and booleans as people type them, turned into the one form kpo
 * streams carry.
 *
 * Every parser takes a pointer and a length (fields may hold NUL bytes) and
 * returns 0 on success or a negative KPO_PARSE_* code; none allocates. */
#ifndef KPO_NUM_H
#define KPO_NUM_H

#include <stddef.h>

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

/* Booleans: 1/0, true/false, yes/no, y/n, t/f, да/нет, any case.  Sets *v. */
int kpo_bool_parse(const char *s, size_t n, int *v);

#endif
