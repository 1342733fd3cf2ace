/*
 * The local journal (see journal.h).  The file is the truth: count and the
 * last sequence number are recovered from it on open, after the torn tail
 * of an interrupted append is cut off.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/journal.h"

struct journal {
	char	*path;
	int	 fd;
	off_t	 size;		/* end of the last complete line */
	size_t	 count;
	int64_t	 last_seq;
	size_t	 torn;
};

/*
 * Eight random bytes per process and a counter: unique without a syscall
 * per id.  The version and variant bits are set as RFC 4122 asks.
 */
void
journal_uid(char out[JOURNAL_UID_LEN])
{
	static uint8_t	 prefix[8];
	static uint64_t	 counter;
	static int	 seeded;
	uint8_t		 u[16];
	uint64_t	 c;
	int64_t		 t;
	int		 i;

	if (!seeded) {
		if (getrandom(prefix, sizeof prefix, 0) != sizeof prefix) {
			t = time_wall_us() ^ ((int64_t)getpid() << 40);
			memcpy(prefix, &t, sizeof prefix);
		}
		seeded = 1;
	}
	c = ++counter;
	memcpy(u, prefix, 8);
	for (i = 15; i >= 8; i--) {
		u[i] = (uint8_t)(c & 0xff);
		c >>= 8;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, JOURNAL_UID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
	    u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
	    u[14], u[15]);
}

static int
journal_fail(struct err *err, const char *what, const char *path)
{
	err_set(err, "journal", "journal %s: %s: %s", path, what,
	    strerror(errno));
	return -1;
}

/* The seq of one line, or -1 if it is not a journal entry. */
static int64_t
journal_line_seq(const char *line, size_t len)
{
	json_t	*o;
	int64_t	 seq = -1;

	if ((o = json_loadb(line, len, 0, NULL)) == NULL)
		return -1;
	if (json_is_object(o) && json_is_integer(json_object_get(o, "seq")))
		seq = json_integer_value(json_object_get(o, "seq"));
	json_decref(o);
	return seq;
}

/*
 * The highest seq among the lines of buf[0, len): normally the last line's,
 * so lines are parsed from the end until one is an entry.
 */
static int64_t
journal_tail_seq(const char *buf, size_t len)
{
	const char	*end = buf + len, *start;
	int64_t		 seq;

	while (end > buf) {
		start = end - 1;
		while (start > buf && start[-1] != '\n')
			start--;
		if ((seq = journal_line_seq(start, (size_t)(end - 1 - start)))
		    > 0)
			return seq;
		end = start;
	}
	return 0;
}

/* Count lines, recover the last seq, and cut off a torn tail. */
static int
journal_scan(struct journal *j, struct err *err)
{
	struct stat	 st;
	char		*buf, *p, *end, *nl;
	off_t		 good = 0;

	if (fstat(j->fd, &st) != 0)
		return journal_fail(err, "stat", j->path);
	buf = xmalloc((size_t)st.st_size + 1);
	if (pread(j->fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return journal_fail(err, "read", j->path);
	}
	end = buf + st.st_size;
	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		j->count++;
		good = nl + 1 - buf;
	}
	j->last_seq = journal_tail_seq(buf, (size_t)good);
	free(buf);
	j->size = good;
	if (good < st.st_size) {
		j->torn = (size_t)(st.st_size - good);
		log_warn("journal", "%s: cut %zu bytes of a torn last line",
		    j->path, j->torn);
		if (ftruncate(j->fd, good) != 0 || fdatasync(j->fd) != 0)
			return journal_fail(err, "truncate", j->path);
	}
	return 0;
}

struct journal *
journal_open_path(const char *path, struct err *err)
{
	struct journal	*j;
	char		*slash;
	int		 rc;

	j = xcalloc(1, sizeof *j);
	j->fd = -1;
	j->path = xstrdup(path);
	if ((slash = strrchr(j->path, '/')) != NULL && slash != j->path) {
		*slash = '\0';
		rc = path_mkdirs(j->path, 0700);
		*slash = '/';
		if (rc != 0) {
			journal_fail(err, "mkdir", path);
			journal_close(j);
			return NULL;
		}
	}
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd == -1) {
		journal_fail(err, "open", path);
		journal_close(j);
		return NULL;
	}
	if (journal_scan(j, err) != 0) {
		journal_close(j);
		return NULL;
	}
	return j;
}

struct journal *
journal_open(const char *name, struct err *err)
{
	struct journal	*j;
	char		*home, *dir, *path;

	home = path_phalanx_home();
	dir = xasprintf("%s/journal", home);
	free(home);
	if (path_mkdirs(dir, 0700) != 0) {
		journal_fail(err, "mkdir", dir);
		free(dir);
		return NULL;
	}
	path = xasprintf("%s/%s.jsonl", dir, name);
	j = journal_open_path(path, err);
	/* Make the directory entry of a new file durable too. */
	if (j != NULL)
		file_sync_dir(dir);
	free(path);
	free(dir);
	return j;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	free(j->path);
	free(j);
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}

int
journal_append(struct journal *j, json_t *const *objs, size_t n,
    struct err *err)
{
	struct strbuf	 sb;
	char		 uid[JOURNAL_UID_LEN], *line;
	size_t		 i;
	int		 saved;

	if (n == 0)
		return 0;
	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		json_object_set_new(objs[i], "seq",
		    json_integer(j->last_seq + 1 + (int64_t)i));
		if (!json_is_string(json_object_get(objs[i], "id"))) {
			journal_uid(uid);
			json_object_set_new(objs[i], "id", json_string(uid));
		}
		line = json_dumps(objs[i], JSON_COMPACT);
		strbuf_puts(&sb, line);
		strbuf_putc(&sb, '\n');
		free(line);
	}
	if (file_write_all(j->fd, sb.s, sb.len) != 0 ||
	    fdatasync(j->fd) != 0) {
		saved = errno;
		if (ftruncate(j->fd, j->size) != 0)
			log_error("journal", "%s: cannot undo a failed append",
			    j->path);
		errno = saved;
		strbuf_free(&sb);
		return journal_fail(err, "append", j->path);
	}
	j->size += (off_t)sb.len;
	j->count += n;
	j->last_seq += (int64_t)n;
	strbuf_free(&sb);
	return 0;
}

int
journal_replay(struct journal *j, journal_cb cb, void *arg, struct err *err)
{
	char		*buf, *p, *end, *nl;
	json_t		*o;
	int64_t		 seq;
	int		 rc = 0;

	buf = xmalloc((size_t)j->size + 1);
	if (pread(j->fd, buf, (size_t)j->size, 0) != j->size) {
		free(buf);
		return journal_fail(err, "read", j->path);
	}
	end = buf + j->size;
	for (p = buf; p < end && rc == 0; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		if (o == NULL || !json_is_object(o) ||
		    !json_is_integer(json_object_get(o, "seq"))) {
			log_warn("journal", "%s: skipped a line that is not an "
			    "entry", j->path);
			json_decref(o);
			continue;
		}
		seq = json_integer_value(json_object_get(o, "seq"));
		if (cb(o, seq, arg) != 0)
			rc = 1;
		json_decref(o);
	}
	free(buf);
	return rc;
}

int
journal_truncate(struct journal *j, struct err *err)
{
	if (ftruncate(j->fd, 0) != 0 || fdatasync(j->fd) != 0)
		return journal_fail(err, "truncate", j->path);
	j->size = 0;
	j->count = 0;
	return 0;
}

size_t
journal_count(const struct journal *j)
{
	return j->count;
}

int64_t
journal_last_seq(const struct journal *j)
{
	return j->last_seq;
}

size_t
journal_torn(const struct journal *j)
{
	return j->torn;
}
