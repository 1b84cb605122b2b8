#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "out.h"
#include "report.h"

#define MAX_KINDS 32
#define SHOWN_ON_STDERR 10

struct kpo_rejects {
	struct kpo_out *out;
	char *stage;
	unsigned long long total;
	struct { const char *kind; unsigned long long n; } kinds[MAX_KINDS];
	size_t nkinds;
};

struct kpo_rejects *
kpo_rejects_open(const char *path, const char *stage)
{
	struct kpo_rejects *r = kpo_xcalloc(1, sizeof *r);

	r->stage = kpo_xstrdup(stage);
	if (path) {
		r->out = kpo_out_open(path);
		if (!r->out) {
			int saved = errno;

			free(r->stage);
			free(r);
			errno = saved;
			return NULL;
		}
		kpo_out_puts(r->out, "source,stage,reason,record\n");
	}
	return r;
}

void
kpo_reject(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen)
{
	size_t i;

	for (i = 0; i < r->nkinds; i++)
		if (strcmp(r->kinds[i].kind, kind) == 0)
			break;
	if (i == r->nkinds && r->nkinds < MAX_KINDS)
		r->kinds[r->nkinds++].kind = kind;
	if (i < MAX_KINDS)
		r->kinds[i].n++;
	if (r->total++ < SHOWN_ON_STDERR)
		kpo_warn_at(file, line, "%s%s%s", kind, detail ? ": " : "", detail ? detail : "");
	else if (r->total == SHOWN_ON_STDERR + 1)
		kpo_warnx("more rejected rows not shown here%s", r->out ? "; all are in the rejects file" : " (use --rejects FILE)");
	if (r->out) {
		char source[4096 + 32];

		snprintf(source, sizeof source, "%s:%ld", file, line);
		kpo_out_fieldz(r->out, source);
		kpo_out_fieldz(r->out, r->stage);
		if (detail) {
			char reason[1024];

			snprintf(reason, sizeof reason, "%s: %s", kind, detail);
			kpo_out_fieldz(r->out, reason);
		} else {
			kpo_out_fieldz(r->out, kind);
		}
		kpo_out_field(r->out, raw, rawlen);
		kpo_out_endrow(r->out);
	}
}

unsigned long long
kpo_rejects_count(const struct kpo_rejects *r)
{
	return r->total;
}

void
kpo_rejects_describe(const struct kpo_rejects *r, char *buf, size_t size)
{
	size_t i, len = strlen(buf);

	for (i = 0; i < r->nkinds && len + 1 < size; i++) {
		snprintf(buf + len, size - len, "%s%llu %s", i ? ", " : " (", r->kinds[i].n, r->kinds[i].kind);
		len = strlen(buf);
	}
	if (r->nkinds && len + 1 < size)
		snprintf(buf + len, size - len, ")");
}

int
kpo_rejects_close(struct kpo_rejects *r, const char **name)
{
	int rc = 0;
	static char failed[4096];

	if (r->out) {
		snprintf(failed, sizeof failed, "%s", kpo_out_name(r->out));
		if (name)
			*name = failed;
		rc = kpo_out_commit(r->out);
	}
	free(r->stage);
	free(r);
	return rc;
}

double
kpo_max_reject_pct_arg(const char *arg)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(arg, &end);
	if (errno || end == arg || *end || !(p >= 0 && p <= 100))
		kpo_errx(EX_USAGE, "--max-reject-pct: a number from 0 to 100 expected: '%s'", arg);
	return p;
}

int
kpo_reject_threshold_passed(unsigned long long rejected, unsigned long long read, double pct)
{
	if (read == 0)
		return 0;
	return (double)rejected * 100.0 > pct * (double)read;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
kpo_progress_init(struct kpo_progress *p, int on)
{
	memset(p, 0, sizeof *p);
	p->on = on;
	p->start = p->last = now();
}

void
kpo_progress_show(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes, int final)
{
	double t = now(), secs;

	if (!p->on || (!final && t - p->last < 0.5))
		return;
	if (final && !p->shown)
		return;
	p->last = t;
	secs = t - p->start;
	fprintf(stderr, "\r%s: %llu rows, %.1f MB, %.1f MB/s%s", kpo_progname, rows,
	    (double)bytes / 1e6, secs > 0 ? (double)bytes / 1e6 / secs : 0.0, final ? "\n" : "  ");
	p->shown = 1;
}

void
kpo_stage_init(const char *argv0)
{
	kpo_setprogname(argv0);
	signal(SIGPIPE, SIG_DFL);
}

int
kpo_close_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		kpo_warn("stdout: write error");
		status = kpo_status_merge(status, EX_IOERR);
	}
	return status;
}
