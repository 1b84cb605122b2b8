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

/* Cuts the file FD of SIZE bytes, whose records begin at byte DATA, into at
 * most N parts of about the same size, each cut just after an LF: the byte
 * each part begins at into CUT[0..returned), the first 0.  N >= 1. */
size_t kpo_split_cuts(int fd, unsigned long long size, unsigned long long data, size_t n, unsigned long long *cut);

/* The line ends in bytes [FROM, TO) of FD, as the reader counts them (a CR
 * at TO - 1 is a line end unless byte TO is an LF); -1 on a read error. */
long kpo_line_ends(int fd, unsigned long long from, unsigned long long to);

#endif
