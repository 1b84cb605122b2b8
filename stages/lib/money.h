/* Exact arithmetic for money, hours and rates.
 *
 * A kpo_money is an integer count of 1/10000 of a unit (of a currency, or of
 * an hour).  Decimals from a stream are read exactly as a mantissa and a
 * scale (struct kpo_dec), multiplied in 128 bits and rounded once, half to
 * even, to 1/10000.  Sums of kpo_money are exact and do not depend on order. */
#ifndef KPO_MONEY_H
#define KPO_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t kpo_money;
__extension__ typedef __int128 kpo_i128;           /* GCC and Clang */
__extension__ typedef unsigned __int128 kpo_u128;
#define KPO_MONEY_SCALE 10000

/* value = m / 10^scale, scale 0..18 */
struct kpo_dec {
	int64_t m;
	int scale;
};

/* Parses a plain decimal ("-12.5", "1250", "0.011234"; no exponent, no
 * separators: the canonical form kpo-ingest writes).  0, KPO_PARSE_BAD or
 * KPO_PARSE_RANGE (more than 18 significant digits). */
int kpo_dec_parse(const char *s, size_t n, struct kpo_dec *d);

/* The exact value of a plain decimal "-?DIGITS[.DIGITS]" with at most 18
 * integer and 12 fraction digits, in units of 10^-12 (KPO_E12): the scale
 * kpo-metrics sums in.  0, or KPO_PARSE_BAD. */
#define KPO_E12 ((kpo_i128)1000000000000LL)
int kpo_e12_parse(const char *s, size_t n, kpo_i128 *v);

/* Rounds D to 1/10000, half to even. */
int kpo_dec_to_money(struct kpo_dec d, kpo_money *out);

/* A x B rounded to 1/10000, half to even: cost x fx rate, hours x hourly rate. */
int kpo_dec_mul_money(struct kpo_dec a, struct kpo_dec b, kpo_money *out);

/* A x B x C rounded once to 1/10000: hours x rate x fx rate. */
int kpo_dec_mul3_money(struct kpo_dec a, struct kpo_dec b, struct kpo_dec c, kpo_money *out);

/* NUM / DEN rounded half to even (DEN != 0). */
kpo_i128 kpo_div_round(kpo_i128 num, kpo_i128 den);

/* Writes V (in 1/10000) with DECIMALS (0..4) digits after the point, rounded
 * half to even: 12345 -> "1.2345" (4) or "1.23" (2).  OUT needs 48 bytes. */
#define KPO_MONEY_MAX 64
void kpo_money_format(kpo_money v, int decimals, char *out);

/* SECS / 3600 with 4 decimals, rounded half to even: a turnaround in hours. */
void kpo_seconds_as_hours(int64_t secs, char *out);

/* Writes the exact ratio NUM / DEN with DECIMALS digits, rounded half to even:
 * for percentages pass NUM = 100 x part.  OUT needs KPO_MONEY_MAX bytes. */
void kpo_ratio_format(kpo_i128 num, kpo_i128 den, int decimals, char *out);

#endif
