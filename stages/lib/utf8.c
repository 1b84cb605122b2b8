#include <stdint.h>
#include <string.h>

#include "utf8.h"

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
