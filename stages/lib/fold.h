/* The groups a chart draws: the N largest by items, and the rest folded
 * into one group "other (K domains)".
 *
 * Folding sums the additive metrics (KPO_MF_SUM in schema.h), recomputes the
 * savings percentage as 100 x savings / baseline from the sums, and weights
 * the quality means by quality_n.  On-time percentages and turnaround
 * quantiles cannot be recovered from a bundle: the folded group has none. */
#ifndef KPO_FOLD_H
#define KPO_FOLD_H

#include <stddef.h>

#include "bundle.h"

struct kpo_group {
	struct kpo_row r;               /* a copy of the row (keys shared), or the folded sums */
	const char *name;               /* NUL-terminated; namelen counts */
	size_t namelen;
	char other[64];                 /* the folded group's name */
};

struct kpo_groups {
	struct kpo_group *g;            /* largest first, then the folded rest */
	size_t n;                       /* groups in g */
	size_t total;                   /* rows of the table */
	int folded;                     /* the last group is the folded rest */
};

/* The groups of T: the TOP largest by items (ties in key order), then
 * "other (K WHAT)" holding the rest when there is a rest.  WHAT is a plural
 * ("vendors") that loses its s for one folded row. */
void kpo_groups_top(struct kpo_groups *gs, const struct kpo_rows *t, long top, const char *what);

void kpo_groups_free(struct kpo_groups *gs);

/* Adds the additive metrics of R and its quality weights into ACC (zeroed
 * first); kpo_fold_finish turns the sums into percentages and means. */
void kpo_fold_add(struct kpo_row *acc, const struct kpo_row *r);
void kpo_fold_finish(struct kpo_row *acc);

#endif
