/*
 * phalanx serve: the engine without a screen.  It listens on serve.listen
 * for broker postbacks, answers /healthz and /metrics, and keeps the
 * event writer running (so it also replays the journal).  SIGINT and
 * SIGTERM stop it after the queued events are stored.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>

#include "auto/auto.h"
#include "auto/sched.h"
#include "auto/hook.h"
#include "broker/broker_lib.h"
#include "cmd/batch.h"
#include "cmd/dispatch.h"
#include "cmd/runner.h"
#include "db/store_metrics.h"
#include "db/store_positions.h"
#include "exec/postback.h"
#include "exec/router.h"
#include "net/net.h"
#include "notify/notify.h"
#include "util/metrics.h"

struct serve {
	struct cmd_env		 env;
	struct http_server	*http;
	struct postback		*postback;
	struct hook_server	*hooks;
	struct notify_worker	*notify;
	struct sched		*sched;
	struct event		*sigint;
	struct event		*sigterm;
	int64_t			 started;
	int			 stopping;
};

static const char serve_usage[] =
"usage: phalanx serve [--listen HOST:PORT]\n"
"\n"
"Runs the engine headless: webhook connectors at POST /hook/NAME (see\n"
"phalanx-commands(7), connector), broker postbacks at POST /postback/kite,\n"
"GET /healthz and GET /metrics (Prometheus text), on serve.listen\n"
"(default 127.0.0.1:8787; port 0 picks a free one).  Prints\n"
"{\"listening\":\"HOST:PORT\"} once it listens.  At most\n"
"serve.postback_queue postbacks are handled at once; more, or any while\n"
"the store is away, are answered 503 at once.  Also sends stored alerts\n"
"(notify.worker; see phalanx-notify(7)) and, holding the scheduler's\n"
"lock, fires schedules, runs their runs and evaluates alert rules\n"
"(schedule.enabled).  With hook.execute=false it only stores and queues\n"
"webhook signals, for the other daemons on the store to run.\n"
"SIGINT/SIGTERM stop it.\n";

static const char *
serve_pg_state(const struct serve *s)
{
	switch (pg_conn_state(store_conn(s->env.store))) {
	case PG_READY:
		return "ready";
	case PG_FAILED:
		return "unreachable";
	default:
		return "connecting";
	}
}

static void
serve_healthz(struct evhttp_request *req, void *arg)
{
	struct serve	*s = arg;
	char		 body[128];
	int		 up;

	up = pg_conn_state(store_conn(s->env.store)) == PG_READY;
	snprintf(body, sizeof body, "{\"status\":\"%s\",\"store\":\"%s\"}",
	    up ? "ok" : "degraded", serve_pg_state(s));
	http_reply_json(req, up ? 200 : 503, body);
}

/* What this daemon counts itself, copied into the registry at scrape. */
static void
serve_collect(void *arg)
{
	struct serve		*s = arg;
	struct postback_stats	 pbs;
	uint64_t		 acc, dup, ref;

	metric_set(pxm.store_up, pg_conn_state(store_conn(s->env.store)) ==
	    PG_READY, NULL);
	metric_set(pxm.uptime, (time_mono_us() - s->started) / 1e6, NULL);
	postback_stats(s->postback, &pbs);
	metric_set(pxm.postbacks, (double)pbs.accepted, "accepted");
	metric_set(pxm.postbacks, (double)pbs.duplicates, "duplicate");
	metric_set(pxm.postbacks, (double)pbs.ignored, "ignored");
	metric_set(pxm.postbacks, (double)pbs.suspicious, "suspicious");
	metric_set(pxm.postbacks, (double)pbs.refused, "refused");
	metric_set(pxm.postbacks, (double)pbs.unavailable, "unavailable");
	notify_worker_counts(s->notify, &acc, &dup, &ref);
	metric_set(pxm.notify_attempts, (double)acc, "sent");
	metric_set(pxm.notify_attempts, (double)dup, "retry");
	metric_set(pxm.notify_attempts, (double)ref, "failed");
}

/* The store's gauges, every five seconds; a failed read keeps the last. */
static void
serve_gauges_read(json_t *rows, const struct err *err, void *arg)
{
	static const char	*sev[] = { "info", "warning", "critical" };
	static const char	*box[] = { "pending", "sending", "failed" };
	struct metric		*m;
	const char		*fam, *a, *b;
	json_t			*row;
	size_t			 i;

	if (err != NULL)
		return;
	metric_clear(pxm.rms_scopes);
	for (i = 0; i < nitems(sev); i++)
		metric_set(pxm.incidents_open, 0, sev[i]);
	for (i = 0; i < nitems(box); i++)
		metric_set(pxm.notify_queue, 0, box[i]);
	json_array_foreach(rows, i, row) {
		fam = json_string_value(json_object_get(row, "family"));
		a = json_string_value(json_object_get(row, "a"));
		b = json_string_value(json_object_get(row, "b"));
		if (fam == NULL || a == NULL || b == NULL)
			continue;
		if (strcmp(fam, "rms_scopes") == 0)
			m = pxm.rms_scopes;
		else if (strcmp(fam, "incidents_open") == 0)
			m = pxm.incidents_open;
		else
			m = pxm.notify_queue;
		metric_setv(m, METRIC_LABELS(a, b), (double)json_integer_value(
		    json_object_get(row, "n")));
	}
}

static void
serve_gauges_tick(void *arg)
{
	struct serve	*s = arg;

	if (s->stopping)
		return;
	if (pg_conn_state(store_conn(s->env.store)) == PG_READY)
		store_metrics_gauges(s->env.store, serve_gauges_read, s);
	loop_later(5000000, serve_gauges_tick, s);
}

static void
serve_metrics(struct evhttp_request *req, void *arg)
{
	struct strbuf	b;

	strbuf_init(&b);
	metrics_render(&b);
	http_reply_text(req, 200, "text/plain; version=0.0.4", b.s);
	strbuf_free(&b);
}

static void
serve_drained(void *arg)
{
	loop_exit();
}

static void
serve_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve	*s = arg;

	if (s->stopping++)
		return;
	log_info("serve", "signal %d: stopping", (int)sig);
	router_drain(s->env.router, 5000, serve_drained, s);
}

/*
 * An order a postback moved.  Positions follow every fill source
 * (DESIGN.md section 7), but they must be moved by the one idempotent
 * fill applier the reconciler uses, never by a second one here.
 * TODO(reconcile): once branch reconcile's store_order_fill() is on main,
 * call store_order_fill(s->env.store, a->order_id, a->order->filled,
 * a->order->avg_price, ...) here; it applies only what the position does
 * not hold yet, so a fill the router or the order book also reports
 * counts once.
 */
static void
serve_fill_applied(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("serve", "a postback's fill did not reach the "
		    "positions: %s (the reconciler applies it later)", err->msg);
}

static void
serve_postback_applied(const struct postback_applied *a, void *arg)
{
	struct serve	*s = arg;

	/* The one fill path: only what the position does not hold yet. */
	if (a->order->filled > a->prev_filled)
		store_order_fill(s->env.store, a->order_id, a->order->filled,
		    a->order->avg_price, serve_fill_applied, NULL);
}

static void
serve_run_done(int64_t id, const char *state, const char *outcome,
    const struct err *err, void *arg)
{
	if (state == NULL)
		log_info("serve", "run %lld not started: %s", (long long)id,
		    err != NULL ? err->msg : "?");
	else
		log_info("serve", "run %lld %s: %s", (long long)id, state,
		    outcome != NULL ? outcome : "");
}

/* The scheduler's runner: a queued run, executed here. */
static void
serve_run(int64_t id, void *arg)
{
	struct serve	*s = arg;

	runner_start(&s->env, id, serve_run_done, s);
}

static int
serve_listen(struct serve *s, const char *listen)
{
	struct postback_opts	 po;
	struct err		 err;
	const char		*host_end;

	err_clear(&err);
	/* The largest body any route takes; evhttp refuses more with 413. */
	s->http = http_server_new(loop_base(), listen,
	    HOOK_MAX_BODY > POSTBACK_MAX_BODY ? HOOK_MAX_BODY :
	    POSTBACK_MAX_BODY, &err);
	if (s->http == NULL) {
		fprintf(stderr, "phalanx serve: %s\n", err.msg);
		return -1;
	}
	memset(&po, 0, sizeof po);
	po.store = s->env.store;
	po.cfg = s->env.cfg;
	po.home = s->env.home;
	po.queue_max = (size_t)config_int(s->env.cfg, "serve.postback_queue");
	po.hook = serve_postback_applied;
	po.hook_arg = s;
	s->postback = postback_new(s->http, &po);
	s->hooks = hook_server_new(s->http, s->env.store, s->env.router,
	    s->env.cfg, s->env.home);
	http_server_route(s->http, "/healthz", 0, serve_healthz, s);
	http_server_route(s->http, "/metrics", 0, serve_metrics, s);
	host_end = strrchr(listen, ':');
	printf("{\"listening\":\"%.*s:%d\"}\n", (int)(host_end != NULL ?
	    host_end - listen : 0), listen, http_server_port(s->http));
	fflush(stdout);
	return 0;
}

int
serve_main(int argc, char **argv, struct config *cfg)
{
	struct serve	 s;
	struct err	 err;
	const char	*listen = config_str(cfg, "serve.listen");
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(serve_usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen = argv[++i];
		else {
			fprintf(stderr, "phalanx serve: unknown argument %s\n%s",
			    argv[i], serve_usage);
			return 2;
		}
	}
	/* A client that hangs up before its answer is an EPIPE, not death. */
	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof s);
	s.started = time_mono_us();
	err_clear(&err);
	if (batch_env_open(&s.env, cfg, "daemon", 1, &err) != 0) {
		fprintf(stderr, "phalanx serve: %s\n", err.msg);
		return 3;
	}
	if (serve_listen(&s, listen) != 0) {
		batch_env_close(&s.env);
		return 1;
	}
	if (config_bool(cfg, "notify.worker") == 1)
		s.notify = notify_worker_start(s.env.store, cfg, s.env.home);
	metrics_on_scrape(serve_collect, &s);
	serve_gauges_tick(&s);
	if (config_bool(cfg, "schedule.enabled") == 1)
		s.sched = sched_start(s.env.store, cfg, serve_run, &s);
	/* The daemon holds the reconcile duty while it runs. */
	batch_env_reconcile(&s.env, NULL, NULL);
	s.sigint = evsignal_new(loop_base(), SIGINT, serve_signal, &s);
	s.sigterm = evsignal_new(loop_base(), SIGTERM, serve_signal, &s);
	event_add(s.sigint, NULL);
	event_add(s.sigterm, NULL);
	loop_run();
	event_free(s.sigint);
	event_free(s.sigterm);
	metrics_off_scrape(serve_collect, &s);
	sched_free(s.sched);
	notify_worker_free(s.notify);
	postback_free(s.postback);
	hook_server_free(s.hooks);
	http_server_free(s.http);
	batch_env_close(&s.env);
	loop_free();
	return 0;
}
