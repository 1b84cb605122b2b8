/* Export formats kpo-ingest knows by their header: Jira (in its UI
 * languages), Toggl Track, Clockify and Harvest detailed reports.
 *
 * A profile says which header names mean which canonical column in that
 * format (tried before the built-in aliases), which names it uses for
 * something else (Jira's Russian "Исполнитель" is the assignee, not the
 * vendor; a time tracker's "Task" is a task's name, not an id), the unit
 * of its hours (Jira's Time Spent is in seconds), and whether its rows are
 * time entries without an id.  All names are compared as header keys
 * (kpo_header_key: case, spaces and punctuation ignored).  kpo(7) lists the
 * formats and their columns. */
#ifndef KPO_PROFILE_H
#define KPO_PROFILE_H

#include <stddef.h>

#include "schema.h"

/* Rows are time entries: the format has no task id, so task_id is made from
 * the row's source. */
#define KPO_PF_TIME_ENTRIES 1u

struct kpo_profile {
	const char *name;               /* for --profile */
	const char *what;               /* "a Jira export", for the summary line */
	const char *const *signature;   /* each entry: '|' alternatives, one of which the header must have */
	const char *aliases[KPO_COL_SOURCE];    /* '|' separated; "NAME@s" or "NAME@min": hours in that unit */
	const char *exclude;            /* '|' names this format uses for something else */
	const char *custom_prefix;      /* '|' prefixes: a header "PREFIX (X)" is also matched as X */
	unsigned flags;
	char date_order;                /* 'm' or 'd' for numeric slash dates unless --date-order says, or 0 */
};

/* The profile named NAME, or NULL. */
const struct kpo_profile *kpo_profile_named(const char *name);

/* "jira, toggl, clockify, harvest", for messages. */
const char *kpo_profile_names(void);

/* The first profile whose signature the header keys KEYS (N of them) have,
 * or NULL. */
const struct kpo_profile *kpo_profile_recognise(char *const *keys, size_t n);

#endif
