/* The charts of kpo-chart, one table row each.
 *
 * A row names the chart, its size and its caption, and pairs two functions:
 * a data function that writes the chart's TSV files into the gnuplot folder
 * and notes what the script must know (how many points, groups and months,
 * the ranges), and a script function that writes the chart's gnuplot
 * commands from those notes.  A new chart is a new row and its two
 * functions (chart.c).
 *
 * Nothing read from the bundle ever enters the script: names and months go
 * into the data files (made harmless by kpo_gp_text) that the script reads
 * by fixed names; the script holds only numbers and text made here, plus the
 * as-of date and the currency code, whose form kpo_bundle_read checked. */
#ifndef KPO_CHART_H
#define KPO_CHART_H

#include <stddef.h>

#include "bundle.h"
#include "control.h"

struct kpo_fail;
struct kpo_out;
struct kpo_statuses;

#define KPO_CHART_SCRIPT "charts.gp"            /* in the gnuplot folder */
#define KPO_CHART_MARK "kpo-chart: drawing "    /* printed by the script before NAME.EXT */

enum kpo_chart_format { KPO_PNG, KPO_SVG, KPO_NFORMATS };

extern const char *const kpo_chart_ext[KPO_NFORMATS];  /* "png", "svg" */

struct kpo_chart_opts {
	long top;                       /* groups drawn before the rest is folded */
	double sla;                     /* the on-time target, % */
	int format[KPO_NFORMATS];       /* the formats drawn */
	int no_render;                  /* the script draws the final names, not temporary ones */
	const struct kpo_statuses *status;      /* kpo-score's (--status), or NULL */
};

struct kpo_chart_ctx;                   /* what a chart's functions share (chart.c) */
struct kpo_plot;                        /* what a data function found, for its script */

/* The proportions the control charts follow. */
enum kpo_control_kind { KPO_CONTROL_NONE, KPO_CONTROL_REWORK, KPO_CONTROL_DEFECT };

struct kpo_chart {
	const char *name;               /* NAME.png, NAME.svg, gnuplot/NAME.dat */
	int width, height;              /* pixels; the heatmap's height grows with its rows */
	const char *caption;            /* on the page, and the alt text */
	int (*data)(struct kpo_chart_ctx *c, struct kpo_plot *p);
	void (*script)(struct kpo_out *o, const struct kpo_chart_ctx *c, const struct kpo_plot *p);
	enum kpo_control_kind control;  /* a control chart: the page lists its flags */
};

extern const struct kpo_chart kpo_charts[];
extern const size_t kpo_ncharts;

/* The metric columns and totals rows the charts and the page read. */
extern const struct kpo_bundle_need kpo_chart_need;

/* What kpo_charts_write made: the height of each chart, in pixels. */
struct kpo_charts {
	int *height;                    /* kpo_ncharts of them */
};

/* Writes the data files of every chart and the script KPO_CHART_SCRIPT into
 * the folder GPDIR, which exists.  0, or -1 with F set (the file that could
 * not be written). */
int kpo_charts_write(struct kpo_charts *ch, const struct kpo_bundle *b, const struct kpo_chart_opts *opt,
    const char *gpdir, struct kpo_fail *f);

void kpo_charts_free(struct kpo_charts *ch);

/* The p-chart of a control chart over the months the charts draw (the last
 * 24 of by-month, those with deliveries): point i is MONTH[i] (the bundle's
 * text).  0, or -1 when there is no month with deliveries (C is then
 * empty).  Free with kpo_control_free. */
struct kpo_control {
	struct kpo_pchart pc;
	const char **month;
	size_t *monthlen;
	const char *what;               /* "reworked", "with a defect" */
};

int kpo_control_of(struct kpo_control *c, const struct kpo_bundle *b, enum kpo_control_kind kind);
void kpo_control_free(struct kpo_control *c);

#endif
