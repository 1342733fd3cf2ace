/*
 * The kite adapter (src/broker/kite_adapter.c) on the real loop: against
 * phalanx sim when PHALANX names the binary (place -> fill -> positions,
 * modify, cancel, rejection, 429, a timeout resolved by tag), and always
 * against a deliberately broken server of its own.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "broker/broker_lib.h"
#include "net/net.h"
#include "testlib.h"

/* The simulator, started once for the whole file. */
static pid_t	 sim_pid;
static char	 sim_base[64];
static char	 sim_key[2][64], sim_token[2][64];
static char	 fut[48];

/* What the last completion said. */
struct got {
	int			 n;
	struct broker_err	 be;
	int			 err;
	char			 id[32];
	struct broker_order	*orders;
	size_t			 norders;
	struct broker_position	 pos[16];
	size_t			 npos;
	size_t			 rows;
	int			 in_call;
};

static void
got_reset(struct got *g)
{
	free(g->orders);
	memset(g, 0, sizeof *g);
}

static void
got_err(struct got *g, const struct broker_err *be)
{
	assert_false(g->in_call);
	g->n++;
	g->err = be != NULL;
	if (be != NULL) {
		g->be = *be;
		assert_true(be->err.code[0] != '\0');
		assert_true(be->err.msg[0] != '\0');
	}
}

static void
on_id(const struct broker_err *be, const char *id, void *arg)
{
	struct got	*g = arg;

	got_err(g, be);
	if (be == NULL)
		snprintf(g->id, sizeof g->id, "%s", id);
}

static int	ids_total;

static void
on_id_counted(const struct broker_err *be, const char *id, void *arg)
{
	on_id(be, id, arg);
	ids_total++;
}

static void
on_orders(const struct broker_err *be, const struct broker_order *v, size_t n,
    void *arg)
{
	struct got	*g = arg;

	got_err(g, be);
	free(g->orders);
	g->orders = NULL;
	g->norders = n;
	if (n > 0) {
		g->orders = xcalloc(n, sizeof *v);
		memcpy(g->orders, v, n * sizeof *v);
	}
}

static void
on_positions(const struct broker_err *be, const struct broker_positions *p,
    void *arg)
{
	struct got	*g = arg;
	size_t		 i;

	got_err(g, be);
	assert_non_null(p);
	g->npos = 0;
	for (i = 0; i < p->nnet && i < nitems(g->pos); i++)
		g->pos[g->npos++] = p->net[i];
}

static void
on_margins(const struct broker_err *be, const struct broker_margins *m,
    void *arg)
{
	got_err(arg, be);
	assert_non_null(m);
}

static void
on_trades(const struct broker_err *be, const struct broker_trade *t,
    size_t n, void *arg)
{
	struct got	*g = arg;

	got_err(g, be);
	g->rows = n;
}

static void
on_quotes(const struct broker_err *be, const struct broker_quote *q,
    size_t n, void *arg)
{
	struct got	*g = arg;

	got_err(g, be);
	g->rows = n;
}

static int
on_instrument(const struct broker_instrument *in, void *arg)
{
	struct got	*g = arg;

	g->rows++;
	if (fut[0] == '\0' && strcmp(in->name, "NIFTY") == 0 &&
	    strcmp(in->instrument_type, "FUT") == 0) {
		assert_int_equal(in->lot_size, 65);
		snprintf(fut, sizeof fut, "%s", in->tradingsymbol);
	}
	return 0;
}

static void
on_done(const struct broker_err *be, void *arg)
{
	got_err(arg, be);
}

static struct broker *
sim_kite(int user, int timeout_ms)
{
	struct kite_opts	o;

	memset(&o, 0, sizeof o);
	o.name = "sim";
	o.base_url = sim_base;
	o.api_key = sim_key[user];
	o.access_token = sim_token[user];
	o.timeout_ms = timeout_ms;
	return kite_new(&o);
}

/* Test-side admin call to the sim (blocking is fine out here). */
static long
sim_admin(const char *path, const char *json)
{
	CURL			*e = curl_easy_init();
	struct curl_slist	*h;
	char			 url[128];
	long			 code = 0;
	FILE			*devnull = fopen("/dev/null", "w");

	snprintf(url, sizeof url, "%s%s", sim_base, path);
	h = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, devnull);
	curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	fclose(devnull);
	return code;
}

static void
sim_faults(const char *json)
{
	assert_int_equal(sim_admin("/sim/faults", json), 200);
}

static void
sim_faults_off(void)
{
	sim_faults("{\"reject_pct\":0,\"timeout_pct\":0,\"error_pct\":0,"
	    "\"rate_limit\":10,\"latency_ms\":0}");
}

/* fork/exec the sim; its stdout gives the users, then the port. */
static int
sim_start(void)
{
	const char	*bin = getenv("PHALANX");
	char		 line[1024];
	int		 fds[2], nuser = 0;
	FILE		*f;
	json_t		*j;

	if (bin == NULL || *bin == '\0')
		return -1;
	assert_int_equal(pipe(fds), 0);
	if ((sim_pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(bin, bin, "sim", "--listen", "127.0.0.1:0", "--users",
		    "2", "--seed", "7", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (fgets(line, sizeof line, f) != NULL) {
		assert_non_null(j = json_loads(line, 0, NULL));
		if (json_object_get(j, "listening") != NULL) {
			snprintf(sim_base, sizeof sim_base, "http://%s",
			    json_string_value(json_object_get(j, "listening")));
			json_decref(j);
			break;
		}
		assert_true(nuser < 2);
		snprintf(sim_key[nuser], sizeof sim_key[nuser], "%s",
		    json_string_value(json_object_get(j, "api_key")));
		snprintf(sim_token[nuser], sizeof sim_token[nuser], "%s",
		    json_string_value(json_object_get(j, "access_token")));
		nuser++;
		json_decref(j);
	}
	fclose(f);
	assert_true(sim_base[0] != '\0');
	return 0;
}

static int
group_setup(void **state)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);
	if (sim_start() != 0)
		print_message("PHALANX not set: live sim tests skipped\n");
	return 0;
}

static int
group_teardown(void **state)
{
	int	st;

	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, &st, 0);
	}
	curl_global_cleanup();
	return 0;
}

static int
teardown(void **state)
{
	loop_free();
	return 0;
}

static void
need_sim(void)
{
	if (sim_base[0] == '\0')
		skip();
}

/* Find the future through the adapter's own instruments call. */
static void
need_fut(struct broker *b)
{
	struct got	g;

	if (fut[0] != '\0')
		return;
	memset(&g, 0, sizeof g);
	g.in_call = 1;
	b->ops->instruments(b, "NFO", on_instrument, on_done, &g);
	g.in_call = 0;
	run_until(&g.n, 1, 5000);
	assert_false(g.err);
	assert_true(g.rows > 10);
	assert_true(fut[0] != '\0');
}

static void
req_init(struct broker_order_req *r, enum broker_order_type t, int64_t qty,
    int64_t price, const char *tag)
{
	memset(r, 0, sizeof *r);
	snprintf(r->exchange, sizeof r->exchange, "NFO");
	snprintf(r->tradingsymbol, sizeof r->tradingsymbol, "%s", fut);
	r->side = BROKER_BUY;
	r->order_type = t;
	r->product = BROKER_NRML;
	r->qty = qty;
	r->price = price;
	if (tag != NULL)
		snprintf(r->tag, sizeof r->tag, "%s", tag);
}

static void
place(struct broker *b, const struct broker_order_req *r, struct got *g)
{
	got_reset(g);
	g->in_call = 1;
	b->ops->place(b, r, on_id, g);
	g->in_call = 0;
	run_until(&g->n, 1, 5000);
}

static const struct broker_order *
find_order(const struct got *g, const char *id, const char *tag)
{
	size_t	i;

	for (i = 0; i < g->norders; i++) {
		if (id != NULL && strcmp(g->orders[i].order_id, id) == 0)
			return &g->orders[i];
		if (tag != NULL && strcmp(g->orders[i].tag, tag) == 0)
			return &g->orders[i];
	}
	return NULL;
}

static void
book(struct broker *b, struct got *g)
{
	got_reset(g);
	b->ops->orders(b, on_orders, g);
	run_until(&g->n, 1, 5000);
	assert_false(g->err);
}

static void
history(struct broker *b, const char *id, struct got *g)
{
	got_reset(g);
	b->ops->order_history(b, id, on_orders, g);
	run_until(&g->n, 1, 5000);
	assert_false(g->err);
	assert_true(g->norders > 0);
}

/* place (MARKET) -> filled in the book -> its trade -> a position. */
static void
test_place_fill_positions(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;
	const struct broker_order *o;
	char			 id[32];
	size_t			 i;
	int			 found = 0;

	need_sim();
	b = sim_kite(0, 3000);
	need_fut(b);
	memset(&g, 0, sizeof g);
	req_init(&r, BROKER_MARKET, 65, 0, "live1");
	place(b, &r, &g);
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);

	book(b, &g);
	assert_non_null(o = find_order(&g, id, NULL));
	assert_int_equal(o->state, BROKER_FILLED);
	assert_string_equal(o->tag, "live1");
	assert_int_equal(o->filled, 65);
	assert_true(o->avg_price > 0);
	assert_int_equal(o->market_protection, -1);

	history(b, id, &g);
	assert_string_equal(g.orders[0].status, "PUT ORDER REQ RECEIVED");
	assert_int_equal(g.orders[g.norders - 1].state, BROKER_FILLED);

	got_reset(&g);
	b->ops->trades(b, id, on_trades, &g);
	run_until(&g.n, 1, 5000);
	assert_false(g.err);
	assert_int_equal(g.rows, 1);

	got_reset(&g);
	b->ops->positions(b, on_positions, &g);
	run_until(&g.n, 1, 5000);
	assert_false(g.err);
	for (i = 0; i < g.npos; i++) {
		if (strcmp(g.pos[i].tradingsymbol, fut) == 0) {
			assert_true(g.pos[i].qty >= 65);
			found = 1;
		}
	}
	assert_true(found);

	got_reset(&g);
	b->ops->margins(b, on_margins, &g);
	run_until(&g.n, 1, 5000);
	assert_false(g.err);

	got_reset(&g);
	{
		char		 key[64];
		const char	*keys[1] = { key };

		snprintf(key, sizeof key, "NFO:%s", fut);
		b->ops->quote(b, keys, 1, on_quotes, &g);
		run_until(&g.n, 1, 5000);
		assert_false(g.err);
		assert_int_equal(g.rows, 1);
	}
	got_reset(&g);
	broker_free(b);
}

/* A LIMIT far below the market rests; modify it, then cancel it. */
static void
test_modify_cancel(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;
	char			 id[32];

	need_sim();
	b = sim_kite(0, 3000);
	need_fut(b);
	memset(&g, 0, sizeof g);
	req_init(&r, BROKER_LIMIT, 65, 100000, "live2");
	place(b, &r, &g);
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);
	history(b, id, &g);
	assert_int_equal(g.orders[g.norders - 1].state, BROKER_OPEN);

	req_init(&r, BROKER_LIMIT, 130, 100100, NULL);
	got_reset(&g);
	b->ops->modify(b, id, &r, on_id, &g);
	run_until(&g.n, 1, 5000);
	assert_false(g.err);
	assert_string_equal(g.id, id);
	history(b, id, &g);
	assert_int_equal(g.orders[g.norders - 1].price, 100100);
	assert_int_equal(g.orders[g.norders - 1].qty, 130);

	got_reset(&g);
	b->ops->cancel(b, id, BROKER_VARIETY_REGULAR, on_id, &g);
	run_until(&g.n, 1, 5000);
	assert_false(g.err);
	history(b, id, &g);
	assert_int_equal(g.orders[g.norders - 1].state, BROKER_CANCELLED);

	/* Cancelling again is the broker's final "no". */
	got_reset(&g);
	b->ops->cancel(b, id, BROKER_VARIETY_REGULAR, on_id, &g);
	run_until(&g.n, 1, 5000);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	got_reset(&g);
	broker_free(b);
}

/* Refusals: the sim's RMS, the exchange's lot rule, and our own tag rule. */
static void
test_rejections(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;
	const struct broker_order *o;
	char			 id[32];

	need_sim();
	b = sim_kite(0, 3000);
	need_fut(b);
	memset(&g, 0, sizeof g);

	sim_faults("{\"reject_pct\":100}");
	req_init(&r, BROKER_MARKET, 65, 0, "live3");
	place(b, &r, &g);
	sim_faults_off();
	assert_false(g.err);
	snprintf(id, sizeof id, "%s", g.id);
	book(b, &g);
	assert_non_null(o = find_order(&g, id, NULL));
	assert_int_equal(o->state, BROKER_REJECTED);
	assert_true(o->status_message[0] != '\0');

	req_init(&r, BROKER_MARKET, 60, 0, NULL);
	place(b, &r, &g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_int_equal(g.be.http_status, 400);
	assert_string_equal(g.be.err.code, "input");

	/* 21 characters: refused here, never truncated, never sent. */
	req_init(&r, BROKER_MARKET, 65, 0, "abcdefghijklmnopqrstu");
	place(b, &r, &g);
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_string_equal(g.be.err.code, "input");
	assert_int_equal(g.be.http_status, 0);
	assert_non_null(strstr(g.be.err.msg, "at most 20"));
	got_reset(&g);
	broker_free(b);
}

/* Past the broker's rate: HTTP 429, retryable, and the limit is known. */
static void
test_rate_limit(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g[6];
	int			 i, limited = 0;

	need_sim();
	b = sim_kite(1, 3000);
	need_fut(b);
	assert_int_equal(broker_orders_per_sec(b), KITE_ORDERS_PER_SEC);
	sim_faults("{\"rate_limit\":2}");
	req_init(&r, BROKER_LIMIT, 65, 100000, NULL);
	memset(g, 0, sizeof g);
	ids_total = 0;
	for (i = 0; i < 6; i++)
		b->ops->place(b, &r, on_id_counted, &g[i]);
	run_until(&ids_total, 6, 5000);
	sim_faults_off();
	for (i = 0; i < 6; i++) {
		if (!g[i].err)
			continue;
		assert_int_equal(g[i].be.http_status, 429);
		assert_int_equal(g[i].be.kind, BROKER_ERR_RETRYABLE);
		assert_string_equal(g[i].be.err.code, "rate-limit");
		limited++;
	}
	assert_true(limited >= 1);
	assert_true(limited <= 4);
	broker_free(b);
}

/*
 * The sim takes the order and never answers: the place ends UNKNOWN
 * (never retried blind), and the order is then found by its tag.
 */
static void
test_timeout_unknown_by_tag(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;
	const struct broker_order *o;

	need_sim();
	b = sim_kite(0, 400);
	need_fut(b);
	memset(&g, 0, sizeof g);
	sim_faults("{\"timeout_pct\":100}");
	req_init(&r, BROKER_LIMIT, 65, 100000, "lost1");
	place(b, &r, &g);
	sim_faults_off();
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_UNKNOWN);
	assert_string_equal(g.be.err.code, "timeout");

	book(b, &g);
	assert_non_null(o = find_order(&g, NULL, "lost1"));
	assert_int_equal(o->state, BROKER_OPEN);
	got_reset(&g);
	broker_free(b);
}

/* 5xx: a read is retryable, a place is an unknown outcome. */
static void
test_server_errors(void **state)
{
	struct broker		*b;
	struct broker_order_req	 r;
	struct got		 g;

	need_sim();
	b = sim_kite(0, 3000);
	need_fut(b);
	memset(&g, 0, sizeof g);
	sim_faults("{\"error_pct\":100}");
	b->ops->orders(b, on_orders, &g);
	run_until(&g.n, 1, 5000);
	assert_true(g.err);
	assert_true(g.be.http_status >= 500);
	assert_int_equal(g.be.kind, BROKER_ERR_RETRYABLE);
	req_init(&r, BROKER_LIMIT, 65, 100000, NULL);
	place(b, &r, &g);
	sim_faults_off();
	assert_true(g.err);
	assert_int_equal(g.be.kind, BROKER_ERR_UNKNOWN);
	got_reset(&g);
	broker_free(b);
}

/* A wrong token is final and says so. */
static void
test_bad_token(void **state)
{
	struct kite_opts	o;
	struct broker		*b;
	struct got		g;

	need_sim();
	memset(&o, 0, sizeof o);
	o.base_url = sim_base;
	o.api_key = sim_key[0];
	o.access_token = "wrong";
	b = kite_new(&o);
	memset(&g, 0, sizeof g);
	b->ops->positions(b, on_positions, &g);
	run_until(&g.n, 1, 5000);
	assert_true(g.err);
	assert_string_equal(g.be.err.code, "token");
	assert_int_equal(g.be.kind, BROKER_ERR_FINAL);
	assert_null(strstr(g.be.err.msg, "wrong"));
	broker_free(b);
}

/* The broken server ------------------------------------------------- */

enum broken_mode { B_GARBAGE, B_TRUNCATED, B_TYPES, B_HTML502, B_HTML200,
    B_EMPTY, B_HANG };

static enum broken_mode	 broken;

static void
broken_handler(struct evhttp_request *req, void *arg)
{
	switch (broken) {
	case B_GARBAGE:
		http_reply_text(req, 200, "application/json",
		    "\x01\x02garbage}{][");
		break;
	case B_TRUNCATED:
		http_reply_json(req, 200, "{\"status\":\"success\",\"data\":"
		    "{\"order_id\":\"1234");
		break;
	case B_TYPES:
		http_reply_json(req, 200, "{\"status\":\"success\",\"data\":"
		    "{\"order_id\":[1],\"net\":\"x\",\"day\":7,"
		    "\"equity\":\"none\"}}");
		break;
	case B_HTML502:
		http_reply_text(req, 502, "text/html", "<html><body><h1>502 "
		    "Bad Gateway</h1></body></html>");
		break;
	case B_HTML200:
		http_reply_text(req, 200, "text/html", "<html><body>Please "
		    "log in</body></html>");
		break;
	case B_EMPTY:
		http_reply_text(req, 200, "application/json", "");
		break;
	case B_HANG:
		break;	/* never answered; freed with the server */
	}
}

static struct broker *
broken_kite(struct http_server **srvp)
{
	struct kite_opts	 o;
	struct err		 e;
	char			 url[64];

	*srvp = http_server_new(loop_base(), "127.0.0.1:0", 1 << 20, &e);
	assert_non_null(*srvp);
	http_server_route(*srvp, "/", 1, broken_handler, NULL);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/",
	    http_server_port(*srvp));
	memset(&o, 0, sizeof o);
	o.base_url = url;
	o.api_key = "k";
	o.access_token = "t";
	o.timeout_ms = 300;
	return kite_new(&o);
}

/* Every operation against every kind of broken answer: an error, no crash. */
static void
test_broken_endpoint(void **state)
{
	static const enum broken_mode modes[] = { B_GARBAGE, B_TRUNCATED,
	    B_TYPES, B_HTML502, B_HTML200, B_EMPTY };
	struct http_server	*srv;
	struct broker		*b = broken_kite(&srv);
	struct broker_order_req	 r;
	struct got		 g;
	const char		*keys[1] = { "NSE:INFY" };
	size_t			 m;

	memset(&r, 0, sizeof r);
	snprintf(r.exchange, sizeof r.exchange, "NSE");
	snprintf(r.tradingsymbol, sizeof r.tradingsymbol, "INFY");
	r.order_type = BROKER_MARKET;
	r.product = BROKER_CNC;
	r.qty = 1;
	memset(&g, 0, sizeof g);
	for (m = 0; m < nitems(modes); m++) {
		broken = modes[m];
		place(b, &r, &g);
		assert_true(g.err);
		assert_int_equal(g.be.kind, BROKER_ERR_UNKNOWN);
		got_reset(&g);
		b->ops->orders(b, on_orders, &g);
		b->ops->positions(b, on_positions, &g);
		b->ops->margins(b, on_margins, &g);
		b->ops->trades(b, NULL, on_trades, &g);
		b->ops->quote(b, keys, 1, on_quotes, &g);
		b->ops->instruments(b, NULL, on_instrument, on_done, &g);
		b->ops->cancel(b, "1", BROKER_VARIETY_REGULAR, on_id, &g);
		run_until(&g.n, 7, 5000);
		assert_true(g.err);
		got_reset(&g);
	}
	broken = B_HTML502;
	b->ops->orders(b, on_orders, &g);
	run_until(&g.n, 1, 5000);
	assert_int_equal(g.be.http_status, 502);
	assert_int_equal(g.be.kind, BROKER_ERR_RETRYABLE);
	got_reset(&g);
	broker_free(b);
	http_server_free(srv);
}

/* No answer in time: a read may be retried, a place is UNKNOWN. */
static void
test_broken_hang_and_free(void **state)
{
	struct http_server	*srv;
	struct broker		*b = broken_kite(&srv);
	struct broker_order_req	 r;
	struct got		 g, g2;

	memset(&r, 0, sizeof r);
	snprintf(r.exchange, sizeof r.exchange, "NSE");
	snprintf(r.tradingsymbol, sizeof r.tradingsymbol, "INFY");
	r.order_type = BROKER_MARKET;
	r.product = BROKER_CNC;
	r.qty = 1;
	broken = B_HANG;
	memset(&g, 0, sizeof g);
	b->ops->orders(b, on_orders, &g);
	run_until(&g.n, 1, 5000);
	assert_string_equal(g.be.err.code, "timeout");
	assert_int_equal(g.be.kind, BROKER_ERR_RETRYABLE);

	/* Freed with calls in flight: each ends "cancelled", once. */
	got_reset(&g);
	memset(&g2, 0, sizeof g2);
	b->ops->place(b, &r, on_id, &g);
	b->ops->positions(b, on_positions, &g2);
	run_until(&g.n, 0, 50);
	broker_free(b);
	assert_int_equal(g.n, 1);
	assert_int_equal(g2.n, 1);
	assert_string_equal(g.be.err.code, "cancelled");
	assert_int_equal(g.be.kind, BROKER_ERR_UNKNOWN);
	assert_string_equal(g2.be.err.code, "cancelled");
	http_server_free(srv);
}

/* A loopback port nobody listens on: bound, then closed. */
static int
closed_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Nobody listening at all. */
static void
test_refused(void **state)
{
	struct kite_opts	o;
	struct broker		*b;
	struct got		g;
	char			url[64];

	snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
	memset(&o, 0, sizeof o);
	o.base_url = url;
	o.api_key = "k";
	o.access_token = "t";
	b = kite_new(&o);
	memset(&g, 0, sizeof g);
	b->ops->orders(b, on_orders, &g);
	run_until(&g.n, 1, 5000);
	assert_string_equal(g.be.err.code, "transport");
	assert_int_equal(g.be.kind, BROKER_ERR_RETRYABLE);
	broker_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_place_fill_positions, teardown),
		cmocka_unit_test_teardown(test_modify_cancel, teardown),
		cmocka_unit_test_teardown(test_rejections, teardown),
		cmocka_unit_test_teardown(test_rate_limit, teardown),
		cmocka_unit_test_teardown(test_timeout_unknown_by_tag,
		    teardown),
		cmocka_unit_test_teardown(test_server_errors, teardown),
		cmocka_unit_test_teardown(test_bad_token, teardown),
		cmocka_unit_test_teardown(test_broken_endpoint, teardown),
		cmocka_unit_test_teardown(test_broken_hang_and_free, teardown),
		cmocka_unit_test_teardown(test_refused, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
