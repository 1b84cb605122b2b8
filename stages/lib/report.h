/* What a stage tells about its run: the rejects file, the messages for bad
 * rows, the progress line and the summary line. */
#ifndef KPO_REPORT_H
#define KPO_REPORT_H

#include <stddef.h>

struct kpo_rejects;

/* PATH NULL counts rejects without writing them.  NULL with errno set when
 * PATH cannot be created.  STAGE names the stage in each row ("ingest"). */
struct kpo_rejects *kpo_rejects_open(const char *path, const char *stage);

/* Records one dropped row: the rejects file gets "FILE:LINE,STAGE,REASON,RAW"
 * where REASON is "KIND: DETAIL" (or KIND).  KIND is a fixed string and
 * is what the summary line counts.  The first few also go to stderr. */
void kpo_reject(struct kpo_rejects *r, const char *file, long line, const char *kind,
    const char *detail, const char *raw, size_t rawlen);

unsigned long long kpo_rejects_count(const struct kpo_rejects *r);

/* Appends " (N KIND, ...)" to BUF. */
void kpo_rejects_describe(const struct kpo_rejects *r, char *buf, size_t size);

/* Writes the rejects file; 0, or -1 with errno set.  Frees R. */
int kpo_rejects_close(struct kpo_rejects *r, const char **name);

/* The argument of --max-reject-pct, a number from 0 to 100; anything else
 * ends the program with EX_USAGE. */
double kpo_max_reject_pct_arg(const char *arg);

/* Exit with EX_DATAERR is due when more than PCT % of READ rows were rejected. */
int kpo_reject_threshold_passed(unsigned long long rejected, unsigned long long read, double pct);

/* Progress on stderr: "\r STAGE: N rows, M MB, R MB/s", at most twice a second. */
struct kpo_progress {
	int on;
	int shown;
	double start, last;
};
void kpo_progress_init(struct kpo_progress *p, int on);
void kpo_progress_show(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes, int final);
static inline void
kpo_progress_tick(struct kpo_progress *p, unsigned long long rows, unsigned long long bytes)
{
	if (p->on && (rows & 4095) == 0)
		kpo_progress_show(p, rows, bytes, 0);
}

/* Common start of every stage's main(): program name, SIGPIPE back to its
 * default (a stage piped into head ends quietly), C locale for numbers. */
void kpo_stage_init(const char *argv0);

/* Flushes and checks standard output and stderr before exit; a full disk
 * must never look like success.  Returns the status to exit with. */
int kpo_close_stdout(int status);

#endif
