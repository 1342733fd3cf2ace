/* Writing files that must survive a crash: the journal, the master key. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

/* write(2) until all of p is out, retrying interrupted calls: 0 or -1. */
int
file_write_all(int fd, const void *p, size_t len)
{
	const char	*s = p;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, s, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Make the directory entry of a new file durable.  Best effort: the file
 * itself is already synced, and a failure here has no useful remedy.
 */
void
file_sync_dir(const char *dir)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}
