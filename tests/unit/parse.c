/* Unit tests for stages/lib/parse.c.  Expected values were worked out by hand
 * and, for the day counts, checked with Python's datetime (see comments). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "num.h"
#include "text.h"
#include "utf8.h"
#include "tap.h"

static const char *
num(const char *s, char decimal)
{
	static char out[KPO_NUM_MAX];
	int rc = kpo_num_canon(s, strlen(s), decimal, out);

	return rc == 0 ? out : rc == KPO_PARSE_RANGE ? "RANGE" : "BAD";
}

static const char *
dt(const char *s, char order, const char *tz, const char *fmt)
{
	static char out[KPO_DATETIME_MAX];
	struct kpo_datefmt f = { .order = order, .tz = tz, .strptime = fmt };
	int64_t t;

	if (kpo_datetime_parse(s, strlen(s), &f, &t) != 0)
		return "BAD";
	kpo_datetime_format(t, out);
	return out;
}

static const char *
stream_dt(const char *s)
{
	static char out[KPO_DATETIME_MAX];
	int64_t t;

	if (kpo_stream_datetime(s, strlen(s), &t) != 0)
		return "BAD";
	kpo_datetime_format(t, out);
	return out;
}

static const char *
trimmed(const char *s)
{
	static char out[256];
	size_t n = strlen(s);

	kpo_trim(&s, &n);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static int
boolean(const char *s)
{
	int v;

	return kpo_bool_parse(s, strlen(s), &v) == 0 ? v : -1;
}

static const char *
key(const char *s)
{
	static char out[256];

	kpo_header_key(s, strlen(s), out);
	return out;
}

static const char *
snake(const char *s)
{
	static char out[256];

	kpo_snake_case(s, strlen(s), out);
	return out;
}

static const char *
fold(const char *s)
{
	static char out[256];

	kpo_text_fold(s, strlen(s), out);
	return out;
}

int
main(void)
{
	/* Numbers */
	is(num("1250.50", '.'), "1250.5", "trailing fraction zero dropped");
	is(num("1,250.50", '.'), "1250.5", "comma thousands with dot decimal");
	is(num("12 500,00", ','), "12500", "space thousands with comma decimal");
	is(num("12\xC2\xA0" "500,75", ','), "12500.75", "NBSP thousands");
	is(num("1'234'567.5", '.'), "1234567.5", "apostrophe thousands");
	is(num("1.234.567,5", ','), "1234567.5", "dot thousands with comma decimal");
	is(num("1250,5", ','), "1250.5", "decimal comma");
	is(num("1250,5", '.'), "BAD", "a comma that cannot be thousands with dot decimal");
	is(num("1,25", '.'), "BAD", "thousands group of two digits");
	is(num("1,2345", '.'), "BAD", "thousands group of four digits");
	is(num("1234,567.5", '.'), "BAD", "a first group of four digits before a separator");
	is(num("007", '.'), "7", "leading zeros dropped");
	is(num("0.050", '.'), "0.05", "leading zeros of the fraction kept");
	is(num(".5", '.'), "0.5", "no integer digits");
	is(num("5.", '.'), "5", "no fraction digits");
	is(num("+3", '.'), "3", "plus sign dropped");
	is(num("-0", '.'), "0", "minus zero is zero");
	is(num("-0.00", '.'), "0", "minus zero with fraction");
	is(num("-12.5", '.'), "-12.5", "negative kept (the stage rejects it)");
	is(num("  42  ", '.'), "42", "surrounding blanks");
	is(num("1.5E+3", '.'), "1500", "exponent");
	is(num("15e-4", '.'), "0.0015", "negative exponent");
	is(num("1e308", '.'), "RANGE", "1e308 is out of range");
	is(num("9223372036854775807", '.'), "RANGE", "19 integer digits out of range");
	is(num("999999999999999", '.'), "999999999999999", "15 integer digits kept");
	is(num("0.1234567890123", '.'), "RANGE", "13 fraction digits out of range");
	is(num("NaN", '.'), "BAD", "NaN");
	is(num("inf", '.'), "BAD", "inf");
	is(num("", '.'), "BAD", "empty");
	is(num("-", '.'), "BAD", "sign only");
	is(num("12.3.4", '.'), "BAD", "two points");
	is(num("abc", '.'), "BAD", "letters");
	is(num("1e", '.'), "BAD", "exponent without digits");
	is(num("$100", '.'), "BAD", "currency sign");

	/* Date-times.  2026-03-04T09:15+03:00 is 06:15Z by hand. */
	is(dt("2026-03-04T09:15:00Z", 0, NULL, NULL), "2026-03-04T09:15:00Z", "ISO with Z");
	is(dt("2026-03-04T09:15:00+03:00", 0, NULL, NULL), "2026-03-04T06:15:00Z", "ISO with +03:00");
	is(dt("2026-03-04 09:15", 0, NULL, NULL), "2026-03-04T09:15:00Z", "ISO with space, no seconds");
	is(dt("2026-03-04T09:15:07.123456Z", 0, NULL, NULL), "2026-03-04T09:15:07Z", "fraction dropped");
	is(dt("2026-03-04T23:30:00-0500", 0, NULL, NULL), "2026-03-05T04:30:00Z", "offset -0500 crosses midnight");
	is(dt("2026-03-04", 0, NULL, NULL), "2026-03-04T00:00:00Z", "date only");
	is(dt("2026-01-01T00:30:00+01:00", 0, NULL, NULL), "2025-12-31T23:30:00Z", "offset crosses the year");
	is(dt("04.03.2026 10:00", 0, NULL, NULL), "2026-03-04T10:00:00Z", "DD.MM.YYYY HH:MM");
	is(dt("4.3.2026", 0, NULL, NULL), "2026-03-04T00:00:00Z", "D.M.YYYY");
	is(dt("2026/03/04 10:00:05", 0, NULL, NULL), "2026-03-04T10:00:05Z", "YYYY/MM/DD");
	is(dt("05/Mar/26 2:31 PM", 0, NULL, NULL), "2026-03-05T14:31:00Z", "Jira date with PM");
	is(dt("05/Mar/26 12:05 AM", 0, NULL, NULL), "2026-03-05T00:05:00Z", "Jira 12 AM is midnight");
	is(dt("05/Mar/26 12:05 PM", 0, NULL, NULL), "2026-03-05T12:05:00Z", "Jira 12 PM is noon");
	is(dt("05/Mar/26", 0, NULL, NULL), "2026-03-05T00:00:00Z", "Jira date only");
	is(dt("03/04/2026", 0, NULL, NULL), "BAD", "numeric slash date needs an order");
	is(dt("03/04/2026", 'd', NULL, NULL), "2026-04-03T00:00:00Z", "dmy");
	is(dt("03/04/2026", 'm', NULL, NULL), "2026-03-04T00:00:00Z", "mdy");
	is(dt("2026-02-29", 0, NULL, NULL), "BAD", "Feb 29 of a non-leap year");
	is(dt("2024-02-29", 0, NULL, NULL), "2024-02-29T00:00:00Z", "Feb 29 of a leap year");
	is(dt("2000-02-29", 0, NULL, NULL), "2000-02-29T00:00:00Z", "Feb 29 of 2000");
	is(dt("1900-02-29", 0, NULL, NULL), "BAD", "no Feb 29 in 1900");
	is(dt("2026-02-30", 0, NULL, NULL), "BAD", "Feb 30");
	is(dt("2026-13-01", 0, NULL, NULL), "BAD", "month 13");
	is(dt("2026-03-04T24:00:00Z", 0, NULL, NULL), "BAD", "24:00:00 is refused");
	is(dt("2026-03-04T10:60", 0, NULL, NULL), "BAD", "minute 60");
	is(dt("0001-01-01T00:00:00Z", 0, NULL, NULL), "0001-01-01T00:00:00Z", "year 1");
	is(dt("9999-12-31T23:59:59Z", 0, NULL, NULL), "9999-12-31T23:59:59Z", "year 9999");
	is(dt("0000-01-01", 0, NULL, NULL), "BAD", "year 0");
	is(dt("9999-12-31T23:59-12", 0, NULL, NULL), "BAD", "year 9999 with -12:00 is year 10000 in UTC");
	is(dt("0001-01-01T00:30+01:00", 0, NULL, NULL), "BAD", "year 1 with +01:00 is year 0 in UTC");
	is(dt("2026-03-04T10:00+14:00", 0, NULL, NULL), "2026-03-03T20:00:00Z", "offset +14:00");
	is(dt("2026-03-04T10:00-14:00", 0, NULL, NULL), "2026-03-05T00:00:00Z", "offset -14:00");
	is(dt("2026-03-04T10:00+14:30", 0, NULL, NULL), "BAD", "offset past 14:00");
	is(dt("yesterday", 0, NULL, NULL), "BAD", "a word");
	is(dt("2026-03-04 10:00 extra", 0, NULL, NULL), "BAD", "trailing text");
	/* Europe/Berlin is UTC+1 in winter and UTC+2 in summer (CEST from
	 * 2026-03-29 02:00 local, by the EU rule). */
	is(dt("2026-01-15 10:00", 0, "Europe/Berlin", NULL), "2026-01-15T09:00:00Z", "naive winter time in Berlin");
	is(dt("2026-07-15 10:00", 0, "Europe/Berlin", NULL), "2026-07-15T08:00:00Z", "naive summer time in Berlin");
	is(dt("2026-07-15 10:00Z", 0, "Europe/Berlin", NULL), "2026-07-15T10:00:00Z", "an explicit zone beats --tz");
	is(dt("Mar 4 2026 10:00", 0, NULL, "%b %d %Y %H:%M"), "2026-03-04T10:00:00Z", "strptime format");
	is(dt("2026-03-04", 0, NULL, "%b %d %Y %H:%M"), "2026-03-04T00:00:00Z", "built-in forms after the format");
	/* Day numbers: Python date(2026,1,1) - date(1970,1,1) = 20454 days;
	 * date(1,1,1) is -719162. */
	is_int(kpo_days_from_civil(1970, 1, 1), 0, "epoch day 0");
	is_int(kpo_days_from_civil(2026, 1, 1), 20454, "2026-01-01 is day 20454");
	is_int(kpo_days_from_civil(1, 1, 1), -719162, "0001-01-01 is day -719162");
	{
		int64_t y; unsigned m, d, bad = 0;
		for (int64_t z = -719162; z < 2932897; z += 7) {
			kpo_civil_from_days(z, &y, &m, &d);
			if (kpo_days_from_civil(y, m, d) != z)
				bad++;
		}
		is_int(bad, 0, "civil_from_days inverts days_from_civil over years 1-9999");
	}

	/* Booleans */
	is_int(boolean("yes"), 1, "yes");
	is_int(boolean("No"), 0, "No");
	is_int(boolean("TRUE"), 1, "TRUE");
	is_int(boolean("0"), 0, "0");
	is_int(boolean("y"), 1, "y");
	is_int(boolean("\xD0\x94\xD0\xB0"), 1, "Да");
	is_int(boolean("\xD0\x9D\xD0\x95\xD0\xA2"), 0, "НЕТ");
	is_int(boolean("maybe"), -1, "maybe is no boolean");
	is_int(boolean("2"), -1, "2 is no boolean");

	/* Header keys and names */
	is(key("In-house Rate"), "inhouserate", "header key drops case and punctuation");
	is(key("Custom field (Vendor)"), "customfieldvendor", "Jira custom field");
	is(key("\xD0\x9D\xD0\xBE\xD0\xBC\xD0\xB5\xD1\x80 \xD0\x97\xD0\x90\xD0\x94\xD0\x90\xD0\xA7\xD0\x98"),
	    "\xD0\xBD\xD0\xBE\xD0\xBC\xD0\xB5\xD1\x80\xD0\xB7\xD0\xB0\xD0\xB4\xD0\xB0\xD1\x87\xD0\xB8",
	    "Cyrillic lowered (Номер ЗАДАЧИ -> номерзадачи)");
	is(key("\xC2\xAB" "Vendor\xC2\xBB"), "vendor", "guillemets dropped");
	is(snake("Issue Type"), "issue_type", "snake case");
	is(snake("  Custom field (Sprint) "), "custom_field_sprint", "snake case trims and folds");

	/* Text */
	is(fold("  Acme \t  Analytics\n Ltd.  "), "Acme Analytics Ltd.", "fold and trim");
	is(fold("\xC2\xA0" "A\xC2\xA0\xC2\xA0" "B"), "A B", "NBSP is white space");
	is(fold(""), "", "empty");
	/* Eight printable ASCII bytes at a time, and every way out of that. */
	is(fold("Northwind Bank valuation support"), "Northwind Bank valuation support", "long words, single spaces");
	is(fold("ABCDEFGH  IJKLMNOP"), "ABCDEFGH IJKLMNOP", "spaces right after a word of 8");
	is(fold("ABCDEFG\tHIJKLMNOP "), "ABCDEFG HIJKLMNOP", "a tab as the 8th byte, a space at the end");
	is(fold("ABCDEFG\x7fHIJ"), "ABCDEFG\x7fHIJ", "DEL in a word of 8 is kept, not space");
	is(fold("ABCDEF\xC2\xA0GHIJKLMN"), "ABCDEF GHIJKLMN", "NBSP inside the first 8 bytes");
	is(fold("ABCDEFGH\xE2\x80\xAF" "IJKLMNOPQ"), "ABCDEFGH IJKLMNOPQ", "a narrow NBSP after 8 bytes");
	is(fold("\xD0\x90\xD0\xBB\xD1\x8C\xD1\x84\xD0\xB0 Analytics!"), "\xD0\x90\xD0\xBB\xD1\x8C\xD1\x84\xD0\xB0 Analytics!",
	    "Cyrillic then ASCII");
	is(fold("~~~~~~~~!!!!!!!!"), "~~~~~~~~!!!!!!!!", "the ends of printable ASCII");
	is(trimmed("Acme"), "Acme", "trim: nothing to trim");
	is(trimmed("A"), "A", "trim: one byte");
	is(trimmed("Acme\xC2\xA0"), "Acme", "trim: a no-break space at the end");
	is(trimmed("Acme\xE2\x80\xAF"), "Acme", "trim: a narrow no-break space at the end");
	is(trimmed("\xC2\xA0" "Acme"), "Acme", "trim: a no-break space at the start");
	is(trimmed("Acme\r"), "Acme", "trim: a CR at the end");
	is(trimmed("\xD0\xB0"), "\xD0\xB0", "trim: Cyrillic kept");
	is(stream_dt("2025-10-08T11:47:11Z"), "2025-10-08T11:47:11Z", "stream time: canonical");
	is(stream_dt("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z", "stream time: the first year");
	is(stream_dt("9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z", "stream time: the last second");
	is(stream_dt("2a25-10-08T11:47:11Z"), "BAD", "stream time: a letter in the year");
	is(stream_dt("2025-1/-08T11:47:11Z"), "BAD", "stream time: a slash in the month");
	is(stream_dt("2025-02-29T00:00:00Z"), "BAD", "stream time: no 29 February in 2025");
	is(stream_dt("2025-10-08T24:00:00Z"), "BAD", "stream time: hour 24");
	is(dt("2026-03-04 1:05 pm", 0, NULL, NULL), "2026-03-04T13:05:00Z", "pm after a time");
	is(dt("2026-03-04 1:05 x", 0, NULL, NULL), "BAD", "no AM/PM: what follows the time is bad");
	is(fold("Q3 market scan\nphase 2"), "Q3 market scan phase 2", "a newline, then the last word of fewer than 8 bytes");
	is(fold("abcdefghij\tk  "), "abcdefghij k", "a tab in the last 8 bytes, spaces at the end");
	is(fold("abcdefghij\x01yz"), "abcdefghij\x01yz", "a control byte in the last 8 bytes is kept");
	is(fold("Tailspin Prior auth  review"), "Tailspin Prior auth review", "words shorter than 8, a double space");
	is(fold("ab cd\tef  gh\r\nij kl mn op qr "), "ab cd ef gh ij kl mn op qr", "a space every few bytes");
	is(fold("x\xC3\xA9tude  Gda\xC5\x84sk-Analytics"), "x\xC3\xA9tude Gda\xC5\x84sk-Analytics",
	    "UTF-8 letters inside words of 8");

	/* UTF-8 */
	is_int(kpo_utf8_invalid_at("abc", 3), -1, "ASCII is UTF-8");
	is_int(kpo_utf8_invalid_at("\xD0\x94\xD0\xB0", 4), -1, "Cyrillic is UTF-8");
	is_int(kpo_utf8_invalid_at("ab\xFF", 3), 2, "0xFF is not");
	is_int(kpo_utf8_invalid_at("\xC0\xAF", 2), 0, "overlong slash");
	is_int(kpo_utf8_invalid_at("\xED\xA0\x80", 3), 0, "surrogate");
	is_int(kpo_utf8_invalid_at("a\xD0", 2), 1, "truncated sequence");
	is_int(kpo_utf8_invalid_at("\xF4\x90\x80\x80", 4), 0, "past U+10FFFF");
	is_int(kpo_utf8_invalid_at("\xF0\x9F\x98\x80", 4), -1, "emoji");
	is_int(kpo_utf8_invalid_at("abcdefgh\0jk", 11), -1, "NUL is UTF-8");
	is_int(kpo_text_invalid_at("abcdefgh\0jk", 11), 8, "but not text: NUL in the tail");
	is_int(kpo_text_invalid_at("abc\0efghijklmnop", 16), 3, "NUL inside an 8-byte word");
	is_int(kpo_text_invalid_at("abcdefghijklmnop", 16), -1, "ASCII words without NUL");
	is_int(kpo_text_invalid_at("\xD0\x94\0", 3), 2, "NUL after Cyrillic");

	return done_testing();
}
