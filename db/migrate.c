/*
 * Schema migrations.  Each db_migrations[] entry is applied once, in
 * ascending version order, inside its own transaction together with the
 * schema_migrations row that records it, so a failed migration leaves
 * nothing behind.  A session advisory lock serialises concurrent migrators
 * (a console and a daemon starting together).  Migration files must not
 * contain transaction control of their own.  Blocking libpq: this runs
 * before the event loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/pgexec.h"

/* pg_advisory_lock key: "phlxmigr" as a big-endian int64. */
#define MIGRATE_LOCK_KEY	"8099843194313336690"

static void
migrate_quiet(void *arg, const char *msg)
{
	log_debug("db", "%s", msg);
}

/* Versions strictly ascending and positive; names and SQL non-empty. */
int
db_migrations_check(const struct db_migration *m, size_t n, struct err *e)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (m[i].version <= 0) {
			err_set(e, "migrate-order", "migration %zu has version "
			    "%d; versions start at 1", i, m[i].version);
			return -1;
		}
		if (i > 0 && m[i].version <= m[i - 1].version) {
			err_set(e, "migrate-order", "migration %04d_%s does not "
			    "follow %04d_%s: versions must be strictly "
			    "ascending", m[i].version, m[i].name,
			    m[i - 1].version, m[i - 1].name);
			return -1;
		}
		if (m[i].name == NULL || *m[i].name == '\0' ||
		    m[i].sql == NULL || m[i].sql[strspn(m[i].sql,
		    " \t\r\n")] == '\0') {
			err_set(e, "migrate-order", "migration %d has an empty "
			    "name or no SQL", m[i].version);
			return -1;
		}
	}
	return 0;
}

int
db_migrations_check_order(struct err *e)
{
	return db_migrations_check(db_migrations, db_nmigrations, e);
}

int
db_migrations_latest(void)
{
	return db_nmigrations > 0 ? db_migrations[db_nmigrations - 1].version :
	    0;
}

static PGconn *
migrate_connect(const char *conninfo, struct err *e)
{
	PGconn	*conn;

	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		err_set(e, "store-unreachable", "cannot connect to the store: "
		    "%s", PQerrorMessage(conn));
		db_err_chomp(e);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, migrate_quiet, NULL);
	return conn;
}

/* Run a statement without parameters; -1 with the server's message. */
static int
migrate_exec(PGconn *conn, const char *sql, const char *what, struct err *e)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok) {
		err_set(e, "migrate", "%s: %s", what,
		    PQresultErrorMessage(res));
		db_err_chomp(e);
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* The line of sql that a 1-based character position falls on. */
static int
migrate_line(const char *sql, const char *pos)
{
	long	chars;
	int	line = 1;

	if (pos == NULL || (chars = strtol(pos, NULL, 10)) <= 0)
		return 0;
	for (; *sql != '\0' && chars > 1; sql++) {
		if ((*sql & 0xc0) != 0x80)
			chars--;
		if (*sql == '\n')
			line++;
	}
	return line;
}

/* Apply one migration and record it, all or nothing. */
static int
migrate_one(PGconn *conn, const struct db_migration *m, struct err *e)
{
	PGresult	*res;
	const char	*params[2];
	char		 version[16], where[32] = "";
	int		 line;

	if (migrate_exec(conn, "BEGIN", "BEGIN", e) == -1)
		return -1;
	res = PQexec(conn, m->sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		line = migrate_line(m->sql,
		    PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION));
		if (line > 0)
			snprintf(where, sizeof where, " at line %d", line);
		err_set(e, "migrate", "migration %04d_%s failed%s: %s",
		    m->version, m->name, where, PQresultErrorMessage(res));
		db_err_chomp(e);
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	PQclear(res);
	snprintf(version, sizeof version, "%d", m->version);
	params[0] = version;
	params[1] = m->name;
	res = PQexecParams(conn, "INSERT INTO schema_migrations "
	    "(version, name, applied_at) VALUES ($1, $2, now())",
	    2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		err_set(e, "migrate", "cannot record migration %04d_%s: %s",
		    m->version, m->name, PQresultErrorMessage(res));
		db_err_chomp(e);
		PQclear(res);
		PQclear(PQexec(conn, "ROLLBACK"));
		return -1;
	}
	PQclear(res);
	if (migrate_exec(conn, "COMMIT", "COMMIT", e) == -1)
		return -1;
	log_info("db", "applied migration %04d_%s", m->version, m->name);
	return 0;
}

static int
migrate_known(const struct db_migration *m, size_t nm, int version)
{
	size_t	i;

	for (i = 0; i < nm; i++) {
		if (m[i].version == version)
			return 1;
	}
	return 0;
}

/*
 * The recorded versions, ascending, into *out (owned; *n of them).  Refuses
 * a database that has versions this binary does not know: an older phalanx
 * must not write to a newer schema.
 */
static int
migrate_recorded(PGconn *conn, const struct db_migration *m, size_t nm,
    int **out, size_t *n, struct err *e)
{
	PGresult	*res;
	int		 i, v, *vs, latest;

	*out = NULL;
	*n = 0;
	res = PQexec(conn, "SELECT version FROM schema_migrations "
	    "ORDER BY version");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		err_set(e, "migrate", "cannot read schema_migrations: %s",
		    PQresultErrorMessage(res));
		db_err_chomp(e);
		PQclear(res);
		return -1;
	}
	latest = nm > 0 ? m[nm - 1].version : 0;
	vs = xcalloc((size_t)PQntuples(res) + 1, sizeof *vs);
	for (i = 0; i < PQntuples(res); i++) {
		v = atoi(PQgetvalue(res, i, 0));
		if (v > latest || !migrate_known(m, nm, v)) {
			err_set(e, "migrate-newer", "the store has schema "
			    "version %d, which this phalanx (schema version "
			    "%d) does not know; upgrade phalanx", v, latest);
			free(vs);
			PQclear(res);
			return -1;
		}
		vs[i] = v;
	}
	*n = (size_t)PQntuples(res);
	*out = vs;
	PQclear(res);
	return 0;
}

static int
migrate_has(const int *vs, size_t n, int version)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (vs[i] == version)
			return 1;
	}
	return 0;
}

static int
migrate_locked(PGconn *conn, const struct db_migration *m, size_t nm,
    int *applied, struct err *e)
{
	int	*vs;
	size_t	 n, i;

	if (migrate_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())",
	    "cannot create schema_migrations", e) == -1)
		return -1;
	if (migrate_recorded(conn, m, nm, &vs, &n, e) == -1)
		return -1;
	for (i = 0; i < nm; i++) {
		if (migrate_has(vs, n, m[i].version))
			continue;
		if (migrate_one(conn, &m[i], e) == -1) {
			free(vs);
			return -1;
		}
		(*applied)++;
	}
	free(vs);
	return 0;
}

/* db_migrate on any list; tests hand it lists of their own. */
int
db_migrate_list(const char *conninfo, const struct db_migration *m,
    size_t nm, int *applied, struct err *e)
{
	PGconn	*conn;
	int	 rc, n = 0;

	if (applied != NULL)
		*applied = 0;
	if (db_migrations_check(m, nm, e) == -1)
		return -1;
	if ((conn = migrate_connect(conninfo, e)) == NULL)
		return -1;
	if (migrate_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	    "cannot take the migration lock", e) == -1) {
		PQfinish(conn);
		return -1;
	}
	rc = migrate_locked(conn, m, nm, &n, e);
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY
	    ")"));
	PQfinish(conn);
	if (applied != NULL)
		*applied = n;
	return rc;
}

int
db_migrate(const char *conninfo, int *applied, struct err *e)
{
	return db_migrate_list(conninfo, db_migrations, db_nmigrations,
	    applied, e);
}

/* Highest recorded version; 0 before the first migration ever ran. */
static int
migrate_max(PGconn *conn, int *version, struct err *e)
{
	PGresult	*res;
	int		 absent;

	res = PQexec(conn, "SELECT to_regclass('schema_migrations') IS NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto fail;
	absent = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (absent)
		return 0;
	res = PQexec(conn, "SELECT coalesce(max(version), 0) "
	    "FROM schema_migrations");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto fail;
	*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;

fail:
	err_set(e, "migrate", "cannot read the schema version: %s",
	    PQresultErrorMessage(res));
	db_err_chomp(e);
	PQclear(res);
	return -1;
}

int
db_migrate_version(const char *conninfo, int *version, struct err *e)
{
	PGconn	*conn;
	int	 rc;

	*version = 0;
	if ((conn = migrate_connect(conninfo, e)) == NULL)
		return -1;
	rc = migrate_max(conn, version, e);
	PQfinish(conn);
	return rc;
}
