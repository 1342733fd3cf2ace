/*
 * Scaffolding of the unit tests that run against a real PostgreSQL
 * server (PHALANX_TEST_DSN, which tests/run.sh starts): a throwaway,
 * migrated database per test, and statements that fail the test with
 * the server's message.  A header of static functions, like testlib.h:
 * include it after <cmocka.h>.
 */
#ifndef PX_TESTDB_H
#define PX_TESTDB_H

#include <stdio.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"

static inline void
testdb_quiet(void *arg, const char *msg)
{
}

/* One statement on a connection of its own to conninfo. */
static inline void
testdb_exec(const char *conninfo, const char *sql)
{
	PGconn		*c = PQconnectdb(conninfo);
	PGresult	*r;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, testdb_quiet, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A new database t_NAME_PID on dsn's server, migrated: its conninfo. */
static inline char *
testdb_create(const char *dsn, const char *name)
{
	struct err	 e;
	char		 sql[160], *ci;
	int		 applied;

	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS t_%s_%ld", name,
	    (long)getpid());
	testdb_exec(dsn, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE t_%s_%ld", name,
	    (long)getpid());
	testdb_exec(dsn, sql);
	ci = xasprintf("%s dbname=t_%s_%ld", dsn, name, (long)getpid());
	err_clear(&e);
	if (db_migrate(ci, &applied, &e) != 0)
		fail_msg("migrate: %s", e.msg);
	return ci;
}

static inline void
testdb_drop(const char *dsn, const char *name)
{
	char	sql[160];

	snprintf(sql, sizeof sql, "DROP DATABASE t_%s_%ld WITH (FORCE)", name,
	    (long)getpid());
	testdb_exec(dsn, sql);
}

#endif
