/* index.html: the one page of a kpo-chart run.
 *
 * Self-contained (no scripts, nothing from the network, inline CSS, a fluid
 * layout for phones): key figures from the totals row of by-domain with the
 * change of the last complete month, the open items past due, every chart
 * (the SVG with the PNG as a fallback), the by-domain table, and links to
 * the bundle files and the rejects file.  With kpo-score's statuses the key
 * figures and table cells are coloured by status, with the status word
 * beside the colour, and "Needs attention" and the vendor scorecard are
 * shown.  Exports the nightly left out are named in a banner at the top.  Every string from the data is HTML-escaped; the page is written
 * atomically (out.h). */
#ifndef KPO_PAGE_H
#define KPO_PAGE_H

struct kpo_bundle;
struct kpo_chart_opts;
struct kpo_charts;
struct kpo_fail;
struct kpo_statuses;
struct kpo_text_table;

struct kpo_page {
	const char *dir;                /* the page is DIR/index.html */
	const char *bundle_link;        /* the bundle files' link prefix; NULL: the bundle relative to DIR */
	const char *rejects;            /* the rejects file, or NULL: no tile, no link */
	unsigned long long nrejects;    /* its rows */
	const struct kpo_chart_opts *chart;
	const char *status_dir;                 /* --status, or NULL */
	const struct kpo_statuses *status;      /* its status.csv */
	const struct kpo_text_table *scorecard; /* its scorecard.csv */
	char *skipped;                  /* --skipped: "NAME\tSTATUS\tREASON" lines, or NULL */
};

/* Writes DIR/index.html for bundle B and the charts CH.  0, or -1 with F
 * set. */
int kpo_page_write(const struct kpo_page *pg, const struct kpo_bundle *b, const struct kpo_charts *ch,
    struct kpo_fail *f);

/* Reads PATH, the nightly's list of the exports it left out (one line each:
 * name, exit status and reason, separated by tabs, no other tab or control
 * character), into *TEXT for the page's banner.  0, or -1 with F set. */
int kpo_page_read_skipped(const char *path, char **text, struct kpo_fail *f);

/* Counts the data rows of the CSV file PATH (plain or gzip; --rejects-link).
 * 0, or -1 with F set. */
int kpo_page_count_rows(const char *path, unsigned long long *n, struct kpo_fail *f);

#endif
