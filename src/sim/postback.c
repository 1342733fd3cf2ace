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

struct sim_postback {
	struct event_base		*base;
	struct evdns_base		*dns;
	struct evhttp_connection	*conn;
	char				*host;
	char				*path;
	size_t				 inflight;
	size_t				 sent;
	size_t				 failed;
};

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
		err_set(e, "postback-url", "%s: need an http://HOST[:PORT]/PATH "
		    "URL", url);
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
	pb->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	pb->conn = evhttp_connection_base_new(base, pb->dns, pb->host,
	    (unsigned short)(port > 0 ? port : 80));
	evhttp_connection_set_timeout(pb->conn, SIM_POSTBACK_TIMEOUT_S);
	evhttp_connection_set_retries(pb->conn, 0);
	evhttp_uri_free(u);
	return pb;
}

void
sim_postback_free(struct sim_postback *pb)
{
	if (pb == NULL)
		return;
	evhttp_connection_free(pb->conn);
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
postback_done(struct evhttp_request *req, void *arg)
{
	struct sim_postback	*pb = arg;

	pb->inflight--;
	if (req == NULL || evhttp_request_get_response_code(req) / 100 != 2) {
		pb->failed++;
		log_warn("sim", "postback to %s failed (HTTP %d)", pb->host,
		    req != NULL ? evhttp_request_get_response_code(req) : 0);
		return;
	}
	pb->sent++;
}

void
sim_postback_send(struct sim_postback *pb, const struct sim_book *b,
    const struct sim_order *o)
{
	const struct sim_user	*u = &b->users[o->user];
	struct evhttp_request	*req;
	json_t			*j;
	char			*body, ts[32], sum[65];

	if (pb->inflight >= SIM_POSTBACK_MAX_QUEUE) {
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
	body = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	req = evhttp_request_new(postback_done, pb);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    pb->host);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body,
	    strlen(body));
	free(body);
	if (evhttp_make_request(pb->conn, req, EVHTTP_REQ_POST,
	    pb->path) == -1) {
		pb->failed++;
		return;
	}
	pb->inflight++;
}
