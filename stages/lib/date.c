#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "date.h"
#include "num.h"
#include "text.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

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

unsigned
kpo_days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* V (below 10^WIDTH, WIDTH 2 or 4) in WIDTH digits, two at a time. */
static char *
put_digits(char *p, unsigned v, int width)
{
	if (width == 4) {
		memcpy(p, kpo_digit_pairs + 2 * (v / 100 % 100), 2);
		p += 2;
	}
	memcpy(p, kpo_digit_pairs + 2 * (v % 100), 2);
	return p + 2;
}

/* By hand rather than by snprintf: it runs for every date of every row. */
size_t
kpo_datetime_format(int64_t t, char *out)
{
	int64_t days = kpo_day_of(t);
	int64_t secs = t - days * 86400, y;
	unsigned m, d;
	char *p = out;

	kpo_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, KPO_DATETIME_MAX, "%lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
		    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
		return strlen(out);
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
	return (size_t)(p - out);
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

void
kpo_tz_use(const char *zone)
{
	/* Per thread, so that a thread compares its own last zone; TZ itself
	 * is set only when it names another zone, which in kpo-run (one --tz
	 * for the process, set before its threads start) is never on a
	 * thread: setenv beside another thread's localtime_r is a race. */
	static _Thread_local const char *zone_set;
	const char *now;

	if (zone == zone_set)
		return;
	now = getenv("TZ");
	if (!now || strcmp(now, zone) != 0) {
		setenv("TZ", zone, 1);
		tzset();
	}
	zone_set = zone;
}

/* Offset of the zone at a local time, cached per local hour: zones change
 * their offset on the hour. */
static long
zone_offset(struct kpo_datefmt *f, int64_t days, int h, int mi, int s)
{
	int64_t key = days * 24 + h + 1;
	struct tm tm;
	time_t t;
	int64_t y;
	unsigned m, d;

	if (!f->tz || strcmp(f->tz, "UTC") == 0)
		return 0;
	if (key == f->cache_key)
		return f->cache_offset;
	kpo_tz_use(f->tz);
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

/* Month names and abbreviations as exports write them: English, and the
 * languages Jira exports in (Spanish, German, French, Portuguese, Russian),
 * in the old Java forms ("dic", "Mär") and the newer ones ("sept.",
 * "févr."); compared in lower case, a final '.' ignored. */
static const char *const month_words[12] = {
	"jan|january|ene|enero|januar|jän|jänner|janv|janvier|janeiro|янв|январь|января",
	"feb|february|febrero|februar|févr|fevr|fév|février|fevrier|fev|fevereiro|фев|февр|февраль|февраля",
	"mar|march|marzo|mär|märz|mrz|maerz|mars|março|marco|мар|март|марта",
	"apr|april|abr|abril|avr|avril|апр|апрель|апреля",
	"may|mayo|mai|maio|мая|май",
	"jun|june|junio|juni|juin|junho|июн|июнь|июня",
	"jul|july|julio|juli|juil|juillet|julho|июл|июль|июля",
	"aug|august|ago|agosto|août|aout|авг|август|августа",
	"sep|sept|september|septiembre|septembre|set|setembro|сен|сент|сентябрь|сентября",
	"oct|october|octubre|okt|oktober|octobre|out|outubro|окт|октябрь|октября",
	"nov|november|noviembre|novembre|novembro|ноя|нояб|ноябрь|ноября",
	"dec|december|dic|diciembre|dez|dezember|déc|dec|décembre|decembre|dezembro|дек|декабрь|декабря",
};

/* A month's name at C: letters (any script) and an optional '.'. */
static int
month_name(struct scan *c, int *m)
{
	char low[32];
	size_t start = c->i, end = c->i, len;
	int k;

	while (end < c->n && ((unsigned char)c->s[end] >= 0x80 ||
	    ((c->s[end] | 0x20) >= 'a' && (c->s[end] | 0x20) <= 'z')))
		end++;
	len = end - start;
	if (len == 0 || len >= sizeof low)
		return -1;
	kpo_lower_utf8(c->s + start, len, low);
	low[len] = '\0';
	for (k = 0; k < 12; k++) {
		const char *w = month_words[k], *bar;

		for (;; w = bar + 1) {
			bar = strchr(w, '|');
			if ((size_t)(bar ? bar - w : (long)strlen(w)) == len && memcmp(w, low, len) == 0) {
				*m = k + 1;
				c->i = end;
				eat(c, '.');
				return 0;
			}
			if (!bar)
				break;
		}
	}
	return -1;
}

/* An AM or PM after a time, as "AM", "pm", "a.m." or "p. m." (Spanish
 * Java): makes *H a 24-hour hour.  Nothing there: 0; an AM/PM with an hour
 * past 12: -1. */
static int
meridiem(struct scan *c, int *h)
{
	size_t save = c->i;
	int pm;

	while (c->i < c->n && c->s[c->i] == ' ')
		c->i++;
	if (c->i >= c->n || (c->s[c->i] != 'A' && c->s[c->i] != 'a' && c->s[c->i] != 'P' && c->s[c->i] != 'p')) {
		c->i = save;
		return 0;
	}
	pm = c->s[c->i] == 'P' || c->s[c->i] == 'p';
	c->i++;
	eat(c, '.');
	eat(c, ' ');
	if (!(eat(c, 'M') || eat(c, 'm'))) {
		c->i = save;
		return 0;
	}
	eat(c, '.');
	if (*h < 1 || *h > 12)
		return -1;
	*h = *h % 12 + (pm ? 12 : 0);
	return 0;
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
	return meridiem(c, h);
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

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || (unsigned)d > kpo_days_in_month(y, (unsigned)m))
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

	kpo_trim(&s, &n);
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

/* The two digits at S as a number, or -1. */
static int
two_digits(const char *s)
{
	unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';

	return a > 9 || b > 9 ? -1 : (int)(a * 10 + b);
}

int
kpo_stream_datetime(const char *s, size_t n, int64_t *t)
{
	struct kpo_datefmt utc;

	if (n == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
	    s[19] == 'Z') {
		int c = two_digits(s), yy = two_digits(s + 2), mo = two_digits(s + 5), d = two_digits(s + 8);
		int h = two_digits(s + 11), mi = two_digits(s + 14), se = two_digits(s + 17);
		int y = c < 0 || yy < 0 ? -1 : c * 100 + yy;

		if (y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && (unsigned)d <= kpo_days_in_month(y, (unsigned)mo) &&
		    h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 60) {
			*t = kpo_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
			return 0;
		}
	}
	memset(&utc, 0, sizeof utc);
	return kpo_datetime_parse(s, n, &utc, t);
}

int64_t
kpo_day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

void
kpo_date_format(int64_t day, char *out)
{
	int64_t y;
	unsigned m, d;

	kpo_civil_from_days(day, &y, &m, &d);
	out = put_digits(out, (unsigned)y, 4);
	*out++ = '-';
	out = put_digits(out, m, 2);
	*out++ = '-';
	out = put_digits(out, d, 2);
	*out = '\0';
}

void
kpo_month_format(int64_t day, char *out)
{
	kpo_date_format(day, out);
	out[7] = '\0';
}
