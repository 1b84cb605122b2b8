#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

size_t
kpo_space_at(const char *s, size_t n)
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

void
kpo_trim(const char **s, size_t *n)
{
	size_t k;

	/* Most values start and end with a byte no space starts or ends
	 * with (a no-break space ends in 0xA0, a narrow one in 0xAF). */
	if (*n > 0 && (unsigned char)(*s)[0] > ' ' && (unsigned char)(*s)[0] != 0xC2 &&
	    (unsigned char)(*s)[0] != 0xE2 && (unsigned char)(*s)[*n - 1] > ' ' &&
	    (unsigned char)(*s)[*n - 1] != 0xA0 && (unsigned char)(*s)[*n - 1] != 0xAF)
		return;
	while (*n > 0 && (k = kpo_space_at(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	for (;;) {
		if (*n >= 1 && kpo_space_at(*s + *n - 1, 1) == 1)
			*n -= 1;
		else if (*n >= 2 && kpo_space_at(*s + *n - 2, 2) == 2)
			*n -= 2;
		else if (*n >= 3 && kpo_space_at(*s + *n - 3, 3) == 3)
			*n -= 3;
		else
			break;
	}
}

/* ASCII, Latin-1 and Cyrillic lower case of the character at S: writes as many bytes
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
	if (n >= 2 && s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0x9E && s[1] != 0x97) {   /* À-Þ but × */
		out[0] = 0xC3;
		out[1] = s[1] + 0x20;
		return 2;
	}
	out[0] = s[0];
	return 1;
}

/* Lowers S into OUT, which gets exactly N bytes. */
void
kpo_lower_utf8(const char *s, size_t n, char *out)
{
	size_t i = 0;

	while (i < n)
		i += lower_char((const unsigned char *)s + i, n - i, (unsigned char *)out + i);
}

size_t
kpo_text_fold(const char *s, size_t n, char *out)
{
	size_t i = 0, k = 0, sp;
	int pending = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		/* After no space, the printable ASCII bytes (0x21 to 0x7E) of the
		 * next eight are copied as they are, up to the first other one.
		 * The word is stored whole: OUT holds N bytes, and K <= I. */
		if (!pending && i + 8 <= n) {
			uint64_t w, bad;

			memcpy(&w, s + i, 8);
			bad = ((w - 0x2121212121212121ULL) | (w + 0x0101010101010101ULL) | w) & 0x8080808080808080ULL;
			memcpy(out + k, &w, 8);
			if (!bad) {
				i += 8;
				k += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* The lowest byte flagged is a bad one: a borrow or a carry
			 * only flags bytes above the one it came from. */
			{
				size_t good = (size_t)__builtin_ctzll(bad) / 8;

				if (good) {
					i += good;
					k += good;
					continue;
				}
			}
#endif
		}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* The last bytes (fewer than eight), checked as the end of
		 * the word that ends the value, its bytes before I shifted
		 * out: a borrow or a carry from one of them can only flag a
		 * good byte, which then takes the byte path. */
		else if (!pending && n >= 8) {
			uint64_t w, bad;
			size_t good;

			memcpy(&w, s + n - 8, 8);
			bad = ((w - 0x2121212121212121ULL) | (w + 0x0101010101010101ULL) | w) & 0x8080808080808080ULL;
			bad >>= 8 * (i + 8 - n);
			good = bad ? (size_t)__builtin_ctzll(bad) / 8 : n - i;
			if (good) {
				memcpy(out + k, s + i, good);
				i += good;
				k += good;
				continue;
			}
		}
#endif
		/* One space between words stays as it is. */
		if (c == ' ' && !pending && k > 0 && i + 1 < n && (unsigned char)s[i + 1] > ' ' &&
		    (unsigned char)s[i + 1] != 0xC2 && (unsigned char)s[i + 1] != 0xE2) {
			out[k++] = ' ';
			i++;
			continue;
		}
		/* Most bytes are printable ASCII or Cyrillic: copy them straight. */
		if (c > ' ' && c != 0xC2 && c != 0xE2 && c != 0x7f) {
			if (pending) {
				out[k++] = ' ';
				pending = 0;
			}
			out[k++] = (char)c;
			i++;
		} else if ((sp = kpo_space_at(s + i, n - i)) > 0) {
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


static int
is_alnum_ascii(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Non-ASCII characters that are punctuation, symbols or space, not letters,
 * for the header key: NBSP, «», dashes, quotes, €, №. */
static size_t
nonascii_punct(const unsigned char *s, size_t n)
{
	/* U+00A0..U+00BF (NBSP, «», ©, °, £ ...), U+00D7 and U+00F7. */
	if (n >= 2 && s[0] == 0xC2 && s[1] >= 0xA0 && s[1] <= 0xBF)
		return 2;
	if (n >= 2 && s[0] == 0xC3 && (s[1] == 0x97 || s[1] == 0xB7))
		return 2;
	/* U+2000..U+2BFF: punctuation, currency symbols (€ ₽ ₹), №, arrows,
	 * mathematical signs. */
	if (n >= 3 && s[0] == 0xE2 && s[1] >= 0x80 && s[1] <= 0xAF)
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
