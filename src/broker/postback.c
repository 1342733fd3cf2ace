/*
 * Kite order postbacks: POST /postback/kite with the order as JSON and
 * checksum = sha256(order_id + order_timestamp + api_secret).
 *
 * The user_id in the body names the account, whose api secret (the
 * account's, else its broker's) must reproduce the checksum.  One user id
 * may have accounts at several brokers, so each candidate secret is
 * tried.  A postback already seen (same order, status, filled quantity
 * and update time) is answered 200 and dropped: Kite may send one twice,
 * and a replay must not add an event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <jansson.h>

#include "broker/broker_lib.h"
#include "broker/kite.h"
#include "db/store_broker.h"
#include "net/net.h"
#include "util/secret.h"

#define PB_MAX_BODY	(64 * 1024)
#define PB_SEEN		4096		/* postbacks remembered for dedupe */

struct pb_req;

struct postback {
	struct store		*store;
	char			*home;
	postback_order_fn	 hook;
	void			*hook_arg;
	uint64_t		 seen[PB_SEEN];
	size_t			 nseen;
	size_t			 seen_next;
	uint64_t		 accepted;
	uint64_t		 duplicates;
	uint64_t		 refused;
	struct pb_req		*reqs;
};

/* One postback waiting for the store. */
struct pb_req {
	struct postback		*pb;	/* NULL once the receiver is gone */
	struct evhttp_request	*req;	/* NULL once the client is gone */
	char			*body;
	size_t			 len;
	struct broker_order	 order;
	char			 account[64];
	int64_t			 account_id;
	uint64_t		 key;
	struct pb_req		*prev;
	struct pb_req		*next;
};

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
}

static void
pb_req_free(struct pb_req *r)
{
	pb_unlink(r);
	if (r->req != NULL)
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    r->req), NULL, NULL);
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

	j = json_pack("{s:s,s:s}", "status", word, "message", msg);
	s = json_dumps(j, JSON_COMPACT);
	http_reply_json(req, status, s);
	free(s);
	json_decref(j);
}

static void
pb_refuse(struct postback *pb, struct evhttp_request *req, int status,
    const char *msg)
{
	if (pb != NULL)
		pb->refused++;
	if (req != NULL)
		pb_answer(req, status, "error", msg);
}

/* Answer r (if its client is still there) and free it. */
static void
pb_finish(struct pb_req *r, int status, const char *word, const char *msg)
{
	if (r->req != NULL) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(
		    r->req), NULL, NULL);
		if (status >= 400)
			pb_refuse(r->pb, r->req, status, msg);
		else
			pb_answer(r->req, status, word, msg);
		r->req = NULL;
	} else if (status >= 400 && r->pb != NULL)
		r->pb->refused++;
	pb_req_free(r);
}

/* FNV-1a over the fields that make one update distinct. */
static uint64_t
pb_key(const struct broker_order *o)
{
	char		 buf[256];
	uint64_t	 h = 14695981039346656037ULL;
	const char	*s;

	snprintf(buf, sizeof buf, "%s|%s|%lld|%lld|%lld", o->order_id,
	    o->status, (long long)o->filled, (long long)o->exchange_update_ts,
	    (long long)o->order_ts);
	for (s = buf; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int
pb_seen(const struct postback *pb, uint64_t key)
{
	size_t	i;

	for (i = 0; i < pb->nseen; i++) {
		if (pb->seen[i] == key)
			return 1;
	}
	return 0;
}

static void
pb_remember(struct postback *pb, uint64_t key)
{
	pb->seen[pb->seen_next] = key;
	pb->seen_next = (pb->seen_next + 1) % PB_SEEN;
	if (pb->nseen < PB_SEEN)
		pb->nseen++;
}

static void
pb_forget(struct postback *pb, uint64_t key)
{
	size_t	i;

	for (i = 0; i < pb->nseen; i++) {
		if (pb->seen[i] == key)
			pb->seen[i] = 0;
	}
}

static void
pb_recorded(json_t *rows, const struct err *err, void *arg)
{
	struct pb_req	*r = arg;
	char		 msg[64];

	if (r->pb == NULL) {
		pb_req_free(r);
		return;
	}
	if (err != NULL) {
		pb_forget(r->pb, r->key);
		log_warn("postback", "order %s: event not stored: %s",
		    r->order.order_id, err->msg);
		pb_finish(r, 503, "error", "could not store the update");
		return;
	}
	r->pb->accepted++;
	if (r->pb->hook != NULL)
		r->pb->hook(&r->order, r->account, r->pb->hook_arg);
	snprintf(msg, sizeof msg, "%zu event%s recorded",
	    json_array_size(rows), json_array_size(rows) == 1 ? "" : "s");
	pb_finish(r, 200, "success", msg);
}

/*
 * Try each candidate account's secret.  Returns 1 verified (account and
 * order filled in), 0 no secret matched, -1 the body is malformed (be).
 */
static int
pb_verify(struct pb_req *r, json_t *rows, struct broker_err *be)
{
	json_t		*row;
	const char	*ct;
	char		*secret;
	struct err	 e;
	size_t		 i;
	int		 rc;

	json_array_foreach(rows, i, row) {
		ct = json_string_value(json_object_get(row, "api_secret"));
		if (ct == NULL || strcmp(json_string_value(json_object_get(row,
		    "kind")), "kite") != 0)
			continue;
		err_clear(&e);
		if (secret_decrypt(r->pb->home, ct, &secret, &e) != 0) {
			log_warn("postback", "account %s: api secret cannot "
			    "be decrypted: %s", json_string_value(
			    json_object_get(row, "account")), e.msg);
			continue;
		}
		rc = kite_decode_postback(r->body, r->len, secret, &r->order,
		    be);
		secret_free(secret);
		if (rc == 0) {
			snprintf(r->account, sizeof r->account, "%s",
			    json_string_value(json_object_get(row, "account")));
			r->account_id = json_integer_value(json_object_get(row,
			    "account_id"));
			return 1;
		}
		if (strcmp(be->err.code, "checksum") != 0)
			return -1;
	}
	return 0;
}

static void
pb_creds(json_t *rows, const struct err *err, void *arg)
{
	struct pb_req		*r = arg;
	struct broker_err	 be;
	int			 rc;

	if (r->pb == NULL) {
		pb_req_free(r);
		return;
	}
	if (err != NULL) {
		pb_finish(r, 503, "error", "the store is unavailable");
		return;
	}
	if ((rc = pb_verify(r, rows, &be)) < 0) {
		pb_finish(r, 400, "error", be.err.msg);
		return;
	}
	if (rc == 0) {
		pb_finish(r, 403, "error", json_array_size(rows) == 0 ?
		    "unknown user_id" : "checksum does not match");
		return;
	}
	r->key = pb_key(&r->order);
	if (pb_seen(r->pb, r->key)) {
		r->pb->duplicates++;
		pb_finish(r, 200, "duplicate", "already seen");
		return;
	}
	pb_remember(r->pb, r->key);
	store_order_event_broker(r->pb->store, r->account_id, &r->order,
	    pb_recorded, r);
}

/* Only the user_id is read here; everything else waits for the secret. */
static int
pb_user_id(const char *body, size_t len, char *out, size_t outlen)
{
	json_t		*root, *u;
	int		 rc = -1;

	if ((root = json_loadb(body, len, 0, NULL)) == NULL)
		return -1;
	u = json_object_get(root, "user_id");
	if (json_is_object(root) && json_is_string(u) &&
	    json_string_length(u) > 0 && json_string_length(u) < outlen) {
		snprintf(out, outlen, "%s", json_string_value(u));
		rc = 0;
	}
	json_decref(root);
	return rc;
}

static void
pb_handle(struct evhttp_request *req, void *arg)
{
	struct postback	*pb = arg;
	struct pb_req	*r;
	char		 user[64];
	char		*body;
	size_t		 len;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		pb_refuse(pb, req, 405, "POST only");
		return;
	}
	if ((body = http_request_body(req, PB_MAX_BODY, &len)) == NULL) {
		pb_refuse(pb, req, 413, "body too large");
		return;
	}
	if (pb_user_id(body, len, user, sizeof user) != 0) {
		free(body);
		pb_refuse(pb, req, 400, "not a JSON object with a user_id");
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->pb = pb;
	r->req = req;
	r->body = body;
	r->len = len;
	r->next = pb->reqs;
	if (pb->reqs != NULL)
		pb->reqs->prev = r;
	pb->reqs = r;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    pb_conn_closed, r);
	store_broker_creds(pb->store, NULL, user, pb_creds, r);
}

struct postback *
postback_new(struct http_server *srv, struct store *st, const char *home,
    postback_order_fn hook, void *arg)
{
	struct postback	*pb;

	pb = xcalloc(1, sizeof *pb);
	pb->store = st;
	pb->home = home != NULL ? xstrdup(home) : NULL;
	pb->hook = hook;
	pb->hook_arg = arg;
	http_server_route(srv, "/postback/kite", 0, pb_handle, pb);
	return pb;
}

/*
 * Postbacks still waiting for the store are answered 503 now; their
 * store callbacks find them orphaned and only free them.  Free this
 * before the http_server it is routed on.
 */
void
postback_free(struct postback *pb)
{
	struct pb_req	*r;

	if (pb == NULL)
		return;
	while ((r = pb->reqs) != NULL) {
		pb_unlink(r);
		if (r->req != NULL) {
			evhttp_connection_set_closecb(
			    evhttp_request_get_connection(r->req), NULL, NULL);
			pb_answer(r->req, 503, "error", "shutting down");
			r->req = NULL;
		}
		r->pb = NULL;
	}
	free(pb->home);
	free(pb);
}

void
postback_counts(const struct postback *pb, uint64_t *accepted,
    uint64_t *duplicates, uint64_t *refused)
{
	*accepted = pb->accepted;
	*duplicates = pb->duplicates;
	*refused = pb->refused;
}
