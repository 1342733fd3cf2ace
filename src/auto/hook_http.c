/*
 * POST /hook/NAME (GET for senders that can only GET): check, parse,
 * store, answer, then let the executor run the signals.  The order of
 * the checks is the order of their cost: the connector and its switch,
 * the source address, the rate, the size, the token (constant time),
 * the dialect, the window; only then one statement stores the payload
 * and its signals, and the answer goes out once that committed -- a 200
 * means the signal is durable and queued, anything else that nothing of
 * it will run.  Senders time out in seconds (TradingView: 3); nothing
 * here waits on a broker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>

#include "auto/hook_conn.h"
#include "auto/hook_int.h"
#include "db/store_hook.h"
#include "exec/router.h"
#include "net/net.h"
#include "util/metrics.h"
#include "util/config.h"

#define HOOK_LAT_SAMPLES	16384
#define HOOK_RELOAD_MIN_US	200000

struct hook_req;

struct hook_server {
	struct http_server	*http;
	struct store		*store;
	struct store_hook_acceptor *acceptor;	/* its own connection */
	struct config		*cfg;
	char			*home;
	struct hook_exec	*exec;
	struct hook_conn	*conns;
	size_t			 nconns;
	int			 loading;
	int64_t			 loaded_at;
	struct hook_req		*waiting;	/* for a reload */
	struct hook_req		*reqs;		/* at the store */
	struct event		*timer;
	struct hook_stats	 stats;
	int64_t			*lat;
	size_t			 nlat;
	uint64_t		 latcount;
};

struct hook_req {
	struct hook_server	*hs;
	struct evhttp_request	*req;	/* NULL once the client is gone */
	int64_t			 t0;
	char			 name[72];
	char			*path_token;
	char			*reason;	/* malformed: why */
	char			*strategy;	/* of its one signal, or NULL */
	char			*symbol;
	int			 excel;
	struct hook_req		*next;
	struct hook_req		*prev;
	struct hook_req		**list;
};

static void hook_dispatch(struct hook_req *);
static void hook_reload(struct hook_server *);

static void
hook_link(struct hook_req *r, struct hook_req **list)
{
	r->list = list;
	r->prev = NULL;
	r->next = *list;
	if (*list != NULL)
		(*list)->prev = r;
	*list = r;
}

static void
hook_unlink(struct hook_req *r)
{
	if (r->list == NULL)
		return;
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		*r->list = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->list = NULL;
	r->prev = r->next = NULL;
}

static void
hook_conn_closed(struct evhttp_connection *conn, void *arg)
{
	struct hook_req	*r = arg;

	r->req = NULL;
}

static void
hook_req_free(struct hook_req *r)
{
	hook_unlink(r);
	if (r->req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    r->req), NULL, NULL);
	if (r->path_token != NULL) {
		sodium_memzero(r->path_token, strlen(r->path_token));
		free(r->path_token);
	}
	free(r->reason);
	free(r->strategy);
	free(r->symbol);
	free(r);
}

static void
hook_sample(struct hook_server *hs, int64_t us)
{
	hs->lat[hs->latcount % HOOK_LAT_SAMPLES] = us;
	hs->latcount++;
	if (hs->nlat < HOOK_LAT_SAMPLES)
		hs->nlat++;
}

/* /metrics: by connector (an unknown name is one label, not many). */
static void
hook_count(const struct hook_req *r, int status)
{
	char	code[16];

	snprintf(code, sizeof code, "%d", status);
	metric_inc(pxm.webhook_requests, status == 404 || r->name[0] == '\0' ?
	    "(unknown)" : r->name, code);
	metric_observe(pxm.webhook_accept_seconds,
	    (time_mono_us() - r->t0) / 1e6, NULL);
}

/*
 * Answer and free.  Excel gets one short line for a cell; everyone else
 * {"status": word, "message": ..., ...extra}.
 */
static void
hook_answer(struct hook_req *r, int status, const char *word,
    const char *msg, json_t *extra)
{
	struct evhttp_request	*req = r->req;
	json_t			*j;
	char			*s;

	if (req != NULL) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(req),
		    NULL, NULL);
		if (status == 429)
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "Retry-After", "1");
		if (r->excel) {
			s = xasprintf("%s %s\n", status == 200 ? "OK" : "ERROR",
			    msg);
			http_reply_text(req, status, NULL, s);
		} else {
			j = extra != NULL ? json_deep_copy(extra) : json_object();
			json_object_set_new(j, "status", json_string(word));
			json_object_set_new(j, "message", json_string(msg));
			s = json_dumps(j, JSON_COMPACT);
			http_reply_json(req, status, s);
			json_decref(j);
		}
		free(s);
		r->req = NULL;
	}
	hook_sample(r->hs, time_mono_us() - r->t0);
	hook_count(r, status);
	hook_req_free(r);
}

static void
hook_refuse(struct hook_req *r, int status, const char *fmt, ...)
    PX_PRINTF(3, 4);

static void
hook_refuse(struct hook_req *r, int status, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	switch (status) {
	case 413:
		r->hs->stats.too_large++;
		break;
	case 429:
		r->hs->stats.too_fast++;
		break;
	case 400:
		r->hs->stats.malformed++;
		break;
	default:
		r->hs->stats.refused++;
	}
	hook_answer(r, status, "error", msg, NULL);
}

static struct hook_conn *
hook_find(struct hook_server *hs, const char *name)
{
	size_t	i;

	for (i = 0; i < hs->nconns; i++) {
		if (strcmp(hs->conns[i].name, name) == 0)
			return &hs->conns[i];
	}
	return NULL;
}

static void
hook_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct hook_server	*hs = arg;
	struct hook_conn	*v, *old;
	struct hook_req		*r;
	struct err		 e;
	json_t			*row;
	size_t			 i, n = 0;

	hs->loading = 0;
	hs->loaded_at = time_mono_us();
	if (err == NULL) {
		v = xcalloc(json_array_size(rows) + 1, sizeof *v);
		json_array_foreach(rows, i, row) {
			err_clear(&e);
			if (hook_conn_from_row(&v[n], row, hs->home, &e) != 0) {
				log_warn("hook", "connector %s: its token cannot "
				    "be read (%s); it refuses everything",
				    json_string_value(json_object_get(row,
				    "name")), e.msg);
				hook_conn_clear(&v[n]);
				continue;
			}
			/* The bucket survives a reload. */
			if ((old = hook_find(hs, v[n].name)) != NULL) {
				v[n].tokens = old->tokens;
				v[n].refill_us = old->refill_us;
			}
			n++;
		}
		for (i = 0; i < hs->nconns; i++)
			hook_conn_clear(&hs->conns[i]);
		free(hs->conns);
		hs->conns = v;
		hs->nconns = n;
	} else
		log_warn("hook", "connectors not reloaded: %s", err->msg);
	/* Oldest first (the list is newest first): arrival order is the
	 * order the payloads are stored in, and so the order they run in. */
	while (hs->waiting != NULL) {
		for (r = hs->waiting; r->next != NULL; r = r->next)
			;
		hook_unlink(r);
		hook_dispatch(r);
	}
}

static void
hook_reload(struct hook_server *hs)
{
	if (hs->loading)
		return;
	hs->loading = 1;
	store_connectors_load(hs->store, hook_loaded, hs);
}

static void
hook_tick(evutil_socket_t fd, short what, void *arg)
{
	struct hook_server	*hs = arg;

	hook_reload(hs);
	hook_exec_kick(hs->exec);
}

/* The token found where senders put it: path, ?token=, or the body. */
static char *
hook_query_token(const char *query)
{
	json_t	*q = json_object();
	char	*t = NULL;
	struct err e;

	if (query != NULL && hook_form_decode(query, strlen(query), q, &e) == 0 &&
	    json_string_value(json_object_get(q, "token")) != NULL)
		t = xstrdup(json_string_value(json_object_get(q, "token")));
	json_decref(q);
	return t;
}

static int
hook_token_ok(const struct hook_conn *c, const char *t)
{
	size_t	n;

	if (t == NULL || c->token == NULL)
		return 0;
	n = strlen(c->token);
	return strlen(t) == n && sodium_memcmp(t, c->token, n) == 0;
}

/* Every copy of the token in s replaced by "***"; owned. */
static char *
hook_star(const char *s, size_t len, const char *token, size_t *outlen)
{
	struct strbuf	 b;
	size_t		 tl = token != NULL ? strlen(token) : 0, i = 0;

	strbuf_init(&b);
	while (i < len) {
		if (tl >= 4 && i + tl <= len && memcmp(s + i, token, tl) == 0) {
			strbuf_puts(&b, "***");
			i += tl;
		} else
			strbuf_putc(&b, s[i++]);
	}
	if (outlen != NULL)
		*outlen = b.len;
	return b.s != NULL ? strbuf_steal(&b) : xstrdup("");
}

static char *
hook_hex(const unsigned char *p, size_t len)
{
	char	*h = xmalloc(len * 2 + 1);

	sodium_bin2hex(h, len * 2 + 1, p, len);
	return h;
}

static json_t *
hook_signals_json(const struct hook_parsed *p, const char *status,
    const char *reason)
{
	json_t		*a = json_array(), *o;
	size_t		 i;
	char		*price, *trig;

	for (i = 0; i < p->n; i++) {
		const struct hook_signal *s = &p->v[i];

		price = s->price > 0 ? decimal_format(s->price, 2) : NULL;
		trig = s->trigger > 0 ? decimal_format(s->trigger, 2) : NULL;
		o = json_pack("{s:i,s:s,s:s,s:s,s:I,s:s,s:s,s:s?,s:s?,s:s,"
		    "s:o}", "seq", (int)i, "action", hook_action_name(s->action),
		    "symbol", s->symbol, "exchange", s->exchange,
		    "qty", (json_int_t)s->qty, "unit", s->units ? "units" :
		    "lots", "order_type", s->order_type, "price", price,
		    "trigger_price", trig, "product", s->product,
		    "parsed", hook_signal_json(s));
		if (s->ext_id[0] != '\0')
			json_object_set_new(o, "ext_id", json_string(s->ext_id));
		if (status != NULL) {
			json_object_set_new(o, "status", json_string(status));
			json_object_set_new(o, "reason", json_string(reason));
		}
		json_array_append_new(a, o);
		free(price);
		free(trig);
	}
	return a;
}

static void
hook_stored(json_t *rows, const struct err *err, void *arg)
{
	struct hook_req	*r = arg;
	struct hook_server *hs = r->hs;
	json_t		*row = json_array_get(rows, 0), *sigs, *s, *extra;
	json_t		*claimed;
	size_t		 i, queued = 0, dup = 0, rej = 0;
	const char	*st, *word;
	char		 msg[160], *strategy, *symbol;

	hook_unlink(r);
	if (err != NULL || row == NULL) {
		log_warn("hook", "payload for %s not stored: %s", r->name,
		    err != NULL ? err->msg : "no row");
		r->hs->stats.refused++;
		hook_answer(r, 503, "error", "not stored (the store is not "
		    "reachable); nothing will run: send it again", NULL);
		return;
	}
	sigs = json_object_get(row, "signals");
	json_array_foreach(sigs, i, s) {
		st = json_string_value(json_object_get(s, "status"));
		if (st != NULL && strcmp(st, "QUEUED") == 0)
			queued++;
		else if (st != NULL && strcmp(st, "DUPLICATE") == 0)
			dup++;
		else
			rej++;
	}
	extra = json_pack("{s:O,s:O}", "payload", json_object_get(row,
	    "payload"), "signals", sigs);
	if (queued > 0) {
		r->hs->stats.accepted++;
		word = "queued";
		snprintf(msg, sizeof msg, "payload %lld: %zu signal(s) queued",
		    (long long)json_integer_value(json_object_get(row,
		    "payload")), queued);
	} else if (dup > 0) {
		r->hs->stats.duplicate++;
		word = "duplicate";
		snprintf(msg, sizeof msg, "payload %lld: duplicate, not run",
		    (long long)json_integer_value(json_object_get(row,
		    "payload")));
	} else {
		r->hs->stats.rejected++;
		word = "rejected";
		snprintf(msg, sizeof msg, "payload %lld: %s",
		    (long long)json_integer_value(json_object_get(row,
		    "payload")), json_string_value(json_object_get(
		    json_array_get(sigs, 0), "reason")));
	}
	/* Kept: hook_answer frees r. */
	strategy = r->strategy;
	symbol = r->symbol;
	r->strategy = r->symbol = NULL;
	/* A rejected signal is stored but refused: the sender hears 403. */
	hook_answer(r, queued > 0 || dup > 0 ? 200 : 403, word, msg, extra);
	json_decref(extra);
	/* Claimed as they were stored: run now.  The rest waits its turn
	 * (or for a slot), claimed by the executor as before. */
	claimed = json_object_get(row, "claimed");
	hook_exec_take(hs->exec, claimed);
	if (queued > json_array_size(claimed))
		hook_exec_queued(hs->exec, strategy, symbol);
	free(strategy);
	free(symbol);
}

static void
hook_peer(struct evhttp_request *req, char *out, size_t len)
{
	struct evhttp_connection	*conn;
	char				*addr = NULL;
	ev_uint16_t			 port = 0;

	out[0] = '\0';
	if ((conn = evhttp_request_get_connection(req)) == NULL)
		return;
	evhttp_connection_get_peer(conn, &addr, &port);
	if (addr != NULL)
		snprintf(out, len, "%s", addr);
}

/* Store the payload (token starred) and its signals, or its reason. */
static void
hook_store(struct hook_req *r, struct hook_conn *c, const char *method,
    const char *ctype, const char *query, const char *body, size_t len,
    const struct hook_parsed *p, const char *status, const char *reason,
    store_rows_cb done)
{
	struct store_hook_payload	 h;
	crypto_hash_sha256_state	 st;
	unsigned char			 hash[crypto_hash_sha256_BYTES];
	char				*sbody, *squery, *bhex, *hhex, peer[64];
	size_t				 slen;

	sbody = hook_star(body, len, c->token, &slen);
	squery = query != NULL ? hook_star(query, strlen(query), c->token,
	    NULL) : NULL;
	crypto_hash_sha256_init(&st);
	if (squery != NULL)
		crypto_hash_sha256_update(&st, (const unsigned char *)squery,
		    strlen(squery));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)sbody, slen);
	crypto_hash_sha256_final(&st, hash);
	bhex = hook_hex((const unsigned char *)sbody, slen);
	hhex = hook_hex(hash, sizeof hash);
	hook_peer(r->req, peer, sizeof peer);
	memset(&h, 0, sizeof h);
	h.connector_id = c->id;
	h.connector = c->name;
	h.method = method;
	h.remote = peer[0] != '\0' ? peer : NULL;
	h.ctype = ctype;
	h.query = squery;
	h.body_hex = bhex;
	h.hash_hex = hhex;
	h.reason = p == NULL ? reason : NULL;
	h.signals = p != NULL ? hook_signals_json(p, status, reason) :
	    json_array();
	if (p != NULL && p->n == 1 && status == NULL &&
	    json_string_value(json_object_get(c->row, "strategy")) != NULL) {
		r->strategy = xstrdup(json_string_value(json_object_get(c->row,
		    "strategy")));
		r->symbol = xstrdup(p->v[0].symbol);
	}
	/* The executor claims it anyway: the accept need not try (a burst
	 * on one symbol, whose head runs, costs the store no claim). */
	h.no_claim = hook_exec_claims_later(r->hs->exec, r->strategy,
	    r->symbol);
	h.dedupe_s = (int)config_int(r->hs->cfg, "hook.dedupe_s");
	h.dedupe_id_s = (int)config_int(r->hs->cfg, "hook.dedupe_id_s");
	hook_link(r, &r->hs->reqs);
	store_hook_accept(r->hs->acceptor, &h, done, r);
	json_decref(h.signals);
	free(sbody);
	free(squery);
	free(bhex);
	free(hhex);
}

static void
hook_malformed_stored(json_t *rows, const struct err *err, void *arg)
{
	struct hook_req	*r = arg;

	hook_unlink(r);
	if (err != NULL)
		log_warn("hook", "a malformed payload for %s was not stored: "
		    "%s", r->name, err->msg);
	hook_refuse(r, 400, "%s", r->reason);
}

static void
hook_run(struct hook_req *r, struct hook_conn *c)
{
	struct evhttp_request	*req = r->req;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	const char		*query = uri != NULL ? evhttp_uri_get_query(uri) :
				    NULL;
	const char		*ctype = evhttp_find_header(
				    evhttp_request_get_input_headers(req),
				    "Content-Type");
	int			 get = evhttp_request_get_command(req) ==
				    EVHTTP_REQ_GET;
	struct hook_in		 hin;
	struct hook_parsed	 p;
	struct err		 e;
	char			*body, peer[64], *qtoken = NULL, win[96];
	const char		*token;
	size_t			 len, i;
	int			 parsed, minute;

	hook_peer(req, peer, sizeof peer);
	if (!hook_conn_allows(c, peer)) {
		hook_refuse(r, 403, "source address %s is not allowed for "
		    "connector %s", peer, c->name);
		return;
	}
	if (!c->enabled) {
		hook_refuse(r, 403, "connector %s is disabled", c->name);
		return;
	}
	if (!hook_conn_take(c, time_mono_us())) {
		hook_refuse(r, 429, "connector %s takes at most %d requests "
		    "per second", c->name, c->rate);
		return;
	}
	if (evbuffer_get_length(in) > c->body_limit ||
	    (body = http_request_body(req, c->body_limit, &len)) == NULL) {
		hook_refuse(r, 413, "body larger than %zu bytes", c->body_limit);
		return;
	}
	memset(&hin, 0, sizeof hin);
	hin.method = get ? "GET" : "POST";
	hin.body = body;
	hin.len = len;
	hin.ctype = ctype;
	hin.query = query;
	err_clear(&e);
	parsed = hook_parse(&c->cfg, &hin, &p, &e) == 0;
	token = r->path_token;
	if (token == NULL)
		token = qtoken = hook_query_token(query);
	if (token == NULL)
		token = p.token;
	if (!hook_token_ok(c, token)) {
		hook_parsed_free(&p);
		free(qtoken);
		free(body);
		hook_refuse(r, 403, "wrong or missing token for connector %s",
		    c->name);
		return;
	}
	free(qtoken);
	if (!parsed) {
		/* Known sender, bad payload: kept, so it can be looked at. */
		r->reason = xstrdup(e.msg);
		hook_store(r, c, hin.method, ctype, query, body, len, NULL,
		    NULL, e.msg, hook_malformed_stored);
		hook_parsed_free(&p);
		free(body);
		return;
	}
	minute = hook_ist_minute(time_wall_us());
	if (!hook_conn_in_window(c, minute)) {
		snprintf(win, sizeof win, "outside the window %02d:%02d-"
		    "%02d:%02d IST", c->win_from / 60, c->win_from % 60,
		    c->win_to / 60, c->win_to % 60);
		hook_store(r, c, hin.method, ctype, query, body, len, &p,
		    "REJECTED", win, hook_stored);
	} else {
		hook_store(r, c, hin.method, ctype, query, body, len, &p, NULL,
		    NULL, hook_stored);
		/* Its instrument is read while the payload is at the store. */
		for (i = 0; i < p.n; i++)
			hook_exec_warm(r->hs->exec, p.v[i].exchange,
			    p.v[i].symbol);
	}
	hook_parsed_free(&p);
	free(body);
}

static void
hook_dispatch(struct hook_req *r)
{
	struct hook_server	*hs = r->hs;
	struct hook_conn	*c;

	if (r->req == NULL) {
		hook_req_free(r);
		return;
	}
	r->excel = 0;
	if ((c = hook_find(hs, r->name)) == NULL) {
		/* Made a moment ago by another process?  Look once. */
		if (r->list == NULL && time_mono_us() - hs->loaded_at >
		    HOOK_RELOAD_MIN_US) {
			hook_link(r, &hs->waiting);
			hook_reload(hs);
			return;
		}
		hook_refuse(r, 404, "no connector %s", r->name);
		return;
	}
	r->excel = c->cfg.dialect != NULL && strcmp(c->cfg.dialect, "excel")
	    == 0;
	if (evhttp_request_get_command(r->req) == EVHTTP_REQ_GET &&
	    !hook_dialect_get_ok(c->cfg.dialect)) {
		hook_refuse(r, 405, "connector %s (%s) takes POST only",
		    c->name, c->cfg.dialect);
		return;
	}
	hook_run(r, c);
}

/* /hook/NAME or /hook/NAME/TOKEN */
static void
hook_handle(struct evhttp_request *req, void *arg)
{
	struct hook_server	*hs = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = uri != NULL ? evhttp_uri_get_path(uri) :
				    NULL;
	const char		*name, *slash;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct hook_req		*r;
	size_t			 n;

	r = xcalloc(1, sizeof *r);
	r->hs = hs;
	r->req = req;
	r->t0 = time_mono_us();
	name = path != NULL ? path + strlen("/hook/") : "";
	slash = strchr(name, '/');
	n = slash != NULL ? (size_t)(slash - name) : strlen(name);
	if (n == 0 || n >= sizeof r->name) {
		hook_refuse(r, 404, "no connector named in the path (POST "
		    "/hook/NAME)");
		return;
	}
	memcpy(r->name, name, n);
	if (slash != NULL && slash[1] != '\0') {
		r->path_token = evhttp_uridecode(slash + 1, 0, NULL);
		if (r->path_token != NULL && strchr(r->path_token, '/')) {
			hook_refuse(r, 404, "no such path");
			return;
		}
	}
	if (cmd != EVHTTP_REQ_POST && cmd != EVHTTP_REQ_GET) {
		hook_refuse(r, 405, "POST (or GET for excel, amibroker and "
		    "custom) only");
		return;
	}
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    hook_conn_closed, r);
	hook_dispatch(r);
}

static int
hook_claim_reserve(void *arg, int want)
{
	return hook_exec_reserve(arg, want);
}

static void
hook_claim_release(void *arg, int n)
{
	hook_exec_release(arg, n);
}

struct hook_server *
hook_server_new(struct http_server *http, struct store *store,
    struct router *router, struct config *cfg, const char *home)
{
	struct hook_server	*hs;
	struct timeval		 tv;
	struct store_hook_claimer claimer;
	int64_t			 ms = config_int(cfg, "hook.poll_ms");

	hs = xcalloc(1, sizeof *hs);
	hs->http = http;
	hs->store = store;
	hs->cfg = cfg;
	hs->home = home != NULL ? xstrdup(home) : NULL;
	hs->lat = xcalloc(HOOK_LAT_SAMPLES, sizeof *hs->lat);
	hs->exec = hook_exec_new(store, router, cfg);
	hs->acceptor = store_hook_acceptor_new(loop_base(),
	    pg_conn_conninfo(store_conn(store)), pg_conn_opts(store_conn(store)));
	claimer.reserve = hook_claim_reserve;
	claimer.release = hook_claim_release;
	claimer.arg = hs->exec;
	store_hook_acceptor_claimer(hs->acceptor, &claimer);
	store_hook_acceptor_depth(hs->acceptor,
	    (int)config_int(cfg, "hook.accept_depth"));
	/* The registry, credentials and ids the first signal would fetch;
	 * the intents' connection, opened for the ids, plans the intent as
	 * it opens (store_fanout_warm). */
	router_warm(router, 1, NULL, 0);
	http_server_route(http, "/hook/", 1, hook_handle, hs);
	hs->timer = event_new(loop_base(), -1, EV_PERSIST, hook_tick, hs);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(hs->timer, &tv);
	hook_reload(hs);
	/* Whatever a dead daemon left queued or half-run. */
	hook_exec_kick(hs->exec);
	return hs;
}

void
hook_server_free(struct hook_server *hs)
{
	struct hook_req	*r;
	size_t		 i;

	if (hs == NULL)
		return;
	event_free(hs->timer);
	/* The payloads at the store are answered (503) as it lets them go. */
	store_hook_acceptor_free(hs->acceptor);
	while ((r = hs->waiting) != NULL || (r = hs->reqs) != NULL) {
		hook_unlink(r);
		r->hs = hs;
		hook_answer(r, 503, "error", "shutting down", NULL);
	}
	hook_exec_free(hs->exec);
	for (i = 0; i < hs->nconns; i++)
		hook_conn_clear(&hs->conns[i]);
	free(hs->conns);
	free(hs->lat);
	free(hs->home);
	free(hs);
}

void
hook_server_stats(const struct hook_server *hs, struct hook_stats *st)
{
	*st = hs->stats;
	hook_exec_counts(hs->exec, &st->executed, &st->failed);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
hook_server_latency(const struct hook_server *hs, int64_t *p50, int64_t *p99,
    uint64_t *count)
{
	int64_t	*v;

	*p50 = *p99 = 0;
	*count = hs->latcount;
	if (hs->nlat == 0)
		return;
	v = xmalloc(hs->nlat * sizeof *v);
	memcpy(v, hs->lat, hs->nlat * sizeof *v);
	qsort(v, hs->nlat, sizeof *v, cmp64);
	*p50 = v[hs->nlat / 2];
	*p99 = v[(hs->nlat * 99) / 100 < hs->nlat ? (hs->nlat * 99) / 100 :
	    hs->nlat - 1];
	free(v);
}
