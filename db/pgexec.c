/*
 * Finding PostgreSQL's programs and running them.  PostgreSQL refuses to run
 * as root, so when we are root its programs run as an unprivileged system
 * user instead (postgres, else nobody).  Everything here blocks: it runs
 * before the event loop starts.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/pgexec.h"

static int
pgexec_has_initdb(const char *dir)
{
	char	path[PATH_MAX];
	int	n;

	n = snprintf(path, sizeof path, "%s/initdb", dir);
	if (n < 0 || (size_t)n >= sizeof path)
		return 0;
	return access(path, X_OK) == 0;
}

/* pg_config knows where the server programs of its own version live. */
static char *
pgexec_from_pg_config(void)
{
	FILE	*f;
	char	 line[PATH_MAX];
	char	*got;

	if ((f = popen("pg_config --bindir 2>/dev/null", "r")) == NULL)
		return NULL;
	got = fgets(line, sizeof line, f);
	pclose(f);
	if (got == NULL)
		return NULL;
	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] != '/' || !pgexec_has_initdb(line))
		return NULL;
	return xstrdup(line);
}

/* "15" -> 1500, "9.6" -> 906; -1 for anything that is not a version. */
static long
pgexec_version(const char *s)
{
	char	*end;
	long	 major, minor = 0;

	errno = 0;
	major = strtol(s, &end, 10);
	if (end == s || errno != 0 || major < 0 || major > 10000)
		return -1;
	if (*end == '.') {
		s = end + 1;
		minor = strtol(s, &end, 10);
		if (end == s || minor < 0 || minor > 99)
			return -1;
	}
	if (*end != '\0')
		return -1;
	return major * 100 + minor;
}

/* Debian and Ubuntu keep each major version in /usr/lib/postgresql/N/bin. */
static char *
pgexec_from_debian(void)
{
	DIR		*d;
	struct dirent	*de;
	char		*best = NULL, *dir;
	long		 v, bestv = -1;

	if ((d = opendir("/usr/lib/postgresql")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if ((v = pgexec_version(de->d_name)) <= bestv)
			continue;
		dir = xasprintf("/usr/lib/postgresql/%s/bin", de->d_name);
		if (pgexec_has_initdb(dir)) {
			free(best);
			best = dir;
			bestv = v;
		} else
			free(dir);
	}
	closedir(d);
	return best;
}

/*
 * The directory of the real initdb found in PATH: following the symlink
 * lands next to pg_ctl and psql of the same version.
 */
static char *
pgexec_from_path(void)
{
	const char	*path;
	char		*copy, *dir, *save = NULL, *cand, *real, *slash;

	if ((path = getenv("PATH")) == NULL)
		return NULL;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		cand = xasprintf("%s/initdb", *dir != '\0' ? dir : ".");
		real = access(cand, X_OK) == 0 ? realpath(cand, NULL) : NULL;
		free(cand);
		if (real == NULL)
			continue;
		if ((slash = strrchr(real, '/')) != NULL)
			*slash = '\0';
		if (pgexec_has_initdb(real)) {
			free(copy);
			return real;
		}
		free(real);
	}
	free(copy);
	return NULL;
}

/*
 * Where initdb, pg_ctl and psql are: $PHALANX_PG_BINDIR, pg_config --bindir,
 * the Debian layout (highest version), then PATH.  Returns an owned path.
 */
char *
db_pg_bindir(struct err *e)
{
	const char	*v;
	char		*dir;

	if ((v = getenv("PHALANX_PG_BINDIR")) != NULL && *v != '\0') {
		if (pgexec_has_initdb(v))
			return xstrdup(v);
		err_set(e, "pg-missing", "PHALANX_PG_BINDIR=%s has no initdb", v);
		return NULL;
	}
	if ((dir = pgexec_from_pg_config()) != NULL ||
	    (dir = pgexec_from_debian()) != NULL ||
	    (dir = pgexec_from_path()) != NULL)
		return dir;
	err_set(e, "pg-missing", "PostgreSQL server programs not found "
	    "(no initdb via pg_config --bindir, /usr/lib/postgresql/*/bin or "
	    "PATH); install postgresql or set PHALANX_PG_BINDIR");
	return NULL;
}

/* The full path of one PostgreSQL program (initdb, pg_ctl, psql). Owned. */
char *
db_pg_program(const char *name, struct err *e)
{
	char	*dir, *path;

	if ((dir = db_pg_bindir(e)) == NULL)
		return NULL;
	path = xasprintf("%s/%s", dir, name);
	free(dir);
	if (access(path, X_OK) != 0) {
		err_set(e, "pg-missing", "%s: not found or not executable",
		    path);
		free(path);
		return NULL;
	}
	return path;
}

/*
 * Decide who runs the cluster.  Not root: we do.  Root: the postgres system
 * user of the distribution package, else nobody -- never uid 0.
 */
int
db_pg_user(struct db_pg_user *u, struct err *e)
{
	struct passwd	*pw;

	memset(u, 0, sizeof *u);
	if (geteuid() != 0) {
		u->uid = geteuid();
		u->gid = getegid();
		snprintf(u->name, sizeof u->name, "%s", path_os_user());
		return 0;
	}
	if ((pw = getpwnam("postgres")) == NULL &&
	    (pw = getpwnam("nobody")) == NULL) {
		err_set(e, "store-user", "running as root and neither the "
		    "postgres nor the nobody user exists to run PostgreSQL as");
		return -1;
	}
	if (pw->pw_uid == 0) {
		err_set(e, "store-user", "user %s has uid 0; PostgreSQL cannot "
		    "run as root", pw->pw_name);
		return -1;
	}
	u->drop = 1;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof u->name, "%s", pw->pw_name);
	return 0;
}

/* In a child: become u for good, or fail. */
static int
pgexec_drop(const struct db_pg_user *u)
{
	if (!u->drop)
		return 0;
	if (initgroups(u->name, u->gid) == -1 || setgid(u->gid) == -1 ||
	    setuid(u->uid) == -1)
		return -1;
	if (getuid() != u->uid || geteuid() != u->uid || setuid(0) != -1)
		return -1;
	return 0;
}

/*
 * What PostgreSQL's programs inherit of our environment: what they need
 * (PATH, so that pg_ctl finds postgres; locale; time zone; TMPDIR) and
 * nothing else.  The postmaster lives long and, when phalanx runs as root,
 * as another user, whose database superuser can read its environment:
 * none of our secrets (PHALANX_MASTER_KEY, a token an @env: names, a DSN
 * password) may be in it.
 */
static char **
pgexec_env(void)
{
	static const char *const	 keep[] = { "PATH=", "LANG=",
		"LANGUAGE=", "LC_", "TZ=", "PGTZ=", "TMPDIR=" };
	static char			*env[64];
	size_t				 i, j, n = 0;

	for (i = 0; environ[i] != NULL && n + 1 < nitems(env); i++) {
		for (j = 0; j < nitems(keep); j++) {
			if (strncmp(environ[i], keep[j], strlen(keep[j])) == 0) {
				env[n++] = environ[i];
				break;
			}
		}
	}
	env[n] = NULL;
	return env;
}

static void PX_NORETURN
pgexec_child(const struct db_pg_user *u, const char *cwd, char *const argv[],
    int wfd)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	if (wfd != 1)
		dup2(wfd, 1);
	if (wfd != 2)
		dup2(wfd, 2);
	if (wfd > 2)
		close(wfd);
	if (pgexec_drop(u) == -1) {
		dprintf(2, "cannot switch to user %s: %s\n", u->name,
		    strerror(errno));
		_exit(126);
	}
	if (cwd != NULL && chdir(cwd) == -1) {
		dprintf(2, "cannot change directory to %s: %s\n", cwd,
		    strerror(errno));
		_exit(126);
	}
	umask(077);
	execve(argv[0], argv, pgexec_env());
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Run argv[0] (a full path) as u in cwd, stdin from /dev/null, stdout and
 * stderr collected into out.  *status is the exit code, or 128 + signal.
 * Returns -1 only if the program could not be started at all.
 */
int
db_pg_run(const struct db_pg_user *u, const char *cwd, char *const argv[],
    struct strbuf *out, int *status, struct err *e)
{
	int	 fds[2], ws;
	pid_t	 pid;
	char	 buf[4096];
	ssize_t	 n;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		err_set(e, "store-exec", "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		err_set(e, "store-exec", "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		pgexec_child(u, cwd, argv, fds[1]);
	}
	close(fds[1]);
	for (;;) {
		n = read(fds[0], buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &ws, 0) == -1) {
		if (errno != EINTR) {
			err_set(e, "store-exec", "waitpid: %s",
			    strerror(errno));
			return -1;
		}
	}
	if (WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	else
		*status = 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	return 0;
}

/* Can u search (traverse) directory path?  Asked of the kernel, as u. */
int
db_pg_reach(const struct db_pg_user *u, const char *path)
{
	pid_t	pid;
	int	ws;

	if (!u->drop)
		return access(path, X_OK) == 0;
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if (pgexec_drop(u) == -1)
			_exit(2);
		_exit(access(path, X_OK) == 0 ? 0 : 1);
	}
	while (waitpid(pid, &ws, 0) == -1) {
		if (errno != EINTR)
			return 0;
	}
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

/*
 * The last lines of a program's output or a log, for an error message:
 * at most maxlines non-blank lines and about maxbytes bytes, joined by
 * "; ".
 */
char *
db_pg_tail(const char *text, size_t maxlines, size_t maxbytes)
{
	struct strbuf	 b;
	const char	*end, *p, *q;
	size_t		 lines = 0;

	if (text == NULL)
		return xstrdup("");
	end = text + strlen(text);
	p = end;
	while (p > text && lines < maxlines && (size_t)(end - p) < maxbytes) {
		q = p;
		while (p > text && p[-1] != '\n')
			p--;
		if (q - p > 0 && p[strspn(p, " \t\r")] != '\n')
			lines++;
		if (p > text && lines < maxlines)
			p--;
	}
	strbuf_init(&b);
	strbuf_puts(&b, "");
	while (p < end) {
		q = memchr(p, '\n', (size_t)(end - p));
		if (q == NULL)
			q = end;
		while (p < q && (*p == ' ' || *p == '\t'))
			p++;
		if (q > p) {
			if (b.len > 0)
				strbuf_puts(&b, "; ");
			strbuf_add(&b, p, (size_t)(q - p - (q[-1] == '\r')));
		}
		p = q < end ? q + 1 : q;
	}
	return strbuf_steal(&b);
}

/*
 * For an error message: the lines of a program's output or log that say
 * what went wrong (initdb's "error:", the server's FATAL/PANIC), without
 * the log's time and pid prefix; else just the last lines.
 */
char *
db_pg_errors(const char *text, size_t maxlines, size_t maxbytes)
{
	static const char	*marks[] = { "FATAL:", "PANIC:", "error:" };
	struct strbuf		 b;
	const char		*p, *q, *m;
	size_t			 i, n = 0, len;

	strbuf_init(&b);
	for (p = text; p != NULL && *p != '\0' && n < maxlines; p = q) {
		if ((q = strchr(p, '\n')) != NULL)
			q++;
		len = q != NULL ? (size_t)(q - p - 1) : strlen(p);
		m = NULL;
		for (i = 0; i < nitems(marks) && m == NULL; i++)
			m = memmem(p, len, marks[i], strlen(marks[i]));
		if (m != NULL && strncmp(m, "error:", 6) == 0)
			m = p;
		if (m == NULL || b.len >= maxbytes)
			continue;
		if (b.len > 0)
			strbuf_puts(&b, "; ");
		strbuf_add(&b, m, len - (size_t)(m - p));
		n++;
	}
	if (b.len > 0)
		return strbuf_steal(&b);
	strbuf_free(&b);
	return db_pg_tail(text, maxlines, maxbytes);
}

/* libpq messages end in a newline; ours do not. */
void
db_err_chomp(struct err *e)
{
	size_t	n;

	n = strlen(e->msg);
	while (n > 0 && (e->msg[n - 1] == '\n' || e->msg[n - 1] == ' '))
		e->msg[--n] = '\0';
}
