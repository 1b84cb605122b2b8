#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvsplit.h"

/* Line ends in BUF[from..to): LFs, and CRs not followed by an LF (a CR at
 * TO - 1 is looked past, into BUF[to], when there is one: SIZE). */
static long
line_ends(const char *buf, size_t size, size_t from, size_t to)
{
	const char *p = buf + from, *end = buf + to;
	long n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	for (p = buf + from; p < end && (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
		if ((size_t)(p - buf) + 1 >= size || p[1] != '\n')
			n++;
	return n;
}

size_t
kpo_split_buffer(const char *buf, size_t size, unsigned long long data, size_t n, struct kpo_cut *cut)
{
	size_t parts = 1, i, last = 0;
	long line = 1;

	cut[0].at = 0;
	cut[0].line = 0;
	if (data >= size)
		return 1;
	for (i = 1; i < n; i++) {
		size_t target = (size_t)data + (size_t)((size - data) * (unsigned long long)i / n);
		const char *lf;

		if (target < last)
			target = last;
		lf = memchr(buf + target, '\n', size - target);
		if (!lf || (size_t)(lf - buf) + 1 >= size)
			break;
		target = (size_t)(lf - buf) + 1;
		if (target <= data || target <= last)
			continue;
		line += line_ends(buf, size, last, target);
		cut[parts].at = target;
		cut[parts].line = line;
		parts++;
		last = target;
	}
	return parts;
}

size_t
kpo_split_file(const char *path, unsigned long long data, size_t n, struct kpo_cut *cut)
{
	struct stat st;
	void *map;
	size_t parts;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cut[0].at = 0;
	cut[0].line = 0;
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return 1;
	}
	close(fd);
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	parts = kpo_split_buffer(map, (size_t)st.st_size, data, n, cut);
	munmap(map, (size_t)st.st_size);
	return parts;
}
