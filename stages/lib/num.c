#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "money.h"
#include "num.h"
#include "text.h"

#define MAX_INT_DIGITS 15
#define MAX_FRAC_DIGITS 12

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a thousands separator at S, or 0. */
static size_t
thousands_at(const char *s, size_t n, char decimal)
{
	char other = decimal == ',' ? '.' : ',';

	if (s[0] == other || s[0] == ' ' || s[0] == '\'')
		return 1;
	if (s[0] != '\t' && s[0] != '\r' && s[0] != '\n')
		return kpo_space_at(s, n);
	return 0;
}

/* Writes the number whose significant digits are DIGITS[0..ND) with the
 * point after POINT of them (POINT may be negative or past ND). */
static int
canonical(const char *digits, size_t nd, long point, int neg, char *out)
{
	size_t end = nd, lead = 0;

	while (end > 0 && digits[end - 1] == '0' && (long)end > point)
		end--;
	if (end == 0) {
		strcpy(out, "0");
		return 0;
	}
	if (point > MAX_INT_DIGITS || (long)end - point > MAX_FRAC_DIGITS)
		return KPO_PARSE_RANGE;
	if (neg)
		out[lead++] = '-';
	if (point <= 0) {
		out[lead++] = '0';
		out[lead++] = '.';
		for (long z = point; z < 0; z++)
			out[lead++] = '0';
		memcpy(out + lead, digits, end);
		lead += end;
	} else {
		for (long k = 0; k < point; k++)
			out[lead++] = (size_t)k < end ? digits[k] : '0';
		if ((long)end > point) {
			out[lead++] = '.';
			memcpy(out + lead, digits + point, end - (size_t)point);
			lead += end - (size_t)point;
		}
	}
	out[lead] = '\0';
	return 0;
}

int
kpo_num_canon(const char *s, size_t n, char decimal, char *out)
{
	char digits[64];
	size_t nd = 0, i = 0, sep, group = 0;
	long point, exp = 0;
	int neg = 0, any = 0, grouped = 0;

	kpo_trim(&s, &n);
	if (n == 0)
		return KPO_PARSE_BAD;
	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i++;
	}
	/* Integer part, with thousands separators in groups of three. */
	while (i < n) {
		if (is_digit(s[i])) {
			if (nd == sizeof digits)
				return KPO_PARSE_RANGE;
			if (nd > 0 || s[i] != '0')
				digits[nd++] = s[i];
			any = 1;
			group++;
			i++;
		} else if (any && (sep = thousands_at(s + i, n - i, decimal)) > 0 &&
		    i + sep < n && is_digit(s[i + sep])) {
			if (grouped ? group != 3 : group > 3)
				return KPO_PARSE_BAD;
			grouped = 1;
			group = 0;
			i += sep;
		} else {
			break;
		}
	}
	if (grouped && group != 3)
		return KPO_PARSE_BAD;
	point = (long)nd;
	if (i < n && s[i] == decimal) {
		i++;
		while (i < n && is_digit(s[i])) {
			if (nd == sizeof digits)
				return KPO_PARSE_RANGE;
			if (nd > 0 || s[i] != '0')
				digits[nd++] = s[i];
			else
				point--;   /* a zero right after the point only shifts it */
			any = 1;
			i++;
		}
	}
	if (!any)
		return KPO_PARSE_BAD;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, ed = 0;

		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		while (i < n && is_digit(s[i])) {
			if (++ed > 3)
				return KPO_PARSE_RANGE;
			exp = exp * 10 + (s[i++] - '0');
		}
		if (ed == 0)
			return KPO_PARSE_BAD;
		if (eneg)
			exp = -exp;
	}
	if (i != n)
		return KPO_PARSE_BAD;

	return canonical(digits, nd, point + exp, neg, out);
}

const char kpo_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

int
kpo_bool_parse(const char *s, size_t n, int *v)
{
#define WORD(s, v) { s, sizeof s - 1, v }
	static const struct { const char *word; size_t n; int value; } words[] = {
		WORD("1", 1), WORD("0", 0), WORD("true", 1), WORD("false", 0),
		WORD("yes", 1), WORD("no", 0), WORD("y", 1), WORD("n", 0),
		WORD("t", 1), WORD("f", 0),
		WORD("\xD0\xB4\xD0\xB0", 1),                    /* да */
		WORD("\xD0\xBD\xD0\xB5\xD1\x82", 0),            /* нет */
	};
#undef WORD
	char low[16];
	size_t w;

	kpo_trim(&s, &n);
	if (n == 0 || n >= sizeof low)
		return KPO_PARSE_BAD;
	kpo_lower_utf8(s, n, low);
	for (w = 0; w < sizeof words / sizeof words[0]; w++)
		if (words[w].n == n && memcmp(words[w].word, low, n) == 0) {
			*v = words[w].value;
			return 0;
		}
	return KPO_PARSE_BAD;
}

/* Dates ------------------------------------------------------------------ */

/* Digits at S[*I..N) as a number (at most 9 of them); -1 when none. */
static long
digits_at(const char *s, size_t n, size_t *i, int max)
{
	long v = 0;
	int k = 0;

	while (*i < n && is_digit(s[*i]) && k < max) {
		v = v * 10 + (s[(*i)++] - '0');
		k++;
	}
	return k ? v : -1;
}

/* Exactly two digits at S[*I..N), below 60; -1 otherwise. */
static long
sixty_at(const char *s, size_t n, size_t *i)
{
	size_t at = *i;
	long v = digits_at(s, n, i, 2);

	return v >= 0 && *i - at == 2 && v < 60 ? v : -1;
}

/* H:MM[:SS] at S (no sign, trimmed). */
static int
clock_duration(const char *s, size_t n, int64_t *secs)
{
	size_t i = 0;
	long h = digits_at(s, n, &i, 9), m, sec = 0;

	if (h < 0 || i >= n || s[i++] != ':' || (m = sixty_at(s, n, &i)) < 0)
		return KPO_PARSE_BAD;
	if (i < n && (s[i++] != ':' || (sec = sixty_at(s, n, &i)) < 0))
		return KPO_PARSE_BAD;
	if (i != n)
		return KPO_PARSE_BAD;
	*secs = (int64_t)h * 3600 + m * 60 + sec;
	return 0;
}

/* "1h 30m 15s", "90 min", "2 hrs" at S (no sign, trimmed). */
static int
unit_duration(const char *s, size_t n, int64_t *secs)
{
	static const struct { const char *unit; int secs; } units[] = {
		{ "hours", 3600 }, { "hour", 3600 }, { "hrs", 3600 }, { "hr", 3600 }, { "h", 3600 },
		{ "minutes", 60 }, { "minute", 60 }, { "mins", 60 }, { "min", 60 }, { "m", 60 },
		{ "seconds", 1 }, { "second", 1 }, { "secs", 1 }, { "sec", 1 }, { "s", 1 },
	};
	int64_t total = 0;
	size_t i = 0, u;
	int parts = 0, last = 3601;

	while (i < n) {
		long v = digits_at(s, n, &i, 9);

		if (v < 0)
			return KPO_PARSE_BAD;
		while (i < n && s[i] == ' ')
			i++;
		for (u = 0; u < sizeof units / sizeof units[0]; u++) {
			size_t ul = strlen(units[u].unit);

			if (i + ul <= n && strncasecmp(s + i, units[u].unit, ul) == 0 &&
			    (i + ul == n || s[i + ul] == ' ' || is_digit(s[i + ul])))
				break;
		}
		/* Each unit once, largest first. */
		if (u == sizeof units / sizeof units[0] || units[u].secs >= last)
			return KPO_PARSE_BAD;
		last = units[u].secs;
		i += strlen(units[u].unit);
		total += (int64_t)v * units[u].secs;
		parts++;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (!parts)
		return KPO_PARSE_BAD;
	*secs = total;
	return 0;
}

int
kpo_duration_parse(const char *s, size_t n, int64_t *secs)
{
	int neg = 0, rc;

	kpo_trim(&s, &n);
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (n == 0)
		return KPO_PARSE_BAD;
	rc = memchr(s, ':', n) ? clock_duration(s, n, secs) : unit_duration(s, n, secs);
	if (rc == 0 && neg)
		*secs = -*secs;
	return rc;
}

/* V ten-thousandths of an hour in canonical form (no trailing zeros). */
static int
hours4(kpo_i128 v, char *out)
{
	char buf[KPO_MONEY_MAX];
	size_t len;

	if (v > (kpo_i128)999999999999999LL * 10000 || v < -(kpo_i128)999999999999999LL * 10000)
		return KPO_PARSE_RANGE;
	kpo_ratio_format(v, 10000, 4, buf);
	len = strlen(buf);
	while (buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	memcpy(out, buf, len + 1);
	return 0;
}

int
kpo_hours_canon(const char *s, size_t n, char decimal, int unit, char *out, int *was_duration)
{
	char canon[KPO_NUM_MAX];
	struct kpo_dec d;
	int64_t secs;
	int rc = kpo_num_canon(s, n, decimal, canon);

	*was_duration = 0;
	if (rc == 0) {
		kpo_i128 num, den = 3600;
		int k;

		if (unit == 3600) {
			strcpy(out, canon);
			return 0;
		}
		/* Counts of minutes or seconds have at most 18 digits: exact in 128 bits. */
		if (kpo_dec_parse(canon, strlen(canon), &d) != 0)
			return KPO_PARSE_RANGE;
		num = (kpo_i128)d.m * unit * 10000;
		for (k = 0; k < d.scale; k++)
			den *= 10;
		return hours4(kpo_div_round(num, den), out);
	}
	if (rc == KPO_PARSE_RANGE || kpo_duration_parse(s, n, &secs) != 0)
		return rc;
	*was_duration = 1;
	return hours4(kpo_div_round((kpo_i128)secs * 10000, 3600), out);
}
