/* Where kpo-run cuts a large plain file into parts, one job each.
 *
 * A cut is made at the start of a physical line, never by looking at quotes:
 * whether a line starts a record or lies inside a quoted field is the
 * reader's to say.  Each part is read with kpo_csv_range from its cut to
 * the next, and its STOP says where the reader found the next record to
 * begin.  A part whose cut is not that STOP began inside a record: it is
 * thrown away and read again from the STOP (jobs.c).  So the records are
 * those of one reader, whatever the cuts; the cuts only decide how much is
 * read twice.
 *
 * Lines are numbered as the reader numbers them: a line ends at LF, at CR
 * LF and at a CR alone. */
#ifndef KPO_CSVSPLIT_H
#define KPO_CSVSPLIT_H

#include <stddef.h>

struct kpo_cut {
	unsigned long long at;  /* the byte the part begins at: 0 for the first */
	long line;              /* the line it is on (the first part's: unused) */
};

/* Cuts BUF[0..SIZE), a file whose records begin at byte DATA, into at most
 * N parts of about the same size, each cut just after an LF: their cuts
 * into CUT[0..returned), the first {0, 0}.  N >= 1. */
size_t kpo_split_buffer(const char *buf, size_t size, unsigned long long data, size_t n, struct kpo_cut *cut);

/* The same for the file PATH (mapped, not read); 1 part when it cannot be
 * mapped. */
size_t kpo_split_file(const char *path, unsigned long long data, size_t n, struct kpo_cut *cut);

#endif
