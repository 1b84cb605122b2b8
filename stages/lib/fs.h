/* The file system: folders. */
#ifndef KPO_FS_H
#define KPO_FS_H

/* mkdir -p PATH (mode 0777 less the umask): 0 when PATH is a folder at the
 * end, else -1 with errno set (ENOTDIR when something else has the name). */
int kpo_mkdirs(const char *path);

#endif
