/*
 * Open-loop HTTP load for the webhook bench (tests/bench/webhooks.sh
 * builds it with the system's cc and libevent; hook_load.py does the same
 * slower, where this cannot be built).  POSTs a body to a URL at a fixed
 * rate over keep-alive connections: request i is due at start + i/rate,
 * whatever the server's answers did meanwhile; a due request waits for a
 * free connection in one queue, and is timed from when it was due to its
 * answer, so a slow server is charged for the wait it causes.
 *
 *   hook_load URL RATE SECS CONNECTIONS BODY_FILE[,BODY_FILE...]
 *
 * The bodies are taken in turn.  Prints
 *   sent N ok N p50_us X p99_us Y max_us Z late_p99_us L late_max_us M
 * where late is how long after its due time this program got round to a
 * request (its own lag, not the server's: when it is large, the machine,
 * not the daemon, set the pace).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

struct conn {
	struct bufferevent	*bev;
	int			 busy;
	int			 dead;
	int64_t			 due;
	int			 headers;	/* the current answer's are read */
	size_t			 left;		/* its body still to come */
	int			 code;
};

static struct event_base	*base;
static struct event		*timer;
static struct conn		*conns;
static int			 nconns, alive;
static char			**reqs;
static size_t			*reqlen;
static int			 nreqs;
static int64_t			 start, n, next, answered;
static double			 rate;
static int64_t			*queue;		/* due requests: their index */
static int64_t			 qhead, qtail;
static int64_t			*lat, *late;
static int64_t			 nlat, nlate, ok;

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
due_of(int64_t i)
{
	return start + (int64_t)((double)i * 1e6 / rate);
}

static void
send_next(struct conn *c)
{
	int64_t	i;

	if (c->busy || c->dead || qhead == qtail)
		return;
	i = queue[qhead++];
	c->busy = 1;
	c->due = due_of(i);
	c->headers = 0;
	bufferevent_write(c->bev, reqs[i % nreqs], reqlen[i % nreqs]);
}

static void
dispatch(void)
{
	int	k;

	for (k = 0; k < nconns && qhead < qtail; k++)
		send_next(&conns[k]);
}

static void
maybe_done(void)
{
	if (next >= n && (answered >= n || alive == 0))
		event_base_loopexit(base, NULL);
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	int64_t		t = now_us();
	struct timeval	tv;

	(void)fd;
	(void)what;
	(void)arg;
	while (next < n && due_of(next) <= t) {
		late[nlate++] = t - due_of(next);
		queue[qtail++] = next++;
	}
	dispatch();
	if (next < n) {
		t = due_of(next) - now_us();
		if (t < 0)
			t = 0;
		tv.tv_sec = t / 1000000;
		tv.tv_usec = t % 1000000;
		evtimer_add(timer, &tv);
	} else
		maybe_done();
}

/* "HTTP/1.1 200 OK\r\n...Content-Length: N\r\n...\r\n\r\n" */
static int
parse_headers(struct conn *c, struct evbuffer *in)
{
	struct evbuffer_ptr	 p;
	char			*h, *line;
	size_t			 len;

	p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (p.pos < 0)
		return 0;
	len = (size_t)p.pos + 4;
	h = malloc(len + 1);
	evbuffer_remove(in, h, len);
	h[len] = '\0';
	c->code = 0;
	c->left = 0;
	if (strncmp(h, "HTTP/1.", 7) == 0 && strlen(h) > 12)
		c->code = atoi(h + 9);
	for (line = strstr(h, "\r\n"); line != NULL;
	    line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
			c->left = strtoul(line + 17, NULL, 10);
	}
	free(h);
	c->headers = 1;
	return 1;
}

static void
readcb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	while (c->busy) {
		if (!c->headers && !parse_headers(c, in))
			return;
		if (evbuffer_get_length(in) < c->left)
			return;
		evbuffer_drain(in, c->left);
		lat[nlat++] = now_us() - c->due;
		if (c->code == 200)
			ok++;
		answered++;
		c->busy = 0;
		send_next(c);
	}
	maybe_done();
}

static void
eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;
	if (!c->dead) {
		c->dead = 1;
		alive--;
		fprintf(stderr, "hook_load: a connection closed (%s)\n",
		    what & BEV_EVENT_EOF ? "by the server" : strerror(errno));
	}
	if (c->busy) {
		c->busy = 0;
		answered++;
	}
	if (alive == 0)
		event_base_loopexit(base, NULL);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*b;
	long	 sz;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0) {
		fprintf(stderr, "hook_load: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	rewind(f);
	b = malloc((size_t)sz + 1);
	if (fread(b, 1, (size_t)sz, f) != (size_t)sz) {
		fprintf(stderr, "hook_load: %s: short read\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)sz;
	return b;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
pct(int64_t *v, int64_t nv, double q)
{
	int64_t	i = (int64_t)(q * (double)nv);

	if (nv == 0)
		return 0;
	return v[i < nv ? i : nv - 1];
}

int
main(int argc, char **argv)
{
	struct event_config	*cfg;
	struct addrinfo		 hints, *ai;
	char			 host[256], port[16], *path, *files, *f, *body;
	const char		*rest;
	size_t			 blen;
	double			 secs;
	int			 k, one;

	if (argc != 6) {
		fprintf(stderr, "usage: hook_load URL RATE SECS CONNECTIONS "
		    "BODY_FILE[,BODY_FILE...]\n");
		return 2;
	}
	rate = atof(argv[2]);
	secs = atof(argv[3]);
	nconns = atoi(argv[4]);
	if (strncmp(argv[1], "http://", 7) != 0 || rate <= 0 || secs <= 0 ||
	    nconns <= 0) {
		fprintf(stderr, "hook_load: bad arguments\n");
		return 2;
	}
	rest = argv[1] + 7;
	path = strchr(rest, '/');
	if (path == NULL || sscanf(rest, "%255[^:/]:%15[0-9]", host, port) != 2) {
		fprintf(stderr, "hook_load: URL must be http://HOST:PORT/PATH\n");
		return 2;
	}
	files = strdup(argv[5]);
	for (f = strtok(files, ","); f != NULL; f = strtok(NULL, ",")) {
		body = slurp(f, &blen);
		reqs = realloc(reqs, (size_t)(nreqs + 1) * sizeof *reqs);
		reqlen = realloc(reqlen, (size_t)(nreqs + 1) * sizeof *reqlen);
		reqs[nreqs] = malloc(strlen(path) + strlen(host) + blen + 160);
		k = sprintf(reqs[nreqs], "POST %s HTTP/1.1\r\nHost: %s\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "\r\n", path, host, blen);
		memcpy(reqs[nreqs] + k, body, blen);
		reqlen[nreqs++] = (size_t)k + blen;
		free(body);
	}
	n = (int64_t)(rate * secs);
	queue = calloc((size_t)n + 1, sizeof *queue);
	lat = calloc((size_t)n + 1, sizeof *lat);
	late = calloc((size_t)n + 1, sizeof *late);

	cfg = event_config_new();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		fprintf(stderr, "hook_load: cannot resolve %s\n", host);
		return 2;
	}
	conns = calloc((size_t)nconns, sizeof *conns);
	for (k = 0; k < nconns; k++) {
		conns[k].bev = bufferevent_socket_new(base, -1,
		    BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(conns[k].bev, readcb, NULL, eventcb,
		    &conns[k]);
		bufferevent_enable(conns[k].bev, EV_READ | EV_WRITE);
		if (bufferevent_socket_connect(conns[k].bev, ai->ai_addr,
		    (int)ai->ai_addrlen) != 0) {
			fprintf(stderr, "hook_load: cannot connect\n");
			return 1;
		}
		one = 1;
		setsockopt(bufferevent_getfd(conns[k].bev), IPPROTO_TCP,
		    TCP_NODELAY, &one, sizeof one);
		alive++;
	}
	freeaddrinfo(ai);
	timer = evtimer_new(base, tick, NULL);
	start = now_us();
	tick(-1, 0, NULL);
	event_base_dispatch(base);

	qsort(lat, (size_t)nlat, sizeof *lat, cmp64);
	qsort(late, (size_t)nlate, sizeof *late, cmp64);
	printf("sent %lld ok %lld p50_us %lld p99_us %lld max_us %lld "
	    "late_p99_us %lld late_max_us %lld\n", (long long)nlat,
	    (long long)ok, (long long)pct(lat, nlat, 0.50),
	    (long long)pct(lat, nlat, 0.99),
	    (long long)(nlat > 0 ? lat[nlat - 1] : 0),
	    (long long)pct(late, nlate, 0.99),
	    (long long)(nlate > 0 ? late[nlate - 1] : 0));
	return nlat == n ? 0 : 1;
}
