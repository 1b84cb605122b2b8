#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "err.h"
#include "out.h"

#define OUT_BUF (64u << 10)
#define MAX_TEMPS 64

struct kpo_out {
	char *name;             /* as the user wrote it, for messages */
	char *path;             /* final path, NULL when writing in place */
	char *tmp;              /* temporary path, NULL when writing in place */
	int fd;
	int own_fd;             /* close fd at the end (not standard output) */
	int named;              /* opened by a path, not "-" */
	gzFile gz;
	int err;                /* first errno seen */
	int row_started;
	char *mem;              /* kpo_out_memory: what was written */
	size_t memlen, memcap;
	int memory;
	size_t len;
	char buf[OUT_BUF];
};

/* Temporary files to remove if a signal ends the run; a fixed table so the
 * handler touches no allocator. */
static char *volatile temps[MAX_TEMPS];
/* kpo-run's stages open and publish outputs on threads of their own. */
static pthread_mutex_t temps_lock = PTHREAD_MUTEX_INITIALIZER;

static void catch_signals(void);

int
kpo_temp_register(char *path)
{
	int i;

	pthread_mutex_lock(&temps_lock);
	catch_signals();
	for (i = 0; i < MAX_TEMPS; i++)
		if (!temps[i]) {
			temps[i] = path;
			pthread_mutex_unlock(&temps_lock);
			return 0;
		}
	pthread_mutex_unlock(&temps_lock);
	return -1;
}

void
kpo_temp_release(const char *path)
{
	int i;

	pthread_mutex_lock(&temps_lock);
	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == path)
			temps[i] = NULL;
	pthread_mutex_unlock(&temps_lock);
}

void
kpo_out_cleanup_temps(void)
{
	int i;

	for (i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			unlink(temps[i]);
}

static void
on_fatal_signal(int sig)
{
	kpo_out_cleanup_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_signals(void)
{
	static int done;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGXFSZ };
	struct sigaction sa;
	size_t i;

	if (done++)
		return;
	/* A program that exits without committing an output (kpo_errx after a
	 * bad table, say) leaves no temporary file either. */
	atexit(kpo_out_cleanup_temps);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;

		/* A signal ignored by our parent (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

/* Between two stages a 64 KiB pipe makes them take turns a few bytes at a
 * time; 1 MiB lets both run.  Not a pipe, or not allowed: nothing changes. */
void
kpo_widen_pipe(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

static int
ends_with_gz(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".gz") == 0;
}

static char *
temp_name_for(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t n = dirlen + strlen(base) + 16;
	char *tmp = kpo_xmalloc(n);

	snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	return tmp;
}

static struct kpo_out *
out_open(const char *path, int gz)
{
	struct kpo_out *o;
	struct stat st;
	int have = 0;

	o = kpo_xcalloc(1, sizeof *o);
	if (!path || strcmp(path, "-") == 0) {
		o->name = kpo_xstrdup("stdout");
		o->fd = STDOUT_FILENO;
		kpo_widen_pipe(o->fd);
		if (gz)
			goto opened;
		return o;
	}
	o->name = kpo_xstrdup(path);
	o->named = 1;
	if (stat(path, &st) == 0) {
		have = 1;
		if (!S_ISREG(st.st_mode)) {
			o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
			if (o->fd < 0)
				goto fail;
			o->own_fd = 1;
			goto opened;
		}
	}
	o->path = kpo_xstrdup(path);
	o->tmp = temp_name_for(path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0)
		goto fail;
	kpo_temp_register(o->tmp);
	o->own_fd = 1;
	{
		/* mkstemp makes 0600; give the file the mode a plain open
		 * would, or keep the mode of the file it replaces. */
		mode_t mask = umask(0);

		umask(mask);
		if (fchmod(o->fd, have ? st.st_mode & 07777 : 0666 & ~mask) != 0)
			goto fail;
	}
opened:
	if (gz) {
		int gzfd = dup(o->fd);

		if (gzfd < 0 || !(o->gz = gzdopen(gzfd, "wb6"))) {
			if (gzfd >= 0)
				close(gzfd);
			errno = ENOMEM;
			goto fail;
		}
		gzbuffer(o->gz, OUT_BUF);
	}
	return o;
fail:
	{
		int saved = errno;

		kpo_out_abort(o);
		errno = saved;
	}
	return NULL;
}

struct kpo_out *
kpo_out_open(const char *path)
{
	return out_open(path, path && ends_with_gz(path));
}

struct kpo_out *
kpo_out_open_gz(const char *path)
{
	return out_open(path, 1);
}

struct kpo_out *
kpo_out_fd(int fd)
{
	struct kpo_out *o = kpo_xcalloc(1, sizeof *o);

	o->name = kpo_xstrdup("stdout");
	o->fd = fd;
	o->own_fd = 1;
	kpo_widen_pipe(o->fd);
	return o;
}

static int flush(struct kpo_out *o);

struct kpo_out *
kpo_out_memory(void)
{
	struct kpo_out *o = kpo_xcalloc(1, sizeof *o);

	o->name = kpo_xstrdup("memory");
	o->fd = -1;
	o->memory = 1;
	return o;
}

const char *
kpo_out_memory_text(struct kpo_out *o, size_t *n)
{
	if (o->memlen == 0) {
		*n = o->len;    /* all in the buffer: no copy */
		return o->buf;
	}
	flush(o);
	*n = o->memlen;
	return o->mem;
}

void
kpo_out_memory_clear(struct kpo_out *o)
{
	o->len = o->memlen = 0;
	o->row_started = 0;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
mem_append(struct kpo_out *o, const char *s, size_t n)
{
	if (o->memlen + n > o->memcap) {
		while (o->memlen + n > o->memcap)
			o->memcap = o->memcap ? 2 * o->memcap : 4096;
		o->mem = kpo_xrealloc(o->mem, o->memcap);
	}
	memcpy(o->mem + o->memlen, s, n);
	o->memlen += n;
}

static int
flush(struct kpo_out *o)
{
	if (o->err || o->len == 0) {
		o->len = 0;
		return o->err ? -1 : 0;
	}
	if (o->memory) {
		mem_append(o, o->buf, o->len);
	} else if (o->gz) {
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len) {
			int errnum;

			gzerror(o->gz, &errnum);
			o->err = errnum == Z_ERRNO && errno ? errno : EIO;
		}
	} else if (write_all(o->fd, o->buf, o->len) != 0) {
		o->err = errno ? errno : EIO;
	}
	o->len = 0;
	return o->err ? -1 : 0;
}

int
kpo_out_write(struct kpo_out *o, const void *s, size_t n)
{
	if (o->err)
		return -1;
	if (o->len + n > OUT_BUF) {
		if (flush(o) != 0)
			return -1;
		if (n > OUT_BUF / 2) {
			/* Large pieces skip the buffer. */
			memcpy(o->buf, s, 0);
			if (o->memory) {
				mem_append(o, s, n);
			} else if (o->gz) {
				if (gzwrite(o->gz, s, (unsigned)n) != (int)n)
					o->err = EIO;
			} else if (write_all(o->fd, s, n) != 0) {
				o->err = errno ? errno : EIO;
			}
			return o->err ? -1 : 0;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

int
kpo_out_puts(struct kpo_out *o, const char *s)
{
	return kpo_out_write(o, s, strlen(s));
}

int
kpo_out_putc(struct kpo_out *o, int c)
{
	if (o->len == OUT_BUF && flush(o) != 0)
		return -1;
	o->buf[o->len++] = (char)c;
	return o->err ? -1 : 0;
}

int
kpo_out_printf(struct kpo_out *o, const char *fmt, ...)
{
	char small[512], *s = small;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof small) {
		s = kpo_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	rc = kpo_out_write(o, s, (size_t)n);
	if (s != small)
		free(s);
	return rc;
}

/* Bytes that force quotes anywhere in a field. */
static const unsigned char special[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

static int
needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 1;
	for (i = 0; i < n; i++)
		if (special[(unsigned char)s[i]])
			return 1;
	return 0;
}

int
kpo_out_field(struct kpo_out *o, const char *s, size_t n)
{
	if (o->row_started)
		kpo_out_putc(o, ',');
	o->row_started = 1;
	if (n > 0 && o->len + n <= OUT_BUF && s[0] != ' ' && s[0] != '\t' &&
	    s[n - 1] != ' ' && s[n - 1] != '\t') {
		/* Copy and look for special bytes in one pass; most fields
		 * need no quotes. */
		char *d = o->buf + o->len;
		size_t i;

		for (i = 0; i < n && !special[(unsigned char)s[i]]; i++)
			d[i] = s[i];
		if (i == n) {
			o->len += n;
			return 0;
		}
	}
	if (!needs_quotes(s, n))
		return kpo_out_write(o, s, n);
	kpo_out_putc(o, '"');
	for (;;) {
		const char *q = memchr(s, '"', n);
		size_t k = q ? (size_t)(q - s) + 1 : n;

		kpo_out_write(o, s, k);
		if (!q)
			break;
		kpo_out_putc(o, '"');   /* the quote once more */
		s += k;
		n -= k;
	}
	return kpo_out_putc(o, '"');
}

int
kpo_out_fieldz(struct kpo_out *o, const char *s)
{
	return kpo_out_field(o, s ? s : "", s ? strlen(s) : 0);
}

int
kpo_out_endrow(struct kpo_out *o)
{
	o->row_started = 0;
	return kpo_out_putc(o, '\n');
}

int
kpo_out_failed(const struct kpo_out *o)
{
	return o->err != 0;
}

int
kpo_out_errno(const struct kpo_out *o)
{
	return o->err;
}

const char *
kpo_out_name(const struct kpo_out *o)
{
	return o->name;
}

static void
release(struct kpo_out *o)
{
	if (o->tmp) {
		kpo_temp_release(o->tmp);
		free(o->tmp);
	}
	free(o->path);
	free(o->name);
	free(o->mem);
	free(o);
}

int
kpo_out_commit(struct kpo_out *o)
{
	int err;

	flush(o);
	if (o->gz) {
		int rc = gzclose_w(o->gz);

		o->gz = NULL;
		if (rc != Z_OK && !o->err)
			o->err = rc == Z_ERRNO && errno ? errno : EIO;
	}
	if (!o->err && o->tmp && fsync(o->fd) != 0)
		o->err = errno;
	if (o->own_fd && close(o->fd) != 0 && !o->err)
		o->err = errno;
	o->own_fd = 0;
	if (!o->err && o->tmp && rename(o->tmp, o->path) != 0)
		o->err = errno;
	if (!o->err && o->tmp) {
		/* The rename is durable only once the folder is synced. */
		char *dir = kpo_xstrdup(o->path), *slash = strrchr(dir, '/');
		int dfd;

		if (slash)
			slash[slash == dir] = '\0';
		dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
	}
	if (o->err && o->tmp)
		unlink(o->tmp);
	err = o->err;
	release(o);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void
kpo_out_abort(struct kpo_out *o)
{
	if (!o)
		return;
	if (o->gz)
		gzclose_w(o->gz);
	if (o->own_fd && o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}

int
kpo_out_finish(struct kpo_out *o, int status)
{
	char name[4096];

	if (status != 0 && o->named && !o->err) {
		kpo_out_abort(o);
		return status;
	}
	snprintf(name, sizeof name, "%s", o->name);
	if (kpo_out_commit(o) != 0) {
		kpo_warn("%s: write error", name);
		status = kpo_status_merge(status, EX_IOERR);
	}
	return status;
}
