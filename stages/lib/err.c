#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Per thread: kpo-run runs the three stages on threads of one process, each
 * speaking as the stage it runs. */
_Thread_local const char *kpo_progname = "kpo";
_Thread_local struct kpo_msgs *kpo_msgs_capture;

void
kpo_setprogname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0 && *argv0)
		kpo_progname = slash ? slash + 1 : argv0;
}

/* A message into the capture buffer: "PROG: [FILE:LINE: ]TEXT[: ERROR]\n". */
static void
capture(struct kpo_msgs *m, const char *file, long line, int errnum, const char *fmt, va_list ap)
{
	char text[8192];
	int n = 0;

	n += snprintf(text + n, sizeof text - (size_t)n, "%s: ", kpo_progname);
	if (file && line > 0)
		n += snprintf(text + n, sizeof text - (size_t)n, "%s:%ld: ", file, line);
	else if (file)
		n += snprintf(text + n, sizeof text - (size_t)n, "%s: ", file);
	if ((size_t)n < sizeof text)
		n += vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
	if (errnum && (size_t)n < sizeof text)
		n += snprintf(text + n, sizeof text - (size_t)n, ": %s", strerror(errnum));
	if ((size_t)n >= sizeof text - 1)
		n = (int)sizeof text - 2;
	text[n++] = '\n';
	if (m->len + (size_t)n > m->cap) {
		while (m->len + (size_t)n > m->cap)
			m->cap = m->cap ? 2 * m->cap : 4096;
		m->buf = kpo_xrealloc(m->buf, m->cap);
	}
	memcpy(m->buf + m->len, text, (size_t)n);
	m->len += (size_t)n;
}

void
kpo_msgs_print(const struct kpo_msgs *m, size_t from)
{
	struct kpo_msgs *to = kpo_msgs_capture;

	if (from >= m->len)
		return;
	if (to) {
		size_t n = m->len - from;

		if (to->len + n > to->cap) {
			while (to->len + n > to->cap)
				to->cap = to->cap ? 2 * to->cap : 4096;
			to->buf = kpo_xrealloc(to->buf, to->cap);
		}
		memcpy(to->buf + to->len, m->buf + from, n);
		to->len += n;
		return;
	}
	fflush(stdout);
	fwrite(m->buf + from, 1, m->len - from, stderr);
}

void
kpo_msgs_free(struct kpo_msgs *m)
{
	free(m->buf);
	m->buf = NULL;
	m->len = m->cap = 0;
}

static void
vmessage(const char *file, long line, int errnum, const char *fmt, va_list ap)
{
	if (kpo_msgs_capture) {
		capture(kpo_msgs_capture, file, line, errnum, fmt, ap);
		return;
	}
	fflush(stdout);
	fprintf(stderr, "%s: ", kpo_progname);
	if (file && line > 0)
		fprintf(stderr, "%s:%ld: ", file, line);
	else if (file)
		fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void
kpo_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
kpo_warn(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(NULL, 0, errnum, fmt, ap);
	va_end(ap);
}

void
kpo_warn_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(file, line, 0, fmt, ap);
	va_end(ap);
}

void
kpo_errx(int status, const char *fmt, ...)
{
	va_list ap;

	kpo_msgs_capture = NULL;        /* the end of the program speaks at once */
	va_start(ap, fmt);
	vmessage(NULL, 0, 0, fmt, ap);
	va_end(ap);
	exit(status);
}

void
kpo_err(int status, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	kpo_msgs_capture = NULL;
	va_start(ap, fmt);
	vmessage(NULL, 0, errnum, fmt, ap);
	va_end(ap);
	exit(status);
}

void *
kpo_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		kpo_err(EX_OSERR, "out of memory");
	return p;
}

void *
kpo_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		kpo_err(EX_OSERR, "out of memory");
	return q;
}

void *
kpo_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		kpo_err(EX_OSERR, "out of memory");
	return p;
}

char *
kpo_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(kpo_xmalloc(n), s, n);
}

/* Order of gravity, most serious first: a later stage or a person reading the
 * status should learn the reason that most limits what the output is worth. */
static int
gravity(int status)
{
	switch (status) {
	case 0:           return 0;
	case EX_DATAERR:  return 1;
	case EX_NOINPUT:  return 2;
	case EX_USAGE:    return 3;
	case EX_SOFTWARE: return 4;
	case EX_CANTCREAT:return 5;
	case EX_IOERR:    return 6;
	default:          return 7;
	}
}

int
kpo_status_merge(int have, int next)
{
	return gravity(next) > gravity(have) ? next : have;
}
