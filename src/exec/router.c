/*
 * The router object: one adapter and one token bucket per account, kept
 * across fan-outs (a console routes many), and the latency histograms.
 * Its lookups live in router_cache.c, its event writer in
 * router_events.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "exec/paper_hooks.h"
#include "exec/router_int.h"
#include "net/net.h"
#include "util/config.h"

struct router *
router_new(struct store *st, struct config *cfg, const char *home)
{
	struct router	*r;

	r = xcalloc(1, sizeof *r);
	r->store = st;
	r->cfg = cfg;
	r->home = xstrdup(home);
	r->http = http_client_new(loop_base());
	http_client_lean(r->http, config_bool(cfg, "broker.lean_http") == 1);
	r->lat_broker = lat_map_new();
	r->lat_account = lat_map_new();
	r->os_user = xstrdup(path_os_user());
	r->front = xstrdup("batch");
	r->rate = (int)config_int(cfg, "exec.rate_per_sec");
	r->settle_ms = (int)config_int(cfg, "exec.settle_ms");
	r->poll_ms = (int)config_int(cfg, "exec.poll_ms");
	r->retry_max = (int)config_int(cfg, "exec.retry_max");
	r->reconcile_ms = (int)config_int(cfg, "exec.reconcile_deadline_ms");
	router_events_open(r);
	router_cache_init(r);
	/* Intents on a connection of their own, connected before the first. */
	store_open_first(r->store);
	return r;
}

static void
router_acct_free(struct router_acct *ra)
{
	broker_free(ra->b);
	free(ra->name);
	free(ra->broker);
	free(ra->fingerprint);
	free(ra);
}

void
router_free(struct router *r)
{
	struct router_acct	*ra, *next;

	if (r == NULL)
		return;
	for (ra = r->accts; ra != NULL; ra = next) {
		next = ra->next;
		router_acct_free(ra);
	}
	router_cache_free(r);
	router_events_close(r);
	http_client_free(r->http);
	lat_map_free(r->lat_broker);
	lat_map_free(r->lat_account);
	free(r->home);
	free(r->os_user);
	free(r->front);
	free(r);
}

void
router_set_actor(struct router *r, const char *os_user, const char *front)
{
	free(r->os_user);
	free(r->front);
	r->os_user = xstrdup(os_user);
	r->front = xstrdup(front);
}

struct store_actor
router_actor(const struct router *r)
{
	struct store_actor	a;

	a.os_user = r->os_user;
	a.front = r->front;
	return a;
}

struct router_acct *
router_acct_find(struct router *r, int64_t id)
{
	struct router_acct	*ra;

	for (ra = r->accts; ra != NULL; ra = ra->next) {
		if (ra->id == id)
			return ra;
	}
	return NULL;
}

/* What identifies an adapter's configuration; a token refresh changes it. */
static char *
router_fingerprint(json_t *row)
{
	static const char	*keys[] = { "broker", "kind", "url", "api_key",
				    "access_token", "api_secret" };
	struct strbuf		 b;
	size_t			 i;
	const char		*v;

	strbuf_init(&b);
	for (i = 0; i < nitems(keys); i++) {
		v = json_string_value(json_object_get(row, keys[i]));
		strbuf_printf(&b, "%s|", v != NULL ? v : "");
	}
	return strbuf_steal(&b);
}

void
router_acct_refresh(struct router *r, json_t *row, struct secret_keys *keys,
    struct err *err)
{
	struct router_acct	*ra;
	struct broker_env	 env;
	struct broker		*b;
	int64_t			 id;
	char			*fp;

	id = json_integer_value(json_object_get(row, "account_id"));
	fp = router_fingerprint(row);
	ra = router_acct_find(r, id);
	if (ra != NULL && strcmp(ra->fingerprint, fp) == 0) {
		free(fp);
		return;
	}
	memset(&env, 0, sizeof env);
	env.cfg = r->cfg;
	env.home = r->home;
	env.keys = keys;
	exec_paper_hooks(&env, r->store);
	env.http = r->http;
	if ((b = broker_from_row(&env, row, err)) == NULL) {
		free(fp);
		return;
	}
	if (ra == NULL) {
		ra = xcalloc(1, sizeof *ra);
		ra->id = id;
		ra->next = r->accts;
		r->accts = ra;
		throttle_init(&ra->bucket, r->rate, r->rate, time_mono_us());
	} else {
		broker_free(ra->b);
		free(ra->name);
		free(ra->broker);
		free(ra->fingerprint);
	}
	ra->b = b;
	ra->fingerprint = fp;
	ra->name = xstrdup(json_string_value(json_object_get(row, "account")));
	ra->broker = xstrdup(json_string_value(json_object_get(row,
	    "broker")));
}

/* A monotonic instant of this fan-out as wall-clock RFC 3339 text. */
char *
router_wall_text(const struct fanout *fo, int64_t mono_us)
{
	char	buf[40];

	if (mono_us == 0)
		return NULL;
	time_fmt_utc(fo->wall_intent + (mono_us - fo->t_intent), buf,
	    sizeof buf);
	return xstrdup(buf);
}

static void
router_lat_json(const char *key, const struct lat_hist *h, void *arg)
{
	json_t			*out = arg;
	struct lat_summary	 s;

	lat_summarize(h, &s);
	json_object_set_new(out, key, json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "count", (json_int_t)s.count, "p50_us", (json_int_t)s.p50,
	    "p90_us", (json_int_t)s.p90, "p99_us", (json_int_t)s.p99,
	    "max_us", (json_int_t)s.max));
}

json_t *
router_latency_json(const struct router *r)
{
	json_t	*b = json_object(), *a = json_object();

	lat_map_each(r->lat_broker, router_lat_json, b);
	lat_map_each(r->lat_account, router_lat_json, a);
	return json_pack("{s:o,s:o}", "brokers", b, "accounts", a);
}

const char *
fanout_mode_name(enum fanout_mode m)
{
	return m == FANOUT_SYNC ? "sync" : "async";
}

const char *
fanout_on_fail_name(enum fanout_on_fail f)
{
	switch (f) {
	case FANOUT_RETRY:
		return "retry";
	case FANOUT_ALL_OR_NONE:
		return "all-or-none";
	default:
		return "best-effort";
	}
}
