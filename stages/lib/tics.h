/* Money on charts: axis tics and the short labels of heatmap cells.
 *
 * gnuplot's own "%.0s%c" format prints 1.5M as "2M", twice on one axis, so
 * kpo writes every money tic itself: a step of 1, 2 or 5 x 10^k giving at
 * most eight intervals, each label with k or M. */
#ifndef KPO_TICS_H
#define KPO_TICS_H

#include <stddef.h>

struct kpo_out;

/* The tic step over [LO, HI] (widened to hold 0). */
double kpo_money_step(double lo, double hi);

/* A tic label: 500, 250k, 1.5M. */
void kpo_money_tic_label(double v, char *buf, size_t size);

/* Writes "set AXIStics (...)\n" for [LO, HI], widened to hold 0; the result
 * of the last kpo_out write. */
int kpo_money_tics(struct kpo_out *o, const char *axis, double lo, double hi);

/* A compact amount for a label: 950, 12.3k, 45k, 1.25M, 2.00G. */
void kpo_money_compact(double v, char *buf, size_t size);

#endif
