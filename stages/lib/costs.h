/* The costs of outsourcing beyond the vendor's invoices (kpo-metrics
 * --costs FILE): governance, transition and other costs, read into amounts
 * per vendor, domain, month and kind in the base currency.
 *
 * The table is CSV "date,vendor,domain,kind,amount,currency[,months]" (any
 * order, header keys as every reference table).  Unlike a reference table it
 * is data, typed by people from invoices and budgets: a bad row is rejected
 * with its FILE:LINE into the stage's rejects (counted apart from the
 * stream's rows, kpo_reject_side), and the others are used.  Dropping a
 * row silently would understate the total cost, which is what the table is
 * for; failing the whole report for one typo would hide everything else.  A
 * table that cannot be read at all (no file, no header, a missing column)
 * ends the program like a reference table.
 *
 * Amounts are converted with the --fx rate of their date, exactly (fixed
 * point, money.h).  A transition cost is amortised evenly over its months
 * (default 12) from the month of its date: each month gets amount / months
 * in 1/10000, the first (amount mod months) months one 1/10000 more, so the
 * slices add up to the amount.  Slices in months after the as-of month are
 * not yet incurred and are left out.  What is left is summed per vendor,
 * domain (empty: to be spread over the vendor's domains) and month. */
#ifndef KPO_COSTS_H
#define KPO_COSTS_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

struct kpo_fx;
struct kpo_rejects;
struct kpo_strmap;

enum kpo_cost_kind { KPO_COST_GOVERNANCE, KPO_COST_TRANSITION, KPO_COST_OTHER, KPO_NCOSTKINDS };

extern const char *const kpo_cost_kinds[KPO_NCOSTKINDS];       /* "governance", ... */

/* One amount: the sum of the slices of a vendor, domain, month and kind. */
struct kpo_cost {
	char *vendor, *domain;          /* folded as kpo-ingest folds text; domain may be "" */
	size_t vlen, dlen;
	int64_t mon;                    /* year * 12 + month - 1 */
	char month[8];                  /* YYYY-MM, as the enriched stream's month column */
	enum kpo_cost_kind kind;
	kpo_money amount;               /* 1/10000 of the base currency, >= 0 */
};

struct kpo_costs {
	struct kpo_cost *c;             /* sorted by vendor, domain, month, kind (bytes) */
	size_t n;
	struct kpo_strmap *governed;    /* vendors with a governance row (any month) */
	unsigned long long read, used;  /* rows of the table; the rejected are in the rejects */
	unsigned long long later;       /* slices after the as-of month, left out */
};

/* Reads the table PATH into C.  FX prices other currencies (its base is the
 * base currency); AS_OF_DAY (days since 1970-01-01) ends the period; bad
 * rows go to RJ. */
void kpo_costs_load(struct kpo_costs *c, const char *path, const struct kpo_fx *fx, int64_t as_of_day,
    struct kpo_rejects *rj);
void kpo_costs_free(struct kpo_costs *c);

/* YYYY-MM of a month number (year * 12 + month - 1), and back: 0, or -1
 * when S is not a month. */
void kpo_month_of(int64_t mon, char out[8]);
int kpo_month_parse(const char *s, size_t n, int64_t *mon);

#endif
