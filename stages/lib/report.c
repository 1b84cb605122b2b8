#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "csvread.h"
#include "err.h"
#include "out.h"
#include "report.h"

#if defined(__SANITIZE_ADDRESS__)
#define KPO_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KPO_LSAN 1
#endif
#endif
#ifdef KPO_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define MAX_KINDS 32
#define SHOWN_ON_STDERR 10

/* Rejects counted by kind, in the order the kinds were first met. */
struct tally {
	unsigned long long total;
	struct { const char *kind; unsigned long long n; } kinds[MAX_KINDS];
	size_t nkinds;
};

struct kpo_rejects {
	struct kpo_out *out;
	char *stage;
	struct tally rows, side;        /* the stream's rows, a side table's */
	unsigned long long shown;       /* on stderr */
	/* Held back (kpo_rejects_defer): every reject, as the arguments of
	 * reject(), one entry after another. */
	int deferred;
	char *log;
	size_t loglen, logcap;
	unsigned at_input;      /* where the row being read is (kpo_rejects_at) */
	long at_line;
};

/* One held-back reject; its file name, detail and raw text follow it. */
struct held {
	long line;
	const char *kind;
	size_t filelen, detaillen, rawlen;
	int side, has_detail;
	unsigned input;         /* the place of the row read when it was rejected */
	long at_line;
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

static void
count(struct tally *t, const char *kind)
{
	size_t i;

	for (i = 0; i < t->nkinds; i++)
		if (strcmp(t->kinds[i].kind, kind) == 0)
			break;
	if (i == t->nkinds && t->nkinds < MAX_KINDS)
		t->kinds[t->nkinds++].kind = kind;
	if (i < MAX_KINDS)
		t->kinds[i].n++;
	t->total++;
}

struct kpo_rejects *
kpo_rejects_defer(void)
{
	struct kpo_rejects *r = kpo_xcalloc(1, sizeof *r);

	r->stage = kpo_xstrdup("");
	r->deferred = 1;
	return r;
}

static void
hold(struct kpo_rejects *r, int side, const char *file, long line, const char *kind, const char *detail,
    const char *raw, size_t rawlen)
{
	struct held h = { line, kind, strlen(file), detail ? strlen(detail) : 0, rawlen, side, detail != NULL,
	    r->at_input, r->at_line };
	size_t need = sizeof h + h.filelen + h.detaillen + h.rawlen;
	char *p;

	need = (need + _Alignof(struct held) - 1) / _Alignof(struct held) * _Alignof(struct held);
	if (r->loglen + need > r->logcap) {
		while (r->loglen + need > r->logcap)
			r->logcap = r->logcap ? 2 * r->logcap : 4096;
		r->log = kpo_xrealloc(r->log, r->logcap);
	}
	p = r->log + r->loglen;
	memcpy(p, &h, sizeof h);
	memcpy(p + sizeof h, file, h.filelen);
	memcpy(p + sizeof h + h.filelen, detail ? detail : "", h.detaillen);
	memcpy(p + sizeof h + h.filelen + h.detaillen, raw, rawlen);
	r->loglen += need;
}

static void reject(struct kpo_rejects *r, struct tally *t, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen);

void
kpo_rejects_replay(struct kpo_rejects *to, struct kpo_rejects *from)
{
	size_t at = 0;

	while (at < from->loglen) {
		struct held h;
		const char *p = from->log + at;
		char *file, *detail;

		memcpy(&h, p, sizeof h);
		p += sizeof h;
		file = kpo_xmalloc(h.filelen + 1);
		memcpy(file, p, h.filelen);
		file[h.filelen] = '\0';
		detail = kpo_xmalloc(h.detaillen + 1);
		memcpy(detail, p + h.filelen, h.detaillen);
		detail[h.detaillen] = '\0';
		to->at_input = h.input;         /* a held-back store keeps it */
		to->at_line = h.at_line;
		reject(to, h.side ? &to->side : &to->rows, file, h.line, h.kind, h.has_detail ? detail : NULL,
		    p + h.filelen + h.detaillen, h.rawlen);
		free(file);
		free(detail);
		at += sizeof h + h.filelen + h.detaillen + h.rawlen;
		at = (at + _Alignof(struct held) - 1) / _Alignof(struct held) * _Alignof(struct held);
	}
	free(from->log);
	free(from->stage);
	free(from);
}

void
kpo_rejects_discard(struct kpo_rejects *r)
{
	if (!r)
		return;
	kpo_out_abort(r->out);
	free(r->log);
	free(r->stage);
	free(r);
}

void
kpo_rejects_at(struct kpo_rejects *r, unsigned input, long line)
{
	r->at_input = input;
	r->at_line = line;
}

void
kpo_rejects_each(const struct kpo_rejects *r, void (*fn)(void *ctx, const struct kpo_held_reject *h), void *ctx)
{
	size_t at = 0;

	while (r->deferred && at < r->loglen) {
		struct held h;
		struct kpo_held_reject e;
		const char *p = r->log + at;

		memcpy(&h, p, sizeof h);
		p += sizeof h;
		e = (struct kpo_held_reject){ h.side, p, h.filelen, h.line, h.kind, h.has_detail ? p + h.filelen : NULL,
		    h.detaillen, p + h.filelen + h.detaillen, h.rawlen, h.input, h.at_line };
		fn(ctx, &e);
		at += sizeof h + h.filelen + h.detaillen + h.rawlen;
		at = (at + _Alignof(struct held) - 1) / _Alignof(struct held) * _Alignof(struct held);
	}
}

static void
reject(struct kpo_rejects *r, struct tally *t, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen)
{
	count(t, kind);
	if (r->deferred) {
		hold(r, t == &r->side, file, line, kind, detail, raw, rawlen);
		return;
	}
	if (r->shown++ < SHOWN_ON_STDERR)
		kpo_warn_at(file, line, "%s%s%s", kind, detail ? ": " : "", detail ? detail : "");
	else if (r->shown == SHOWN_ON_STDERR + 1)
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

void
kpo_reject(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen)
{
	reject(r, &r->rows, file, line, kind, detail, raw, rawlen);
}

void
kpo_reject_side(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen)
{
	reject(r, &r->side, file, line, kind, detail, raw, rawlen);
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
	return kpo_verdict(v, kind, "column '%.100s': '%.*s'%s", col, (int)(n > 60 ? 60 : n), s,
	    n > 60 ? "..." : "");
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

/* The longest FILE of a source column a reject is placed at. */
#define SOURCE_FILE_MAX 4095

int
kpo_reject_row_by_source(const struct kpo_record *rec, int source)
{
	size_t flen;
	long line;

	return source >= 0 && rec->status == KPO_REC_OK &&
	    kpo_source_split(rec->f[source], rec->len[source], &flen, &line) == 0 && flen <= SOURCE_FILE_MAX;
}

void
kpo_reject_row(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec,
    int source, const char *kind, const char *detail)
{
	const char *file = kpo_csv_name(r);
	long line = rec->line;
	char buf[SOURCE_FILE_MAX + 1];
	size_t flen;

	if (kpo_reject_row_by_source(rec, source)) {
		kpo_source_split(rec->f[source], rec->len[source], &flen, &line);
		memcpy(buf, rec->f[source], flen);
		buf[flen] = '\0';
		file = buf;
	}
	kpo_reject(rj, file, line, kind, detail, rec->raw, rec->rawlen);
}

void
kpo_reject_damaged(struct kpo_rejects *rj, const struct kpo_csv *r, const struct kpo_record *rec)
{
	char detail[128];

	snprintf(detail, sizeof detail, "%zu field%s, the header has %zu", rec->nf, rec->nf == 1 ? "" : "s",
	    kpo_csv_header(r)->nf);
	kpo_reject(rj, kpo_csv_name(r), rec->line, kpo_rec_status_kind(rec->status),
	    rec->status == KPO_REC_FIELD_COUNT ? detail : NULL, rec->raw, rec->rawlen);
}

unsigned long long
kpo_rejects_count(const struct kpo_rejects *r)
{
	return r->rows.total;
}

unsigned long long
kpo_rejects_side_count(const struct kpo_rejects *r)
{
	return r->side.total;
}

static void
describe(const struct tally *t, char *buf, size_t size)
{
	size_t i, len = strlen(buf);

	for (i = 0; i < t->nkinds && len + 1 < size; i++) {
		snprintf(buf + len, size - len, "%s%llu %s", i ? ", " : " (", t->kinds[i].n, t->kinds[i].kind);
		len = strlen(buf);
	}
	if (t->nkinds && len + 1 < size)
		snprintf(buf + len, size - len, ")");
}

void
kpo_rejects_describe(const struct kpo_rejects *r, char *buf, size_t size)
{
	describe(&r->rows, buf, size);
}

void
kpo_rejects_side_describe(const struct kpo_rejects *r, char *buf, size_t size)
{
	describe(&r->side, buf, size);
}

int
kpo_rejects_close(struct kpo_rejects *r, const char **name)
{
	int rc = 0;
	static _Thread_local char failed[4096];        /* kpo-run closes one per thread */

	if (r->out) {
		snprintf(failed, sizeof failed, "%s", kpo_out_name(r->out));
		if (name)
			*name = failed;
		rc = kpo_out_commit(r->out);
	}
	free(r->log);
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
kpo_progress_init(struct kpo_progress *p, int on, unsigned long long total)
{
	const char *every = getenv("KPO_PROGRESS_EVERY");       /* seconds; tests make it 0 */

	memset(p, 0, sizeof *p);
	p->on = on;
	p->total = total;
	p->every = every && *every ? atof(every) : 0.5;
	p->start = p->last = now();
}

void
kpo_progress_show(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes)
{
	double t = now(), secs, rate;
	char line[160];
	int n;

	if (!p->on || t - p->last < p->every)
		return;
	p->last = t;
	secs = t - p->start;
	rate = secs > 0 ? (double)bytes / 1e6 / secs : 0.0;
	if (p->total && bytes <= p->total) {
		double left = rate > 0 ? (double)(p->total - bytes) / 1e6 / rate : 0;

		n = snprintf(line, sizeof line, "%s: %3.0f%% of %.0f MB, %llu rows, %.0f MB/s, %d:%02d left",
		    kpo_progname, 100.0 * (double)bytes / (double)p->total, (double)p->total / 1e6, rows, rate,
		    (int)left / 60, (int)left % 60);
	} else {
		n = snprintf(line, sizeof line, "%s: %llu rows, %.1f MB, %.0f MB/s", kpo_progname, rows,
		    (double)bytes / 1e6, rate);
	}
	/* Spaces over what a longer line left. */
	fprintf(stderr, "\r%s%*s", line, p->shown > n ? p->shown - n : 0, "");
	p->shown = n > p->shown ? n : p->shown;
}

void
kpo_progress_clear(struct kpo_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r%*s\r", p->shown, "");
	p->shown = 0;
}

#ifdef KPO_LSAN
/* Under LeakSanitizer, leaks are looked for when main() has returned, not
 * when an error ended the program from inside (a bad option or table: err.h's
 * main() helpers), where what was being built is left to exit() on purpose and
 * may or may not still be reachable from a register. */
static int main_returning;

const char *__lsan_default_options(void);

const char *
__lsan_default_options(void)
{
	return "leak_check_at_exit=0";
}

static void
leak_check(void)
{
	if (main_returning)
		__lsan_do_leak_check();
}
#endif

void
kpo_stage_init(const char *argv0)
{
	kpo_setprogname(argv0);
	signal(SIGPIPE, SIG_DFL);
#ifdef KPO_LSAN
	atexit(leak_check);
#endif
}

int
kpo_close_stdout(int status)
{
#ifdef KPO_LSAN
	main_returning = 1;
#endif
	if (fflush(stdout) != 0 || ferror(stdout)) {
		kpo_warn("stdout: write error");
		status = kpo_status_merge(status, EX_IOERR);
	}
	/* Nobody may hear it, but the status tells. */
	if (fflush(stderr) != 0 || ferror(stderr))
		status = kpo_status_merge(status, EX_IOERR);
	return status;
}

static void
help_lines(const struct kpo_help *h)
{
	for (; h && h->option; h++) {
		if (strlen(h->option) > 26)
			printf("  %s\n  %-26s  %s\n", h->option, "", h->what);
		else
			printf("  %-26s  %s\n", h->option, h->what);
	}
}

void
kpo_usage(int status, const char *synopsis, const char *what, const struct kpo_help *options, int shared)
{
	static const struct kpo_help common[] = {
		{ "-o, --output FILE", "write to FILE (atomically; .gz: gzip) instead of standard output" },
		{ "--rejects FILE", "write rejected rows there (source,stage,reason,record)" },
		{ "--max-reject-pct P", "exit 65 when more than P % of the rows are rejected (default 5)" },
		{ "--max-fields N", "reject a record of more than N fields (default 131072)" },
		{ "--max-field-bytes N", "reject a field of more than N bytes (default 1M)" },
		{ "--max-record-bytes N", "reject a record of more than N bytes (default 8M)" },
		{ "--progress, --no-progress", "a progress line on standard error (default: on a terminal, for a file)" },
		{ "-q, --quiet", "no progress line, no summary line" },
		{ "-h, --help", "this help" },
		{ "--version", "the version" },
		{ NULL, NULL }
	};

	if (status) {
		fprintf(stderr, "usage: %s %s\nTry '%s --help' for more.\n", kpo_progname, synopsis, kpo_progname);
		exit(status);
	}
	printf("usage: %s %s\n%s\n\n", kpo_progname, synopsis, what);
	help_lines(options);
	if (shared)
		help_lines(common);
	printf("\nSee %s(1); kpo(7) has the stream formats and the exit statuses.\n", kpo_progname);
	exit(kpo_close_stdout(0));
}

/* A cap of the reader: a whole number from 1 to 2^31 (a suffix k, M or G
 * multiplies it). */
static size_t
cap_arg(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'M')
		v *= 1024 * 1024, end++;
	else if (*end == 'G')
		v *= 1024.0 * 1024 * 1024, end++;
	if (errno || end == arg || *end || !(v >= 1 && v <= 2147483648.0) || v != (double)(size_t)v)
		kpo_errx(EX_USAGE, "%s: a whole number from 1 to 2G expected: '%s'", opt, arg);
	return (size_t)v;
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
	case KPO_OPT_MAXFIELD:
		a->max_field = cap_arg("--max-field-bytes", arg);
		return 1;
	case KPO_OPT_MAXFIELDS:
		a->max_fields = cap_arg("--max-fields", arg);
		return 1;
	case KPO_OPT_MAXRECORD:
		a->max_record = cap_arg("--max-record-bytes", arg);
		return 1;
	}
	return 0;
}

void
kpo_stage_caps(const struct kpo_stage_args *a, struct kpo_csv_opts *o)
{
	o->max_field = a->max_field;
	o->max_fields = a->max_fields;
	o->max_record = a->max_record;
}

/* The bytes of the regular files among the operands, and whether all are. */
static unsigned long long
input_size(int argc, char **argv, int *all_regular)
{
	unsigned long long total = 0;
	struct stat sb;
	int i, ok;

	*all_regular = 1;
	for (i = 0; i < (argc ? argc : 1); i++) {
		if (argc == 0 || strcmp(argv[i], "-") == 0)
			ok = fstat(STDIN_FILENO, &sb) == 0;
		else
			ok = stat(argv[i], &sb) == 0;
		if (ok && S_ISREG(sb.st_mode))
			total += (unsigned long long)sb.st_size;
		else
			*all_regular = 0;
	}
	return total;
}

void
kpo_stage_start(struct kpo_stage *st, const struct kpo_stage_args *a, const char *stage, int argc, char **argv)
{
	int regular, on;
	unsigned long long total = input_size(argc, argv, &regular);

	on = a->progress >= 0 ? a->progress : !st->quiet && regular && isatty(STDERR_FILENO);
	kpo_progress_init(&st->progress, on, regular ? total : 0);
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
		kpo_rejects_at(st->rejects, st->input_base + st->inputs - 1, rec->line);
		/* Where the file is costs a system call (lseek): asked only
		 * when the line is shown. */
		if (st->progress.on && (st->read & 4095) == 0)
			kpo_progress_show(&st->progress, st->read, st->bytes_done + kpo_csv_offset(r));
		if (rec->status != KPO_REC_OK) {
			if (!ops->damaged || !ops->damaged(ctx, in, r, rec))
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

	st->inputs++;
	if (status == 0 && !(in = ops->input(ctx, r)))
		status = EX_DATAERR;
	if (status == 0)
		status = stage_rows(st, ops, ctx, in, r);
	st->bytes_done += kpo_csv_offset(r);
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

	kpo_progress_clear(&st->progress);
	if (!st->quiet && st->read == 0 && status == 0)
		kpo_warnx("no data rows: the input%s only a header", st->inputs > 1 ? "s have" : " has");
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
