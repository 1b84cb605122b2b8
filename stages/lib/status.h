/* Statuses: one targeted metric of one group, judged green, amber, red or
 * unknown (schema.h), as kpo-score writes them into status.csv and
 * kpo-score --previous and kpo-chart --status read them back.
 *
 * Values are compared exactly: a bundle value, a min and a target are
 * decimals read as integers of 10^-12 (kpo_exact_parse), never floating
 * point.  How bad a status is, is its attainment: the score's a = 1 when the
 * value meets the target, else value / target (target / value when lower is
 * better) when that lies in [0, 1), else 0; rows are ordered worst first by
 * it.  Nothing here exits. */
#ifndef KPO_STATUS_H
#define KPO_STATUS_H

#include <stddef.h>

#include "money.h"
#include "schema.h"

struct kpo_fail;
struct kpo_strmap;

struct kpo_status_row {
	enum kpo_scope scope;
	char *group;            /* "ALL", a domain or vendor, or VENDOR;DOMAIN */
	int metric;             /* enum kpo_metric */
	char *value, *n, *min, *target;  /* as written; value and n may be empty */
	int status;             /* enum kpo_status */
	int previous;           /* enum kpo_status, or -1: none */
};

struct kpo_statuses {
	struct kpo_status_row *r;
	size_t n;
	struct kpo_strmap *index;       /* (scope, metric, group) -> row + 1 */
};

/* A plain decimal "-?D{1,26}(.D{1,12})?" as an integer of 10^-12: 0, or -1
 * when S is not one (or is empty). */
int kpo_exact_parse(const char *s, kpo_i128 *v);

/* Higher is better when TARGET >= MIN (also when they are equal: no amber),
 * lower is better when TARGET < MIN.  Green when V meets TARGET, amber when
 * it meets MIN, red beyond MIN. */
int kpo_status_judge(kpo_i128 v, kpo_i128 min, kpo_i128 target);

/* The attainment of V, in [0, 1], as *NUM / *DEN (DEN > 0). */
void kpo_attainment(kpo_i128 v, kpo_i128 min, kpo_i128 target, kpo_u128 *num, kpo_u128 *den);

/* The same for a row: -1 when its status is unknown or a number does not
 * parse. */
int kpo_status_row_attainment(const struct kpo_status_row *r, kpo_u128 *num, kpo_u128 *den);

/* qsort order of "needs attention": red, then amber, then green, then
 * unknown; the lowest attainment first; then scope, group bytes, metric. */
int kpo_status_worst_cmp(const void *a, const void *b);

/* Reads a status.csv (columns by name) into S: 0, or -1 with F set (a file
 * that cannot be opened is EX_NOINPUT; a bad by, metric or status word, or
 * a malformed row, EX_DATAERR with FILE:LINE). */
int kpo_statuses_read(struct kpo_statuses *s, const char *path, struct kpo_fail *f);

/* Indexes S for kpo_statuses_find (kpo_statuses_read does it). */
void kpo_statuses_index(struct kpo_statuses *s);

/* The row of SCOPE, GROUP (N bytes) and METRIC, or NULL. */
const struct kpo_status_row *kpo_statuses_find(const struct kpo_statuses *s, enum kpo_scope scope,
    const char *group, size_t n, int metric);

void kpo_statuses_free(struct kpo_statuses *s);

#endif
