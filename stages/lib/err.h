/* Messages and exit statuses shared by every kpo stage.
 *
 * Messages go to stderr as "kpo-STAGE: FILE:LINE: message" (or without the
 * location).  Shared code returns errors and main() picks the exit status
 * from sysexits.h (kpo(7) lists them), with two exceptions: running out of
 * memory ends the program with EX_OSERR (kpo_x*), and the option parsers of
 * args.h, main's own helpers, end it with EX_USAGE. */
#ifndef KPO_ERR_H
#define KPO_ERR_H

#include <stddef.h>
#include <sysexits.h>

/* The name messages begin with; one per thread (kpo-run's stages each say
 * their own: a new thread starts with "kpo" and sets it). */
extern _Thread_local const char *kpo_progname;

void kpo_setprogname(const char *argv0);

/* Messages held back: while a thread's kpo_msgs_capture points to one, its
 * messages (not those that end the program) are appended there, each a line
 * as it would have gone to stderr.  kpo-run's jobs read parts of the inputs
 * in any order; it prints what each said in the inputs' order. */
struct kpo_msgs {
	char *buf;
	size_t len, cap;
};
extern _Thread_local struct kpo_msgs *kpo_msgs_capture;
/* M's messages from byte FROM, as if said now: to stderr, or to the capture
 * of this thread when there is one. */
void kpo_msgs_print(const struct kpo_msgs *m, size_t from);
void kpo_msgs_free(struct kpo_msgs *m);

void kpo_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kpo_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* appends strerror(errno) */
void kpo_warn_at(const char *file, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn void kpo_errx(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void kpo_err(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Allocation that cannot fail: out of memory ends the program with EX_OSERR. */
void *kpo_xmalloc(size_t n);
void *kpo_xrealloc(void *p, size_t n);
void *kpo_xcalloc(size_t n, size_t size);
char *kpo_xstrdup(const char *s);

/* The worst status wins: a usage or I/O failure outranks bad data. */
int kpo_status_merge(int have, int next);

#endif
