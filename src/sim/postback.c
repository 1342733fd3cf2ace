/*
 * Postbacks: Kite POSTs the order as JSON to the app's URL on each status
 * change, with checksum = sha256(order_id + order_timestamp + api_secret).
 * Sent through one evhttp connection; a slow or dead receiver costs a
 * queued request, never a blocked loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>

#include "sim/sim_int.h"

#define SIM_POSTBACK_TIMEOUT_S	5
#define SIM_POSTBACK_MAX_QUEUE	10000
#define SIM_POSTBACK_PARALLEL	4

/* One postback waiting or in flight. */
struct pb_item {
	struct pb_item		*next;
	struct sim_postback	*pb;
	struct evhttp_connection *conn;	/* while in flight */
	char			 order_id[24];
	char			*body;
	int			 busy;
};

/*
 * A fresh connection per postback: receivers that close after each answer
 * are common, and evhttp does not resend a queued request on a connection
 * the peer closed.  Up to SIM_POSTBACK_PARALLEL go at once, FIFO, but two
 * postbacks of one order never overlap, so OPEN arrives before COMPLETE.
 */
struct sim_postback {
	struct event_base		*base;
	struct evdns_base		*dns;
	char				*host;
	int				 port;
	char				*path;
	struct pb_item			*head;
	struct pb_item			**tail;
	size_t				 queued;
	size_t				 inflight;
	size_t				 sent;
	size_t				 failed;
};

static void pb_pump(struct sim_postback *);

void
sim_postback_checksum(const char *order_id, const char *order_ts,
    const char *secret, char hex[65])
{
	crypto_hash_sha256_state	st;
	unsigned char			out[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)order_id,
	    strlen(order_id));
	crypto_hash_sha256_update(&st, (const unsigned char *)order_ts,
	    strlen(order_ts));
	crypto_hash_sha256_update(&st, (const unsigned char *)secret,
	    strlen(secret));
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, 65, out, sizeof out);
}

struct sim_postback *
sim_postback_new(struct event_base *base, const char *url, struct err *e)
{
	struct evhttp_uri	*u;
	struct sim_postback	*pb;
	const char		*host, *path, *scheme;
	int			 port;

	if ((u = evhttp_uri_parse(url)) == NULL ||
	    (scheme = evhttp_uri_get_scheme(u)) == NULL ||
	    strcmp(scheme, "http") != 0 ||
	    (host = evhttp_uri_get_host(u)) == NULL) {
		err_set(e, "postback-url", "%s: need an "
		    "http://HOST[:PORT]/PATH URL", url);
		if (u != NULL)
			evhttp_uri_free(u);
		return NULL;
	}
	if (sodium_init() < 0) {
		evhttp_uri_free(u);
		err_set(e, "sodium", "libsodium failed to initialise");
		return NULL;
	}
	pb = xcalloc(1, sizeof *pb);
	pb->base = base;
	port = evhttp_uri_get_port(u);
	path = evhttp_uri_get_path(u);
	pb->host = xstrdup(host);
	pb->path = xstrdup(path != NULL && *path != '\0' ? path : "/");
	pb->port = port > 0 ? port : 80;
	pb->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	pb->tail = &pb->head;
	evhttp_uri_free(u);
	return pb;
}

/* Postbacks still queued or in flight are dropped (no callbacks run). */
void
sim_postback_free(struct sim_postback *pb)
{
	struct pb_item	*it;

	if (pb == NULL)
		return;
	while ((it = pb->head) != NULL) {
		pb->head = it->next;
		if (it->busy)
			evhttp_connection_free(it->conn);
		free(it->body);
		free(it);
	}
	if (pb->dns != NULL)
		evdns_base_free(pb->dns, 0);
	free(pb->host);
	free(pb->path);
	free(pb);
}

size_t
sim_postback_sent(const struct sim_postback *pb)
{
	return pb != NULL ? pb->sent : 0;
}

static void
pb_unlink(struct sim_postback *pb, struct pb_item *it)
{
	struct pb_item	**pp;

	for (pp = &pb->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == it) {
			*pp = it->next;
			if (pb->tail == &it->next)
				pb->tail = pp;
			pb->queued--;
			return;
		}
	}
}

static void
pb_done(struct evhttp_request *req, void *arg)
{
	struct pb_item		*it = arg;
	struct sim_postback	*pb = it->pb;
	int			 code;

	code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (code / 100 == 2)
		pb->sent++;
	else {
		pb->failed++;
		log_warn("sim", "postback for order %s to %s failed (HTTP %d)",
		    it->order_id, pb->host, code);
	}
	pb->inflight--;
	pb_unlink(pb, it);
	free(it->body);
	free(it);
	pb_pump(pb);
}

static int
pb_start(struct sim_postback *pb, struct pb_item *it)
{
	struct evhttp_connection	*conn;
	struct evhttp_request		*req;

	conn = evhttp_connection_base_new(pb->base, pb->dns, pb->host,
	    (unsigned short)pb->port);
	if (conn == NULL)
		return -1;
	evhttp_connection_set_timeout(conn, SIM_POSTBACK_TIMEOUT_S);
	req = evhttp_request_new(pb_done, it);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    pb->host);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Connection", "close");
	evbuffer_add(evhttp_request_get_output_buffer(req), it->body,
	    strlen(it->body));
	if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, pb->path) == -1) {
		evhttp_connection_free(conn);
		return -1;
	}
	evhttp_connection_free_on_completion(conn);
	it->conn = conn;
	it->busy = 1;
	pb->inflight++;
	return 0;
}

/* Start what may start: FIFO, never two of one order at once. */
static void
pb_pump(struct sim_postback *pb)
{
	struct pb_item	*it, *o, *next;
	int		 clash;

	for (it = pb->head; it != NULL && pb->inflight <
	    SIM_POSTBACK_PARALLEL; it = next) {
		next = it->next;
		if (it->busy)
			continue;
		clash = 0;
		for (o = pb->head; o != it; o = o->next)
			clash |= strcmp(o->order_id, it->order_id) == 0;
		if (clash)
			continue;
		if (pb_start(pb, it) == -1) {
			pb->failed++;
			pb_unlink(pb, it);
			free(it->body);
			free(it);
		}
	}
}

void
sim_postback_send(struct sim_postback *pb, const struct sim_book *b,
    const struct sim_order *o)
{
	const struct sim_user	*u = &b->users[o->user];
	struct pb_item		*it;
	json_t			*j;
	char			 ts[32], sum[65];

	if (pb->queued >= SIM_POSTBACK_MAX_QUEUE) {
		pb->failed++;
		return;
	}
	j = sim_json_order(b, o, &o->cur);
	sim_fmt_ts(o->cur.order_us, ts, sizeof ts);
	sim_postback_checksum(o->order_id, ts, u->api_secret, sum);
	json_object_set_new(j, "user_id", json_string(u->user_id));
	json_object_set_new(j, "unfilled_quantity", json_integer(
	    strcmp(o->cur.status, "REJECTED") == 0 ? 0 :
	    o->cur.quantity - o->cur.filled - o->cur.cancelled));
	json_object_set_new(j, "app_id", json_integer(1234));
	json_object_set_new(j, "checksum", json_string(sum));
	it = xcalloc(1, sizeof *it);
	it->pb = pb;
	snprintf(it->order_id, sizeof it->order_id, "%s", o->order_id);
	it->body = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (it->body == NULL) {
		free(it);
		pb->failed++;
		return;
	}
	*pb->tail = it;
	pb->tail = &it->next;
	pb->queued++;
	pb_pump(pb);
}
