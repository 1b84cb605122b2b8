#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "fs.h"

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
kpo_mkdirs(const char *path)
{
	char *p = kpo_xstrdup(path), *s;
	int rc = 0;

	/* Each ancestor, then PATH itself; an existing one is fine. */
	for (s = p + 1; rc == 0; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0) {
			if (errno != EEXIST)
				rc = -1;
			else if (!is_dir(p))
				rc = -1, errno = ENOTDIR;
		}
		*s = c;
		if (!c)
			break;
	}
	if (rc == 0 && !is_dir(path))
		rc = -1, errno = ENOTDIR;
	free(p);
	return rc;
}
