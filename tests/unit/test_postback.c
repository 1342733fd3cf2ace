/*
 * The postback receiver (src/exec/postback.c) over real HTTP and a real
 * store: a good postback is 200 and an order event, a forged one 403, a
 * repeat is dropped (also by a new receiver: after a restart), garbage is
 * 400, a wrong content type 400, a big body 413; a report that would move
 * a filled order backwards is not recorded without the broker's word, and
 * with no store and no cached secret the answer is 503.  Skipped without
 * PHALANX_TEST_DSN.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "broker/broker_lib.h"
#include "broker/kite.h"
#include "db/db.h"
#include "db/store.h"
#include "exec/postback.h"
#include "net/net.h"
#include "util/secret.h"

#define SECRET		"pb-test-secret"
#define ORDER_ID	"220303000308932"
#define ORDER_TS	"2022-03-03 09:24:25"
#define ORDER_ID2	"220303000308933"
#define ORDER_ID3	"220303000308934"

static char			*ci;
static char			 dbname[64];
static char			 home[256];
static struct http_server	*srv;
static struct store		*st;
static struct postback		*pb;
static struct http_client	*hc;
static char			 url[128];
static int			 hooks;
static char			 hook_account[64];

struct answer {
	int	n;
	long	status;
	char	body[512];
};

static void
quiet(void *arg, const char *msg)
{
}

static PGresult *
exec_sql(const char *conninfo, const char *sql, int n, const char **p)
{
	PGconn		*conn;
	PGresult	*res;

	conn = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	PQsetNoticeProcessor(conn, quiet, NULL);
	res = PQexecParams(conn, sql, n, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	PQfinish(conn);
	return res;
}

static void
admin(const char *conninfo, const char *sql)
{
	PQclear(exec_sql(conninfo, sql, 0, NULL));
}

static int
events(void)
{
	PGresult	*res;
	int		 n;

	res = exec_sql(ci, "SELECT count(*) FROM order_events", 0, NULL);
	n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

/* dsn with dbname replaced (keyword=value conninfo only). */
static char *
with_dbname(const char *dsn, const char *db)
{
	PQconninfoOption	*opts, *o;
	struct strbuf		 b;

	opts = PQconninfoParse(dsn, NULL);
	assert_non_null(opts);
	strbuf_init(&b);
	for (o = opts; o->keyword != NULL; o++) {
		const char *v = strcmp(o->keyword, "dbname") == 0 ? db : o->val;

		if (v != NULL)
			strbuf_printf(&b, "%s%s='%s'", b.len ? " " : "",
			    o->keyword, v);
	}
	PQconninfoFree(opts);
	return strbuf_steal(&b);
}

static void
hook(const struct postback_applied *a, void *arg)
{
	hooks++;
	snprintf(hook_account, sizeof hook_account, "%s", a->account);
	assert_true(a->order->order_id[0] != '\0');
	assert_true(a->order_id > 0);
}

/* A fresh database with one kite broker, one account and one order. */
static int
group_setup(void **state)
{
	const char	*dsn = getenv("PHALANX_TEST_DSN");
	const char	*p[1];
	char		 sql[128], *enc = NULL;
	struct err	 e;
	int		 applied;

	if (dsn == NULL || *dsn == '\0')
		return 0;
	setenv("PHALANX_MASTER_KEY", "00000000000000000000000000000000"
	    "00000000000000000000000000000002", 1);
	snprintf(home, sizeof home, "%s/pbhome.%ld", getenv("TMPDIR") ?
	    getenv("TMPDIR") : "/tmp", (long)getpid());
	snprintf(dbname, sizeof dbname, "t_postback_%ld", (long)getpid());
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
	admin(dsn, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
	admin(dsn, sql);
	ci = with_dbname(dsn, dbname);
	err_clear(&e);
	if (db_migrate(ci, &applied, &e) != 0)
		fail_msg("migrate: %s", e.msg);
	if (secret_encrypt(home, SECRET, &enc, &e) != 0)
		fail_msg("encrypt: %s", e.msg);
	admin(ci, "INSERT INTO brokers (name, kind, url, api_key) VALUES "
	    "('kz', 'kite', 'http://127.0.0.1:1', 'key')");
	p[0] = enc;
	PQclear(exec_sql(ci, "INSERT INTO credentials (broker_id, kind, "
	    "ciphertext) SELECT id, 'api_secret', $1 FROM brokers", 1, p));
	free(enc);
	/* The broker url answers nothing: its order book cannot be asked. */
	if (secret_encrypt(home, "pb-token", &enc, &e) != 0)
		fail_msg("encrypt: %s", e.msg);
	p[0] = enc;
	PQclear(exec_sql(ci, "INSERT INTO credentials (broker_id, kind, "
	    "ciphertext) SELECT id, 'access_token', $1 FROM brokers", 1, p));
	free(enc);
	admin(ci, "INSERT INTO accounts (name, broker_id, user_id) SELECT "
	    "'pb1', id, 'AB1234' FROM brokers");
	admin(ci, "INSERT INTO orders (account_id, client_tag, "
	    "broker_order_id, state, side, symbol, exchange, product, "
	    "order_type, qty) SELECT id, 'pbtag1', '" ORDER_ID "', 'OPEN', "
	    "'BUY', 'SBIN', 'NSE', 'CNC', 'MARKET', 1 FROM accounts");
	admin(ci, "INSERT INTO orders (account_id, client_tag, "
	    "broker_order_id, state, side, symbol, exchange, product, "
	    "order_type, qty) SELECT id, 'pbtag2', '" ORDER_ID2 "', 'OPEN', "
	    "'BUY', 'SBIN', 'NSE', 'CNC', 'MARKET', 1 FROM accounts");
	admin(ci, "INSERT INTO orders (account_id, client_tag, "
	    "broker_order_id, state, side, symbol, exchange, product, "
	    "order_type, qty, filled_qty, avg_price) SELECT id, 'pbtag3', '"
	    ORDER_ID3 "', 'FILLED', 'BUY', 'SBIN', 'NSE', 'CNC', 'MARKET', 1, "
	    "1, 100 FROM accounts");
	return 0;
}

static int
group_teardown(void **state)
{
	char	sql[128];

	if (ci == NULL)
		return 0;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
	admin(getenv("PHALANX_TEST_DSN"), sql);
	free(ci);
	return 0;
}

static struct postback *
receiver(struct store *s)
{
	struct postback_opts	o;

	memset(&o, 0, sizeof o);
	o.store = s;
	o.home = home;
	o.queue_max = 16;
	o.hook = hook;
	return postback_new(srv, &o);
}

static int
setup(void **state)
{
	struct err	e;

	if (ci == NULL)
		return 0;
	st = store_open(loop_base(), ci, NULL);
	srv = http_server_new(loop_base(), "127.0.0.1:0", 1 << 20, &e);
	assert_non_null(srv);
	pb = receiver(st);
	hc = http_client_new(loop_base());
	snprintf(url, sizeof url, "http://127.0.0.1:%d/postback/kite",
	    http_server_port(srv));
	hooks = 0;
	return 0;
}

static int
teardown(void **state)
{
	if (ci == NULL)
		return 0;
	http_client_free(hc);
	postback_free(pb);
	http_server_free(srv);
	store_close(st);
	loop_free();
	return 0;
}

static void
on_answer(const struct http_response *r, void *arg)
{
	struct answer	*a = arg;

	a->n++;
	a->status = r->status;
	snprintf(a->body, sizeof a->body, "%s", r->body);
	loop_exit();
}

static struct answer
post_as(const char *method, const char *ctype, const char *body)
{
	struct answer	 a;
	char		 ct[128];
	const char	*h[] = { ct, NULL };

	snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
	memset(&a, 0, sizeof a);
	http_request(hc, method, url, h, body, body != NULL ? strlen(body) : 0,
	    5000, on_answer, &a);
	loop_run();
	assert_int_equal(a.n, 1);
	return a;
}

static struct answer
post(const char *method, const char *body)
{
	return post_as(method, "application/json", body);
}

static char *postback_body(const char *secret, const char *user,
    const char *status, int filled);

/* The fixture body for another order id, signed with SECRET. */
static char *
order_body(const char *order_id, const char *status, int filled,
    const char *avg)
{
	char	*body, hex[65];
	json_t	*j;

	body = postback_body(SECRET, NULL, status, filled);
	j = json_loads(body, 0, NULL);
	free(body);
	kite_postback_checksum(order_id, ORDER_TS, SECRET, hex);
	json_object_set_new(j, "order_id", json_string(order_id));
	json_object_set_new(j, "checksum", json_string(hex));
	if (avg != NULL)
		json_object_set_new(j, "average_price", json_real(atof(avg)));
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return body;
}

static char *
order_state(const char *order_id)
{
	const char	*p[1] = { order_id };
	PGresult	*res;
	char		*s;

	res = exec_sql(ci, "SELECT state || ' ' || filled_qty FROM orders "
	    "WHERE broker_order_id = $1", 1, p);
	s = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return s;
}

/* The fixture body, signed with secret (NULL: keep its checksum). */
static char *
postback_body(const char *secret, const char *user, const char *status,
    int filled)
{
	char	 path[512], hex[65], *s;
	json_t	*j;

	snprintf(path, sizeof path, "%s/tests/fixtures/kite-mocks/"
	    "postback.json", PX_SRCDIR);
	j = json_load_file(path, 0, NULL);
	if (j == NULL)
		fail_msg("cannot read fixture %s", path);
	assert_non_null(j);
	if (secret != NULL) {
		kite_postback_checksum(ORDER_ID, ORDER_TS, secret, hex);
		json_object_set_new(j, "checksum", json_string(hex));
	}
	if (user != NULL)
		json_object_set_new(j, "user_id", json_string(user));
	if (status != NULL)
		json_object_set_new(j, "status", json_string(status));
	if (filled >= 0) {
		json_object_set_new(j, "filled_quantity", json_integer(filled));
		json_object_set_new(j, "pending_quantity",
		    json_integer(1 - filled));
	}
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void
need_db(void)
{
	if (ci == NULL)
		skip();
}

/* Good, then the same again, then the next status of the same order. */
static void
test_valid_and_duplicate(void **state)
{
	struct answer	 a;
	char		*body;
	int		 before;

	need_db();
	before = events();
	body = postback_body(SECRET, NULL, "OPEN", 0);
	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "1 event recorded"));
	assert_int_equal(events(), before + 1);
	assert_int_equal(hooks, 1);
	assert_string_equal(hook_account, "pb1");

	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "duplicate"));
	assert_int_equal(events(), before + 1);
	assert_int_equal(hooks, 1);
	free(body);

	body = postback_body(SECRET, NULL, "COMPLETE", 1);
	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_int_equal(events(), before + 2);
	free(body);
	{
		PGresult *res = exec_sql(ci, "SELECT state, broker_status, "
		    "filled_qty FROM order_events ORDER BY ts DESC, id DESC "
		    "LIMIT 1", 0, NULL);

		assert_string_equal(PQgetvalue(res, 0, 0), "FILLED");
		assert_string_equal(PQgetvalue(res, 0, 1), "COMPLETE");
		assert_string_equal(PQgetvalue(res, 0, 2), "1");
		PQclear(res);
	}
}

/* Signed with another secret, or for a user nobody has: 403. */
static void
test_forged_and_unknown(void **state)
{
	struct answer	 a;
	char		*body;
	int		 before;

	need_db();
	before = events();
	body = postback_body("not-the-secret", NULL, "CANCELLED", 0);
	a = post("POST", body);
	assert_int_equal(a.status, 403);
	assert_non_null(strstr(a.body, "checksum"));
	free(body);
	body = postback_body(SECRET, "ZZ9999", NULL, -1);
	a = post("POST", body);
	assert_int_equal(a.status, 403);
	assert_non_null(strstr(a.body, "unknown user"));
	free(body);
	assert_int_equal(events(), before);
	assert_int_equal(hooks, 0);
}

/* Malformed bodies: 400, and a clear message; wrong method 405. */
static void
test_garbage(void **state)
{
	struct answer	a;
	int		before;

	need_db();
	before = events();
	a = post("POST", "\x01garbage{");
	assert_int_equal(a.status, 400);
	a = post("POST", "[1,2,3]");
	assert_int_equal(a.status, 400);
	a = post("POST", "{\"user_id\":\"AB1234\",\"order_id\":5}");
	assert_int_equal(a.status, 400);
	a = post("POST", "{\"user_id\":\"AB1234\",\"order_id\":\"" ORDER_ID
	    "\",\"order_timestamp\":\"" ORDER_TS "\",\"checksum\":\"abc\"}");
	assert_int_equal(a.status, 403);
	a = post("POST", "");
	assert_int_equal(a.status, 400);
	a = post("GET", NULL);
	assert_int_equal(a.status, 405);
	assert_int_equal(events(), before);
}

/* Verified but not phalanx's order: accepted, nothing recorded. */
static void
test_foreign_order(void **state)
{
	struct answer	 a;
	char		*body, *p;
	int		 before;

	need_db();
	before = events();
	body = postback_body(SECRET, NULL, "REJECTED", 0);
	/* same id length, different id: re-sign for it */
	{
		json_t	*j = json_loads(body, 0, NULL);
		char	 hex[65];

		kite_postback_checksum("999", ORDER_TS, SECRET, hex);
		json_object_set_new(j, "order_id", json_string("999"));
		json_object_set_new(j, "checksum", json_string(hex));
		free(body);
		body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_non_null(p = strstr(a.body, "0 events recorded"));
	assert_int_equal(events(), before);
	free(body);
}

/*
 * A filled order reported CANCELLED with a valid checksum (the checksum
 * covers only order id and time: an edited replay).  Its broker cannot be
 * asked here, so nothing is recorded and the answer is 503: the book
 * decides, never the postback.  Lower fills and another average price on
 * the same fill are contradictions too.
 */
static void
test_edited_replay(void **state)
{
	struct answer	 a;
	char		*body, *s;
	int		 before;

	need_db();
	before = events();
	body = order_body(ORDER_ID3, "CANCELLED", 0, NULL);
	a = post("POST", body);
	assert_int_equal(a.status, 503);
	assert_non_null(strstr(a.body, "order book"));
	free(body);
	body = order_body(ORDER_ID3, "OPEN", 0, NULL);
	a = post("POST", body);
	assert_int_equal(a.status, 503);
	free(body);
	body = order_body(ORDER_ID3, "COMPLETE", 1, "123.45");
	a = post("POST", body);
	assert_int_equal(a.status, 503);
	free(body);
	assert_int_equal(events(), before);
	assert_int_equal(hooks, 0);
	s = order_state(ORDER_ID3);
	assert_string_equal(s, "FILLED 1");
	free(s);
	/* What the order already says: accepted, nothing new recorded. */
	body = order_body(ORDER_ID3, "COMPLETE", 1, "100");
	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "0 events recorded"));
	free(body);
	assert_int_equal(events(), before);
}

/* A postback moves its order forward, and a new receiver (a restart)
 * still knows the ones already seen. */
static void
test_dedupe_survives_restart(void **state)
{
	struct answer	 a;
	char		*body, *s;
	int		 before;

	need_db();
	before = events();
	body = order_body(ORDER_ID2, "OPEN", 0, NULL);
	a = post("POST", body);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "1 event recorded"));
	free(body);
	postback_free(pb);
	pb = receiver(st);
	a = post("POST", body = order_body(ORDER_ID2, "OPEN", 0, NULL));
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "duplicate"));
	free(body);
	assert_int_equal(events(), before + 1);
	a = post("POST", body = order_body(ORDER_ID2, "COMPLETE", 1, NULL));
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "1 event recorded"));
	free(body);
	s = order_state(ORDER_ID2);
	assert_string_equal(s, "FILLED 1");
	free(s);
	assert_int_equal(events(), before + 2);
}

/* Content type, size and shape are checked before anything else. */
static void
test_body_checks(void **state)
{
	struct answer	 a;
	char		*big, *body;
	int		 before;

	need_db();
	before = events();
	body = order_body(ORDER_ID, "OPEN", 0, NULL);
	a = post_as("POST", "text/plain", body);
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "Content-Type"));
	a = post_as("POST", "application/x-www-form-urlencoded", body);
	assert_int_equal(a.status, 400);
	free(body);
	a = post_as("POST", "Application/JSON; charset=utf-8", "{\"x\":");
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "not JSON"));
	a = post("POST", "{\"user_id\":\"AB1234\"}");
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "order_id: missing"));
	big = malloc(POSTBACK_MAX_BODY + 2);
	memset(big, ' ', POSTBACK_MAX_BODY + 1);
	big[POSTBACK_MAX_BODY + 1] = '\0';
	a = post("POST", big);
	assert_int_equal(a.status, 413);
	free(big);
	assert_int_equal(events(), before);
}

/*
 * A store that cannot be reached and no secret cached: the postback
 * cannot be checked, and is answered 503 at once rather than queued.
 */
static void
test_store_unreachable(void **state)
{
	struct store	*dead;
	struct answer	 a;
	char		*body;
	int64_t		 t0;

	need_db();
	postback_free(pb);
	dead = store_open(loop_base(), "host=/nonexistent dbname=x "
	    "connect_timeout=1", NULL);
	pb = receiver(dead);
	body = order_body(ORDER_ID, "OPEN", 0, NULL);
	t0 = time_mono_us();
	a = post("POST", body);
	assert_int_equal(a.status, 503);
	assert_true(time_mono_us() - t0 < 2000000);
	assert_non_null(strstr(a.body, "store"));
	free(body);
	postback_free(pb);
	store_close(dead);
	pb = receiver(st);
}

static void
stop_receiver(void *arg)
{
	postback_free(pb);
	pb = NULL;
}

/*
 * The receiver stops while it waits for a broker that never answers:
 * the client gets 503 "shutting down", the broker call is cancelled, and
 * nothing leaks or is touched after it is freed (ASan).
 */
static void
test_stop_while_asking_the_broker(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	struct answer		 a;
	const char		*h[] = { "Content-Type: application/json", NULL };
	char			 sql[160], *body, *s;
	int			 fd;

	need_db();
	/* Accepted by the kernel, never answered. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(sql, sizeof sql, "UPDATE brokers SET url = "
	    "'http://127.0.0.1:%d'", ntohs(sin.sin_port));
	admin(ci, sql);
	postback_free(pb);
	pb = receiver(st);

	body = order_body(ORDER_ID3, "CANCELLED", 0, NULL);
	memset(&a, 0, sizeof a);
	http_request(hc, "POST", url, h, body, strlen(body), 5000, on_answer,
	    &a);
	loop_later(500000, stop_receiver, NULL);
	loop_run();
	assert_int_equal(a.n, 1);
	assert_int_equal(a.status, 503);
	assert_non_null(strstr(a.body, "shutting down"));
	free(body);
	s = order_state(ORDER_ID3);
	assert_string_equal(s, "FILLED 1");
	free(s);
	close(fd);
	admin(ci, "UPDATE brokers SET url = 'http://127.0.0.1:1'");
	pb = receiver(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_and_duplicate,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_and_unknown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edited_replay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dedupe_survives_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_unreachable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_stop_while_asking_the_broker, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
