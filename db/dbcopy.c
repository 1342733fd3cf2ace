/*
 * "phalanx db copy-to DSN": move the store to another PostgreSQL server
 * (a managed one, a staging box, a failover pair) with PostgreSQL's own
 * tools: pg_dump -Fc from the current store, pg_restore into the target,
 * every table's row count compared, then the configuration file names the
 * target as store.dsn.  Refuses a target that already holds a phalanx
 * schema, and a source that other phalanx processes are writing to (what
 * they write after the dump would be lost), unless told --force.
 * Connection strings reach pg_dump and pg_restore through their
 * environment (PGHOST, PGPASSWORD...), never their command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/pgexec.h"

struct dbcopy_side {
	const char	*what;		/* "source", "target" */
	const char	*ci;
	PGconn		*conn;
	int		 version;	/* schema version, 0 if none */
	int		 server;	/* server_version_num */
};

static int
dbcopy_connect(struct dbcopy_side *s, struct err *e)
{
	s->conn = PQconnectdb(s->ci);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		err_set(e, "store-down", "cannot reach the %s: %s", s->what,
		    PQerrorMessage(s->conn));
		db_err_chomp(e);
		return -1;
	}
	s->server = PQserverVersion(s->conn);
	return 0;
}

/* One text value of a one-row query, or NULL (and e set) on error. */
static char *
dbcopy_value(struct dbcopy_side *s, const char *sql, struct err *e)
{
	PGresult	*res;
	char		*v = NULL;

	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		err_set(e, "store", "%s: %s", s->what,
		    PQresultErrorMessage(res));
		db_err_chomp(e);
	} else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = xstrdup(PQgetvalue(res, 0, 0));
	else
		v = xstrdup("");
	PQclear(res);
	return v;
}

static int
dbcopy_schema_version(struct dbcopy_side *s, struct err *e)
{
	char	*v;

	/* A server plans the whole statement: ask first, then read. */
	v = dbcopy_value(s, "SELECT to_regclass('schema_migrations') IS NOT "
	    "NULL", e);
	if (v == NULL)
		return -1;
	s->version = 0;
	if (strcmp(v, "t") == 0) {
		free(v);
		v = dbcopy_value(s, "SELECT coalesce(max(version), 0) FROM "
		    "schema_migrations", e);
		if (v == NULL)
			return -1;
		s->version = atoi(v);
	}
	free(v);
	return 0;
}

/* Other phalanx sessions on the source: they would write past the dump. */
static int
dbcopy_writers(struct dbcopy_side *s, struct err *e)
{
	char	*v;
	int	 n;

	v = dbcopy_value(s, "SELECT count(*) FROM pg_stat_activity WHERE "
	    "datname = current_database() AND pid <> pg_backend_pid() AND "
	    "backend_type = 'client backend'", e);
	if (v == NULL)
		return -1;
	n = atoi(v);
	free(v);
	return n;
}

/* "table rows" lines for every base table, in name order. */
static char *
dbcopy_counts(struct dbcopy_side *s, struct err *e)
{
	PGresult	*res, *cnt;
	struct strbuf	 b;
	char		*sql;
	int		 i;

	res = PQexec(s->conn, "SELECT quote_ident(c.relname) FROM pg_class c "
	    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
	    "n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT "
	    "c.relispartition ORDER BY 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		err_set(e, "store", "%s: %s", s->what,
		    PQresultErrorMessage(res));
		db_err_chomp(e);
		PQclear(res);
		return NULL;
	}
	strbuf_init(&b);
	for (i = 0; i < PQntuples(res); i++) {
		/* The name comes from the catalogue, quoted by the server. */
		sql = xasprintf("SELECT count(*) FROM %s",
		    PQgetvalue(res, i, 0));
		cnt = PQexec(s->conn, sql);
		free(sql);
		if (PQresultStatus(cnt) != PGRES_TUPLES_OK) {
			err_set(e, "store", "%s: counting %s: %s", s->what,
			    PQgetvalue(res, i, 0), PQresultErrorMessage(cnt));
			db_err_chomp(e);
			PQclear(cnt);
			PQclear(res);
			strbuf_free(&b);
			return NULL;
		}
		strbuf_printf(&b, "%s %s\n", PQgetvalue(res, i, 0),
		    PQgetvalue(cnt, 0, 0));
		PQclear(cnt);
	}
	PQclear(res);
	return strbuf_steal(&b);
}

/* Hands a conninfo to a child through PG* environment variables. */
static int
dbcopy_env(const char *conninfo)
{
	PQconninfoOption	*opts, *o;

	if ((opts = PQconninfoParse(conninfo, NULL)) == NULL)
		return -1;
	for (o = opts; o->keyword != NULL; o++)
		if (o->envvar != NULL) {
			if (o->val != NULL)
				setenv(o->envvar, o->val, 1);
			else
				unsetenv(o->envvar);
		}
	PQconninfoFree(opts);
	return 0;
}

/* Runs prog argv with conninfo in its environment; stderr to errfile. */
static int
dbcopy_run(const char *conninfo, char *const argv[], const char *errfile,
    struct err *e)
{
	pid_t	pid;
	int	status, fd;
	char	*tail;

	fflush(stdout);
	if ((pid = fork()) == -1) {
		err_set(e, "system", "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if ((fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600))
		    != -1) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		if (dbcopy_env(conninfo) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			err_set(e, "system", "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	tail = db_pg_tail(errfile, 6, 800);
	err_set(e, "copy", "%s failed (%s %d): %s", argv[0],
	    WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ?
	    WEXITSTATUS(status) : WTERMSIG(status),
	    tail != NULL && *tail != '\0' ? tail : "no message");
	free(tail);
	db_err_chomp(e);
	return -1;
}

/* A config value in double quotes, with the escapes config_load reads. */
static void
dbcopy_quote(struct strbuf *b, const char *s)
{
	strbuf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(b, '\\');
		strbuf_putc(b, *s);
	}
	strbuf_putc(b, '"');
}

static int
dbcopy_is_dsn_line(const char *line, const char *section)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (section == NULL || *section == '\0')
		return strncmp(line, "store.dsn", 9) == 0 &&
		    strchr(" \t=", line[9]) != NULL;
	return strcmp(section, "store") == 0 && strncmp(line, "dsn", 3) == 0 &&
	    strchr(" \t=", line[3]) != NULL;
}

/*
 * Rewrites the configuration file with store.dsn = target at the top (so
 * no section captures it) and any earlier store.dsn left out.  Atomic:
 * a temporary file renamed over the old one, mode 0600 (a DSN may hold
 * a password).
 */
static int
dbcopy_write_config(const char *path, const char *dsn, struct err *e)
{
	FILE		*in, *out;
	struct strbuf	 b;
	char		*line = NULL, *tmp, section[64] = "", *p;
	size_t		 cap = 0;
	int		 fd;

	strbuf_init(&b);
	strbuf_puts(&b, "# Set by `phalanx db copy-to`.\nstore.dsn = ");
	dbcopy_quote(&b, dsn);
	strbuf_putc(&b, '\n');
	if ((in = fopen(path, "r")) != NULL) {
		while (getline(&line, &cap, in) != -1) {
			for (p = line; *p == ' ' || *p == '\t'; p++)
				;
			if (*p == '[' && strchr(p, ']') != NULL) {
				snprintf(section, sizeof section, "%.*s",
				    (int)(strchr(p, ']') - p - 1), p + 1);
			} else if (dbcopy_is_dsn_line(p, section))
				continue;
			strbuf_puts(&b, line);
		}
		fclose(in);
		free(line);
	} else if (errno != ENOENT) {
		err_set(e, "config", "cannot read %s: %s", path,
		    strerror(errno));
		strbuf_free(&b);
		return -1;
	}
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (out = fdopen(fd, "w")) == NULL) {
		err_set(e, "config", "cannot write %s: %s", tmp,
		    strerror(errno));
		free(tmp);
		strbuf_free(&b);
		return -1;
	}
	if (fputs(b.s, out) == EOF || fflush(out) != 0 || fsync(fd) != 0 ||
	    fclose(out) != 0 || rename(tmp, path) != 0) {
		err_set(e, "config", "cannot write %s: %s", path,
		    strerror(errno));
		unlink(tmp);
		free(tmp);
		strbuf_free(&b);
		return -1;
	}
	free(tmp);
	strbuf_free(&b);
	return 0;
}

/* "dbname=NAME" for pg_restore -d: the DSN's database, else its user's. */
static char *
dbcopy_dbname_arg(const char *conninfo)
{
	PQconninfoOption	*opts, *o;
	const char		*db = NULL, *user = NULL;
	struct strbuf		 b;
	char			*r;

	opts = PQconninfoParse(conninfo, NULL);
	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
		else if (strcmp(o->keyword, "user") == 0)
			user = o->val;
	}
	if (db == NULL)
		db = user != NULL ? user : getenv("USER");
	strbuf_init(&b);
	strbuf_puts(&b, "dbname='");
	for (; db != NULL && *db != '\0'; db++) {
		if (*db == '\'' || *db == '\\')
			strbuf_putc(&b, '\\');
		strbuf_putc(&b, *db);
	}
	strbuf_putc(&b, '\'');
	r = strbuf_steal(&b);
	PQconninfoFree(opts);
	return r;
}

static int
dbcopy_check(struct dbcopy_side *src, struct dbcopy_side *dst, int force,
    struct err *e)
{
	int	writers;

	if (dbcopy_connect(src, e) == -1 || dbcopy_connect(dst, e) == -1 ||
	    dbcopy_schema_version(src, e) == -1 ||
	    dbcopy_schema_version(dst, e) == -1)
		return -1;
	if (src->version == 0) {
		err_set(e, "copy", "the source store has no phalanx schema: "
		    "nothing to copy");
		return -1;
	}
	if (dst->version != 0) {
		err_set(e, "copy", "the target already holds a phalanx schema "
		    "(version %d): copy-to only fills an empty database",
		    dst->version);
		return -1;
	}
	if (dst->server / 10000 < src->server / 10000) {
		err_set(e, "copy", "the target runs PostgreSQL %d, older than "
		    "the source's %d: pg_restore cannot go back",
		    dst->server / 10000, src->server / 10000);
		return -1;
	}
	if ((writers = dbcopy_writers(src, e)) == -1)
		return -1;
	if (writers > 0 && !force) {
		err_set(e, "copy", "%d other session%s connected to the source "
		    "store (a console or `phalanx serve`?): what they write "
		    "after the dump would be lost; stop them, or --force",
		    writers, writers == 1 ? " is" : "s are");
		return -1;
	}
	return 0;
}

static char *
dbcopy_program(const char *name, struct err *e)
{
	char	*p;

	if ((p = db_pg_program(name, e)) == NULL)
		return NULL;
	if (access(p, X_OK) != 0) {
		err_set(e, "pg-missing", "cannot run %s: %s", p,
		    strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

static int
dbcopy_transfer(struct dbcopy_side *src, struct dbcopy_side *dst,
    const char *workdir, struct err *e)
{
	char	*dump, *restore, *file, *errf, *dbarg = NULL;
	int	 rc = -1;

	if ((dump = dbcopy_program("pg_dump", e)) == NULL)
		return -1;
	if ((restore = dbcopy_program("pg_restore", e)) == NULL) {
		free(dump);
		return -1;
	}
	file = xasprintf("%s/phalanx-copy.dump", workdir);
	errf = xasprintf("%s/phalanx-copy.err", workdir);
	/*
	 * Host, port, user, password and the rest reach each child through
	 * its environment; pg_restore's -d names only the database, so a
	 * password in the DSN never shows in ps.
	 */
	dbarg = dbcopy_dbname_arg(dst->ci);
	{
		char *const dargv[] = { dump, "-Fc", "--no-owner",
		    "--no-privileges", "-f", file, NULL };
		char *const rargv[] = { restore, "--no-owner",
		    "--no-privileges", "--exit-on-error", "--single-transaction",
		    "-d", dbarg, file, NULL };

		printf("dumping the source with %s\n", dump);
		if (dbcopy_run(src->ci, dargv, errf, e) == -1)
			goto out;
		printf("restoring into the target with %s\n", restore);
		if (dbcopy_run(dst->ci, rargv, errf, e) == -1)
			goto out;
	}
	rc = 0;
out:
	unlink(file);
	unlink(errf);
	free(dbarg);
	free(file);
	free(errf);
	free(dump);
	free(restore);
	return rc;
}

int
db_copy_to(const char *src_ci, const char *dst_ci, int dry_run, int force,
    const char *config_path, struct err *e)
{
	struct dbcopy_side	 src = { "source", src_ci, NULL, 0, 0 };
	struct dbcopy_side	 dst = { "target", dst_ci, NULL, 0, 0 };
	char			*before = NULL, *after = NULL, *dir = NULL;
	char			 tmpl[] = "/tmp/phalanx-copy-XXXXXX";
	int			 rc = -1;

	if (dbcopy_check(&src, &dst, force, e) == -1)
		goto out;
	if ((before = dbcopy_counts(&src, e)) == NULL)
		goto out;
	printf("source: schema version %d, PostgreSQL %d\n", src.version,
	    src.server / 10000);
	printf("target: empty, PostgreSQL %d\n", dst.server / 10000);
	printf("tables and rows to copy:\n%s", before);
	if (dry_run) {
		printf("dry run: nothing copied; %s would then name the target "
		    "as store.dsn\n", config_path);
		rc = 0;
		goto out;
	}
	if ((dir = mkdtemp(tmpl)) == NULL) {
		err_set(e, "system", "mkdtemp: %s", strerror(errno));
		goto out;
	}
	if (dbcopy_transfer(&src, &dst, dir, e) == -1)
		goto out;
	if ((after = dbcopy_counts(&dst, e)) == NULL)
		goto out;
	if (strcmp(before, after) != 0) {
		err_set(e, "copy", "row counts differ after the restore; the "
		    "configuration is unchanged.  source:\n%starget:\n%s",
		    before, after);
		goto out;
	}
	if (dbcopy_write_config(config_path, dst_ci, e) == -1)
		goto out;
	printf("copied: every table's rows match; %s now names the target as "
	    "store.dsn\n", config_path);
	rc = 0;
out:
	if (dir != NULL)
		rmdir(dir);
	free(before);
	free(after);
	if (src.conn != NULL)
		PQfinish(src.conn);
	if (dst.conn != NULL)
		PQfinish(dst.conn);
	return rc;
}
