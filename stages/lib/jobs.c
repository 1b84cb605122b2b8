#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "csvread.h"
#include "csvsplit.h"
#include "enrich.h"
#include "err.h"
#include "ingest.h"
#include "jobs.h"
#include "metrics.h"
#include "out.h"
#include "partial.h"
#include "report.h"
#include "schema.h"

#define PART_BYTES (8ULL << 20)  /* the least a file is cut into */
#define MAX_CUTS 256
#define NSTREAM KPO_NCOLS                       /* the stream kpo-ingest writes, without --keep */
#define NOTES 2048
#define NO_MARK SIZE_MAX

/* A part of the inputs, and what reading it gave. */
struct part {
	const char *path;
	int first;              /* the first part of its file: the header's messages and notes are its */
	int ranged;             /* a part of a file cut into parts */
	struct kpo_csv_range range;
	size_t index;           /* in the plan */
	unsigned input;         /* the number of its file among the operands */

	struct kpo_stage st;    /* the counts and rejects of the stage reading it: kpo-ingest's,
	                         * or kpo-enrich's for ingested inputs (until read_by_enrich) */
	int status;
	unsigned long long e_read, e_written, no_rate, no_cost, priced;
	unsigned long long m_read, m_written;
	struct kpo_rejects *erj, *mrj;
	struct kpo_metrics *m;
	struct kpo_metrics_input *min;
	struct kpo_msgs msgs;
	size_t mark;            /* where the messages of its rows begin in msgs */
	char notes[NOTES];      /* kpo-ingest's notes on its header */
	int inexact;
	unsigned long long last_bytes;
	int done;
};

struct kpo_jobs;

/* What one thread reads parts with. */
struct job {
	struct kpo_jobs *J;
	struct kpo_ingest *ing;
	struct kpo_enrich *e;
	struct kpo_enrich_input *ein;
	struct kpo_out *text;   /* a row's text, for a reject */
	struct kpo_csv *shdr, *mhdr;    /* the headers of the two streams */
	struct part *p;
	struct kpo_record srec, mrec;   /* the row kpo-enrich would read, kpo-metrics would */
	const char *sf[NSTREAM], **mf;
	size_t slen[NSTREAM], *mlen;
	char *sbuf;
	size_t scap;
	unsigned long long rows;        /* rows read since the progress counters were told */
};

/* The columns of the stream kpo-enrich reads: kpo-ingest's, or, for
 * ingested inputs, those of the first one, which kpo-enrich's output takes
 * (kpo_enrich_input). */
struct columns {
	char **name;
	size_t n;
};

struct kpo_jobs {
	const struct kpo_jobs_conf *c;
	size_t max_field, max_record;
	struct columns cols;
	struct part **parts;
	size_t nparts, next;
	/* Of each part of the plan, kept when the part is freed: the line ends
	 * from its start (its file's, for a first part) to its end, when
	 * counted (-1: could not be), and whether it is a file's first. */
	long *ends;
	char *counted, *first;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned long long rows, bytes; /* read so far, for the progress line */
};

/* The two streams' headers ---------------------------------------------- */

static void
columns_free(struct columns *cols)
{
	size_t i;

	for (i = 0; i < cols->n; i++)
		free(cols->name[i]);
	free(cols->name);
	*cols = (struct columns){ NULL, 0 };
}

static void
columns_add(struct columns *cols, const char *name, size_t len)
{
	cols->name = kpo_xrealloc(cols->name, (cols->n + 1) * sizeof *cols->name);
	cols->name[cols->n] = kpo_xmalloc(len + 1);
	memcpy(cols->name[cols->n], name, len);
	cols->name[cols->n++][len] = '\0';
}

/* A header name that kpo-metrics reads back from kpo-enrich's output as
 * it was, and that cannot sway its reader's guess of the delimiter. */
static int
plain_name(const char *s, size_t n)
{
	return n > 0 && s[0] != ' ' && s[n - 1] != ' ' && strcspn(s, ",;\t|\"\r\n") == n && strlen(s) == n;
}

/* 0 when the header H of an ingested input is one the jobs can take as
 * kpo-enrich's first: kpo-ingest's columns all there, none of kpo-enrich's,
 * each name once and plain; then its names are in COLS. */
static int
columns_of_header(const struct kpo_record *h, struct columns *cols)
{
	size_t i, k;
	int c;

	if (h->status != KPO_REC_OK)
		return -1;
	for (c = 0; c < KPO_NCOLS; c++)
		if (kpo_header_find(h, kpo_columns[c].name) < 0)
			return -1;
	for (c = 0; c < KPO_NENRICHED; c++)
		if (kpo_header_find(h, kpo_enriched_columns[c]) >= 0)
			return -1;
	for (i = 0; i < h->nf; i++) {
		if (!plain_name(h->f[i], h->len[i]))
			return -1;
		for (k = 0; k < i; k++)
			if (strcmp(h->f[k], h->f[i]) == 0)
				return -1;
	}
	for (i = 0; i < h->nf; i++)
		columns_add(cols, h->f[i], h->len[i]);
	return 0;
}

/* The header of ingested input PATH, read as kpo-enrich reads it: 0 with
 * its names in COLS, or -1 when the pipes must run (it cannot be read
 * twice, cannot be opened, or is not columns_of_header's). */
static int
columns_of_input(const struct kpo_jobs_conf *c, const char *path, struct columns *cols)
{
	struct kpo_msgs said = { NULL, 0, 0 }, *held = kpo_msgs_capture;
	struct stat sb;
	struct kpo_csv *r;
	int rc = -1;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return -1;
	kpo_msgs_capture = &said;       /* kpo-enrich says it, if need be, when it reads the file */
	r = kpo_csv_open(path, c->csv);
	if (kpo_csv_error(r) == KPO_CSV_OK && kpo_csv_header(r))
		rc = columns_of_header(kpo_csv_header(r), cols);
	kpo_csv_close(r);
	kpo_msgs_capture = held;
	kpo_msgs_free(&said);
	return rc;
}

/* The columns of the stream kpo-enrich reads, into COLS: 0, or -1 when the
 * pipes must run (as kpo_jobs_can says). */
static int
stream_columns(const struct kpo_jobs_conf *c, int argc, char **argv, struct columns *cols)
{
	size_t max_fields = c->max_fields ? c->max_fields : KPO_CSV_MAX_FIELDS;
	size_t max_field = c->max_field ? c->max_field : KPO_CSV_MAX_FIELD;
	size_t max_record = c->max_record ? c->max_record : KPO_CSV_MAX_RECORD;
	size_t i, text = 0;
	int col;

	*cols = (struct columns){ NULL, 0 };
	if (!c->ingested) {
		for (col = 0; col < KPO_NCOLS; col++)
			columns_add(cols, kpo_columns[col].name, strlen(kpo_columns[col].name));
	} else if (argc == 0 || columns_of_input(c, argv[0], cols) != 0) {
		return -1;
	}
	/* The enriched stream's header must pass kpo-metrics' reader's caps. */
	for (i = 0; i < cols->n; i++) {
		if (strlen(cols->name[i]) > max_field)
			break;
		text += strlen(cols->name[i]) + 1;
	}
	for (col = 0; col < KPO_NENRICHED; col++)
		text += strlen(kpo_enriched_columns[col]) + 1;
	if (i < cols->n || cols->n + KPO_NENRICHED > max_fields || text > max_record) {
		columns_free(cols);
		return -1;
	}
	return 0;
}

/* The header of the stream kpo-enrich reads, or with ENRICHED of the one it
 * writes. */
static struct kpo_csv *
stream_header(const struct columns *cols, int enriched)
{
	const char **names = kpo_xcalloc(cols->n + KPO_NENRICHED, sizeof *names);
	struct kpo_csv *h;
	size_t n;
	int c;

	for (n = 0; n < cols->n; n++)
		names[n] = cols->name[n];
	for (c = 0; enriched && c < KPO_NENRICHED; c++)
		names[n++] = kpo_enriched_columns[c];
	h = kpo_csv_of_header("-", names, n);
	free(names);
	return h;
}

/* The rows kpo-enrich and kpo-metrics would read -------------------------- */

/* The text of REC as the stage before wrote it, without its line end: what
 * a reject quotes, and what the stream readers' record cap measures. */
static void
row_text(struct job *j, struct kpo_record *rec)
{
	size_t i;

	kpo_out_memory_clear(j->text);
	for (i = 0; i < rec->nf; i++)
		kpo_out_field(j->text, rec->f[i], rec->len[i]);
	rec->raw = kpo_out_memory_text(j->text, &rec->rawlen);
}

/* 0 when the stream's reader would have read REC as it is: no field past its
 * cap, the record not past its cap.  LONGEST is its longest field, TOTAL
 * the sum of its fields' lengths + 1.  The text is made only when the
 * fields come near the record cap. */
static int
within_caps(struct job *j, struct kpo_record *rec, size_t longest, size_t total)
{
	if (longest > j->J->max_field)
		return -1;
	if (2 * total + 2 <= j->J->max_record)
		return 0;
	row_text(j, rec);
	return rec->rawlen > j->J->max_record ? -1 : 0;
}

/* The row kpo-ingest made, as kpo-enrich would read it: NUL-terminated
 * fields, numbered as lines of a stream of one line a row. */
static int
stream_row(struct job *j, struct kpo_ingest_input *in)
{
	size_t n = kpo_ingest_fields(in, j->sf, j->slen), i, need = 0, at = 0, longest = 0;

	for (i = 0; i < n; i++) {
		need += j->slen[i] + 1;
		if (j->slen[i] > longest)
			longest = j->slen[i];
	}
	if (need > j->scap) {
		j->scap = 2 * need;
		j->sbuf = kpo_xrealloc(j->sbuf, j->scap);
	}
	for (i = 0; i < n; i++) {
		memcpy(j->sbuf + at, j->sf[i], j->slen[i]);
		j->sbuf[at + j->slen[i]] = '\0';
		j->srec.f[i] = j->sbuf + at;
		j->srec.len[i] = j->slen[i];
		at += j->slen[i] + 1;
	}
	j->srec.nf = n;
	j->srec.line = (long)j->p->e_read + 2;
	j->srec.raw = "";
	j->srec.rawlen = 0;
	j->srec.status = KPO_REC_OK;
	return within_caps(j, &j->srec, longest, need);
}

/* The row kpo-enrich writes for REC (mapped by IN), as kpo-metrics would
 * read it. */
static int
enriched_row(struct job *j, const struct kpo_enrich_input *in, const struct kpo_record *rec)
{
	size_t i, n = kpo_enrich_fields(j->e, in, rec, j->mf, j->mlen), longest = 0, total = 0;

	for (i = 0; i < n; i++) {
		j->mrec.f[i] = (char *)j->mf[i];
		j->mrec.len[i] = j->mlen[i];
		total += j->mlen[i] + 1;
		if (j->mlen[i] > longest)
			longest = j->mlen[i];
	}
	j->mrec.nf = n;
	j->mrec.line = rec->line;       /* not its line in kpo-enrich's output: see metrics_row */
	j->mrec.raw = "";
	j->mrec.rawlen = 0;
	j->mrec.status = KPO_REC_OK;
	return within_caps(j, &j->mrec, longest, total);
}

/* The fused stages, as kpo_stage_run's ops for kpo-ingest's inputs ------- */

static void *
fused_input(void *ctx, struct kpo_csv *r)
{
	struct job *j = ctx;
	struct part *p = j->p;
	size_t from = kpo_ingest_notes_len(j->ing);
	struct kpo_ingest_input *in = kpo_ingest_input(j->ing, r);

	kpo_ingest_take_notes(j->ing, from, p->notes, sizeof p->notes);
	p->mark = p->msgs.len;
	p->last_bytes = kpo_csv_bytes(r);
	return in;
}

static void
tick(struct job *j, struct kpo_csv *r)
{
	unsigned long long b = kpo_csv_bytes(r);

	__atomic_add_fetch(&j->J->rows, j->rows, __ATOMIC_RELAXED);
	__atomic_add_fetch(&j->J->bytes, b - j->p->last_bytes, __ATOMIC_RELAXED);
	j->p->last_bytes = b;
	j->rows = 0;
}

/* kpo-enrich's counts of a row it wrote on. */
static void
count_enriched(struct part *p, const struct kpo_enrich_input *in)
{
	p->no_rate += (unsigned)kpo_enrich_no_rate(in);
	p->no_cost += (unsigned)kpo_enrich_no_cost(in);
	p->priced += (unsigned)kpo_enrich_priced(in);
}

/* kpo-metrics' part of a row: REC as kpo-enrich read it, IN its mapping.
 * 0, or -1 when the run is inexact. */
static int
metrics_row(struct job *j, const struct kpo_enrich_input *in, const struct kpo_record *rec)
{
	struct part *p = j->p;
	struct kpo_verdict v;
	int rc, source;

	if (enriched_row(j, in, rec) != 0)
		return -1;
	p->m_read++;
	rc = kpo_metrics_add(p->m, p->min, &j->mrec, &v);
	if (rc < 0) {
		/* A reject whose source column gives no FILE:LINE is placed
		 * at its line in kpo-enrich's output, which a part does not
		 * know (the parts before it are read at the same time). */
		source = kpo_metrics_source_field(p->min);
		if (!kpo_reject_row_by_source(&j->mrec, source))
			return -1;
		row_text(j, &j->mrec);
		kpo_reject_row(p->mrj, j->mhdr, &j->mrec, source, v.kind, v.detail);
		return 0;
	}
	if (rc == KPO_METRICS_FULL)
		return -1;
	p->m_written++;
	return 0;
}

static int
fused_row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct job *j = ctx;
	struct part *p = j->p;
	const char *source = kpo_ingest_source(in, rec->line);
	struct kpo_verdict v;

	if (++j->rows == 4096)
		tick(j, r);
	if (kpo_ingest_row(j->ing, in, rec, source, &v) != 0) {
		kpo_reject(p->st.rejects, kpo_csv_name(r), rec->line, v.kind, v.detail, rec->raw, rec->rawlen);
		return 0;
	}
	p->st.written++;
	if (stream_row(j, in) != 0) {
		p->inexact = 1;
		return -1;
	}
	p->e_read++;
	if (kpo_enrich_row(j->e, j->ein, &j->srec, &v) != 0) {
		row_text(j, &j->srec);
		kpo_reject_row(p->erj, j->shdr, &j->srec, kpo_enrich_source_field(j->ein), v.kind, v.detail);
		return 0;
	}
	p->e_written++;
	count_enriched(p, j->ein);
	if (metrics_row(j, j->ein, &j->srec) != 0) {
		p->inexact = 1;
		return -1;
	}
	return 0;
}

static void
fused_input_free(void *in)
{
	kpo_ingest_input_free(in);
}

static int
fused_stop(void *ctx)
{
	return ((struct job *)ctx)->p->inexact;
}

/* kpo-ingest's own reasons for a damaged record (a total line). */
static int
fused_damaged(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct job *j = ctx;
	struct kpo_ingest_stage x = { j->ing, &j->p->st, NULL };

	return kpo_ingest_stage_ops.damaged(&x, in, r, rec);
}

static const struct kpo_stage_ops fused_ops = {
	fused_input, fused_row, fused_input_free, fused_stop, fused_damaged
};

/* The fused stages, as kpo_stage_run's ops for ingested inputs ------------ */

/* kpo-enrich reads the inputs itself; its reader's records, rejects and
 * messages are those of kpo-enrich FILE..., and each row it writes on goes
 * to kpo-metrics as above. */
static void *
ingested_input(void *ctx, struct kpo_csv *r)
{
	struct job *j = ctx;
	/* Mapped as a later input of kpo-enrich's, the first having been
	 * the header job_new mapped: its messages of columns that differ
	 * are kpo-enrich's. */
	struct kpo_enrich_input *in = kpo_enrich_input(j->e, r, j->text);

	j->p->mark = j->p->msgs.len;
	j->p->last_bytes = kpo_csv_bytes(r);
	return in;
}

static int
ingested_row(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct job *j = ctx;
	const struct kpo_jobs_conf *c = j->J->c;
	struct part *p = j->p;
	struct kpo_verdict v;

	if (++j->rows == 4096)
		tick(j, r);
	if (c->nshards > 1) {
		int task = kpo_enrich_task_field(in);

		/* Another shard's row is not this one's to count.  A stream
		 * without task_id is shard 1's alone. */
		if (task >= 0 ? kpo_shard_of(rec->f[task], rec->len[task], c->nshards) != c->shard : c->shard != 0) {
			p->st.read--;
			return 0;
		}
	}
	kpo_rejects_at(p->mrj, p->input, rec->line);     /* a partial's place of kpo-metrics' rejects */
	if (kpo_enrich_row(j->e, in, rec, &v) != 0) {
		kpo_reject_row(p->st.rejects, r, rec, kpo_enrich_source_field(in), v.kind, v.detail);
		return 0;
	}
	p->st.written++;
	count_enriched(p, in);
	if (metrics_row(j, in, rec) != 0) {
		p->inexact = 1;
		return -1;
	}
	return 0;
}

static void
ingested_input_free(void *in)
{
	kpo_enrich_input_free(in);
}

/* Damaged records get the reader's reasons, as kpo-enrich gives them: in
 * shard 1 of several (a damaged record has no task_id to tell its shard). */
static int
ingested_damaged(void *ctx, void *in, struct kpo_csv *r, struct kpo_record *rec)
{
	struct job *j = ctx;

	(void)in, (void)r, (void)rec;
	if (j->J->c->shard == 0)
		return 0;
	j->p->st.read--;
	return 1;
}

static const struct kpo_stage_ops ingested_ops = {
	ingested_input, ingested_row, ingested_input_free, fused_stop, ingested_damaged
};

/* Jobs ---------------------------------------------------------------------- */

static struct job *
job_new(struct kpo_jobs *J)
{
	const struct kpo_jobs_conf *c = J->c;
	struct job *j = kpo_xcalloc(1, sizeof *j);
	struct kpo_msgs said = { NULL, 0, 0 }, *held = kpo_msgs_capture;

	/* What loading the tables says, main() said when it loaded them. */
	size_t nm = J->cols.n + KPO_NENRICHED;

	kpo_msgs_capture = &said;
	j->J = J;
	j->ing = c->ingested ? NULL : kpo_ingest_new(c->io);
	j->e = kpo_enrich_new(c->eo);
	j->text = kpo_out_memory();
	j->shdr = stream_header(&J->cols, 0);
	j->mhdr = stream_header(&J->cols, 1);
	/* The stream's header, mapped first, is kpo-enrich's first input's:
	 * the columns of every enriched row, in their order. */
	j->ein = kpo_enrich_input(j->e, j->shdr, j->text);
	kpo_msgs_capture = held;
	kpo_msgs_free(&said);
	j->srec.f = kpo_xcalloc(NSTREAM, sizeof *j->srec.f);
	j->srec.len = kpo_xcalloc(NSTREAM, sizeof *j->srec.len);
	j->mf = kpo_xcalloc(nm, sizeof *j->mf);
	j->mlen = kpo_xcalloc(nm, sizeof *j->mlen);
	j->mrec.f = kpo_xcalloc(nm, sizeof *j->mrec.f);
	j->mrec.len = kpo_xcalloc(nm, sizeof *j->mrec.len);
	return j;
}

static void
job_free(struct job *j)
{
	kpo_enrich_input_free(j->ein);
	kpo_enrich_free(j->e);
	kpo_ingest_free(j->ing);
	kpo_out_abort(j->text);
	kpo_csv_close(j->shdr);
	kpo_csv_close(j->mhdr);
	free(j->srec.f);
	free(j->srec.len);
	free(j->mrec.f);
	free(j->mrec.len);
	free(j->mf);
	free(j->mlen);
	free(j->sbuf);
	free(j);
}

static long first_line(struct kpo_jobs *J, struct part *p);

/* The stage that reads the inputs, which a job speaks as. */
static const char *
reader_name(const struct kpo_jobs_conf *c)
{
	return c->ingested ? "kpo-enrich" : "kpo-ingest";
}

/* An ingested part was read by kpo-enrich: its reader's counts and rejects
 * are the enrich stage's, where take() looks for them. */
static void
read_by_enrich(struct part *p)
{
	p->e_read = p->st.read;
	p->e_written = p->st.written;
	kpo_rejects_discard(p->erj);
	p->erj = p->st.rejects;
	p->st.rejects = NULL;
}

/* Reads part P through the fused stages. */
static void
job_read(struct job *j, struct part *p)
{
	const struct kpo_jobs_conf *c = j->J->c;
	struct kpo_csv_opts csv = *c->csv;
	char *argv[1] = { (char *)p->path };
	struct kpo_msgs *held = kpo_msgs_capture;
	const char *self = kpo_progname;

	p->st = (struct kpo_stage){ .max_reject_pct = 100.0, .quiet = 1, .input_base = p->input };
	p->st.rejects = kpo_rejects_defer();
	p->erj = kpo_rejects_defer();
	p->mrj = kpo_rejects_defer();
	p->m = kpo_metrics_new(c->mo);
	kpo_metrics_overheads(p->m, c->costs, c->gov_pct);
	p->mark = NO_MARK;
	j->p = p;
	j->rows = 0;
	if (p->ranged && !p->range.line && !(p->range.line = first_line(j->J, p))) {
		p->inexact = 1;
		return;
	}
	/* As a job speaks, held back in P, also on the main thread (which
	 * reads a part again, and holds back what the run says). */
	kpo_progname = reader_name(c);
	kpo_msgs_capture = &p->msgs;
	if (!(p->min = kpo_metrics_input(p->m, j->mhdr))) {
		p->inexact = 1;
	} else {
		csv.range = p->ranged ? &p->range : NULL;
		p->status = kpo_stage_run(&p->st, c->ingested ? &ingested_ops : &fused_ops, j, &csv, 1, argv);
		kpo_metrics_input_free(p->min);
	}
	kpo_msgs_capture = held;
	kpo_progname = self;
	if (c->ingested)
		read_by_enrich(p);
	__atomic_add_fetch(&j->J->rows, j->rows, __ATOMIC_RELAXED);
}

static void
part_free(struct part *p)
{
	if (!p)
		return;
	kpo_rejects_discard(p->st.rejects);
	kpo_rejects_discard(p->erj);
	kpo_rejects_discard(p->mrj);
	kpo_metrics_free(p->m);
	kpo_msgs_free(&p->msgs);
	free(p);
}

static void *
job_thread(void *arg)
{
	struct job *j = arg;
	struct kpo_jobs *J = j->J;

	kpo_progname = reader_name(J->c);
	for (;;) {
		struct part *p;

		pthread_mutex_lock(&J->lock);
		p = J->next < J->nparts ? J->parts[J->next++] : NULL;
		pthread_mutex_unlock(&J->lock);
		if (!p)
			return NULL;
		job_read(j, p);
		pthread_mutex_lock(&J->lock);
		p->done = 1;
		pthread_cond_broadcast(&J->changed);
		pthread_mutex_unlock(&J->lock);
	}
}

/* Planning the parts ------------------------------------------------------ */

static unsigned long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
}

/* A plain file: not gzip (whose bytes cannot be cut), no conversion. */
static int
cuttable(const struct kpo_jobs_conf *c, const char *path)
{
	unsigned char magic[2];
	int fd, plain;

	if (c->csv->encoding && *c->csv->encoding)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	plain = read(fd, magic, 2) == 2 && !(magic[0] == 0x1f && magic[1] == 0x8b);
	close(fd);
	return plain;
}

static struct part *
part_new(const char *path, int first, unsigned input)
{
	struct part *p = kpo_xcalloc(1, sizeof *p);

	p->path = path;
	p->first = first;
	p->input = input;
	return p;
}

/* The parts of PATH: about SIZE / PER of them when it is worth cutting. */
static void
plan_file(struct kpo_jobs *J, const char *path, unsigned input, unsigned long long per)
{
	unsigned long long size = file_size(path), cut[MAX_CUTS];
	size_t n = 1, i;

	if (J->c->jobs > 1 && size >= 2 * per && cuttable(J->c, path)) {
		struct kpo_csv *r = kpo_csv_open(path, J->c->csv);
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && kpo_csv_error(r) == KPO_CSV_OK && kpo_csv_header(r)) {
			size_t want = size / per < MAX_CUTS ? (size_t)(size / per) : MAX_CUTS;

			n = kpo_split_cuts(fd, size, kpo_csv_data_offset(r), want, cut);
		}
		if (fd >= 0)
			close(fd);
		kpo_csv_close(r);
	}
	J->parts = kpo_xrealloc(J->parts, (J->nparts + n) * sizeof *J->parts);
	for (i = 0; i < n; i++) {
		struct part *p = part_new(path, i == 0, input);

		if (n > 1) {
			p->ranged = 1;
			p->range.start = cut[i];
			p->range.end = i + 1 < n ? cut[i + 1] : 0;
		}
		p->index = J->nparts;
		J->parts[J->nparts++] = p;
	}
}

/* The line part P begins on: each job counts the line ends of its own part
 * (all at once, in parallel) and waits for the counts of the parts before
 * it.  0 when a count failed (the part then fails to read). */
static long
first_line(struct kpo_jobs *J, struct part *p)
{
	long line = 1, ends = -1;
	size_t i;
	int fd = open(p->path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ends = kpo_line_ends(fd, p->first ? 0 : p->range.start, p->range.end ? p->range.end : ~0ULL);
		close(fd);
	}
	pthread_mutex_lock(&J->lock);
	J->ends[p->index] = ends;
	J->counted[p->index] = 1;
	pthread_cond_broadcast(&J->changed);
	for (i = p->index; i > 0 && !J->first[i]; i--)
		;
	for (; i < p->index; i++) {
		while (!J->counted[i])
			pthread_cond_wait(&J->changed, &J->lock);
		if (J->ends[i] < 0 || line == 0)
			line = 0;
		else
			line += J->ends[i];
	}
	pthread_mutex_unlock(&J->lock);
	return line;
}

static void
plan(struct kpo_jobs *J, int argc, char **argv)
{
	unsigned long long total = 0, per;
	int i;

	for (i = 0; i < argc; i++)
		total += file_size(argv[i]);
	/* Two parts a job, so that one slow part leaves the other job work. */
	per = total / (2 * (unsigned long long)J->c->jobs);
	if (per < PART_BYTES)
		per = PART_BYTES;
	if (J->c->part_bytes)
		per = J->c->part_bytes;
	for (i = 0; i < argc; i++)
		plan_file(J, argv[i], (unsigned)i, per);
	J->ends = kpo_xcalloc(J->nparts + 1, sizeof *J->ends);
	J->counted = kpo_xcalloc(J->nparts + 1, 1);
	J->first = kpo_xcalloc(J->nparts + 1, 1);
	for (size_t k = 0; k < J->nparts; k++)
		J->first[k] = (char)J->parts[k]->first;
}

/* Putting the parts together, in order --------------------------------------- */

struct chain {
	struct kpo_stage *ingest;       /* NULL for ingested inputs */
	struct kpo_ingest *ing;
	struct kpo_enrich_stage *enrich;
	struct kpo_metrics_stage *metrics;
	struct kpo_stage *first;        /* the stage reading the inputs: its progress line, its inputs */
	int status;
	int inexact;
	int opened;             /* the first part of the file being taken was opened */
};

/* Adds what part P gave to kpo-ingest. */
static void
take_ingest(struct chain *ch, struct part *p)
{
	struct kpo_stage *is = ch->ingest;

	kpo_progname = "kpo-ingest";    /* a replayed reject speaks as its stage */
	is->read += p->st.read;
	is->written += p->st.written;
	kpo_rejects_replay(is->rejects, p->st.rejects);
	p->st.rejects = NULL;
	if (p->first)
		kpo_ingest_add_notes(ch->ing, p->notes);
}

/* Adds what part P gave to the stages, as if one reader had read it next. */
static void
take(struct chain *ch, struct part *p)
{
	const char *self = kpo_progname;
	struct kpo_stage *es = ch->enrich->st, *ms = ch->metrics->st;

	if (p->inexact || kpo_metrics_merge(ch->metrics->m, p->m) != 0) {
		ch->inexact = 1;
		return;
	}
	/* A later part says only what its rows gave, unless it could not even
	 * be opened where its file's first part could: then why. */
	if (p->first)
		ch->opened = p->mark != NO_MARK;
	kpo_msgs_print(&p->msgs, p->first || (p->mark == NO_MARK && ch->opened) ? 0 : p->mark);
	ch->first->inputs += (unsigned)p->first;
	ch->status = kpo_status_merge(ch->status, p->status);
	if (ch->ingest)
		take_ingest(ch, p);
	kpo_progname = "kpo-enrich";
	es->read += p->e_read;
	es->written += p->e_written;
	ch->enrich->no_rate += p->no_rate;
	ch->enrich->no_cost += p->no_cost;
	ch->enrich->priced += p->priced;
	kpo_rejects_replay(es->rejects, p->erj);
	p->erj = NULL;
	kpo_progname = "kpo-metrics";
	ms->read += p->m_read;
	ms->written += p->m_written;
	kpo_rejects_replay(ms->rejects, p->mrj);
	p->mrj = NULL;
	kpo_progname = self;
}

static void
wait_done(struct kpo_jobs *J, struct part *p, struct kpo_stage *first)
{
	pthread_mutex_lock(&J->lock);
	while (!p->done) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&J->changed, &J->lock, &ts);
		pthread_mutex_unlock(&J->lock);
		kpo_progress_show(&first->progress, __atomic_load_n(&J->rows, __ATOMIC_RELAXED),
		    __atomic_load_n(&J->bytes, __ATOMIC_RELAXED));
		pthread_mutex_lock(&J->lock);
	}
	pthread_mutex_unlock(&J->lock);
}

/* Takes the parts in order.  A part of a cut file is taken when it begins
 * where the part before it stopped; when that part read on past the cut
 * (a record across it), the part is read again from where it stopped, by
 * this thread's job SELF. */
static void
take_all(struct kpo_jobs *J, struct chain *ch, struct job *self)
{
	unsigned long long stop = 0;
	long stop_line = 0;
	size_t i;

	for (i = 0; i < J->nparts && !ch->inexact; i++) {
		struct part *p = J->parts[i], *again = NULL;

		wait_done(J, p, ch->first);
		if (p->ranged && !p->first && p->range.start != stop) {
			if (stop != KPO_CSV_STOP_END && (p->range.end == 0 || stop < p->range.end)) {
				again = part_new(p->path, 0, p->input);
				again->ranged = 1;
				again->range.start = stop;
				again->range.line = stop_line;
				again->range.end = p->range.end;
				job_read(self, again);
				take(ch, again);
				stop = again->range.stop;
				stop_line = again->range.stop_line;
				part_free(again);
			}
		} else {
			take(ch, p);
			stop = p->range.stop;
			stop_line = p->range.stop_line;
		}
		part_free(p);
		J->parts[i] = NULL;
	}
	for (; i < J->nparts; i++) {
		wait_done(J, J->parts[i], ch->first);
		part_free(J->parts[i]);
	}
}

/* The whole run ------------------------------------------------------------ */

int
kpo_jobs_can(const struct kpo_jobs_conf *c, int argc, char **argv)
{
	struct kpo_msgs said = { NULL, 0, 0 }, *held = kpo_msgs_capture;
	struct kpo_metrics *m;
	struct kpo_metrics_input *in;
	struct columns cols;
	struct kpo_csv *h;
	int i;

	if (argc == 0 || (!c->ingested && c->io->keep))
		return 0;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return 0;
	if (stream_columns(c, argc, argv, &cols) != 0)
		return 0;
	/* kpo-metrics must take the stream's columns (--by names one it has). */
	kpo_msgs_capture = &said;
	m = kpo_metrics_new(c->mo);
	h = stream_header(&cols, 1);
	in = kpo_metrics_input(m, h);
	kpo_msgs_capture = held;
	kpo_msgs_free(&said);
	kpo_metrics_input_free(in);
	kpo_csv_close(h);
	kpo_metrics_free(m);
	columns_free(&cols);
	return in != NULL;
}

int
kpo_jobs_run(const struct kpo_jobs_conf *c, struct kpo_stage *ingest, struct kpo_ingest *ing,
    struct kpo_enrich_stage *enrich, struct kpo_metrics_stage *metrics, int argc, char **argv)
{
	struct kpo_jobs J = { .c = c };
	struct chain ch = { .ingest = ingest, .ing = ing, .enrich = enrich, .metrics = metrics,
	    .first = c->ingested ? enrich->st : ingest };
	struct job **job, *self;
	pthread_t *thread;
	int i, n = c->jobs > 0 ? c->jobs : 1;

	J.max_field = c->max_field ? c->max_field : KPO_CSV_MAX_FIELD;
	J.max_record = c->max_record ? c->max_record : KPO_CSV_MAX_RECORD;
	if (stream_columns(c, argc, argv, &J.cols) != 0)
		return KPO_JOBS_INEXACT;        /* an ingested input changed since kpo_jobs_can */
	pthread_mutex_init(&J.lock, NULL);
	pthread_cond_init(&J.changed, NULL);
	plan(&J, argc, argv);
	if ((size_t)n > J.nparts)
		n = (int)J.nparts;
	job = kpo_xcalloc((size_t)n, sizeof *job);
	thread = kpo_xcalloc((size_t)n, sizeof *thread);
	for (i = 0; i < n; i++)
		job[i] = job_new(&J);
	self = job_new(&J);
	for (i = 0; i < n; i++)
		if ((errno = pthread_create(&thread[i], NULL, job_thread, job[i])) != 0)
			kpo_err(EX_OSERR, "pthread_create");
	take_all(&J, &ch, self);
	for (i = 0; i < n; i++) {
		pthread_join(thread[i], NULL);
		job_free(job[i]);
	}
	job_free(self);
	free(job);
	free(thread);
	free(J.parts);
	free(J.ends);
	free(J.counted);
	free(J.first);
	columns_free(&J.cols);
	pthread_mutex_destroy(&J.lock);
	pthread_cond_destroy(&J.changed);
	if (!c->ingested)
		enrich->st->inputs = 1;         /* it read kpo-ingest's one stream */
	metrics->st->inputs = 1;
	return ch.inexact ? KPO_JOBS_INEXACT : ch.status;
}
