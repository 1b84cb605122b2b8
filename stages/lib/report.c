#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "csvread.h"
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

int
kpo_verdict(struct kpo_verdict *v, const char *kind, const char *fmt, ...)
{
	va_list ap;

	v->kind = kind;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof v->detail, fmt, ap);
	va_end(ap);
	return -1;
}

int
kpo_verdict_value(struct kpo_verdict *v, const char *kind, const char *col, const char *s, size_t n)
{
	return kpo_verdict(v, kind, "column '%.100s': '%.*s'%s", col, (int)(n > 80 ? 80 : n), s,
	    n > 80 ? "..." : "");
}

int
kpo_source_split(const char *s, size_t n, size_t *filelen, long *line)
{
	size_t colon = n, i;
	long at = 0;

	while (colon > 0 && s[colon - 1] != ':')
		colon--;
	for (i = colon; i < n && (unsigned)(s[i] - '0') < 10 && at < 100000000000L; i++)
		at = at * 10 + (s[i] - '0');
	if (colon > 1 && i == n && i > colon && at > 0) {
		*filelen = colon - 1;
		*line = at;
		return 0;
	}
	return -1;
}

void
kpo_reject_row(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec,
    int source, const char *kind, const char *detail)
{
	const char *file = kpo_csv_name(r);
	long line = rec->line;
	char buf[4096];
	size_t flen;

	if (source >= 0 && rec->status == KPO_REC_OK &&
	    kpo_source_split(rec->f[source], rec->len[source], &flen, &line) == 0) {
		if (flen < sizeof buf) {
			memcpy(buf, rec->f[source], flen);
			buf[flen] = '\0';
			file = buf;
		} else {
			line = rec->line;
		}
	}
	kpo_reject(rj, file, line, kind, detail, rec->raw, rec->rawlen);
}

void
kpo_reject_damaged(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec)
{
	char detail[128];

	snprintf(detail, sizeof detail, "%zu fields, the header has %zu", rec->nf, kpo_csv_header(r)->nf);
	kpo_reject(rj, kpo_csv_name(r), rec->line, kpo_rec_status_kind(rec->status),
	    rec->status == KPO_REC_FIELD_COUNT ? detail : NULL, rec->raw, rec->rawlen);
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
	/* Nobody may hear it, but the status tells. */
	if (fflush(stderr) != 0 || ferror(stderr))
		status = kpo_status_merge(status, EX_IOERR);
	return status;
}

int
kpo_stage_option(struct kpo_stage *st, struct kpo_stage_args *a, int ch, const char *arg, void (*usage)(int))
{
	switch (ch) {
	case 'h':
		usage(0);
		return 1;
	case 'o':
		a->output = arg;
		return 1;
	case 'q':
		st->quiet = 1;
		return 1;
	case KPO_OPT_REJECTS:
		a->rejects = arg;
		return 1;
	case KPO_OPT_MAXPCT:
		st->max_reject_pct = kpo_max_reject_pct_arg(arg);
		return 1;
	case KPO_OPT_PROGRESS:
		a->progress = 1;
		return 1;
	case KPO_OPT_NOPROGRESS:
		a->progress = 0;
		return 1;
	case KPO_OPT_VERSION:
		printf("%s %s\n", kpo_progname, KPO_VERSION);
		exit(kpo_close_stdout(0));
	}
	return 0;
}

void
kpo_stage_start(struct kpo_stage *st, const struct kpo_stage_args *a, const char *stage)
{
	kpo_progress_init(&st->progress, a->progress < 0 ? isatty(STDERR_FILENO) : a->progress);
	if (!(st->rejects = kpo_rejects_open(a->rejects, stage)))
		kpo_err(EX_CANTCREAT, "%s", a->rejects);
}

/* Opens input PATH: 0 when it has a header, else the exit status after
 * saying what is wrong.  *R is always set and must be closed. */
static int
stage_open(const char *path, const struct kpo_csv_opts *opts, struct kpo_csv **r)
{
	*r = kpo_csv_open(path, opts);
	if (kpo_csv_error(*r)) {
		kpo_warnx("%s", kpo_csv_message(*r));
		return kpo_csv_exit_status(kpo_csv_error(*r));
	}
	if (!kpo_csv_header(*r)) {
		kpo_warn_at(kpo_csv_name(*r), 0, "empty input: no header line");
		return EX_DATAERR;
	}
	return 0;
}

static int
stage_rows(struct kpo_stage *st, const struct kpo_stage_ops *ops, void *ctx, void *in, struct kpo_csv *r)
{
	struct kpo_record *rec;
	int rc, status = 0;

	while ((rc = kpo_csv_next(r, &rec)) == 1) {
		st->read++;
		kpo_progress_tick(&st->progress, st->read, st->bytes_done + kpo_csv_bytes(r));
		if (rec->status != KPO_REC_OK) {
			kpo_reject_damaged(st->rejects, r, rec);
			continue;
		}
		if ((status = ops->row(ctx, in, r, rec)) != 0)
			break;
	}
	if (status < 0)
		status = 0;
	if (rc < 0) {
		kpo_warnx("%s", kpo_csv_message(r));
		status = kpo_status_merge(status, kpo_csv_exit_status(kpo_csv_error(r)));
	}
	return status;
}

static int
stage_input(struct kpo_stage *st, const struct kpo_stage_ops *ops, void *ctx, const struct kpo_csv_opts *csv,
    const char *path)
{
	struct kpo_csv *r;
	void *in = NULL;
	int status = stage_open(path, csv, &r);

	if (status == 0 && !(in = ops->input(ctx, r)))
		status = EX_DATAERR;
	if (status == 0)
		status = stage_rows(st, ops, ctx, in, r);
	st->bytes_done += kpo_csv_bytes(r);
	if (in)
		ops->input_free(in);
	kpo_csv_close(r);
	return status;
}

int
kpo_stage_run(struct kpo_stage *st, const struct kpo_stage_ops *ops, void *ctx, const struct kpo_csv_opts *csv,
    int argc, char **argv)
{
	int i, status = 0;

	if (argc == 0)
		return stage_input(st, ops, ctx, csv, "-");
	for (i = 0; i < argc && !ops->stop(ctx); i++)
		status = kpo_status_merge(status, stage_input(st, ops, ctx, csv, argv[i]));
	return status;
}

int
kpo_stage_finish(struct kpo_stage *st, int status, const char *extra)
{
	unsigned long long rejected = kpo_rejects_count(st->rejects);
	const char *name = NULL;
	char summary[1024];

	kpo_progress_show(&st->progress, st->read, st->bytes_done, 1);
	if (!st->quiet) {
		size_t len;

		snprintf(summary, sizeof summary, "%llu rows read, %llu %s, %llu rejected", st->read, st->written,
		    st->written_word ? st->written_word : "written", rejected);
		kpo_rejects_describe(st->rejects, summary, sizeof summary);
		len = strlen(summary);
		if (extra)
			snprintf(summary + len, sizeof summary - len, "%s", extra);
		kpo_warnx("%s", summary);
	}
	if (kpo_reject_threshold_passed(rejected, st->read, st->max_reject_pct)) {
		kpo_warnx("%llu of %llu rows rejected, more than --max-reject-pct %g%%", rejected, st->read,
		    st->max_reject_pct);
		status = kpo_status_merge(status, EX_DATAERR);
	} else if (st->need_rows && st->read > 0 && st->written == 0) {
		kpo_warnx("no valid row");
		status = kpo_status_merge(status, EX_DATAERR);
	}
	if (kpo_rejects_close(st->rejects, &name) != 0) {
		kpo_warn("%s: write error", name);
		status = kpo_status_merge(status, EX_IOERR);
	}
	st->rejects = NULL;
	return status;
}
