#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "calendar.h"
#include "date.h"
#include "err.h"

#define CACHE_DAYS 1024         /* a power of two */

/* The working window of one local day, as instants; ws == we when the day
 * is not a working day. */
struct window {
	int64_t day;
	int64_t ws, we;
};

struct kpo_calendar {
	int utc;
	int start, end;
	unsigned days;
	int64_t *holiday;
	size_t nholiday, cap;
	int sorted;
	struct window cache[CACHE_DAYS];
};

static void
cache_clear(struct kpo_calendar *c)
{
	size_t i;

	for (i = 0; i < CACHE_DAYS; i++)
		c->cache[i].day = INT64_MIN;
}

struct kpo_calendar *
kpo_calendar_new(const char *tz, int start, int end, unsigned days)
{
	struct kpo_calendar *c = kpo_xcalloc(1, sizeof *c);

	c->utc = !tz || strcmp(tz, "UTC") == 0;
	if (!c->utc)
		kpo_tz_use(tz);
	c->start = start;
	c->end = end;
	c->days = days & 0x7f;
	c->sorted = 1;
	cache_clear(c);
	return c;
}

void
kpo_calendar_free(struct kpo_calendar *c)
{
	if (c) {
		free(c->holiday);
		free(c);
	}
}

void
kpo_calendar_add_holiday(struct kpo_calendar *c, int64_t day)
{
	if (c->nholiday == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->holiday = kpo_xrealloc(c->holiday, c->cap * sizeof *c->holiday);
	}
	c->holiday[c->nholiday++] = day;
	c->sorted = 0;
	cache_clear(c);
}

static int
cmp_day(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
is_holiday(const struct kpo_calendar *c, int64_t day)
{
	size_t lo = 0, hi = c->nholiday;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->holiday[mid] == day)
			return 1;
		if (c->holiday[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The zone's offset from UTC at instant T, in seconds. */
static long
offset_at(const struct kpo_calendar *c, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (c->utc || !localtime_r(&tt, &tm))
		return 0;
	return tm.tm_gmtoff;
}

/* The instant of local time LOCAL (seconds since the epoch, read as if UTC).
 * A local time that occurs twice (clocks going back) is the later one; one
 * that never occurs (clocks going forward) moves forward by the gap. */
static int64_t
instant_of(const struct kpo_calendar *c, int64_t local)
{
	long o1, o2;
	int64_t t;

	if (c->utc)
		return local;
	o1 = offset_at(c, local);
	t = local - o1;
	o2 = offset_at(c, t);
	if (o2 != o1 && offset_at(c, local - o2) == o2)
		t = local - o2;
	return t;
}

/* The local day (days since 1970-01-01) that instant T falls on. */
static int64_t
local_day(const struct kpo_calendar *c, int64_t t)
{
	int64_t l = t + offset_at(c, t);

	return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

static const struct window *
window_of(struct kpo_calendar *c, int64_t day)
{
	struct window *w = &c->cache[(uint64_t)day & (CACHE_DAYS - 1)];
	int wday;

	if (w->day == day)
		return w;
	w->day = day;
	wday = (int)(((day % 7) + 7 + 4) % 7);  /* 1970-01-01 was a Thursday */
	if (!(c->days & (1u << wday)) || is_holiday(c, day)) {
		w->ws = w->we = 0;
		return w;
	}
	w->ws = instant_of(c, day * 86400 + c->start);
	w->we = instant_of(c, day * 86400 + c->end);
	if (w->we < w->ws)
		w->we = w->ws;
	return w;
}

int64_t
kpo_calendar_seconds(struct kpo_calendar *c, int64_t from, int64_t to)
{
	int64_t d, d0, d1, sum = 0;

	if (to <= from)
		return 0;
	if (!c->sorted) {
		qsort(c->holiday, c->nholiday, sizeof *c->holiday, cmp_day);
		c->sorted = 1;
	}
	d0 = local_day(c, from);
	d1 = local_day(c, to);
	for (d = d0; d <= d1; d++) {
		const struct window *w = window_of(c, d);
		int64_t a, b;

		if (w->ws == w->we)
			continue;
		a = w->ws > from ? w->ws : from;
		b = w->we < to ? w->we : to;
		if (b > a)
			sum += b - a;
	}
	return sum;
}

/* Parses H or HH ":" MM at *S; seconds after midnight, or -1. */
static int
clock_at(const char **s)
{
	const char *p = *s;
	int h = 0, m, digits = 0;

	while (*p >= '0' && *p <= '9' && digits < 2) {
		h = h * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p++ != ':' || p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9')
		return -1;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	*s = p + 2;
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 3600 + m * 60;
}

int
kpo_work_hours_parse(const char *s, int *start, int *end)
{
	int a, b;

	if ((a = clock_at(&s)) < 0 || *s++ != '-' || (b = clock_at(&s)) < 0 || *s)
		return -1;
	if (a >= b || a == 86400)
		return -1;
	*start = a;
	*end = b;
	return 0;
}

static int
day_named(const char *s, size_t n)
{
	static const char *const names[7] = {
		"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	};
	int d;

	for (d = 0; d < 7; d++)
		if ((n == 3 || n == strlen(names[d])) && strncasecmp(s, names[d], n) == 0)
			return d;
	return -1;
}

int
kpo_work_days_parse(const char *s, unsigned *days)
{
	unsigned mask = 0;

	for (;;) {
		size_t n = strcspn(s, ",-");
		int a = day_named(s, n), b;

		if (a < 0)
			return -1;
		s += n;
		b = a;
		if (*s == '-') {
			s++;
			n = strcspn(s, ",-");
			if ((b = day_named(s, n)) < 0)
				return -1;
			s += n;
		}
		for (;;) {
			mask |= 1u << a;
			if (a == b)
				break;
			a = (a + 1) % 7;
		}
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return -1;
	}
	*days = mask;
	return 0;
}
