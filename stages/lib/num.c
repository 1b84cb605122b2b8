#include <stdint.h>
#include <string.h>

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

int
kpo_bool_parse(const char *s, size_t n, int *v)
{
	static const struct { const char *word; int value; } words[] = {
		{ "1", 1 }, { "0", 0 }, { "true", 1 }, { "false", 0 },
		{ "yes", 1 }, { "no", 0 }, { "y", 1 }, { "n", 0 },
		{ "t", 1 }, { "f", 0 },
		{ "\xD0\xB4\xD0\xB0", 1 },                      /* да */
		{ "\xD0\xBD\xD0\xB5\xD1\x82", 0 },              /* нет */
	};
	char low[16];
	size_t w;

	kpo_trim(&s, &n);
	if (n == 0 || n >= sizeof low)
		return KPO_PARSE_BAD;
	kpo_lower_utf8(s, n, low);
	for (w = 0; w < sizeof words / sizeof words[0]; w++)
		if (strlen(words[w].word) == n && memcmp(words[w].word, low, n) == 0) {
			*v = words[w].value;
			return 0;
		}
	return KPO_PARSE_BAD;
}

/* Dates ------------------------------------------------------------------ */
