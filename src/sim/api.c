/*
 * The HTTP face: Kite Connect v3 routes over evhttp, plus /sim/ admin
 * routes for tests.  Faults are drawn per request; a delayed reply waits
 * on an evtimer, a "timed out" order reply is held and never sent.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>

#include "sim/sim_int.h"

#define SIM_MAX_BODY	(256 * 1024)
#define SIM_MAX_QUOTE	1000
#define SIM_MAX_SEGS	6
#define SIM_HOLD_MS	120000	/* a "timed out" reply is held this long */

/* A reply waiting for its latency, or held forever (timeout fault). */
struct pending {
	struct pending		*next;
	struct sim_server	*srv;
	struct evhttp_request	*req;
	struct event		*ev;		/* NULL: held until released */
	int			 code;
	char			*body;
	const char		*ctype;
};

struct sim_server {
	struct event_base	*base;
	struct sim_book		*book;
	struct sim_faults	*faults;
	struct sim_postback	*pb;
	struct sim_server_opts	 opts;
	int64_t			 started_us;
	uint64_t		 requests;
	uint64_t		 placed;	/* POST /orders taken up */
	int64_t			 placed_wall_us; /* the last one, wall clock */
	struct pending		*pending;
	int			 closing;	/* answering what is left */
};

/* One parsed request. */
struct call {
	struct sim_server	*srv;
	struct evhttp_request	*req;
	enum evhttp_cmd_type	 method;
	char			 pathbuf[512];
	char			*seg[SIM_MAX_SEGS];
	int			 nseg;
	const char		*query;
	size_t			 user;
	struct sim_fault_draw	 fault;
	int			 code;		/* reply */
	json_t			*data;		/* success data, or NULL */
	char			 err_type[40];	/* "" on success */
	char			 err_msg[512];
	char			*raw;		/* non-JSON body (CSV) */
	char			*data_text;	/* data already as JSON text */
	int			 hold;		/* timeout fault: never reply */
	int			 drawn;		/* a Kite route: faults apply */
};

/*
 * The reply is written now, not when the loop next polls: a burst of a
 * hundred requests (a square-off reading every account's positions) is
 * otherwise all parsed and answered before the first answer leaves, which
 * no broker of many servers does.  evhttp learns the reply is out from
 * the write callback, which an empty buffer never runs: it is run here,
 * deferred to the loop.  Whatever does not fit goes as before.
 */
static void
send_flush(const struct sim_server *s, struct bufferevent *bev)
{
	struct evbuffer	*out;

	/* TLS writes its own records; at shutdown no loop runs a callback. */
	if (bev == NULL || s->opts.tls || s->closing)
		return;
	out = bufferevent_get_output(bev);
	if (evbuffer_get_length(out) == 0 ||
	    evbuffer_write(out, bufferevent_getfd(bev)) <= 0 ||
	    evbuffer_get_length(out) != 0)
		return;
	bufferevent_trigger(bev, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
}

/*
 * Only a connection that stays open is flushed here: one the reply ends
 * (HTTP/1.0, "Connection: close") is closed by evhttp after the write,
 * and closed from the deferred callback its socket left libevent a
 * change to apply to a closed descriptor.
 */
static int
send_keeps_alive(struct evhttp_request *req)
{
	const char	*h;

	if (req->major != 1 || req->minor < 1)
		return 0;
	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Connection");
	return h == NULL || strcasestr(h, "close") == NULL;
}

static void
send_now(const struct sim_server *s, struct evhttp_request *req, int code,
    const char *ctype, const char *body)
{
	struct evhttp_connection	*conn;
	struct bufferevent		*bev;
	struct evbuffer			*buf = evbuffer_new();

	conn = evhttp_request_get_connection(req);
	bev = conn != NULL && send_keeps_alive(req) ?
	    evhttp_connection_get_bufferevent(conn) : NULL;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evbuffer_add(buf, body, strlen(body));
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Error", buf);
	evbuffer_free(buf);
	send_flush(s, bev);
}

static void
pending_unlink(struct sim_server *s, struct pending *p)
{
	struct pending	**pp;

	for (pp = &s->pending; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			return;
		}
	}
}

static void
pending_free(struct pending *p)
{
	if (p->ev != NULL)
		event_free(p->ev);
	free(p->body);
	free(p);
}

static void
pending_fire(evutil_socket_t fd, short what, void *arg)
{
	struct pending	*p = arg;

	pending_unlink(p->srv, p);
	send_now(p->srv, p->req, p->code, p->ctype, p->body);
	pending_free(p);
}

/* Keep a reply until sim_release (the "hold" fault). */
static void
reply_held(struct sim_server *s, struct evhttp_request *req, int code,
    const char *ctype, char *body)
{
	struct pending	*p;

	p = xcalloc(1, sizeof *p);
	p->srv = s;
	p->req = req;
	p->code = code;
	p->ctype = ctype;
	p->body = body;
	p->next = s->pending;
	s->pending = p;
}

static size_t
held_count(const struct sim_server *s)
{
	const struct pending	*p;
	size_t			 n = 0;

	for (p = s->pending; p != NULL; p = p->next)
		n += p->ev == NULL;
	return n;
}

/* Send every held reply now, oldest first; how many. */
static size_t
release_held(struct sim_server *s)
{
	struct pending	*p, *oldest;
	size_t		 n = 0;

	for (;;) {
		oldest = NULL;
		for (p = s->pending; p != NULL; p = p->next) {
			if (p->ev == NULL)
				oldest = p;
		}
		if (oldest == NULL)
			return n;
		pending_unlink(s, oldest);
		send_now(s, oldest->req, oldest->code, oldest->ctype,
		    oldest->body);
		pending_free(oldest);
		n++;
	}
}

/*
 * Reply after delay_ms, or hold the request (timeout fault) for
 * SIM_HOLD_MS: by then the client has given up, evhttp has detached the
 * request from its dead connection, and our late reply only frees it.
 * Whatever is still pending at shutdown is answered then.
 */
static void
reply_later(struct sim_server *s, struct evhttp_request *req, int code,
    const char *ctype, char *body, int delay_ms, int hold)
{
	struct pending	*p;
	struct timeval	 tv;

	if (delay_ms <= 0 && !hold) {
		send_now(s, req, code, ctype, body);
		free(body);
		return;
	}
	if (hold) {
		free(body);
		body = xstrdup("{\"status\":\"error\",\"message\":\"Gateway "
		    "timeout (simulated).\",\"data\":null,\"error_type\":"
		    "\"NetworkException\"}");
		code = 504;
		delay_ms = SIM_HOLD_MS;
	}
	p = xcalloc(1, sizeof *p);
	p->srv = s;
	p->req = req;
	p->code = code;
	p->ctype = ctype;
	p->body = body;
	p->next = s->pending;
	s->pending = p;
	p->ev = evtimer_new(s->base, pending_fire, p);
	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	evtimer_add(p->ev, &tv);
}

static void
fail(struct call *c, int code, const char *type, const char *fmt, ...)
    PX_PRINTF(4, 5);

static void
fail(struct call *c, int code, const char *type, const char *fmt, ...)
{
	va_list	ap;

	c->code = code;
	snprintf(c->err_type, sizeof c->err_type, "%s", type);
	va_start(ap, fmt);
	vsnprintf(c->err_msg, sizeof c->err_msg, fmt, ap);
	va_end(ap);
}

static void
fail_err(struct call *c, const struct err *e)
{
	fail(c, 400, e->code, "%s", e->msg);
}

static void
ok(struct call *c, json_t *data)
{
	c->code = 200;
	c->data = data;
}

/* data already written as JSON text (taken, freed with the call). */
static void
ok_text(struct call *c, char *text)
{
	c->code = 200;
	c->data_text = text;
}

static void
finish(struct call *c)
{
	json_t		*j;
	char		*body;
	const char	*ctype = "application/json";

	if (c->raw != NULL) {
		body = c->raw;
		ctype = "text/csv";
	} else if (c->data_text != NULL && c->err_type[0] == '\0') {
		body = xasprintf("{\"status\":\"success\",\"data\":%s}",
		    c->data_text);
	} else {
		if (c->err_type[0] != '\0')
			j = json_pack("{s:s,s:s,s:n,s:s}", "status", "error",
			    "message", c->err_msg, "data", "error_type",
			    c->err_type);
		else
			j = json_pack("{s:s,s:o}", "status", "success", "data",
			    c->data != NULL ? c->data : json_null());
		body = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
		json_decref(j);
		if (body == NULL)
			body = xstrdup("{\"status\":\"error\",\"message\":"
			    "\"Internal error\",\"data\":null,\"error_type\":"
			    "\"GeneralException\"}");
	}
	free(c->data_text);
	c->data_text = NULL;
	/* Hold keeps acks (place, modify, cancel); reads still answer. */
	if (c->drawn && c->srv->faults->hold && !c->hold &&
	    c->method != EVHTTP_REQ_GET)
		reply_held(c->srv, c->req, c->code, ctype, body);
	else
		reply_later(c->srv, c->req, c->code, ctype, body,
		    c->fault.delay_ms, c->hold);
}

static char *
body_copy(struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 n = evbuffer_get_length(in);
	char		*s;

	if (n > SIM_MAX_BODY)
		return NULL;
	s = xmalloc(n + 1);
	evbuffer_copyout(in, s, n);
	s[n] = '\0';
	return s;
}

/* Form fields of the body (application/x-www-form-urlencoded). */
static int
form_parse(struct call *c, struct evkeyvalq *kv)
{
	char	*body = body_copy(c->req);
	int	 r;

	TAILQ_INIT(kv);
	if (body == NULL)
		return -1;
	r = *body == '\0' ? 0 : evhttp_parse_query_str(body, kv);
	free(body);
	return r;
}

static void
h_place(struct call *c)
{
	struct sim_server	*s = c->srv;
	struct evkeyvalq	 kv;
	struct sim_order_req	 r;
	struct sim_place_result	*res;
	struct err		 e;
	json_t			*d, *ch;
	int			 i;

	/* When the broker had it: what a bench times the orders against. */
	s->placed++;
	s->placed_wall_us = time_wall_us();
	if (form_parse(c, &kv) == -1) {
		fail(c, 400, "InputException", "Malformed form body.");
		return;
	}
	memset(&r, 0, sizeof r);
	r.variety = c->seg[1];
	r.exchange = evhttp_find_header(&kv, "exchange");
	r.tradingsymbol = evhttp_find_header(&kv, "tradingsymbol");
	r.transaction_type = evhttp_find_header(&kv, "transaction_type");
	r.order_type = evhttp_find_header(&kv, "order_type");
	r.quantity = evhttp_find_header(&kv, "quantity");
	r.product = evhttp_find_header(&kv, "product");
	r.price = evhttp_find_header(&kv, "price");
	r.trigger_price = evhttp_find_header(&kv, "trigger_price");
	r.validity = evhttp_find_header(&kv, "validity");
	r.validity_ttl = evhttp_find_header(&kv, "validity_ttl");
	r.disclosed_quantity = evhttp_find_header(&kv, "disclosed_quantity");
	r.tag = evhttp_find_header(&kv, "tag");
	r.market_protection = evhttp_find_header(&kv, "market_protection");
	r.autoslice = evhttp_find_header(&kv, "autoslice");
	r.iceberg_legs = evhttp_find_header(&kv, "iceberg_legs");
	r.iceberg_quantity = evhttp_find_header(&kv, "iceberg_quantity");
	r.auction_number = evhttp_find_header(&kv, "auction_number");
	res = xmalloc(sizeof *res);
	err_clear(&e);
	if (sim_order_place(s->book, c->user, &r, c->fault.reject, res,
	    &e) == -1) {
		fail_err(c, &e);
	} else {
		d = json_pack("{s:s}", "order_id", res->order_id);
		if (res->nchildren > 0) {
			ch = json_array();
			for (i = 0; i < res->nchildren; i++) {
				if (res->child_err_type[i][0] == '\0')
					json_array_append_new(ch, json_pack(
					    "{s:s}", "order_id",
					    res->child_id[i]));
				else
					json_array_append_new(ch, json_pack(
					    "{s:{s:i,s:s,s:s,s:n}}", "error",
					    "code", 400, "error_type",
					    res->child_err_type[i], "message",
					    res->child_err_msg[i], "data"));
			}
			json_object_set_new(d, "children", ch);
		}
		ok(c, d);
		c->hold = c->fault.timeout;
	}
	free(res);
	evhttp_clear_headers(&kv);
}

static void
h_modify(struct call *c)
{
	struct evkeyvalq	kv;
	struct sim_modify_req	r;
	struct err		e;

	if (form_parse(c, &kv) == -1) {
		fail(c, 400, "InputException", "Malformed form body.");
		return;
	}
	memset(&r, 0, sizeof r);
	r.quantity = evhttp_find_header(&kv, "quantity");
	r.price = evhttp_find_header(&kv, "price");
	r.trigger_price = evhttp_find_header(&kv, "trigger_price");
	r.order_type = evhttp_find_header(&kv, "order_type");
	r.validity = evhttp_find_header(&kv, "validity");
	r.disclosed_quantity = evhttp_find_header(&kv, "disclosed_quantity");
	err_clear(&e);
	if (sim_order_modify(c->srv->book, c->user, c->seg[1], c->seg[2], &r,
	    &e) == -1)
		fail_err(c, &e);
	else
		ok(c, json_pack("{s:s}", "order_id", c->seg[2]));
	evhttp_clear_headers(&kv);
}

static void
h_cancel(struct call *c)
{
	struct err	e;

	err_clear(&e);
	if (sim_order_cancel(c->srv->book, c->user, c->seg[1], c->seg[2],
	    &e) == -1)
		fail_err(c, &e);
	else
		ok(c, json_pack("{s:s}", "order_id", c->seg[2]));
}

static void
h_orders(struct call *c)
{
	const struct sim_user	*u = &c->srv->book->users[c->user];
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < u->norders; i++)
		json_array_append_new(a, sim_json_order(c->srv->book,
		    u->orders[i], &u->orders[i]->cur));
	ok(c, a);
}

static void
h_order_history(struct call *c)
{
	struct sim_order	*o;
	json_t			*a;
	size_t			 i;

	if ((o = sim_order_find(c->srv->book, c->user, c->seg[1])) == NULL) {
		fail(c, 400, "InputException",
		    "Couldn't find that `order_id`.");
		return;
	}
	a = json_array();
	for (i = 0; i < o->nhist; i++)
		json_array_append_new(a, sim_json_order(c->srv->book, o,
		    &o->hist[i]));
	ok(c, a);
}

static void
h_trades(struct call *c, const char *order_id)
{
	const struct sim_user	*u = &c->srv->book->users[c->user];
	json_t			*a;
	size_t			 i;

	if (order_id != NULL && sim_order_find(c->srv->book, c->user,
	    order_id) == NULL) {
		fail(c, 400, "InputException",
		    "Couldn't find that `order_id`.");
		return;
	}
	a = json_array();
	for (i = 0; i < u->ntrades; i++) {
		if (order_id == NULL ||
		    strcmp(u->trades[i]->order->order_id, order_id) == 0)
			json_array_append_new(a, sim_json_trade(u->trades[i]));
	}
	ok(c, a);
}

static void
h_margins(struct call *c)
{
	json_t	*m = sim_json_margins(c->srv->book, c->user,
	    c->nseg > 2 ? c->seg[2] : NULL);

	if (m == NULL)
		fail(c, 400, "InputException", "Invalid segment `%s`.",
		    c->seg[2]);
	else
		ok(c, m);
}

static void
h_profile(struct call *c)
{
	const struct sim_user	*u = &c->srv->book->users[c->user];

	ok(c, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s],s:[s,s,s,s],"
	    "s:[s,s,s,s],s:n,s:{}}",
	    "user_id", u->user_id, "user_type", "individual",
	    "email", "sim@example.invalid", "user_name", u->user_id,
	    "user_shortname", u->user_id, "broker", "ZERODHA",
	    "exchanges", "NSE", "NFO",
	    "products", "CNC", "NRML", "MIS", "MTF",
	    "order_types", "MARKET", "LIMIT", "SL", "SL-M",
	    "avatar_url", "meta"));
}

/* mode: 0 /quote, 1 /quote/ltp, 2 /quote/ohlc */
static void
h_quote(struct call *c, int mode)
{
	const struct sim_market	*m = c->srv->book->mkt;
	struct evkeyvalq	 kv;
	struct evkeyval		*k;
	struct sim_instr	*in;
	json_t			*d;
	int			 n = 0;

	TAILQ_INIT(&kv);
	if (c->query == NULL || evhttp_parse_query_str(c->query, &kv) == -1) {
		fail(c, 400, "InputException", "No instruments given: use "
		    "?i=EXCHANGE:TRADINGSYMBOL.");
		evhttp_clear_headers(&kv);
		return;
	}
	d = json_object();
	TAILQ_FOREACH(k, &kv, next) {
		if (strcmp(k->key, "i") != 0)
			continue;
		if (++n > SIM_MAX_QUOTE) {
			json_decref(d);
			evhttp_clear_headers(&kv);
			fail(c, 400, "InputException", "Too many instruments: "
			    "at most %d.", SIM_MAX_QUOTE);
			return;
		}
		if ((in = sim_market_find_key(m, k->value)) != NULL)
			json_object_set_new(d, k->value,
			    sim_market_quote(m, in, mode));
	}
	evhttp_clear_headers(&kv);
	ok(c, d);
}

static void
h_instruments(struct call *c)
{
	struct strbuf	b;
	const char	*ex = c->nseg > 1 ? c->seg[1] : NULL;

	strbuf_init(&b);
	sim_instruments_csv(c->srv->book->mkt, ex, &b);
	c->code = 200;
	c->raw = strbuf_steal(&b);
	if (c->raw == NULL)
		c->raw = xstrdup("");
}

static json_t *
body_json(struct call *c)
{
	char	*body = body_copy(c->req);
	json_t	*j;

	if (body == NULL)
		return NULL;
	j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

static void
h_health(struct call *c)
{
	struct sim_server	*s = c->srv;

	ok(c, json_pack("{s:b,s:I,s:i,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:o}", "ok", 1, "seed", (json_int_t)s->opts.seed,
	    "users", (int)s->book->nusers,
	    "instruments", (int)s->book->mkt->n,
	    "open_orders", (int)s->book->nopen,
	    "ticks", (json_int_t)s->book->mkt->ticks,
	    "requests", (json_int_t)s->requests,
	    "orders_placed", (json_int_t)s->placed,
	    "last_placed_us", (json_int_t)s->placed_wall_us,
	    "postbacks_sent", (json_int_t)sim_postback_sent(s->pb),
	    "uptime_s", (json_int_t)((time_mono_us() - s->started_us) /
	    1000000),
	    "held", (json_int_t)held_count(s),
	    "faults", sim_faults_json(s->faults)));
}

static void
h_set_faults(struct call *c)
{
	json_t		*j = body_json(c);
	struct err	 e;

	err_clear(&e);
	if (j == NULL || sim_faults_set(c->srv->faults, j, &e) == -1) {
		fail(c, 400, "InputException", "%s", j == NULL ?
		    "Body is not JSON." : e.msg);
	} else {
		if (!c->srv->faults->hold)
			release_held(c->srv);
		ok(c, sim_faults_json(c->srv->faults));
	}
	json_decref(j);
}

static void
h_release(struct call *c)
{
	ok(c, json_pack("{s:I}", "released",
	    (json_int_t)release_held(c->srv)));
}

/* A price from an admin body: "123.45" or 123.45, into paise. */
static int
json_paise(const json_t *j, int64_t *p)
{
	char	buf[64];

	if (json_is_string(j))
		return sim_parse_paise(json_string_value(j), p);
	if (!json_is_number(j) || json_number_value(j) <= 0 ||
	    json_number_value(j) > 1e12)
		return -1;
	snprintf(buf, sizeof buf, "%.2f", json_number_value(j));
	return sim_parse_paise(buf, p);
}

/* {"instrument": "NFO:...", "price": "123.45"}; price null unpins. */
static void
h_set_price(struct call *c)
{
	struct sim_book		*b = c->srv->book;
	json_t			*j = body_json(c), *pj;
	const char		*key;
	struct sim_instr	*in;
	int64_t			 p;

	key = json_string_value(json_object_get(j, "instrument"));
	pj = json_object_get(j, "price");
	if (key == NULL || (in = sim_market_find_key(b->mkt, key)) == NULL)
		fail(c, 400, "InputException", "Unknown or missing "
		    "`instrument`.");
	else if (pj == NULL)
		fail(c, 400, "InputException", "Missing `price`.");
	else if (json_is_null(pj))
		sim_market_unpin(b->mkt, in);
	else if (json_paise(pj, &p) == -1 || p <= 0 || p % in->tick != 0 ||
	    sim_market_force(b->mkt, in, p) == -1)
		fail(c, 400, "InputException", "Invalid `price`: a positive "
		    "multiple of the tick size.");
	json_decref(j);
	if (c->err_type[0] != '\0')
		return;
	sim_match_all(b);
	ok(c, sim_market_quote(b->mkt, in, 1));
}

/* {"n": N}: step the market N times now (handy with --tick-ms 0). */
static void
h_tick(struct call *c)
{
	json_t		*j = body_json(c);
	json_int_t	 n = json_integer_value(json_object_get(j, "n"));
	double		 dt = (c->srv->opts.tick_ms > 0 ? c->srv->opts.tick_ms :
	    500) / 1000.0;

	if (n <= 0)
		n = 1;
	if (n > 100000)
		n = 100000;
	while (n-- > 0) {
		sim_market_step(c->srv->book->mkt, dt);
		sim_match_all(c->srv->book);
	}
	json_decref(j);
	ok(c, json_pack("{s:I}", "ticks",
	    (json_int_t)c->srv->book->mkt->ticks));
}

static int
is(const struct call *c, enum evhttp_cmd_type m, int nseg, const char *s0,
    const char *s1)
{
	return c->method == m && c->nseg == nseg &&
	    strcmp(c->seg[0], s0) == 0 &&
	    (s1 == NULL || (nseg > 1 && strcmp(c->seg[1], s1) == 0));
}

/* Routes that need no Kite token. Returns 1 if handled. */
static int
route_open(struct call *c)
{
	if (c->nseg >= 1 && c->nseg <= 2 && c->method == EVHTTP_REQ_GET &&
	    strcmp(c->seg[0], "instruments") == 0)
		h_instruments(c);
	else if (is(c, EVHTTP_REQ_GET, 2, "sim", "health"))
		h_health(c);
	else if (is(c, EVHTTP_REQ_POST, 2, "sim", "faults"))
		h_set_faults(c);
	else if (is(c, EVHTTP_REQ_POST, 2, "sim", "release"))
		h_release(c);
	else if (is(c, EVHTTP_REQ_POST, 2, "sim", "price"))
		h_set_price(c);
	else if (is(c, EVHTTP_REQ_POST, 2, "sim", "tick"))
		h_tick(c);
	else
		return 0;
	return 1;
}

/* Hand the request to api_more.c's routes; 1 if one took it. */
static int
route_more(struct call *c)
{
	struct sim_req		 q;
	struct sim_reply	 r;
	char			*body = NULL;
	int			 taken;

	if (c->method == EVHTTP_REQ_POST || c->method == EVHTTP_REQ_PUT)
		body = body_copy(c->req);
	memset(&q, 0, sizeof q);
	q.method = c->method;
	q.seg = c->seg;
	q.nseg = c->nseg;
	q.query = c->query;
	q.body = body;
	memset(&r, 0, sizeof r);
	taken = sim_api_more(c->srv->book, c->user, &q, &r);
	free(body);
	if (!taken)
		return 0;
	if (r.err_type[0] != '\0')
		fail(c, r.code, r.err_type, "%s", r.err_msg);
	else
		ok(c, r.data);
	return 1;
}

static void
route_kite(struct call *c)
{
	if (is(c, EVHTTP_REQ_POST, 2, "orders", NULL))
		h_place(c);
	else if (is(c, EVHTTP_REQ_PUT, 3, "orders", NULL))
		h_modify(c);
	else if (is(c, EVHTTP_REQ_DELETE, 3, "orders", NULL))
		h_cancel(c);
	else if (is(c, EVHTTP_REQ_GET, 1, "orders", NULL))
		h_orders(c);
	else if (is(c, EVHTTP_REQ_GET, 2, "orders", NULL))
		h_order_history(c);
	else if (is(c, EVHTTP_REQ_GET, 3, "orders", NULL) &&
	    strcmp(c->seg[2], "trades") == 0)
		h_trades(c, c->seg[1]);
	else if (is(c, EVHTTP_REQ_GET, 1, "trades", NULL))
		h_trades(c, NULL);
	else if (is(c, EVHTTP_REQ_GET, 2, "portfolio", "positions"))
		ok_text(c, sim_text_positions(c->srv->book, c->user));
	else if (is(c, EVHTTP_REQ_GET, 2, "user", "margins") ||
	    is(c, EVHTTP_REQ_GET, 3, "user", "margins"))
		h_margins(c);
	else if (is(c, EVHTTP_REQ_GET, 2, "user", "profile"))
		h_profile(c);
	else if (is(c, EVHTTP_REQ_GET, 1, "quote", NULL))
		h_quote(c, 0);
	else if (is(c, EVHTTP_REQ_GET, 2, "quote", "ltp"))
		h_quote(c, 1);
	else if (is(c, EVHTTP_REQ_GET, 2, "quote", "ohlc"))
		h_quote(c, 2);
	else if (!route_more(c))
		fail(c, 404, "GeneralException", "Route not found");
}

static int
split_path(struct call *c, const char *path)
{
	char	*p, *tok, *save = NULL;

	if (strlen(path) >= sizeof c->pathbuf)
		return -1;
	snprintf(c->pathbuf, sizeof c->pathbuf, "%s", path);
	p = c->pathbuf;
	c->nseg = 0;
	for (tok = strtok_r(p, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (c->nseg == SIM_MAX_SEGS)
			return -1;
		c->seg[c->nseg++] = tok;
	}
	return 0;
}

/* Token, rate limit and 5xx faults, in Kite's order of checks. */
static int
gatekeep(struct call *c)
{
	struct sim_server	*s = c->srv;
	struct evkeyvalq	*h = evhttp_request_get_input_headers(c->req);
	const char		*ver = evhttp_find_header(h, "X-Kite-Version");
	struct sim_user		*u;

	if (ver != NULL && strcmp(ver, "3") != 0) {
		fail(c, 400, "InputException", "Invalid `X-Kite-Version`: "
		    "only 3 is supported.");
		return -1;
	}
	u = sim_users_auth(s->book->users, s->book->nusers,
	    evhttp_find_header(h, "Authorization"), &c->user);
	if (u == NULL) {
		fail(c, 403, "TokenException",
		    "Incorrect `api_key` or `access_token`.");
		return -1;
	}
	if (c->nseg > 0 && strcmp(c->seg[0], "orders") == 0 &&
	    c->method != EVHTTP_REQ_GET &&
	    !sim_rate_allow(u, s->faults->rate_limit, time_mono_us())) {
		fail(c, 429, "NetworkException", "Too many requests");
		return -1;
	}
	if (c->fault.error == 500) {
		fail(c, 500, "GeneralException", "Something went wrong. "
		    "Please try again (simulated fault).");
		return -1;
	}
	if (c->fault.error == 503) {
		fail(c, 503, "NetworkException", "Service unavailable "
		    "(simulated fault).");
		return -1;
	}
	return 0;
}

void
sim_server_request(struct evhttp_request *req, void *arg)
{
	struct sim_server	*s = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = evhttp_uri_get_path(uri);
	struct call		*c = xcalloc(1, sizeof *c);

	s->requests++;
	c->srv = s;
	c->req = req;
	c->method = evhttp_request_get_command(req);
	c->query = evhttp_uri_get_query(uri);
	if (split_path(c, path != NULL ? path : "/") == -1 || c->nseg == 0)
		fail(c, 404, "GeneralException", "Route not found");
	else if (!route_open(c)) {
		sim_faults_draw(s->faults, &c->fault);
		c->drawn = 1;
		if (gatekeep(c) == 0)
			route_kite(c);
	}
	finish(c);
	free(c);
}

/* The tick hook also fans status changes out as postbacks. */
static void
on_update(const struct sim_order *o, void *arg)
{
	struct sim_server	*s = arg;

	if (s->pb != NULL)
		sim_postback_send(s->pb, s->book, o);
}

struct sim_server *
sim_server_new(struct event_base *base, struct sim_book *b,
    struct sim_faults *f, struct sim_postback *pb,
    const struct sim_server_opts *opts)
{
	struct sim_server	*s = xcalloc(1, sizeof *s);

	s->base = base;
	s->book = b;
	s->faults = f;
	s->pb = pb;
	s->opts = *opts;
	s->started_us = time_mono_us();
	b->on_update = on_update;
	b->on_update_arg = s;
	return s;
}

/* Answer whatever is still delayed or held so evhttp can free it. */
void
sim_server_free(struct sim_server *s)
{
	struct pending	*p;

	if (s == NULL)
		return;
	s->closing = 1;
	while ((p = s->pending) != NULL) {
		s->pending = p->next;
		send_now(s, p->req, p->code, p->ctype, p->body);
		pending_free(p);
	}
	free(s);
}
