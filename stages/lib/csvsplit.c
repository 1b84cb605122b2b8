#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvsplit.h"
#include "err.h"

#define BLOCK (1u << 20)

/* Reads up to N bytes at OFF: the bytes read, 0 at the end, -1 on error. */
static ssize_t
read_at(int fd, char *buf, size_t n, unsigned long long off)
{
	ssize_t got;

	do
		got = pread(fd, buf, n, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got;
}

/* The byte after the first LF at or after AT, or 0 when there is none. */
static unsigned long long
after_lf(int fd, char *buf, unsigned long long at)
{
	for (;;) {
		ssize_t got = read_at(fd, buf, BLOCK, at);
		const char *lf;

		if (got <= 0)
			return 0;
		if ((lf = memchr(buf, '\n', (size_t)got)) != NULL)
			return at + (unsigned long long)(lf - buf) + 1;
		at += (unsigned long long)got;
	}
}

size_t
kpo_split_cuts(int fd, unsigned long long size, unsigned long long data, size_t n, unsigned long long *cut)
{
	char *buf = kpo_xmalloc(BLOCK);
	unsigned long long last = 0;
	size_t parts = 1, i;

	cut[0] = 0;
	for (i = 1; i < n && data < size; i++) {
		unsigned long long target = data + (size - data) * i / n, at;

		if (target < last)
			target = last;
		at = after_lf(fd, buf, target);
		if (at == 0 || at >= size)
			break;
		if (at <= data || at <= last)
			continue;
		cut[parts++] = last = at;
	}
	free(buf);
	return parts;
}

long
kpo_line_ends(int fd, unsigned long long from, unsigned long long to)
{
	char *buf = kpo_xmalloc(BLOCK + 1);
	long ends = 0;

	while (from < to) {
		size_t want = to - from < BLOCK ? (size_t)(to - from) : BLOCK, n;
		ssize_t got = read_at(fd, buf, want + 1, from);     /* and the byte after, for a CR */
		const char *p, *end;

		if (got <= 0) {
			ends = got < 0 ? -1 : ends;
			break;
		}
		n = (size_t)got < want ? (size_t)got : want;
		for (p = buf, end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			ends++;
		for (p = buf; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
			if (p + 1 >= buf + got || p[1] != '\n')
				ends++;
		from += n;
		if ((size_t)got < want)
			break;
	}
	free(buf);
	return ends;
}
