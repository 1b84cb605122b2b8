#include <stdio.h>
#include <string.h>

#include "money.h"
#include "num.h"

static const int64_t pow10_i64[19] = {
	1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
	1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL,
};

int
kpo_dec_parse(const char *s, size_t n, struct kpo_dec *d)
{
	size_t i = 0;
	int neg = 0, digits = 0, scale = 0, point = 0;
	int64_t m = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	for (; i < n; i++) {
		if (s[i] == '.' && !point) {
			point = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return KPO_PARSE_BAD;
		if (m == 0 && s[i] == '0') {
			if (point)
				scale++;
			digits += point ? 0 : 0;
			continue;
		}
		if (++digits > 18)
			return KPO_PARSE_RANGE;
		m = m * 10 + (s[i] - '0');
		if (point)
			scale++;
	}
	if (scale > 18)
		return KPO_PARSE_RANGE;
	if (n == 0 || (n == 1 && (s[0] == '.' || s[0] == '-' || s[0] == '+')) || (neg && n == 1))
		return KPO_PARSE_BAD;
	d->m = neg ? -m : m;
	d->scale = scale;
	return 0;
}

int
kpo_e12_parse(const char *s, size_t n, kpo_i128 *v)
{
	static const int64_t scale[13] = {
		1000000000000LL, 100000000000LL, 10000000000LL, 1000000000LL, 100000000LL, 10000000LL,
		1000000LL, 100000LL, 10000LL, 1000LL, 100LL, 10LL, 1LL
	};
	size_t i = 0, id = 0, fd = 0;
	int64_t ip = 0, fp = 0;
	int neg = 0;

	if (n > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	for (; i < n && (unsigned)(s[i] - '0') < 10; i++, id++) {
		if (id == 18)
			return KPO_PARSE_BAD;
		ip = ip * 10 + (s[i] - '0');
	}
	if (id == 0)
		return KPO_PARSE_BAD;
	if (i < n) {
		if (s[i] != '.')
			return KPO_PARSE_BAD;
		for (i++; i < n && (unsigned)(s[i] - '0') < 10; i++, fd++) {
			if (fd == 12)
				return KPO_PARSE_BAD;
			fp = fp * 10 + (s[i] - '0');
		}
		if (fd == 0 || i < n)
			return KPO_PARSE_BAD;
		fp *= scale[fd];
	}
	*v = (kpo_i128)ip * KPO_E12 + fp;
	if (neg)
		*v = -*v;
	return 0;
}

kpo_i128
kpo_div_round(kpo_i128 num, kpo_i128 den)
{
	kpo_i128 q, r, twice;

	if (den < 0) {
		num = -num;
		den = -den;
	}
	q = num / den;
	r = num % den;          /* same sign as num */
	if (r == 0)
		return q;
	twice = 2 * (r < 0 ? -r : r);
	if (twice > den || (twice == den && (q % 2 != 0)))
		q += num < 0 ? -1 : 1;
	return q;
}

static kpo_i128
pow10_i128(int e)
{
	kpo_i128 p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/* M / 10^SCALE rounded half to even to 1/10000. */
static int
to_money(kpo_i128 m, int scale, kpo_money *out)
{
	kpo_i128 v;

	if (scale <= 4) {
		kpo_i128 limit = INT64_MAX / pow10_i64[4 - scale];

		if (m > limit || m < -limit)
			return KPO_PARSE_RANGE;
		v = m * pow10_i64[4 - scale];
	} else if (scale - 4 <= 38) {
		v = kpo_div_round(m, pow10_i128(scale - 4));  /* once: rounding twice is not half-even */
	} else {
		v = 0;          /* |m| < 2^127 < 10^39 / 2 */
	}
	if (v > INT64_MAX || v < -INT64_MAX)
		return KPO_PARSE_RANGE;
	*out = (kpo_money)v;
	return 0;
}

int
kpo_dec_to_money(struct kpo_dec d, kpo_money *out)
{
	return to_money(d.m, d.scale, out);
}

int
kpo_dec_mul_money(struct kpo_dec a, struct kpo_dec b, kpo_money *out)
{
	/* |m| < 10^18 each, so the product fits in 127 bits. */
	return to_money((kpo_i128)a.m * b.m, a.scale + b.scale, out);
}

int
kpo_dec_mul3_money(struct kpo_dec a, struct kpo_dec b, struct kpo_dec c, kpo_money *out)
{
	kpo_i128 q;
	int s = a.scale + b.scale + c.scale;

	/* A x B is exact in 128 bits; the third factor may overflow. */
	if (__builtin_mul_overflow((kpo_i128)a.m * b.m, (kpo_i128)c.m, &q))
		return KPO_PARSE_RANGE;
	return to_money(q, s, out);
}

static void
format_u128(kpo_u128 v, char *buf)
{
	char tmp[48];
	int k = 0, i;

	do {
		tmp[k++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	for (i = 0; i < k; i++)
		buf[i] = tmp[k - 1 - i];
	buf[k] = '\0';
}

/* Writes Q / 10^DECIMALS. */
static void
format_scaled(kpo_i128 q, int decimals, char *out)
{
	kpo_u128 a = q < 0 ? (kpo_u128)(-q) : (kpo_u128)q;
	kpo_u128 unit = (kpo_u128)pow10_i64[decimals];
	char ip[44], fp[8];
	int k;

	format_u128(a / unit, ip);
	if (decimals > 0) {
		kpo_u128 f = a % unit;

		for (k = decimals - 1; k >= 0; k--) {
			fp[k] = (char)('0' + (int)(f % 10));
			f /= 10;
		}
		fp[decimals] = '\0';
		snprintf(out, KPO_MONEY_MAX, "%s%s.%s", q < 0 ? "-" : "", ip, fp);
	} else {
		snprintf(out, KPO_MONEY_MAX, "%s%s", q < 0 ? "-" : "", ip);
	}
}

/* V / 10000 with its 4 decimals, without a 128-bit division or printf: the
 * enriched stream writes three of these a row. */
static void
format_money4(kpo_money v, char *out)
{
	char tmp[24], *end = tmp + sizeof tmp, *p = end;
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t ip = a / 10000;
	unsigned frac = (unsigned)(a % 10000);

	/* Right to left, two digits at a time. */
	p -= 4;
	memcpy(p, kpo_digit_pairs + 2 * (frac / 100), 2);
	memcpy(p + 2, kpo_digit_pairs + 2 * (frac % 100), 2);
	*--p = '.';
	for (; ip >= 100; ip /= 100) {
		p -= 2;
		memcpy(p, kpo_digit_pairs + 2 * (ip % 100), 2);
	}
	if (ip >= 10) {
		p -= 2;
		memcpy(p, kpo_digit_pairs + 2 * ip, 2);
	} else {
		*--p = (char)('0' + ip);
	}
	if (v < 0)
		*--p = '-';
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
}

void
kpo_money_format(kpo_money v, int decimals, char *out)
{
	if (decimals == 4)
		format_money4(v, out);
	else
		format_scaled(kpo_div_round(v, pow10_i64[4 - decimals]), decimals, out);
}

void
kpo_seconds_as_hours(int64_t secs, char *out)
{
	if (secs > INT64_MAX / 10000 || secs < -(INT64_MAX / 10000))
		kpo_ratio_format(secs, 3600, 4, out);
	else
		format_money4((kpo_money)kpo_div_round((kpo_i128)secs * 10000, 3600), out);
}

void
kpo_ratio_format(kpo_i128 num, kpo_i128 den, int decimals, char *out)
{
	format_scaled(kpo_div_round(num * pow10_i64[decimals], den), decimals, out);
}
