/* Running gnuplot safely, and text that may travel to it.
 *
 * gnuplot runs commands from many places in a script (backquotes, system(),
 * macros, pipes in file names), so data never enters a script: it goes into
 * TSV data files read with xticlabels() or `with labels`, after
 * kpo_gp_text() made it a single harmless field.  gnuplot itself is started
 * with fork + execve (no shell) as `gnuplot -d SCRIPT` from a clean
 * environment, with a time limit.  See ../../shared/DEPS.md. */
#ifndef KPO_GNUPLOT_H
#define KPO_GNUPLOT_H

#include <stddef.h>

/* Copies S (N bytes) to OUT as one TSV field gnuplot reads as plain text:
 * TAB, CR and LF become a space, '"' becomes U+201D, other control bytes
 * (C0, DEL, C1) and invalid UTF-8 become U+FFFD, and the text is cut to at
 * most MAXCHARS characters (an ellipsis marks the cut; 0: no limit).  Empty
 * text becomes "(blank)".  OUT needs 3 * N + 8 bytes.  Returns the length. */
size_t kpo_gp_text(const char *s, size_t n, size_t maxchars, char *out);

/* Finds PROG in the directories of PATH (the environment's, or the default
 * /usr/local/bin:/usr/bin:/bin when unset) like execvp does.  A malloc'ed
 * path, or NULL when there is no executable of that name. */
char *kpo_gp_find(const char *prog);

enum kpo_gp_result {
	KPO_GP_OK,              /* exit status 0 */
	KPO_GP_FAILED,          /* non-zero exit status, or killed by a signal */
	KPO_GP_TIMEOUT,         /* killed after the time limit */
	KPO_GP_EXEC,            /* could not be started (errno set) */
};

/* Runs EXE -d SCRIPT in folder DIR, with standard input from /dev/null,
 * standard output and error into the file LOG (created or truncated), and
 * an environment holding only PATH=/usr/bin:/bin and LC_ALL=C.UTF-8 (no
 * HOME, no GNUPLOT_* or GNUTERM).  Kills it with SIGKILL after TIMEOUT
 * seconds.  *STATUS gets the wait status. */
enum kpo_gp_result kpo_gp_run(const char *exe, const char *script, const char *dir,
    const char *log, double timeout, int *status);

#endif
