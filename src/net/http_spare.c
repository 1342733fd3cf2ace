/*
 * Spare connections.  A burst of requests to one host -- a square-off's
 * 300 orders where 100 connections are open -- had libcurl open the rest
 * with the orders waiting: a socket and a connect each, and the request
 * written only once the connect was seen done, a turn of the loop later.
 * A caller that knows a burst is coming (http_client_expect) has the
 * connections the open ones cannot carry opened here while it still
 * waits for something else; when libcurl then needs a new connection to
 * that host, its open-socket callback gets one already connected
 * (CURL_SOCKOPT_ALREADY_CONNECTED) and writes the request at once.
 *
 * A host is the start of its URLs ("http://127.0.0.1:8080"); its address
 * is the one libcurl last connected to, so nothing is resolved here.  The
 * connections libcurl holds to it are counted from its socket callbacks;
 * those carrying no request are what a burst finds free.  Spares only go
 * out once their connect is done; those not used within HTTP_SPARE_TTL_MS
 * are closed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/net.h"
#include "net/http_spare.h"

#define HTTP_SPARE_TTL_MS	3000
#define HTTP_SPARE_MAX		1024	/* per host */

struct http_spare {
	struct http_origin	*o;
	int			 fd;
	int			 ready;		/* connected */
	struct event		*ev;		/* waiting for the connect */
	struct http_spare	*next;
};

struct http_origin {
	struct http_spares	*sp;
	char			 key[160];	/* scheme://host[:port] */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;	/* 0: never connected yet */
	size_t			 conns;		/* sockets libcurl holds */
	size_t			 busy;		/* requests in flight */
	size_t			 expected;	/* announced, not started */
	int64_t			 expires_us;
	struct http_spare	*spares;
	size_t			 nspares;
	struct http_origin	*next;
};

struct http_spares {
	struct event_base	*base;
	struct http_origin	*origins;
	curl_socket_t		 handed;	/* a spare libcurl just got */
	struct event		*expiry;
};

static void	spare_expire(evutil_socket_t, short, void *);

struct http_spares *
http_spares_new(struct event_base *base)
{
	struct http_spares	*sp;

	sp = xcalloc(1, sizeof *sp);
	sp->base = base;
	sp->handed = CURL_SOCKET_BAD;
	if ((sp->expiry = evtimer_new(base, spare_expire, sp)) == NULL)
		fatal("evtimer_new failed");
	return sp;
}

static void
spare_close(struct http_spare *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	close(s->fd);
	free(s);
}

static void
spare_close_all(struct http_origin *o)
{
	struct http_spare	*s;

	while ((s = o->spares) != NULL) {
		o->spares = s->next;
		spare_close(s);
	}
	o->nspares = 0;
}

void
http_spares_free(struct http_spares *sp)
{
	struct http_origin	*o;

	if (sp == NULL)
		return;
	while ((o = sp->origins) != NULL) {
		sp->origins = o->next;
		spare_close_all(o);
		free(o);
	}
	event_free(sp->expiry);
	free(sp);
}

/* url's host, made on first sight; NULL if the URL has none we can key. */
static struct http_origin *
spare_origin(struct http_spares *sp, const char *url)
{
	struct http_origin	*o;
	const char		*p;
	size_t			 n;

	if ((p = strstr(url, "://")) == NULL)
		return NULL;
	n = (size_t)(p + 3 - url) + strcspn(p + 3, "/?#");
	if (n >= sizeof o->key)
		return NULL;
	for (o = sp->origins; o != NULL; o = o->next) {
		if (strlen(o->key) == n && strncmp(o->key, url, n) == 0)
			return o;
	}
	o = xcalloc(1, sizeof *o);
	o->sp = sp;
	memcpy(o->key, url, n);
	o->next = sp->origins;
	sp->origins = o;
	return o;
}

static void
spare_nodelay(curl_socket_t fd)
{
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* CURLOPT_OPENSOCKETFUNCTION: a ready spare of the host, else a socket. */
static curl_socket_t
spare_open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_origin	*o = clientp;
	struct http_spare	*s, **pp;
	curl_socket_t		 fd;

	if (purpose == CURLSOCKTYPE_IPCXN && a->socktype == SOCK_STREAM &&
	    a->addrlen <= sizeof o->addr) {
		memcpy(&o->addr, &a->addr, a->addrlen);
		o->addrlen = a->addrlen;
		for (pp = &o->spares; (s = *pp) != NULL; pp = &s->next) {
			if (!s->ready)
				continue;
			*pp = s->next;
			o->nspares--;
			fd = s->fd;
			free(s);
			o->sp->handed = fd;
			o->conns++;
			return fd;
		}
	}
	o->sp->handed = CURL_SOCKET_BAD;	/* none pending, whatever came */
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd == -1)
		return CURL_SOCKET_BAD;
	if (a->socktype == SOCK_STREAM)
		spare_nodelay(fd);
	o->conns++;
	return fd;
}

/* CURLOPT_SOCKOPTFUNCTION: a spare needs no connect. */
static int
spare_sockopt_cb(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
	struct http_origin	*o = clientp;

	if (fd != o->sp->handed)
		return CURL_SOCKOPT_OK;
	o->sp->handed = CURL_SOCKET_BAD;
	return CURL_SOCKOPT_ALREADY_CONNECTED;
}

/* CURLOPT_CLOSESOCKETFUNCTION: one connection fewer to the host. */
static int
spare_closesocket_cb(void *clientp, curl_socket_t fd)
{
	struct http_origin	*o = clientp;

	if (o->conns > 0)
		o->conns--;
	return close(fd);
}

struct http_origin *
http_spares_start(struct http_spares *sp, CURL *e, const char *url)
{
	struct http_origin	*o;

	if ((o = spare_origin(sp, url)) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, spare_open_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, o);
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, spare_sockopt_cb);
	curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, o);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, spare_closesocket_cb);
	curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, o);
	/* Set on every socket when it opens: not again on a spare. */
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 0L);
	o->busy++;
	if (o->expected > 0)
		o->expected--;
	return o;
}

void
http_spares_done(struct http_spares *sp, struct http_origin *o, CURL *e)
{
	if (o != NULL && o->busy > 0)
		o->busy--;
}

static void
spare_unlink(struct http_spare *s)
{
	struct http_spare	**pp;

	for (pp = &s->o->spares; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			s->o->nspares--;
			return;
		}
	}
}

static void
spare_connected(evutil_socket_t fd, short what, void *arg)
{
	struct http_spare	*s = arg;
	int			 err = 0;
	socklen_t		 len = sizeof err;

	event_free(s->ev);
	s->ev = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0) {
		spare_unlink(s);
		spare_close(s);
		return;
	}
	s->ready = 1;
}

static int
spare_connect(struct http_origin *o)
{
	struct http_spare	*s;
	int			 fd;

	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd == -1)
		return -1;
	spare_nodelay(fd);
	if (connect(fd, (struct sockaddr *)&o->addr, o->addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	s = xcalloc(1, sizeof *s);
	s->o = o;
	s->fd = fd;
	s->ev = event_new(o->sp->base, fd, EV_WRITE, spare_connected, s);
	if (s->ev == NULL)
		fatal("event_new failed");
	event_add(s->ev, NULL);
	s->next = o->spares;
	o->spares = s;
	o->nspares++;
	return 0;
}

static void
spare_arm(struct http_spares *sp)
{
	struct http_origin	*o;
	struct timeval		 tv;
	int64_t			 next = 0, now = time_mono_us();

	for (o = sp->origins; o != NULL; o = o->next) {
		if (o->expires_us != 0 && (next == 0 || o->expires_us < next))
			next = o->expires_us;
	}
	if (next == 0) {
		evtimer_del(sp->expiry);
		return;
	}
	next = next > now ? next - now : 0;
	tv.tv_sec = next / 1000000;
	tv.tv_usec = next % 1000000;
	evtimer_add(sp->expiry, &tv);
}

/* Bursts that never came: their spares close, their counts reset. */
static void
spare_expire(evutil_socket_t fd, short what, void *arg)
{
	struct http_spares	*sp = arg;
	struct http_origin	*o;
	int64_t			 now = time_mono_us();

	for (o = sp->origins; o != NULL; o = o->next) {
		if (o->expires_us == 0 || o->expires_us > now)
			continue;
		spare_close_all(o);
		o->expected = 0;
		o->expires_us = 0;
	}
	spare_arm(sp);
}

void
http_spares_expect(struct http_spares *sp, const char *url, size_t n)
{
	struct http_origin	*o;
	size_t			 have;

	if (n == 0 || (o = spare_origin(sp, url)) == NULL)
		return;
	o->expected += n;
	o->expires_us = time_mono_us() + (int64_t)HTTP_SPARE_TTL_MS * 1000;
	spare_arm(sp);
	if (o->addrlen == 0)
		return;		/* where to is learnt from the first */
	have = (o->conns > o->busy ? o->conns - o->busy : 0) + o->nspares;
	while (have < o->expected && o->nspares < HTTP_SPARE_MAX &&
	    spare_connect(o) == 0)
		have++;
}
