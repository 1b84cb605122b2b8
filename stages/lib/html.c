#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "html.h"
#include "out.h"

/* The length of the valid UTF-8 sequence at S (at most N bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long c, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, c = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, c = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
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
	return len;
}

size_t
kpo_html_escape(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len = 0, k;

	while (i < n) {
		const char *ent = NULL;

		switch (u[i]) {
		case '&':  ent = "&amp;"; break;
		case '<':  ent = "&lt;"; break;
		case '>':  ent = "&gt;"; break;
		case '"':  ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		}
		if (ent) {
			k = strlen(ent);
			memcpy(out + len, ent, k), len += k;
			i++;
		} else if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F ||
		    (k = utf8_len(u + i, n - i)) == 0) {
			memcpy(out + len, "\xEF\xBF\xBD", 3), len += 3;
			i++;
		} else {
			memcpy(out + len, s + i, k), len += k;
			i += k;
		}
	}
	out[len] = '\0';
	return len;
}

int
kpo_html_put(struct kpo_out *o, const char *s, size_t n)
{
	char small[6 * 64 + 1], *buf = n <= 64 ? small : kpo_xmalloc(6 * n + 1);
	size_t len = kpo_html_escape(s, n, buf);
	int rc = kpo_out_write(o, buf, len);

	if (buf != small)
		free(buf);
	return rc;
}

int
kpo_html_putz(struct kpo_out *o, const char *s)
{
	return kpo_html_put(o, s, strlen(s));
}

size_t
kpo_url_path(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			out[len++] = (char)c;
		} else {
			out[len++] = '%';
			out[len++] = hex[c >> 4];
			out[len++] = hex[c & 15];
		}
	}
	out[len] = '\0';
	return len;
}

char *
kpo_relpath(const char *from, const char *to)
{
	size_t common = 0, i, ups = 0, n;
	const char *rest;
	char *r;

	/* The longest common prefix that ends at a component boundary. */
	for (i = 0;; i++) {
		int fend = from[i] == '\0' || from[i] == '/', tend = to[i] == '\0' || to[i] == '/';

		if (fend && tend)
			common = i;
		if (from[i] == '\0' || to[i] == '\0' || from[i] != to[i])
			break;
	}
	if (from[common] == '\0' && to[common] == '\0')
		return kpo_xstrdup(".");
	for (i = common; from[i]; i++)
		if (from[i] == '/' && from[i + 1] != '\0')
			ups++;
	if (common == 0 && from[0] == '/' && from[1] == '\0')
		ups = 0;
	rest = to + common;
	while (*rest == '/')
		rest++;
	n = 3 * ups + strlen(rest) + 2;
	r = kpo_xmalloc(n);
	r[0] = '\0';
	for (i = 0; i < ups; i++)
		strcat(r, i + 1 < ups || *rest ? "../" : "..");
	strcat(r, rest);
	return r;
}
