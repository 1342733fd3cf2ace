/*
 * HTTP server helper over evhttp.  evhttp's own callbacks match whole
 * paths only, so one generic callback dispatches by exact path first and
 * then by the longest matching prefix.  Bodies over max_body are refused by
 * evhttp itself with 413 before any handler runs, and so are headers
 * over HTTP_MAX_HEADERS.
 *
 * A client may hang up before its answer: writing that answer (or the
 * next one of a pipelined batch) to the closed socket raises SIGPIPE,
 * whose default action ends the process.  Every process that serves HTTP
 * must ignore it; http_server_new() makes sure it does.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "net/net.h"

#define HTTP_MAX_HEADERS	(16 * 1024)

struct http_route {
	char			*path;
	size_t			 len;
	int			 prefix;
	http_handler_cb		 cb;
	void			*arg;
	struct http_route	*next;
};

struct http_server {
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	struct http_route		*routes;
};

static struct http_route *
http_route_find(struct http_server *srv, const char *path)
{
	struct http_route	*rt, *best = NULL;

	for (rt = srv->routes; rt != NULL; rt = rt->next) {
		if (!rt->prefix && strcmp(rt->path, path) == 0)
			return rt;
	}
	for (rt = srv->routes; rt != NULL; rt = rt->next) {
		if (!rt->prefix || strncmp(rt->path, path, rt->len) != 0)
			continue;
		if (best == NULL || rt->len > best->len)
			best = rt;
	}
	return best;
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server	*srv = arg;
	const struct evhttp_uri	*uri;
	const char		*path = NULL;
	struct http_route	*rt;

	if ((uri = evhttp_request_get_evhttp_uri(req)) != NULL)
		path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0')
		path = "/";
	if ((rt = http_route_find(srv, path)) == NULL) {
		http_reply_json(req, 404, "{\"error\":\"not found\"}");
		return;
	}
	rt->cb(req, rt->arg);
}

/* "HOST:PORT", "[v6]:PORT" or ":PORT" (all addresses). */
static int
http_parse_listen(const char *listen, char **hostp, int *portp)
{
	const char	*colon;
	char		*end, *host;
	long		 port;
	size_t		 hlen;

	if ((colon = strrchr(listen, ':')) == NULL)
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535)
		return -1;
	hlen = colon - listen;
	if (hlen >= 2 && listen[0] == '[' && listen[hlen - 1] == ']')
		host = xstrndup(listen + 1, hlen - 2);
	else if (hlen == 0)
		host = xstrdup("0.0.0.0");
	else
		host = xstrndup(listen, hlen);
	*hostp = host;
	*portp = (int)port;
	return 0;
}

/*
 * Each connection's buffer: its reads and writes run before the loop's
 * other work (loop.c), since a sender -- TradingView's alert, a broker's
 * postback -- waits on every answer.
 */
static struct bufferevent *
http_urgent_bev(struct event_base *base, void *arg)
{
	struct bufferevent	*bev;

	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL)
		return NULL;
	bufferevent_priority_set(bev, LOOP_URGENT);
	return bev;
}

/*
 * evhttp listens with a backlog of 128.  A burst of new connections --
 * a square-off opening two hundred to one broker, a flood of webhook
 * senders -- overflows it while the loop is busy, and the kernel drops
 * the SYNs it has no room for: those clients try again after a second.
 * listen() again asks for as deep a queue as the system allows.
 */
void
http_listen_deep(struct evhttp_bound_socket *bs)
{
	if (bs != NULL)
		(void)listen(evhttp_bound_socket_get_fd(bs), SOMAXCONN);
}

struct http_server *
http_server_new(struct event_base *base, const char *listen, size_t max_body,
    struct err *e)
{
	struct http_server	*srv;
	char			*host;
	int			 port;

	if (listen == NULL || http_parse_listen(listen, &host, &port) == -1) {
		err_set(e, "listen", "bad listen address \"%s\" (want HOST:PORT)",
		    listen != NULL ? listen : "");
		return NULL;
	}
	signal(SIGPIPE, SIG_IGN);
	srv = xcalloc(1, sizeof *srv);
	if ((srv->http = evhttp_new(base)) == NULL)
		fatal("evhttp_new failed");
	evhttp_set_max_headers_size(srv->http, HTTP_MAX_HEADERS);
	if (max_body > 0)
		evhttp_set_max_body_size(srv->http,
		    max_body > (size_t)SSIZE_MAX ? SSIZE_MAX : (ev_ssize_t)max_body);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(srv->http, http_dispatch, srv);
	evhttp_set_bevcb(srv->http, http_urgent_bev, NULL);
	srv->bound = evhttp_bind_socket_with_handle(srv->http, host,
	    (ev_uint16_t)port);
	if (srv->bound == NULL) {
		err_set(e, "listen", "cannot listen on %s: %s", listen,
		    strerror(errno));
		evhttp_free(srv->http);
		free(srv);
		free(host);
		return NULL;
	}
	http_listen_deep(srv->bound);
	free(host);
	return srv;
}

void
http_server_free(struct http_server *srv)
{
	struct http_route	*rt;

	if (srv == NULL)
		return;
	evhttp_free(srv->http);
	while ((rt = srv->routes) != NULL) {
		srv->routes = rt->next;
		free(rt->path);
		free(rt);
	}
	free(srv);
}

/* The real port, which is what callers want after binding port 0. */
int
http_server_port(const struct http_server *srv)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	evutil_socket_t		 fd;

	fd = evhttp_bound_socket_get_fd(srv->bound);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* A later route for the same path and kind replaces the earlier one. */
void
http_server_route(struct http_server *srv, const char *path, int prefix,
    http_handler_cb cb, void *arg)
{
	struct http_route	*rt;

	for (rt = srv->routes; rt != NULL; rt = rt->next) {
		if (rt->prefix == !!prefix && strcmp(rt->path, path) == 0)
			break;
	}
	if (rt == NULL) {
		rt = xcalloc(1, sizeof *rt);
		rt->path = xstrdup(path);
		rt->len = strlen(path);
		rt->prefix = !!prefix;
		rt->next = srv->routes;
		srv->routes = rt;
	}
	rt->cb = cb;
	rt->arg = arg;
}

void
http_reply_text(struct evhttp_request *req, int status, const char *ctype,
    const char *body)
{
	struct evbuffer	*buf;

	if ((buf = evbuffer_new()) == NULL)
		fatal("evbuffer_new failed");
	if (body != NULL)
		evbuffer_add(buf, body, strlen(body));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype != NULL ? ctype : "text/plain; charset=utf-8");
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

void
http_reply_json(struct evhttp_request *req, int status, const char *json)
{
	http_reply_text(req, status, "application/json", json);
}

char *
http_request_body(struct evhttp_request *req, size_t max, size_t *lenp)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	char		*body;

	if (len > max)
		return NULL;
	body = xmalloc(len + 1);
	if (len > 0 && evbuffer_copyout(in, body, len) != (ev_ssize_t)len)
		fatal("evbuffer_copyout failed");
	body[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return body;
}
