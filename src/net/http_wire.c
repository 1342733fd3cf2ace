/*
 * The lean sender.  libcurl writes a request with four system calls --
 * a liveness poll, the send, another poll, an epoll_ctl -- and a burst of
 * a hundred orders took ~3 ms where a hundred plain writes take ~0.5 ms.
 * Here a request is one write on a connection that carries nothing else
 * in flight; its socket stays watched for reading, so the answer costs a
 * read and no re-arming.
 *
 * The connections are libcurl's, opened in connect-only mode on the
 * client's multi handle: libcurl resolves, connects, goes through a proxy
 * and does the TLS handshake, and curl_easy_send/curl_easy_recv move the
 * bytes when they are TLS; plain TCP is written and read directly.  What
 * is ours is HTTP/1.1: the request's bytes and the answer's framing
 * (http_wire_parse.c).
 *
 * A host is the start of its URLs ("https://api.kite.trade"); its
 * connections are idle, carrying a request, or still connecting (a
 * request may wait on one).  An idle connection the peer closes is seen
 * by its read event, which runs first in its loop turn, and dropped
 * before a burst could pick it; one idle for WIRE_IDLE_S is closed here
 * first.  A request whose connection fails as it is written is tried on
 * another; once sent, a failure is reported as one (no retry, unlike
 * libcurl's on a reused connection): whether the broker took the order
 * is for its order book to say, by the order's tag.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>

#include "net/http_wire.h"

#define WIRE_IDLE_S	100	/* under curl's own 118 s */
#define WIRE_MAX	1024	/* connections per host */
#define WIRE_READ	16384
#define WIRE_EXPECT_MS	3000	/* an announced burst that never came */

enum wire_conn_state { WC_CONNECTING, WC_IDLE, WC_BUSY };

struct wire_origin;

struct wire_conn {
	struct wire_origin	*o;
	CURL			*easy;
	curl_socket_t		 fd;
	enum wire_conn_state	 st;
	int			 raw;		/* plain TCP: our own send/recv */
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_conn;	/* a bare connect's end */
	struct wire_req		*req;
	int64_t			 idle_since_us;
	int			 stale;		/* opened trusting other CAs */
	char			 errbuf[CURL_ERROR_SIZE];
	struct wire_conn	*prev;
	struct wire_conn	*next;
};

struct wire_req {
	struct http_wires	*w;
	struct wire_conn	*c;
	char			*out;
	size_t			 outlen;
	size_t			 outoff;
	struct wire_resp	 resp;
	struct event		*timer;
	int			 timeout_ms;
	int64_t			 start_us;
	wire_done_cb		 cb;
	void			*arg;
};

struct wire_origin {
	struct http_wires	*w;
	char			 key[160];	/* scheme://host[:port] */
	struct wire_conn	*conns;		/* idle ones first */
	struct wire_conn	*tail;
	size_t			 nconns;
	size_t			 expected;	/* announced, not yet sent */
	struct sockaddr_storage	 addr;		/* plain and direct: learnt */
	socklen_t		 addrlen;	/* 0: not known */
	int64_t			 expect_until_us;
	struct wire_origin	*next;
};

struct http_wires {
	struct event_base	*base;
	CURLM			*multi;
	int			 plain;		/* no proxy spoken to in TLS */
	int			 direct;	/* no proxy at all */
	struct wire_origin	*origins;
	struct event		*expiry;
	char			*ca_file;	/* NULL: the system's CAs */
};

static void	wire_readable(evutil_socket_t, short, void *);
static void	wire_writable(evutil_socket_t, short, void *);
static void	wire_idle_expire(evutil_socket_t, short, void *);

/*
 * The proxy libcurl would take for plain http: 2 one it reaches over TLS
 * (then plain http is TLS too), 1 any other, 0 none.
 */
static int
wire_proxy(void)
{
	static const char	*vars[] = { "http_proxy", "HTTP_PROXY",
				    "all_proxy", "ALL_PROXY" };
	const char		*v;
	size_t			 i;
	int			 any = 0;

	for (i = 0; i < nitems(vars); i++) {
		if ((v = getenv(vars[i])) == NULL || *v == '\0')
			continue;
		if (strncasecmp(v, "https://", 8) == 0)
			return 2;
		any = 1;
	}
	return any;
}

struct http_wires *
http_wires_new(struct event_base *base, CURLM *multi)
{
	struct http_wires	*w;
	int			 proxy;

	w = xcalloc(1, sizeof *w);
	w->base = base;
	w->multi = multi;
	proxy = wire_proxy();
	w->plain = proxy != 2;
	w->direct = proxy == 0;
	return w;
}

static void
wire_req_free(struct wire_req *q)
{
	if (q->timer != NULL)
		event_free(q->timer);
	wire_resp_free(&q->resp);
	free(q->out);
	free(q);
}

/*
 * Idle connections are kept at the head of their host's list, busy ones
 * at the tail, so a burst finds each free one without walking the rest.
 */
static void
wire_conn_unlink(struct wire_conn *c)
{
	struct wire_origin	*o = c->o;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		o->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		o->tail = c->prev;
	c->prev = c->next = NULL;
}

static void
wire_conn_head(struct wire_conn *c)
{
	struct wire_origin	*o = c->o;

	c->next = o->conns;
	if (o->conns != NULL)
		o->conns->prev = c;
	else
		o->tail = c;
	o->conns = c;
}

static void
wire_conn_tail(struct wire_conn *c)
{
	struct wire_origin	*o = c->o;

	c->prev = o->tail;
	if (o->tail != NULL)
		o->tail->next = c;
	else
		o->conns = c;
	o->tail = c;
}

static void
wire_conn_set(struct wire_conn *c, enum wire_conn_state st)
{
	c->st = st;
	wire_conn_unlink(c);
	if (st == WC_IDLE) {
		c->idle_since_us = time_mono_us();
		wire_conn_head(c);
	} else
		wire_conn_tail(c);
}

static void
wire_conn_close(struct wire_conn *c)
{
	struct wire_origin	*o = c->o;

	wire_conn_unlink(c);
	o->nconns--;
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_conn != NULL)
		event_free(c->ev_conn);
	if (c->req != NULL)
		c->req->c = NULL;
	if (c->easy != NULL) {
		curl_multi_remove_handle(o->w->multi, c->easy);
		curl_easy_cleanup(c->easy);
	} else
		close(c->fd);
	free(c);
}

void
http_wires_free(struct http_wires *w)
{
	struct wire_origin	*o;

	if (w == NULL)
		return;
	while ((o = w->origins) != NULL) {
		w->origins = o->next;
		while (o->conns != NULL) {
			if (o->conns->req != NULL)
				wire_req_free(o->conns->req);
			wire_conn_close(o->conns);
		}
		free(o);
	}
	if (w->expiry != NULL)
		event_free(w->expiry);
	free(w->ca_file);
	free(w);
}

/* The URL's host and the request target; -1 for what is not ours. */
static struct wire_origin *
wire_origin(struct http_wires *w, const char *url, const char **target)
{
	struct wire_origin	*o;
	const char		*host;
	size_t			 n;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return NULL;
	host = strstr(url, "://") + 3;
	n = strcspn(host, "/?#");
	/* user:password@ and fragments are libcurl's business. */
	if (memchr(host, '@', n) != NULL || strchr(host, '#') != NULL ||
	    strpbrk(host, " \r\n\t") != NULL)
		return NULL;
	n += (size_t)(host - url);
	if (n >= sizeof o->key)
		return NULL;
	*target = url + n;
	for (o = w->origins; o != NULL; o = o->next) {
		if (strlen(o->key) == n && strncmp(o->key, url, n) == 0)
			return o;
	}
	o = xcalloc(1, sizeof *o);
	o->w = w;
	memcpy(o->key, url, n);
	o->next = w->origins;
	w->origins = o;
	return o;
}

static void	wire_bare_connected(evutil_socket_t, short, void *);

/*
 * A plain-TCP host reached with no proxy, whose address a libcurl
 * connection has learnt: more connections are a bare socket and connect,
 * not a libcurl handle each -- 200 of those opened ahead of a square-off
 * cost the loop ~20 ms while its intent was at the store.
 */
static struct wire_conn *
wire_conn_bare(struct wire_origin *o)
{
	struct wire_conn	*c;
	int			 fd, one = 1;

	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return NULL;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&o->addr, o->addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->o = o;
	c->fd = fd;
	c->raw = 1;
	c->st = WC_CONNECTING;
	c->ev_conn = event_new(o->w->base, fd, EV_WRITE, wire_bare_connected,
	    c);
	if (c->ev_conn == NULL)
		fatal("event_new failed");
	event_add(c->ev_conn, NULL);
	wire_conn_tail(c);
	o->nconns++;
	return c;
}

/* A connect-only transfer on the multi: the connection, no request. */
static struct wire_conn *
wire_conn_open(struct wire_origin *o)
{
	struct wire_conn	*c;
	CURL			*e;

	if (o->nconns >= WIRE_MAX)
		return NULL;
	if (o->addrlen != 0)
		return wire_conn_bare(o);
	if ((e = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, o->key);
	curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* Through a proxy, plain http too goes in a tunnel: bytes are ours. */
	curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	http_tls_trust(e, o->w->ca_file);
	c = xcalloc(1, sizeof *c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	c->o = o;
	c->easy = e;
	c->fd = CURL_SOCKET_BAD;
	c->st = WC_CONNECTING;
	if (curl_multi_add_handle(o->w->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		free(c);
		return NULL;
	}
	wire_conn_tail(c);
	o->nconns++;
	return c;
}

/* The request's bytes: curl's defaults where the caller said nothing. */
static int
wire_req_bytes(struct wire_req *q, const char *method, const char *host,
    const char *target, const char *const *headers, const char *body,
    size_t body_len)
{
	struct strbuf	 b;
	const char	*v;
	int		 ctype = 0;
	size_t		 i, hostlen = strcspn(host, "/?#");

	strbuf_init(&b);
	strbuf_printf(&b, "%s %s%s HTTP/1.1\r\nHost: %.*s\r\n"
	    "User-Agent: phalanx/" PX_VERSION "\r\nAccept: */*\r\n", method,
	    *target == '/' ? "" : "/", target, (int)hostlen, host);
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strpbrk(headers[i], "\r\n") != NULL ||
		    (v = strchr(headers[i], ':')) == NULL) {
			strbuf_free(&b);
			return -1;
		}
		for (v++; *v == ' '; v++)
			;
		if (*v == '\0')
			continue;	/* "Name:" takes a default away */
		if (strncasecmp(headers[i], "content-type:", 13) == 0)
			ctype = 1;
		strbuf_printf(&b, "%s\r\n", headers[i]);
	}
	if (body != NULL || strcmp(method, "POST") == 0) {
		if (!ctype)
			strbuf_puts(&b, "Content-Type: "
			    "application/x-www-form-urlencoded\r\n");
		strbuf_printf(&b, "Content-Length: %zu\r\n", body_len);
	}
	strbuf_puts(&b, "\r\n");
	if (body != NULL)
		strbuf_add(&b, body, body_len);
	q->outlen = b.len;
	q->out = strbuf_steal(&b);
	return 0;
}

static void
wire_idle_arm(struct http_wires *w)
{
	struct timeval	tv = { 10, 0 };

	if (w->expiry == NULL &&
	    (w->expiry = evtimer_new(w->base, wire_idle_expire, w)) == NULL)
		fatal("evtimer_new failed");
	if (!evtimer_pending(w->expiry, NULL))
		evtimer_add(w->expiry, &tv);
}

/* The request is over: the connection idles or goes, then cb runs. */
static void
wire_finish(struct wire_req *q, int keep, int code, const char *error)
{
	struct wire_conn	*c = q->c;
	struct http_response	 resp;

	if (c != NULL) {
		c->req = NULL;
		q->c = NULL;
		if (keep && !c->stale) {
			wire_conn_set(c, WC_IDLE);
			if (c->ev_write != NULL)
				event_del(c->ev_write);
			wire_idle_arm(c->o->w);
		} else
			wire_conn_close(c);
	}
	memset(&resp, 0, sizeof resp);
	resp.status = error == NULL ? q->resp.status : 0;
	resp.body = q->resp.body.s != NULL && error == NULL ?
	    q->resp.body.s : "";
	resp.body_len = error == NULL ? q->resp.body.len : 0;
	resp.content_type = error == NULL && q->resp.ctype[0] != '\0' ?
	    q->resp.ctype : NULL;
	resp.elapsed_us = time_mono_us() - q->start_us;
	resp.retry_after_s = q->resp.retry_after;
	resp.curl_code = code;
	resp.error = error;
	resp.timed_out = code == CURLE_OPERATION_TIMEDOUT;
	resp.tls_failed = http_tls_curl_failed(code);
	resp.not_sent = code == CURLE_COULDNT_CONNECT ||
	    code == CURLE_COULDNT_RESOLVE_HOST ||
	    code == CURLE_COULDNT_RESOLVE_PROXY ||
	    (code != CURLE_OK && q->outoff == 0);
	/* cb may free the client and with it this module: touch nothing after. */
	q->cb(&resp, q->arg);
	wire_req_free(q);
}

static void
wire_fail(struct wire_req *q, int code, const char *what, const char *detail)
{
	char	text[CURL_ERROR_SIZE + 64];

	snprintf(text, sizeof text, "%s%s%s", what, detail != NULL ? ": " : "",
	    detail != NULL ? detail : "");
	wire_finish(q, 0, code, text);
}

/*
 * The connection's bytes.  Over TLS (or a proxy spoken to in TLS) they go
 * through libcurl, which finds the connection again on each call by
 * walking all it holds; over plain TCP the socket is written and read
 * directly, as libcurl would.  CURLE_AGAIN: nothing now.
 */
static CURLcode
wire_send(struct wire_conn *c, const char *p, size_t n, size_t *done)
{
	ssize_t	k;

	if (!c->raw)
		return curl_easy_send(c->easy, p, n, done);
	*done = 0;
	if ((k = send(c->fd, p, n, MSG_NOSIGNAL)) >= 0) {
		*done = (size_t)k;
		return CURLE_OK;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
	    CURLE_AGAIN : CURLE_SEND_ERROR;
}

static CURLcode
wire_recv(struct wire_conn *c, char *p, size_t n, size_t *done)
{
	ssize_t	k;

	if (!c->raw)
		return curl_easy_recv(c->easy, p, n, done);
	*done = 0;
	if ((k = recv(c->fd, p, n, 0)) >= 0) {
		*done = (size_t)k;
		return CURLE_OK;
	}
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
	    CURLE_AGAIN : CURLE_RECV_ERROR;
}

/*
 * Write what is left of the request: 0 written or waiting for room, -1
 * the connection failed (nothing of the request left when outoff is 0).
 */
static int
wire_write(struct wire_conn *c)
{
	struct wire_req	*q = c->req;
	size_t		 sent;
	CURLcode	 rc;

	while (q->outoff < q->outlen) {
		sent = 0;
		rc = wire_send(c, q->out + q->outoff, q->outlen - q->outoff,
		    &sent);
		q->outoff += sent;
		if (rc == CURLE_AGAIN) {
			if (c->ev_write == NULL && (c->ev_write = event_new(
			    c->o->w->base, c->fd, EV_WRITE, wire_writable,
			    c)) == NULL)
				fatal("event_new failed");
			event_add(c->ev_write, NULL);
			return 0;
		}
		if (rc != CURLE_OK)
			return -1;
	}
	return 0;
}

static void
wire_writable(evutil_socket_t fd, short what, void *arg)
{
	struct wire_conn	*c = arg;

	if (c->req != NULL && wire_write(c) == -1)
		wire_fail(c->req, CURLE_SEND_ERROR, "send failed", NULL);
}

/* The connection is ready: watch it, and write what waits on it. */
static int
wire_conn_ready(struct wire_conn *c)
{
	struct wire_origin	*o = c->o;

	if (c->easy != NULL) {
		if (curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET,
		    &c->fd) != CURLE_OK || c->fd == CURL_SOCKET_BAD)
			return -1;
		c->raw = o->w->plain && strncmp(o->key, "http://", 7) == 0;
		/* Where the next ones can go without libcurl. */
		o->addrlen = sizeof o->addr;
		if (!c->raw || !o->w->direct || getpeername(c->fd,
		    (struct sockaddr *)&o->addr, &o->addrlen) != 0)
			o->addrlen = 0;
	}
	c->ev_read = event_new(c->o->w->base, c->fd, EV_READ | EV_PERSIST,
	    wire_readable, c);
	if (c->ev_read == NULL)
		fatal("event_new failed");
	/* Before anything that could send on it in the same turn (loop.c). */
	event_priority_set(c->ev_read, LOOP_URGENT);
	event_add(c->ev_read, NULL);
	if (c->req == NULL) {
		wire_conn_set(c, WC_IDLE);
		wire_idle_arm(c->o->w);
		return 0;
	}
	wire_conn_set(c, WC_BUSY);
	return wire_write(c);
}

int
http_wires_connected(struct http_wires *w, CURL *easy, CURLcode rc)
{
	struct wire_origin	*o;
	struct wire_conn	*c = NULL;
	struct wire_req		*q;

	for (o = w->origins; o != NULL && c == NULL; o = o->next) {
		for (c = o->conns; c != NULL; c = c->next) {
			if (c->easy == easy && c->st == WC_CONNECTING)
				break;
		}
	}
	if (c == NULL)
		return 0;
	if (rc == CURLE_OK && wire_conn_ready(c) == 0)
		return 1;
	if ((q = c->req) == NULL)
		wire_conn_close(c);
	else if (rc != CURLE_OK)
		wire_fail(q, rc, "connect failed", c->errbuf[0] != '\0' ?
		    c->errbuf : curl_easy_strerror(rc));
	else
		wire_fail(q, CURLE_SEND_ERROR, "send failed", NULL);
	return 1;
}

static void
wire_bare_connected(evutil_socket_t fd, short what, void *arg)
{
	struct wire_conn	*c = arg;
	struct wire_req		*q = c->req;
	int			 err = 0;
	socklen_t		 len = sizeof err;

	event_free(c->ev_conn);
	c->ev_conn = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0 && wire_conn_ready(c) == 0)
		return;
	if (q == NULL) {
		wire_conn_close(c);
		return;
	}
	if (err != 0) {
		/* Forget the address: the next connection asks libcurl. */
		c->o->addrlen = 0;
		wire_fail(q, CURLE_COULDNT_CONNECT, "connect failed",
		    strerror(err));
	} else
		wire_fail(q, CURLE_SEND_ERROR, "send failed", NULL);
}

/* Take in what arrived; the request ends when its answer is whole. */
static void
wire_readable(evutil_socket_t fd, short what, void *arg)
{
	struct wire_conn	*c = arg;
	struct wire_req		*q;
	char			 buf[WIRE_READ];
	size_t			 n;
	CURLcode		 rc;
	int			 done;

	for (;;) {
		n = 0;
		rc = wire_recv(c, buf, sizeof buf, &n);
		if (rc == CURLE_AGAIN)
			return;
		q = c->req;
		if (q == NULL || c->st != WC_BUSY) {
			/* Idle: the peer closed it, or said what none asked. */
			wire_conn_close(c);
			return;
		}
		if (rc != CURLE_OK) {
			wire_fail(q, CURLE_RECV_ERROR, "receive failed",
			    curl_easy_strerror(rc));
			return;
		}
		if (n == 0) {
			if (wire_resp_eof(&q->resp) == 1)
				wire_finish(q, 0, CURLE_OK, NULL);
			else
				wire_fail(q, q->resp.status == 0 &&
				    q->resp.st == WIRE_STATUS ?
				    CURLE_GOT_NOTHING : CURLE_PARTIAL_FILE,
				    q->resp.err, NULL);
			return;
		}
		if ((done = wire_resp_feed(&q->resp, buf, n)) == -1) {
			wire_fail(q, CURLE_WEIRD_SERVER_REPLY,
			    "unreadable answer", q->resp.err);
			return;
		}
		if (done) {
			wire_finish(q, q->resp.keep_alive &&
			    q->outoff == q->outlen, CURLE_OK, NULL);
			return;
		}
	}
}

/* Idle connections kept too long go. */
static void
wire_idle_expire(evutil_socket_t fd, short what, void *arg)
{
	struct http_wires	*w = arg;
	struct wire_origin	*o;
	struct wire_conn	*c, *next;
	int64_t			 old = time_mono_us() -
				    (int64_t)WIRE_IDLE_S * 1000000;
	int			 idle = 0;

	for (o = w->origins; o != NULL; o = o->next) {
		for (c = o->conns; c != NULL; c = next) {
			next = c->next;
			if (c->st != WC_IDLE)
				continue;
			if (c->idle_since_us < old)
				wire_conn_close(c);
			else
				idle = 1;
		}
	}
	if (idle)
		wire_idle_arm(w);
}

static void
wire_req_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct wire_req	*q = arg;
	char		 text[96];

	snprintf(text, sizeof text, "no answer within %d ms", q->timeout_ms);
	wire_finish(q, 0, CURLE_OPERATION_TIMEDOUT, text);
}

/* An idle connection, else one being opened that no request waits on. */
static struct wire_conn *
wire_conn_free_one(struct wire_origin *o)
{
	struct wire_conn	*c;

	if (o->conns != NULL && o->conns->st == WC_IDLE)
		return o->conns;
	for (c = o->conns; c != NULL; c = c->next) {
		if (c->st == WC_CONNECTING && c->req == NULL)
			return c;
	}
	return NULL;
}

struct wire_req *
http_wires_send(struct http_wires *w, const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    int timeout_ms, wire_done_cb cb, void *arg)
{
	struct wire_origin	*o;
	struct wire_conn	*c;
	struct wire_req		*q;
	const char		*target;
	struct timeval		 tv;

	if ((o = wire_origin(w, url, &target)) == NULL)
		return NULL;
	if (o->expected > 0)
		o->expected--;
	q = xcalloc(1, sizeof *q);
	q->w = w;
	q->cb = cb;
	q->arg = arg;
	q->timeout_ms = timeout_ms;
	q->start_us = time_mono_us();
	wire_resp_init(&q->resp, strcmp(method, "HEAD") == 0);
	if (wire_req_bytes(q, method, strstr(url, "://") + 3, target, headers,
	    body, body_len) != 0) {
		wire_req_free(q);
		return NULL;
	}
	for (;;) {
		if ((c = wire_conn_free_one(o)) == NULL &&
		    (c = wire_conn_open(o)) == NULL) {
			wire_req_free(q);
			return NULL;
		}
		c->req = q;
		q->c = c;
		if (c->st == WC_CONNECTING)
			break;
		wire_conn_set(c, WC_BUSY);
		if (wire_write(c) == 0)
			break;
		/*
		 * Dead (the peer closed it as we wrote): the request, whole
		 * or in part, reached no one able to act on it -- another.
		 */
		c->req = NULL;
		q->c = NULL;
		q->outoff = 0;
		wire_conn_close(c);
	}
	if (timeout_ms > 0) {
		if ((q->timer = evtimer_new(w->base, wire_req_timeout, q)) ==
		    NULL)
			fatal("evtimer_new failed");
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		evtimer_add(q->timer, &tv);
	}
	return q;
}

void
http_wires_cancel(struct wire_req *q)
{
	struct wire_conn	*c = q->c;

	if (c != NULL) {
		c->req = NULL;
		/* Its answer would be taken for the next request's. */
		if (c->st != WC_CONNECTING)
			wire_conn_close(c);
	}
	wire_req_free(q);
}

/*
 * Another trust: no connection verified under the old one carries a new
 * request.  Those free go now; those carrying one go when it ends.
 */
void
http_wires_set_ca(struct http_wires *w, const char *path)
{
	struct wire_origin	*o;
	struct wire_conn	*c, *next;

	if ((path == NULL && w->ca_file == NULL) || (path != NULL &&
	    w->ca_file != NULL && strcmp(path, w->ca_file) == 0))
		return;
	free(w->ca_file);
	w->ca_file = path != NULL ? xstrdup(path) : NULL;
	for (o = w->origins; o != NULL; o = o->next) {
		for (c = o->conns; c != NULL; c = next) {
			next = c->next;
			if (c->req == NULL)
				wire_conn_close(c);
			else
				c->stale = 1;
		}
	}
}

/*
 * n more requests to url's host will start together soon (announced by
 * each account of a square-off in turn): connections for all announced
 * and not yet sent that the free ones cannot carry are opened now.
 */
void
http_wires_expect(struct http_wires *w, const char *url, size_t n)
{
	struct wire_origin	*o;
	struct wire_conn	*c;
	const char		*target;
	size_t			 have = 0;
	int64_t			 now = time_mono_us();

	if ((o = wire_origin(w, url, &target)) == NULL)
		return;
	if (now > o->expect_until_us)
		o->expected = 0;
	o->expected += n;
	o->expect_until_us = now + (int64_t)WIRE_EXPECT_MS * 1000;
	for (c = o->conns; c != NULL; c = c->next) {
		if (c->req == NULL)
			have++;
	}
	while (have < o->expected && wire_conn_open(o) != NULL)
		have++;
}
