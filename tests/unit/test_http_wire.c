/*
 * The lean sender: its answer parser fed whole and a byte at a time,
 * every framing (length, chunks, the connection's end, interim answers)
 * and every way an answer can be broken; then the client against a raw
 * TCP server on loopback that answers what evhttp never would -- chunks,
 * garbage, silence, a close between requests.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "net/http_wire.h"
#include "testlib.h"

/* Feed s whole, or a byte at a time; the last feed's result. */
static int
feed(struct wire_resp *w, const char *s, int bytewise)
{
	size_t	i, n = strlen(s);
	int	rc = 0;

	if (!bytewise)
		return wire_resp_feed(w, s, n);
	for (i = 0; i < n; i++) {
		if ((rc = wire_resp_feed(w, s + i, 1)) != 0)
			return i + 1 == n || rc == -1 ? rc : -2;
	}
	return rc;
}

static void
test_parse_length(void **state)
{
	const char	*s = "HTTP/1.1 200 OK\r\nContent-Type: application/json"
	    "\r\nContent-Length: 11\r\nRetry-After: 7\r\n\r\n{\"a\":\"bcd\"}";
	struct wire_resp w;
	int		 bytewise;

	for (bytewise = 0; bytewise <= 1; bytewise++) {
		wire_resp_init(&w, 0);
		assert_int_equal(feed(&w, s, bytewise), 1);
		assert_int_equal(w.status, 200);
		assert_string_equal(w.ctype, "application/json");
		assert_string_equal(w.body.s, "{\"a\":\"bcd\"}");
		assert_int_equal(w.keep_alive, 1);
		assert_int_equal(w.retry_after, 7);
		wire_resp_free(&w);
	}
}

static void
test_parse_chunked(void **state)
{
	const char	*s = "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5;ext=1\r\nhello\r\n18\r\n, and twenty-one more by\r\n"
	    "0\r\nX-Trailer: t\r\n\r\n";
	struct wire_resp w;
	int		 bytewise;

	for (bytewise = 0; bytewise <= 1; bytewise++) {
		wire_resp_init(&w, 0);
		assert_int_equal(feed(&w, s, bytewise), 1);
		assert_int_equal(w.status, 201);
		assert_string_equal(w.body.s,
		    "hello, and twenty-one more by");
		wire_resp_free(&w);
	}
}

/* No length, no chunks: the body is what comes before the close. */
static void
test_parse_close_delimited(void **state)
{
	struct wire_resp w;

	wire_resp_init(&w, 0);
	assert_int_equal(feed(&w, "HTTP/1.0 200 OK\r\n\r\nall of it", 0), 0);
	assert_int_equal(wire_resp_eof(&w), 1);
	assert_string_equal(w.body.s, "all of it");
	assert_int_equal(w.keep_alive, 0);
	wire_resp_free(&w);

	wire_resp_init(&w, 0);
	assert_int_equal(feed(&w, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    "Content-Length: 2\r\n\r\nok", 0), 1);
	assert_int_equal(w.keep_alive, 0);
	wire_resp_free(&w);
}

static void
test_parse_no_body(void **state)
{
	struct wire_resp w;

	wire_resp_init(&w, 0);
	assert_int_equal(feed(&w, "HTTP/1.1 204 No Content\r\n\r\n", 0), 1);
	wire_resp_free(&w);
	wire_resp_init(&w, 1);		/* HEAD: the length is not sent */
	assert_int_equal(feed(&w, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n"
	    "\r\n", 0), 1);
	assert_int_equal(w.body.len, 0);
	wire_resp_free(&w);
}

static void
expect_broken_n(const char *s, size_t n, const char *why)
{
	struct wire_resp w;

	wire_resp_init(&w, 0);
	assert_int_equal(wire_resp_feed(&w, s, n), -1);
	if (strstr(w.err, why) == NULL)
		fail_msg("\"%s\": error \"%s\", wanted \"%s\"", s, w.err, why);
	/* Broken stays broken. */
	assert_int_equal(wire_resp_feed(&w, "x", 1), -1);
	assert_int_equal(wire_resp_eof(&w), -1);
	wire_resp_free(&w);
}

static void
expect_broken(const char *s, const char *why)
{
	expect_broken_n(s, strlen(s), why);
}

static void
test_parse_broken(void **state)
{
	struct wire_resp w;
	char		 *big;

	expect_broken("HTTP/2 200 OK\r\n", "status line");
	expect_broken("<html>nope</html>\n", "status line");
	expect_broken("HTTP/1.1 2x0 OK\r\n", "status line");
	expect_broken("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n",
	    "Content-Length");
	expect_broken("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999"
	    "9\r\n", "Content-Length");
	expect_broken("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n", "Content-Length");
	expect_broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n",
	    "transfer coding");
	expect_broken_n("HTTP/1.1 200 OK\r\nX: a\0b\r\n", 25, "NUL");
	expect_broken("HTTP/1.1 200 OK\r\nno colon here\r\n", "without");
	expect_broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\n", "chunk size");
	expect_broken("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "2\r\nabX\r\n", "CRLF");
	expect_broken("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab",
	    "after the answer");
	expect_broken("HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n"
	    "\r\n", "too large");

	big = xmalloc(20000);
	memset(big, 'a', 20000);
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	big[19999] = '\0';
	expect_broken(big, "too long");
	free(big);

	/* Cut short: before anything, and in the middle of the body. */
	wire_resp_init(&w, 0);
	assert_int_equal(wire_resp_eof(&w), -1);
	assert_string_equal(w.err, "connection closed before any answer");
	wire_resp_free(&w);
	wire_resp_init(&w, 0);
	assert_int_equal(feed(&w, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
	    "abc", 0), 0);
	assert_int_equal(wire_resp_eof(&w), -1);
	assert_non_null(strstr(w.err, "middle"));
	wire_resp_free(&w);
}

/* The raw server: what it answers is chosen by the request's path. */
struct raw {
	int		 lfd;
	int		 port;
	struct event	*ev;
	int		 accepted;
	int		 requests;
	struct raw_conn	*conns;
};

struct raw_conn {
	struct raw	*srv;
	int		 fd;
	struct event	*ev;
	struct strbuf	 in;
	struct raw_conn	*next;
};

static struct raw	 raw;
static int		 ndone;

struct got {
	int	 called;
	long	 status;
	char	*body;
	int	 not_sent;
	char	 error[256];
};
static struct got	 gots[8];

static void
raw_conn_close(struct raw_conn *rc)
{
	struct raw_conn	**pp;

	for (pp = &rc->srv->conns; *pp != rc; pp = &(*pp)->next)
		;
	*pp = rc->next;
	event_free(rc->ev);
	close(rc->fd);
	strbuf_free(&rc->in);
	free(rc);
}

static void
raw_write(int fd, const char *s)
{
	size_t	n = strlen(s);

	assert_int_equal(write(fd, s, n), (ssize_t)n);
}

/* One whole request in rc->in: answer it as its path says. */
static int
raw_answer(struct raw_conn *rc, const char *path)
{
	rc->srv->requests++;
	if (strncmp(path, "/chunked", 8) == 0)
		raw_write(rc->fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain"
		    "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\none\r\n"
		    "4\r\n two\r\n0\r\n\r\n");
	else if (strncmp(path, "/close-after", 12) == 0) {
		raw_write(rc->fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
		    "\r\nok");
		return -1;
	} else if (strncmp(path, "/until-close", 12) == 0) {
		raw_write(rc->fd, "HTTP/1.1 200 OK\r\n\r\nthe rest");
		return -1;
	} else if (strncmp(path, "/garbage", 8) == 0)
		raw_write(rc->fd, "SSH-2.0-OpenSSH\r\n\r\n");
	else if (strncmp(path, "/silent-close", 13) == 0)
		return -1;
	else
		raw_write(rc->fd, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"
		    "\r\nokay");
	return 0;
}

static void
raw_read(evutil_socket_t fd, short what, void *arg)
{
	struct raw_conn	*rc = arg;
	char		 buf[4096], path[64], *end;
	ssize_t		 n;

	n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		raw_conn_close(rc);
		return;
	}
	strbuf_add(&rc->in, buf, (size_t)n);
	while ((end = strstr(rc->in.s, "\r\n\r\n")) != NULL) {
		assert_int_equal(sscanf(rc->in.s, "%*s %63s", path), 1);
		memmove(rc->in.s, end + 4, strlen(end + 4) + 1);
		rc->in.len = strlen(rc->in.s);
		if (raw_answer(rc, path) == -1) {
			raw_conn_close(rc);
			return;
		}
	}
}

static void
raw_accept(evutil_socket_t fd, short what, void *arg)
{
	struct raw_conn	*rc;
	int		 cfd;

	if ((cfd = accept(fd, NULL, NULL)) == -1)
		return;
	raw.accepted++;
	rc = xcalloc(1, sizeof *rc);
	rc->srv = &raw;
	rc->fd = cfd;
	rc->next = raw.conns;
	raw.conns = rc;
	strbuf_init(&rc->in);
	strbuf_puts(&rc->in, "");
	rc->ev = event_new(loop_base(), cfd, EV_READ | EV_PERSIST, raw_read,
	    rc);
	event_add(rc->ev, NULL);
}

static int
setup_raw(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(&raw, 0, sizeof raw);
	memset(gots, 0, sizeof gots);
	ndone = 0;
	raw.lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(raw.lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(raw.lfd, 16) != 0 ||
	    getsockname(raw.lfd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	raw.port = ntohs(sin.sin_port);
	raw.ev = event_new(loop_base(), raw.lfd, EV_READ | EV_PERSIST,
	    raw_accept, NULL);
	event_add(raw.ev, NULL);
	return 0;
}

static int
teardown_raw(void **state)
{
	size_t	i;

	while (raw.conns != NULL)
		raw_conn_close(raw.conns);
	event_free(raw.ev);
	if (raw.lfd >= 0)
		close(raw.lfd);
	loop_free();
	for (i = 0; i < nitems(gots); i++)
		free(gots[i].body);
	return 0;
}

static void
got_cb(const struct http_response *r, void *arg)
{
	struct got	*g = arg;

	assert_int_equal(g->called, 0);
	g->called = 1;
	g->status = r->status;
	g->body = xstrndup(r->body, r->body_len);
	g->not_sent = r->not_sent;
	snprintf(g->error, sizeof g->error, "%s",
	    r->error != NULL ? r->error : "");
	ndone++;
}

static void
post(struct http_client *hc, const char *path, struct got *g)
{
	char	url[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", raw.port, path);
	http_request(hc, "POST", url, NULL, "a=1", 3, 2000, got_cb, g);
}

static struct http_client *
lean_client(void)
{
	struct http_client	*hc = http_client_new(loop_base());

	http_client_lean(hc, 1);
	return hc;
}

/* Chunks and a close-delimited body arrive whole. */
static void
test_framings(void **state)
{
	struct http_client	*hc = lean_client();

	post(hc, "/chunked", &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].status, 200);
	assert_string_equal(gots[0].body, "one two");
	post(hc, "/until-close", &gots[1]);
	run_until(&ndone, 2, 5000);
	assert_int_equal(gots[1].status, 200);
	assert_string_equal(gots[1].body, "the rest");
	/* The first connection was kept; the second went with its body. */
	assert_int_equal(raw.accepted, 1);
	post(hc, "/plain", &gots[2]);
	run_until(&ndone, 3, 5000);
	assert_int_equal(gots[2].status, 200);
	assert_int_equal(raw.accepted, 2);
	http_client_free(hc);
}

/*
 * The peer closes an idle connection: the client sees it go and the next
 * request goes on a new one, answered, not failed.
 */
static void
test_idle_closed(void **state)
{
	struct http_client	*hc = lean_client();

	post(hc, "/close-after", &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].status, 200);
	assert_string_equal(gots[0].body, "ok");
	loop_for(20);		/* the close arrives while it idles */
	post(hc, "/plain", &gots[1]);
	run_until(&ndone, 2, 5000);
	assert_int_equal(gots[1].status, 200);
	assert_string_equal(gots[1].error, "");
	assert_int_equal(raw.accepted, 2);
	http_client_free(hc);
}

/*
 * Garbage and silence are errors that say so; the request was sent, so
 * it is not reported as unsent; the client goes on working.
 */
static void
test_broken_answers(void **state)
{
	struct http_client	*hc = lean_client();

	post(hc, "/garbage", &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].status, 0);
	assert_non_null(strstr(gots[0].error, "unreadable answer"));
	assert_int_equal(gots[0].not_sent, 0);
	post(hc, "/silent-close", &gots[1]);
	run_until(&ndone, 2, 5000);
	assert_int_equal(gots[1].status, 0);
	assert_non_null(strstr(gots[1].error, "before any answer"));
	assert_int_equal(gots[1].not_sent, 0);
	post(hc, "/plain", &gots[2]);
	run_until(&ndone, 3, 5000);
	assert_int_equal(gots[2].status, 200);
	assert_int_equal(raw.requests, 3);
	http_client_free(hc);
}

/*
 * Bursts announced one account at a time add up: three accounts saying
 * three orders each find nine connections, and nothing more is opened
 * when the nine go.
 */
static void
test_expect_adds_up(void **state)
{
	struct http_client	*hc = lean_client();
	struct got		 more[9];
	char			 url[128];
	int			 i, before;

	memset(more, 0, sizeof more);
	post(hc, "/plain", &gots[0]);
	run_until(&ndone, 1, 5000);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/plain", raw.port);
	for (i = 0; i < 3; i++)
		http_client_expect(hc, url, 3);
	loop_for(100);
	assert_int_equal(raw.accepted, 9);
	before = ndone;
	for (i = 0; i < 9; i++)
		post(hc, "/plain", &more[i]);
	run_until(&ndone, before + 9, 5000);
	for (i = 0; i < 9; i++) {
		assert_int_equal(more[i].status, 200);
		free(more[i].body);
	}
	assert_int_equal(raw.accepted, 9);
	http_client_free(hc);
}

/*
 * Connections after the first are bare connects to the address it
 * reached.  The host gone: a request that needed a new one fails as not
 * sent, with the reason, while the open one still carries its own.
 */
static void
test_bare_connect_refused(void **state)
{
	struct http_client	*hc = lean_client();

	post(hc, "/plain", &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].status, 200);
	event_del(raw.ev);
	close(raw.lfd);
	raw.lfd = -1;
	post(hc, "/plain", &gots[1]);
	post(hc, "/plain", &gots[2]);
	run_until(&ndone, 3, 5000);
	assert_int_equal(gots[1].status, 200);
	assert_int_equal(gots[2].status, 0);
	assert_int_equal(gots[2].not_sent, 1);
	assert_non_null(strstr(gots[2].error, "connect failed"));
	http_client_free(hc);
}

/* A header that would split the request is not sent this way. */
static void
test_header_injection_refused(void **state)
{
	struct http_client	*hc = lean_client();
	const char		*headers[] = { "X-A: a\r\nX-B: b", NULL };
	char			 url[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%d/plain", raw.port);
	/* libcurl carries it instead; whatever it does, one answer comes. */
	http_request(hc, "POST", url, headers, "a=1", 3, 2000, got_cb,
	    &gots[0]);
	run_until(&ndone, 1, 5000);
	assert_int_equal(gots[0].called, 1);
	http_client_free(hc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_length),
		cmocka_unit_test(test_parse_chunked),
		cmocka_unit_test(test_parse_close_delimited),
		cmocka_unit_test(test_parse_no_body),
		cmocka_unit_test(test_parse_broken),
		cmocka_unit_test_setup_teardown(test_framings, setup_raw,
		    teardown_raw),
		cmocka_unit_test_setup_teardown(test_idle_closed, setup_raw,
		    teardown_raw),
		cmocka_unit_test_setup_teardown(test_broken_answers,
		    setup_raw, teardown_raw),
		cmocka_unit_test_setup_teardown(test_expect_adds_up, setup_raw,
		    teardown_raw),
		cmocka_unit_test_setup_teardown(test_bare_connect_refused,
		    setup_raw, teardown_raw),
		cmocka_unit_test_setup_teardown(test_header_injection_refused,
		    setup_raw, teardown_raw),
	};

	log_open(NULL, LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
