/*
 * Scaffolding of the benchmarks that talk to PostgreSQL themselves: a
 * throwaway database for the run, migrated, and statements that end the
 * run with the server's message when they fail.  Each benchmark is its
 * own program, so this is a header of static functions: define
 * BENCH_NAME (the program's name, for those messages) before including
 * it.
 */
#ifndef PX_BENCHDB_H
#define PX_BENCHDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"

static inline void
benchdb_quiet(void *arg, const char *msg)
{
}

static inline PGconn *
connect_or_die(const char *dsn)
{
	PGconn	*c = PQconnectdb(dsn);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s: %s", BENCH_NAME, PQerrorMessage(c));
		exit(1);
	}
	PQsetNoticeProcessor(c, benchdb_quiet, NULL);
	return c;
}

/* Its rows, for the caller to PQclear. */
static inline PGresult *
query_or_die(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "%s: %.120s: %s", BENCH_NAME, sql,
		    PQerrorMessage(c));
		exit(1);
	}
	return r;
}

static inline void
exec_or_die(PGconn *c, const char *sql)
{
	PQclear(query_or_die(c, sql));
}

/* DROP or CREATE the run's database b_NAME_PID on the server dsn is. */
static inline void
benchdb_ddl(const char *dsn, const char *verb, const char *name,
    const char *after)
{
	PGconn	*c = connect_or_die(dsn);
	char	 sql[160];

	snprintf(sql, sizeof sql, "%s b_%s_%ld%s", verb, name,
	    (long)getpid(), after);
	exec_or_die(c, sql);
	PQfinish(c);
}

/* A new, migrated database for this run: its conninfo (owned). */
static inline char *
benchdb_create(const char *dsn, const char *name)
{
	struct err	 e;
	char		*ci;
	int		 applied;

	benchdb_ddl(dsn, "DROP DATABASE IF EXISTS", name, "");
	benchdb_ddl(dsn, "CREATE DATABASE", name, "");
	ci = xasprintf("%s dbname=b_%s_%ld", dsn, name, (long)getpid());
	if (db_migrate(ci, &applied, &e) != 0) {
		fprintf(stderr, "%s: migrate: %s\n", BENCH_NAME, e.msg);
		exit(1);
	}
	return ci;
}

static inline void
benchdb_drop(const char *dsn, const char *name)
{
	benchdb_ddl(dsn, "DROP DATABASE", name, " WITH (FORCE)");
}

#endif
