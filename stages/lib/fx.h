/* The --fx table: how many units of the base currency one unit of a
 * currency is worth, flat ("currency,rate") or dated ("date,currency,rate",
 * the latest rate on or before a day applies).
 *
 * kpo-enrich prices the stream's rows with it and kpo-metrics the rows of
 * its --costs table, so both read the same file the same way.  Loading is a
 * main() helper like every reference table (reftable.h): a table that cannot
 * be used ends the program with FILE:LINE before any output exists. */
#ifndef KPO_FX_H
#define KPO_FX_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

struct kpo_fx;
struct kpo_verdict;

/* The table PATH for base currency BASE (upper case); PATH NULL is a table
 * without rates, where only the base currency is known.  A line for the base
 * currency must have the rate 1. */
struct kpo_fx *kpo_fx_load(const char *path, const char *base);
void kpo_fx_free(struct kpo_fx *fx);

/* 1 when the table has a rate for currency CODE (N bytes). */
int kpo_fx_has(const struct kpo_fx *fx, const char *code, size_t n);

/* The rate of currency CODE (N bytes; empty means the base currency, whose
 * rate is 1) on DAY (days since 1970-01-01): 0 with *RATE set, or -1 with
 * the reject in *V ("unknown currency", "no fx rate for date"); WHAT names
 * the value in the detail ("currency"). */
int kpo_fx_rate(const struct kpo_fx *fx, const char *code, size_t n, int64_t day, const char *what,
    struct kpo_dec *rate, struct kpo_verdict *v);

#endif
