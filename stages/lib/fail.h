/* An error that shared code hands back to main().
 *
 * Shared code never exits (out of memory aside, see err.h): a function that
 * fails fills a struct kpo_fail with the exit status it calls for and the
 * whole message, and returns -1; main() alone decides, usually with
 * kpo_errx(f.status, "%s", f.msg).  The message is malloc'ed and stays
 * valid until kpo_fail_clear(). */
#ifndef KPO_FAIL_H
#define KPO_FAIL_H

struct kpo_fail {
	int status;             /* sysexits.h */
	char *msg;              /* without the program name */
};

/* Sets F to STATUS and the message; returns -1. */
int kpo_fail(struct kpo_fail *f, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The same with ": strerror(errno)" appended when errno is set, as kpo_err
 * would print it. */
int kpo_fail_errno(struct kpo_fail *f, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void kpo_fail_clear(struct kpo_fail *f);

/* A malloc'ed printf, for messages and paths; out of memory ends the
 * program with EX_OSERR like kpo_xmalloc. */
char *kpo_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
