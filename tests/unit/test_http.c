/*
 * http_client.c against http_server.c over real loopback sockets, both on
 * the one loop: methods, bodies and headers, concurrency, keep-alive,
 * timeouts, refused connections, the body limit, routing and cancel --
 * all through libcurl, then all again through the lean sender.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "net/net.h"
#include "testlib.h"

#define MAXBODY	1024
#define NCONC	200

struct got {
	int	 called;
	long	 status;
	char	*body;
	size_t	 body_len;
	char	 ctype[64];
	int64_t	 elapsed_us;
	int	 timed_out;
	char	 error[256];
};

static struct http_server	*srv;
static struct http_client	*hc;
static char			 base_url[64];
static struct got		 gots[NCONC];
static int			 ndone;
static int			 nhang;
static int			 lean;	/* the lean sender carries requests */

static void
h_echo(struct evhttp_request *req, void *arg)
{
	struct strbuf		 sb;
	struct evhttp_connection *evcon;
	const char		*xt, *method;
	char			*body, *addr;
	ev_uint16_t		 port = 0;
	size_t			 len;

	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		method = "GET";
		break;
	case EVHTTP_REQ_POST:
		method = "POST";
		break;
	case EVHTTP_REQ_PUT:
		method = "PUT";
		break;
	case EVHTTP_REQ_DELETE:
		method = "DELETE";
		break;
	default:
		method = "?";
		break;
	}
	xt = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Test");
	evcon = evhttp_request_get_connection(req);
	evhttp_connection_get_peer(evcon, &addr, &port);
	body = http_request_body(req, MAXBODY, &len);
	assert_non_null(body);
	assert_int_equal(strlen(body), len);
	strbuf_init(&sb);
	strbuf_printf(&sb, "{\"method\":\"%s\",\"xtest\":\"%s\",\"port\":%u,"
	    "\"body\":\"%s\"}", method, xt != NULL ? xt : "", port, body);
	http_reply_json(req, 200, sb.s);
	strbuf_free(&sb);
	free(body);
}

static void
h_text(struct evhttp_request *req, void *arg)
{
	struct strbuf	 sb;

	strbuf_init(&sb);
	strbuf_printf(&sb, "%s %s", (const char *)arg,
	    evhttp_request_get_uri(req));
	http_reply_text(req, 201, "text/plain", sb.s);
	strbuf_free(&sb);
}

static void
h_hang(struct evhttp_request *req, void *arg)
{
	nhang++;
}

static void
got_cb(const struct http_response *r, void *arg)
{
	struct got	*g = arg;

	assert_int_equal(g->called, 0);
	g->called = 1;
	g->status = r->status;
	assert_non_null(r->body);
	assert_int_equal(r->body[r->body_len], '\0');
	g->body = xstrndup(r->body, r->body_len);
	g->body_len = r->body_len;
	snprintf(g->ctype, sizeof g->ctype, "%s",
	    r->content_type != NULL ? r->content_type : "");
	g->elapsed_us = r->elapsed_us;
	g->timed_out = r->timed_out;
	snprintf(g->error, sizeof g->error, "%s",
	    r->error != NULL ? r->error : "");
	ndone++;
}

static int
setup(void **state)
{
	struct err	e;

	err_clear(&e);
	memset(gots, 0, sizeof gots);
	ndone = nhang = 0;
	srv = http_server_new(loop_base(), "127.0.0.1:0", MAXBODY, &e);
	if (srv == NULL) {
		print_error("http_server_new: %s\n", e.msg);
		return -1;
	}
	http_server_route(srv, "/echo", 0, h_echo, NULL);
	http_server_route(srv, "/hook/", 1, h_text, (void *)"hook");
	http_server_route(srv, "/hook/special/", 1, h_text, (void *)"special");
	http_server_route(srv, "/hang", 0, h_hang, NULL);
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d",
	    http_server_port(srv));
	hc = http_client_new(loop_base());
	http_client_lean(hc, lean);
	return 0;
}

static int
teardown(void **state)
{
	int	i;

	http_client_free(hc);
	http_server_free(srv);
	loop_free();
	for (i = 0; i < NCONC; i++)
		free(gots[i].body);
	return 0;
}

static void
get(const char *path, struct got *g, int timeout_ms)
{
	char	url[128];

	snprintf(url, sizeof url, "%s%s", base_url, path);
	http_request(hc, "GET", url, NULL, NULL, 0, timeout_ms, got_cb, g);
}

static void
test_port_and_bad_listen(void **state)
{
	struct err	e;

	assert_true(http_server_port(srv) > 0);
	err_clear(&e);
	assert_null(http_server_new(loop_base(), "nonsense", 0, &e));
	assert_string_equal(e.code, "listen");
	assert_non_null(strstr(e.msg, "nonsense"));
	err_clear(&e);
	assert_null(http_server_new(loop_base(), "127.0.0.1:99999", 0, &e));
	assert_string_equal(e.code, "listen");
}

/* Method, headers and body reach the handler; the reply comes back whole. */
static void
test_get_post(void **state)
{
	const char	*hdrs[] = { "X-Test: abc", "Content-Type: text/plain",
			    NULL };
	char		 url[128];

	get("/echo", &gots[0], 2000);
	snprintf(url, sizeof url, "%s/echo", base_url);
	http_request(hc, "POST", url, hdrs, "hello=world&x", 11, 2000, got_cb,
	    &gots[1]);
	http_request(hc, "PUT", url, NULL, "put-body", 8, 2000, got_cb,
	    &gots[2]);
	http_request(hc, "DELETE", url, NULL, NULL, 0, 2000, got_cb, &gots[3]);
	assert_int_equal(http_client_inflight(hc), 4);
	assert_int_equal(ndone, 0);	/* never from inside http_request */
	run_until(&ndone, 4, 5000);
	assert_int_equal(http_client_inflight(hc), 0);

	assert_int_equal(gots[0].status, 200);
	assert_string_equal(gots[0].ctype, "application/json");
	assert_non_null(strstr(gots[0].body, "\"method\":\"GET\""));
	assert_non_null(strstr(gots[0].body, "\"body\":\"\""));
	assert_true(gots[0].elapsed_us > 0);
	assert_string_equal(gots[0].error, "");

	assert_int_equal(gots[1].status, 200);
	assert_non_null(strstr(gots[1].body, "\"method\":\"POST\""));
	assert_non_null(strstr(gots[1].body, "\"xtest\":\"abc\""));
	assert_non_null(strstr(gots[1].body, "\"body\":\"hello=world\""));
	assert_non_null(strstr(gots[2].body, "\"method\":\"PUT\""));
	assert_non_null(strstr(gots[2].body, "\"body\":\"put-body\""));
	assert_non_null(strstr(gots[3].body, "\"method\":\"DELETE\""));
}

/* Exact routes, longest prefix wins, and anything else is a JSON 404. */
static void
test_routing(void **state)
{
	get("/hook/tv?token=1", &gots[0], 2000);
	get("/hook/special/x", &gots[1], 2000);
	get("/nothing", &gots[2], 2000);
	get("/echo/more", &gots[3], 2000);
	run_until(&ndone, 4, 5000);
	assert_int_equal(gots[0].status, 201);
	assert_string_equal(gots[0].ctype, "text/plain");
	assert_string_equal(gots[0].body, "hook /hook/tv?token=1");
	assert_string_equal(gots[1].body, "special /hook/special/x");
	assert_int_equal(gots[2].status, 404);
	assert_string_equal(gots[2].ctype, "application/json");
	assert_int_equal(gots[3].status, 404);
}

static void
test_concurrent(void **state)
{
	char	url[128], body[32], want[64];
	char	*bodies[NCONC];
	int	i;

	snprintf(url, sizeof url, "%s/echo", base_url);
	for (i = 0; i < NCONC; i++) {
		snprintf(body, sizeof body, "n=%d", i);
		bodies[i] = xstrdup(body);
		http_request(hc, "POST", url, NULL, bodies[i], strlen(body),
		    5000, got_cb, &gots[i]);
		/* the client copies the body */
		memset(bodies[i], 'z', strlen(body));
	}
	assert_int_equal(http_client_inflight(hc), NCONC);
	run_until(&ndone, NCONC, 10000);
	for (i = 0; i < NCONC; i++) {
		assert_int_equal(gots[i].status, 200);
		snprintf(want, sizeof want, "\"body\":\"n=%d\"", i);
		assert_non_null(strstr(gots[i].body, want));
		free(bodies[i]);
	}
	assert_int_equal(http_client_inflight(hc), 0);
}

static char *
port_of(const char *body)
{
	const char	*p = strstr(body, "\"port\":");

	assert_non_null(p);
	return xstrndup(p, strcspn(p, ","));
}

/* Sequential requests to one host travel on the same connection. */
static void
test_keepalive(void **state)
{
	char	*p0, *p1, *p2;

	get("/echo", &gots[0], 2000);
	run_until(&ndone, 1, 5000);
	get("/echo", &gots[1], 2000);
	run_until(&ndone, 2, 5000);
	get("/echo", &gots[2], 2000);
	run_until(&ndone, 3, 5000);
	p0 = port_of(gots[0].body);
	p1 = port_of(gots[1].body);
	p2 = port_of(gots[2].body);
	assert_string_equal(p0, p1);
	assert_string_equal(p1, p2);
	free(p0);
	free(p1);
	free(p2);
}

/* This process's TCP connections to the test server. */
static int
conns_to_server(void)
{
	struct sockaddr_in	a;
	socklen_t		len;
	int			fd, n = 0;

	for (fd = 0; fd < 4096; fd++) {
		len = sizeof a;
		if (getpeername(fd, (struct sockaddr *)&a, &len) == 0 &&
		    a.sin_family == AF_INET &&
		    ntohs(a.sin_port) == http_server_port(srv))
			n++;
	}
	return n;
}

/*
 * A burst announced ahead (http_client_expect) finds its connections
 * open: the one idle connection carries one request, spares opened
 * before the burst the others, and libcurl connects nothing more.  Spares
 * no burst used close after a while.
 */
static void
test_expect(void **state)
{
	char	url[128], *ports[6];
	int	i, j;

	snprintf(url, sizeof url, "%s/echo", base_url);
	get("/echo", &gots[0], 2000);
	run_until(&ndone, 1, 5000);
	assert_int_equal(conns_to_server(), 1);

	http_client_expect(hc, url, 5);
	loop_for(100);
	assert_int_equal(conns_to_server(), 5);
	for (i = 1; i <= 5; i++)
		get("/echo", &gots[i], 2000);
	http_client_flush(hc);
	run_until(&ndone, 6, 5000);
	assert_int_equal(conns_to_server(), 5);
	for (i = 0; i <= 5; i++) {
		assert_int_equal(gots[i].status, 200);
		ports[i] = port_of(gots[i].body);
	}
	/* Five at once: five connections, the first request's among them. */
	for (i = 1; i <= 5; i++) {
		for (j = i + 1; j <= 5; j++)
			assert_string_not_equal(ports[i], ports[j]);
	}
	for (i = 1; i <= 5 && strcmp(ports[i], ports[0]) != 0; i++)
		;
	assert_true(i <= 5);
	for (i = 0; i <= 5; i++)
		free(ports[i]);

	/* Announced, never sent: the spares go, libcurl's stay. */
	if (lean)
		return;		/* its idle connections stay for 100 s */
	http_client_expect(hc, url, 8);
	loop_for(100);
	assert_int_equal(conns_to_server(), 8);
	loop_for(3500);
	assert_int_equal(conns_to_server(), 5);
}

/* A handler that never answers: timed_out, an error, and on time. */
static void
test_timeout(void **state)
{
	get("/hang", &gots[0], 200);
	run_until(&ndone, 1, 5000);
	assert_int_equal(nhang, 1);
	assert_int_equal(gots[0].timed_out, 1);
	assert_int_equal(gots[0].status, 0);
	assert_string_not_equal(gots[0].error, "");
	assert_true(gots[0].elapsed_us >= 190000);
	assert_true(gots[0].elapsed_us < 2000000);

	/* the client is still usable afterwards */
	get("/echo", &gots[1], 2000);
	run_until(&ndone, 2, 5000);
	assert_int_equal(gots[1].status, 200);
}

static void
test_refused(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			 url[64];
	int			 fd;

	/* A port that was free a moment ago and has no listener now. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/x", ntohs(sin.sin_port));
	http_request(hc, "GET", url, NULL, NULL, 0, 2000, got_cb, &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].status, 0);
	assert_int_equal(gots[0].timed_out, 0);
	assert_string_not_equal(gots[0].error, "");
}

static void
test_body_too_large(void **state)
{
	char	url[128], *big;

	big = xmalloc(4 * MAXBODY);
	memset(big, 'a', 4 * MAXBODY);
	snprintf(url, sizeof url, "%s/echo", base_url);
	http_request(hc, "POST", url, NULL, big, 4 * MAXBODY, 2000, got_cb,
	    &gots[0]);
	http_request(hc, "POST", url, NULL, big, MAXBODY, 2000, got_cb,
	    &gots[1]);
	free(big);
	run_until(&ndone, 2, 5000);
	assert_int_equal(gots[0].status, 413);
	assert_int_equal(gots[1].status, 200);
}

static int	cancelled_called;

static void
cancelled_cb(const struct http_response *r, void *arg)
{
	cancelled_called++;
}

static void
test_cancel(void **state)
{
	struct http_request	*r;
	char			 url[128];

	snprintf(url, sizeof url, "%s/hang", base_url);
	cancelled_called = 0;
	r = http_request(hc, "GET", url, NULL, NULL, 0, 200, cancelled_cb,
	    NULL);
	get("/echo", &gots[0], 2000);
	http_request_cancel(r);
	assert_int_equal(http_client_inflight(hc), 1);
	run_until(&ndone, 1, 5000);
	get("/echo", &gots[1], 2000);
	run_until(&ndone, 2, 5000);
	assert_int_equal(cancelled_called, 0);
	assert_int_equal(gots[0].status, 200);
	assert_int_equal(http_client_inflight(hc), 0);
}

/* Freeing the client completes what is in flight, with an error. */
static void
test_free_inflight(void **state)
{
	get("/hang", &gots[0], 5000);
	run_until(&nhang, 1, 5000);
	http_client_free(hc);
	hc = NULL;
	assert_int_equal(gots[0].called, 1);
	assert_string_not_equal(gots[0].error, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_port_and_bad_listen,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_body_too_large,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_inflight,
		    setup, teardown),
	};

	int	rc;

	log_open(NULL, LOG_ERROR);
	rc = cmocka_run_group_tests_name("libcurl", tests, NULL, NULL);
	lean = 1;
	rc |= cmocka_run_group_tests_name("lean", tests, NULL, NULL);
	return rc;
}
