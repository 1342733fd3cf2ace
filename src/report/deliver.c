/*
 * Where a finished report goes on disk: written under a temporary name
 * beside its destination, synced, then renamed over it, so a reader never
 * sees half a report and a crash leaves the old file or none.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report.h"

char *
report_dest_path(const char *path, const char *name)
{
	struct stat	st;
	size_t		n = strlen(path);

	if ((n > 0 && path[n - 1] == '/') ||
	    (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return xasprintf("%s%s%s", path, n > 0 && path[n - 1] == '/' ?
		    "" : "/", name);
	return xstrdup(path);
}

char *
report_tmp_beside(const char *dest)
{
	char	*copy = xstrdup(dest), *dir, *tmp;
	char	 hex[9];
	unsigned char rnd[4];

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	dir = dirname(copy);
	tmp = xasprintf("%s/.phalanx-export.%s.tmp", dir, hex);
	free(copy);
	return tmp;
}

int
report_commit(const char *tmp, const char *dest, struct err *err)
{
	char	*copy;
	int	 fd;

	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) == -1 || fsync(fd) != 0) {
		err_set(err, "export-write", "cannot sync %s: %s", tmp,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, dest) != 0) {
		err_set(err, "export-write", "cannot write %s: %s", dest,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	copy = xstrdup(dest);
	file_sync_dir(dirname(copy));
	free(copy);
	return 0;
}
