#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "gnuplot.h"
#include "utf8.h"

size_t
kpo_gp_text(const char *s, size_t n, size_t maxchars, char *out)
{
	static const char repl[] = "\xEF\xBF\xBD", rdquo[] = "\xE2\x80\x9D", ell[] = "\xE2\x80\xA6";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len = 0, chars = 0, k;
	unsigned long cp;

	while (i < n) {
		if (maxchars && chars == maxchars) {
			if (out[len - 1] == ' ')
				len--;
			memcpy(out + len, ell, 3), len += 3;
			break;
		}
		k = kpo_utf8_char((const char *)u + i, n - i, &cp);
		if (k == 0) {
			memcpy(out + len, repl, 3), len += 3;
			i++;
		} else {
			if (cp == '\t' || cp == '\r' || cp == '\n')
				out[len++] = ' ';
			else if (cp == '"')
				memcpy(out + len, rdquo, 3), len += 3;
			else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
				memcpy(out + len, repl, 3), len += 3;
			else
				memcpy(out + len, s + i, k), len += k;
			i += k;
		}
		chars++;
	}
	if (len == 0) {
		memcpy(out, "(blank)", 7);
		len = 7;
	}
	out[len] = '\0';
	return len;
}

char *
kpo_gp_find(const char *prog)
{
	const char *path = getenv("PATH"), *p, *colon;
	size_t dirlen, plen = strlen(prog);
	struct stat st;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? kpo_xstrdup(prog) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = colon + 1) {
		char *cand;

		colon = strchr(p, ':');
		dirlen = colon ? (size_t)(colon - p) : strlen(p);
		cand = kpo_xmalloc(dirlen + plen + 3);
		if (dirlen == 0)
			snprintf(cand, dirlen + plen + 3, "./%s", prog);
		else
			snprintf(cand, dirlen + plen + 3, "%.*s/%s", (int)dirlen, p, prog);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (!colon)
			return NULL;
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum kpo_gp_result
kpo_gp_run(const char *exe, const char *script, const char *dir, const char *log,
    double timeout, int *status)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", NULL };
	char *argv[4];
	sigset_t chld, old;
	int logfd, nullfd, errpipe[2], child_errno = 0, saved;
	enum kpo_gp_result result;
	double deadline;
	ssize_t got;
	pid_t pid;

	*status = 0;
	argv[0] = (char *)exe;
	argv[1] = "-d";
	argv[2] = (char *)script;
	argv[3] = NULL;
	if ((logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return KPO_GP_EXEC;
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno, close(logfd), errno = saved;
		return KPO_GP_EXEC;
	}
	if (pipe2(errpipe, O_CLOEXEC) != 0) {
		saved = errno, close(logfd), close(nullfd), errno = saved;
		return KPO_GP_EXEC;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid = fork();
	if (pid == 0) {
		int e;

		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(dir) == 0 && dup2(nullfd, 0) == 0 && dup2(logfd, 1) == 1 && dup2(logfd, 2) == 2)
			execve(exe, argv, envp);
		e = errno;
		if (write(errpipe[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	saved = errno;
	close(errpipe[1]);
	close(logfd);
	close(nullfd);
	if (pid < 0) {
		close(errpipe[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return KPO_GP_EXEC;
	}
	/* The pipe closes on a successful execve, or carries its errno. */
	do
		got = read(errpipe[0], &child_errno, sizeof child_errno);
	while (got < 0 && errno == EINTR);
	close(errpipe[0]);

	deadline = now() + timeout;
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		double left;
		struct timespec ts;

		if (w == pid) {
			result = got == (ssize_t)sizeof child_errno ? KPO_GP_EXEC
			    : WIFEXITED(*status) && WEXITSTATUS(*status) == 0 ? KPO_GP_OK : KPO_GP_FAILED;
			break;
		}
		if (w < 0 && errno != EINTR) {
			result = KPO_GP_FAILED;
			break;
		}
		left = deadline - now();
		if (left <= 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			result = KPO_GP_TIMEOUT;
			break;
		}
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		sigtimedwait(&chld, NULL, &ts);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (result == KPO_GP_EXEC)
		errno = child_errno;
	return result;
}
