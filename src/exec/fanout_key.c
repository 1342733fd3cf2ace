/*
 * Idempotency keys (buy/sell "key K"): a rerun of a command with the same
 * key resumes rather than repeats.  The key and the intent it was given
 * for are stored with the fan-out, in the statement that records its
 * orders (a unique index makes two processes racing with one key record
 * it once).  The same key again with the same intent answers with the
 * fan-out already recorded -- settled from the brokers' books first if
 * its sender died -- and sends nothing; with another intent it is an
 * error, and nothing is sent either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_reconcile.h"
#include "exec/reconcile.h"
#include "exec/router_int.h"

/* What the trader asked, as typed (before the instrument lookup). */
char *
fanout_key_intent(const struct fanout *fo)
{
	const struct fanout_req	*q = &fo->req;

	return xasprintf("%s %s %lld %s %s price %lld trigger %lld %s to %s "
	    "policy %s mode %s on-fail %s", broker_side_name(q->side),
	    fo->symbol, (long long)q->qty, q->unit == ALLOC_UNITS ? "units" :
	    "lots", broker_order_type_name(q->order_type),
	    (long long)q->price, (long long)q->trigger,
	    broker_product_name(q->product), fo->target_text,
	    alloc_policy_name(q->policy), fanout_mode_name(q->mode),
	    fanout_on_fail_name(q->on_fail));
}

struct key_job {
	struct fanout		*fo;
	void			(*next)(struct fanout *);
	struct reconcile	*rc;
	int64_t			 id;
	int			 reconciled;
	json_t			*row;
};

static void key_lookup(struct key_job *);

static void
key_job_free(struct key_job *k)
{
	json_decref(k->row);
	free(k);
}

static void
key_report(struct key_job *k, json_t *legs)
{
	struct fanout		*fo = k->fo;
	struct fanout_result	 res;
	struct strbuf		 b;
	const char		*state = json_string_value(json_object_get(
				    k->row, "state"));
	const char		*msg = json_string_value(json_object_get(
				    k->row, "message"));
	json_t			*leg;
	size_t			 i;

	memset(&res, 0, sizeof res);
	strbuf_init(&b);
	strbuf_printf(&b, "fanout %lld already recorded under key %s: %s -- "
	    "nothing sent again\n", (long long)k->id, fo->req.key, state);
	if (msg != NULL)
		strbuf_printf(&b, "  %s\n", msg);
	strbuf_printf(&b, "%-14s %-22s %7s %-16s %7s %10s\n", "ACCOUNT",
	    "SYMBOL", "QTY", "STATE", "FILLED", "AVG");
	json_array_foreach(legs, i, leg)
		strbuf_printf(&b, "%-14s %-22s %7lld %-16s %7lld %10s\n",
		    json_string_value(json_object_get(leg, "account")),
		    json_string_value(json_object_get(leg, "symbol")),
		    (long long)json_integer_value(json_object_get(leg, "qty")),
		    json_string_value(json_object_get(leg, "state")),
		    (long long)json_integer_value(json_object_get(leg,
		    "filled_qty")), json_string_value(json_object_get(leg,
		    "avg_price")));
	res.ok = strcmp(state, "COMPLETED") == 0;
	res.text = strbuf_steal(&b);
	res.data = json_pack("{s:I,s:s,s:s,s:b,s:O}", "fanout",
	    (json_int_t)k->id, "state", state, "key", fo->req.key,
	    "existing", 1, "legs", legs);
	if (!res.ok && strcmp(state, "INTERRUPTED") == 0)
		err_set(&res.err, "fanout-interrupted", "fanout %lld (key %s) "
		    "was interrupted and some orders were never sent; \"fanout "
		    "resume %lld\" sends them", (long long)k->id, fo->req.key,
		    (long long)k->id);
	else if (!res.ok && strcmp(state, "RUNNING") == 0)
		err_set(&res.err, "fanout-running", "fanout %lld (key %s) is "
		    "still RUNNING (its sender is alive, or its orders are not "
		    "all at the brokers yet); nothing sent again",
		    (long long)k->id, fo->req.key);
	else if (!res.ok)
		err_set(&res.err, "fanout-failed", "fanout %lld (key %s) ended "
		    "%s; nothing sent again", (long long)k->id, fo->req.key,
		    state);
	fo->cb(&res, fo->arg);
	json_decref(res.data);
	free(res.text);
	fanout_free(fo);
}

static void
key_legs(json_t *rows, const struct err *err, void *arg)
{
	struct key_job	*k = arg;

	if (err != NULL)
		fanout_fail(k->fo, err->code, "%s", err->msg);
	else
		key_report(k, rows);
	key_job_free(k);
}

static void
key_reconciled(const struct reconcile_report *rep, void *arg)
{
	struct key_job	*k = arg;

	reconcile_free(k->rc);
	k->rc = NULL;
	k->reconciled = 1;
	key_lookup(k);
}

static void
key_found(json_t *rows, const struct err *err, void *arg)
{
	struct key_job		*k = arg;
	struct fanout		*fo = k->fo;
	struct reconcile_opts	 o;
	json_t			*row;
	const char		*intent;
	char			*mine;

	if (err != NULL) {
		fanout_fail(fo, err->code, "cannot look the key up, nothing was "
		    "sent: %s", err->msg);
		key_job_free(k);
		return;
	}
	if ((row = json_array_get(rows, 0)) == NULL) {
		k->next(fo);
		key_job_free(k);
		return;
	}
	k->id = json_integer_value(json_object_get(row, "id"));
	intent = json_string_value(json_object_get(row, "idem_intent"));
	mine = fanout_key_intent(fo);
	if (intent == NULL || strcmp(intent, mine) != 0) {
		fanout_fail(fo, "key-conflict", "key %s was given to fanout "
		    "%lld for another intent (%s); nothing was sent -- use a "
		    "new key", fo->req.key, (long long)k->id,
		    intent != NULL ? intent : "unknown");
		free(mine);
		key_job_free(k);
		return;
	}
	free(mine);
	json_decref(k->row);
	k->row = json_deep_copy(row);
	/* Its sender died: settle it from the books before answering. */
	if (!k->reconciled && strcmp(json_string_value(json_object_get(row,
	    "state")), "RUNNING") == 0) {
		memset(&o, 0, sizeof o);
		o.fanout_id = k->id;
		o.wait = 1;
		k->rc = reconcile_new(fo->r);
		reconcile_run(k->rc, &o, key_reconciled, k);
		return;
	}
	store_fanout_orders(fo->r->store, k->id, key_legs, k);
}

static void
key_lookup(struct key_job *k)
{
	store_fanout_by_key(k->fo->r->store, k->fo->req.key, key_found, k);
}

/* Before anything is planned: the key decides whether to go on (next). */
void
fanout_key_check(struct fanout *fo, void (*next)(struct fanout *))
{
	struct key_job	*k;

	k = xcalloc(1, sizeof *k);
	k->fo = fo;
	k->next = next;
	key_lookup(k);
}
