#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <zlib.h>

#include "err.h"
#include "out.h"
#include "partial.h"
#include "report.h"

#define END_MARK UINT64_C(0x4b504f2d454e44)    /* "KPO-END" */

/* ---- Writing ---- */

void
kpo_put_u64(struct kpo_out *o, uint64_t v)
{
	unsigned char b[10];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	kpo_out_write(o, b, n);
}

void
kpo_put_i64(struct kpo_out *o, int64_t v)
{
	kpo_put_u64(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void
kpo_put_i128(struct kpo_out *o, kpo_i128 v)
{
	kpo_u128 z = ((kpo_u128)v << 1) ^ (kpo_u128)(v >> 127);
	unsigned char b[19];
	size_t n = 0;

	do {
		b[n] = (unsigned char)(z & 0x7f);
		z >>= 7;
		if (z)
			b[n] |= 0x80;
		n++;
	} while (z);
	kpo_out_write(o, b, n);
}

void
kpo_put_bytes(struct kpo_out *o, const void *s, size_t n)
{
	kpo_put_u64(o, n);
	kpo_out_write(o, s, n);
}

static void
put_str(struct kpo_out *o, const char *s)
{
	kpo_put_bytes(o, s, strlen(s));
}

/* ---- Reading ---- */

struct kpo_pin {
	gzFile gz;
	char *name;
	int status;             /* the first problem's exit status, 0: none */
	char *buf;
	size_t cap;
};

struct kpo_pin *
kpo_pin_open(const char *path)
{
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	struct kpo_pin *in;
	gzFile gz;

	if (fd < 0)
		return NULL;
	if (!(gz = gzdopen(fd, "rb"))) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	in = kpo_xcalloc(1, sizeof *in);
	in->gz = gz;
	in->name = kpo_xstrdup(strcmp(path, "-") == 0 ? "stdin" : path);
	return in;
}

void
kpo_pin_close(struct kpo_pin *in)
{
	if (!in)
		return;
	gzclose_r(in->gz);
	free(in->name);
	free(in->buf);
	free(in);
}

const char *
kpo_pin_name(const struct kpo_pin *in)
{
	return in->name;
}

void
kpo_pin_bad(struct kpo_pin *in, const char *why)
{
	if (in->status)
		return;
	kpo_warnx("%s: not a sound kpo partial: %s", in->name, why);
	in->status = EX_DATAERR;
}

int
kpo_pin_status(const struct kpo_pin *in)
{
	return in->status;
}

/* N bytes into P: 0, or -1 (the problem said, once). */
static int
get_raw(struct kpo_pin *in, void *p, size_t n)
{
	int got, errnum;

	if (in->status)
		return -1;
	if (n == 0)
		return 0;
	got = gzread(in->gz, p, (unsigned)n);
	if (got == (int)n)
		return 0;
	if (got < 0 || (gzerror(in->gz, &errnum), errnum != Z_OK && errnum != Z_BUF_ERROR)) {
		const char *msg = gzerror(in->gz, &errnum);

		kpo_warnx("%s: read error: %s", in->name, errnum == Z_ERRNO ? strerror(errno) : msg);
		in->status = errnum == Z_DATA_ERROR ? EX_DATAERR : EX_IOERR;
	} else {
		kpo_warnx("%s: the partial ends early (truncated?)", in->name);
		in->status = EX_IOERR;
	}
	return -1;
}

uint64_t
kpo_get_u64(struct kpo_pin *in)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned char b;

	do {
		if (get_raw(in, &b, 1) != 0)
			return 0;
		if (shift == 63 && (b & 0x7e)) {
			kpo_pin_bad(in, "a number past 64 bits");
			return 0;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && shift < 64);
	if (b & 0x80) {
		kpo_pin_bad(in, "a number past 64 bits");
		return 0;
	}
	return v;
}

int64_t
kpo_get_i64(struct kpo_pin *in)
{
	uint64_t z = kpo_get_u64(in);

	return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

kpo_i128
kpo_get_i128(struct kpo_pin *in)
{
	kpo_u128 z = 0;
	unsigned shift = 0;
	unsigned char b;

	do {
		if (get_raw(in, &b, 1) != 0)
			return 0;
		if (shift == 126 && (b & 0x7c)) {
			kpo_pin_bad(in, "a number past 128 bits");
			return 0;
		}
		z |= (kpo_u128)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && shift < 128);
	if (b & 0x80) {
		kpo_pin_bad(in, "a number past 128 bits");
		return 0;
	}
	return (kpo_i128)(z >> 1) ^ -(kpo_i128)(z & 1);
}

uint64_t
kpo_get_count(struct kpo_pin *in, size_t size)
{
	uint64_t n = kpo_get_u64(in);

	if (n > (UINT64_C(1) << 40) / (size ? size : 1)) {
		kpo_pin_bad(in, "a count too large to be true");
		return 0;
	}
	return n;
}

const char *
kpo_get_bytes(struct kpo_pin *in, size_t *n)
{
	uint64_t len = kpo_get_count(in, 1), got = 0;

	*n = 0;
	if (in->status)
		return "";
	if (len > (UINT64_C(1) << 31)) {
		kpo_pin_bad(in, "a string past 2 GiB");
		return "";
	}
	/* Read a MiB at a time, the buffer grown as the bytes come: a length
	 * in a damaged file is no reason to allocate it. */
	do {
		uint64_t chunk = len - got < ((uint64_t)1 << 20) ? len - got : (uint64_t)1 << 20;

		if (got + chunk + 1 > in->cap) {
			in->cap = 2 * (got + chunk + 1);
			in->buf = kpo_xrealloc(in->buf, in->cap);
		}
		if (get_raw(in, in->buf + got, chunk) != 0)
			return "";
		got += chunk;
	} while (got < len);
	in->buf[len] = '\0';
	*n = len;
	return in->buf;
}

/* A string of its own (NUL-terminated, no NUL inside). */
static char *
get_str(struct kpo_pin *in)
{
	size_t n;
	const char *s = kpo_get_bytes(in, &n);

	if (memchr(s, '\0', n))
		kpo_pin_bad(in, "a name with a NUL byte");
	return kpo_xstrdup(in->status ? "" : s);
}

/* ---- Options ---- */

void
kpo_popts_add(struct kpo_popts *p, const char *name, const char *value)
{
	size_t need = strlen(name) + strlen(value) + 3;

	if (p->len + need > p->cap) {
		p->cap = 2 * (p->len + need);
		p->text = kpo_xrealloc(p->text, p->cap);
	}
	p->len += (size_t)snprintf(p->text + p->len, p->cap - p->len, "%s=%s\n", name, value);
}

int
kpo_popts_file(struct kpo_popts *p, const char *name, const char *path)
{
	unsigned char buf[65536];
	unsigned long crc = crc32(0L, Z_NULL, 0);
	unsigned long long size = 0;
	char value[64];
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((got = read(fd, buf, sizeof buf)) != 0) {
		if (got < 0) {
			int saved = errno;

			if (errno == EINTR)
				continue;
			close(fd);
			errno = saved;
			return -1;
		}
		crc = crc32(crc, buf, (uInt)got);
		size += (unsigned long long)got;
	}
	close(fd);
	snprintf(value, sizeof value, "%llu bytes, CRC-32 %08lx", size, crc);
	kpo_popts_add(p, name, value);
	return 0;
}

void
kpo_popts_free(struct kpo_popts *p)
{
	free(p->text);
	memset(p, 0, sizeof *p);
}

/* ---- The header and the stages ---- */

static void
put_reject(void *ctx, const struct kpo_held_reject *h)
{
	struct kpo_out *o = ctx;

	kpo_put_u64(o, (uint64_t)h->side);
	kpo_put_bytes(o, h->file, h->filelen);
	kpo_put_i64(o, h->line);
	put_str(o, h->kind);
	kpo_put_u64(o, h->detail != NULL);
	kpo_put_bytes(o, h->detail ? h->detail : "", h->detaillen);
	kpo_put_bytes(o, h->raw, h->rawlen);
	kpo_put_u64(o, h->input);
	kpo_put_i64(o, h->at_line);
}

void
kpo_partial_begin(struct kpo_out *o, const struct kpo_partial_head *h, const struct kpo_pstage *stages,
    size_t nstages)
{
	size_t s;
	int i;

	kpo_out_puts(o, KPO_PARTIAL_MAGIC);
	kpo_put_u64(o, KPO_PARTIAL_VERSION);
	put_str(o, h->program);
	kpo_put_u64(o, h->shard);
	kpo_put_u64(o, h->nshards);
	kpo_put_u64(o, (uint64_t)h->ninputs);
	for (i = 0; i < h->ninputs; i++)
		put_str(o, h->inputs[i]);
	kpo_put_bytes(o, h->opts->text ? h->opts->text : "", h->opts->len);
	kpo_put_u64(o, nstages);
	for (s = 0; s < nstages; s++) {
		const struct kpo_pstage *p = &stages[s];
		unsigned long long nrej = kpo_rejects_count(p->st->rejects) + kpo_rejects_side_count(p->st->rejects);
		int k;

		put_str(o, p->name);
		kpo_put_u64(o, p->st->read);
		kpo_put_u64(o, p->st->written);
		kpo_put_u64(o, p->st->inputs);
		for (k = 0; k < KPO_PSTAGE_EXTRA; k++)
			kpo_put_u64(o, p->extra[k]);
		kpo_put_u64(o, nrej);
		kpo_rejects_each(p->st->rejects, put_reject, o);
	}
}

void
kpo_partial_end(struct kpo_out *o)
{
	kpo_put_u64(o, END_MARK);
}

/* ---- Merging ---- */

/* A reject read back, and where it goes in the replay. */
struct mreject {
	size_t set, stage, seq;
	unsigned input, shard;
	long at_line;
	int side;
	char *file, *kind, *detail;
	char *raw;
	size_t rawlen;
	long line;
};

struct mpart {
	char *path;
	char *program, *opts;
	unsigned shard, nshards;
	int ninputs;
	char **inputs;
	size_t set;             /* the set of inputs it is a shard of */
	int first;              /* the first of its set on the command line */
	struct kpo_pin *in;
};

struct kpo_merge {
	struct mpart *p;
	size_t n;
	struct mreject *rj;
	size_t nrj, caprj;
};

/* The kinds of rejects read back: a tally keeps the pointer. */
static const char *
kind_of(const char *s)
{
	static char **kinds;
	static size_t n, cap;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kinds[i], s) == 0)
			return kinds[i];
	if (n == cap) {
		cap = cap ? 2 * cap : 16;
		kinds = kpo_xrealloc(kinds, cap * sizeof *kinds);
	}
	kinds[n] = kpo_xstrdup(s);
	return kinds[n++];
}

/* Opens P's file and reads its header. */
static int
read_head(struct mpart *p, int keep)
{
	char magic[sizeof KPO_PARTIAL_MAGIC - 1];
	struct kpo_pin *in = kpo_pin_open(p->path);
	size_t n;
	const char *s;
	int i, status;

	if (!in) {
		kpo_warn("%s", p->path);
		return EX_NOINPUT;
	}
	if (gzread(in->gz, magic, sizeof magic) != (int)sizeof magic || memcmp(magic, KPO_PARTIAL_MAGIC, sizeof magic) != 0) {
		kpo_warnx("%s: not a kpo partial (kpo-run --partial writes them)", p->path);
		kpo_pin_close(in);
		return EX_DATAERR;
	}
	if (kpo_get_u64(in) != KPO_PARTIAL_VERSION && !in->status)
		kpo_pin_bad(in, "a format version this kpo does not read");
	if (!keep) {
		p->program = get_str(in);
		p->shard = (unsigned)kpo_get_u64(in);
		p->nshards = (unsigned)kpo_get_u64(in);
		uint64_t ninputs = kpo_get_count(in, 1), k;

		if (ninputs > INT32_MAX) {
			kpo_pin_bad(in, "too many inputs");
			ninputs = 0;
		}
		p->inputs = kpo_xcalloc(1, sizeof *p->inputs);
		for (k = 0; k < ninputs && !in->status; k++) {   /* grown as read: a count may lie */
			p->inputs = kpo_xrealloc(p->inputs, (k + 2) * sizeof *p->inputs);
			p->inputs[k] = get_str(in);
			p->ninputs = (int)k + 1;
		}
		s = kpo_get_bytes(in, &n);
		p->opts = kpo_xstrdup(s);
		if (!in->status && (p->nshards == 0 || p->shard >= p->nshards))
			kpo_pin_bad(in, "a shard number out of range");
	} else {        /* read again: the same as the first time */
		kpo_get_bytes(in, &n);
		kpo_get_u64(in);
		kpo_get_u64(in);
		for (i = (int)kpo_get_count(in, 1); i > 0; i--)
			kpo_get_bytes(in, &n);
		kpo_get_bytes(in, &n);
	}
	status = in->status;
	if (keep && status == 0)
		p->in = in;
	else
		kpo_pin_close(in);
	return status;
}

/* The first line where A and B differ, for a message: "as_of=2026-11-28". */
static void
first_difference(const char *a, const char *b, char *da, char *db, size_t size)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0)
			break;
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	snprintf(da, size, "%.*s", (int)strcspn(a, "\n"), *a ? a : "(nothing)");
	snprintf(db, size, "%.*s", (int)strcspn(b, "\n"), *b ? b : "(nothing)");
}

static int
same_inputs(const struct mpart *a, const struct mpart *b)
{
	int i;

	if (a->ninputs != b->ninputs)
		return 0;
	for (i = 0; i < a->ninputs; i++)
		if (strcmp(a->inputs[i], b->inputs[i]) != 0)
			return 0;
	return 1;
}

/* The lines of OPTS whose names are in SHARED. */
static char *
shared_lines(const char *opts, const char *const *shared)
{
	struct kpo_popts out = { 0 };
	const char *line = opts;

	while (*line) {
		size_t len = strcspn(line, "\n"), eq = strcspn(line, "=");
		size_t k;

		for (k = 0; shared[k]; k++)
			if (eq < len && strlen(shared[k]) == eq && memcmp(shared[k], line, eq) == 0) {
				char *name = kpo_xmalloc(len + 1);

				memcpy(name, line, len);
				name[len] = '\0';
				name[eq] = '\0';
				kpo_popts_add(&out, name, name + eq + 1);
				free(name);
			}
		line += len + (line[len] == '\n');
	}
	return out.text ? out.text : kpo_xstrdup("");
}

int
kpo_merge_open(struct kpo_merge **mp, const char *program, const struct kpo_popts *opts,
    const char *const *shared, int argc, char **argv)
{
	struct kpo_merge *mg = kpo_xcalloc(1, sizeof *mg);
	char da[256], db[256];
	size_t i, j, nsets = 0;
	int status = 0;

	*mp = mg;
	if (argc == 0) {
		kpo_warnx("--merge: no partial named");
		return EX_USAGE;
	}
	mg->n = (size_t)argc;
	mg->p = kpo_xcalloc(mg->n, sizeof *mg->p);
	for (i = 0; i < mg->n; i++) {
		mg->p[i].path = kpo_xstrdup(argv[i]);
		status = kpo_status_merge(status, read_head(&mg->p[i], 0));
	}
	if (status)
		return status;
	for (i = 0; i < mg->n; i++) {
		struct mpart *p = &mg->p[i];
		char *mine = shared_lines(opts->text ? opts->text : "", shared);
		char *theirs = shared_lines(p->opts, shared);

		if (strcmp(p->program, program) != 0) {
			kpo_warnx("%s: a partial of %s, not of %s: merge it with %s --merge", p->path, p->program, program,
			    p->program);
			status = EX_DATAERR;
		} else if (strcmp(mine, theirs) != 0) {
			first_difference(theirs, mine, da, db, sizeof da);
			if (i > 0)      /* the partials before it agreed with the merge */
				kpo_warnx("%s: made with %s, but %s and this merge have %s: the partials of one merge, "
				    "and the merge, need the same options", p->path, da, mg->p[0].path, db);
			else
				kpo_warnx("%s: made with %s, but this merge has %s: give the merge the options of its "
				    "partials", p->path, da, db);
			status = EX_DATAERR;
		} else if (i > 0 && strcmp(p->opts, mg->p[0].opts) != 0) {
			first_difference(p->opts, mg->p[0].opts, da, db, sizeof da);
			kpo_warnx("%s: made with %s, but %s with %s: the partials of one merge need the same options",
			    p->path, da, mg->p[0].path, db);
			status = EX_DATAERR;
		}
		free(mine);
		free(theirs);
		if (status)
			return status;
		/* Its set: the first partial of the same inputs. */
		for (j = 0; j < i && !same_inputs(&mg->p[j], p); j++)
			;
		p->first = j == i;
		p->set = j == i ? nsets++ : mg->p[j].set;
		if (j < i && mg->p[j].nshards != p->nshards) {
			kpo_warnx("%s: shard %u of %u, but %s of the same inputs is one of %u", p->path, p->shard + 1,
			    p->nshards, mg->p[j].path, mg->p[j].nshards);
			return EX_DATAERR;
		}
		for (j = 0; j < i; j++)
			if (mg->p[j].set == p->set && mg->p[j].shard == p->shard) {
				kpo_warnx("%s: shard %u of %u again: %s is that shard of the same inputs", p->path,
				    p->shard + 1, p->nshards, mg->p[j].path);
				return EX_DATAERR;
			}
	}
	/* Every shard of each set, once. */
	for (i = 0; i < mg->n; i++) {
		unsigned have = 0;

		if (!mg->p[i].first)
			continue;
		for (j = 0; j < mg->n; j++)
			have += mg->p[j].set == mg->p[i].set;
		if (have != mg->p[i].nshards) {
			kpo_warnx("%s: %u of its %u shards given: the merge needs every shard of the same inputs",
			    mg->p[i].path, have, mg->p[i].nshards);
			return EX_DATAERR;
		}
	}
	return 0;
}

size_t
kpo_merge_count(const struct kpo_merge *mg)
{
	return mg->n;
}

struct kpo_pin *
kpo_merge_input(struct kpo_merge *mg, size_t i)
{
	return read_head(&mg->p[i], 1) == 0 ? mg->p[i].in : NULL;
}

int
kpo_merge_stages(struct kpo_merge *mg, size_t i, struct kpo_pstage *stages, size_t nstages)
{
	struct mpart *p = &mg->p[i];
	struct kpo_pin *in = p->in;
	uint64_t ns = kpo_get_u64(in), r, nrej;
	size_t s, n;
	int k, has_detail;

	if (!in->status && ns != nstages)
		kpo_pin_bad(in, "its stages are not this merge's");
	for (s = 0; s < nstages && !in->status; s++) {
		struct kpo_stage *st = stages[s].st;
		char *name = get_str(in);

		if (!in->status && strcmp(name, stages[s].name) != 0)
			kpo_pin_bad(in, "its stages are not this merge's");
		free(name);
		st->read += kpo_get_u64(in);
		st->written += kpo_get_u64(in);
		n = (size_t)kpo_get_u64(in);
		if (p->first)
			st->inputs += (unsigned)n;
		for (k = 0; k < KPO_PSTAGE_EXTRA; k++)
			stages[s].extra[k] += kpo_get_u64(in);
		nrej = kpo_get_count(in, 8);
		for (r = 0; r < nrej && !in->status; r++) {
			struct mreject e = { .set = p->set, .stage = s, .seq = mg->nrj, .shard = p->shard };
			const char *b;

			e.side = kpo_get_u64(in) != 0;
			e.file = get_str(in);
			e.line = (long)kpo_get_i64(in);
			b = kpo_get_bytes(in, &n);
			e.kind = (char *)kind_of(b);
			has_detail = kpo_get_u64(in) != 0;
			e.detail = get_str(in);
			if (!has_detail) {
				free(e.detail);
				e.detail = NULL;
			}
			b = kpo_get_bytes(in, &n);
			e.raw = kpo_xmalloc(n + 1);
			memcpy(e.raw, b, n);
			e.rawlen = n;
			e.input = (unsigned)kpo_get_u64(in);
			e.at_line = (long)kpo_get_i64(in);
			if (mg->nrj == mg->caprj) {
				mg->caprj = mg->caprj ? 2 * mg->caprj : 256;
				mg->rj = kpo_xrealloc(mg->rj, mg->caprj * sizeof *mg->rj);
			}
			mg->rj[mg->nrj++] = e;
		}
	}
	return in->status;
}

int
kpo_merge_done(struct kpo_merge *mg, size_t i)
{
	struct mpart *p = &mg->p[i];
	int status;
	char extra;

	if (kpo_get_u64(p->in) != END_MARK && !p->in->status)
		kpo_pin_bad(p->in, "no end mark where it should end");
	if (!p->in->status && gzread(p->in->gz, &extra, 1) != 0)
		kpo_pin_bad(p->in, "bytes after its end mark");
	status = p->in->status;
	kpo_pin_close(p->in);
	p->in = NULL;
	return status;
}

static int
mreject_cmp(const void *pa, const void *pb)
{
	const struct mreject *a = pa, *b = pb;

	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	if (a->input != b->input)
		return a->input < b->input ? -1 : 1;
	if (a->at_line != b->at_line)
		return a->at_line < b->at_line ? -1 : 1;
	if (a->shard != b->shard)
		return a->shard < b->shard ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

void
kpo_merge_replay(struct kpo_merge *mg, struct kpo_pstage *stages, size_t nstages)
{
	const char *self = kpo_progname;
	size_t i;

	if (mg->nrj)
		qsort(mg->rj, mg->nrj, sizeof *mg->rj, mreject_cmp);
	for (i = 0; i < mg->nrj; i++) {
		struct mreject *e = &mg->rj[i];
		struct kpo_rejects *r;

		if (e->stage >= nstages)
			continue;
		r = stages[e->stage].st->rejects;
		kpo_progname = stages[e->stage].name;   /* a replayed reject speaks as its stage */
		kpo_rejects_at(r, e->input, e->at_line);
		if (e->side)
			kpo_reject_side(r, e->file, e->line, e->kind, e->detail, e->raw, e->rawlen);
		else
			kpo_reject(r, e->file, e->line, e->kind, e->detail, e->raw, e->rawlen);
	}
	kpo_progname = self;
}

void
kpo_merge_free(struct kpo_merge *mg)
{
	size_t i;
	int k;

	if (!mg)
		return;
	for (i = 0; i < mg->n; i++) {
		struct mpart *p = &mg->p[i];

		kpo_pin_close(p->in);
		for (k = 0; k < p->ninputs; k++)
			free(p->inputs[k]);
		free(p->inputs);
		free(p->path);
		free(p->program);
		free(p->opts);
	}
	for (i = 0; i < mg->nrj; i++) {
		free(mg->rj[i].file);
		free(mg->rj[i].detail);
		free(mg->rj[i].raw);
	}
	free(mg->rj);
	free(mg->p);
	free(mg);
}

/* ---- Shards ---- */

int
kpo_shard_parse(const char *s, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	b = strtoul(end + 1, &end, 10);
	if (*end || b < 1 || b > 65536 || a < 1 || a > b)
		return -1;
	*k = (unsigned)a - 1;
	*n = (unsigned)b;
	return 0;
}

unsigned
kpo_shard_of(const char *task, size_t n, unsigned nshards)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);     /* FNV-1a: fixed, whatever the machine */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)task[i];
		h *= UINT64_C(0x100000001b3);
	}
	return (unsigned)(h % nshards);
}
