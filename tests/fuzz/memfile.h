/* For the reader's fuzz targets: the input bytes as a file, plain or
 * gzip-compressed, read back from the start (a memfd: no disk). */
#ifndef KPO_FUZZ_MEMFILE_H
#define KPO_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

static int
memfile(const uint8_t *data, size_t n, int gzip)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (gzip) {
		gzFile gz = gzdopen(dup(fd), "wb1");

		if (n)
			gzwrite(gz, data, (unsigned)n);
		gzclose(gz);
	} else if (n && write(fd, data, n) != (ssize_t)n) {
		abort();
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

#endif
