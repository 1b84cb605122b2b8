/* Unit tests for stages/lib/money.c; every expected value worked by hand. */
#include <string.h>

#include "money.h"
#include "num.h"
#include "tap.h"

static const char *
fmt(kpo_money v, int decimals)
{
	static char out[KPO_MONEY_MAX];

	kpo_money_format(v, decimals, out);
	return out;
}

static const char *
mul(const char *a, const char *b)
{
	static char out[KPO_MONEY_MAX];
	struct kpo_dec x, y;
	kpo_money m;

	if (kpo_dec_parse(a, strlen(a), &x) || kpo_dec_parse(b, strlen(b), &y) || kpo_dec_mul_money(x, y, &m))
		return "ERR";
	kpo_money_format(m, 4, out);
	return out;
}

static const char *
ratio(long long num, long long den, int decimals)
{
	static char out[KPO_MONEY_MAX];

	kpo_ratio_format(num, den, decimals, out);
	return out;
}

int
main(void)
{
	struct kpo_dec d;

	is_int(kpo_dec_parse("1250.5", 6, &d), 0, "parse 1250.5");
	is_int(d.m, 12505, "mantissa 12505");
	is_int(d.scale, 1, "scale 1");
	is_int(kpo_dec_parse("0.011234", 8, &d), 0, "parse 0.011234");
	is_int(d.m, 11234, "mantissa 11234");
	is_int(d.scale, 6, "scale 6");
	is_int(kpo_dec_parse("-0.5", 4, &d), 0, "parse -0.5");
	is_int(d.m, -5, "negative mantissa");
	is_int(kpo_dec_parse("1e5", 3, &d), KPO_PARSE_BAD, "no exponent in a stream");
	is_int(kpo_dec_parse("", 0, &d), KPO_PARSE_BAD, "empty");
	is_int(kpo_dec_parse("1234567890123456789", 19, &d), KPO_PARSE_RANGE, "19 digits");

	is(fmt(12345, 4), "1.2345", "4 decimals");
	is(fmt(12345, 2), "1.23", "1.2345 -> 1.23");
	is(fmt(12350, 2), "1.24", "1.235 -> 1.24 (half to even: 3 is odd)");
	is(fmt(12250, 2), "1.22", "1.225 -> 1.22 (half to even: 2 is even)");
	is(fmt(12251, 2), "1.23", "1.2251 -> 1.23");
	is(fmt(-12350, 2), "-1.24", "-1.235 -> -1.24");
	is(fmt(-12250, 2), "-1.22", "-1.225 -> -1.22");
	is(fmt(0, 2), "0.00", "zero");
	is(fmt(-1, 2), "0.00", "-0.0001 rounds to 0.00, no minus sign");
	is(fmt(5, 0), "0", "0.0005 -> 0");
	is(fmt(INT64_MAX, 4), "922337203685477.5807", "largest money");
	is(fmt(-INT64_MAX, 4), "-922337203685477.5807", "smallest money");
	is(fmt(0, 4), "0.0000", "zero, 4 decimals");
	is(fmt(-1, 4), "-0.0001", "-0.0001, 4 decimals");
	is(fmt(99999, 4), "9.9999", "one integer digit");
	is(fmt(100000, 4), "10.0000", "two integer digits");
	is(fmt(1000000, 4), "100.0000", "three integer digits");
	is(fmt(-12304567, 4), "-1230.4567", "four integer digits, a zero inside");

	/* 100 EUR at 1.08 USD = 108 USD; 1250.5 INR at 0.011234 = 14.048117 -> 14.0481 */
	is(mul("100", "1.08"), "108.0000", "100 x 1.08");
	is(mul("1250.5", "0.011234"), "14.0481", "1250.5 x 0.011234");
	/* 0.00005 x 1 = 0.00005: half to even -> 0.0000; 0.00015 -> 0.0002 */
	is(mul("0.00005", "1"), "0.0000", "half to even down");
	is(mul("0.00015", "1"), "0.0002", "half to even up");
	is(mul("7.25", "85.5"), "619.8750", "hours x rate");
	is(mul("-3.5", "2"), "-7.0000", "negative");
	/* Found by fuzzing: two 18-digit integers overflowed 128 bits on scaling. */
	is(mul("333173331333", "7333333333"), "ERR", "a product past 922337203685477 is out of range");

	is(ratio(100 * 25, 40, 2), "62.50", "100 x 25 / 40");
	is(ratio(100 * 1, 3, 2), "33.33", "1/3");
	is(ratio(100 * 2, 3, 2), "66.67", "2/3");
	is(ratio(1, 8, 2), "0.12", "0.125 -> 0.12 (half to even)");
	is(ratio(3, 8, 2), "0.38", "0.375 -> 0.38");
	is(ratio(-1, 8, 2), "-0.12", "-0.125 -> -0.12");
	is(ratio(-100, 3, 2), "-33.33", "-1/3 x 100");
	return done_testing();
}
