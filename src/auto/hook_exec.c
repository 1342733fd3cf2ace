/*
 * The signal executor.  Signals wait in the store as QUEUED; this claims
 * them (store_signal_claim: at most one per strategy and symbol at a
 * time, several strategies in parallel), turns each into a fan-out of its
 * strategy -- target, policy, mode, on-fail, product -- and records the
 * outcome with the fan-out's id.
 *
 * Exactly once: the fan-out carries the idempotency key "sig-ID".  A
 * daemon killed while a signal was EXECUTING leaves it claimed by a
 * session that is gone; the next claim takes it over and starts the same
 * fan-out again, which the router answers from the recorded intent
 * (settled from the brokers' books) instead of sending it again.  A
 * signal whose intent was never recorded had sent nothing, so sending it
 * then is its first time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"
#include "db/store_hook.h"
#include "exec/router.h"
#include "util/config.h"

struct hook_exec {
	struct store	*store;
	struct router	*router;
	struct config	*cfg;
	size_t		 busy;
	int		 reserved;	/* slots an accept may claim into */
	int		 held_off;	/* a kick found them all held */
	int		 claiming;
	int		 again;
	int		 closing;
	uint64_t	 done;
	uint64_t	 failed;
	struct hook_job	*jobs;
};

struct hook_job {
	struct hook_exec	*x;
	int64_t			 id;
	int			 dry_run;
	int			 alone;		/* hook_exec_signal's */
	int			 resumed;
	int			 fresh;		/* claimed as it was stored */
	hook_outcome_cb		 cb;
	void			*arg;
	json_t			*row;
	struct target	 target;
	char			*key;
	char			*source;
	/* the outcome, kept until the store has it */
	char			*status;
	int64_t			 fanout;
	char			*message;
	char			*verdict;
	json_t			*data;
	char			*text;
	struct hook_run		*run;		/* its workflow run */
	int			 run_made;
	struct hook_job		*next;
};

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
target_clear(struct target *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	memset(t, 0, sizeof *t);
}

/* all | group:TAG | TAG | acct:A[,acct:B...] as the strategy stored it. */
static int
target_parse(const char *s, struct target *t)
{
	const char	*p, *comma;

	memset(t, 0, sizeof *t);
	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "all") == 0) {
		t->kind = TARGET_ALL;
		return 0;
	}
	if (strncmp(s, "acct:", 5) != 0) {
		t->kind = TARGET_GROUP;
		t->names = xcalloc(1, sizeof *t->names);
		t->names[0] = xstrdup(strncmp(s, "group:", 6) == 0 ? s + 6 : s);
		t->n = 1;
		return 0;
	}
	t->kind = TARGET_ACCOUNTS;
	for (p = s; p != NULL && *p != '\0'; p = comma != NULL ? comma + 1 :
	    NULL) {
		comma = strchr(p, ',');
		if (strncmp(p, "acct:", 5) == 0)
			p += 5;
		t->names = xreallocarray(t->names, t->n + 1, sizeof *t->names);
		t->names[t->n++] = comma != NULL ? xstrndup(p,
		    (size_t)(comma - p)) : xstrdup(p);
	}
	return 0;
}

static void
job_free(struct hook_job *j)
{
	struct hook_job	**pp;

	for (pp = &j->x->jobs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	json_decref(j->row);
	json_decref(j->data);
	target_clear(&j->target);
	free(j->key);
	free(j->source);
	free(j->status);
	free(j->message);
	free(j->verdict);
	free(j->text);
	free(j);
}

static void
job_report(struct hook_job *j)
{
	struct hook_outcome	o;

	if (j->cb == NULL)
		return;
	memset(&o, 0, sizeof o);
	o.signal = j->id;
	o.status = j->status;
	o.fanout = j->fanout;
	o.message = j->message;
	o.data = j->data;
	o.text = j->text;
	j->cb(&o, j->arg);
}

static void
job_recorded(json_t *rows, const struct err *err, void *arg)
{
	struct hook_job		*j = arg;
	struct hook_exec	*x = j->x;

	if (err != NULL)
		log_warn("hook", "signal %lld: outcome %s not recorded: %s "
		    "(it is taken over and answered from its fan-out later)",
		    (long long)j->id, j->status, err->msg);
	job_report(j);
	if (!j->dry_run)
		x->busy--;
	job_free(j);
	if (!x->closing)
		hook_exec_kick(x);
	else if (x->jobs == NULL && !x->claiming)
		free(x);
}

/*
 * The signal's workflow run, made once.  Behind the fan-out's first
 * statement, not in front of it: the store's connection sends one
 * statement at a time, and the run's rows are nothing the order waits
 * for.  A signal that ends before any fan-out gets its run as it ends.
 */
static void
job_run(struct hook_job *j)
{
	if (j->dry_run || j->resumed || j->run_made)
		return;
	j->run_made = 1;
	j->run = hook_run_start(j->x->store, j->id);
}

static void
job_finish(struct hook_job *j, const char *status, const char *fmt, ...)
    PX_PRINTF(3, 4);

static void
job_finish(struct hook_job *j, const char *status, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	j->status = xstrdup(status);
	j->message = xstrdup(msg);
	job_run(j);
	hook_run_end(j->run, status, msg);
	j->run = NULL;
	if (strcmp(status, "DONE") == 0)
		j->x->done++;
	else if (strcmp(status, "QUEUED") != 0)
		j->x->failed++;
	if (j->dry_run) {
		job_recorded(NULL, NULL, j);
		return;
	}
	store_signal_finish(j->x->store, j->id, status, j->fanout, msg,
	    j->verdict, job_recorded, j);
}

static void
job_fanout_done(const struct fanout_result *res, void *arg)
{
	struct hook_job	*j = arg;
	json_t		*d = res->data;
	const char	*state = str(d, "state");

	if (d != NULL)
		j->data = json_deep_copy(d);
	if (res->text != NULL)
		j->text = xstrdup(res->text);
	j->fanout = json_integer_value(json_object_get(d, "fanout"));
	if (state != NULL && strcmp(state, "DENIED") == 0)
		j->verdict = xstrdup("DENIED");
	else if (d != NULL)
		j->verdict = xstrdup("PASS");
	if (j->dry_run)
		job_finish(j, "DONE", "dry run: nothing sent");
	else if (!res->ok && strcmp(res->err.code, "fanout-interrupted") == 0 &&
	    !j->resumed) {
		/* A leg the broker has is never sent again; the rest is. */
		j->resumed = 1;
		json_decref(j->data);
		j->data = NULL;
		free(j->text);
		j->text = NULL;
		free(j->verdict);
		j->verdict = NULL;
		fanout_resume(j->x->router, j->fanout, job_fanout_done, j);
	} else if (!res->ok && strcmp(res->err.code, "fanout-running") == 0)
		job_finish(j, "QUEUED", "%s: looked at again shortly",
		    res->err.msg);
	else if (res->ok)
		job_finish(j, "DONE", "fanout %lld %s", (long long)j->fanout,
		    state != NULL ? state : "done");
	else
		job_finish(j, "FAILED", "%s", res->err.msg[0] != '\0' ?
		    res->err.msg : "the fan-out failed");
}

static int
price_of(json_t *row, const char *k, int64_t *paise)
{
	const char	*v = str(row, k);

	*paise = 0;
	return v == NULL ? 0 : decimal_parse(v, 2, paise);
}

static const char *
param(struct hook_job *j, const char *k, const char *cfgkey)
{
	const char	*v = str(json_object_get(j->row, "params"), k);

	return v != NULL ? v : config_str(j->x->cfg, cfgkey);
}

static enum broker_order_type
order_type_of(const char *s)
{
	if (s != NULL && strcmp(s, "limit") == 0)
		return BROKER_LIMIT;
	if (s != NULL && strcmp(s, "sl") == 0)
		return BROKER_SL;
	if (s != NULL && strcmp(s, "slm") == 0)
		return BROKER_SLM;
	return BROKER_MARKET;
}

static enum broker_product
product_of(const char *s)
{
	if (s != NULL && strcmp(s, "nrml") == 0)
		return BROKER_NRML;
	if (s != NULL && strcmp(s, "cnc") == 0)
		return BROKER_CNC;
	return BROKER_MIS;
}

/*
 * To the fan-out engine, then the run.  A dry run may be answered and
 * freed before fanout_start returns; a real one is freed only once the
 * store has its outcome, which is never at once.
 */
static void
job_send(struct hook_job *j, struct fanout_req *req)
{
	int	dry = j->dry_run;

	fanout_start(j->x->router, req, job_fanout_done, j);
	if (!dry)
		job_run(j);
}

static void
job_start(struct hook_job *j)
{
	struct fanout_req	 req;
	json_t			*row = j->row;
	const char		*action = str(row, "action"), *side, *v;

	j->id = json_integer_value(json_object_get(row, "id"));
	if (str(row, "strategy") == NULL) {
		job_finish(j, "REJECTED", "the signal's strategy is gone");
		return;
	}
	if (target_parse(str(row, "target"), &j->target) != 0) {
		job_finish(j, "REJECTED", "strategy %s has no target",
		    str(row, "strategy"));
		return;
	}
	memset(&req, 0, sizeof req);
	req.target = &j->target;
	req.symbol = str(row, "symbol");
	req.exchange = str(row, "exchange");
	j->source = xasprintf("%s", str(row, "connector") != NULL ?
	    str(row, "connector") : "webhook");
	req.source = j->source;
	req.strategy = str(row, "strategy");
	req.signal_us = j->resumed ? 0 :
	    json_integer_value(json_object_get(row, "received_us"));
	req.dry_run = j->dry_run;
	req.mode = strcmp(param(j, "mode", "exec.default_mode"), "sync") == 0 ?
	    FANOUT_SYNC : FANOUT_ASYNC;
	v = param(j, "on_fail", "exec.default_on_fail");
	req.on_fail = strcmp(v, "retry") == 0 ? FANOUT_RETRY :
	    strcmp(v, "all-or-none") == 0 ? FANOUT_ALL_OR_NONE :
	    FANOUT_BEST_EFFORT;
	if (strcmp(action, "exit") == 0) {
		req.intent = FANOUT_SQUAREOFF;
		req.reason = "webhook exit signal";
		job_send(j, &req);
		return;
	}
	side = str(row, "exec_side");
	if (side == NULL || json_integer_value(json_object_get(row,
	    "exec_qty")) <= 0) {
		job_finish(j, "DONE", "already at the target position (%lld "
		    "lots): nothing to send", (long long)json_integer_value(
		    json_object_get(row, "qty")));
		return;
	}
	req.intent = FANOUT_ORDER;
	req.side = strcmp(side, "SELL") == 0 ? BROKER_SELL : BROKER_BUY;
	req.qty = json_integer_value(json_object_get(row, "exec_qty"));
	v = str(row, "unit");
	req.unit = v != NULL && strcmp(v, "units") == 0 ? ALLOC_UNITS :
	    ALLOC_LOTS;
	req.order_type = order_type_of(str(row, "order_type"));
	if (req.order_type == BROKER_LIMIT || req.order_type == BROKER_SL)
		(void)price_of(row, "price", &req.price);
	if (req.order_type == BROKER_SL || req.order_type == BROKER_SLM)
		(void)price_of(row, "trigger_price", &req.trigger);
	v = str(row, "product");
	req.product = product_of(v != NULL ? v : param(j, "product",
	    "exec.default_product"));
	if (alloc_policy_parse(param(j, "policy", "exec.default_policy"),
	    &req.policy) != 0)
		req.policy = ALLOC_FIXED;
	if (!j->dry_run) {
		j->key = xasprintf("sig-%lld", (long long)j->id);
		req.key = j->key;
		req.key_new = j->fresh;
	}
	job_send(j, &req);
}

static struct hook_job *
job_new(struct hook_exec *x, json_t *row, int dry_run)
{
	struct hook_job	*j = xcalloc(1, sizeof *j);

	j->x = x;
	j->row = json_incref(row);
	j->dry_run = dry_run;
	j->id = json_integer_value(json_object_get(row, "id"));
	j->next = x->jobs;
	x->jobs = j;
	if (!dry_run)
		x->busy++;
	return j;
}

/*
 * A signal this process runs already is not started again: claimed anew
 * only because the session that claimed it is gone (a connection lost
 * and made again), it is still the job's to finish.
 */
static int
job_running(const struct hook_exec *x, int64_t id)
{
	const struct hook_job	*j;

	for (j = x->jobs; j != NULL; j = j->next) {
		if (!j->dry_run && j->id == id)
			return 1;
	}
	return 0;
}

static void
jobs_start(struct hook_exec *x, json_t *rows)
{
	struct hook_job	*j;
	json_t		*row;
	size_t		 i;

	json_array_foreach(rows, i, row) {
		if (job_running(x, json_integer_value(json_object_get(row,
		    "id"))))
			continue;
		j = job_new(x, row, 0);
		j->fresh = json_is_true(json_object_get(row, "fresh"));
		job_start(j);
	}
}

static void
claimed(json_t *rows, const struct err *err, void *arg)
{
	struct hook_exec	*x = arg;

	x->claiming = 0;
	if (err != NULL) {
		log_warn("hook", "queued signals not claimed: %s", err->msg);
		return;
	}
	jobs_start(x, rows);
	if (x->again && !x->closing) {
		x->again = 0;
		hook_exec_kick(x);
	}
}

/*
 * hook.execute = false: an accepting front.  Its signals are stored and
 * queued, none is claimed here -- not at the accept, not by the claim
 * loop -- and the other daemons on the store run them.  A replay asked
 * for on purpose (hook_exec_signal) still runs here.
 */
static int
hook_exec_executes(const struct hook_exec *x)
{
	return config_bool(x->cfg, "hook.execute") != 0;
}

void
hook_exec_kick(struct hook_exec *x)
{
	int	max;

	if (x == NULL || x->closing || !hook_exec_executes(x))
		return;
	max = (int)config_int(x->cfg, "hook.parallel");
	if (x->claiming) {
		x->again = 1;
		return;
	}
	if ((int)x->busy + x->reserved >= max) {
		if (x->reserved > 0)
			x->held_off = 1;
		return;
	}
	x->claiming = 1;
	store_signal_claim(x->store, 0, max - (int)x->busy - x->reserved,
	    claimed, x);
}

int
hook_exec_reserve(struct hook_exec *x, int want)
{
	int	n;

	if (x == NULL || x->closing || !hook_exec_executes(x))
		return 0;
	n = (int)config_int(x->cfg, "hook.parallel") - (int)x->busy -
	    x->reserved;
	if (n > want)
		n = want;
	if (n <= 0)
		return 0;
	x->reserved += n;
	return n;
}

void
hook_exec_release(struct hook_exec *x, int n)
{
	if (x == NULL)
		return;
	x->reserved -= n;
	if (x->held_off && !x->closing) {
		x->held_off = 0;
		hook_exec_kick(x);
	}
}

/*
 * Claimed by the accepting session; while this process is closing they
 * are left EXECUTING, for the next claim to take over once that session
 * ends with the process.
 */
void
hook_exec_take(struct hook_exec *x, json_t *rows)
{
	if (x == NULL || x->closing)
		return;
	jobs_start(x, rows);
}

void
hook_exec_warm(struct hook_exec *x, const char *exchange, const char *symbol)
{
	char		 key[64];
	const char	*keys[1] = { key };

	if (x == NULL || x->closing || symbol == NULL || symbol[0] == '\0')
		return;
	snprintf(key, sizeof key, "%s:%s", exchange != NULL ? exchange : "",
	    symbol);
	router_warm(x->router, 0, keys, 1);
}

int
hook_exec_running(const struct hook_exec *x, const char *strategy,
    const char *symbol)
{
	const struct hook_job	*j;
	const char		*st, *sy;

	for (j = x->jobs; strategy != NULL && symbol != NULL && j != NULL;
	    j = j->next) {
		st = str(j->row, "strategy");
		sy = str(j->row, "symbol");
		if (!j->dry_run && st != NULL && sy != NULL &&
		    strcmp(st, strategy) == 0 && strcmp(sy, symbol) == 0)
			return 1;
	}
	return 0;
}

int
hook_exec_claims_later(const struct hook_exec *x, const char *strategy,
    const char *symbol)
{
	return x->claiming || hook_exec_running(x, strategy, symbol);
}

void
hook_exec_queued(struct hook_exec *x, const char *strategy, const char *symbol)
{
	if (x == NULL || x->closing || hook_exec_running(x, strategy, symbol))
		return;
	hook_exec_kick(x);
}

struct hook_one {
	struct hook_exec	*x;
	int64_t			 id;
	int			 dry_run;
	hook_outcome_cb		 cb;
	void			*arg;
};

static void
one_claimed(json_t *rows, const struct err *err, void *arg)
{
	struct hook_one		*o = arg;
	struct hook_outcome	 out;
	struct hook_job		*j;
	json_t			*row = json_array_get(rows, 0);

	if (err != NULL || row == NULL) {
		memset(&out, 0, sizeof out);
		out.signal = o->id;
		out.message = err != NULL ? err->msg : "not runnable: it is "
		    "not queued, or another process runs it";
		o->cb(&out, o->arg);
		free(o);
		return;
	}
	j = job_new(o->x, row, o->dry_run);
	j->cb = o->cb;
	j->arg = o->arg;
	j->alone = 1;
	free(o);
	job_start(j);
}

void
hook_exec_signal(struct hook_exec *x, int64_t id, int dry_run,
    hook_outcome_cb cb, void *arg)
{
	struct hook_one	*o = xcalloc(1, sizeof *o);

	o->x = x;
	o->id = id;
	o->dry_run = dry_run;
	o->cb = cb;
	o->arg = arg;
	if (dry_run)
		store_signal_peek(x->store, id, one_claimed, o);
	else
		store_signal_claim(x->store, id, 1, one_claimed, o);
}

struct hook_exec *
hook_exec_new(struct store *store, struct router *router,
    struct config *cfg)
{
	struct hook_exec	*x = xcalloc(1, sizeof *x);

	x->store = store;
	x->router = router;
	x->cfg = cfg;
	return x;
}

/*
 * Jobs still at the router stay there: the router's drain finishes or
 * abandons them, and their signals stay EXECUTING for the next claim.
 */
void
hook_exec_free(struct hook_exec *x)
{
	if (x == NULL)
		return;
	x->closing = 1;
	if (x->jobs == NULL && !x->claiming)
		free(x);
}

size_t
hook_exec_busy(const struct hook_exec *x)
{
	return x->busy;
}

void
hook_exec_counts(const struct hook_exec *x, uint64_t *done, uint64_t *failed)
{
	*done = x->done;
	*failed = x->failed;
}
