/* Which field of an export holds which canonical column, and how to read it.
 *
 * A header cell names a column when its key (kpo_header_key: case, spaces
 * and punctuation ignored) is one of the column's aliases, tried in this
 * order: the --map file's, the canonical name, the recognised format's
 * (profile.h), the built-in ones; the first alias found in the header wins,
 * and the first cell with it.  A cell may also be matched without a
 * currency in brackets ("Amount (USD)" is "Amount", and says USD) and, in a
 * format with custom fields, without its prefix ("Custom field (Vendor)" is
 * "Vendor").  A date column followed by its time of day in a column of its
 * own ("Start date", "Start time") is read as one date-time. */
#ifndef KPO_COLMAP_H
#define KPO_COLMAP_H

#include <stddef.h>

#include "schema.h"

struct kpo_profile;
struct kpo_record;

struct kpo_colmap {
	int field[KPO_COL_SOURCE];              /* the field of each column, or -1 */
	int time_field[KPO_COL_SOURCE];         /* a date-time's time of day, in a field of its own, or -1 */
	int hours_secs;                         /* seconds per unit of plain hours numbers; 0: as --hours-unit says */
	char cost_currency[4];                  /* from a cost header "Amount (USD)", or "" */
	const struct kpo_profile *profile;      /* the format recognised, or NULL */
};

struct kpo_aliases;

/* The built-in aliases, after those of the --map file MAP ("column,alias"
 * lines; NULL for none).  A bad map ends the program (a main() helper, as
 * reftable.h). */
struct kpo_aliases *kpo_aliases_new(const char *map);
void kpo_aliases_free(struct kpo_aliases *a);

/* Whether the --map file names column C. */
int kpo_aliases_mapped(const struct kpo_aliases *a, int c);

/* Maps header H in the format PROFILE (NULL: no format's names). */
void kpo_colmap_find(struct kpo_colmap *m, const struct kpo_aliases *a, const struct kpo_record *h,
    const struct kpo_profile *profile);

/* The format header H is in, or NULL. */
const struct kpo_profile *kpo_colmap_recognise(const struct kpo_record *h);

/* How many canonical columns the cells of H name, each counted once: how
 * much a line looks like a header. */
int kpo_colmap_score(const struct kpo_aliases *a, const struct kpo_record *h);

#endif
