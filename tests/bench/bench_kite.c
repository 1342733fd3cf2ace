/*
 * The kite adapter against phalanx sim on loopback: order placements per
 * second and their latency percentiles, one at a time and many in flight,
 * through libcurl and through the lean sender (http_wire.c), beside wrk
 * POSTing the same order to the same endpoint (DESIGN.md section 12:
 * adapter throughput >= 70% of wrk's).  Prints figures only.
 *
 *   bench_kite [ORDERS [INFLIGHT]]	(default 20000 32)
 * The sim binary: $PHALANX, else $PHALANX_SRCDIR/phalanx.
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "broker/broker_lib.h"
#include "net/net.h"

#define USERS	8

static pid_t	 sim_pid;
static char	 sim_listen[64];
static char	 keys[USERS][64], tokens[USERS][64];
static char	 fut[48];

struct run {
	struct broker		*b[USERS];
	struct broker_order_req	 req;
	int64_t			*lat;		/* us per order */
	int64_t			*start;
	int			 total;
	int			 sent;
	int			 done;
	int			 failed;
	int			 inflight;
	int			 max_inflight;
	char			 first_err[512];
};

static const char *
sim_binary(void)
{
	static char	 path[1024];
	const char	*p = getenv("PHALANX"), *top;

	if (p != NULL && *p != '\0')
		return p;
	if ((top = getenv("PHALANX_SRCDIR")) == NULL)
		top = ".";
	snprintf(path, sizeof path, "%s/phalanx", top);
	return path;
}

static int
sim_start(void)
{
	const char	*bin = sim_binary();
	char		 line[1024];
	int		 fds[2], n = 0;
	FILE		*f;
	json_t		*j;

	if (access(bin, X_OK) != 0 || pipe(fds) != 0)
		return -1;
	if ((sim_pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(bin, bin, "sim", "--listen", "127.0.0.1:0", "--users", "8",
		    "--seed", "11", "--rate-limit", "0", "--tick-ms", "0",
		    "--cash", "1000000000000",
		    (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (fgets(line, sizeof line, f) != NULL) {
		if ((j = json_loads(line, 0, NULL)) == NULL)
			break;
		if (json_object_get(j, "listening") != NULL) {
			snprintf(sim_listen, sizeof sim_listen, "%s",
			    json_string_value(json_object_get(j, "listening")));
			json_decref(j);
			break;
		}
		if (n < USERS) {
			snprintf(keys[n], sizeof keys[n], "%s",
			    json_string_value(json_object_get(j, "api_key")));
			snprintf(tokens[n], sizeof tokens[n], "%s",
			    json_string_value(json_object_get(j,
			    "access_token")));
			n++;
		}
		json_decref(j);
	}
	fclose(f);
	return sim_listen[0] != '\0' && n == USERS ? 0 : -1;
}

static void
sim_stop(void)
{
	int	st;

	if (sim_pid > 0) {
		kill(sim_pid, SIGTERM);
		waitpid(sim_pid, &st, 0);
	}
}

static int
pick_future(const struct broker_instrument *in, void *arg)
{
	if (strcmp(in->name, "NIFTY") == 0 &&
	    strcmp(in->instrument_type, "FUT") == 0) {
		snprintf(fut, sizeof fut, "%s", in->tradingsymbol);
		return -1;
	}
	return 0;
}

static void
instruments_done(const struct broker_err *be, void *arg)
{
	loop_exit();
}

static void	run_send(struct run *);

/* Per-order completion: the slot index travels in the arg. */
struct slot {
	struct run	*r;
	int		 i;
};

static void
slot_done(const struct broker_err *be, const char *id, void *arg)
{
	struct slot	*s = arg;
	struct run	*r = s->r;

	r->lat[s->i] = time_mono_us() - r->start[s->i];
	if (be != NULL) {
		if (r->failed++ == 0)
			snprintf(r->first_err, sizeof r->first_err, "%s",
			    be->err.msg);
	}
	r->done++;
	r->inflight--;
	free(s);
	if (r->done == r->total)
		loop_exit();
	else
		run_send(r);
}

static void
run_send(struct run *r)
{
	struct slot	*s;
	struct broker	*b;

	while (r->sent < r->total && r->inflight < r->max_inflight) {
		s = xmalloc(sizeof *s);
		s->r = r;
		s->i = r->sent++;
		b = r->b[s->i % USERS];
		r->start[s->i] = time_mono_us();
		r->inflight++;
		b->ops->place(b, &r->req, slot_done, s);
	}
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
pct(const int64_t *v, int n, int p)
{
	int	i = (int)((int64_t)n * p / 100);

	if (i >= n)
		i = n - 1;
	return v[i];
}

static double
bench_adapter(struct http_client *hc, const char *how, int total,
    int inflight)
{
	struct run	 r;
	struct kite_opts o;
	char		 base[96];
	int64_t		 t0, el;
	int		 i;

	memset(&r, 0, sizeof r);
	snprintf(base, sizeof base, "http://%s", sim_listen);
	for (i = 0; i < USERS; i++) {
		memset(&o, 0, sizeof o);
		o.base_url = base;
		o.api_key = keys[i];
		o.access_token = tokens[i];
		o.timeout_ms = 10000;
		o.http = hc;
		r.b[i] = kite_new(&o);
	}
	snprintf(r.req.exchange, sizeof r.req.exchange, "NFO");
	snprintf(r.req.tradingsymbol, sizeof r.req.tradingsymbol, "%s", fut);
	r.req.side = BROKER_BUY;
	r.req.order_type = BROKER_LIMIT;
	r.req.product = BROKER_NRML;
	r.req.qty = 65;
	r.req.price = 100000;
	r.total = total;
	r.lat = xcalloc(total, sizeof *r.lat);
	r.start = xcalloc(total, sizeof *r.start);
	r.max_inflight = inflight;
	t0 = time_mono_us();
	run_send(&r);
	loop_run();
	el = time_mono_us() - t0;
	qsort(r.lat, total, sizeof *r.lat, cmp64);
	printf("%-8s inflight %3d  orders %6d  failed %d  %8.0f orders/s"
	    "  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
	    how, inflight, total, r.failed, total * 1e6 / (double)el,
	    pct(r.lat, total, 50) / 1e3, pct(r.lat, total, 90) / 1e3,
	    pct(r.lat, total, 99) / 1e3, r.lat[total - 1] / 1e3);
	if (r.failed > 0)
		printf("  first error: %s\n", r.first_err);
	for (i = 0; i < USERS; i++)
		broker_free(r.b[i]);
	free(r.lat);
	free(r.start);
	return total * 1e6 / (double)el;
}

/*
 * wrk with a Lua script POSTing the same form body over as many
 * connections; one second, so its book grows about as far as ours.
 */
static double
bench_wrk(int inflight)
{
	char	 script[512], cmd[1024], line[512];
	double	 rps = 0;
	FILE	*f;

	if (system("command -v wrk >/dev/null 2>&1") != 0) {
		printf("wrk      not installed: skipped\n");
		return 0;
	}
	snprintf(script, sizeof script, "%s/bench_kite.%ld.lua",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	if ((f = fopen(script, "w")) == NULL)
		return 0;
	fprintf(f, "wrk.method = \"POST\"\n"
	    "wrk.body = \"tradingsymbol=%s&exchange=NFO&transaction_type=BUY"
	    "&order_type=LIMIT&quantity=65&product=NRML&price=1000.00"
	    "&validity=DAY\"\n"
	    "wrk.headers[\"Content-Type\"] = "
	    "\"application/x-www-form-urlencoded\"\n"
	    "wrk.headers[\"X-Kite-Version\"] = \"3\"\n"
	    "wrk.headers[\"Authorization\"] = \"token %s:%s\"\n",
	    fut, keys[0], tokens[0]);
	fclose(f);
	snprintf(cmd, sizeof cmd, "wrk -t %d -c %d -d 1s --latency -s %s "
	    "http://%s/orders/regular 2>&1", inflight > 1 ? 2 : 1, inflight,
	    script, sim_listen);
	if ((f = popen(cmd, "r")) == NULL)
		return 0;
	printf("wrk      inflight %3d  (POST /orders/regular, 1 s)\n",
	    inflight);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "Requests/sec:", 13) == 0)
			rps = atof(line + 13);
		if (strstr(line, "Requests/sec") != NULL ||
		    strstr(line, "50%") != NULL || strstr(line, "90%") != NULL ||
		    strstr(line, "99%") != NULL || strstr(line, "Non-2xx") ||
		    strstr(line, "Latency ") != NULL)
			printf("  %s", line);
	}
	pclose(f);
	unlink(script);
	return rps;
}

/* Each measurement gets a fresh sim: a grown book slows the sim down. */
static int
fresh_sim(void)
{
	sim_stop();
	sim_pid = 0;
	sim_listen[0] = '\0';
	return sim_start();
}

int
main(int argc, char **argv)
{
	struct http_client	*hc, *lean = NULL;
	struct kite_opts	 o;
	struct broker		*b;
	char			 base[96];
	double			 ours, ours_lean = 0, theirs;
	int			 total = argc > 1 ? atoi(argv[1]) : 20000;
	int			 inflight = argc > 2 ? atoi(argv[2]) : 32;

	signal(SIGPIPE, SIG_IGN);
	if (total < 10 || inflight < 1) {
		fprintf(stderr, "usage: bench_kite [ORDERS [INFLIGHT]]\n");
		return 2;
	}
	if (sim_start() != 0) {
		printf("bench_kite: no phalanx binary to run the sim (%s): "
		    "skipped\n", sim_binary());
		sim_stop();
		return 0;
	}
	hc = http_client_new(loop_base());
	snprintf(base, sizeof base, "http://%s", sim_listen);
	memset(&o, 0, sizeof o);
	o.base_url = base;
	o.api_key = keys[0];
	o.access_token = tokens[0];
	o.http = hc;
	b = kite_new(&o);
	b->ops->instruments(b, "NFO", pick_future, instruments_done, NULL);
	loop_run();
	broker_free(b);
	if (fut[0] == '\0') {
		printf("bench_kite: the sim has no NIFTY future: skipped\n");
		http_client_free(hc);
		sim_stop();
		return 0;
	}
	printf("kite adapter vs wrk, phalanx sim on loopback, LIMIT %s, "
	    "a fresh sim for each line\n", fut);
	/* "libcurl": every request through libcurl; "lean": http_wire.c. */
	bench_adapter(hc, "libcurl", total / 4, 1);
	if (fresh_sim() != 0)
		goto out;
	ours = bench_adapter(hc, "libcurl", total, inflight);
	lean = http_client_new(loop_base());
	http_client_lean(lean, 1);
	if (fresh_sim() != 0)
		goto out;
	bench_adapter(lean, "lean", total / 4, 1);
	if (fresh_sim() != 0)
		goto out;
	ours_lean = bench_adapter(lean, "lean", total, inflight);
	if (fresh_sim() != 0)
		goto out;
	bench_wrk(1);
	if (fresh_sim() != 0)
		goto out;
	theirs = bench_wrk(inflight);
	if (theirs > 0)
		printf("adapter/wrk at inflight %d: libcurl %.0f%%, lean %.0f%%\n",
		    inflight, 100.0 * ours / theirs,
		    100.0 * ours_lean / theirs);
out:
	http_client_free(lean);
	http_client_free(hc);
	loop_free();
	sim_stop();
	return 0;
}
