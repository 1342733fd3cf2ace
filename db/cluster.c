/*
 * The private cluster: a PostgreSQL that phalanx initialises and starts for
 * itself under $PHALANX_HOME, reachable only through a Unix socket in a
 * directory of its own.  Layout of a store root:
 *
 *	data/		the cluster (initdb -D)
 *	run/		unix_socket_directories
 *	postgres.log	server log (pg_ctl -l)
 *
 * The root is home/store, or a directory elsewhere that home/store links
 * to (see cluster_make).  Operations that change the cluster hold an
 * flock on home/.store.lock so a console and a daemon starting at the same
 * moment do not both run initdb.  All of this blocks; it runs before the
 * event loop.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/pgexec.h"

struct cluster {
	char			*home;
	char			*link;		/* home/store */
	char			*root;		/* resolved store root */
	char			*datadir;
	char			*sockdir;
	char			*logfile;
	struct db_pg_user	 user;
};

static void
cluster_free(struct cluster *c)
{
	free(c->home);
	free(c->link);
	free(c->root);
	free(c->datadir);
	free(c->sockdir);
	free(c->logfile);
	memset(c, 0, sizeof *c);
}

static void
cluster_paths(struct cluster *c)
{
	c->datadir = xasprintf("%s/data", c->root);
	c->sockdir = xasprintf("%s/run", c->root);
	c->logfile = xasprintf("%s/postgres.log", c->root);
}

/* The socket file root/run/.s.PGSQL.PORT must fit in sockaddr_un. */
static int
cluster_sock_fits(const char *root)
{
	struct sockaddr_un	sun;

	return strlen(root) + sizeof "/run/.s.PGSQL.65535" <=
	    sizeof sun.sun_path;
}

/*
 * Root runs the server as whoever owns an existing store, so a store made
 * when only nobody existed keeps working once postgres appears.
 */
static int
cluster_owner(struct cluster *c, struct err *e)
{
	struct stat	 st;
	struct passwd	*pw;

	if (!c->user.drop)
		return 0;
	if (stat(c->root, &st) == -1) {
		err_set(e, "store-layout", "%s: %s", c->root, strerror(errno));
		return -1;
	}
	if (st.st_uid == 0 || (pw = getpwuid(st.st_uid)) == NULL) {
		err_set(e, "store-layout", "%s is owned by uid %u, which cannot "
		    "run PostgreSQL", c->root, (unsigned)st.st_uid);
		return -1;
	}
	c->user.uid = pw->pw_uid;
	c->user.gid = pw->pw_gid;
	snprintf(c->user.name, sizeof c->user.name, "%s", pw->pw_name);
	return 0;
}

/* Locate the store of home: 1 found, 0 none yet, -1 error. */
static int
cluster_find(struct cluster *c, const char *home, struct err *e)
{
	struct stat	st;

	memset(c, 0, sizeof *c);
	c->home = xstrdup(home);
	c->link = xasprintf("%s/store", home);
	if (db_pg_user(&c->user, e) == -1)
		return -1;
	if (lstat(c->link, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set(e, "store-layout", "%s: %s", c->link, strerror(errno));
		return -1;
	}
	if ((c->root = realpath(c->link, NULL)) == NULL) {
		if (errno == ENOENT && S_ISLNK(st.st_mode))
			return 0;
		err_set(e, "store-layout", "%s: %s", c->link, strerror(errno));
		return -1;
	}
	cluster_paths(c);
	if (cluster_owner(c, e) == -1)
		return -1;
	return 1;
}

static int
cluster_initialised(const struct cluster *c)
{
	char	*p;
	int	 ok;

	p = xasprintf("%s/PG_VERSION", c->datadir);
	ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

/* A directory we own, not writable by others, with the given mode. */
static int
cluster_base_ok(const char *path, mode_t mode)
{
	struct stat	st;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return 0;
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return 0;
	if ((st.st_mode & 07777) != mode && chmod(path, mode) == -1)
		return 0;
	return 1;
}

/*
 * Where stores go when home will not do.  Root: /var/lib/phalanx (0755,
 * so the server's user can pass through to its own 0700 directory).
 * Others: a private /tmp/phalanx-UID.
 */
static char *
cluster_base(struct err *e)
{
	char	*p;

	if (geteuid() == 0) {
		if (cluster_base_ok("/var/lib/phalanx", 0755))
			return xstrdup("/var/lib/phalanx");
		if (cluster_base_ok("/tmp/phalanx-0", 0755))
			return xstrdup("/tmp/phalanx-0");
		err_set(e, "store-layout", "cannot use /var/lib/phalanx or "
		    "/tmp/phalanx-0 for the store");
		return NULL;
	}
	p = xasprintf("/tmp/phalanx-%u", (unsigned)geteuid());
	if (cluster_base_ok(p, 0700))
		return p;
	err_set(e, "store-layout", "cannot use %s for the store (it must be a "
	    "directory of ours, mode 0700)", p);
	free(p);
	return NULL;
}

/* A readable directory name from the last part of home: "tmp.x1Y2" etc. */
static char *
cluster_tag(const char *rhome)
{
	const char	*b;
	char		 tag[25];
	size_t		 n = 0;

	b = strrchr(rhome, '/');
	b = b != NULL ? b + 1 : rhome;
	for (; *b != '\0' && n < sizeof tag - 1; b++) {
		if ((*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') ||
		    (*b >= '0' && *b <= '9') || *b == '.' || *b == '_' ||
		    *b == '-')
			tag[n++] = *b;
	}
	tag[n] = '\0';
	return xstrdup(n > 0 && tag[0] != '.' ? tag : "home");
}

/*
 * Make the store root.  home/store itself when the server's user can reach
 * home and the socket path fits; otherwise a fresh directory under
 * cluster_base() with home/store a symlink to it -- root's home is 0700,
 * so postgres could never open a socket or data directory under it.
 */
static int
cluster_make(struct cluster *c, struct err *e)
{
	struct stat	 st;
	char		*rhome, *base, *tag, *root;

	if (path_mkdirs(c->home, 0700) == -1) {
		err_set(e, "store-layout", "cannot create %s: %s", c->home,
		    strerror(errno));
		return -1;
	}
	if ((rhome = realpath(c->home, NULL)) == NULL) {
		err_set(e, "store-layout", "%s: %s", c->home, strerror(errno));
		return -1;
	}
	if (lstat(c->link, &st) == 0 && S_ISLNK(st.st_mode))
		unlink(c->link);
	root = xasprintf("%s/store", rhome);
	if (cluster_sock_fits(root) && db_pg_reach(&c->user, rhome)) {
		if (mkdir(root, 0700) == -1) {
			err_set(e, "store-layout", "cannot create %s: %s",
			    root, strerror(errno));
			goto fail;
		}
	} else {
		free(root);
		root = NULL;
		if ((base = cluster_base(e)) == NULL)
			goto fail;
		tag = cluster_tag(rhome);
		root = xasprintf("%s/%s-XXXXXX", base, tag);
		free(tag);
		free(base);
		if (mkdtemp(root) == NULL) {
			err_set(e, "store-layout", "cannot create %s: %s",
			    root, strerror(errno));
			goto fail;
		}
		if (!cluster_sock_fits(root) || symlink(root, c->link) == -1) {
			err_set(e, "store-layout", "cannot link %s to %s: %s",
			    c->link, root, cluster_sock_fits(root) ?
			    strerror(errno) : "socket path too long");
			rmdir(root);
			goto fail;
		}
	}
	if (chmod(root, 0700) == -1 || (c->user.drop &&
	    chown(root, c->user.uid, c->user.gid) == -1)) {
		err_set(e, "store-layout", "cannot give %s to %s: %s", root,
		    c->user.name, strerror(errno));
		goto fail;
	}
	free(rhome);
	c->root = root;
	cluster_paths(c);
	return 0;

fail:
	free(rhome);
	free(root);
	return -1;
}

/* The socket directory, owned by the server's user. */
static int
cluster_mkrun(const struct cluster *c, struct err *e)
{
	if (mkdir(c->sockdir, 0700) == -1 && errno != EEXIST) {
		err_set(e, "store-layout", "cannot create %s: %s", c->sockdir,
		    strerror(errno));
		return -1;
	}
	if (c->user.drop && chown(c->sockdir, c->user.uid, c->user.gid) == -1) {
		err_set(e, "store-layout", "cannot give %s to %s: %s",
		    c->sockdir, c->user.name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Append s to b as a single-quoted value, escaped for quote. */
static void
cluster_quote(struct strbuf *b, const char *s, char esc)
{
	strbuf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			strbuf_putc(b, *s == '\'' ? esc : '\\');
		strbuf_putc(b, *s);
	}
	strbuf_putc(b, '\'');
}

static char *
cluster_conninfo_db(const struct cluster *c, const char *dbname)
{
	struct strbuf	b;

	strbuf_init(&b);
	strbuf_puts(&b, "host=");
	cluster_quote(&b, c->sockdir, '\\');
	strbuf_printf(&b, " port=%d user=%s dbname=%s", DB_CLUSTER_PORT,
	    DB_CLUSTER_USER, dbname);
	return strbuf_steal(&b);
}

/* Our settings, appended to the postgresql.conf initdb wrote. */
static int
cluster_write_conf(const struct cluster *c, struct err *e)
{
	struct strbuf	 b;
	char		*path;
	FILE		*f;
	int		 bad;

	strbuf_init(&b);
	strbuf_puts(&b, "\n# phalanx private cluster: Unix socket only.\n"
	    "listen_addresses = ''\n");
	strbuf_printf(&b, "port = %d\nunix_socket_directories = ",
	    DB_CLUSTER_PORT);
	cluster_quote(&b, c->sockdir, '\'');
	strbuf_puts(&b, "\nunix_socket_permissions = 0700\n"
	    "timezone = 'UTC'\nlog_timezone = 'UTC'\n"
	    /* Short statements: JIT spent seconds compiling one the planner
	     * over-costed that runs in a millisecond (migration 0028). */
	    "jit = off\n");
	path = xasprintf("%s/postgresql.conf", c->datadir);
	if ((f = fopen(path, "a")) == NULL) {
		err_set(e, "store-init", "%s: %s", path, strerror(errno));
		free(path);
		strbuf_free(&b);
		return -1;
	}
	bad = fputs(b.s, f) == EOF;
	bad |= fclose(f) == EOF;
	if (bad)
		err_set(e, "store-init", "cannot write %s", path);
	free(path);
	strbuf_free(&b);
	return bad ? -1 : 0;
}

/*
 * Run the PostgreSQL program prog with args (NULL-terminated) as the
 * server's user in the store root: its output in out (freed on -1), its
 * exit in status.
 */
static int
cluster_run(const struct cluster *c, const char *prog, char *const *args,
    struct strbuf *out, int *status, struct err *e)
{
	char	*argv[16];
	size_t	 n = 0;
	int	 rc;

	if ((argv[n++] = db_pg_program(prog, e)) == NULL)
		return -1;
	while (*args != NULL && n < nitems(argv) - 1)
		argv[n++] = *args++;
	argv[n] = NULL;
	strbuf_init(out);
	rc = db_pg_run(&c->user, c->root, argv, out, status, e);
	free(argv[0]);
	if (rc == -1)
		strbuf_free(out);
	return rc;
}

static int
cluster_initdb(const struct cluster *c, int *created, struct err *e)
{
	char		*args[] = { "-D", c->datadir, "-U", DB_CLUSTER_USER,
			    "--auth=trust", "--no-sync", "-E", "UTF8",
			    "--no-locale", NULL };
	struct strbuf	 out;
	char		*tail;
	int		 status;

	if (cluster_initialised(c))
		return 0;
	if (cluster_mkrun(c, e) == -1)
		return -1;
	if (cluster_run(c, "initdb", args, &out, &status, e) == -1)
		return -1;
	if (status != 0) {
		tail = db_pg_errors(out.s, 3, 400);
		err_set(e, "store-init", "initdb failed (exit %d) for %s: %s",
		    status, c->datadir, tail);
		free(tail);
		strbuf_free(&out);
		return -1;
	}
	strbuf_free(&out);
	if (cluster_write_conf(c, e) == -1)
		return -1;
	if (created != NULL)
		*created = 1;
	return 0;
}

/* The live postmaster's pid from postmaster.pid, or 0. */
static long
cluster_pid(const struct cluster *c)
{
	char	*path;
	FILE	*f;
	long	 pid = 0;

	path = xasprintf("%s/postmaster.pid", c->datadir);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 0)
		pid = 0;
	fclose(f);
	if (pid > 0 && kill((pid_t)pid, 0) == -1 && errno != EPERM)
		pid = 0;
	return pid;
}

/*
 * Running means our postmaster is alive and answers on our socket.  An
 * answer with no live postmaster.pid is some other server squatting on
 * the socket directory: say so rather than talk to it.
 */
static int
cluster_running(const struct cluster *c, struct err *e)
{
	char	*ci;
	PGPing	 p;

	ci = cluster_conninfo_db(c, "postgres");
	p = PQping(ci);
	free(ci);
	if (p != PQPING_OK && p != PQPING_REJECT)
		return 0;
	if (cluster_pid(c) > 0)
		return 1;
	err_set(e, "store-socket", "another PostgreSQL server is listening on "
	    "%s/.s.PGSQL.%d; this store's server is not running", c->sockdir,
	    DB_CLUSTER_PORT);
	return -1;
}

static long
cluster_log_size(const struct cluster *c)
{
	struct stat	st;

	return stat(c->logfile, &st) == 0 ? (long)st.st_size : 0;
}

/* What the server logged since offset: why a start failed. */
static char *
cluster_log_since(const struct cluster *c, long off)
{
	struct strbuf	 b;
	FILE		*f;
	char		 buf[4096], *tail;
	size_t		 n;
	long		 size;

	if ((f = fopen(c->logfile, "r")) == NULL)
		return xstrdup("");
	size = cluster_log_size(c);
	if (size - off > (long)sizeof buf)
		off = size - (long)sizeof buf;
	fseek(f, off, SEEK_SET);
	strbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&b, buf, n);
	fclose(f);
	tail = db_pg_errors(b.s, 3, 400);
	strbuf_free(&b);
	return tail;
}

static void
cluster_quiet(void *arg, const char *msg)
{
	log_debug("db", "%s", msg);
}

/* CREATE DATABASE phalanx unless it exists. */
static int
cluster_createdb(const struct cluster *c, struct err *e)
{
	const char	*params[1] = { DB_CLUSTER_DBNAME };
	const char	*state;
	char		*ci;
	PGconn		*conn;
	PGresult	*res;
	int		 rc = -1;

	ci = cluster_conninfo_db(c, "postgres");
	conn = PQconnectdb(ci);
	free(ci);
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(e, "store-unreachable", "cannot connect to the store "
		    "at %s: %s", c->sockdir, PQerrorMessage(conn));
		db_err_chomp(e);
		goto out;
	}
	PQsetNoticeProcessor(conn, cluster_quiet, NULL);
	res = PQexecParams(conn, "SELECT 1 FROM pg_database WHERE datname = $1",
	    1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		err_set(e, "store-init", "cannot list databases: %s",
		    PQresultErrorMessage(res));
		db_err_chomp(e);
		PQclear(res);
		goto out;
	}
	if (PQntuples(res) == 1) {
		PQclear(res);
		rc = 0;
		goto out;
	}
	PQclear(res);
	res = PQexec(conn, "CREATE DATABASE " DB_CLUSTER_DBNAME);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    (state != NULL && strcmp(state, "42P04") == 0))
		rc = 0;
	else {
		err_set(e, "store-init", "cannot create database %s: %s",
		    DB_CLUSTER_DBNAME, PQresultErrorMessage(res));
		db_err_chomp(e);
	}
	PQclear(res);
out:
	PQfinish(conn);
	return rc;
}

static int
cluster_start(const struct cluster *c, int *started, struct err *e)
{
	struct strbuf	 out;
	char		*log, *tail, *args[12];
	const char	*v, *what;
	long		 off;
	int		 status, n = 0;

	switch (cluster_running(c, e)) {
	case 1:
		return cluster_createdb(c, e);
	case -1:
		return -1;
	}
	if (cluster_mkrun(c, e) == -1)
		return -1;
	args[n++] = "-D";
	args[n++] = c->datadir;
	args[n++] = "-l";
	args[n++] = c->logfile;
	args[n++] = "-w";
	args[n++] = "-t";
	args[n++] = "60";
	args[n++] = "-s";
	if ((v = getenv("PHALANX_TEST_FSYNC_OFF")) != NULL &&
	    strcmp(v, "1") == 0) {
		args[n++] = "-o";
		args[n++] = "-c fsync=off -c synchronous_commit=off "
		    "-c full_page_writes=off";
	}
	args[n++] = "start";
	args[n] = NULL;
	off = cluster_log_size(c);
	if (cluster_run(c, "pg_ctl", args, &out, &status, e) == -1)
		return -1;
	if (status != 0) {
		log = cluster_log_since(c, off);
		tail = db_pg_tail(out.s, 2, 200);
		what = strstr(log, "already in use") != NULL ||
		    strstr(log, "lock file") != NULL ?
		    "socket or lock in use: " : "";
		err_set(e, "store-start", "PostgreSQL did not start (pg_ctl "
		    "exit %d): %s%s%s%s (log: %s)", status, what, log,
		    *log != '\0' && *tail != '\0' ? "; " : "", tail,
		    c->logfile);
		free(log);
		free(tail);
		strbuf_free(&out);
		return -1;
	}
	strbuf_free(&out);
	if (started != NULL)
		*started = 1;
	return cluster_createdb(c, e);
}

static int
cluster_stop(const struct cluster *c, int *stopped, struct err *e)
{
	char		*args[] = { "-D", c->datadir, "-w", "-t", "60", "-s",
			    "-m", "fast", "stop", NULL };
	struct strbuf	 out;
	char		*tail;
	int		 status;

	if (cluster_pid(c) == 0)
		return 0;
	if (cluster_run(c, "pg_ctl", args, &out, &status, e) == -1)
		return -1;
	if (status != 0) {
		tail = db_pg_errors(out.s, 3, 400);
		err_set(e, "store-stop", "pg_ctl stop failed (exit %d): %s",
		    status, tail);
		free(tail);
		strbuf_free(&out);
		return -1;
	}
	strbuf_free(&out);
	if (stopped != NULL)
		*stopped = 1;
	return 0;
}

static int
cluster_lock(const char *home, struct err *e)
{
	char	*path;
	int	 fd;

	if (path_mkdirs(home, 0700) == -1) {
		err_set(e, "store-layout", "cannot create %s: %s", home,
		    strerror(errno));
		return -1;
	}
	path = xasprintf("%s/.store.lock", home);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		err_set(e, "store-layout", "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			err_set(e, "store-layout", "cannot lock the store: %s",
			    strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/*
 * Find the store of home, making it if make is set (and PostgreSQL is
 * installed: no empty store for want of initdb); 1 found, 0 none.
 */
static int
cluster_open(struct cluster *c, const char *home, int make, struct err *e)
{
	char	*bindir;
	int	 found;

	if ((found = cluster_find(c, home, e)) != 0 || !make)
		return found;
	if ((bindir = db_pg_bindir(e)) == NULL)
		return -1;
	free(bindir);
	return cluster_make(c, e) == 0 ? 1 : -1;
}

static int
cluster_absent(const char *home, struct err *e)
{
	err_set(e, "store-absent", "no store in %s/store; run `phalanx db "
	    "init`", home);
	return -1;
}

/*
 * The operations that change the store share one shape: hold the lock,
 * find the store of home (making it if make is set), act on it, let go.
 * op gets cluster_open()'s answer as found.
 */
typedef int (*cluster_op)(struct cluster *, int found, void *arg,
    struct err *);

static int
cluster_locked(const char *home, int make, cluster_op op, void *arg,
    struct err *e)
{
	struct cluster	c;
	int		fd, rc;

	if ((fd = cluster_lock(home, e)) == -1)
		return -1;
	rc = op(&c, cluster_open(&c, home, make, e), arg, e);
	cluster_free(&c);
	close(fd);
	return rc;
}

static int
cluster_do_init(struct cluster *c, int found, void *created, struct err *e)
{
	return found == 1 ? cluster_initdb(c, created, e) : -1;
}

int
db_cluster_init(const char *home, int *created, struct err *e)
{
	if (created != NULL)
		*created = 0;
	return cluster_locked(home, 1, cluster_do_init, created, e);
}

static int
cluster_do_start(struct cluster *c, int found, void *started, struct err *e)
{
	if (found == 1 && cluster_initialised(c))
		return cluster_start(c, started, e);
	if (found != -1)
		cluster_absent(c->home, e);
	return -1;
}

int
db_cluster_start(const char *home, int *started, struct err *e)
{
	if (started != NULL)
		*started = 0;
	return cluster_locked(home, 0, cluster_do_start, started, e);
}

static int
cluster_do_stop(struct cluster *c, int found, void *stopped, struct err *e)
{
	if (found == 1)
		return cluster_initialised(c) ? cluster_stop(c, stopped, e) : 0;
	return found == 0 ? 0 : -1;
}

int
db_cluster_stop(const char *home, int *stopped, struct err *e)
{
	if (stopped != NULL)
		*stopped = 0;
	return cluster_locked(home, 0, cluster_do_stop, stopped, e);
}

int
db_cluster_status(const char *home, struct db_cluster_status *st,
    struct err *e)
{
	struct cluster	c;
	struct err	ignore;
	int		found;

	memset(st, 0, sizeof *st);
	st->state = DB_CLUSTER_ABSENT;
	if ((found = cluster_open(&c, home, 0, e)) == -1) {
		cluster_free(&c);
		return -1;
	}
	snprintf(st->runas, sizeof st->runas, "%s", c.user.name);
	if (found == 1 && cluster_initialised(&c)) {
		snprintf(st->datadir, sizeof st->datadir, "%s", c.datadir);
		snprintf(st->sockdir, sizeof st->sockdir, "%s", c.sockdir);
		st->state = DB_CLUSTER_STOPPED;
		if (cluster_running(&c, &ignore) == 1) {
			st->state = DB_CLUSTER_RUNNING;
			st->pid = cluster_pid(&c);
		}
	}
	cluster_free(&c);
	return 0;
}

char *
db_cluster_conninfo(const char *home, struct err *e)
{
	struct cluster	 c;
	char		*ci = NULL;
	int		 found;

	if ((found = cluster_open(&c, home, 0, e)) == 1)
		ci = cluster_conninfo_db(&c, DB_CLUSTER_DBNAME);
	else if (found == 0)
		cluster_absent(home, e);
	cluster_free(&c);
	return ci;
}

static int
cluster_do_ensure(struct cluster *c, int found, void *conninfo,
    struct err *e)
{
	if (found != 1 || cluster_initdb(c, NULL, e) != 0 ||
	    cluster_start(c, NULL, e) != 0)
		return -1;
	*(char **)conninfo = cluster_conninfo_db(c, DB_CLUSTER_DBNAME);
	return 0;
}

/*
 * Start on demand: whatever state the store is in, leave it initialised,
 * running and holding the phalanx database, and say how to connect.
 */
int
db_store_ensure(const char *home, char **conninfo, struct err *e)
{
	*conninfo = NULL;
	return cluster_locked(home, 1, cluster_do_ensure, conninfo, e);
}
