#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "html.h"
#include "out.h"
#include "utf8.h"

size_t
kpo_html_escape(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len = 0, k;
	unsigned long cp;

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
		    (k = kpo_utf8_char((const char *)u + i, n - i, &cp)) == 0) {
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
