#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fail.h"

static char *
vstrf(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0)
		n = 0;
	s = kpo_xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *
kpo_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vstrf(fmt, ap);
	va_end(ap);
	return s;
}

int
kpo_fail(struct kpo_fail *f, int status, const char *fmt, ...)
{
	va_list ap;

	kpo_fail_clear(f);
	va_start(ap, fmt);
	f->msg = vstrf(fmt, ap);
	va_end(ap);
	f->status = status;
	return -1;
}

int
kpo_fail_errno(struct kpo_fail *f, int status, const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;
	char *s;

	kpo_fail_clear(f);
	va_start(ap, fmt);
	s = vstrf(fmt, ap);
	va_end(ap);
	if (errnum) {
		f->msg = kpo_xasprintf("%s: %s", s, strerror(errnum));
		free(s);
	} else {
		f->msg = s;
	}
	f->status = status;
	return -1;
}

void
kpo_fail_clear(struct kpo_fail *f)
{
	free(f->msg);
	f->msg = NULL;
	f->status = 0;
}
