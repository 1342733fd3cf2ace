/*
 * The kite adapter: struct broker_ops over the loop's libcurl client in
 * the Kite Connect v3 wire format (form-encoded bodies, X-Kite-Version 3,
 * "Authorization: token api_key:access_token").
 *
 * A call ends exactly once: from the HTTP completion, from a deferred
 * failure (an order refused before sending), or from free() as
 * "cancelled".  Deferred failures use the call's own timer, not
 * loop_later, so free() can take them back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "broker/broker_lib.h"
#include "broker/kite.h"
#include "net/net.h"

struct kite_call;

struct kite {
	struct broker		 b;
	struct event_base	*base;
	struct http_client	*http;
	int			 own_http;
	char			*base_url;	/* no trailing '/' */
	char			 auth[512];	/* the whole header: secret */
	char			*api_secret;
	int			 timeout_ms;
	int			 market_protection;
	char			 algo_id[32];
	struct kite_call	*calls;
};

/* One request in flight (or a failure waiting for the loop). */
struct kite_call {
	struct kite		*k;
	enum broker_op		 op;
	union broker_cb		 cb;	/* the one op implies */
	void			*arg;
	struct http_request	*req;
	struct event		*later;
	struct broker_err	 be;
	struct kite_csv		*csv;	/* instruments */
	struct kite_call	*prev;
	struct kite_call	*next;
};

static void
kite_call_unlink(struct kite_call *c)
{
	struct kite	*k = c->k;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		k->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void
kite_call_free(struct kite_call *c)
{
	if (c->later != NULL)
		event_free(c->later);
	if (c->csv != NULL)
		kite_csv_free(c->csv);
	free(c);
}

static struct kite_call *
kite_call_new(struct kite *k, enum broker_op op, void *arg)
{
	struct kite_call	*c;

	c = xcalloc(1, sizeof *c);
	c->k = k;
	c->op = op;
	c->arg = arg;
	c->next = k->calls;
	if (k->calls != NULL)
		k->calls->prev = c;
	k->calls = c;
	return c;
}

static void
kite_call_later_fire(evutil_socket_t fd, short what, void *arg)
{
	struct kite_call	*c = arg;

	kite_call_unlink(c);
	broker_cb_fail(c->op, &c->cb, c->arg, &c->be);
	kite_call_free(c);
}

/* Fail a call that never went out, from the loop's next turn. */
static void
kite_call_defer(struct kite_call *c, const struct broker_err *be)
{
	c->be = *be;
	c->later = broker_cb_later(c->k->base, kite_call_later_fire, c);
}

static int
kite_ok_orders(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	struct broker_order	*v;
	size_t			 n;

	if (kite_decode_orders(c->op, r->status, r->body, r->body_len, &v, &n,
	    be) != 0)
		return -1;
	c->cb.orders(NULL, v, n, c->arg);
	free(v);
	return 0;
}

static int
kite_ok_trades(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	struct broker_trade	*v;
	size_t			 n;

	if (kite_decode_trades(r->status, r->body, r->body_len, &v, &n,
	    be) != 0)
		return -1;
	c->cb.trades(NULL, v, n, c->arg);
	free(v);
	return 0;
}

static int
kite_ok_positions(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	struct broker_positions	p;

	memset(&p, 0, sizeof p);
	if (kite_decode_positions(r->status, r->body, r->body_len, &p,
	    be) != 0)
		return -1;
	c->cb.positions(NULL, &p, c->arg);
	free(p.net);
	free(p.day);
	return 0;
}

static int
kite_ok_margins(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	struct broker_margins	m;

	memset(&m, 0, sizeof m);
	if (kite_decode_margins(r->status, r->body, r->body_len, &m, be) != 0)
		return -1;
	c->cb.margins(NULL, &m, c->arg);
	return 0;
}

static int
kite_ok_quotes(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	struct broker_quote	*v;
	size_t			 n;

	if (kite_decode_quotes(r->status, r->body, r->body_len, &v, &n,
	    be) != 0)
		return -1;
	c->cb.quotes(NULL, v, n, c->arg);
	free(v);
	return 0;
}

static int
kite_ok_order_id(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	char	id[32];

	if (kite_decode_order_id(c->op, r->status, r->body, r->body_len, id,
	    be) != 0)
		return -1;
	c->cb.id(NULL, id, c->arg);
	return 0;
}

/*
 * The dump is CSV on success and a JSON envelope on failure.  The whole
 * body is here already (the client buffers it), so it is fed in one go;
 * rows still reach the caller one at a time.
 */
static int
kite_ok_instruments(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	if (r->status != 200) {
		if (kite_decode_status(c->op, r->status, r->body, r->body_len,
		    be) == 0)
			kite_decode_err(c->op, r->status, be, "instruments: "
			    "HTTP %ld with a success envelope", r->status);
		return -1;
	}
	if (kite_csv_feed(c->csv, r->body, r->body_len, be) != 0 ||
	    kite_csv_finish(c->csv, be) != 0)
		return -1;
	if (kite_csv_rows(c->csv) == 0) {
		kite_decode_err(c->op, r->status, be, "instruments: the dump "
		    "has no rows");
		return -1;
	}
	c->cb.done(NULL, c->arg);
	return 0;
}

static int
kite_call_ok(struct kite_call *c, const struct http_response *r,
    struct broker_err *be)
{
	switch (c->op) {
	case BROKER_OP_PLACE:
	case BROKER_OP_MODIFY:
	case BROKER_OP_CANCEL:
		return kite_ok_order_id(c, r, be);
	case BROKER_OP_ORDERS:
	case BROKER_OP_ORDER_HISTORY:
		return kite_ok_orders(c, r, be);
	case BROKER_OP_TRADES:
		return kite_ok_trades(c, r, be);
	case BROKER_OP_POSITIONS:
		return kite_ok_positions(c, r, be);
	case BROKER_OP_MARGINS:
		return kite_ok_margins(c, r, be);
	case BROKER_OP_QUOTE:
		return kite_ok_quotes(c, r, be);
	case BROKER_OP_INSTRUMENTS:
		return kite_ok_instruments(c, r, be);
	}
	return -1;
}

/*
 * An answer that was cut off (reset mid-body) is a transport failure even
 * when a status line arrived: what the broker meant is unknown.
 */
static void
kite_http_done(const struct http_response *r, void *arg)
{
	struct kite_call	*c = arg;
	struct broker_err	 be;

	kite_call_unlink(c);
	c->req = NULL;
	memset(&be, 0, sizeof be);
	if (r->tls_failed) {
		kite_tls_err(c->k->base_url, r->error, &be);
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
	} else if (r->error != NULL || r->status == 0) {
		kite_transport_err(c->op, r->timed_out, r->error, &be);
		be.http_status = (int)r->status;
		/* Not even connected: even a place may safely go again. */
		if (r->not_sent)
			be.kind = BROKER_ERR_RETRYABLE;
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
	} else if (kite_call_ok(c, r, &be) != 0) {
		if (be.kind == BROKER_ERR_NONE)
			kite_decode_err(c->op, r->status, &be, "unreadable "
			    "answer (HTTP %ld)", r->status);
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
	}
	kite_call_free(c);
}

/* Send a call: path below the base URL, optional form body. */
static void
kite_call_send(struct kite_call *c, const char *method, const char *path,
    const struct strbuf *form)
{
	struct kite	*k = c->k;
	const char	*headers[5];
	char		*url;
	int		 n = 0;

	headers[n++] = "X-Kite-Version: 3";
	headers[n++] = k->auth;
	if (form != NULL)
		headers[n++] = "Content-Type: application/x-www-form-urlencoded";
	headers[n] = NULL;
	url = xasprintf("%s%s", k->base_url, path);
	c->req = http_request(k->http, method, url, headers,
	    form != NULL ? form->s : NULL, form != NULL ? form->len : 0,
	    k->timeout_ms, kite_http_done, c);
	free(url);
}

/* "/orders/regular/123": ids are the broker's, but still encoded. */
static char *
kite_order_path(enum broker_variety v, const char *order_id,
    const char *suffix)
{
	struct strbuf	b;

	strbuf_init(&b);
	strbuf_puts(&b, "/orders/");
	if (v != BROKER_VARIETY_UNKNOWN)
		strbuf_printf(&b, "%s/", broker_variety_name(v));
	kite_urlencode(&b, order_id);
	if (suffix != NULL)
		strbuf_puts(&b, suffix);
	return strbuf_steal(&b);
}

/*
 * Fill what the caller left to configuration: a market-priced order with
 * no protection gets the configured one (Kite refuses MARKET orders
 * without it), an order with no algo id gets the firm's.
 */
static void
kite_place(struct broker *b, const struct broker_order_req *req,
    broker_order_id_cb cb, void *arg)
{
	struct kite		*k = (struct kite *)b;
	struct kite_call	*c = kite_call_new(k, BROKER_OP_PLACE, arg);
	struct broker_order_req	 r = *req;
	struct broker_err	 be;
	struct strbuf		 form;
	char			*path;

	c->cb.id = cb;
	if ((r.order_type == BROKER_MARKET || r.order_type == BROKER_SLM) &&
	    r.market_protection == 0)
		r.market_protection = k->market_protection;
	if (r.algo_id[0] == '\0')
		memcpy(r.algo_id, k->algo_id, sizeof r.algo_id);
	strbuf_init(&form);
	if (kite_encode_order(&r, &form, &be) != 0) {
		kite_call_defer(c, &be);
		strbuf_free(&form);
		return;
	}
	path = xasprintf("/orders/%s", broker_variety_name(r.variety));
	kite_call_send(c, "POST", path, &form);
	free(path);
	strbuf_free(&form);
}

static void
kite_modify(struct broker *b, const char *order_id,
    const struct broker_order_req *req, broker_order_id_cb cb, void *arg)
{
	struct kite		*k = (struct kite *)b;
	struct kite_call	*c = kite_call_new(k, BROKER_OP_MODIFY, arg);
	struct broker_err	 be;
	struct strbuf		 form;
	char			*path;

	c->cb.id = cb;
	strbuf_init(&form);
	if (kite_encode_modify(req, &form, &be) != 0) {
		kite_call_defer(c, &be);
		strbuf_free(&form);
		return;
	}
	path = kite_order_path(req->variety, order_id, NULL);
	kite_call_send(c, "PUT", path, &form);
	free(path);
	strbuf_free(&form);
}

static void
kite_cancel(struct broker *b, const char *order_id, enum broker_variety v,
    broker_order_id_cb cb, void *arg)
{
	struct kite_call	*c;
	char			*path;

	c = kite_call_new((struct kite *)b, BROKER_OP_CANCEL, arg);
	c->cb.id = cb;
	path = kite_order_path(v == BROKER_VARIETY_UNKNOWN ?
	    BROKER_VARIETY_REGULAR : v, order_id, NULL);
	kite_call_send(c, "DELETE", path, NULL);
	free(path);
}

static void
kite_orders(struct broker *b, broker_orders_cb cb, void *arg)
{
	struct kite_call	*c;

	c = kite_call_new((struct kite *)b, BROKER_OP_ORDERS, arg);
	c->cb.orders = cb;
	kite_call_send(c, "GET", "/orders", NULL);
}

static void
kite_order_history(struct broker *b, const char *order_id,
    broker_orders_cb cb, void *arg)
{
	struct kite_call	*c;
	char			*path;

	c = kite_call_new((struct kite *)b, BROKER_OP_ORDER_HISTORY, arg);
	c->cb.orders = cb;
	path = kite_order_path(BROKER_VARIETY_UNKNOWN, order_id, NULL);
	kite_call_send(c, "GET", path, NULL);
	free(path);
}

static void
kite_trades(struct broker *b, const char *order_id, broker_trades_cb cb,
    void *arg)
{
	struct kite_call	*c;
	char			*path;

	c = kite_call_new((struct kite *)b, BROKER_OP_TRADES, arg);
	c->cb.trades = cb;
	if (order_id == NULL) {
		kite_call_send(c, "GET", "/trades", NULL);
		return;
	}
	path = kite_order_path(BROKER_VARIETY_UNKNOWN, order_id, "/trades");
	kite_call_send(c, "GET", path, NULL);
	free(path);
}

static void
kite_positions(struct broker *b, broker_positions_cb cb, void *arg)
{
	struct kite_call	*c;

	c = kite_call_new((struct kite *)b, BROKER_OP_POSITIONS, arg);
	c->cb.positions = cb;
	kite_call_send(c, "GET", "/portfolio/positions", NULL);
}

/* Connections for n orders, opened while the caller still waits. */
static void
kite_expect(struct broker *b, size_t n)
{
	struct kite	*k = (struct kite *)b;

	http_client_expect(k->http, k->base_url, n);
}

static void
kite_margins(struct broker *b, broker_margins_cb cb, void *arg)
{
	struct kite_call	*c;

	c = kite_call_new((struct kite *)b, BROKER_OP_MARGINS, arg);
	c->cb.margins = cb;
	kite_call_send(c, "GET", "/user/margins", NULL);
}

static void
kite_quote(struct broker *b, const char *const *keys, size_t n,
    broker_quotes_cb cb, void *arg)
{
	struct kite_call	*c;
	struct broker_err	 be;
	struct strbuf		 query;
	char			*path;

	c = kite_call_new((struct kite *)b, BROKER_OP_QUOTE, arg);
	c->cb.quotes = cb;
	if (n == 0) {
		memset(&be, 0, sizeof be);
		be.kind = BROKER_ERR_FINAL;
		err_set(&be.err, "input", "a quote needs at least one "
		    "instrument");
		kite_call_defer(c, &be);
		return;
	}
	strbuf_init(&query);
	kite_encode_quote_query(keys, n, &query);
	path = xasprintf("/quote?%s", query.s);
	kite_call_send(c, "GET", path, NULL);
	free(path);
	strbuf_free(&query);
}

static void
kite_instruments(struct broker *b, const char *exchange,
    broker_instrument_cb row, broker_done_cb done, void *arg)
{
	struct kite_call	*c;
	struct strbuf		 path;

	c = kite_call_new((struct kite *)b, BROKER_OP_INSTRUMENTS, arg);
	c->cb.done = done;
	c->csv = kite_csv_new(row, arg);
	strbuf_init(&path);
	strbuf_puts(&path, "/instruments");
	if (exchange != NULL) {
		strbuf_putc(&path, '/');
		kite_urlencode(&path, exchange);
	}
	kite_call_send(c, "GET", path.s, NULL);
	strbuf_free(&path);
}

static void
kite_free(struct broker *b)
{
	struct kite		*k = (struct kite *)b;
	struct kite_call	*c;
	struct broker_err	 be;

	while ((c = k->calls) != NULL) {
		kite_call_unlink(c);
		if (c->req != NULL)
			http_request_cancel(c->req);
		memset(&be, 0, sizeof be);
		be.kind = c->op == BROKER_OP_PLACE ? BROKER_ERR_UNKNOWN :
		    BROKER_ERR_RETRYABLE;
		err_set(&be.err, "cancelled", "the %s adapter was closed "
		    "before the broker answered", k->b.name);
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
		kite_call_free(c);
	}
	if (k->own_http)
		http_client_free(k->http);
	sodium_memzero(k->auth, sizeof k->auth);
	if (k->api_secret != NULL) {
		sodium_memzero(k->api_secret, strlen(k->api_secret));
		free(k->api_secret);
	}
	free(k->base_url);
	free(k);
}

static const struct broker_ops kite_ops = {
	.name = "kite",
	.place = kite_place,
	.modify = kite_modify,
	.cancel = kite_cancel,
	.orders = kite_orders,
	.order_history = kite_order_history,
	.trades = kite_trades,
	.positions = kite_positions,
	.margins = kite_margins,
	.quote = kite_quote,
	.instruments = kite_instruments,
	.expect = kite_expect,
	.free = kite_free,
};

struct broker *
kite_new(const struct kite_opts *o)
{
	struct kite	*k;
	size_t		 n;

	k = xcalloc(1, sizeof *k);
	k->b.ops = &kite_ops;
	snprintf(k->b.name, sizeof k->b.name, "%s",
	    o->name != NULL ? o->name : "kite");
	k->base = loop_base();
	k->base_url = xstrdup(o->base_url != NULL ? o->base_url :
	    "https://api.kite.trade");
	n = strlen(k->base_url);
	while (n > 0 && k->base_url[n - 1] == '/')
		k->base_url[--n] = '\0';
	snprintf(k->auth, sizeof k->auth, "Authorization: token %s:%s",
	    o->api_key != NULL ? o->api_key : "",
	    o->access_token != NULL ? o->access_token : "");
	if (o->api_secret != NULL)
		k->api_secret = xstrdup(o->api_secret);
	k->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	k->market_protection = o->market_protection != 0 ?
	    o->market_protection : -1;
	if (o->algo_id != NULL)
		snprintf(k->algo_id, sizeof k->algo_id, "%s", o->algo_id);
	if (o->http != NULL)
		k->http = o->http;
	else {
		k->http = http_client_new(k->base);
		k->own_http = 1;
	}
	http_client_set_ca(k->http, o->ca_file);
	return &k->b;
}
