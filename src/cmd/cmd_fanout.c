/* fanouts [last N] | fanout show ID: what the router did, from the store. */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"
#include "db/store_fanout.h"

static const char *const fanout_columns[] = {
	"id", "created", "intent", "side", "symbol", "qty", "target", "tag",
	"mode", "on_fail", "state", "orders", "failed", "ms", NULL
};

static const char *const fanout_order_columns[] = {
	"account", "broker", "slice", "client_tag", "broker_order_id", "side",
	"symbol", "qty", "filled_qty", "avg_price", "state", "ack_us",
	"message", NULL
};

static void
fanouts_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, fanout_columns, NULL);
}

void
cmd_fanouts(struct cmd_job *job)
{
	store_fanouts_list(job->env->store,
	    (int)cmd_get_int(job->cmd, "last", 20), fanouts_listed, job);
}

static void
fanout_timing(struct strbuf *b, const char *what, json_t *us)
{
	if (json_is_integer(us))
		strbuf_printf(b, "  %-22s %10.3f ms\n", what,
		    json_integer_value(us) / 1000.0);
	else
		strbuf_printf(b, "  %-22s %10s\n", what, "-");
}

static void
fanout_orders_got(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;
	json_t		*f = json_object_get(job->res.data, "fanout");
	struct cmd_result tbl;
	char		*t;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	json_object_set(job->res.data, "orders", rows);
	strbuf_init(&b);
	strbuf_printf(&b, "fanout %lld  %s %s %s qty %lld to %s  [%s, %s, %s]  "
	    "%s\n",
	    (long long)json_integer_value(json_object_get(f, "id")),
	    json_string_value(json_object_get(f, "intent")),
	    json_is_string(json_object_get(f, "side")) ?
	    json_string_value(json_object_get(f, "side")) : "",
	    json_is_string(json_object_get(f, "symbol")) ?
	    json_string_value(json_object_get(f, "symbol")) : "",
	    (long long)json_integer_value(json_object_get(f, "qty")),
	    json_string_value(json_object_get(f, "target")),
	    json_string_value(json_object_get(f, "policy")),
	    json_string_value(json_object_get(f, "mode")),
	    json_string_value(json_object_get(f, "on_fail")),
	    json_string_value(json_object_get(f, "state")));
	if (json_is_string(json_object_get(f, "tag")))
		strbuf_printf(&b, "tag %s (kept by phalanx, not sent to the "
		    "broker)\n", json_string_value(json_object_get(f, "tag")));
	/* A failed fan-out's message names the accounts to look at. */
	if (json_is_string(json_object_get(f, "message")))
		strbuf_printf(&b, "%s\n", json_string_value(json_object_get(f,
		    "message")));
	strbuf_printf(&b, "intent at %s IST; from the intent:\n",
	    json_string_value(json_object_get(f, "t_intent")));
	/* No guard ran (none installed, or nothing to judge): no line. */
	if (json_is_integer(json_object_get(f, "rms_us")))
		fanout_timing(&b, "RMS pass", json_object_get(f, "rms_us"));
	fanout_timing(&b, "first send", json_object_get(f, "first_send_us"));
	fanout_timing(&b, "last send", json_object_get(f, "last_send_us"));
	fanout_timing(&b, "last ack", json_object_get(f, "last_ack_us"));
	memset(&tbl, 0, sizeof tbl);
	tbl.data = rows;
	tbl.columns = fanout_order_columns;
	t = cmd_render_text(&tbl);
	strbuf_puts(&b, t);
	free(t);
	job->res.text = strbuf_steal(&b);
	cmd_done(job);
}

static void
fanout_got(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if ((row = json_array_get(rows, 0)) == NULL) {
		cmd_failf(job, "unknown-fanout", "no fanout %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	job->res.data = json_pack("{s:O}", "fanout", row);
	store_fanout_orders(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    fanout_orders_got, job);
}

void
cmd_fanout_show(struct cmd_job *job)
{
	store_fanout_get(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    fanout_got, job);
}

static const char *const latency_columns[] = {
	"scope", "name", "orders", "p50_ms", "p90_ms", "p99_ms", "max_ms", NULL
};

static void
latency_got(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, latency_columns, NULL);
}

/* Percentiles come from the stored ack events, so every process's count. */
static void
latency_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	struct target_match	 m;
	struct err		 e;
	json_t			*ids = NULL;
	size_t			 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (job->cmd->target != NULL && job->cmd->target->kind != TARGET_ALL) {
		if (target_resolve(job->cmd->target, set, &m, &e) != 0) {
			cmd_fail(job, &e);
			return;
		}
		ids = json_array();
		for (i = 0; i < m.n; i++)
			json_array_append_new(ids, json_integer(m.v[i]->id));
		target_match_free(&m);
	}
	store_latency(job->env->store, ids, (int)cmd_get_int(job->cmd, "days",
	    1), latency_got, job);
	json_decref(ids);
}

void
cmd_latency(struct cmd_job *job)
{
	store_accounts_load(job->env->store, latency_accounts, job);
}
