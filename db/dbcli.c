/*
 * "phalanx db ...": the store from the command line.  The store is the
 * server PHALANX_DSN names when that is set, else the private cluster under
 * $PHALANX_HOME; commands that manage a cluster refuse to touch a server
 * they do not own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/pgexec.h"

#define DBCLI_OK	0
#define DBCLI_ERROR	1
#define DBCLI_USAGE	2
#define DBCLI_DOWN	3

struct dbcli {
	const char	*dsn;		/* PHALANX_DSN, or NULL */
	char		*home;
};

struct dbcli_cmd {
	const char	*name;
	int		 passthru;	/* takes ARGS for another program */
	const char	*args;		/* its own arguments, for the usage line */
	int		(*fn)(struct dbcli *, int, char **);
	const char	*summary;
	const char	*help;
};

static int	dbcli_init(struct dbcli *, int, char **);
static int	dbcli_start(struct dbcli *, int, char **);
static int	dbcli_stop(struct dbcli *, int, char **);
static int	dbcli_status(struct dbcli *, int, char **);
static int	dbcli_migrate(struct dbcli *, int, char **);
static int	dbcli_psql(struct dbcli *, int, char **);
static int	dbcli_copy_to(struct dbcli *, int, char **);

static const struct dbcli_cmd dbcli_cmds[] = {
	{ "init", 0, NULL, dbcli_init, "create the private cluster",
	  "Create the private PostgreSQL cluster (initdb) under\n"
	  "$PHALANX_HOME/store if there is none; says so if there is.\n" },
	{ "start", 0, NULL, dbcli_start, "start the private cluster",
	  "Start the private cluster (creating it first if needed) and the\n"
	  "phalanx database in it.  Unix socket only; no TCP port is opened.\n"
	  "PHALANX_TEST_FSYNC_OFF=1 starts it with fsync off (tests only).\n" },
	{ "stop", 0, NULL, dbcli_stop, "stop the private cluster",
	  "Stop the private cluster (fast shutdown: sessions are ended).\n" },
	{ "status", 0, NULL, dbcli_status, "is the store up, is its schema current",
	  "Print whether the store is running, where its data and socket\n"
	  "are, and whether its schema is current.  Exit status 0 if it is\n"
	  "running, 3 if not.\n" },
	{ "migrate", 0, NULL, dbcli_migrate, "apply pending schema migrations",
	  "Start the store if needed and apply the schema migrations built\n"
	  "into this binary that it does not have yet, each in a transaction.\n"
	  "Refuses a store whose schema is newer than this binary.\n" },
	{ "psql", 1, NULL, dbcli_psql, "run psql on the store",
	  "Start the store if needed and run psql on it, passing ARGS\n"
	  "through (use -- before ARGS that start with --help).\n" },
	{ "copy-to", 0, " DSN [--dry-run] [--force]", dbcli_copy_to,
	  "move the store to another PostgreSQL server",
	  "Copy the whole store into the empty database DSN names (a managed\n"
	  "server, a staging box, a pg_auto_failover pair) with pg_dump and\n"
	  "pg_restore, check that every table holds the same number of rows,\n"
	  "then set store.dsn = DSN in the configuration file (the one\n"
	  "--config or PHALANX_CONFIG names, else ~/.config/phalanx/\n"
	  "phalanx.conf; mode 0600).  The source stays as it was.\n"
	  "  --dry-run  check both sides and list what would be copied\n"
	  "  --force    copy although other sessions are connected to the\n"
	  "             source (what they write after the dump is not copied)\n"
	  "Refuses a target that already has a phalanx schema or runs an\n"
	  "older PostgreSQL.  Put a password in ~/.pgpass, not in DSN.\n" },
};

static void
dbcli_usage(FILE *f)
{
	size_t	i;

	fputs("usage: phalanx db COMMAND [ARGS...]\n\n", f);
	for (i = 0; i < nitems(dbcli_cmds); i++)
		fprintf(f, "  %-8s %s\n", dbcli_cmds[i].name,
		    dbcli_cmds[i].summary);
	fputs("\nThe store is the server PHALANX_DSN names when it is set, "
	    "else a private\nPostgreSQL cluster under $PHALANX_HOME/store "
	    "(default\n~/.local/share/phalanx/store).  "
	    "`phalanx db COMMAND --help` for more.\n", f);
}

static void
dbcli_cmd_usage(const struct dbcli_cmd *c, FILE *f)
{
	fprintf(f, "usage: phalanx db %s%s\n\n%s", c->name,
	    c->args != NULL ? c->args : c->passthru ? " [--] [ARGS...]" : "",
	    c->help);
}

static int
dbcli_fail(const struct err *e)
{
	fprintf(stderr, "phalanx db: %s\n", e->msg);
	return DBCLI_ERROR;
}

static int
dbcli_external(struct dbcli *d, const char *what)
{
	if (d->dsn == NULL)
		return 0;
	printf("PHALANX_DSN is set: the store is that server, not a private "
	    "cluster; nothing to %s\n", what);
	return 1;
}

/* How to reach the store: PHALANX_DSN, or the private cluster, started. */
static char *
dbcli_conninfo(struct dbcli *d, struct err *e)
{
	char	*ci;

	if (d->dsn != NULL)
		return xstrdup(d->dsn);
	if (db_store_ensure(d->home, &ci, e) == -1)
		return NULL;
	return ci;
}

static int
dbcli_init(struct dbcli *d, int argc, char **argv)
{
	struct db_cluster_status	st;
	struct err			e;
	int				created;

	err_clear(&e);
	if (dbcli_external(d, "initialise"))
		return DBCLI_OK;
	if (db_cluster_init(d->home, &created, &e) == -1 ||
	    db_cluster_status(d->home, &st, &e) == -1)
		return dbcli_fail(&e);
	if (created)
		printf("initialised the store in %s (server user %s)\n",
		    st.datadir, st.runas);
	else
		printf("the store already exists in %s\n", st.datadir);
	return DBCLI_OK;
}

static int
dbcli_start(struct dbcli *d, int argc, char **argv)
{
	struct db_cluster_status	st;
	struct err			e;
	int				created, started;

	err_clear(&e);
	if (dbcli_external(d, "start"))
		return DBCLI_OK;
	if (db_cluster_init(d->home, &created, &e) == -1 ||
	    db_cluster_start(d->home, &started, &e) == -1 ||
	    db_cluster_status(d->home, &st, &e) == -1)
		return dbcli_fail(&e);
	if (created)
		printf("initialised the store in %s\n", st.datadir);
	if (started)
		printf("started the store (socket in %s)\n", st.sockdir);
	else
		printf("the store is already running (socket in %s)\n",
		    st.sockdir);
	return DBCLI_OK;
}

static int
dbcli_stop(struct dbcli *d, int argc, char **argv)
{
	struct err	e;
	int		stopped;

	err_clear(&e);
	if (dbcli_external(d, "stop"))
		return DBCLI_OK;
	if (db_cluster_stop(d->home, &stopped, &e) == -1)
		return dbcli_fail(&e);
	printf("%s\n", stopped ? "stopped the store" :
	    "the store is not running");
	return DBCLI_OK;
}

static void
dbcli_print_schema(const char *conninfo)
{
	struct err	e;
	int		v, latest;

	err_clear(&e);
	latest = db_migrations_latest();
	if (db_migrate_version(conninfo, &v, &e) == -1)
		printf("schema:     unknown (%s)\n", e.msg);
	else if (v == latest)
		printf("schema:     current (version %d)\n", v);
	else if (v < latest)
		printf("schema:     behind (version %d of %d; run `phalanx db "
		    "migrate`)\n", v, latest);
	else
		printf("schema:     newer than this phalanx (version %d; this "
		    "binary knows %d)\n", v, latest);
}

/* Describe a DSN without its password. */
static void
dbcli_print_dsn(const char *dsn)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;

	if ((opts = PQconninfoParse(dsn, &msg)) == NULL) {
		printf("dsn:        unparseable (%.*s)\n", msg != NULL ?
		    (int)strcspn(msg, "\n") : 1, msg != NULL ? msg : "?");
		PQfreemem(msg);
		return;
	}
	printf("dsn:        PHALANX_DSN");
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0 ||
		    strcmp(o->keyword, "port") == 0 ||
		    strcmp(o->keyword, "user") == 0 ||
		    strcmp(o->keyword, "dbname") == 0)
			printf(" %s=%s", o->keyword, o->val);
	}
	printf("\n");
	PQconninfoFree(opts);
}

static int
dbcli_status_dsn(struct dbcli *d)
{
	PGPing	p;

	p = PQping(d->dsn);
	printf("state:      %s\n", p == PQPING_OK ? "running" :
	    p == PQPING_REJECT ? "running (not accepting connections)" :
	    p == PQPING_NO_ATTEMPT ? "unknown (bad PHALANX_DSN)" :
	    "unreachable");
	dbcli_print_dsn(d->dsn);
	if (p != PQPING_OK)
		return DBCLI_DOWN;
	dbcli_print_schema(d->dsn);
	return DBCLI_OK;
}

static int
dbcli_status(struct dbcli *d, int argc, char **argv)
{
	struct db_cluster_status	 st;
	struct err			 e;
	char				*ci;

	err_clear(&e);
	if (d->dsn != NULL)
		return dbcli_status_dsn(d);
	if (db_cluster_status(d->home, &st, &e) == -1)
		return dbcli_fail(&e);
	if (st.state == DB_CLUSTER_ABSENT) {
		printf("state:      not initialised (run `phalanx db init`)\n"
		    "home:       %s\n", d->home);
		return DBCLI_DOWN;
	}
	if (st.state == DB_CLUSTER_RUNNING)
		printf("state:      running (pid %ld, server user %s)\n",
		    st.pid, st.runas);
	else
		printf("state:      stopped\n");
	printf("data dir:   %s\nsocket dir: %s\n", st.datadir, st.sockdir);
	if (st.state != DB_CLUSTER_RUNNING)
		return DBCLI_DOWN;
	if ((ci = db_cluster_conninfo(d->home, &e)) == NULL)
		return dbcli_fail(&e);
	dbcli_print_schema(ci);
	free(ci);
	return DBCLI_OK;
}

static int
dbcli_migrate(struct dbcli *d, int argc, char **argv)
{
	struct err	 e;
	char		*ci;
	int		 applied, v;

	err_clear(&e);
	if ((ci = dbcli_conninfo(d, &e)) == NULL)
		return dbcli_fail(&e);
	if (db_migrate(ci, &applied, &e) == -1 ||
	    db_migrate_version(ci, &v, &e) == -1) {
		free(ci);
		return dbcli_fail(&e);
	}
	free(ci);
	printf("applied %d migrations (schema version %d)\n", applied, v);
	return DBCLI_OK;
}

/*
 * Hand the connection to psql through its environment (PGHOST, PGPASSWORD,
 * ...) rather than its command line, where a DSN's password would show in
 * ps.
 */
static int
dbcli_psql_env(const char *conninfo, struct err *e)
{
	PQconninfoOption	*opts, *o;
	char			*msg = NULL;

	if ((opts = PQconninfoParse(conninfo, &msg)) == NULL) {
		err_set(e, "store-dsn", "bad connection string: %s",
		    msg != NULL ? msg : "?");
		db_err_chomp(e);
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val != NULL && o->envvar != NULL)
			setenv(o->envvar, o->val, 1);
	}
	PQconninfoFree(opts);
	return 0;
}

static int
dbcli_psql(struct dbcli *d, int argc, char **argv)
{
	struct err	 e;
	char		*ci, *psql, **av;
	int		 i;

	err_clear(&e);
	if ((ci = dbcli_conninfo(d, &e)) == NULL)
		return dbcli_fail(&e);
	if (dbcli_psql_env(ci, &e) == -1) {
		free(ci);
		return dbcli_fail(&e);
	}
	free(ci);
	if ((psql = db_pg_program("psql", &e)) == NULL)
		psql = xstrdup("psql");
	av = xcalloc((size_t)argc + 2, sizeof *av);
	av[0] = psql;
	for (i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	fflush(stdout);
	execvp(psql, av);
	err_set(&e, "pg-missing", "cannot run %s: %s", psql, strerror(errno));
	free(av);
	free(psql);
	return dbcli_fail(&e);
}

static int
dbcli_copy_to(struct dbcli *d, int argc, char **argv)
{
	struct err	 e;
	const char	*dst = NULL, *cfgpath;
	char		*ci, *def = NULL;
	int		 i, dry = 0, force = 0, rc;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (argv[i][0] == '-' || dst != NULL) {
			fprintf(stderr, "phalanx db copy-to: unexpected "
			    "argument: %s\n", argv[i]);
			return DBCLI_USAGE;
		} else
			dst = argv[i];
	}
	if (dst == NULL || *dst == '\0') {
		fprintf(stderr, "phalanx db copy-to: which server? give the "
		    "target's DSN\n");
		return DBCLI_USAGE;
	}
	err_clear(&e);
	if ((ci = dbcli_conninfo(d, &e)) == NULL)
		return dbcli_fail(&e);
	if ((cfgpath = getenv("PHALANX_CONFIG")) == NULL || *cfgpath == '\0')
		cfgpath = def = path_config_file();
	rc = db_copy_to(ci, dst, dry, force, cfgpath, &e);
	free(ci);
	free(def);
	return rc == 0 ? DBCLI_OK : dbcli_fail(&e);
}

static int
dbcli_is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 ||
	    strcmp(s, "help") == 0;
}

static int
dbcli_run(const struct dbcli_cmd *c, int argc, char **argv)
{
	struct dbcli	d;
	const char	*v;
	int		rc;

	if (argc > 0 && dbcli_is_help(argv[0])) {
		dbcli_cmd_usage(c, stdout);
		return DBCLI_OK;
	}
	if (c->passthru && argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	} else if (!c->passthru && c->args == NULL && argc > 0) {
		fprintf(stderr, "phalanx db %s: unexpected argument: %s\n",
		    c->name, argv[0]);
		dbcli_cmd_usage(c, stderr);
		return DBCLI_USAGE;
	}
	v = getenv("PHALANX_DSN");
	d.dsn = v != NULL && *v != '\0' ? v : NULL;
	d.home = path_phalanx_home();
	rc = c->fn(&d, argc, argv);
	free(d.home);
	return rc;
}

int
db_cli_main(int argc, char **argv)
{
	size_t	i;

	if (argc < 2) {
		dbcli_usage(stderr);
		return DBCLI_USAGE;
	}
	if (dbcli_is_help(argv[1])) {
		dbcli_usage(stdout);
		return DBCLI_OK;
	}
	for (i = 0; i < nitems(dbcli_cmds); i++) {
		if (strcmp(argv[1], dbcli_cmds[i].name) == 0)
			return dbcli_run(&dbcli_cmds[i], argc - 2, argv + 2);
	}
	fprintf(stderr, "phalanx db: unknown command: %s\n", argv[1]);
	dbcli_usage(stderr);
	return DBCLI_USAGE;
}
