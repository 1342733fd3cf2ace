/*
 * db: the store -- the private PostgreSQL cluster phalanx runs for itself,
 * schema migrations, and (store.h) the queries the engine makes.
 */
#ifndef PX_DB_H
#define PX_DB_H

#include <stddef.h>

#include "util/util.h"

/* Migrations, compiled in from db/migrations/NNNN_name.sql. */
struct db_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct db_migration db_migrations[];
extern const size_t db_nmigrations;

/*
 * migrate.c: apply db_migrations[] not yet recorded in schema_migrations,
 * in ascending version order, each in its own transaction, serialised by an
 * advisory lock.  Blocking libpq: call before the event loop runs.
 */
int	db_migrations_check(const struct db_migration *, size_t, struct err *);
int	db_migrations_check_order(struct err *);
int	db_migrations_latest(void);
int	db_migrate(const char *conninfo, int *applied, struct err *);
int	db_migrate_list(const char *conninfo, const struct db_migration *,
	    size_t, int *applied, struct err *);
/* Highest version recorded in the database (0 if none). */
int	db_migrate_version(const char *conninfo, int *version, struct err *);

/*
 * cluster.c: the private cluster under $PHALANX_HOME (home below).  Data
 * and socket live in home/store, or -- when the user the server runs as
 * cannot reach home (root's home is 0700) or the socket path would be too
 * long -- in /var/lib/phalanx/NAME-XXXXXX (root) or /tmp/phalanx-UID/...
 * with home/store a symlink to it.  Unix socket only, no TCP.  Setting
 * PHALANX_TEST_FSYNC_OFF=1 starts the server with fsync off (tests only).
 * PHALANX_PG_BINDIR overrides where initdb/pg_ctl/psql are looked for.
 * All of this blocks: call before the event loop runs.
 */
#define DB_CLUSTER_PORT		5432
#define DB_CLUSTER_USER		"phalanx"
#define DB_CLUSTER_DBNAME	"phalanx"

enum db_cluster_state {
	DB_CLUSTER_ABSENT,	/* never initialised */
	DB_CLUSTER_STOPPED,
	DB_CLUSTER_RUNNING
};

struct db_cluster_status {
	enum db_cluster_state	 state;
	long			 pid;		/* postmaster, if running */
	char			 datadir[1024];
	char			 sockdir[1024];
	char			 runas[64];	/* user the server runs as */
};

/* *created/started/stopped say whether anything was done (may be NULL). */
int	db_cluster_init(const char *home, int *created, struct err *);
int	db_cluster_start(const char *home, int *started, struct err *);
int	db_cluster_stop(const char *home, int *stopped, struct err *);
int	db_cluster_status(const char *home, struct db_cluster_status *,
	    struct err *);
/* Owned libpq conninfo for the cluster's phalanx database; NULL if absent. */
char	*db_cluster_conninfo(const char *home, struct err *);
/* Init if needed, start if stopped, create the database; owned conninfo. */
int	db_store_ensure(const char *home, char **conninfo, struct err *);

/*
 * dbcopy.c: pg_dump the store at src, pg_restore into the empty database
 * at dst, compare every table's rows, then write store.dsn = dst into
 * config_path.  dry_run only checks and lists; force copies even while
 * other sessions are connected to the source.  Blocking.
 */
int	db_copy_to(const char *src, const char *dst, int dry_run, int force,
	    const char *config_path, struct err *);

/*
 * dbcli.c: "phalanx db init|start|stop|status|migrate|psql [ARGS...]".
 * argv[0] is "db", argv[1] the subcommand.  Returns the process exit code
 * (0 ok, 1 error, 2 usage, 3 status: not running).  Uses PHALANX_DSN when
 * set, else the private cluster under path_phalanx_home().
 */
int	db_cli_main(int argc, char **argv);

#endif
