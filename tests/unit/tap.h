/* A small TAP producer for the C unit tests, read by prove. */
#ifndef KPO_TAP_H
#define KPO_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static void
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static void
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
}

/* String equality with both values shown on failure. */
#define is(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int p_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_; \
	tap_ok(p_, __FILE__, __LINE__, __VA_ARGS__); \
	if (!p_) printf("#          got: '%s'\n#     expected: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__); \
	if (g_ != w_) printf("#          got: %lld\n#     expected: %lld\n", g_, w_); \
} while (0)

static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
