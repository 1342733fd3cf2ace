/*
 * The lean sender (http_wire.c): requests written by phalanx itself, one
 * write each, on keep-alive connections libcurl opened (and, for https,
 * did the TLS handshake on) in connect-only mode.  Internal to
 * http_client.c, which sends through it when the client is told to.
 */
#ifndef PX_HTTP_WIRE_H
#define PX_HTTP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "net/net.h"

/* http_wire_parse.c: an HTTP/1.1 answer read as it comes. */
enum wire_state {
	WIRE_STATUS,
	WIRE_HEADERS,
	WIRE_BODY,		/* Content-Length bytes */
	WIRE_BODY_CLOSE,	/* until the connection ends */
	WIRE_CHUNK_SIZE,
	WIRE_CHUNK_DATA,
	WIRE_CHUNK_END,		/* the CRLF after a chunk */
	WIRE_TRAILERS,
	WIRE_DONE,
	WIRE_ERROR
};

struct wire_resp {
	enum wire_state	 st;
	int		 head;		/* answer to HEAD: no body */
	long		 status;
	long long	 clen;		/* -1: no Content-Length */
	int		 chunked;
	int		 keep_alive;
	long long	 retry_after;
	size_t		 need;		/* body or chunk bytes still to come */
	char		 ctype[128];
	char		 err[96];
	struct strbuf	 line;
	struct strbuf	 body;
};

void wire_resp_init(struct wire_resp *, int head);
void wire_resp_free(struct wire_resp *);
/* 1: the answer is whole; 0: more to come; -1: broken (err says why). */
int wire_resp_feed(struct wire_resp *, const char *, size_t);
/* The connection ended: 1 if that completes the answer, else -1. */
int wire_resp_eof(struct wire_resp *);

/* http_wire.c: connections and requests. */
struct http_wires;
struct wire_req;

typedef void (*wire_done_cb)(const struct http_response *, void *arg);

struct http_wires *http_wires_new(struct event_base *, CURLM *);
/* Before curl_multi_cleanup; requests still open are dropped unanswered. */
void http_wires_free(struct http_wires *);
/*
 * Send a request on a connection of url's host (an idle one, one being
 * opened, or a new one); NULL if it cannot be taken here -- a URL or a
 * header it does not handle -- and the caller sends it through libcurl.
 * cb runs once, from the loop, unless the request is cancelled.
 */
struct wire_req *http_wires_send(struct http_wires *, const char *method,
    const char *url, const char *const *headers, const char *body,
    size_t body_len, int timeout_ms, wire_done_cb cb, void *arg);
void http_wires_cancel(struct wire_req *);
/* A connect-only transfer of this module ended: 1 if easy was its. */
int http_wires_connected(struct http_wires *, CURL *easy, CURLcode rc);
void http_wires_expect(struct http_wires *, const char *url, size_t n);
/* Connections opened from now on trust only path's CAs (NULL: system's). */
void http_wires_set_ca(struct http_wires *, const char *path);

#endif
