/* Drawing the charts: one gnuplot process runs the script that
 * kpo_charts_write made, and the images appear whole or not at all.
 *
 * gnuplot draws every image under a temporary name (DIR/.NAME.EXT.tmp,
 * registered with kpo_temp_register so a signal removes it).  Only when it
 * exits with status 0 and every image is non-empty are they renamed into
 * place; otherwise they are all removed.  When it fails, its messages (the
 * log DIR/gnuplot/gnuplot.log without our markers) go to stderr and the
 * failure names the image it was drawing. */
#ifndef KPO_RENDER_H
#define KPO_RENDER_H

struct kpo_chart_opts;
struct kpo_fail;

/* Runs EXE -d KPO_CHART_SCRIPT in GPDIR, for the images in DIR, killed
 * after TIMEOUT seconds; *SECONDS gets how long it ran.  0, or -1 with F
 * set: EX_UNAVAILABLE (gnuplot cannot be run), EX_SOFTWARE (it failed,
 * timed out or left an empty image), EX_CANTCREAT (an image not renamed). */
int kpo_render(const char *exe, const char *dir, const char *gpdir, const struct kpo_chart_opts *opt,
    double timeout, double *seconds, struct kpo_fail *f);

#endif
