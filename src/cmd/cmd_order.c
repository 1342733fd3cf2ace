/*
 * buy | sell | squareoff | cancel | cancel order | kill | unkill: through
 * the router.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch_int.h"
#include "db/store_fanout.h"
#include "exec/router.h"
#include "util/config.h"

static struct router *
cmd_router(struct cmd_job *job)
{
	struct cmd_env		*env = job->env;
	struct store_actor	 a = cmd_actor(job);

	if (env->router == NULL) {
		env->router = router_new(env->store, env->cfg, env->home);
		router_set_actor(env->router, a.os_user, a.front);
	}
	return env->router;
}

static void
cmd_fanout_done(const struct fanout_result *res, void *arg)
{
	struct cmd_job	*job = arg;

	if (res->data != NULL)
		job->res.data = json_incref(res->data);
	if (res->text != NULL)
		job->res.text = xstrdup(res->text);
	if (res->ok) {
		cmd_done(job);
		return;
	}
	cmd_fail(job, &res->err);
}

static enum broker_product
cmd_product(const char *s)
{
	if (s != NULL && strcmp(s, "nrml") == 0)
		return BROKER_NRML;
	if (s != NULL && strcmp(s, "cnc") == 0)
		return BROKER_CNC;
	return BROKER_MIS;
}

static enum broker_order_type
cmd_order_type(const char *s)
{
	if (s == NULL || strcmp(s, "market") == 0)
		return BROKER_MARKET;
	if (strcmp(s, "limit") == 0)
		return BROKER_LIMIT;
	if (strcmp(s, "sl") == 0)
		return BROKER_SL;
	return BROKER_SLM;
}

static const char *
order_opt(struct cmd_job *job, const char *key, const char *cfgkey)
{
	const char	*v = cmd_get(job->cmd, key);

	return v != NULL ? v : config_str(job->env->cfg, cfgkey);
}

static int
cmd_price(struct cmd_job *job, const char *key, int64_t *paise)
{
	const char	*v = cmd_get(job->cmd, key);

	*paise = 0;
	if (v == NULL)
		return 0;
	if (decimal_parse(v, 2, paise) != 0) {
		cmd_failf(job, "bad-value", "%s \"%s\" is not a price in "
		    "rupees and paise", key, v);
		return -1;
	}
	return 0;
}

static void
cmd_req_base(struct cmd_job *job, struct fanout_req *req,
    enum fanout_intent intent)
{
	memset(req, 0, sizeof *req);
	req->intent = intent;
	req->target = job->cmd->target;
	req->exchange = cmd_get(job->cmd, "exchange");
	req->symbol = cmd_get(job->cmd, "symbol");
	req->reason = cmd_get(job->cmd, "reason");
	req->source = job->env->front;
	req->mode = FANOUT_ASYNC;
	req->on_fail = FANOUT_BEST_EFFORT;
}

void
cmd_buy(struct cmd_job *job)
{
	struct fanout_req	 req;
	const char		*v;

	cmd_req_base(job, &req, FANOUT_ORDER);
	req.side = job->cmd->kind == CMD_SELL ? BROKER_SELL : BROKER_BUY;
	req.qty = cmd_get_int(job->cmd, "qty", 0);
	v = cmd_get(job->cmd, "unit");
	req.unit = v != NULL && strcmp(v, "units") == 0 ? ALLOC_UNITS :
	    ALLOC_LOTS;
	req.order_type = cmd_order_type(cmd_get(job->cmd, "order-type"));
	if (cmd_price(job, "price", &req.price) != 0 ||
	    cmd_price(job, "trigger", &req.trigger) != 0)
		return;
	req.product = cmd_product(order_opt(job, "product",
	    "exec.default_product"));
	if (alloc_policy_parse(order_opt(job, "policy",
	    "exec.default_policy"), &req.policy) != 0)
		req.policy = ALLOC_FIXED;
	v = order_opt(job, "mode", "exec.default_mode");
	req.mode = strcmp(v, "sync") == 0 ? FANOUT_SYNC : FANOUT_ASYNC;
	v = order_opt(job, "on-fail", "exec.default_on_fail");
	if (strcmp(v, "retry") == 0)
		req.on_fail = FANOUT_RETRY;
	else if (strcmp(v, "all-or-none") == 0)
		req.on_fail = FANOUT_ALL_OR_NONE;
	req.dry_run = cmd_has(job->cmd, "dry-run");
	/* Kept with the fan-out, not sent: Kite's tag field is the client
	 * tag that reconciliation matches on (0011_fanout_tag.sql). */
	req.tag = cmd_get(job->cmd, "tag");
	req.key = cmd_get(job->cmd, "key");
	fanout_start(cmd_router(job), &req, cmd_fanout_done, job);
}

static void
cmd_intent(struct cmd_job *job, enum fanout_intent intent)
{
	struct fanout_req	req;

	cmd_req_base(job, &req, intent);
	fanout_start(cmd_router(job), &req, cmd_fanout_done, job);
}

void
cmd_fanout_resume(struct cmd_job *job)
{
	fanout_resume(cmd_router(job), cmd_get_int(job->cmd, "id", 0),
	    cmd_fanout_done, job);
}

void
cmd_squareoff(struct cmd_job *job)
{
	cmd_intent(job, FANOUT_SQUAREOFF);
}

void
cmd_cancel(struct cmd_job *job)
{
	cmd_intent(job, FANOUT_CANCEL);
}

/* cancel order ID: the router finds it, cancels it, confirms it. */
void
cmd_cancel_order(struct cmd_job *job)
{
	router_cancel_order(cmd_router(job), cmd_get(job->cmd, "id"),
	    cmd_fanout_done, job);
}

void
cmd_kill(struct cmd_job *job)
{
	cmd_intent(job, FANOUT_KILL);
}

static void
cmd_unkilled(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;
	size_t		 i;
	json_t		*row;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	strbuf_init(&b);
	strbuf_puts(&b, "ACTIVE again:");
	json_array_foreach(rows, i, row)
		strbuf_printf(&b, " %s", json_string_value(json_object_get(row,
		    "name")));
	strbuf_putc(&b, '\n');
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(rows);
	cmd_done(job);
}

static void
cmd_unkill_accounts(struct account_set *set, const struct err *err,
    void *arg)
{
	struct cmd_job		*job = arg;
	struct store_actor	 a = cmd_actor(job);
	struct target_match	 m;
	struct err		 e;
	json_t			*ids;
	size_t			 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (target_resolve(job->cmd->target, set, &m, &e) != 0) {
		cmd_fail(job, &e);
		return;
	}
	ids = json_array();
	for (i = 0; i < m.n; i++)
		json_array_append_new(ids, json_integer(m.v[i]->id));
	target_match_free(&m);
	store_trading_state_set(job->env->store, ids, "ACTIVE",
	    cmd_get(job->cmd, "reason"), &a, cmd_unkilled, job);
	json_decref(ids);
}

void
cmd_unkill(struct cmd_job *job)
{
	store_accounts_load(job->env->store, cmd_unkill_accounts, job);
}
