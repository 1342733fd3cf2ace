/*
 * The reconciler (reconcile.h).  One pass, all on the loop:
 *
 *   duty lock -> journal replayed -> claim orphaned fan-outs -> accounts
 *   in use -> their credentials -> every order book at once -> each book
 *   into the store -> each claimed fan-out settled from the books.
 *
 * A broker that cannot be read leaves its accounts (and the fan-outs
 * that reach them) for the next pass; a store failure abandons the pass.
 * Nothing here sends an order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "db/store_reconcile.h"
#include "exec/paper_hooks.h"
#include "exec/reconcile_int.h"
#include "net/net.h"
#include "util/config.h"
#include "util/secret.h"

static void rc_claim(struct reconcile *);
static void rc_acct_settled(struct reconcile *);

struct reconcile *
reconcile_new(struct router *r)
{
	struct reconcile	*rc;

	rc = xcalloc(1, sizeof *rc);
	rc->r = r;
	rc->st = r->store;
	rc->window_ms = config_int(r->cfg, "broker.timeout_ms");
	return rc;
}

static void
rc_adapters_free(struct reconcile *rc)
{
	size_t	i;

	for (i = 0; i < rc->naccts; i++) {
		broker_free(rc->accts[i].b);
		rc->accts[i].b = NULL;
	}
}

static void
rc_pass_clear(struct reconcile *rc)
{
	size_t	i;

	rc_adapters_free(rc);
	for (i = 0; i < rc->naccts; i++)
		free(rc->accts[i].book);
	free(rc->accts);
	rc->accts = NULL;
	rc->naccts = rc->pending = 0;
	free(rc->fos);
	rc->fos = NULL;
	rc->nfos = rc->next_fo = 0;
	json_decref(rc->claimed);
	rc->claimed = NULL;
}

static void
rc_destroy(struct reconcile *rc)
{
	rc_pass_clear(rc);
	json_decref(rc->failed);
	json_decref(rc->fanouts);
	strbuf_free(&rc->text);
	free(rc);
}

/* Something asynchronous was asked for; its callback calls rc_back. */
void
rc_call(struct reconcile *rc)
{
	rc->inflight++;
}

/*
 * A callback came back: 1 when the reconciler was freed meanwhile (the
 * caller returns at once; the last one frees it).
 */
int
rc_back(struct reconcile *rc)
{
	rc->inflight--;
	if (!rc->freed)
		return 0;
	if (rc->inflight == 0)
		rc_destroy(rc);
	return 1;
}

void
reconcile_free(struct reconcile *rc)
{
	if (rc == NULL)
		return;
	if (rc->tick != NULL)
		event_free(rc->tick);
	rc->tick = NULL;
	rc->freed = 1;
	rc->cb = NULL;
	rc->every_cb = NULL;
	/* Books in flight come back "cancelled", now. */
	rc->inflight++;
	rc_adapters_free(rc);
	rc_back(rc);
}

static void
rc_report_begin(struct reconcile *rc)
{
	memset(&rc->rep, 0, sizeof rc->rep);
	rc->rep.ran = 1;
	rc->failed = json_object();
	rc->fanouts = json_array();
	strbuf_init(&rc->text);
	rc->wait_ms = 0;
}

void
rc_abandon(struct reconcile *rc, const struct err *err, const char *what)
{
	err_set(&rc->rep.err, err->code, "reconcile: %s: %s", what, err->msg);
	rc_finish(rc);
}

static void
rc_done(struct reconcile *rc)
{
	struct reconcile_report	rep = rc->rep;
	reconcile_cb		cb = rc->cb;
	void			*arg = rc->arg;
	struct strbuf		text = rc->text;

	/* The callback may free the reconciler: nothing of rc after it. */
	rc->running = 0;
	strbuf_init(&rc->text);
	rep.data = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}",
	    "ran", rep.ran, "accounts", (json_int_t)rep.accounts,
	    "accounts_failed", (json_int_t)rep.accounts_failed,
	    "corrected", (json_int_t)rep.corrected,
	    "foreign", (json_int_t)rep.foreign,
	    "applied", (json_int_t)rep.applied,
	    "completed", (json_int_t)rep.completed,
	    "interrupted", (json_int_t)rep.interrupted,
	    "waiting", (json_int_t)rep.waiting,
	    "failed", rc->failed, "fanouts", rc->fanouts);
	rc->failed = rc->fanouts = NULL;
	if (err_isset(&rep.err))
		strbuf_printf(&text, "%s\n", rep.err.msg);
	rep.text = text.len > 0 ? text.s : NULL;
	if (cb != NULL)
		cb(&rep, arg);
	json_decref(rep.data);
	strbuf_free(&text);
}

static void
rc_repass(void *arg)
{
	struct reconcile	*rc = arg;

	if (rc_back(rc))
		return;
	rc_pass_clear(rc);
	rc_claim(rc);
}

void
rc_finish(struct reconcile *rc)
{
	rc_pass_clear(rc);
	/*
	 * A start-up pass that found legs inside their sending window comes
	 * back when the window is over, so it can say what they became.
	 */
	if (rc->o.wait && !rc->freed && !err_isset(&rc->rep.err) &&
	    rc->rep.waiting > 0 && rc->repass++ < RC_MAX_REPASS) {
		rc->rep.waiting = 0;
		strbuf_free(&rc->text);
		strbuf_init(&rc->text);
		rc_call(rc);
		loop_later((rc->wait_ms > 0 ? rc->wait_ms : 100) * 1000 + 50000,
		    rc_repass, rc);
		return;
	}
	rc_done(rc);
}

/* Order books into the store. */

static json_t *
rc_paise(int64_t v)
{
	char	*s = decimal_format(v, 2);
	json_t	*j = json_string(s);

	free(s);
	return j;
}

/* Only what the orders table can hold; the rest is not ours to track. */
static int
rc_storable(const struct broker_order *o)
{
	return o->order_id[0] != '\0' && o->tradingsymbol[0] != '\0' &&
	    o->exchange[0] != '\0' && o->qty > 0 &&
	    (o->product == BROKER_MIS || o->product == BROKER_NRML ||
	    o->product == BROKER_CNC || o->product == BROKER_MTF) &&
	    o->order_type != BROKER_ORDER_TYPE_UNKNOWN &&
	    (o->order_type != BROKER_LIMIT || o->price > 0) &&
	    (o->order_type != BROKER_SL || (o->price > 0 &&
	    o->trigger_price > 0)) &&
	    (o->order_type != BROKER_SLM || o->trigger_price > 0);
}

static json_t *
rc_book_json(const struct broker_order *o, size_t n)
{
	json_t	*a = json_array(), *j;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (!rc_storable(&o[i]))
			continue;
		j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:I,s:s,s:s,s:s,s:s,"
		    "s:s,s:o,s:o}", "order_id", o[i].order_id, "tag", o[i].tag,
		    "status", o[i].status, "state", broker_state_name(
		    o[i].state), "message", o[i].status_message,
		    "filled", (json_int_t)o[i].filled, "avg",
		    rc_paise(o[i].avg_price), "qty", (json_int_t)o[i].qty,
		    "side", broker_side_name(o[i].side), "symbol",
		    o[i].tradingsymbol, "exchange", o[i].exchange, "product",
		    broker_product_name(o[i].product), "order_type",
		    broker_order_type_name(o[i].order_type), "price",
		    rc_paise(o[i].price), "trigger_price",
		    rc_paise(o[i].trigger_price));
		json_array_append_new(a, j);
	}
	return a;
}

/* One account's book is done with, read or not. */
static void
rc_acct_settled(struct reconcile *rc)
{
	if (--rc->pending > 0)
		return;
	if (err_isset(&rc->rep.err))
		rc_finish(rc);
	else
		rc_next_fanout(rc);
}

static void
rc_book_stored(json_t *rows, const struct err *err, void *arg)
{
	struct rc_acct		*a = arg;
	struct reconcile	*rc = a->rc;
	const char		*action;
	json_t			*row;
	size_t			 i;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		/* The other books' statements fail the same way: say it once. */
		if (!err_isset(&rc->rep.err))
			err_set(&rc->rep.err, err->code, "reconcile: cannot "
			    "store %s's order book: %s", a->name, err->msg);
		rc_acct_settled(rc);
		return;
	}
	a->read = 1;
	rc->rep.accounts++;
	json_array_foreach(rows, i, row) {
		action = json_string_value(json_object_get(row, "action"));
		if (action != NULL && strcmp(action, "corrected") == 0)
			rc->rep.corrected++;
		else if (action != NULL && strcmp(action, "foreign") == 0)
			rc->rep.foreign++;
		rc->rep.applied += json_integer_value(json_object_get(row,
		    "applied"));
	}
	rc_acct_settled(rc);
}

static void
rc_book(const struct broker_err *be, const struct broker_order *o, size_t n,
    void *arg)
{
	struct rc_acct		*a = arg;
	struct reconcile	*rc = a->rc;
	json_t			*book;

	if (rc_back(rc))
		return;
	if (be != NULL) {
		rc->rep.accounts_failed++;
		json_object_set_new(rc->failed, a->name, json_string(
		    be->err.msg));
		strbuf_printf(&rc->text, "reconcile: account %s: order book "
		    "not read (%s); its orders and positions are left as they "
		    "are until the next pass\n", a->name, be->err.msg);
		rc_acct_settled(rc);
		return;
	}
	a->book = n > 0 ? xcalloc(n, sizeof *a->book) : NULL;
	if (n > 0)
		memcpy(a->book, o, n * sizeof *o);
	a->nbook = n;
	book = rc_book_json(o, n);
	rc_call(rc);
	store_reconcile_book(rc->st, a->id, book, rc->claimed, rc_book_stored,
	    a);
	json_decref(book);
}

static int
rc_id_in(json_t *ids, int64_t id)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(ids, i, v) {
		if (json_integer_value(json_object_get(v, "account_id")) == id)
			return 1;
	}
	return 0;
}

struct rc_ids {
	struct reconcile	*rc;
	json_t			*ids;
};

static void
rc_creds(json_t *rows, const struct err *err, void *arg)
{
	struct rc_ids		*x = arg;
	struct reconcile	*rc = x->rc;
	struct broker_env	 env;
	struct rc_acct		*a;
	struct err		 e;
	json_t			*row;
	size_t			 i;

	if (rc_back(rc)) {
		json_decref(x->ids);
		free(x);
		return;
	}
	if (err != NULL) {
		json_decref(x->ids);
		free(x);
		rc_abandon(rc, err, "cannot read broker credentials");
		return;
	}
	memset(&env, 0, sizeof env);
	env.cfg = rc->r->cfg;
	env.home = rc->r->home;
	env.keys = secret_keys_new(rc->r->home);
	exec_paper_hooks(&env, rc->st);
	env.http = rc->r->http;
	rc->accts = xcalloc(json_array_size(rows) + 1, sizeof *rc->accts);
	json_array_foreach(rows, i, row) {
		int64_t id = json_integer_value(json_object_get(row,
		    "account_id"));

		if (!rc_id_in(x->ids, id))
			continue;
		a = &rc->accts[rc->naccts++];
		a->rc = rc;
		a->id = id;
		snprintf(a->name, sizeof a->name, "%s", json_string_value(
		    json_object_get(row, "account")));
		err_clear(&e);
		if ((a->b = broker_from_row(&env, row, &e)) == NULL) {
			rc->rep.accounts_failed++;
			json_object_set_new(rc->failed, a->name, json_string(
			    e.msg));
			strbuf_printf(&rc->text, "reconcile: account %s: no "
			    "broker adapter (%s)\n", a->name, e.msg);
		}
	}
	secret_keys_free(env.keys);
	json_decref(x->ids);
	free(x);
	/* One count for the loop itself, so no answer ends it early. */
	rc->pending = 1;
	for (i = 0; i < rc->naccts; i++) {
		a = &rc->accts[i];
		if (a->b == NULL)
			continue;
		rc->pending++;
		rc_call(rc);
		a->b->ops->orders(a->b, rc_book, a);
	}
	rc_acct_settled(rc);
}

static void
rc_accounts(json_t *rows, const struct err *err, void *arg)
{
	struct reconcile	*rc = arg;
	struct rc_ids		*x;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		rc_abandon(rc, err, "cannot find the accounts in use");
		return;
	}
	if (json_array_size(rows) == 0) {
		rc_next_fanout(rc);
		return;
	}
	x = xcalloc(1, sizeof *x);
	x->rc = rc;
	x->ids = json_deep_copy(rows);
	rc_call(rc);
	store_broker_creds(rc->st, NULL, NULL, rc_creds, x);
}

static void
rc_claimed(json_t *rows, const struct err *err, void *arg)
{
	struct reconcile	*rc = arg;
	json_t			*row;
	size_t			 i;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		rc_abandon(rc, err, "cannot look for interrupted fan-outs");
		return;
	}
	rc->fos = xcalloc(json_array_size(rows) + 1, sizeof *rc->fos);
	rc->claimed = json_array();
	json_array_foreach(rows, i, row) {
		rc->fos[i].id = json_integer_value(json_object_get(row, "id"));
		rc->fos[i].orphaned_ms = json_integer_value(json_object_get(row,
		    "orphaned_ms"));
		json_array_append_new(rc->claimed, json_integer(rc->fos[i].id));
	}
	rc->nfos = json_array_size(rows);
	/* Only one fan-out asked for: only its accounts. */
	rc_call(rc);
	store_reconcile_accounts(rc->st, rc->claimed, rc->o.fanout_id > 0,
	    rc_accounts, rc);
}

static void
rc_claim(struct reconcile *rc)
{
	rc_call(rc);
	store_reconcile_claim(rc->st, rc->o.fanout_id, rc_claimed, rc);
}

/*
 * Events a dead run left in the journal are replayed first: a replay
 * moves orders to their journaled state, which must not land on top of
 * what the books say.
 */
static void
rc_journal_wait(void *arg)
{
	struct reconcile	*rc = arg;

	if (rc_back(rc))
		return;
	if (router_events_backlog(rc->r) &&
	    time_mono_us() - rc->started < RC_JOURNAL_WAIT_US) {
		rc_call(rc);
		loop_later(50000, rc_journal_wait, rc);
		return;
	}
	rc_claim(rc);
}

static void
rc_duty(json_t *rows, const struct err *err, void *arg)
{
	struct reconcile	*rc = arg;
	json_t			*held;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		rc_abandon(rc, err, "cannot take the reconcile duty");
		return;
	}
	held = json_object_get(json_array_get(rows, 0), "held");
	if (!json_is_true(held)) {
		rc->rep.ran = 0;
		rc_done(rc);
		return;
	}
	rc_call(rc);
	rc_journal_wait(rc);
}

void
reconcile_run(struct reconcile *rc, const struct reconcile_opts *o,
    reconcile_cb cb, void *arg)
{
	if (rc->running) {
		struct reconcile_report	rep;

		memset(&rep, 0, sizeof rep);
		err_set(&rep.err, "busy", "reconcile: a pass is already "
		    "running");
		cb(&rep, arg);
		return;
	}
	rc->running = 1;
	rc->o = *o;
	rc->cb = cb;
	rc->arg = arg;
	rc->repass = 0;
	rc->started = time_mono_us();
	rc_report_begin(rc);
	/* rc_journal_wait is also a timer callback: it gives one back. */
	rc_call(rc);
	if (o->duty)
		store_reconcile_duty(rc->st, rc_duty, rc);
	else
		rc_journal_wait(rc);
}

static void
rc_every_done(const struct reconcile_report *rep, void *arg)
{
	struct reconcile	*rc = arg;
	struct timeval		 tv;

	if (rc->every_cb != NULL)
		rc->every_cb(rep, rc->every_arg);
	if (rc->period_s > 0 && rc->tick != NULL && !rc->freed) {
		tv.tv_sec = rc->period_s;
		tv.tv_usec = 0;
		evtimer_add(rc->tick, &tv);
	}
}

static void
rc_tick(evutil_socket_t fd, short what, void *arg)
{
	struct reconcile	*rc = arg;
	struct reconcile_opts	 o;

	memset(&o, 0, sizeof o);
	o.duty = 1;
	/* With no later pass, the first must see its windows close. */
	o.wait = rc->period_s == 0;
	reconcile_run(rc, &o, rc_every_done, rc);
}

void
reconcile_every(struct reconcile *rc, int seconds, reconcile_cb cb, void *arg)
{
	rc->period_s = seconds;
	rc->every_cb = cb;
	rc->every_arg = arg;
	if (rc->tick == NULL)
		rc->tick = evtimer_new(loop_base(), rc_tick, rc);
	rc_tick(-1, 0, rc);
}

