/*
 * net: the event loop and everything that plugs into it -- async libpq
 * connections, libcurl multi, evhttp servers.  Single-threaded; every
 * completion arrives as a callback on the loop.  Nothing here blocks.
 */
#ifndef PX_NET_H
#define PX_NET_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "util/util.h"

/* loop.c ------------------------------------------------------------- */

/* The process's one event base; created on first use. */
struct event_base *loop_base(void);
/* The priority of what runs first in a turn of the loop (loop.c). */
#define LOOP_URGENT	0
/* Run until loop_exit() or until nothing is pending. Returns 0 or -1. */
int loop_run(void);
void loop_exit(void);
void loop_free(void);
/* One-shot timer; returns the event (owned by the loop, freed after firing). */
void loop_later(int64_t delay_us, void (*cb)(void *), void *arg);

/* pg.c: one async libpq connection with a FIFO of queries ------------- */

struct pg_conn;

enum pg_state {
	PG_DISCONNECTED,	/* not connected; will retry with backoff */
	PG_CONNECTING,
	PG_READY,
	PG_FAILED		/* gave up: the store is unreachable */
};

/*
 * Completion of one query.  res is valid only during the callback and is
 * NULL when err is set (connection failure, SQL error: err->code is
 * "store-unreachable" or "sql:<SQLSTATE>", err->msg the server's message).
 */
typedef void (*pg_query_cb)(PGresult *res, const struct err *err, void *arg);
typedef void (*pg_notify_cb)(const char *channel, const char *payload,
    void *arg);
typedef void (*pg_state_cb)(enum pg_state, const char *why, void *arg);

struct pg_opts {
	int	connect_timeout_ms;	/* per attempt; default 5000 */
	int	max_attempts;		/* before PG_FAILED; 0 = retry forever */
	int	backoff_min_ms;		/* default 100 */
	int	backoff_max_ms;		/* default 5000 */
	int	urgent;			/* runs before the loop's other work */
};

struct pg_conn *pg_conn_new(struct event_base *, const char *conninfo,
    const struct pg_opts *);	/* opts may be NULL; connects at once */
void pg_conn_free(struct pg_conn *);	/* pending queries get err "cancelled" */
enum pg_state pg_conn_state(const struct pg_conn *);
const char *pg_conn_conninfo(const struct pg_conn *);
const struct pg_opts *pg_conn_opts(const struct pg_conn *);
void pg_conn_on_state(struct pg_conn *, pg_state_cb, void *);

/*
 * Queue a parameterized query (text params; NULL entry = SQL NULL).  sql and
 * params are copied.  Queries run in the order queued; while disconnected
 * they wait, and if the connection is PG_FAILED they complete with
 * err "store-unreachable" (from the loop, never re-entrantly).
 */
void pg_query(struct pg_conn *, const char *sql, int nparams,
    const char *const *params, pg_query_cb, void *arg);
/* The same, queued ahead of every query that is not urgent (pg.c). */
void pg_query_urgent(struct pg_conn *, const char *sql, int nparams,
    const char *const *params, pg_query_cb, void *arg);
/*
 * Statements without parameters, one of them COPY ... FROM STDIN reading
 * data; they run as one transaction (pg.c).
 */
void pg_query_copy(struct pg_conn *, const char *sql, const char *data,
    size_t len, pg_query_cb, void *arg);
/* Number of queries queued or in flight. */
size_t pg_pending(const struct pg_conn *);
/*
 * Pipeline mode (pg_pipe.c): up to depth queries in flight at once, each
 * its own transaction (a sync point of its own: one failing fails no
 * other; one skipped by the server completes with err "pipeline-aborted").
 * Each completes once committed, in the order queued.  A lost connection
 * fails all in flight with "store-unreachable", as it fails the one
 * otherwise; COPY is refused.  Opt-in per connection; depth <= 1 is off
 * (until the next reconnect, a connection already piped stays so, one
 * query in flight).  pg_in_flight: queries sent and not yet answered.
 */
void pg_conn_set_pipeline(struct pg_conn *, int depth);
size_t pg_in_flight(const struct pg_conn *);

/*
 * Named statements (pg_prep.c): a text a connection sends a second time
 * is prepared and then only bound and executed.  pg_prepare_default(0)
 * (store.prepare = false) sends every statement unnamed, in every
 * connection of the process opened from then on or already open.
 * pg_prepared: the connection's statements prepared now.
 */
void pg_prepare_default(int on);
size_t pg_prepared(const struct pg_conn *);

/* LISTEN on a channel; re-issued after every reconnect. */
void pg_listen(struct pg_conn *, const char *channel, pg_notify_cb, void *);

/*
 * pg_copy.c: one "COPY ... TO STDOUT" on a connection of its own, for bulk
 * exports.  setup_sql (with text params) runs first, then copy_sql; data
 * gets each chunk as the server sends it (return -1 to stop), done is
 * called exactly once, from the loop, err NULL on success.
 */
struct pg_copy;
typedef int (*pg_copy_data_cb)(const char *buf, size_t len, void *arg);
typedef void (*pg_copy_done_cb)(const struct err *err, void *arg);
struct pg_copy *pg_copy_out(struct event_base *, const char *conninfo,
    const char *setup_sql, int nparams, const char *const *params,
    const char *copy_sql, pg_copy_data_cb data, pg_copy_done_cb done,
    void *arg);

/* http_client.c: libcurl multi driven by the loop -------------------- */

struct http_client;
struct http_request;

struct http_response {
	long		 status;	/* HTTP status, 0 if none arrived */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
	const char	*content_type;	/* may be NULL */
	int64_t		 elapsed_us;
	int		 timed_out;	/* no complete answer in time */
	int		 not_sent;	/* no connection: nothing reached the peer */
	int		 tls_failed;	/* TLS handshake or certificate: not sent */
	const char	*error;		/* transport error text or NULL */
	int64_t		 retry_after_s;	/* Retry-After header, 0 if none */
	int		 curl_code;	/* CURLcode, 0 when the transfer worked */
};

typedef void (*http_done_cb)(const struct http_response *, void *arg);

struct http_client *http_client_new(struct event_base *);
void http_client_free(struct http_client *);	/* in-flight requests: error */
/*
 * Start a request.  method "GET", "POST", "PUT", "DELETE"; headers is a
 * NULL-terminated array of "Name: value" or NULL; body may be NULL.
 * Connections are reused (keep-alive).  cb is always called exactly once,
 * from the loop.
 */
struct http_request *http_request(struct http_client *, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int timeout_ms, http_done_cb cb, void *arg);
void http_request_cancel(struct http_request *);	/* cb not called */
/*
 * Drive a transfer another module set up on its own CURL easy handle
 * (an SMTP send: URL, upload, recipients).  The client takes the handle
 * (it sets PRIVATE, ERRORBUFFER, NOSIGNAL and the write function) and
 * cleans it up after cb; whatever the handle points at must outlive cb.
 */
struct http_request *http_request_easy(struct http_client *, void *easy,
    int timeout_ms, http_done_cb cb, void *arg);
/*
 * n requests to url's host will start together soon (a square-off's
 * orders, known once positions are read): connections for those the open
 * ones cannot carry are opened now, while the caller waits for something
 * else, so that none of the n waits for a connect (http_spare.c).
 */
void http_client_expect(struct http_client *, const char *url, size_t n);
/*
 * Send through the lean sender (http_wire.c): one write per request on
 * keep-alive connections libcurl opened; for the order path.
 */
void http_client_lean(struct http_client *, int on);
size_t http_client_inflight(const struct http_client *);
/* Write what was added now, from the caller (no callback runs). */
void http_client_flush(struct http_client *);
/*
 * Trust the CA certificates in PEM file path (instead of the system's)
 * for every later https request of the client; NULL or "" goes back to
 * the system's.  The file is read by libcurl at each new connection.
 */
void http_client_set_ca(struct http_client *, const char *path);

/* http_server.c: evhttp helper ---------------------------------------- */

struct http_server;
struct evhttp_request;

typedef void (*http_handler_cb)(struct evhttp_request *, void *arg);

/* Bind "HOST:PORT" (port 0 = any free port).  NULL and err on failure. */
struct http_server *http_server_new(struct event_base *, const char *listen,
    size_t max_body, struct err *);
void http_server_free(struct http_server *);
int http_server_port(const struct http_server *);
/* A listening socket's accept queue as deep as the system allows. */
struct evhttp_bound_socket;
void http_listen_deep(struct evhttp_bound_socket *);
/* Route a path prefix ("/hook/") or exact path ("/metrics"). */
void http_server_route(struct http_server *, const char *path, int prefix,
    http_handler_cb, void *arg);
/* Reply helpers: JSON body with Content-Type application/json. */
void http_reply_json(struct evhttp_request *, int status, const char *json);
void http_reply_text(struct evhttp_request *, int status, const char *ctype,
    const char *body);
/* Request body as a NUL-terminated copy (caller frees); NULL if too big. */
char *http_request_body(struct evhttp_request *, size_t max, size_t *lenp);

/* http_tls.c: HTTPS for an evhttp server ------------------------------ */

struct http_tls;
struct evhttp;

/* PEM certificate chain and key, checked to match; NULL and err if not. */
struct http_tls *http_tls_new(const char *cert_file, const char *key_file,
    struct err *);
/* Every connection http accepts from now on speaks TLS. */
void http_tls_attach(struct http_tls *, struct evhttp *http);
void http_tls_free(struct http_tls *);	/* after the evhttp */
/* A CURL easy handle trusts only the CAs in ca_file (NULL: the system's). */
void http_tls_trust(void *easy, const char *ca_file);
/* 1 if a CURLcode means the TLS handshake failed: nothing was sent. */
int http_tls_curl_failed(int curl_code);

#endif
