/* Option arguments every stage (and kpo-nightly) reads the same way.
 *
 * These are main()'s helpers for its option loop, run before anything is
 * opened: a bad ARG ends the program with EX_USAGE and a message that names
 * the option and says what it takes. */
#ifndef KPO_ARGS_H
#define KPO_ARGS_H

#include <stdint.h>

#include "money.h"

/* --base CUR: three ASCII letters, any case, written in upper case to OUT (4
 * bytes). */
void kpo_base_arg(const char *opt, const char *arg, char out[4]);

/* --as-of: a date (its 00:00 UTC) or a date-time, as an instant. */
int64_t kpo_as_of_arg(const char *opt, const char *arg);

/* Today 00:00 UTC: the default as-of. */
int64_t kpo_today(void);

/* A number from LO to HI (--max-reject-pct, --sla-target, --timeout). */
double kpo_number_arg(const char *opt, const char *arg, double lo, double hi);

/* --max-reject-pct P: a number from 0 to 100. */
double kpo_max_reject_pct_arg(const char *arg);

/* A percentage from 0 to 100 read exactly, a plain decimal with at most 6
 * decimals (--governance-pct). */
struct kpo_dec kpo_pct_dec_arg(const char *opt, const char *arg);

#endif
