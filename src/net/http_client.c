/*
 * HTTP client: one libcurl multi handle driven by the loop.
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when it
 * next wants a timeout (CURLMOPT_TIMERFUNCTION); we turn those into libevent
 * events and hand readiness back with curl_multi_socket_action.  Finished
 * transfers are collected with curl_multi_info_read and their callbacks run
 * from there, never from inside a curl callback.  Easy handles are removed
 * from the multi handle when done, which leaves their connections in the
 * multi's cache for the next request to the same host (keep-alive).
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "net/net.h"
#include "net/http_spare.h"
#include "net/http_wire.h"

/*
 * Easy handles kept for the next requests: a new one is a large zeroed
 * allocation and a buffer, for each of a burst's orders.
 */
#define HTTP_POOL	256

/* One socket curl asked us to watch. */
struct http_sock {
	struct http_client	*hc;
	curl_socket_t		 fd;
	struct event		*ev;
	struct http_sock	*prev;
	struct http_sock	*next;
};

struct http_request {
	struct http_client	*hc;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*body;
	struct strbuf		 resp;
	char			 errbuf[CURL_ERROR_SIZE];
	int64_t			 start_us;
	struct http_origin	*origin;	/* its host's spares, or NULL */
	struct wire_req		*wire;		/* sent by http_wire.c */
	int			 pooled;	/* easy goes back to the pool */
	http_done_cb		 cb;
	void			*arg;
	int			 in_cb;
	struct http_request	*prev;
	struct http_request	*next;
};

struct http_client {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	struct event		*ev_collect;	/* after http_client_flush */
	struct http_sock	*socks;
	struct http_request	*reqs;
	size_t			 ninflight;
	size_t			 ncurl;		/* of those, libcurl's */
	struct http_spares	*spares;
	struct http_wires	*wires;		/* NULL: all through curl */
	CURL			*pool[HTTP_POOL];	/* reset easy handles */
	size_t			 npool;
	char			*ca_file;	/* NULL: the system's CAs */
	int			*alivep;
	int			 freeing;
};

/* Idle connections kept (CURLMOPT_MAXCONNECTS): one per account. */
#define HTTP_MAX_IDLE	2048L

static int	http_curl_refs;

static void	http_sock_event(evutil_socket_t, short, void *);
static void	http_req_start(struct http_client *, struct http_request *);
static void	http_req_link(struct http_client *, struct http_request *);

static void
http_sock_free(struct http_sock *s)
{
	struct http_client	*hc = s->hc;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		hc->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	if (s->ev != NULL)
		event_free(s->ev);
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: (re)arm a persistent event with curl's wishes. */
static int
http_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct http_client	*hc = userp;
	struct http_sock	*s = sockp;
	short			 kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(hc->multi, fd, NULL);
			http_sock_free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->hc = hc;
		s->fd = fd;
		s->next = hc->socks;
		if (hc->socks != NULL)
			hc->socks->prev = s;
		hc->socks = s;
		curl_multi_assign(hc->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s->ev != NULL)
		event_free(s->ev);
	s->ev = event_new(hc->base, fd, kind, http_sock_event, s);
	if (s->ev == NULL)
		fatal("event_new failed");
	event_add(s->ev, NULL);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: curl may not be re-entered here, so 0 = next turn. */
static int
http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client	*hc = userp;
	struct timeval		 tv;

	if (timeout_ms < 0) {
		evtimer_del(hc->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(hc->timer, &tv);
	return 0;
}

static size_t
http_write_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct http_request	*r = userp;

	strbuf_add(&r->resp, ptr, size * nmemb);
	return size * nmemb;
}

static void
http_req_unlink(struct http_request *r)
{
	struct http_client	*hc = r->hc;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		hc->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	hc->ninflight--;
}

static void
http_req_free(struct http_request *r)
{
	struct http_client	*hc = r->hc;

	/* hc is only looked at for a pooled handle: it may be gone. */
	if (r->easy != NULL && r->pooled && !hc->freeing &&
	    hc->npool < HTTP_POOL) {
		curl_easy_reset(r->easy);
		hc->pool[hc->npool++] = r->easy;
	} else if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	strbuf_free(&r->resp);
	free(r->body);
	free(r);
}

/* Calls r's callback and frees r; -1 if the callback freed the client. */
static int
http_req_deliver(struct http_request *r, const struct http_response *resp)
{
	struct http_client	*hc = r->hc;
	int			 alive = 1, *outer = hc->alivep;

	r->in_cb = 1;
	hc->alivep = &alive;
	r->cb(resp, r->arg);
	if (!alive)
		r->pooled = 0;	/* the client went: no pool to go to */
	http_req_free(r);
	if (!alive) {
		if (outer != NULL)
			*outer = 0;
		return -1;
	}
	hc->alivep = outer;
	return 0;
}

/* A request the lean sender carried ended (http_wire.c). */
static void
http_wire_done(const struct http_response *resp, void *arg)
{
	struct http_request	*r = arg;

	r->wire = NULL;		/* http_wire.c frees its part after this */
	http_req_unlink(r);
	http_req_deliver(r, resp);
}

/* Calls r's callback; -1 if the callback freed the client. */
static int
http_req_finish(struct http_request *r, CURLcode rc)
{
	struct http_client	*hc = r->hc;
	struct http_response	 resp;
	char			*ctype = NULL;

	memset(&resp, 0, sizeof resp);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
	curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ctype);
	resp.content_type = ctype;
	resp.body = r->resp.s != NULL ? r->resp.s : "";
	resp.body_len = r->resp.len;
	resp.elapsed_us = time_mono_us() - r->start_us;
	{
		curl_off_t	ra = 0;

		if (curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &ra) ==
		    CURLE_OK && ra > 0)
			resp.retry_after_s = (int64_t)ra;
	}
	resp.curl_code = (int)rc;
	http_spares_done(hc->spares, r->origin, r->easy);
	r->origin = NULL;
	if (rc != CURLE_OK) {
		resp.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		resp.tls_failed = http_tls_curl_failed(rc);
		/*
		 * No connection was made, or its handshake failed: the
		 * request surely went nowhere.
		 */
		resp.not_sent = rc == CURLE_COULDNT_CONNECT ||
		    rc == CURLE_COULDNT_RESOLVE_HOST ||
		    rc == CURLE_COULDNT_RESOLVE_PROXY || resp.tls_failed;
		resp.error = r->errbuf[0] != '\0' ? r->errbuf :
		    curl_easy_strerror(rc);
	}

	return http_req_deliver(r, &resp);
}

/* -1 if a callback freed the client. */
static int
http_check_done(struct http_client *hc)
{
	CURLMsg			*msg;
	struct http_request	*r;
	int			 left;

	while ((msg = curl_multi_info_read(hc->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (hc->wires != NULL) {
			int	alive = 1, *outer = hc->alivep, mine;

			/* A failed connect answers the request waiting on it. */
			/* cppcheck-suppress autoVariables ; reset before return */
			hc->alivep = &alive;
			mine = http_wires_connected(hc->wires,
			    msg->easy_handle, msg->data.result);
			if (!alive) {
				if (outer != NULL)
					*outer = 0;
				return -1;
			}
			hc->alivep = outer;
			if (mine)
				continue;
		}
		r = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&r);
		if (r == NULL)
			continue;
		curl_multi_remove_handle(hc->multi, r->easy);
		http_req_unlink(r);
		hc->ncurl--;
		if (http_req_finish(r, msg->data.result) == -1)
			return -1;
	}
	return 0;
}

static void
http_action(struct http_client *hc, curl_socket_t fd, int flags)
{
	int	running;

	curl_multi_socket_action(hc->multi, fd, flags, &running);
	http_check_done(hc);
}

static void
http_sock_event(evutil_socket_t fd, short what, void *arg)
{
	struct http_sock	*s = arg;
	int			 flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	http_action(s->hc, fd, flags);
}

static void
http_timer_event(evutil_socket_t fd, short what, void *arg)
{
	http_action(arg, CURL_SOCKET_TIMEOUT, 0);
}

static void
http_collect_event(evutil_socket_t fd, short what, void *arg)
{
	http_check_done(arg);
}

struct http_client *
http_client_new(struct event_base *base)
{
	struct http_client	*hc;

	if (http_curl_refs++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatal("curl_global_init failed");
	hc = xcalloc(1, sizeof *hc);
	hc->base = base;
	if ((hc->multi = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
	hc->timer = evtimer_new(base, http_timer_event, hc);
	hc->ev_collect = event_new(base, -1, 0, http_collect_event, hc);
	if (hc->timer == NULL || hc->ev_collect == NULL)
		fatal("evtimer_new failed");
	curl_multi_setopt(hc->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(hc->multi, CURLMOPT_SOCKETDATA, hc);
	curl_multi_setopt(hc->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(hc->multi, CURLMOPT_TIMERDATA, hc);
	/*
	 * Keep every connection a fan-out opened: by default the cache
	 * shrinks with the transfers still running (four per easy handle),
	 * so the last answers of a burst closed their connections and the
	 * next burst waited for connects, behind the broker's busy accept.
	 */
	curl_multi_setopt(hc->multi, CURLMOPT_MAXCONNECTS, HTTP_MAX_IDLE);
	hc->spares = http_spares_new(base);
	return hc;
}

/*
 * In-flight requests complete with an error, here and now: the client is
 * going away and the loop may never turn again.
 */
void
http_client_free(struct http_client *hc)
{
	struct http_request	*r;

	if (hc == NULL || hc->freeing)
		return;
	hc->freeing = 1;
	if (hc->alivep != NULL)
		*hc->alivep = 0;
	hc->alivep = NULL;

	while ((r = hc->reqs) != NULL) {
		http_req_unlink(r);
		if (r->wire != NULL) {
			struct http_response	resp;

			http_wires_cancel(r->wire);
			r->wire = NULL;
			memset(&resp, 0, sizeof resp);
			resp.body = "";
			resp.error = "client closed";
			resp.curl_code = CURLE_ABORTED_BY_CALLBACK;
			resp.elapsed_us = time_mono_us() - r->start_us;
			http_req_deliver(r, &resp);
			continue;
		}
		curl_multi_remove_handle(hc->multi, r->easy);
		hc->ncurl--;
		snprintf(r->errbuf, sizeof r->errbuf, "client closed");
		http_req_finish(r, CURLE_ABORTED_BY_CALLBACK);
	}
	/* Its connections are easy handles on the multi: gone first. */
	http_wires_free(hc->wires);
	curl_multi_cleanup(hc->multi);
	while (hc->npool > 0)
		curl_easy_cleanup(hc->pool[--hc->npool]);
	/* After the cleanup: it closed the connections the spares count. */
	http_spares_free(hc->spares);
	while (hc->socks != NULL)
		http_sock_free(hc->socks);
	event_free(hc->timer);
	event_free(hc->ev_collect);
	free(hc->ca_file);
	free(hc);
	if (--http_curl_refs == 0)
		curl_global_cleanup();
}

static void
http_set_method(struct http_request *r, const char *method, const char *body,
    size_t body_len)
{
	CURL	*e = r->easy;

	if (body != NULL) {
		r->body = xmalloc(body_len + 1);
		memcpy(r->body, body, body_len);
		r->body[body_len] = '\0';
	}
	if (strcmp(method, "GET") == 0 && body == NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		return;
	}
	if (body != NULL || strcmp(method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS,
		    r->body != NULL ? r->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(r->body != NULL ? body_len : 0));
	}
	if (strcmp(method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
}

struct http_request *
http_request(struct http_client *hc, const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    int timeout_ms, http_done_cb cb, void *arg)
{
	struct http_request	*r;
	CURL			*e;
	size_t			 i;

	r = xcalloc(1, sizeof *r);
	r->hc = hc;
	r->cb = cb;
	r->arg = arg;
	strbuf_init(&r->resp);
	r->start_us = time_mono_us();
	r->pooled = 1;
	if (hc->wires != NULL && (r->wire = http_wires_send(hc->wires,
	    method != NULL ? method : "GET", url, headers, body, body_len,
	    timeout_ms, http_wire_done, r)) != NULL) {
		http_req_link(hc, r);
		return r;
	}
	if (hc->npool > 0)
		r->easy = e = hc->pool[--hc->npool];
	else if ((r->easy = e = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "phalanx/" PX_VERSION);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	http_tls_trust(e, hc->ca_file);
	if (timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	http_set_method(r, method != NULL ? method : "GET", body, body_len);

	/* An empty Expect: stops curl waiting a second for 100-continue. */
	r->headers = curl_slist_append(NULL, "Expect:");
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		r->headers = curl_slist_append(r->headers, headers[i]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
	r->origin = http_spares_start(hc->spares, e, url);
	http_req_start(hc, r);
	return r;
}

static void
http_req_link(struct http_client *hc, struct http_request *r)
{
	r->next = hc->reqs;
	if (hc->reqs != NULL)
		hc->reqs->prev = r;
	hc->reqs = r;
	hc->ninflight++;
}

static void
http_req_start(struct http_client *hc, struct http_request *r)
{
	http_req_link(hc, r);
	hc->ncurl++;
	/* The transfer starts from the timer curl sets here, on the loop. */
	if (curl_multi_add_handle(hc->multi, r->easy) != CURLM_OK)
		fatal("curl_multi_add_handle failed");
}

struct http_request *
http_request_easy(struct http_client *hc, void *easy, int timeout_ms,
    http_done_cb cb, void *arg)
{
	struct http_request	*r;

	r = xcalloc(1, sizeof *r);
	r->hc = hc;
	r->cb = cb;
	r->arg = arg;
	r->easy = easy;
	strbuf_init(&r->resp);
	r->start_us = time_mono_us();
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	if (timeout_ms > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	http_req_start(hc, r);
	return r;
}

void
http_request_cancel(struct http_request *r)
{
	if (r == NULL || r->in_cb)
		return;
	if (r->wire != NULL) {
		http_wires_cancel(r->wire);
		r->wire = NULL;
		http_req_unlink(r);
		http_req_free(r);
		return;
	}
	curl_multi_remove_handle(r->hc->multi, r->easy);
	http_req_unlink(r);
	r->hc->ncurl--;
	http_spares_done(r->hc->spares, r->origin, r->easy);
	http_req_free(r);
}

/*
 * Write the requests added so far now, rather than from the timer curl
 * asked for: a burst of orders goes out before the caller returns to the
 * loop.  Only curl runs here; transfers that finished are collected from
 * the loop, never inside the caller.
 */
void
http_client_flush(struct http_client *hc)
{
	int	running;

	/* The lean sender's requests are written already. */
	if (hc->freeing || hc->ncurl == 0)
		return;
	curl_multi_socket_action(hc->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	event_active(hc->ev_collect, EV_TIMEOUT, 0);
}

void
http_client_expect(struct http_client *hc, const char *url, size_t n)
{
	if (hc->freeing)
		return;
	if (hc->wires != NULL)
		http_wires_expect(hc->wires, url, n);
	else
		http_spares_expect(hc->spares, url, n);
}

void
http_client_lean(struct http_client *hc, int on)
{
	if (on && hc->wires == NULL) {
		hc->wires = http_wires_new(hc->base, hc->multi);
		http_wires_set_ca(hc->wires, hc->ca_file);
	}
}

void
http_client_set_ca(struct http_client *hc, const char *path)
{
	free(hc->ca_file);
	hc->ca_file = path != NULL && *path != '\0' ? xstrdup(path) : NULL;
	if (hc->wires != NULL)
		http_wires_set_ca(hc->wires, hc->ca_file);
}

size_t
http_client_inflight(const struct http_client *hc)
{
	return hc->ninflight;
}
