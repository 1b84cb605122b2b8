/* peakrss: runs a command and prints the peak resident set size, in KB, of
 * the largest process in it (the command and every process it waited for).
 * A small C program rather than a script, so the reading is not that of an
 * interpreter that forked it.  Usage: peakrss CMD [ARG...]; the command's
 * output goes where peakrss's goes, the figure to stderr as "peakrss: N". */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: peakrss CMD [ARG...]\n");
		return 64;
	}
	pid = fork();
	if (pid < 0)
		return 71;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 71;
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "peakrss: %ld\n", ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
