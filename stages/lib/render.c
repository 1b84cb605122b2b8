#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "err.h"
#include "fail.h"
#include "gnuplot.h"
#include "out.h"
#include "render.h"

#define LOG_LINES 40            /* of gnuplot's messages shown */

/* The images of one run: each chart in each format drawn, NULL otherwise. */
struct images {
	char **tmp, **final;    /* [format * kpo_ncharts + chart] */
};

static void
images_open(struct images *im, const char *dir, const struct kpo_chart_opts *opt)
{
	size_t n = KPO_NFORMATS * kpo_ncharts, c;
	int f;

	im->tmp = kpo_xcalloc(n, sizeof *im->tmp);
	im->final = kpo_xcalloc(n, sizeof *im->final);
	for (f = 0; f < KPO_NFORMATS; f++)
		for (c = 0; c < kpo_ncharts && opt->format[f]; c++) {
			const char *name = kpo_charts[c].name, *ext = kpo_chart_ext[f];

			im->tmp[f * kpo_ncharts + c] = kpo_xasprintf("%s/.%s.%s.tmp", dir, name, ext);
			im->final[f * kpo_ncharts + c] = kpo_xasprintf("%s/%s.%s", dir, name, ext);
			kpo_temp_register(im->tmp[f * kpo_ncharts + c]);
		}
}

/* Removes what is left of the temporary images. */
static void
images_close(struct images *im)
{
	size_t i;

	for (i = 0; i < KPO_NFORMATS * kpo_ncharts; i++) {
		if (im->tmp[i]) {
			unlink(im->tmp[i]);
			kpo_temp_release(im->tmp[i]);
		}
		free(im->tmp[i]);
		free(im->final[i]);
	}
	free(im->tmp);
	free(im->final);
}

/* Shows gnuplot's messages (the log, without our markers) on stderr, and
 * puts the image it was drawing last into CHART. */
static void
show_log(const char *log, char *chart, size_t size)
{
	FILE *fp = fopen(log, "r");
	size_t mark = strlen(KPO_CHART_MARK);
	char line[1024];
	int shown = 0;

	snprintf(chart, size, "(before the first chart)");
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, KPO_CHART_MARK, mark) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(chart, size, "%.200s", line + mark);
		} else if (shown++ < LOG_LINES) {
			fprintf(stderr, "  gnuplot: %s%s", line, strchr(line, '\n') ? "" : "\n");
		}
	}
	fclose(fp);
}

/* gnuplot exited 0: every image must be there and non-empty, then all are
 * renamed into place. */
static int
publish(const struct images *im, const char *log, struct kpo_fail *f)
{
	size_t n = KPO_NFORMATS * kpo_ncharts, i;
	char chart[256];
	struct stat st;

	for (i = 0; i < n; i++)
		if (im->tmp[i] && (stat(im->tmp[i], &st) != 0 || st.st_size == 0)) {
			show_log(log, chart, sizeof chart);
			return kpo_fail(f, EX_SOFTWARE, "gnuplot left no image for %s.%s",
			    kpo_charts[i % kpo_ncharts].name, kpo_chart_ext[i / kpo_ncharts]);
		}
	for (i = 0; i < n; i++)
		if (im->tmp[i] && rename(im->tmp[i], im->final[i]) != 0)
			return kpo_fail_errno(f, EX_CANTCREAT, "%s", im->final[i]);
	return 0;
}

/* What went wrong with gnuplot, as F. */
static int
gnuplot_failed(enum kpo_gp_result res, int wstatus, const char *exe, const char *gpdir,
    const char *log, double timeout, struct kpo_fail *f)
{
	char chart[256];

	if (res == KPO_GP_EXEC) {
		if (errno == ENOENT || errno == EACCES || errno == ENOEXEC)
			return kpo_fail_errno(f, EX_UNAVAILABLE, "cannot run gnuplot (%s)", exe);
		return kpo_fail_errno(f, EX_SOFTWARE, "cannot run gnuplot (%s); log %s", exe, log);
	}
	show_log(log, chart, sizeof chart);
	if (res == KPO_GP_TIMEOUT)
		return kpo_fail(f, EX_SOFTWARE, "gnuplot timed out after %g s while drawing %s; killed",
		    timeout, chart);
	if (WIFSIGNALED(wstatus))
		return kpo_fail(f, EX_SOFTWARE, "gnuplot was killed by signal %d while drawing %s",
		    WTERMSIG(wstatus), chart);
	return kpo_fail(f, EX_SOFTWARE, "gnuplot failed (exit status %d) while drawing %s; its messages "
	    "are above, the script is %s/" KPO_CHART_SCRIPT, WEXITSTATUS(wstatus), chart, gpdir);
}

int
kpo_render(const char *exe, const char *dir, const char *gpdir, const struct kpo_chart_opts *opt,
    double timeout, double *seconds, struct kpo_fail *f)
{
	char *log = kpo_xasprintf("%s/gnuplot.log", gpdir);
	struct timespec t0, t1;
	enum kpo_gp_result res;
	struct images im;
	int wstatus, rc;

	images_open(&im, dir, opt);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	res = kpo_gp_run(exe, KPO_CHART_SCRIPT, gpdir, log, timeout, &wstatus);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (res == KPO_GP_OK)
		rc = publish(&im, log, f);
	else
		rc = gnuplot_failed(res, wstatus, exe, gpdir, log, timeout, f);
	images_close(&im);
	free(log);
	return rc;
}
