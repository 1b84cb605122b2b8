#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Per thread: kpo-run runs the three stages on threads of one process, each
 * speaking as the stage it runs. */
_Thread_local const char *kpo_progname = "kpo";

void
kpo_setprogname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0 && *argv0)
		kpo_progname = slash ? slash + 1 : argv0;
}

static void
vmessage(const char *file, long line, int errnum, const char *fmt, va_list ap)
{
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
