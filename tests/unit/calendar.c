/* Unit tests for stages/lib/calendar.c: business-hour turnaround.  Every
 * expected value is worked by hand in the comment beside it.
 *
 * Dates used (2026-01-01 is a Thursday): 2026-02-02 Mon, 2026-03-06 Fri,
 * 2026-03-29 Sun (Europe/Berlin: 02:00 CET -> 03:00 CEST, the day has 23 h),
 * 2026-10-25 Sun (03:00 CEST -> 02:00 CET, the day has 25 h), 2026-12-24 Thu.
 * Berlin is UTC+1 in winter (CET) and UTC+2 in summer (CEST). */
#include <stdint.h>
#include <stdlib.h>

#include "calendar.h"
#include "date.h"
#include "tap.h"

#define H 3600

/* An instant given in UTC. */
static int64_t
utc(int y, unsigned m, unsigned d, int hh, int mm)
{
	return kpo_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static unsigned
days(const char *s)
{
	unsigned mask = 0xdead;

	if (kpo_work_days_parse(s, &mask) != 0)
		return 0xffff;
	return mask;
}

static void
test_parsers(void)
{
	int a = -1, b = -1;

	ok(kpo_work_hours_parse("09:00-18:00", &a, &b) == 0 && a == 9 * H && b == 18 * H, "09:00-18:00");
	ok(kpo_work_hours_parse("9:30-17:15", &a, &b) == 0 && a == 9 * H + 1800 && b == 17 * H + 900, "9:30-17:15");
	ok(kpo_work_hours_parse("00:00-24:00", &a, &b) == 0 && a == 0 && b == 86400, "00:00-24:00");
	ok(kpo_work_hours_parse("18:00-09:00", &a, &b) != 0, "an end before the start is refused");
	ok(kpo_work_hours_parse("09:00-09:00", &a, &b) != 0, "an empty window is refused");
	ok(kpo_work_hours_parse("9-18", &a, &b) != 0, "hours without minutes are refused");
	ok(kpo_work_hours_parse("09:00-24:30", &a, &b) != 0, "24:30 is refused");
	ok(kpo_work_hours_parse("09:60-18:00", &a, &b) != 0, "minute 60 is refused");
	ok(kpo_work_hours_parse("09:00-18:00x", &a, &b) != 0, "trailing text is refused");

	/* bit 0 Sunday .. bit 6 Saturday */
	is_int(days("Mon-Fri"), 0x3e, "Mon-Fri = bits 1..5");
	is_int(days("monday-FRIDAY"), 0x3e, "full names, any case");
	is_int(days("Sun-Thu"), 0x1f, "Sun-Thu = bits 0..4");
	is_int(days("Mon,Wed,Fri"), 2 | 8 | 32, "a comma list");
	is_int(days("Fri-Mon"), 32 | 64 | 1 | 2, "a range wraps past Sunday");
	is_int(days("Mon-Tue,Sat"), 2 | 4 | 64, "ranges and single days mixed");
	is_int(days("Funday"), 0xffff, "an unknown name is refused");
	is_int(days(""), 0xffff, "an empty list is refused");
	is_int(days("Mon,"), 0xffff, "a trailing comma is refused");
	is_int(days("Mon-"), 0xffff, "an open range is refused");
}

static void
test_berlin(void)
{
	struct kpo_calendar *c = kpo_calendar_new("Europe/Berlin", 9 * H, 18 * H, KPO_MON_FRI);

	/* Fri 2026-03-06 17:00 CET (16:00Z) -> Mon 03-09 10:00 CET (09:00Z):
	 * Fri 17-18 + Mon 9-10 = 2 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 6, 16, 0), utc(2026, 3, 9, 9, 0)), 2 * H,
	    "across a weekend: Fri 17:00 -> Mon 10:00 is 2 h");
	/* Same minute: 0 */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 9, 9, 30), utc(2026, 3, 9, 9, 30)), 0,
	    "delivered the same minute it was requested: 0");
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 9, 10, 0), utc(2026, 3, 9, 9, 0)), 0,
	    "an end before the start: 0");
	/* Tue 2026-02-03 06:00 CET (05:00Z) -> 20:00 CET (19:00Z): the whole 9 h window */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 3, 5, 0), utc(2026, 2, 3, 19, 0)), 9 * H,
	    "starting and ending outside working hours on one day: 9 h");
	/* Mon 2026-02-02 07:00 CET -> 11:30 CET: 09:00-11:30 = 2.5 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 2, 6, 0), utc(2026, 2, 2, 10, 30)), 2 * H + 1800,
	    "starting before the working day: 2.5 h");
	/* Mon 2026-02-02 19:00 CET -> Tue 08:00 CET: all outside: 0 */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 2, 18, 0), utc(2026, 2, 3, 7, 0)), 0,
	    "overnight, outside working hours: 0");
	/* Sat 2026-02-07 10:00 -> Sun 02-08 15:00 CET: weekend only: 0 */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 7, 9, 0), utc(2026, 2, 8, 14, 0)), 0,
	    "a weekend only: 0");
	/* Sat 2026-02-07 10:00 -> Mon 02-09 20:00 CET: Monday's 9 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 7, 9, 0), utc(2026, 2, 9, 19, 0)), 9 * H,
	    "from a Saturday to a Monday evening: 9 h");

	/* Spring DST on Sunday 03-29.  Fri 03-27 17:00 CET (16:00Z) -> Mon 03-30
	 * 10:00 CEST (08:00Z): 1 h + 1 h = 2 h (wall clock: 63 h) */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 27, 16, 0), utc(2026, 3, 30, 8, 0)), 2 * H,
	    "Fri 17:00 CET -> Mon 10:00 CEST across the spring change: 2 h");
	/* Thu 03-26 09:00 CET (08:00Z) -> Tue 03-31 18:00 CEST (16:00Z): 4 days x 9 h = 36 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 26, 8, 0), utc(2026, 3, 31, 16, 0)), 36 * H,
	    "Thu 09:00 CET -> Tue 18:00 CEST: four 9 h days");
	/* Autumn DST on Sunday 10-25.  Fri 10-23 17:00 CEST (15:00Z) -> Mon 10-26
	 * 10:00 CET (09:00Z): 2 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 10, 23, 15, 0), utc(2026, 10, 26, 9, 0)), 2 * H,
	    "Fri 17:00 CEST -> Mon 10:00 CET across the autumn change: 2 h");
	/* Mon 10-19 09:00 CEST (07:00Z) -> Fri 10-30 18:00 CET (17:00Z): 10 days x 9 h = 90 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 10, 19, 7, 0), utc(2026, 10, 30, 17, 0)), 90 * H,
	    "two working weeks across the autumn change: 90 h");

	/* Multi-week: Mon 2026-02-02 09:00 CET -> Mon 02-23 09:00 CET: 3 x 5 x 9 h = 135 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 2, 8, 0), utc(2026, 2, 23, 8, 0)), 135 * H,
	    "three weeks: 135 h");
	/* Mon 03-16 09:00 CET (08:00Z) -> Fri 04-10 18:00 CEST (16:00Z): 4 x 45 h = 180 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 16, 8, 0), utc(2026, 4, 10, 16, 0)), 180 * H,
	    "four weeks across the spring change: 180 h");

	/* Thu 12-24 17:00 CET (16:00Z) -> Mon 12-28 10:00 CET (09:00Z): without
	 * holidays Thu 1 + Fri 9 + Mon 1 = 11 h; with Fri 12-25 a holiday, 2 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 12, 24, 16, 0), utc(2026, 12, 28, 9, 0)), 11 * H,
	    "Thu 17:00 -> Mon 10:00 without holidays: 11 h");
	kpo_calendar_add_holiday(c, kpo_days_from_civil(2026, 12, 25));
	kpo_calendar_add_holiday(c, kpo_days_from_civil(2026, 1, 1));
	is_int(kpo_calendar_seconds(c, utc(2026, 12, 24, 16, 0), utc(2026, 12, 28, 9, 0)), 2 * H,
	    "Thu 17:00 -> Mon 10:00 across the Friday holiday: 2 h");
	/* Mon 12-21 09:00 -> Fri 2027-01-08 18:00 CET: 3 weeks x 45 h = 135 h,
	 * less Fri 12-25 (9 h), and 2027-01-01 is not a holiday (only 2026-01-01
	 * was added): 126 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 12, 21, 8, 0), utc(2027, 1, 8, 17, 0)), 126 * H,
	    "three weeks with one holiday: 126 h");
	kpo_calendar_free(c);

	/* Every day a working day, all day: the local day's own length. */
	c = kpo_calendar_new("Europe/Berlin", 0, 86400, 0x7f);
	/* 2026-03-29 00:00 CET = 03-28T23:00Z; 03-30 00:00 CEST = 03-29T22:00Z: 23 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)), 23 * H,
	    "00:00-24:00 on the spring-change Sunday: 23 h");
	/* 2026-10-25 00:00 CEST = 10-24T22:00Z; 10-26 00:00 CET = 10-25T23:00Z: 25 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0)), 25 * H,
	    "00:00-24:00 on the autumn-change Sunday: 25 h");
	kpo_calendar_free(c);

	/* 09:00-18:00 every day: on the change days the window is local time. */
	c = kpo_calendar_new("Europe/Berlin", 9 * H, 18 * H, 0x7f);
	/* 03-29 09:00 CEST = 07:00Z; the first working hour is 07:00Z-08:00Z */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 29, 6, 0), utc(2026, 3, 29, 8, 0)), 1 * H,
	    "spring-change Sunday: work starts at 09:00 CEST = 07:00Z");
	/* 03-29 whole day: 9 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)), 9 * H,
	    "spring-change Sunday: 9 working hours");
	/* 10-25 09:00 CET = 08:00Z; 07:00Z-09:00Z holds one working hour */
	is_int(kpo_calendar_seconds(c, utc(2026, 10, 25, 7, 0), utc(2026, 10, 25, 9, 0)), 1 * H,
	    "autumn-change Sunday: work starts at 09:00 CET = 08:00Z");
	/* 10-24 09:00 CEST (07:00Z) -> 10-26 18:00 CET (17:00Z): 3 x 9 h = 27 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 10, 24, 7, 0), utc(2026, 10, 26, 17, 0)), 27 * H,
	    "Sat-Mon around the autumn change: 27 h");
	kpo_calendar_free(c);
}

static void
test_other_zones(void)
{
	struct kpo_calendar *c = kpo_calendar_new(NULL, 9 * H, 18 * H, KPO_MON_FRI);

	/* UTC: Mon 2026-02-02 08:00Z -> 12:00Z: 09:00-12:00 = 3 h */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 2, 8, 0), utc(2026, 2, 2, 12, 0)), 3 * H, "UTC: 3 h");
	/* Fri 2026-02-06 17:59:59Z -> Mon 02-09 09:00:01Z: 1 s + 1 s */
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 6, 17, 59) + 59, utc(2026, 2, 9, 9, 0) + 1), 2,
	    "UTC: seconds count, not minutes");
	kpo_calendar_free(c);

	/* Asia/Kolkata, UTC+5:30: Mon 2026-02-02 09:00 IST = 03:30Z.  00:00Z ->
	 * 04:30Z holds 03:30Z-04:30Z = 1 h */
	c = kpo_calendar_new("Asia/Kolkata", 9 * H, 18 * H, KPO_MON_FRI);
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 2, 0, 0), utc(2026, 2, 2, 4, 30)), 1 * H,
	    "Asia/Kolkata: a half-hour offset");
	kpo_calendar_free(c);

	/* Sun-Thu week (Asia/Dubai, UTC+4, no DST): Thu 2026-02-05 17:00 (13:00Z)
	 * -> Sun 02-08 10:00 (06:00Z): Thu 1 h + Sun 1 h = 2 h */
	c = kpo_calendar_new("Asia/Dubai", 9 * H, 18 * H, 0x1f);
	is_int(kpo_calendar_seconds(c, utc(2026, 2, 5, 13, 0), utc(2026, 2, 8, 6, 0)), 2 * H,
	    "a Sun-Thu week: Thu 17:00 -> Sun 10:00 is 2 h");
	kpo_calendar_free(c);
}

int
main(void)
{
	test_parsers();
	test_berlin();
	test_other_zones();
	return done_testing();
}
