#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "parse.h"

#define MAX_INT_DIGITS 15
#define MAX_FRAC_DIGITS 12

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of the white space (ASCII blank, NBSP, narrow NBSP) at S, or 0. */
static size_t
space_at(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f')
		return 1;
	if (n >= 2 && c == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	if (n >= 3 && c == 0xE2 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xAF)
		return 3;
	return 0;
}

static void
trim(const char **s, size_t *n)
{
	size_t k;

	while (*n > 0 && (k = space_at(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	for (;;) {
		if (*n >= 1 && space_at(*s + *n - 1, 1) == 1)
			*n -= 1;
		else if (*n >= 2 && space_at(*s + *n - 2, 2) == 2)
			*n -= 2;
		else if (*n >= 3 && space_at(*s + *n - 3, 3) == 3)
			*n -= 3;
		else
			break;
	}
}

/* Length of a thousands separator at S, or 0. */
static size_t
thousands_at(const char *s, size_t n, char decimal)
{
	char other = decimal == ',' ? '.' : ',';

	if (s[0] == other || s[0] == ' ' || s[0] == '\'')
		return 1;
	if (s[0] != '\t' && s[0] != '\r' && s[0] != '\n')
		return space_at(s, n);
	return 0;
}

int
kpo_num_canon(const char *s, size_t n, char decimal, char *out)
{
	char digits[64];
	size_t nd = 0, i = 0, sep, group = 0, lead, end;
	long point, exp = 0;
	int neg = 0, any = 0, grouped = 0;

	trim(&s, &n);
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

	/* digits[] holds the significant digits with the point after POINT of them. */
	point += exp;
	end = nd;
	while (end > 0 && digits[end - 1] == '0' && (long)end > point)
		end--;
	if (end == 0) {
		strcpy(out, "0");
		return 0;
	}
	if (point > MAX_INT_DIGITS || (long)end - point > MAX_FRAC_DIGITS)
		return KPO_PARSE_RANGE;
	lead = 0;
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

/* ASCII and Cyrillic lower case of the character at S: writes as many bytes
 * to OUT as it consumes, and returns that count. */
static size_t
lower_char(const unsigned char *s, size_t n, unsigned char *out)
{
	if (s[0] < 0x80) {
		out[0] = (unsigned char)tolower(s[0]);
		return 1;
	}
	if (n >= 2 && s[0] == 0xD0 && s[1] >= 0x90 && s[1] <= 0x9F) {        /* А-П */
		out[0] = 0xD0;
		out[1] = s[1] + 0x20;
		return 2;
	}
	if (n >= 2 && s[0] == 0xD0 && s[1] >= 0xA0 && s[1] <= 0xAF) {        /* Р-Я */
		out[0] = 0xD1;
		out[1] = s[1] - 0x20;
		return 2;
	}
	if (n >= 2 && s[0] == 0xD0 && s[1] >= 0x80 && s[1] <= 0x8F) {        /* Ѐ-Џ, Ё */
		out[0] = 0xD1;
		out[1] = s[1] + 0x10;
		return 2;
	}
	out[0] = s[0];
	return 1;
}

/* Lowers S into OUT, which gets exactly N bytes. */
static void
lower_utf8(const char *s, size_t n, char *out)
{
	size_t i = 0;

	while (i < n)
		i += lower_char((const unsigned char *)s + i, n - i, (unsigned char *)out + i);
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

	trim(&s, &n);
	if (n == 0 || n >= sizeof low)
		return KPO_PARSE_BAD;
	lower_utf8(s, n, low);
	for (w = 0; w < sizeof words / sizeof words[0]; w++)
		if (strlen(words[w].word) == n && memcmp(words[w].word, low, n) == 0) {
			*v = words[w].value;
			return 0;
		}
	return KPO_PARSE_BAD;
}

/* Dates ------------------------------------------------------------------ */

int64_t
kpo_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
kpo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static char *
put_digits(char *p, unsigned v, int width)
{
	int k;

	for (k = width - 1; k >= 0; k--) {
		p[k] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* By hand rather than by snprintf: it runs for every date of every row. */
void
kpo_datetime_format(int64_t t, char *out)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t secs = t - days * 86400, y;
	unsigned m, d;
	char *p = out;

	kpo_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, KPO_DATETIME_MAX, "%lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
		    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
		return;
	}
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(secs / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs % 60), 2);
	*p++ = 'Z';
	*p = '\0';
}

int
kpo_tz_valid(const char *zone)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	struct stat st;

	if (!zone || strcmp(zone, "UTC") == 0)
		return 0;
	if (!*zone || zone[0] == '/' || strstr(zone, ".."))
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", zone);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	return 0;
}

/* Offset of the zone at a local time, cached per local hour: zones change
 * their offset on the hour. */
static long
zone_offset(struct kpo_datefmt *f, int64_t days, int h, int mi, int s)
{
	static const char *zone_set;
	int64_t key = days * 24 + h + 1;
	struct tm tm;
	time_t t;
	int64_t y;
	unsigned m, d;

	if (!f->tz || strcmp(f->tz, "UTC") == 0)
		return 0;
	if (key == f->cache_key)
		return f->cache_offset;
	if (zone_set != f->tz) {
		setenv("TZ", f->tz, 1);
		tzset();
		zone_set = f->tz;
	}
	kpo_civil_from_days(days, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	f->cache_key = key;
	f->cache_offset = (long)((days * 86400 + h * 3600 + mi * 60 + s) - (int64_t)t);
	return f->cache_offset;
}

struct scan {
	const char *s;
	size_t n, i;
};

static int
num(struct scan *c, int min, int max, int *v)
{
	int k = 0;

	*v = 0;
	while (c->i < c->n && k < max && is_digit(c->s[c->i])) {
		*v = *v * 10 + (c->s[c->i++] - '0');
		k++;
	}
	return k >= min ? 0 : -1;
}

static int
eat(struct scan *c, char ch)
{
	if (c->i < c->n && c->s[c->i] == ch) {
		c->i++;
		return 1;
	}
	return 0;
}

static int
month_name(struct scan *c, int *m)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char low[3];
	int k;

	if (c->i + 3 > c->n)
		return -1;
	for (k = 0; k < 3; k++)
		low[k] = (char)tolower((unsigned char)c->s[c->i + k]);
	for (k = 0; k < 12; k++)
		if (memcmp(names + 3 * k, low, 3) == 0) {
			*m = k + 1;
			c->i += 3;
			return 0;
		}
	return -1;
}

/* HH:MM[:SS[.fff]][ AM|PM] */
static int
clock_time(struct scan *c, int *h, int *mi, int *s)
{
	*s = 0;
	if (num(c, 1, 2, h) || !eat(c, ':') || num(c, 2, 2, mi))
		return -1;
	if (eat(c, ':')) {
		if (num(c, 2, 2, s))
			return -1;
		if (eat(c, '.') || eat(c, ',')) {
			if (c->i >= c->n || !is_digit(c->s[c->i]))
				return -1;
			while (c->i < c->n && is_digit(c->s[c->i]))
				c->i++;
		}
	}
	{
		size_t save = c->i;

		while (c->i < c->n && c->s[c->i] == ' ')
			c->i++;
		if (c->i + 2 <= c->n && (c->s[c->i + 1] == 'M' || c->s[c->i + 1] == 'm') &&
		    strchr("AaPp", c->s[c->i]) && c->s[c->i] != '\0') {
			int pm = c->s[c->i] == 'P' || c->s[c->i] == 'p';

			if (*h < 1 || *h > 12)
				return -1;
			*h = *h % 12 + (pm ? 12 : 0);
			c->i += 2;
		} else {
			c->i = save;
		}
	}
	return 0;
}

/* Z, ±HH, ±HHMM, ±HH:MM; *has says whether a zone was written. */
static int
zone(struct scan *c, int *has, long *offset)
{
	int sign, oh, om = 0;

	*has = 0;
	*offset = 0;
	if (c->i < c->n && c->s[c->i] == ' ' && c->i + 1 < c->n &&
	    (c->s[c->i + 1] == '+' || c->s[c->i + 1] == '-'))
		c->i++;
	if (eat(c, 'Z') || eat(c, 'z')) {
		*has = 1;
		return 0;
	}
	if (c->i >= c->n || (c->s[c->i] != '+' && c->s[c->i] != '-'))
		return 0;
	sign = c->s[c->i++] == '-' ? -1 : 1;
	if (num(c, 2, 2, &oh))
		return -1;
	if (eat(c, ':')) {
		if (num(c, 2, 2, &om))
			return -1;
	} else if (c->i < c->n && is_digit(c->s[c->i]) && num(c, 2, 2, &om)) {
		return -1;
	}
	if (oh > 14 || om > 59 || (oh == 14 && om > 0))
		return -1;
	*has = 1;
	*offset = sign * (oh * 3600L + om * 60L);
	return 0;
}

static int
finish(struct kpo_datefmt *f, int y, int m, int d, int h, int mi, int s,
    int has_zone, long offset, int64_t *t)
{
	int64_t days;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)m))
		return KPO_PARSE_BAD;
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return KPO_PARSE_BAD;
	days = kpo_days_from_civil(y, (unsigned)m, (unsigned)d);
	if (!has_zone)
		offset = zone_offset(f, days, h, mi, s);
	*t = days * 86400 + h * 3600 + mi * 60 + s - offset;
	/* In UTC too the year must have four digits. */
	if (*t < KPO_TIME_MIN || *t > KPO_TIME_MAX)
		return KPO_PARSE_RANGE;
	return 0;
}

static int
by_strptime(const char *s, size_t n, struct kpo_datefmt *f, int64_t *t)
{
	char copy[128];
	const char *end;
	struct tm tm;

	if (n >= sizeof copy)
		return KPO_PARSE_BAD;
	memcpy(copy, s, n);
	copy[n] = '\0';
	memset(&tm, 0, sizeof tm);
	tm.tm_mday = 1;
	end = strptime(copy, f->strptime, &tm);
	if (!end)
		return KPO_PARSE_BAD;
	while (*end == ' ')
		end++;
	if (*end)
		return KPO_PARSE_BAD;
	return finish(f, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, strstr(f->strptime, "%z") != NULL, tm.tm_gmtoff, t);
}

int
kpo_datetime_parse(const char *s, size_t n, struct kpo_datefmt *f, int64_t *t)
{
	struct scan c;
	int y, m, d, a, b, h = 0, mi = 0, sec = 0, has_zone = 0;
	long offset = 0;
	int iso = 0;

	trim(&s, &n);
	if (n == 0)
		return KPO_PARSE_BAD;
	if (f->strptime && by_strptime(s, n, f, t) == 0)
		return 0;
	c.s = s;
	c.n = n;
	c.i = 0;
	if (n >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
	    (s[4] == '-' || s[4] == '/')) {
		char sep = s[4];

		iso = sep == '-';
		num(&c, 4, 4, &y);
		c.i++;
		if (num(&c, 1, 2, &m) || !eat(&c, sep) || num(&c, 1, 2, &d))
			return KPO_PARSE_BAD;
	} else {
		if (num(&c, 1, 2, &a))
			return KPO_PARSE_BAD;
		if (eat(&c, '.')) {
			d = a;
			if (num(&c, 1, 2, &m) || !eat(&c, '.') || num(&c, 4, 4, &y))
				return KPO_PARSE_BAD;
		} else if (eat(&c, '/')) {
			if (c.i < n && !is_digit(s[c.i])) {
				d = a;
				if (month_name(&c, &m) || !eat(&c, '/'))
					return KPO_PARSE_BAD;
				if (num(&c, 2, 4, &y) || (y >= 100 && y < 1000))
					return KPO_PARSE_BAD;
				if (y < 100)
					y += 2000;   /* Jira's two-digit years */
			} else {
				if (num(&c, 1, 2, &b) || !eat(&c, '/') || num(&c, 4, 4, &y))
					return KPO_PARSE_BAD;
				if (f->order == 'd') {
					d = a;
					m = b;
				} else if (f->order == 'm') {
					m = a;
					d = b;
				} else {
					return KPO_PARSE_BAD;
				}
			}
		} else {
			return KPO_PARSE_BAD;
		}
	}
	if (c.i < n) {
		if (iso && (s[c.i] == 'T' || s[c.i] == 't'))
			c.i++;
		else if (s[c.i] == ' ')
			while (c.i < n && s[c.i] == ' ')
				c.i++;
		else
			return KPO_PARSE_BAD;
		if (clock_time(&c, &h, &mi, &sec) || zone(&c, &has_zone, &offset))
			return KPO_PARSE_BAD;
		if (c.i != n)
			return KPO_PARSE_BAD;
	}
	return finish(f, y, m, d, h, mi, sec, has_zone, offset, t);
}

/* Text ------------------------------------------------------------------- */

size_t
kpo_text_fold(const char *s, size_t n, char *out)
{
	size_t i = 0, k = 0, sp;
	int pending = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		/* Most bytes are printable ASCII or Cyrillic: copy them straight. */
		if (c > ' ' && c != 0xC2 && c != 0xE2 && c != 0x7f) {
			if (pending) {
				out[k++] = ' ';
				pending = 0;
			}
			out[k++] = (char)c;
			i++;
		} else if ((sp = space_at(s + i, n - i)) > 0) {
			pending = k > 0;
			i += sp;
		} else {
			if (pending) {
				out[k++] = ' ';
				pending = 0;
			}
			out[k++] = s[i++];
		}
	}
	out[k] = '\0';
	return k;
}

size_t
kpo_utf8_char(const char *str, size_t n, unsigned long *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long c, min;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F, min = 0x80;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static long
utf8_invalid_at(const char *str, size_t n, int nul_is_bad)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long cp;
	size_t i = 0, len;

	while (i < n) {
		/* Eight ASCII bytes at a time, none of them NUL. */
		while (i + 8 <= n) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] == 0 && nul_is_bad)
			return (long)i;
		if ((len = kpo_utf8_char(str + i, n - i, &cp)) == 0)
			return (long)i;
		i += len;
	}
	return -1;
}

long
kpo_utf8_invalid_at(const char *s, size_t n)
{
	return utf8_invalid_at(s, n, 0);
}

long
kpo_text_invalid_at(const char *s, size_t n)
{
	return utf8_invalid_at(s, n, 1);
}

static int
is_alnum_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Non-ASCII characters that are punctuation or space, not letters, for the
 * header key: NBSP, «», dashes, quotes, ellipsis. */
static size_t
nonascii_punct(const unsigned char *s, size_t n)
{
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0xA0 || s[1] == 0xAB || s[1] == 0xBB))
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] >= 0x90 && s[2] <= 0xAF)
		return 3;
	return 0;
}

size_t
kpo_header_key(const char *str, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k = 0, len, p;

	while (i < n) {
		if (s[i] < 0x80) {
			if (is_alnum_ascii(s[i]))
				out[k++] = (char)tolower(s[i]);
			i++;
		} else if ((p = nonascii_punct(s + i, n - i)) > 0) {
			i += p;
		} else {
			len = lower_char(s + i, n - i, (unsigned char *)out + k);
			k += len;
			i += len;
		}
	}
	out[k] = '\0';
	return k;
}

size_t
kpo_snake_case(const char *s, size_t n, char *out)
{
	size_t k = 0, i = 0;
	int gap = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		if (c < 0x80 && !is_alnum_ascii(c)) {
			gap = k > 0;
			i++;
			continue;
		}
		if (gap) {
			out[k++] = '_';
			gap = 0;
		}
		len = lower_char((const unsigned char *)s + i, n - i, (unsigned char *)out + k);
		k += len;
		i += len;
	}
	out[k] = '\0';
	return k;
}
