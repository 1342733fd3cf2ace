/*
 * Schema migrations (db/migrate.c, db/migrations): the compiled-in
 * list is well formed, bad lists are refused, and -- when PHALANX_TEST_DSN
 * names a server -- migrating twice applies everything once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <libpq-fe.h>

#include "db/db.h"

static void
test_order(void **state)
{
	struct err	e;

	err_clear(&e);
	assert_int_equal(db_migrations_check_order(&e), 0);
	assert_false(err_isset(&e));
	assert_true(db_nmigrations >= 4);
	assert_int_equal(db_migrations_latest(),
	    db_migrations[db_nmigrations - 1].version);
}

/* Names are what the file was called; SQL leaves transactions to us. */
static void
test_entries(void **state)
{
	const char	*p, *line;
	size_t		 i, n;

	for (i = 0; i < db_nmigrations; i++) {
		assert_non_null(db_migrations[i].name);
		assert_true(strlen(db_migrations[i].name) > 0);
		assert_int_equal(strspn(db_migrations[i].name,
		    "abcdefghijklmnopqrstuvwxyz0123456789_"),
		    strlen(db_migrations[i].name));
		assert_non_null(db_migrations[i].sql);
		p = db_migrations[i].sql;
		assert_true(p[strspn(p, " \t\r\n")] != '\0');
		for (line = p; line != NULL; line = strchr(line, '\n')) {
			line += *line == '\n';
			n = strspn(line, " \t");
			assert_true(strncmp(line + n, "BEGIN;", 6) != 0);
			assert_true(strncmp(line + n, "COMMIT", 6) != 0);
			assert_true(strncmp(line + n, "START TRANSACTION", 17)
			    != 0);
		}
	}
	assert_string_equal(db_migrations[0].name, "registry");
	assert_int_equal(db_migrations[0].version, 1);
}

static void
test_check_rejects(void **state)
{
	const struct db_migration	 descending[] = {
		{ 2, "b", "SELECT 1" }, { 1, "a", "SELECT 1" } };
	const struct db_migration	 duplicate[] = {
		{ 1, "a", "SELECT 1" }, { 1, "b", "SELECT 1" } };
	const struct db_migration	 zero[] = { { 0, "a", "SELECT 1" } };
	const struct db_migration	 empty[] = { { 1, "a", " \n" } };
	const struct db_migration	 noname[] = { { 1, "", "SELECT 1" } };
	const struct db_migration	 good[] = {
		{ 1, "a", "SELECT 1" }, { 3, "c", "SELECT 1" } };
	struct err			 e;

	err_clear(&e);
	assert_int_equal(db_migrations_check(descending, 2, &e), -1);
	assert_string_equal(e.code, "migrate-order");
	assert_non_null(strstr(e.msg, "ascending"));
	assert_int_equal(db_migrations_check(duplicate, 2, &e), -1);
	assert_int_equal(db_migrations_check(zero, 1, &e), -1);
	assert_int_equal(db_migrations_check(empty, 1, &e), -1);
	assert_int_equal(db_migrations_check(noname, 1, &e), -1);
	err_clear(&e);
	assert_int_equal(db_migrations_check(good, 2, &e), 0);
	assert_false(err_isset(&e));
	assert_int_equal(db_migrations_check(good, 0, &e), 0);
}

/* dsn with its dbname replaced, as a conninfo string. */
static char *
with_dbname(const char *dsn, const char *dbname)
{
	PQconninfoOption	*opts, *o;
	struct strbuf		 b;
	const char		*v, *s;

	opts = PQconninfoParse(dsn, NULL);
	assert_non_null(opts);
	strbuf_init(&b);
	for (o = opts; o->keyword != NULL; o++) {
		v = strcmp(o->keyword, "dbname") == 0 ? dbname : o->val;
		if (v == NULL)
			continue;
		strbuf_printf(&b, "%s%s='", b.len > 0 ? " " : "", o->keyword);
		for (s = v; *s != '\0'; s++) {
			if (*s == '\'' || *s == '\\')
				strbuf_putc(&b, '\\');
			strbuf_putc(&b, *s);
		}
		strbuf_putc(&b, '\'');
	}
	PQconninfoFree(opts);
	return strbuf_steal(&b);
}

static void
quiet(void *arg, const char *msg)
{
}

static void
admin(const char *dsn, const char *sql)
{
	PGconn		*conn;
	PGresult	*res;

	conn = PQconnectdb(dsn);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	PQsetNoticeProcessor(conn, quiet, NULL);
	res = PQexec(conn, sql);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(conn);
}

static int
count(const char *ci, const char *sql)
{
	PGconn		*conn;
	PGresult	*res;
	int		 n;

	conn = PQconnectdb(ci);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	res = PQexec(conn, sql);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(conn);
	return n;
}

/*
 * A fresh database on the test server, so nothing else interferes; NULL
 * (and the test skipped) without PHALANX_TEST_DSN.
 */
static char *
fresh_db(const char *tag)
{
	const char	*dsn;
	char		 sql[128];

	if ((dsn = getenv("PHALANX_TEST_DSN")) == NULL || *dsn == '\0')
		return NULL;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS t_%s_%ld", tag,
	    (long)getpid());
	admin(dsn, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE t_%s_%ld", tag,
	    (long)getpid());
	admin(dsn, sql);
	snprintf(sql, sizeof sql, "t_%s_%ld", tag, (long)getpid());
	return with_dbname(dsn, sql);
}

static void
drop_db(char *ci, const char *tag)
{
	char	sql[128];

	snprintf(sql, sizeof sql, "DROP DATABASE t_%s_%ld", tag,
	    (long)getpid());
	admin(getenv("PHALANX_TEST_DSN"), sql);
	free(ci);
}

static void
test_live(void **state)
{
	struct err	 e;
	char		*ci;
	int		 applied, version;

	if ((ci = fresh_db("migrate")) == NULL) {
		skip();
		return;
	}
	err_clear(&e);
	assert_int_equal(db_migrate_version(ci, &version, &e), 0);
	assert_int_equal(version, 0);
	assert_int_equal(db_migrate(ci, &applied, &e), 0);
	assert_int_equal(applied, (int)db_nmigrations);
	assert_int_equal(db_migrate(ci, &applied, &e), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(db_migrate_version(ci, &version, &e), 0);
	assert_int_equal(version, db_migrations_latest());
	assert_int_equal(count(ci, "SELECT count(*) FROM pg_tables "
	    "WHERE schemaname = 'public' AND tablename IN ('brokers', "
	    "'accounts', 'account_tags', 'credentials', 'instruments', "
	    "'strategies', 'fanouts', 'orders', 'order_events', 'fills', "
	    "'positions', 'audit_log', 'schema_migrations')"), 13);

	/* A schema from a newer phalanx is refused, not written to. */
	admin(ci, "INSERT INTO schema_migrations (version, name) "
	    "VALUES (99999, 'future')");
	assert_int_equal(db_migrate(ci, &applied, &e), -1);
	assert_string_equal(e.code, "migrate-newer");
	assert_int_equal(applied, 0);
	drop_db(ci, "migrate");
}

/*
 * A migration that fails halfway leaves nothing behind (its table, its
 * schema_migrations row), earlier ones stay, and the error names the
 * migration and the line.
 */
static void
test_broken(void **state)
{
	const struct db_migration	 m[] = {
		{ 1, "good", "CREATE TABLE t_good (x int);" },
		{ 2, "bad", "CREATE TABLE t_half (x int);\n"
		    "INSERT INTO t_half VALUES (1);\n"
		    "SELECT no_such_column FROM t_half;\n" },
	};
	struct err			 e;
	char				*ci;
	int				 applied;

	if ((ci = fresh_db("migrate_broken")) == NULL) {
		skip();
		return;
	}
	err_clear(&e);
	assert_int_equal(db_migrate_list(ci, m, 2, &applied, &e), -1);
	assert_int_equal(applied, 1);
	assert_string_equal(e.code, "migrate");
	assert_non_null(strstr(e.msg, "0002_bad"));
	assert_non_null(strstr(e.msg, "line 3"));
	assert_non_null(strstr(e.msg, "no_such_column"));
	assert_int_equal(count(ci, "SELECT count(*) FROM pg_tables "
	    "WHERE tablename = 't_half'"), 0);
	assert_int_equal(count(ci, "SELECT count(*) FROM pg_tables "
	    "WHERE tablename = 't_good'"), 1);
	assert_int_equal(count(ci, "SELECT count(*) FROM schema_migrations"),
	    1);
	drop_db(ci, "migrate_broken");
}

static void
test_unreachable(void **state)
{
	struct err	e;
	int		applied = -1;

	err_clear(&e);
	assert_int_equal(db_migrate("host=/nonexistent/phalanx dbname=x "
	    "connect_timeout=2", &applied, &e), -1);
	assert_int_equal(applied, 0);
	assert_string_equal(e.code, "store-unreachable");
	assert_true(strlen(e.msg) > 0);
	assert_true(e.msg[strlen(e.msg) - 1] != '\n');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
