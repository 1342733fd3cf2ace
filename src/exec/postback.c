/*
 * Kite order postbacks: POST /postback/kite with the order as JSON and
 * checksum = sha256(order_id + order_timestamp + api_secret).
 *
 * What happens to one, in order, and why in that order:
 * 1. Size, method, content type and JSON shape are checked (413, 405,
 *    400): nothing else is looked at in a body that fails them.
 * 2. The checksum is checked against the api secrets cached from the last
 *    registry read (broker/postback_keys.c), before any query: a forgery
 *    costs no store round trip and is refused (403) even while the store
 *    is away.  A user id or secret the cache does not know makes it
 *    re-read the registry, at most once a second; with the store away and
 *    nothing cached the postback cannot be checked at all and is answered
 *    503.
 * 3. With the store not ready, or serve.postback_queue postbacks already
 *    waiting, the answer is 503 with Retry-After, at once: nothing waits
 *    on a store that is not there, so memory stays bounded.
 * 4. The update is looked up in postbacks_seen (a repeat is 200
 *    "duplicate", across restarts too) together with the order it is
 *    about.  The checksum covers only the order id and time, so a
 *    verified body proves where it came from, not that its status is
 *    current: a report may only move the order forward
 *    (broker/postback_judge.c).  One that would move it back or take back
 *    a fill is checked against the broker's order history, whose answer
 *    wins; one that neither the record nor the book explains is
 *    "suspicious", logged with its sender's address and answered 409.
 * 5. The verdict, the order's new state and its event are written in one
 *    statement, guarded by the order's version: if the order changed
 *    since the lookup, it is judged again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "broker/kite.h"
#include "broker/kite_json.h"
#include "broker/postback_int.h"
#include "db/store_broker.h"
#include "db/store_fanout.h"
#include "db/store_postback.h"
#include "exec/exec.h"
#include "exec/paper_hooks.h"
#include "exec/postback.h"
#include "net/net.h"

#define PB_MAX_BODY		POSTBACK_MAX_BODY
#define PB_RETRY_AFTER		"5"		/* seconds */
#define PB_KEYS_MIN_US		1000000		/* miss: re-read at most 1/s */
#define PB_KEYS_EVERY_S		30		/* and this often anyway */
#define PB_KEYS_WAIT_MS		1000		/* longest wait for a re-read */
#define PB_TRIES		3		/* judgings of one postback */
#define PB_CONSULTS		4		/* order books asked at once */

struct pb_req;

/* The registry read in flight; outlives the receiver if need be. */
struct pb_load {
	struct postback		*pb;	/* NULL once the receiver is gone */
};

/* An adapter whose call has ended; freed off its own callback. */
struct pb_dead {
	struct broker		*b;
	struct pb_dead		*next;
};

struct postback {
	struct store		*store;
	struct config		*cfg;
	char			*home;
	size_t			 queue_max;
	postback_applied_fn	 hook;
	void			*hook_arg;
	struct pb_keys		*keys;
	struct pb_load		*load;
	struct event		*ev_keys;
	struct event		*ev_keys_wait;
	struct http_client	*http;
	struct pb_dead		*dead;
	struct postback_stats	 stats;
	size_t			 nreqs;
	size_t			 nconsults;
	struct pb_req		*reqs;
};

enum pb_phase { PB_NONE, PB_KEYS, PB_STORE, PB_BROKER };

/* One postback being handled. */
struct pb_req {
	struct postback		*pb;	/* NULL once the receiver is gone */
	struct evhttp_request	*req;	/* NULL once the client is gone */
	enum pb_phase		 phase;
	int			 rechecked;	/* keys re-read for it */
	int			 tries;
	char			*body;
	size_t			 len;
	char			 source[80];
	char			 user[64];
	char			 order_ts[40];
	char			 checksum[72];
	char			 account[64];
	int64_t			 account_id;
	json_t			*row;
	struct broker_order	 order;
	char			 update_key[65];
	struct broker		*b;
	/* the record, as looked up */
	int64_t			 order_row;
	char			 version[64];
	struct pb_record	 rec;
	/* what is being written */
	const char		*verdict;
	int			 applying;
	struct broker_order	 latest;	/* the book's, when it wins */
	int			 from_plan;	/* rows asked of the intent */
	struct pb_req		*prev;
	struct pb_req		*next;
};

static void	pb_verify(struct pb_req *);
static void	pb_lookup(struct pb_req *);

static void
pb_unlink(struct pb_req *r)
{
	struct postback	*pb = r->pb;

	if (pb == NULL)
		return;
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		pb->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	pb->nreqs--;
}

static void
pb_req_free(struct pb_req *r)
{
	pb_unlink(r);
	if (r->req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    r->req), NULL, NULL);
	broker_free(r->b);
	json_decref(r->row);
	free(r->body);
	free(r);
}

/* The client hung up before the answer: forget its request. */
static void
pb_conn_closed(struct evhttp_connection *conn, void *arg)
{
	struct pb_req	*r = arg;

	r->req = NULL;
}

static void
pb_answer(struct evhttp_request *req, int status, const char *word,
    const char *msg)
{
	json_t	*j;
	char	*s;

	if (status == 503 || status == 429)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", PB_RETRY_AFTER);
	j = json_pack("{s:s,s:s}", "status", word, "message", msg);
	s = json_dumps(j, JSON_COMPACT);
	http_reply_json(req, status, s);
	free(s);
	json_decref(j);
}

static void
pb_count(struct postback *pb, int status)
{
	if (pb == NULL || status < 400)
		return;
	if (status == 503)
		pb->stats.unavailable++;
	else
		pb->stats.refused++;
}

/* Refuse before a pb_req exists. */
static void
pb_refuse(struct postback *pb, struct evhttp_request *req, int status,
    const char *msg)
{
	pb_count(pb, status);
	pb_answer(req, status, "error", msg);
}

/* Answer r (if its client is still there) and free it. */
static void
pb_finish(struct pb_req *r, int status, const char *word, const char *msg)
{
	/* suspicious ones have a counter of their own */
	if (status != 409 || r->verdict == NULL ||
	    strcmp(r->verdict, "suspicious") != 0)
		pb_count(r->pb, status);
	if (r->req != NULL) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    r->req), NULL, NULL);
		pb_answer(r->req, status, word, msg);
		r->req = NULL;
	}
	pb_req_free(r);
}

static void
pb_finishf(struct pb_req *r, int status, const char *word, const char *fmt,
    ...) PX_PRINTF(4, 5);

static void
pb_finishf(struct pb_req *r, int status, const char *word, const char *fmt,
    ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pb_finish(r, status, word, msg);
}

static int
pb_store_ready(const struct postback *pb)
{
	return pg_conn_state(store_conn(pb->store)) == PG_READY;
}

/* Adapters whose calls have ended, freed where no callback of theirs runs. */
static void
pb_bury(struct postback *pb)
{
	struct pb_dead	*d;

	while ((d = pb->dead) != NULL) {
		pb->dead = d->next;
		broker_free(d->b);
		free(d);
	}
}

/* --- the api secrets ------------------------------------------------- */

static void
pb_keys_read(json_t *rows, const struct err *err, void *arg)
{
	struct pb_load	*load = arg;
	struct postback	*pb = load->pb;
	struct pb_req	*r, *next;

	free(load);
	if (pb == NULL)
		return;
	pb->load = NULL;
	event_del(pb->ev_keys_wait);
	if (err != NULL)
		log_warn("postback", "api secrets not re-read: %s", err->msg);
	else
		pb_keys_load(pb->keys, rows, time_mono_us());
	for (r = pb->reqs; r != NULL; r = next) {
		next = r->next;
		if (r->phase != PB_KEYS)
			continue;
		r->phase = PB_NONE;
		r->rechecked = 1;
		pb_verify(r);
	}
}

static void
pb_keys_reload(struct postback *pb)
{
	if (pb->load != NULL)
		return;
	pb->load = xcalloc(1, sizeof *pb->load);
	pb->load->pb = pb;
	store_broker_creds(pb->store, NULL, NULL, pb_keys_read, pb->load);
}

/* A re-read that takes this long means the store is in trouble. */
static void
pb_keys_late(evutil_socket_t fd, short what, void *arg)
{
	struct postback	*pb = arg;
	struct pb_req	*r, *next;

	for (r = pb->reqs; r != NULL; r = next) {
		next = r->next;
		if (r->phase != PB_KEYS)
			continue;
		r->phase = PB_NONE;
		pb_finish(r, 503, "error", "cannot check the checksum: the "
		    "store did not answer in time; retry later");
	}
}

static void
pb_keys_wait(struct pb_req *r)
{
	struct postback	*pb = r->pb;
	struct timeval	 tv = { PB_KEYS_WAIT_MS / 1000,
			    PB_KEYS_WAIT_MS % 1000 * 1000 };

	r->phase = PB_KEYS;
	if (!event_pending(pb->ev_keys_wait, EV_TIMEOUT, NULL))
		event_add(pb->ev_keys_wait, &tv);
	pb_keys_reload(pb);
}

static void
pb_keys_timer(evutil_socket_t fd, short what, void *arg)
{
	struct postback	*pb = arg;

	if (pb_store_ready(pb))
		pb_keys_reload(pb);
}

/* --- step 1: the request itself --------------------------------------- */

/* "application/json", any case, with or without parameters. */
static int
pb_json_type(const char *ct)
{
	static const char	want[] = "application/json";
	size_t			n = sizeof want - 1;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' ||
	    ct[n] == '\t';
}

/* A string member of at most max - 1 bytes into out; -1 with msg. */
static int
pb_field(json_t *root, const char *key, char *out, size_t max, char *msg,
    size_t msglen)
{
	json_t	*v = json_object_get(root, key);

	if (!json_is_string(v)) {
		snprintf(msg, msglen, "%s: %s", key, v == NULL ? "missing" :
		    "must be a string");
		return -1;
	}
	if (json_string_length(v) == 0 || json_string_length(v) >= max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(msg, msglen, "%s: must be 1 to %zu characters", key,
		    max - 1);
		return -1;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* The members the checksum needs; the rest waits until it matches. */
static int
pb_parse(struct pb_req *r, char *msg, size_t msglen)
{
	json_error_t	 je;
	json_t		*root;
	int		 rc = -1;

	if ((root = json_loadb(r->body, r->len, 0, &je)) == NULL) {
		snprintf(msg, msglen, "body is not JSON: %s (line %d, column "
		    "%d)", je.text, je.line, je.column);
		return -1;
	}
	if (!json_is_object(root))
		snprintf(msg, msglen, "body must be a JSON object, not %s",
		    kite_json_typename(root));
	else if (pb_field(root, "user_id", r->user, sizeof r->user, msg,
	    msglen) == 0 &&
	    pb_field(root, "order_id", r->order.order_id,
	    sizeof r->order.order_id, msg, msglen) == 0 &&
	    pb_field(root, "order_timestamp", r->order_ts,
	    sizeof r->order_ts, msg, msglen) == 0 &&
	    pb_field(root, "checksum", r->checksum, sizeof r->checksum, msg,
	    msglen) == 0)
		rc = 0;
	json_decref(root);
	return rc;
}

static void
pb_source(struct evhttp_request *req, char *out, size_t len)
{
	struct evhttp_connection	*conn;
	char				*addr = NULL;
	ev_uint16_t			 port = 0;

	snprintf(out, len, "?");
	if ((conn = evhttp_request_get_connection(req)) == NULL)
		return;
	evhttp_connection_get_peer(conn, &addr, &port);
	if (addr != NULL)
		snprintf(out, len, "%s:%u", addr, (unsigned)port);
}

static void
pb_handle(struct evhttp_request *req, void *arg)
{
	struct postback	*pb = arg;
	struct pb_req	*r;
	char		 msg[256];
	char		*body;
	size_t		 len;

	pb_bury(pb);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		pb_refuse(pb, req, 405, "POST only");
		return;
	}
	if (!pb_json_type(evhttp_find_header(evhttp_request_get_input_headers(
	    req), "Content-Type"))) {
		pb_refuse(pb, req, 400, "Content-Type must be "
		    "application/json");
		return;
	}
	if (pb->nreqs >= pb->queue_max) {
		pb_refuse(pb, req, 503, "too many postbacks being handled "
		    "(serve.postback_queue); retry later");
		return;
	}
	if ((body = http_request_body(req, PB_MAX_BODY, &len)) == NULL) {
		pb_refuse(pb, req, 413, "body too large (at most 64 KiB)");
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->pb = pb;
	r->req = req;
	r->body = body;
	r->len = len;
	if (pb_parse(r, msg, sizeof msg) != 0) {
		free(body);
		free(r);
		pb_refuse(pb, req, 400, msg);
		return;
	}
	pb_source(req, r->source, sizeof r->source);
	r->next = pb->reqs;
	if (pb->reqs != NULL)
		pb->reqs->prev = r;
	pb->reqs = r;
	pb->nreqs++;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    pb_conn_closed, r);
	pb_verify(r);
}

/* --- steps 2 and 3: checksum, then the store ------------------------- */

/* The fields that make one update of an order differ from another. */
static void
pb_update_key(struct pb_req *r)
{
	const struct broker_order	*o = &r->order;
	unsigned char			 md[crypto_hash_sha256_BYTES];
	char				 buf[512];
	int				 n;

	n = snprintf(buf, sizeof buf, "%s|%s|%lld|%lld|%lld|%lld|%lld|%lld|"
	    "%lld|%lld|%lld|%d", o->order_id, o->status, (long long)o->qty,
	    (long long)o->filled, (long long)o->pending,
	    (long long)o->cancelled, (long long)o->price,
	    (long long)o->trigger_price, (long long)o->avg_price,
	    (long long)o->exchange_update_ts, (long long)o->exchange_ts,
	    (int)o->order_type);
	crypto_hash_sha256(md, (const unsigned char *)buf, (size_t)n <
	    sizeof buf ? (size_t)n : sizeof buf - 1);
	sodium_bin2hex(r->update_key, sizeof r->update_key, md, sizeof md);
}

static void
pb_accept(struct pb_req *r, const struct pb_key *key)
{
	struct postback		*pb = r->pb;
	struct broker_err	 be;
	char			 id[sizeof r->order.order_id];

	snprintf(r->account, sizeof r->account, "%s", key->account);
	r->account_id = key->account_id;
	r->row = json_incref(key->row);
	memcpy(id, r->order.order_id, sizeof id);
	if (kite_decode_postback(r->body, r->len, NULL, &r->order, &be) != 0) {
		pb_finish(r, 400, "error", be.err.msg);
		return;
	}
	if (strcmp(id, r->order.order_id) != 0 || r->order.filled < 0 ||
	    (r->order.qty > 0 && r->order.filled > r->order.qty)) {
		pb_finishf(r, 400, "error", "filled_quantity %lld does not fit "
		    "quantity %lld", (long long)r->order.filled,
		    (long long)r->order.qty);
		return;
	}
	if (!pb_store_ready(pb)) {
		pb_finish(r, 503, "error", "the store is unavailable; retry "
		    "later");
		return;
	}
	pb_update_key(r);
	pb_lookup(r);
}

static void
pb_verify(struct pb_req *r)
{
	struct postback		*pb = r->pb;
	const struct pb_key	*key;
	enum pb_match		 m;
	enum pg_state		 pg = pg_conn_state(store_conn(pb->store));
	int64_t			 loaded = pb_keys_loaded(pb->keys);

	m = pb_keys_verify(pb->keys, r->user, r->order.order_id, r->order_ts,
	    r->checksum, &key);
	if (m == PB_MATCH) {
		pb_accept(r, key);
		return;
	}
	/*
	 * Not in the cache: wait for a re-read if the store can give one
	 * soon -- it is ready, or making its first connection with the
	 * first read queued.  A store that is away gets no wait.
	 */
	if (!r->rechecked && (pg == PG_READY || (pg == PG_CONNECTING &&
	    pb->load != NULL)) && (loaded == 0 || pb->load != NULL ||
	    time_mono_us() - loaded >= PB_KEYS_MIN_US)) {
		pb_keys_wait(r);
		return;
	}
	if (loaded == 0) {
		pb_finish(r, 503, "error", "cannot check the checksum: no api "
		    "secrets are cached and the store is unavailable");
		return;
	}
	if (m == PB_NO_USER)
		pb_finishf(r, 403, "error", "unknown user_id \"%s\"", r->user);
	else
		pb_finish(r, 403, "error", "checksum does not match: not from "
		    "Kite, or a different api secret");
}

/* --- step 4: the record, and the broker's book when they disagree ---- */

static void
pb_record_cb(json_t *rows, const struct err *err, void *arg);

/* Remember the update; with o, also move the order to what o says. */
static void
pb_record(struct pb_req *r, const char *verdict, const struct broker_order *o,
    const char *message)
{
	struct store_postback_key	 k;
	struct store_postback_rec	 rec;

	r->verdict = verdict;
	r->applying = o != NULL;
	memset(&rec, 0, sizeof rec);
	rec.checksum = r->checksum;
	rec.verdict = verdict;
	rec.source = r->source;
	if (o != NULL) {
		rec.order_id = r->order_row;
		rec.version = r->version;
		rec.state = broker_state_name(o->state);
		rec.broker_status = o->status;
		rec.filled = o->filled;
		rec.avg_paise = o->avg_price > 0 ? o->avg_price : -1;
		rec.message = message;
	}
	k.account_id = r->account_id;
	k.broker_order_id = r->order.order_id;
	k.status = r->order.status;
	k.filled = r->order.filled;
	k.update_key = r->update_key;
	r->phase = PB_STORE;
	store_postback_record(r->pb->store, &k, &rec, pb_record_cb, r);
}

/*
 * A status an edited replay chose, fit for a log line: the checksum does
 * not cover it, so it may carry a newline to forge the next line.
 */
static void
pb_printable(const char *s, char *out, size_t len)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	out[i] = '\0';
}

static void
pb_consulted(const struct broker_err *be, const struct broker_order *hist,
    size_t n, void *arg)
{
	struct pb_req		*r = arg;
	struct postback		*pb = r->pb;
	struct pb_dead		*d;
	struct pb_ruling	 ru;
	char			 said[sizeof r->order.status];

	if (pb == NULL) {
		r->b = NULL;	/* postback_free is freeing it */
		pb_req_free(r);
		return;
	}
	d = xmalloc(sizeof *d);
	d->b = r->b;
	d->next = pb->dead;
	pb->dead = d;
	r->b = NULL;
	pb->nconsults--;
	if (be != NULL) {
		log_warn("postback", "account %s order %s: the broker's order "
		    "book could not be asked: %s", r->account,
		    r->order.order_id, be->err.msg);
		pb_finishf(r, be->kind == BROKER_ERR_FINAL ? 409 : 503, "error",
		    "contradicts the recorded order, and the broker's order "
		    "book could not be asked (%s): not recorded", be->err.msg);
		return;
	}
	if (postback_rule(&r->rec, &r->order, hist, n, &ru) != 0) {
		pb_finish(r, 409, "error", "contradicts the recorded order, "
		    "and the broker's order book has no history for it: not "
		    "recorded");
		return;
	}
	if (strcmp(ru.verdict, "suspicious") == 0) {
		pb_printable(r->order.status, said, sizeof said);
		log_warn("postback", "suspicious postback from %s: account %s "
		    "order %s reported %s with %lld filled; the record says "
		    "%s with %lld and the broker's order book %s with %lld; "
		    "not recorded", r->source, r->account, r->order.order_id,
		    said, (long long)r->order.filled,
		    broker_state_name(r->rec.state), (long long)r->rec.filled,
		    ru.latest->status, (long long)ru.latest->filled);
	}
	if (!ru.apply) {
		pb_record(r, ru.verdict, NULL, NULL);
		return;
	}
	r->latest = *ru.latest;
	log_warn("postback", "account %s order %s: the record said %s with "
	    "%lld filled, the broker's order book says %s with %lld: "
	    "corrected from the book", r->account, r->order.order_id,
	    broker_state_name(r->rec.state), (long long)r->rec.filled,
	    r->latest.status, (long long)r->latest.filled);
	pb_record(r, ru.verdict, &r->latest, "from the broker's order book: "
	    "a postback contradicted the record");
}

static void
pb_consult(struct pb_req *r, const char *why)
{
	struct postback		*pb = r->pb;
	struct broker_env	 env;
	struct err		 err;

	/*
	 * Anyone holding one real postback of an order can sign endless
	 * variants of it: the broker's rate limit is not theirs to spend.
	 */
	if (pb->nconsults >= PB_CONSULTS) {
		pb_finishf(r, 503, "error", "contradicts the recorded order "
		    "(%s), and too many are being checked against the "
		    "broker's order book; retry later", why);
		return;
	}
	log_info("postback", "account %s order %s from %s: %s; asking the "
	    "broker's order book", r->account, r->order.order_id, r->source,
	    why);
	if (pb->http == NULL)
		pb->http = http_client_new(loop_base());
	memset(&env, 0, sizeof env);
	env.cfg = pb->cfg;
	env.home = pb->home;
	exec_paper_hooks(&env, pb->store);
	env.http = pb->http;
	err_clear(&err);
	if ((r->b = broker_from_row(&env, r->row, &err)) == NULL) {
		pb_finishf(r, 409, "error", "contradicts the recorded order "
		    "(%s), and the broker's order book cannot be asked: %s: "
		    "not recorded", why, err.msg);
		return;
	}
	r->phase = PB_BROKER;
	pb->nconsults++;
	r->b->ops->order_history(r->b, r->order.order_id, pb_consulted, r);
}

static void
pb_plan_written(json_t *rows, const struct err *err, void *arg)
{
	struct pb_req	*r = arg;

	(void)rows;
	if (r->pb == NULL) {
		pb_req_free(r);
		return;
	}
	if (err != NULL)
		log_warn("postback", "order %s: its fan-out's rows not written "
		    "from the intent: %s", r->order.order_id, err->msg);
	pb_lookup(r);
}

/*
 * No order has this broker id or tag yet.  A tag of ours names the
 * fan-out whose intent holds the order: its sender writes the rows after
 * the sends, and a fast broker's postback can come first.  Write them from
 * the intent (as a reconciler would; repeating writes nothing) and look
 * again, once.  1 when asked.
 */
static int
pb_from_plan(struct pb_req *r)
{
	int64_t	fanout_id, account_id;
	int	slice;

	if (r->from_plan || r->order.tag[0] == '\0' ||
	    ctag_parse(r->order.tag, &fanout_id, &account_id, &slice) != 0 ||
	    account_id != r->account_id)
		return 0;
	r->from_plan = 1;
	log_info("postback", "order %s (tag %s) of fan-out %lld came before "
	    "its row: writing the fan-out's rows from its intent",
	    r->order.order_id, r->order.tag, (long long)fanout_id);
	store_fanout_legs(r->pb->store, fanout_id, pb_plan_written, r);
	return 1;
}

static void
pb_looked_up(json_t *rows, const struct err *err, void *arg)
{
	struct pb_req		*r = arg;
	json_t			*row;
	const char		*seen, *version;
	char			 why[256];

	if (r->pb == NULL) {
		pb_req_free(r);
		return;
	}
	if (err != NULL) {
		log_warn("postback", "order %s: not looked up: %s",
		    r->order.order_id, err->msg);
		pb_finish(r, 503, "error", "the store is unavailable; retry "
		    "later");
		return;
	}
	row = json_array_get(rows, 0);
	if ((seen = json_string_value(json_object_get(row, "seen"))) != NULL) {
		r->pb->stats.duplicates++;
		pb_finishf(r, 200, "duplicate", "already seen (%s)", seen);
		return;
	}
	if (!json_is_integer(json_object_get(row, "id"))) {
		if (pb_from_plan(r))
			return;
		pb_record(r, "foreign", NULL, NULL);
		return;
	}
	version = json_string_value(json_object_get(row, "version"));
	r->order_row = json_integer_value(json_object_get(row, "id"));
	snprintf(r->version, sizeof r->version, "%s", version != NULL ?
	    version : "");
	if (postback_state_parse(json_string_value(json_object_get(row,
	    "state")), &r->rec.state) != 0)
		r->rec.state = BROKER_UNKNOWN;
	r->rec.filled = json_integer_value(json_object_get(row, "filled_qty"));
	r->rec.avg = json_integer_value(json_object_get(row, "avg_paise"));
	switch (postback_judge(&r->rec, &r->order, why, sizeof why)) {
	case PB_FORWARD:
		pb_record(r, "recorded", &r->order,
		    r->order.status_message[0] != '\0' ?
		    r->order.status_message : NULL);
		break;
	case PB_UNCHANGED:
		pb_record(r, "unchanged", NULL, NULL);
		break;
	case PB_CONTRADICTS:
		pb_consult(r, why);
		break;
	}
}

static void
pb_lookup(struct pb_req *r)
{
	struct store_postback_key	k;

	k.account_id = r->account_id;
	k.broker_order_id = r->order.order_id;
	k.status = r->order.status;
	k.filled = r->order.filled;
	k.update_key = r->update_key;
	r->phase = PB_STORE;
	store_postback_lookup(r->pb->store, &k, r->order.tag, pb_looked_up, r);
}

/* --- step 5: written ---------------------------------------------------- */

static void
pb_applied(struct pb_req *r)
{
	struct postback_applied	a;

	if (r->pb->hook == NULL)
		return;
	memset(&a, 0, sizeof a);
	a.account = r->account;
	a.account_id = r->account_id;
	a.order_id = r->order_row;
	a.order = r->applying && r->latest.order_id[0] != '\0' ? &r->latest :
	    &r->order;
	a.prev_state = r->rec.state;
	a.prev_filled = r->rec.filled;
	a.prev_avg = r->rec.avg;
	r->pb->hook(&a, r->pb->hook_arg);
}

static void
pb_record_cb(json_t *rows, const struct err *err, void *arg)
{
	struct pb_req	*r = arg;
	struct postback	*pb = r->pb;
	json_t		*row;
	int		 fresh, applied;
	int64_t		 events;

	if (pb == NULL) {
		pb_req_free(r);
		return;
	}
	if (err != NULL) {
		log_warn("postback", "order %s: not recorded: %s",
		    r->order.order_id, err->msg);
		pb_finish(r, 503, "error", "could not store the update; retry "
		    "later");
		return;
	}
	row = json_array_get(rows, 0);
	fresh = json_integer_value(json_object_get(row, "fresh")) > 0;
	applied = json_integer_value(json_object_get(row, "applied")) > 0;
	events = json_integer_value(json_object_get(row, "events"));
	if (r->applying && !applied) {
		/* The order moved since the lookup, or a twin got there. */
		if (++r->tries < PB_TRIES) {
			memset(&r->latest, 0, sizeof r->latest);
			pb_lookup(r);
			return;
		}
		pb_finish(r, 503, "error", "the order kept changing while "
		    "this postback was judged; retry later");
		return;
	}
	if (!fresh && !applied) {
		pb->stats.duplicates++;
		pb_finish(r, 200, "duplicate", "already seen");
		return;
	}
	if (applied)
		pb_applied(r);
	if (strcmp(r->verdict, "suspicious") == 0) {
		pb->stats.suspicious++;
		pb_finishf(r, 409, "error", "contradicts the recorded order "
		    "and the broker's order book (%s, %lld filled): not "
		    "recorded%s", r->latest.order_id[0] != '\0' ?
		    r->latest.status : broker_state_name(r->rec.state),
		    (long long)(r->latest.order_id[0] != '\0' ?
		    r->latest.filled : r->rec.filled), applied ? "; the "
		    "record was corrected from the book" : "");
		return;
	}
	if (strcmp(r->verdict, "stale") == 0) {
		pb->stats.ignored++;
		pb_finishf(r, 200, "ignored", "0 events recorded: an earlier "
		    "state of the order%s", applied ? "; the record was "
		    "corrected from the broker's order book" : "");
		return;
	}
	if (strcmp(r->verdict, "unchanged") == 0) {
		pb->stats.ignored++;
		pb_finishf(r, 200, "success", "0 events recorded: the order is "
		    "already %s with %lld filled",
		    broker_state_name(r->rec.state), (long long)r->rec.filled);
		return;
	}
	pb->stats.accepted++;
	pb_finishf(r, 200, "success", "%lld event%s recorded%s",
	    (long long)events, events == 1 ? "" : "s",
	    strcmp(r->verdict, "corrected") == 0 ? ", from the broker's "
	    "order book" : "");
}

/* --- the receiver ----------------------------------------------------- */

struct postback *
postback_new(struct http_server *srv, const struct postback_opts *o)
{
	struct postback	*pb;
	struct timeval	 tv = { PB_KEYS_EVERY_S, 0 };

	pb = xcalloc(1, sizeof *pb);
	pb->store = o->store;
	pb->cfg = o->cfg;
	pb->home = o->home != NULL ? xstrdup(o->home) : NULL;
	pb->queue_max = o->queue_max > 0 ? o->queue_max : 256;
	pb->hook = o->hook;
	pb->hook_arg = o->hook_arg;
	pb->keys = pb_keys_new(o->home);
	pb->ev_keys = event_new(loop_base(), -1, EV_PERSIST, pb_keys_timer,
	    pb);
	event_add(pb->ev_keys, &tv);
	pb->ev_keys_wait = evtimer_new(loop_base(), pb_keys_late, pb);
	pb_keys_reload(pb);
	http_server_route(srv, "/postback/kite", 0, pb_handle, pb);
	return pb;
}

/*
 * Postbacks still being handled are answered 503 now; their store
 * callbacks find them orphaned and only free them, and broker calls end
 * here as "cancelled".  Free this before the http_server it is routed
 * on, and before its store.
 */
void
postback_free(struct postback *pb)
{
	struct pb_req	*r, *next;
	struct broker	*b;

	if (pb == NULL)
		return;
	for (r = pb->reqs; r != NULL; r = next) {
		next = r->next;
		r->prev = r->next = NULL;
		if (r->req != NULL) {
			evhttp_connection_set_closecb(
			    evhttp_request_get_connection(r->req), NULL, NULL);
			pb_answer(r->req, 503, "error", "shutting down");
			r->req = NULL;
		}
		r->pb = NULL;
		if ((b = r->b) != NULL && r->phase == PB_BROKER) {
			broker_free(b);		/* frees r, through its callback */
		} else if (r->phase == PB_KEYS || r->phase == PB_NONE)
			pb_req_free(r);
	}
	pb->reqs = NULL;
	if (pb->load != NULL)
		pb->load->pb = NULL;
	pb_bury(pb);
	http_client_free(pb->http);
	event_free(pb->ev_keys);
	event_free(pb->ev_keys_wait);
	pb_keys_free(pb->keys);
	free(pb->home);
	free(pb);
}

void
postback_stats(const struct postback *pb, struct postback_stats *out)
{
	*out = pb->stats;
}
