/* Business-hour turnaround: the seconds between two instants that fall inside
 * working hours, on working days that are not holidays, counted in the local
 * time of one zone.
 *
 * The working window of a day is its local START..END (say 09:00-18:00),
 * turned into instants with the zone's offset at those local times, so a day
 * on which clocks change still has its 9 working hours.  Holidays are local
 * dates.  The zone is read from the system's zoneinfo through TZ and
 * localtime_r(): a program that uses a calendar must not use TZ for anything
 * else. */
#ifndef KPO_CALENDAR_H
#define KPO_CALENDAR_H

#include <stdint.h>

struct kpo_calendar;

/* Day bits for kpo_calendar_new: bit 0 Sunday .. bit 6 Saturday. */
#define KPO_MON_FRI 0x3eu

/* TZ: a zone name, NULL or "UTC".  START and END: seconds after local
 * midnight, 0 <= START < END <= 86400.  DAYS: the working weekdays. */
struct kpo_calendar *kpo_calendar_new(const char *tz, int start, int end, unsigned days);
void kpo_calendar_free(struct kpo_calendar *c);

/* A holiday: a local date as days since 1970-01-01 (kpo_days_from_civil). */
void kpo_calendar_add_holiday(struct kpo_calendar *c, int64_t day);

/* Working seconds in [FROM, TO) (seconds since the epoch); 0 when TO <= FROM. */
int64_t kpo_calendar_seconds(struct kpo_calendar *c, int64_t from, int64_t to);

/* "HH:MM-HH:MM" (24:00 allowed as an end): seconds after midnight.  0, or -1
 * when S is not such a range or does not start before it ends. */
int kpo_work_hours_parse(const char *s, int *start, int *end);

/* "Mon-Fri", "Sun-Thu", "Mon,Wed,Fri", "Mon-Wed,Sat" (English names, any case,
 * three letters or in full; a range may wrap past Sunday): the day bits.  0, or
 * -1 when S names no day or holds something else. */
int kpo_work_days_parse(const char *s, unsigned *days);

#endif
