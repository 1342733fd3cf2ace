/*
 * The local journal (see journal.h).  The file is the truth: count and the
 * last sequence number are recovered from it, under the lock, whenever
 * another process may have changed it (its inode or size moved).
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/metrics.h"
#include "util/journal.h"

#define HWM_LEN	21	/* 20 digits and a newline */

struct journal {
	char	*path;
	char	*dir;
	char	*lockpath;
	char	*badpath;
	char	*tmppath;
	int	 fd;
	int	 lockfd;
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;		/* end of the last complete line, as seen */
	size_t	 count;
	int64_t	 last_seq;
	size_t	 torn;
	size_t	 bad;
};

static uint8_t	uid_prefix[8];
static uint64_t	uid_counter;
static int	uid_seeded, uid_atfork;

/* A child must not repeat its parent's uids: it draws a new prefix. */
static void
journal_forked(void)
{
	uid_seeded = 0;
	uid_counter = 0;
}

/*
 * Eight random bytes per process and a counter: unique without a syscall
 * per id.  The version and variant bits are set as RFC 4122 asks.  A
 * forked child draws a new prefix, or parent and child would repeat ids.
 */
void
journal_uid(char out[JOURNAL_UID_LEN])
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 u[16];
	uint64_t		 c;
	int64_t			 t;
	int			 i, o;

	/* getpid() is a system call: a fork reseeds through journal_forked. */
	if (!uid_seeded) {
		if (getrandom(uid_prefix, sizeof uid_prefix, 0) !=
		    sizeof uid_prefix) {
			t = time_wall_us() ^ ((int64_t)getpid() << 40);
			memcpy(uid_prefix, &t, sizeof uid_prefix);
		}
		if (!uid_atfork) {
			pthread_atfork(NULL, NULL, journal_forked);
			uid_atfork = 1;
		}
		uid_seeded = 1;
	}
	c = ++uid_counter;
	memcpy(u, uid_prefix, 8);
	for (i = 15; i >= 8; i--) {
		u[i] = (uint8_t)(c & 0xff);
		c >>= 8;
	}
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	/* 8-4-4-4-12 hex digits, without a printf per uid. */
	for (i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 0x0f];
	}
	out[o] = '\0';
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

/* Locking and the high-water mark ------------------------------------- */

static int
journal_lock(struct journal *j, struct err *err)
{
	while (flock(j->lockfd, LOCK_EX) != 0) {
		if (errno != EINTR)
			return journal_fail(err, "lock", j->lockpath);
	}
	return 0;
}

static void
journal_unlock(struct journal *j)
{
	flock(j->lockfd, LOCK_UN);
}

static int64_t
journal_hwm(struct journal *j)
{
	char	buf[HWM_LEN + 1];
	ssize_t	n;

	if ((n = pread(j->lockfd, buf, HWM_LEN, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/*
 * Not synced: it only has to outlive processes, not the machine (after a
 * reboot no replayer holds an old seq, and the file's own tail counts).
 */
static void
journal_hwm_set(struct journal *j, int64_t seq)
{
	char	buf[HWM_LEN + 1];

	if (seq <= journal_hwm(j))
		return;
	snprintf(buf, sizeof buf, "%020lld\n", (long long)seq);
	if (pwrite(j->lockfd, buf, HWM_LEN, 0) != HWM_LEN)
		log_warn("journal", "%s: cannot record seq %lld: %s",
		    j->lockpath, (long long)seq, strerror(errno));
}

/* Keep bytes that are not entries where a human can look at them. */
static int
journal_quarantine(struct journal *j, const char *p, size_t len,
    struct err *err)
{
	int	fd, rc = 0;

	fd = open(j->badpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return journal_fail(err, "open", j->badpath);
	if (file_write_all(fd, p, len) != 0 ||
	    (len > 0 && p[len - 1] != '\n' && file_write_all(fd, "\n", 1)) ||
	    fdatasync(fd) != 0)
		rc = journal_fail(err, "write", j->badpath);
	close(fd);
	return rc;
}

/* Reading the file under the lock ------------------------------------- */

/* (Re)open the path when this fd is not (or no longer) the file there. */
static int
journal_reopen(struct journal *j, int *fresh, struct err *err)
{
	struct stat	st;

	*fresh = 0;
	if (j->fd != -1 && stat(j->path, &st) == 0 && st.st_dev == j->dev &&
	    st.st_ino == j->ino)
		return 0;
	if (j->fd != -1)
		close(j->fd);
	j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd == -1 || fstat(j->fd, &st) != 0)
		return journal_fail(err, "open", j->path);
	j->dev = st.st_dev;
	j->ino = st.st_ino;
	*fresh = 1;
	return 0;
}

/*
 * Bring size, count and last_seq up to the file; with the lock held.
 * Only what another process appended is read, unless the file was
 * replaced or shrank.  A torn tail is quarantined and cut.
 */
static int
journal_sync(struct journal *j, struct err *err)
{
	struct stat	 st;
	char		*buf, *p, *end, *nl, *last = NULL;
	off_t		 from, good;
	size_t		 len, lines = 0;
	int64_t		 seq;
	int		 fresh;

	if (journal_reopen(j, &fresh, err) != 0)
		return -1;
	if (fstat(j->fd, &st) != 0)
		return journal_fail(err, "stat", j->path);
	if (!fresh && st.st_size == j->size)
		goto out;
	from = !fresh && st.st_size > j->size ? j->size : 0;
	if (from == 0)
		j->count = 0;
	len = (size_t)(st.st_size - from);
	buf = xmalloc(len + 1);
	if (pread(j->fd, buf, len, from) != (ssize_t)len) {
		free(buf);
		return journal_fail(err, "read", j->path);
	}
	end = buf + len;
	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		lines++;
		last = p;
	}
	good = from + (p - buf);
	/* The highest seq is normally the last line's. */
	for (; last != NULL; ) {
		nl = memchr(last, '\n', (size_t)(end - last));
		if ((seq = journal_line_seq(last, (size_t)(nl - last))) > 0) {
			if (seq > j->last_seq)
				j->last_seq = seq;
			break;
		}
		if (last == buf)
			break;
		for (last--; last > buf && last[-1] != '\n'; last--)
			;
	}
	if (good < st.st_size) {
		if (journal_quarantine(j, p, (size_t)(end - p), err) != 0) {
			free(buf);
			return -1;
		}
		j->torn += (size_t)(end - p);
		log_warn("journal", "%s: moved a torn last line (%zu bytes) "
		    "to %s", j->path, (size_t)(end - p), j->badpath);
		if (ftruncate(j->fd, good) != 0 || fdatasync(j->fd) != 0) {
			free(buf);
			return journal_fail(err, "truncate", j->path);
		}
	}
	free(buf);
	j->count += lines;
	j->size = good;
out:
	if ((seq = journal_hwm(j)) > j->last_seq)
		j->last_seq = seq;
	return 0;
}

/* sync, then the whole file into *bufp (the caller frees); lock held. */
static int
journal_read_all(struct journal *j, char **bufp, struct err *err)
{
	char	*buf;

	if (journal_sync(j, err) != 0)
		return -1;
	buf = xmalloc((size_t)j->size + 1);
	if (pread(j->fd, buf, (size_t)j->size, 0) != j->size) {
		free(buf);
		return journal_fail(err, "read", j->path);
	}
	*bufp = buf;
	return 0;
}

/* Open and close ------------------------------------------------------ */

struct journal *
journal_open_path(const char *path, struct err *err)
{
	struct journal	*j;
	char		*slash;
	int		 rc;

	j = xcalloc(1, sizeof *j);
	j->fd = j->lockfd = -1;
	j->path = xstrdup(path);
	j->dir = xstrdup(path);
	if ((slash = strrchr(j->dir, '/')) != NULL && slash != j->dir)
		*slash = '\0';
	else {
		free(j->dir);
		j->dir = xstrdup(slash != NULL ? "/" : ".");
	}
	j->lockpath = xasprintf("%s.lock", path);
	j->badpath = xasprintf("%s.corrupt", path);
	j->tmppath = xasprintf("%s.tmp", path);
	if (path_mkdirs(j->dir, 0700) != 0) {
		journal_fail(err, "mkdir", path);
		journal_close(j);
		return NULL;
	}
	j->lockfd = open(j->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->lockfd == -1) {
		journal_fail(err, "open", j->lockpath);
		journal_close(j);
		return NULL;
	}
	if (journal_lock(j, err) != 0) {
		journal_close(j);
		return NULL;
	}
	rc = journal_sync(j, err);
	journal_unlock(j);
	if (rc != 0) {
		journal_close(j);
		return NULL;
	}
	/* Make the directory entries of new files durable too. */
	file_sync_dir(j->dir);
	return j;
}

struct journal *
journal_open(const char *name, struct err *err)
{
	struct journal	*j;
	char		*home, *path;

	home = path_phalanx_home();
	path = xasprintf("%s/journal/%s.jsonl", home, name);
	free(home);
	j = journal_open_path(path, err);
	free(path);
	return j;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	if (j->lockfd != -1)
		close(j->lockfd);
	free(j->path);
	free(j->dir);
	free(j->lockpath);
	free(j->badpath);
	free(j->tmppath);
	free(j);
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}

/* Append and replay ---------------------------------------------------- */

/* The depth of this journal ("events", "store") in /metrics. */
static void
journal_gauge(const struct journal *j)
{
	const char	*base = strrchr(j->path, '/');
	char		 name[64];
	size_t		 len;

	base = base != NULL ? base + 1 : j->path;
	len = strcspn(base, ".");
	snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), base);
	metric_set(pxm.journal_depth, (double)j->count, name);
}

static int
journal_append_locked(struct journal *j, json_t *const *objs, size_t n,
    struct err *err)
{
	struct strbuf	 sb;
	char		 uid[JOURNAL_UID_LEN], *line;
	size_t		 i;
	int		 saved;

	if (journal_sync(j, err) != 0)
		return -1;
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
	journal_hwm_set(j, j->last_seq);
	strbuf_free(&sb);
	metric_add(pxm.events_journaled, (double)n, NULL);
	journal_gauge(j);
	return 0;
}

int
journal_append(struct journal *j, json_t *const *objs, size_t n,
    struct err *err)
{
	int	rc;

	if (n == 0)
		return 0;
	if (journal_lock(j, err) != 0)
		return -1;
	rc = journal_append_locked(j, objs, n, err);
	journal_unlock(j);
	return rc;
}

int
journal_replay(struct journal *j, journal_cb cb, void *arg, struct err *err)
{
	char		*buf, *p, *end, *nl;
	json_t		*o;
	int64_t		 seq;
	int		 rc = 0;

	if (journal_lock(j, err) != 0)
		return -1;
	rc = journal_read_all(j, &buf, err);
	journal_unlock(j);
	if (rc != 0)
		return -1;
	end = buf + j->size;
	for (p = buf; p < end && rc == 0; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		if (o == NULL || !json_is_object(o) ||
		    !json_is_integer(json_object_get(o, "seq"))) {
			log_warn("journal", "%s: skipped a line that is not an "
			    "entry (%.*s)", j->path,
			    (int)(nl - p < 40 ? nl - p : 40), p);
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

/* Removing a replayed prefix ------------------------------------------ */

/* The kept lines replace the file: a new file renamed over it. */
static int
journal_replace(struct journal *j, const struct strbuf *keep,
    struct err *err)
{
	int	fd, fresh;

	/*
	 * Even an empty rest is a new file: other processes tell a changed
	 * journal by its inode, never by a size that may have grown back.
	 */
	fd = open(j->tmppath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		return journal_fail(err, "open", j->tmppath);
	if (file_write_all(fd, keep->s, keep->len) != 0 || fdatasync(fd) != 0) {
		close(fd);
		unlink(j->tmppath);
		return journal_fail(err, "write", j->tmppath);
	}
	close(fd);
	if (rename(j->tmppath, j->path) != 0) {
		unlink(j->tmppath);
		return journal_fail(err, "rename", j->tmppath);
	}
	file_sync_dir(j->dir);
	return journal_reopen(j, &fresh, err);
}

static int
journal_drop_locked(struct journal *j, int64_t upto, struct err *err)
{
	struct strbuf	 keep, bad;
	char		*buf, *p, *end, *nl;
	int64_t		 seq;
	size_t		 kept = 0, dropped = 0, nbad = 0;
	int		 rc = 0;

	if (journal_read_all(j, &buf, err) != 0)
		return -1;
	strbuf_init(&keep);
	strbuf_init(&bad);
	/*
	 * Seqs rise in file order: only the prefix up to the first later
	 * entry is looked at; the rest is kept as it is (a bad line there is
	 * set aside by a later drop, once it is in the prefix).
	 */
	end = buf + j->size;
	for (p = buf; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		seq = journal_line_seq(p, (size_t)(nl - p));
		if (seq < 0) {
			strbuf_add(&bad, p, (size_t)(nl + 1 - p));
			nbad++;
		} else if (seq <= upto)
			dropped++;
		else
			break;
	}
	if (p < end) {
		strbuf_add(&keep, p, (size_t)(end - p));
		kept = j->count - dropped - nbad;
	}
	free(buf);
	if (dropped == 0 && nbad == 0)
		goto out;
	if (nbad > 0) {
		if ((rc = journal_quarantine(j, bad.s, bad.len, err)) != 0)
			goto out;
		j->bad += nbad;
		log_error("journal", "%s: %zu line(s) that are not entries "
		    "moved to %s", j->path, nbad, j->badpath);
	}
	/* The seq must keep rising once the file no longer shows it. */
	journal_hwm_set(j, j->last_seq);
	if ((rc = journal_replace(j, &keep, err)) != 0)
		goto out;
	j->size = (off_t)keep.len;
	j->count = kept;
	journal_gauge(j);
out:
	strbuf_free(&keep);
	strbuf_free(&bad);
	return rc;
}

int
journal_drop_upto(struct journal *j, int64_t upto, struct err *err)
{
	int	rc;

	if (journal_lock(j, err) != 0)
		return -1;
	rc = journal_drop_locked(j, upto, err);
	journal_unlock(j);
	return rc;
}

int
journal_set_aside(struct journal *j, json_t *obj, const char *why,
    struct err *err)
{
	char	*line = json_dumps(obj, JSON_COMPACT);
	int	 rc;

	if (line == NULL)
		line = xstrdup("{}");
	rc = journal_quarantine(j, line, strlen(line), err);
	if (rc == 0) {
		j->bad++;
		log_error("journal", "%s: entry %lld set aside in %s: %s",
		    j->path, (long long)json_integer_value(json_object_get(obj,
		    "seq")), j->badpath, why);
	}
	free(line);
	return rc;
}

/* Counters -------------------------------------------------------------- */

/* Re-read under the lock if the file at the path is not as last seen. */
static void
journal_refresh(struct journal *j)
{
	struct stat	st;
	struct err	e;

	if (stat(j->path, &st) == 0 && st.st_dev == j->dev &&
	    st.st_ino == j->ino && st.st_size == j->size)
		return;
	err_clear(&e);
	if (journal_lock(j, &e) == 0) {
		if (journal_sync(j, &e) != 0)
			log_warn("journal", "%s", e.msg);
		journal_unlock(j);
	}
}

size_t
journal_count(struct journal *j)
{
	journal_refresh(j);
	journal_gauge(j);
	return j->count;
}

int64_t
journal_last_seq(struct journal *j)
{
	journal_refresh(j);
	return j->last_seq;
}

size_t
journal_torn(const struct journal *j)
{
	return j->torn;
}

size_t
journal_quarantined(const struct journal *j)
{
	return j->bad;
}
