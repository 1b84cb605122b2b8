/* Output that is either whole or absent.
 *
 * kpo_out_open("-") writes to standard output.  A path names a file that is
 * written as a temporary file in the same folder and renamed over PATH only by
 * kpo_out_commit(), after an fsync, so a failed or killed run never leaves a
 * partial PATH.  An existing PATH that is not a regular file (/dev/null,
 * /dev/full, a FIFO) is written directly.  A name ending in ".gz" is written
 * with zlib, with no time stamp or name in the header, so the same content
 * gives the same bytes.
 *
 * Writes are buffered and the first error sticks: check kpo_out_failed() in a
 * loop to stop early, and the result of kpo_out_commit() always. */
#ifndef KPO_OUT_H
#define KPO_OUT_H

#include <stddef.h>

struct kpo_out;

/* NULL with errno set when PATH cannot be created. */
struct kpo_out *kpo_out_open(const char *path);
/* The same, gzip whatever the name (standard output too). */
struct kpo_out *kpo_out_open_gz(const char *path);

/* The same as kpo_out_open("-") on descriptor FD instead of standard output,
 * closed when O is: kpo-run's stages write to each other through pipes and
 * speak of them as the piped stages speak of their standard output. */
struct kpo_out *kpo_out_fd(int fd);

/* An output to memory: kpo_out_memory_text gives what was written since
 * it was made or cleared (valid until the next write).  For the text of one
 * row (kpo-run's rejects quote rows it never wrote).  Free it with
 * kpo_out_abort. */
struct kpo_out *kpo_out_memory(void);
const char *kpo_out_memory_text(struct kpo_out *o, size_t *n);
void kpo_out_memory_clear(struct kpo_out *o);

int kpo_out_write(struct kpo_out *o, const void *s, size_t n);
int kpo_out_puts(struct kpo_out *o, const char *s);
int kpo_out_putc(struct kpo_out *o, int c);
int kpo_out_printf(struct kpo_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* CSV, RFC 4180 with minimal quoting: a field is quoted only when it holds a
 * comma, a quote, CR or LF, or starts or ends with a space or TAB. */
int kpo_out_field(struct kpo_out *o, const char *s, size_t n);
int kpo_out_fieldz(struct kpo_out *o, const char *s);
int kpo_out_endrow(struct kpo_out *o);

/* Nonzero once a write failed; errno-style code in kpo_out_errno(). */
int kpo_out_failed(const struct kpo_out *o);
int kpo_out_errno(const struct kpo_out *o);
const char *kpo_out_name(const struct kpo_out *o);  /* "stdout" or the path */

/* Flushes, syncs and publishes; frees O.  0, or -1 with errno set (the
 * temporary file is removed). */
int kpo_out_commit(struct kpo_out *o);

/* The end of a stage's output: with STATUS 0, or on standard output,
 * commits O; after a failure a named file is left as it was (aborted).
 * Returns STATUS, made EX_IOERR after saying so when writing failed.  Frees
 * O. */
int kpo_out_finish(struct kpo_out *o, int status);

/* Throws the output away (the temporary file is removed); frees O. */
void kpo_out_abort(struct kpo_out *o);

/* Asks for a 1 MiB pipe buffer when FD is a pipe (stages read and write
 * each other's streams through pipes). */
void kpo_widen_pipe(int fd);

/* Temporary files to remove when SIGINT, SIGTERM, SIGHUP or SIGXFSZ ends
 * the program (the handler is installed with the first one; a signal our
 * parent ignores stays ignored).  Outputs register theirs; a caller that
 * makes its own (kpo-chart's images) registers them too.  PATH must stay
 * valid until released.  0, or -1 when the table (64) is full. */
int kpo_temp_register(char *path);
void kpo_temp_release(const char *path);

/* Removes every registered temporary file; for signal handlers
 * (async-signal-safe) and exit paths. */
void kpo_out_cleanup_temps(void);

#endif
