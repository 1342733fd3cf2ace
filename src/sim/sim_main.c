/*
 * `phalanx sim`: options, start-up (users out on stdout, then the listening
 * address), the market tick timer and a clean stop on SIGINT/SIGTERM.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <sodium.h>

#include "net/net.h"
#include "sim/sim.h"
#include "sim/sim_int.h"

static const char sim_usage[] =
"usage: phalanx sim [--listen HOST:PORT] [--users N] [--seed S]\n"
"                   [--users-file FILE] [--cash RUPEES] [--date YYYY-MM-DD]\n"
"                   [--tick-ms T] [--fill-lots N] [--latency-ms X]\n"
"                   [--jitter-ms J] [--reject-pct P] [--timeout-pct P]\n"
"                   [--error-pct P] [--rate-limit N] [--postback-url URL]\n"
"                   [--order-seq N] [--tls-cert FILE --tls-key FILE]\n"
"                   [--help]\n"
"\n"
"Broker and market simulator speaking the Kite Connect v3 REST API.\n"
"Prints one JSON line per user, then {\"listening\":\"HOST:PORT\"}.\n"
"\n"
"  --listen HOST:PORT   address to serve on; port 0 picks a free port\n"
"                       (default: the sim.listen setting, 127.0.0.1:8788)\n"
"  --users N            simulated users SIM001..; default 1\n"
"  --seed S             seed for users, market and faults; default 1\n"
"  --users-file FILE    JSON array of {user_id, api_key, api_secret,\n"
"                       access_token[, cash]} instead of --users\n"
"  --cash RUPEES        opening cash per user; default 1000000\n"
"  --date YYYY-MM-DD    trading date for expiries; default today (IST)\n"
"  --tick-ms T          market tick; 0 = only on POST /sim/tick; default 500\n"
"  --fill-lots N        most lots one order fills per tick; default 20\n"
"  --latency-ms X       added reply latency; default 0\n"
"  --jitter-ms J        plus uniform 0..J ms; default 0\n"
"  --reject-pct P       orders REJECTED by simulated RMS; default 0\n"
"  --timeout-pct P      orders placed but never answered; default 0\n"
"  --error-pct P        requests failing with HTTP 500/503; default 0\n"
"  --rate-limit N       order requests per second per key before HTTP 429\n"
"                       (0 = off, at most 64); default 10\n"
"  --postback-url URL   POST order updates (http:// only)\n"
"  --order-seq N        first order and trade number; default from the start\n"
"                       time, so a restarted simulator never repeats an id\n"
"  --tls-cert FILE      serve HTTPS with this PEM certificate (chain)\n"
"  --tls-key FILE       and this PEM private key; both or neither\n"
"  --help               this text\n";

struct sim_opts {
	const char	*listen;
	size_t		 users;
	uint64_t	 seed;
	const char	*users_file;
	int64_t		 cash;
	int		 date;
	int		 tick_ms;
	int		 fill_lots;
	const char	*postback_url;
	long long	 order_seq;	/* -1: from the clock */
	const char	*tls_cert;	/* NULL: plain HTTP */
	const char	*tls_key;
};

struct sim_ctx {
	struct event_base	*base;
	struct sim_book		 book;
	int			 tick_ms;
};

static int
opt_num(const char *name, const char *v, long long lo, long long hi,
    long long *out)
{
	if (sim_parse_int(v, out) == -1 || *out < lo || *out > hi) {
		fprintf(stderr, "phalanx sim: --%s: expected %lld to %lld, "
		    "got '%s'\n", name, lo, hi, v);
		return -1;
	}
	return 0;
}

static int
opt_pct(const char *name, const char *v, double *out)
{
	char	*end;

	*out = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || *out < 0 || *out > 100) {
		fprintf(stderr, "phalanx sim: --%s: expected 0 to 100, got "
		    "'%s'\n", name, v);
		return -1;
	}
	return 0;
}

static int
opt_date(const char *v, int *out)
{
	int	y, m, d;
	char	tail;

	if (sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) {
		fprintf(stderr, "phalanx sim: --date: expected YYYY-MM-DD, "
		    "got '%s'\n", v);
		return -1;
	}
	*out = y * 10000 + m * 100 + d;
	return 0;
}


enum { O_LISTEN = 256, O_USERS, O_SEED, O_USERS_FILE, O_CASH, O_DATE,
	O_TICK, O_FILL, O_LAT, O_JIT, O_REJ, O_TMO, O_ERR, O_RATE, O_PB,
	O_SEQ, O_TLS_CERT, O_TLS_KEY, O_HELP };

static const struct option sim_longopts[] = {
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "users", required_argument, NULL, O_USERS },
	{ "seed", required_argument, NULL, O_SEED },
	{ "users-file", required_argument, NULL, O_USERS_FILE },
	{ "cash", required_argument, NULL, O_CASH },
	{ "date", required_argument, NULL, O_DATE },
	{ "tick-ms", required_argument, NULL, O_TICK },
	{ "fill-lots", required_argument, NULL, O_FILL },
	{ "latency-ms", required_argument, NULL, O_LAT },
	{ "jitter-ms", required_argument, NULL, O_JIT },
	{ "reject-pct", required_argument, NULL, O_REJ },
	{ "timeout-pct", required_argument, NULL, O_TMO },
	{ "error-pct", required_argument, NULL, O_ERR },
	{ "rate-limit", required_argument, NULL, O_RATE },
	{ "postback-url", required_argument, NULL, O_PB },
	{ "order-seq", required_argument, NULL, O_SEQ },
	{ "tls-cert", required_argument, NULL, O_TLS_CERT },
	{ "tls-key", required_argument, NULL, O_TLS_KEY },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 }
};

/* One option into o or f; 1 = stop with success (--help), -1 = error. */
static int
parse_one(int ch, const char *arg, struct sim_opts *o, struct sim_faults *f)
{
	long long	v;
	int		r = 0;

	switch (ch) {
	case O_LISTEN:
		o->listen = arg;
		break;
	case O_USERS:
		if ((r = opt_num("users", arg, 1, 100000, &v)) == 0)
			o->users = (size_t)v;
		break;
	case O_SEED:
		if ((r = opt_num("seed", arg, 0, INT64_MAX, &v)) == 0)
			o->seed = (uint64_t)v;
		break;
	case O_USERS_FILE:
		o->users_file = arg;
		break;
	case O_CASH:
		if ((r = sim_parse_paise(arg, &o->cash)) == -1)
			fprintf(stderr, "phalanx sim: --cash: expected rupees, "
			    "got '%s'\n", arg);
		break;
	case O_DATE:
		r = opt_date(arg, &o->date);
		break;
	case O_TICK:
		if ((r = opt_num("tick-ms", arg, 0, 3600000, &v)) == 0)
			o->tick_ms = (int)v;
		break;
	case O_FILL:
		if ((r = opt_num("fill-lots", arg, 1, 1000000, &v)) == 0)
			o->fill_lots = (int)v;
		break;
	case O_LAT:
		if ((r = opt_num("latency-ms", arg, 0, 600000, &v)) == 0)
			f->latency_ms = (int)v;
		break;
	case O_JIT:
		if ((r = opt_num("jitter-ms", arg, 0, 600000, &v)) == 0)
			f->jitter_ms = (int)v;
		break;
	case O_REJ:
		r = opt_pct("reject-pct", arg, &f->reject_pct);
		break;
	case O_TMO:
		r = opt_pct("timeout-pct", arg, &f->timeout_pct);
		break;
	case O_ERR:
		r = opt_pct("error-pct", arg, &f->error_pct);
		break;
	case O_RATE:
		if ((r = opt_num("rate-limit", arg, 0, 64, &v)) == 0)
			f->rate_limit = (int)v;
		break;
	case O_PB:
		o->postback_url = arg;
		break;
	case O_SEQ:
		r = opt_num("order-seq", arg, 0, 999999999, &o->order_seq);
		break;
	case O_TLS_CERT:
		o->tls_cert = arg;
		break;
	case O_TLS_KEY:
		o->tls_key = arg;
		break;
	case O_HELP:
		fputs(sim_usage, stdout);
		return 1;
	default:
		fputs(sim_usage, stderr);
		return -1;
	}
	return r;
}

static int
parse_opts(int argc, char **argv, struct sim_opts *o, struct sim_faults *f)
{
	int	ch, r;

	memset(o, 0, sizeof *o);
	o->listen = "127.0.0.1:8765";
	o->users = 1;
	o->seed = 1;
	o->cash = 1000000LL * 100;
	o->tick_ms = 500;
	o->fill_lots = 20;
	o->order_seq = -1;
	sim_faults_init(f, 0);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", sim_longopts, NULL)) != -1) {
		if ((r = parse_one(ch, optarg, o, f)) != 0)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "phalanx sim: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		fprintf(stderr, "phalanx sim: --%s needs --%s too\n",
		    o->tls_cert != NULL ? "tls-cert" : "tls-key",
		    o->tls_cert != NULL ? "tls-key" : "tls-cert");
		return -1;
	}
	sim_faults_seed(f, o->seed);
	if (o->date == 0)
		o->date = time_today_ist();
	return 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(arg, NULL);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sim_ctx	*c = arg;

	sim_market_step(c->book.mkt, c->tick_ms / 1000.0);
	sim_match_all(&c->book);
}

static struct evhttp *
bind_http(struct event_base *base, const char *listen, struct sim_server *s,
    char *bound, size_t len)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bs;
	struct sockaddr_storage		 ss;
	socklen_t			 sl = sizeof ss;
	char				 host[256];
	const char			*colon = strrchr(listen, ':');
	long long			 port;
	int				 p = 0;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof host ||
	    sim_parse_int(colon + 1, &port) == -1 || port < 0 ||
	    port > 65535) {
		fprintf(stderr, "phalanx sim: --listen: expected HOST:PORT, "
		    "got '%s'\n", listen);
		return NULL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	http = evhttp_new(base);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(http, 1024 * 1024);
	evhttp_set_gencb(http, sim_server_request, s);
	if ((bs = evhttp_bind_socket_with_handle(http, host,
	    (unsigned short)port)) == NULL) {
		fprintf(stderr, "phalanx sim: cannot listen on %s\n", listen);
		evhttp_free(http);
		return NULL;
	}
	http_listen_deep(bs);
	if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss,
	    &sl) == 0) {
		if (ss.ss_family == AF_INET)
			p = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			p = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	snprintf(bound, len, "%s:%d", host, p);
	return http;
}

static void
print_users(const struct sim_user *u, size_t n, const char *bound)
{
	json_t	*j;
	char	*s;
	size_t	 i;

	for (i = 0; i < n; i++) {
		j = json_pack("{s:s,s:s,s:s,s:s}", "user_id", u[i].user_id,
		    "api_key", u[i].api_key, "api_secret", u[i].api_secret,
		    "access_token", u[i].access_token);
		s = json_dumps(j, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(j);
	}
	printf("{\"listening\":\"%s\"}\n", bound);
	fflush(stdout);
}

static int
load_users(const struct sim_opts *o, struct sim_user **u, size_t *n)
{
	struct err	e;

	if (o->users_file == NULL) {
		*n = o->users;
		return sim_users_generate(u, o->users, o->seed, o->cash);
	}
	err_clear(&e);
	if (sim_users_load(u, n, o->users_file, o->cash, &e) == -1) {
		fprintf(stderr, "phalanx sim: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* Everything after options: build, serve until a signal, tear down. */
static int
sim_run(const struct sim_opts *o, struct sim_faults *f)
{
	struct sim_ctx		 c;
	struct sim_user		*users = NULL;
	size_t			 nusers = 0;
	struct sim_postback	*pb = NULL;
	struct sim_server	*srv;
	struct sim_server_opts	 so;
	struct evhttp		*http;
	struct http_tls		*tls = NULL;
	struct event		*sint, *sterm, *tick = NULL;
	struct timeval		 tv;
	struct err		 e;
	char			 bound[300];

	memset(&c, 0, sizeof c);
	err_clear(&e);
	if (o->tls_cert != NULL && (tls = http_tls_new(o->tls_cert,
	    o->tls_key, &e)) == NULL) {
		fprintf(stderr, "phalanx sim: %s\n", e.msg);
		return 1;
	}
	if (load_users(o, &users, &nusers) == -1) {
		http_tls_free(tls);
		return 1;
	}
	c.base = event_base_new();
	c.tick_ms = o->tick_ms;
	sim_book_init(&c.book, sim_market_new(o->seed, o->date), users,
	    nusers);
	c.book.fill_lots = o->fill_lots;
	c.book.order_seq = c.book.trade_seq = o->order_seq >= 0 ?
	    (uint64_t)o->order_seq : sim_seq_from_clock(time_wall_us());
	if (o->postback_url != NULL && (pb = sim_postback_new(c.base,
	    o->postback_url, &e)) == NULL) {
		fprintf(stderr, "phalanx sim: %s\n", e.msg);
		goto out;
	}
	so.seed = o->seed;
	so.tick_ms = o->tick_ms;
	so.tls = tls != NULL;
	srv = sim_server_new(c.base, &c.book, f, pb, &so);
	if ((http = bind_http(c.base, o->listen, srv, bound,
	    sizeof bound)) == NULL) {
		sim_server_free(srv);
		goto out;
	}
	if (tls != NULL)
		http_tls_attach(tls, http);
	sint = evsignal_new(c.base, SIGINT, on_signal, c.base);
	sterm = evsignal_new(c.base, SIGTERM, on_signal, c.base);
	event_add(sint, NULL);
	event_add(sterm, NULL);
	if (o->tick_ms > 0) {
		tick = event_new(c.base, -1, EV_PERSIST, on_tick, &c);
		tv.tv_sec = o->tick_ms / 1000;
		tv.tv_usec = (o->tick_ms % 1000) * 1000;
		event_add(tick, &tv);
	}
	print_users(users, nusers, bound);
	event_base_dispatch(c.base);

	if (tick != NULL)
		event_free(tick);
	event_free(sint);
	event_free(sterm);
	sim_server_free(srv);
	evhttp_free(http);
	/* A reply's deferred write callback (api.c) holds its connection's
	 * buffer until it runs; with evhttp gone it only lets go. */
	event_base_loop(c.base, EVLOOP_NONBLOCK);
	http_tls_free(tls);
	sim_postback_free(pb);
	sim_book_free(&c.book);
	sim_market_free(c.book.mkt);
	sim_users_free(users, nusers);
	event_base_free(c.base);
	return 0;
out:
	http_tls_free(tls);
	sim_postback_free(pb);
	sim_book_free(&c.book);
	sim_market_free(c.book.mkt);
	sim_users_free(users, nusers);
	event_base_free(c.base);
	return 1;
}

int
sim_main(int argc, char **argv)
{
	struct sim_opts		o;
	struct sim_faults	f;
	struct sigaction	sa;
	int			r;

	if ((r = parse_opts(argc, argv, &o, &f)) != 0)
		return r > 0 ? 0 : 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "phalanx sim: libsodium failed to "
		    "initialise\n");
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return sim_run(&o, &f);
}
