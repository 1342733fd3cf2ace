/*
 * Responses to a breach, as the template names them, started at once
 * from what the monitor holds -- they wait on no store write and no
 * alert -- in escalating order: alert (the pass's breach record queues
 * it), throttle (an override halving
 * the account's orders-per-sec until the day ends), reduce (REDUCING),
 * scaleout (every position cut by the template's scaleout-pct, in whole
 * lots: rms_scaleout_lots), halt (HALTED), squareoff (HALTED, then every
 * position closed), hedge (protective options bought for each short
 * position, rms.hedge_steps strikes out or at the template's
 * hedge-premium), kill (the kill
 * switch: HALTED, working orders cancelled, positions closed).  Every
 * step lands on the timeline of the scope's open incident for the rule
 * (which the breach record, queued ahead of it, opened or joined), and
 * every order a step placed with its ack and fill.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_fanout.h"
#include "db/store_rms.h"
#include "db/store_rms_live.h"
#include "rms/rms_int.h"

struct rms_act {
	struct rms_engine	*e;
	int64_t			 acct_id;
	char			 name[72];
	char			 rule[32];
	char			 reason[300];
	struct rms_breach	 br;
	struct rms_limits	 lim;
	struct rms_pos		*pos;		/* hedge: shorts to cover */
	size_t			 npos;
	size_t			 next;
	const struct rms_pos	*cur;		/* hedge: being covered */
	json_t			*chain;		/* hedge: its chain's rows */
	int64_t			*strikes;	/* hedge: paise, by row */
	char			 tag[24];	/* the pass's fan-out tag */
	/* The fan-out reads its target after fanout_start returns. */
	struct target	 target;
	char			*names[1];
	char			 symbol[48];
};

static const struct target *
act_target(struct rms_act *a)
{
	memset(&a->target, 0, sizeof a->target);
	a->names[0] = a->name;
	a->target.kind = TARGET_ACCOUNTS;
	a->target.names = a->names;
	a->target.n = 1;
	return &a->target;
}

static void
act_free(struct rms_act *a)
{
	json_decref(a->chain);
	free(a->strikes);
	free(a->pos);
	free(a);
}

/* The pass's tag with the response's letter (rms_respond_letter). */
static void
act_tag(struct rms_engine *e, char *buf, size_t len, enum rms_response r)
{
	if (e->pass_intent[0] == '\0')
		buf[0] = '\0';
	else
		snprintf(buf, len, "rms:%s:%c", e->pass_intent,
		    rms_respond_letter(r));
}

static void
act_logged(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("rms", "incident timeline not written: %s", err->msg);
}

void
rms_note(struct rms_engine *e, const char *name, const char *rule,
    const char *ev, const char *msg, json_t *detail)
{
	struct store_actor	 who = { "rms", e->front };

	store_rms_note(e->store, "account", name, rule, ev, msg, detail, &who,
	    act_logged, NULL);
	store_registry_changed(e->store, STORE_INCIDENTS_CHANGED);
}

static void
act_event(struct rms_act *a, const char *kind, json_t *detail,
    const char *fmt, ...) PX_PRINTF(4, 5);

static void
act_event(struct rms_act *a, const char *kind, json_t *detail,
    const char *fmt, ...)
{
	char			 msg[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (a->e->held_notes != NULL)
		json_array_append_new(a->e->held_notes, json_pack("{s:s,s:s,"
		    "s:s,s:s,s:O?}", "name", a->name, "rule", a->rule, "ev", kind,
		    "msg", msg, "detail", detail));
	else if (!a->e->closing)
		rms_note(a->e, a->name, a->rule, kind, msg, detail);
	json_decref(detail);
}

/* Each order of a fan-out the response placed, with its ack and fill. */
static void
act_orders(struct rms_act *a, const struct fanout_result *res,
    const char *what)
{
	json_t		*legs = json_object_get(res->data, "legs"), *leg;
	int64_t		 fid = json_integer_value(json_object_get(res->data,
			    "fanout"));
	const char	*avg, *msg;
	json_t		*ack;
	size_t		 i;

	if (a->e->die_unrecorded) {
		/* Test only (PHALANX_TEST_RMS_DIE): the fan-out's intent is
		 * stored; its breach is not.  */
		log_warn("rms", "fan-out %lld done: dying as asked",
		    (long long)fid);
		raise(SIGKILL);
	}

	act_event(a, "action", json_pack("{s:I,s:s?}", "fanout",
	    (json_int_t)fid, "state", json_string_value(json_object_get(
	    res->data, "state"))), "%s: fanout %lld %s, %zu order(s)%s%s",
	    what, (long long)fid, res->data != NULL ? json_string_value(
	    json_object_get(res->data, "state")) : "FAILED",
	    json_array_size(legs), res->ok ? "" : ": ", res->ok ? "" :
	    res->err.msg);
	json_array_foreach(legs, i, leg) {
		avg = json_string_value(json_object_get(leg, "avg_price"));
		msg = json_string_value(json_object_get(leg, "message"));
		ack = json_object_get(leg, "ack_us");
		json_object_set_new(leg, "fanout", json_integer(fid));
		act_event(a, "order", json_incref(leg), "%s %s %lld %s: %s, "
		    "filled %lld%s%s, ack %s%.1f ms, broker order %s%s%s",
		    json_string_value(json_object_get(leg, "side")),
		    json_string_value(json_object_get(leg, "symbol")),
		    (long long)json_integer_value(json_object_get(leg, "qty")),
		    json_string_value(json_object_get(leg, "account")),
		    json_string_value(json_object_get(leg, "state")),
		    (long long)json_integer_value(json_object_get(leg,
		    "filled")), avg != NULL ? " @ " : "", avg != NULL ? avg :
		    "", json_is_integer(ack) ? "" : "none ",
		    json_is_integer(ack) ? json_integer_value(ack) / 1000.0 :
		    0.0, json_string_value(json_object_get(leg,
		    "broker_order_id")), msg != NULL ? "; " : "",
		    msg != NULL ? msg : "");
	}
	if (!res->ok && res->data == NULL)
		act_event(a, "action", NULL, "%s failed before any order: %s",
		    what, res->err.msg);
}

static void
act_fanout(struct rms_act *a, enum fanout_intent intent,
    fanout_done_cb cb)
{
	struct fanout_req	 req;

	memset(&req, 0, sizeof req);
	req.intent = intent;
	req.target = act_target(a);
	req.reason = a->reason;
	req.source = "rms";
	req.tag = a->tag[0] != '\0' ? a->tag : NULL;
	req.mode = FANOUT_ASYNC;
	req.on_fail = FANOUT_RETRY;
	fanout_start(a->e->router, &req, cb, a);
}

static void
act_closed(const struct fanout_result *res, void *arg)
{
	struct rms_act	*a = arg;

	log_info("rms", "%s of %s: %s%s", a->br.response == RR_KILL ? "kill" :
	    "square-off", a->name, res->text != NULL ? res->text : "",
	    res->ok ? "" : res->err.msg);
	act_orders(a, res, a->br.response == RR_KILL ? "kill" : "square-off");
	act_free(a);
}

static void
act_state_set(json_t *rows, const struct err *err, void *arg)
{
	struct rms_act	*a = arg;
	const char	*st = a->br.response == RR_REDUCE ? "REDUCING" :
			    "HALTED";

	if (err != NULL)
		act_event(a, "state", NULL, "could not set %s %s: %s", a->name,
		    st, err->msg);
	else
		act_event(a, "state", json_pack("{s:s,s:s}", "account",
		    a->name, "state", st), "%s is %s", a->name, st);
	if (a->br.response == RR_SQUAREOFF && !a->e->closing) {
		act_fanout(a, FANOUT_SQUAREOFF, act_closed);
		return;
	}
	act_free(a);
}

static void
act_state(struct rms_act *a, const char *state)
{
	struct store_actor	 who = { "rms", a->e->front };
	json_t			*ids = json_pack("[I]", (json_int_t)a->acct_id);

	store_trading_state_set(a->e->store, ids, state, a->reason, &who,
	    act_state_set, a);
	json_decref(ids);
}

static void
act_throttled(json_t *rows, const struct err *err, void *arg)
{
	struct rms_act	*a = arg;
	json_t		*row = json_array_get(rows, 0);

	if (err != NULL)
		act_event(a, "action", NULL, "throttle failed: %s", err->msg);
	else
		act_event(a, "action", json_pack("{s:O}", "override", row),
		    "throttled %s to %s orders/s until the day ends "
		    "(override %lld)", a->name, json_string_value(
		    json_object_get(row, "value")), (long long)
		    json_integer_value(json_object_get(row, "id")));
	act_free(a);
}

static void
act_throttle(struct rms_act *a)
{
	struct store_actor	 who = { "rms", a->e->front };
	struct store_override	 o;
	char			 value[24], until[40];
	int64_t			 cur = rms_limit_has(&a->lim, RL_ORDERS_PER_SEC) ?
				    a->lim.v[RL_ORDERS_PER_SEC] : 10;

	snprintf(value, sizeof value, "%lld", (long long)(cur > 2 ?
	    cur / 2 : 1));
	rms_day_ist(time_wall_us(), until, sizeof until);
	strncat(until, " 23:59:59+05:30", sizeof until - strlen(until) - 1);
	memset(&o, 0, sizeof o);
	o.kind = "account";
	o.name = a->name;
	o.limit = "orders-per-sec";
	o.value = value;
	o.until = until;
	o.reason = a->reason;
	store_rms_override_add(a->e->store, &o, &who, act_throttled, a);
}

static void act_hedge_next(struct rms_act *);

static void
act_hedged(const struct fanout_result *res, void *arg)
{
	struct rms_act	*a = arg;

	act_orders(a, res, "hedge");
	act_hedge_next(a);
}

/* Buy row at of the chain: as many lots as the position is short. */
static void
act_hedge_buy(struct rms_act *a, size_t at, const char *how)
{
	const struct rms_pos	*p = a->cur;
	struct fanout_req	 req;
	const char		*sym;

	sym = json_string_value(json_object_get(json_array_get(a->chain, at),
	    "tradingsymbol"));
	snprintf(a->symbol, sizeof a->symbol, "%s", sym != NULL ? sym : "");
	memset(&req, 0, sizeof req);
	req.intent = FANOUT_ORDER;
	req.target = act_target(a);
	req.exchange = p->exchange;
	req.symbol = a->symbol;
	req.side = BROKER_BUY;
	req.qty = -p->qty / p->lot;
	req.unit = ALLOC_LOTS;
	req.order_type = BROKER_MARKET;
	req.product = strcmp(p->product, "MIS") == 0 ? BROKER_MIS :
	    BROKER_NRML;
	req.policy = ALLOC_EQUAL;	/* exactly qty lots to the one account */
	req.mode = FANOUT_ASYNC;
	req.on_fail = FANOUT_RETRY;
	req.reason = a->reason;
	req.source = "rms";
	req.tag = a->tag[0] != '\0' ? a->tag : NULL;
	act_event(a, "action", json_pack("{s:s,s:s,s:I}", "covers", p->symbol,
	    "buy", a->symbol, "lots", (json_int_t)req.qty), "hedge: buy %lld "
	    "lot(s) of %s to cover short %s (%s)", (long long)req.qty,
	    a->symbol, p->symbol, how);
	fanout_start(a->e->router, &req, act_hedged, a);
}

/* The chain's quotes: the strike nearest hedge-premium, at or below. */
static void
act_premiums(struct rms_engine *e, json_t *quotes, void *arg)
{
	struct rms_act		*a = arg;
	const struct rms_pos	*p = a->cur;
	size_t			 i, n = json_array_size(a->chain);
	int64_t			*ltp, now = time_wall_us();
	int64_t			 stale_us = (int64_t)e->stale_s * 1000000;
	char			 key[80], how[120], *t, *got;
	json_t			*q;
	int			 at, fut = strcmp(p->type, "FUT") == 0;

	if (e->closing) {
		act_hedge_next(a);
		return;
	}
	ltp = xcalloc(n + 1, sizeof *ltp);
	for (i = 0; i < n; i++) {
		snprintf(key, sizeof key, "%s:%s", p->exchange,
		    json_string_value(json_object_get(json_array_get(a->chain,
		    i), "tradingsymbol")));
		q = json_object_get(quotes, key);
		if (q != NULL && now - json_integer_value(json_object_get(q,
		    "at")) <= stale_us)
			ltp[i] = json_integer_value(json_object_get(q, "ltp"));
	}
	at = rms_hedge_pick_premium(a->strikes, ltp, n, fut ? p->last :
	    p->strike, strcmp(p->type, "PE") != 0, fut,
	    a->lim.hedge_premium);
	t = decimal_format(a->lim.hedge_premium, 2);
	if (at < 0) {
		act_event(a, "action", NULL, "hedge for %s: no %s of %s %s "
		    "beyond the short strike has a live premium at or below "
		    "%s", p->symbol, strcmp(p->type, "PE") == 0 ? "put" :
		    "call", p->under, p->expiry, t);
		free(t);
		free(ltp);
		act_hedge_next(a);
		return;
	}
	got = decimal_format(ltp[at], 2);
	snprintf(how, sizeof how, "premium %s, the nearest at or below %s",
	    got, t);
	free(got);
	free(t);
	free(ltp);
	act_hedge_buy(a, (size_t)at, how);
}

static void
act_chain(json_t *rows, const struct err *err, void *arg)
{
	struct rms_act		*a = arg;
	const struct rms_pos	*p = a->cur;
	const char		**keys;
	char			 how[80];
	int64_t			 v;
	size_t			 i, n = json_array_size(rows), nk;
	int			 call = strcmp(p->type, "PE") != 0, at;
	int			 fut = strcmp(p->type, "FUT") == 0;

	if (err != NULL || n == 0) {
		act_event(a, "action", NULL, "hedge for %s: no option chain "
		    "for %s %s%s%s", p->symbol, p->under, p->expiry,
		    err != NULL ? ": " : "", err != NULL ? err->msg : "");
		act_hedge_next(a);
		return;
	}
	json_decref(a->chain);
	a->chain = json_incref(rows);
	free(a->strikes);
	a->strikes = xcalloc(n, sizeof *a->strikes);
	for (i = 0; i < n; i++) {
		if (decimal_parse(json_string_value(json_object_get(
		    json_array_get(rows, i), "strike")), 4, &v) == 0)
			a->strikes[i] = v / 100;
	}
	if (a->lim.hedge_premium > 0 && a->e->marks != NULL &&
	    !a->e->closing) {
		/* Quotes for the whole chain, as many as one call takes. */
		keys = xcalloc(n + 1, sizeof *keys);
		for (i = nk = 0; i < n && nk < 500; i++)
			keys[nk++] = xasprintf("%s:%s", p->exchange,
			    json_string_value(json_object_get(json_array_get(
			    rows, i), "tradingsymbol")));
		rms_marks_get(a->e->marks, keys, nk, act_premiums, a);
		for (i = 0; i < nk; i++)
			free((char *)keys[i]);
		free(keys);
		return;
	}
	at = rms_hedge_pick(a->strikes, n, fut ? p->last : p->strike, call,
	    a->e->hedge_steps, fut);
	if (at < 0 || a->e->closing) {
		act_event(a, "action", NULL, "hedge for %s: the chain has no "
		    "strike %d steps out of the money", p->symbol,
		    a->e->hedge_steps);
		act_hedge_next(a);
		return;
	}
	snprintf(how, sizeof how, "%d strike(s) out of the money",
	    a->e->hedge_steps);
	act_hedge_buy(a, (size_t)at, how);
}

static void
act_hedge_next(struct rms_act *a)
{
	const struct rms_pos	*p;

	while (!a->e->closing && a->next < a->npos) {
		p = &a->pos[a->next++];
		a->cur = p;
		store_rms_chain(a->e->store, p->exchange, p->under, p->expiry,
		    strcmp(p->type, "PE") == 0 ? "PE" : "CE", act_chain, a);
		return;
	}
	act_free(a);
}

/* Short options and futures, in whole lots, are what a hedge covers. */
static void
act_hedge(struct rms_act *a, const struct rms_acct *ac)
{
	const struct rms_pos	*p;
	size_t			 i;

	a->pos = xcalloc(ac->npos + 1, sizeof *a->pos);
	for (i = 0; i < ac->npos; i++) {
		p = &ac->pos[i];
		if (p->qty >= 0 || p->qty % p->lot != 0 || p->expiry[0] == '\0' ||
		    (strcmp(p->type, "FUT") != 0 && strcmp(p->type, "CE") != 0 &&
		    strcmp(p->type, "PE") != 0))
			continue;
		a->pos[a->npos++] = *p;
	}
	if (a->npos == 0)
		act_event(a, "action", NULL, "hedge: %s has no short option or "
		    "future to cover", a->name);
	act_hedge_next(a);
}

static struct rms_act *
act_new(struct rms_engine *e, const struct rms_acct *ac,
    const struct rms_breach *br)
{
	struct rms_act	*a;

	a = xcalloc(1, sizeof *a);
	a->e = e;
	a->acct_id = ac->id;
	snprintf(a->name, sizeof a->name, "%s", ac->name);
	snprintf(a->rule, sizeof a->rule, "%s", rms_rule_name(br->rule));
	snprintf(a->reason, sizeof a->reason, "RMS %s: %s", a->rule,
	    br->msg);
	a->br = *br;
	a->lim = ac->lim;
	act_tag(e, a->tag, sizeof a->tag, br->response);
	return a;
}

/*
 * Halts, square-offs, reductions and kills of one monitor pass are done
 * together: one state change for all the accounts, one fan-out over all
 * of them, so a tick that breaches a hundred accounts puts their exits
 * on the wire at once, not one account after another.
 */
struct rms_group {
	struct rms_engine	*e;
	enum rms_response	 resp;
	struct rms_act		**acts;
	size_t			 n;
	char			**names;
	struct target	 target;
	char			 reason[300];
	struct fanout_close	*close;		/* squareoff: what to close */
	size_t			 nclose;
	char			 tag[24];
	int			 refs;		/* state change, fan-out */
};

static void
group_free(struct rms_group *g)
{
	size_t	i;

	if (--g->refs > 0)
		return;
	for (i = 0; i < g->n; i++)
		act_free(g->acts[i]);
	free(g->acts);
	free(g->names);
	free(g->close);
	free(g);
}

static enum broker_product
product_of(const char *name)
{
	enum broker_product	p;

	for (p = BROKER_MIS; p <= BROKER_CO; p++) {
		if (strcmp(name, broker_product_name(p)) == 0)
			return p;
	}
	return BROKER_NRML;
}

/*
 * What the square-off closes: the positions the snapshot holds, which
 * the reconciler keeps true -- no broker read before the orders go.  The
 * strings point into the snapshot's copy kept by each act.  A scale-out
 * closes rms_scaleout_lots of each position's whole lots instead, and
 * says on each account's timeline what it cuts.
 */
static void
group_positions(struct rms_group *g)
{
	struct rms_acct		*ac;
	const struct rms_pos	*p;
	struct fanout_close	*c;
	struct strbuf		 plan;
	int64_t			 bp, lots, cut;
	size_t			 i, j;
	int			 scale = g->resp == RR_SCALEOUT;

	for (i = 0; i < g->n; i++) {
		ac = rms_snap_find(&g->e->snap, g->acts[i]->acct_id);
		if (ac == NULL)
			continue;
		g->acts[i]->pos = xcalloc(ac->npos + 1, sizeof *ac->pos);
		for (j = 0; j < ac->npos; j++) {
			if (ac->pos[j].qty != 0)
				g->acts[i]->pos[g->acts[i]->npos++] =
				    ac->pos[j];
		}
		g->close = xreallocarray(g->close, g->nclose +
		    g->acts[i]->npos + 1, sizeof *g->close);
		bp = rms_scaleout_bp(&g->acts[i]->lim);
		strbuf_init(&plan);
		for (j = 0; j < g->acts[i]->npos; j++) {
			p = &g->acts[i]->pos[j];
			lots = p->qty / (p->lot > 0 ? p->lot : 1);
			cut = scale ? rms_scaleout_lots(lots, bp) : 0;
			if (scale)
				strbuf_printf(&plan, "%s%s %lld -> %lld lot(s)",
				    j > 0 ? ", " : "", p->symbol,
				    (long long)lots, (long long)(lots - cut));
			if (scale && cut == 0)
				continue;
			c = &g->close[g->nclose++];
			c->account_id = ac->id;
			c->exchange = p->exchange;
			c->symbol = p->symbol;
			c->product = product_of(p->product);
			c->qty = scale ? cut * (p->lot > 0 ? p->lot : 1) :
			    p->qty;
		}
		if (scale)
			act_event(g->acts[i], "action", json_pack("{s:I}",
			    "scaleout_bp", (json_int_t)bp), "scale-out "
			    "%lld.%02lld%%: %s", (long long)(bp / 100),
			    (long long)(bp % 100), plan.s != NULL &&
			    plan.len > 0 ? plan.s : "no open position");
		strbuf_free(&plan);
	}
}

/* This process's guard refuses at once, before the store has it. */
static void
group_state_local(struct rms_group *g, enum trading_state st)
{
	struct rms_acct	*ac;
	size_t		 i;

	for (i = 0; i < g->n; i++) {
		if ((ac = rms_snap_find(&g->e->snap, g->acts[i]->acct_id)) !=
		    NULL)
			ac->st = rms_state_min(ac->st, st);
	}
}

static const char *
group_what(const struct rms_group *g)
{
	return g->resp == RR_KILL ? "kill" : g->resp == RR_SCALEOUT ?
	    "scale-out" : "square-off";
}

static void
group_closed(const struct fanout_result *res, void *arg)
{
	struct rms_group	*g = arg;
	struct fanout_result	 one;
	json_t			*legs = json_object_get(res->data, "legs"), *leg;
	size_t			 i, j;

	log_info("rms", "%s of %zu account(s): %s%s", group_what(g), g->n,
	    res->text != NULL ? res->text : "", res->ok ? "" : res->err.msg);
	for (i = 0; i < g->n; i++) {
		one = *res;
		if (res->data != NULL) {
			one.data = json_deep_copy(res->data);
			json_object_set_new(one.data, "legs", json_array());
			json_array_foreach(legs, j, leg) {
				if (strcmp(json_string_value(json_object_get(
				    leg, "account")), g->acts[i]->name) == 0)
					json_array_append(json_object_get(
					    one.data, "legs"), leg);
			}
		}
		act_orders(g->acts[i], &one, group_what(g));
		json_decref(one.data);
	}
	group_free(g);
}

static void
group_fanout(struct rms_group *g, enum fanout_intent intent)
{
	struct fanout_req	req;

	memset(&g->target, 0, sizeof g->target);
	g->target.kind = TARGET_ACCOUNTS;
	g->target.names = g->names;
	g->target.n = g->n;
	memset(&req, 0, sizeof req);
	req.intent = intent;
	req.target = &g->target;
	req.reason = g->reason;
	req.source = "rms";
	req.mode = FANOUT_ASYNC;
	req.on_fail = FANOUT_RETRY;
	req.tag = g->tag[0] != '\0' ? g->tag : NULL;
	if (intent == FANOUT_SQUAREOFF) {
		group_positions(g);
		req.close = g->close;
		req.nclose = g->nclose;
	}
	g->refs++;
	if (g->resp == RR_SCALEOUT && g->nclose == 0) {
		/* Every position is too small to cut: nothing to send. */
		for (size_t i = 0; i < g->n; i++)
			act_event(g->acts[i], "action", NULL, "scale-out: no "
			    "whole lot to close, no order sent");
		group_free(g);
		return;
	}
	fanout_start(g->e->router, &req, group_closed, g);
}

static void
group_state_set(json_t *rows, const struct err *err, void *arg)
{
	struct rms_group	*g = arg;
	const char		*st = g->resp == RR_REDUCE ? "REDUCING" :
				    "HALTED";
	size_t			 i;

	for (i = 0; i < g->n; i++) {
		if (err != NULL)
			act_event(g->acts[i], "state", NULL, "could not set %s "
			    "%s: %s", g->acts[i]->name, st, err->msg);
		else
			act_event(g->acts[i], "state", json_pack("{s:s,s:s}",
			    "account", g->acts[i]->name, "state", st),
			    "%s is %s", g->acts[i]->name, st);
	}
	group_free(g);
}

static void
group_run(struct rms_group *g)
{
	struct store_actor	 who = { "rms", g->e->front };
	json_t			*ids = json_array();
	size_t			 i;

	snprintf(g->reason, sizeof g->reason, "RMS: %s on %zu breached "
	    "account(s)", rms_response_name(g->resp), g->n);
	if (g->n == 1)
		snprintf(g->reason, sizeof g->reason, "%s", g->acts[0]->reason);
	g->refs = 1;	/* held while the steps start */
	act_tag(g->e, g->tag, sizeof g->tag, g->resp);
	if (g->resp == RR_SCALEOUT) {
		/* Closing orders only: the scope's state stays. */
		if (!g->e->closing)
			group_fanout(g, FANOUT_SQUAREOFF);
		json_decref(ids);
		group_free(g);
		return;
	}
	if (g->resp == RR_KILL) {
		for (i = 0; i < g->n; i++)
			act_event(g->acts[i], "state", json_pack("{s:s,s:s}",
			    "account", g->acts[i]->name, "state", "HALTED"),
			    "kill switch: %s is HALTED, its working orders "
			    "cancelled and its positions closed",
			    g->acts[i]->name);
		group_fanout(g, FANOUT_KILL);
		json_decref(ids);
		group_free(g);
		return;
	}
	/*
	 * This process's guard has the new state now; the square-off
	 * starts before the store is told, so that with its lookups warm
	 * (router_warm, each pass) its intent is the first statement
	 * queued, and the state change -- which makes the router read the
	 * registry again -- comes right behind it.  Closing orders pass a
	 * HALTED scope anyway; other processes' intents meet the state in
	 * the store.
	 */
	group_state_local(g, g->resp == RR_REDUCE ? TRADING_REDUCING :
	    TRADING_HALTED);
	if (g->resp == RR_SQUAREOFF && !g->e->closing)
		group_fanout(g, FANOUT_SQUAREOFF);
	for (i = 0; i < g->n; i++)
		json_array_append_new(ids, json_integer(g->acts[i]->acct_id));
	g->refs++;
	store_trading_state_set(g->e->store, ids, g->resp == RR_REDUCE ?
	    "REDUCING" : "HALTED", g->reason, &who, group_state_set, g);
	json_decref(ids);
	group_free(g);
}

void
rms_respond_all(struct rms_engine *e, const struct rms_fired *f, size_t n)
{
	static const enum rms_response grouped[] = { RR_REDUCE, RR_SCALEOUT,
		RR_HALT, RR_SQUAREOFF, RR_KILL };
	struct rms_group	*g;
	struct rms_acct		*ac;
	size_t			 i, k;
	int			 done;

	for (k = 0; k < nitems(grouped); k++) {
		g = xcalloc(1, sizeof *g);
		g->e = e;
		g->resp = grouped[k];
		g->acts = xcalloc(n + 1, sizeof *g->acts);
		g->names = xcalloc(n + 1, sizeof *g->names);
		for (i = 0; i < n; i++) {
			if (f[i].br.response != grouped[k] ||
			    (ac = rms_snap_find(&e->snap, f[i].acct_id)) == NULL)
				continue;
			g->acts[g->n] = act_new(e, ac, &f[i].br);
			g->names[g->n] = g->acts[g->n]->name;
			g->n++;
		}
		if (g->n == 0) {
			g->refs = 1;
			group_free(g);
		} else
			group_run(g);
	}
	for (i = 0; i < n; i++) {
		for (k = 0, done = 0; k < nitems(grouped); k++)
			done |= f[i].br.response == grouped[k];
		if (!done && (ac = rms_snap_find(&e->snap, f[i].acct_id)) !=
		    NULL)
			rms_respond(e, ac, &f[i].br);
	}
}

void
rms_respond(struct rms_engine *e, struct rms_acct *ac,
    const struct rms_breach *br)
{
	struct rms_act	*a = act_new(e, ac, br);

	switch (br->response) {
	case RR_THROTTLE:
		act_throttle(a);
		return;
	case RR_REDUCE:
		act_state(a, "REDUCING");
		return;
	case RR_HALT:
	case RR_SQUAREOFF:
		act_state(a, "HALTED");
		return;
	case RR_HEDGE:
		act_hedge(a, ac);
		return;
	case RR_KILL:
		act_event(a, "state", json_pack("{s:s,s:s}", "account", a->name,
		    "state", "HALTED"), "kill switch: %s is HALTED, its working "
		    "orders cancelled and its positions closed", a->name);
		act_fanout(a, FANOUT_KILL, act_closed);
		return;
	default:
		act_event(a, "action", NULL, "alert only: the template asks "
		    "for nothing more on %s", a->rule);
		act_free(a);
		return;
	}
}

char
rms_respond_letter(enum rms_response r)
{
	switch (r) {
	case RR_SCALEOUT:
		return 's';
	case RR_SQUAREOFF:
		return 'q';
	case RR_HEDGE:
		return 'h';
	case RR_KILL:
		return 'k';
	default:
		return 'x';
	}
}
