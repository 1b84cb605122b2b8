/* kpo-score's row logic: a targets file judged against a bundle.
 *
 * A targets file is a reference table (reftable.h) of lines
 * "metric,scope,min,target[,weight]": a bad line ends the program with its
 * FILE:LINE and EX_DATAERR before anything is written.  Each line applies
 * to the groups its scope names (ALL: the totals; domain=, vendor=, or
 * vendor=;domain=, with * for every name); for each group and metric the
 * most specific line wins.  Each winning line and group gives one status
 * (status.h); the vendors' statuses give the scorecard, a weighted score
 * summed exactly (bigq.h) and rounded once; the statuses that became red or
 * amber since a previous run are the alerts.  The three files are written
 * together: all of them or none. */
#ifndef KPO_SCORE_H
#define KPO_SCORE_H

#include <stdio.h>

#include "bundle.h"
#include "status.h"

struct kpo_fail;
struct kpo_targets;
struct kpo_score;

/* An empty set of targets, then the lines of the file PATH added to it (a
 * bad line ends the program; what was read stays reachable from T). */
struct kpo_targets *kpo_targets_new(void);
void kpo_targets_read(struct kpo_targets *t, const char *path);
void kpo_targets_free(struct kpo_targets *t);

/* Adds to NEED what the targets read: each targeted metric, the count it
 * is judged on, items and cost, the totals of by-domain, the cells' text. */
void kpo_targets_need(const struct kpo_targets *t, struct kpo_bundle_need *need);

struct kpo_score_opts {
	unsigned long long min_n;               /* fewer items: unknown */
	const struct kpo_statuses *previous;    /* --previous, or NULL */
};

/* Judges bundle B; warns (FILE:LINE of the targets) about every line whose
 * scope names a group the bundle does not have. */
struct kpo_score *kpo_score_new(const struct kpo_targets *t, const struct kpo_bundle *b,
    const struct kpo_score_opts *opt);
void kpo_score_free(struct kpo_score *s);

/* The statuses, in status.csv's order (scope, then the bundle's row order,
 * then metric). */
const struct kpo_statuses *kpo_score_statuses(const struct kpo_score *s);
size_t kpo_score_count(const struct kpo_score *s, int status);
size_t kpo_score_nalerts(const struct kpo_score *s);
size_t kpo_score_nscored(const struct kpo_score *s);   /* vendors with a score */

/* Writes status.csv, scorecard.csv and alerts.csv into DIR (made when
 * missing), all published or none.  0, or -1 with F set. */
int kpo_score_write(const struct kpo_score *s, const char *dir, struct kpo_fail *f);

/* One line per alert on FP: "red: vendor=Acme: on_time_pct 73.70 (min 90,
 * target 95, n 120), was green".  The result of the last write (< 0: an
 * error). */
int kpo_score_print_alerts(const struct kpo_score *s, FILE *fp);

#endif
