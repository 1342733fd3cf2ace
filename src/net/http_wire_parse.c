/*
 * An HTTP/1.1 response read incrementally, as it comes off a connection
 * that carries one request at a time (http_wire.c): the status line, the
 * headers the client needs (Content-Length, Transfer-Encoding,
 * Content-Type, Connection, Retry-After), then a body framed by length,
 * by chunks, or by the connection's end.  Interim 1xx answers are skipped.
 * Anything it cannot frame is an error naming what was wrong, and the
 * connection is not used again.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http_wire.h"

/* A header line or a chunk-size line longer than this is refused. */
#define WIRE_LINE_MAX	16384
/* A body larger than this is refused (the instruments dump is ~10 MiB). */
#define WIRE_BODY_MAX	((size_t)256 << 20)

void
wire_resp_init(struct wire_resp *w, int head)
{
	memset(w, 0, sizeof *w);
	strbuf_init(&w->line);
	strbuf_init(&w->body);
	w->head = head;
	w->st = WIRE_STATUS;
}

void
wire_resp_free(struct wire_resp *w)
{
	strbuf_free(&w->line);
	strbuf_free(&w->body);
}

static int
wire_fail(struct wire_resp *w, const char *what)
{
	snprintf(w->err, sizeof w->err, "%s", what);
	w->st = WIRE_ERROR;
	return -1;
}

/* "HTTP/1.1 200 OK": the version and a three-digit status. */
static int
wire_status_line(struct wire_resp *w, const char *s)
{
	if (strncmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') ||
	    s[8] != ' ' || !isdigit((unsigned char)s[9]) ||
	    !isdigit((unsigned char)s[10]) || !isdigit((unsigned char)s[11]) ||
	    (s[12] != ' ' && s[12] != '\0'))
		return wire_fail(w, "not an HTTP/1.x status line");
	w->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (w->status < 100)
		return wire_fail(w, "status below 100");
	w->keep_alive = s[7] == '1';	/* HTTP/1.0 closes by default */
	w->clen = -1;
	w->chunked = 0;
	w->ctype[0] = '\0';
	w->retry_after = 0;
	w->st = WIRE_HEADERS;
	return 0;
}

/* A decimal that fits, and nothing else. */
static int
wire_number(const char *s, long long *out)
{
	long long	v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
wire_header(struct wire_resp *w, char *s)
{
	char		*v;
	long long	 n;

	if ((v = strchr(s, ':')) == NULL || v == s)
		return wire_fail(w, "header line without a name");
	*v++ = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	if (strcasecmp(s, "content-length") == 0) {
		if (wire_number(v, &n) != 0 || (w->clen >= 0 && w->clen != n))
			return wire_fail(w, "bad Content-Length");
		w->clen = n;
	} else if (strcasecmp(s, "transfer-encoding") == 0) {
		/* chunked must be the last coding; we ask for no other. */
		if (strcasecmp(v, "chunked") != 0)
			return wire_fail(w, "a transfer coding other than "
			    "chunked");
		w->chunked = 1;
	} else if (strcasecmp(s, "content-type") == 0)
		snprintf(w->ctype, sizeof w->ctype, "%s", v);
	else if (strcasecmp(s, "connection") == 0) {
		if (strcasestr(v, "close") != NULL)
			w->keep_alive = 0;
		else if (strcasestr(v, "keep-alive") != NULL)
			w->keep_alive = 1;
	} else if (strcasecmp(s, "retry-after") == 0) {
		if (wire_number(v, &n) == 0)
			w->retry_after = n;
	}
	return 0;
}

/* The blank line: what frames the body follows from the headers. */
static int
wire_headers_end(struct wire_resp *w)
{
	if (w->status < 200) {		/* 100 Continue, 103 Early Hints */
		w->st = WIRE_STATUS;
		return 0;
	}
	if (w->head || w->status == 204 || w->status == 304) {
		w->st = WIRE_DONE;
		return 1;
	}
	if (w->chunked) {
		w->st = WIRE_CHUNK_SIZE;
		return 0;
	}
	if (w->clen >= 0) {
		if ((unsigned long long)w->clen > WIRE_BODY_MAX)
			return wire_fail(w, "body too large");
		w->need = (size_t)w->clen;
		w->st = w->need == 0 ? WIRE_DONE : WIRE_BODY;
		return w->st == WIRE_DONE;
	}
	w->keep_alive = 0;		/* the body ends with the connection */
	w->st = WIRE_BODY_CLOSE;
	return 0;
}

static int
wire_chunk_size(struct wire_resp *w, const char *s)
{
	unsigned long long	 n = 0;
	const char		*p;

	for (p = s; isxdigit((unsigned char)*p); p++) {
		if (n > (WIRE_BODY_MAX >> 4))
			return wire_fail(w, "chunk too large");
		n = n * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' :
		    tolower((unsigned char)*p) - 'a' + 10);
	}
	if (p == s || (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t'))
		return wire_fail(w, "bad chunk size");
	if (n == 0) {
		w->st = WIRE_TRAILERS;
		return 0;
	}
	if (w->body.len + n > WIRE_BODY_MAX)
		return wire_fail(w, "body too large");
	w->need = (size_t)n;
	w->st = WIRE_CHUNK_DATA;
	return 0;
}

/* One complete line (CRLF or LF taken off): what it means in state st. */
static int
wire_line(struct wire_resp *w, char *s)
{
	switch (w->st) {
	case WIRE_STATUS:
		return wire_status_line(w, s);
	case WIRE_HEADERS:
		if (*s == '\0')
			return wire_headers_end(w);
		return wire_header(w, s);
	case WIRE_CHUNK_SIZE:
		return wire_chunk_size(w, s);
	case WIRE_CHUNK_END:
		if (*s != '\0')
			return wire_fail(w, "chunk not followed by CRLF");
		w->st = WIRE_CHUNK_SIZE;
		return 0;
	case WIRE_TRAILERS:
		if (*s != '\0')
			return 0;	/* trailers are not used */
		w->st = WIRE_DONE;
		return 1;
	default:
		return wire_fail(w, "parser state");
	}
}

/* Gather bytes up to a newline; 1 with *linep set when a line is whole. */
static int
wire_take_line(struct wire_resp *w, const char **p, const char *end,
    char **linep)
{
	const char	*nl;
	size_t		 n;

	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl != NULL ? nl : end) - *p);
	if (w->line.len + n > WIRE_LINE_MAX)
		return wire_fail(w, "header or chunk line too long");
	strbuf_add(&w->line, *p, n);
	*p += n;
	if (nl == NULL)
		return 0;
	(*p)++;
	if (w->line.len > 0 && w->line.s[w->line.len - 1] == '\r')
		w->line.s[--w->line.len] = '\0';
	if (memchr(w->line.s, '\0', w->line.len) != NULL)
		return wire_fail(w, "NUL byte in a header");
	*linep = w->line.s;
	return 1;
}

int
wire_resp_feed(struct wire_resp *w, const char *buf, size_t n)
{
	const char	*p = buf, *end = buf + n;
	char		*line;
	size_t		 take;
	int		 rc;

	while (p < end) {
		switch (w->st) {
		case WIRE_DONE:
			return wire_fail(w, "bytes after the answer");
		case WIRE_ERROR:
			return -1;
		case WIRE_BODY:
		case WIRE_CHUNK_DATA:
			take = (size_t)(end - p) < w->need ?
			    (size_t)(end - p) : w->need;
			strbuf_add(&w->body, p, take);
			p += take;
			if ((w->need -= take) == 0)
				w->st = w->st == WIRE_BODY ? WIRE_DONE :
				    WIRE_CHUNK_END;
			if (w->st == WIRE_DONE && p < end)
				return wire_fail(w, "bytes after the answer");
			continue;
		case WIRE_BODY_CLOSE:
			if (w->body.len + (size_t)(end - p) > WIRE_BODY_MAX)
				return wire_fail(w, "body too large");
			strbuf_add(&w->body, p, (size_t)(end - p));
			return 0;
		default:
			break;
		}
		if ((rc = wire_take_line(w, &p, end, &line)) != 1)
			return rc;
		rc = wire_line(w, line);
		strbuf_reset(&w->line);
		if (rc == -1)
			return -1;
		if (w->st == WIRE_DONE && p < end)
			return wire_fail(w, "bytes after the answer");
	}
	return w->st == WIRE_DONE;
}

int
wire_resp_eof(struct wire_resp *w)
{
	if (w->st == WIRE_BODY_CLOSE) {
		w->st = WIRE_DONE;
		return 1;
	}
	if (w->st == WIRE_DONE)
		return 1;
	if (w->st != WIRE_ERROR)
		wire_fail(w, w->st == WIRE_STATUS && w->status == 0 &&
		    w->line.len == 0 ? "connection closed before any answer" :
		    "connection closed in the middle of the answer");
	return -1;
}
