/*
 * The end of a fan-out: the all-or-none rollback started when a leg
 * failed (rollback.c), the final state and timings in the store, and the
 * report for whoever asked.  Anything the broker did not confirm -- a
 * leg, a cancel, an account whose books could not be read, exposure a
 * rollback left open -- is a failure, and the report names its accounts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"
#include "net/net.h"
#include "util/metrics.h"

void
fanout_leg_done(struct leg *leg)
{
	struct fanout	*fo = leg->fo;

	if (leg->phase == LEG_DONE)
		return;
	leg->phase = LEG_DONE;
	if (leg->rollback) {
		rollback_leg_done(leg);
		return;
	}
	if (--fo->open == 0)
		fanout_all_done(fo);
}

static size_t
fanout_nfailed(const struct fanout *fo)
{
	size_t	i, n = 0;

	for (i = 0; i < fo->nlegs; i++)
		n += fo->legs[i]->failed && !fo->legs[i]->rollback;
	return n;
}

static int
cancel_failed(json_t *c)
{
	return json_is_true(json_object_get(c, "failed"));
}

/* Failures of every kind: legs, cancels, accounts whose books were unread. */
static size_t
fanout_nfailures(const struct fanout *fo, size_t *unreachable)
{
	size_t	 i, n = 0, u = 0;
	json_t	*c;

	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->failed && !fo->legs[i]->rollback) {
			n++;
			u += fo->legs[i]->unreachable;
		}
	}
	json_array_foreach(fo->cancels, i, c) {
		if (cancel_failed(c)) {
			n++;
			u += json_is_true(json_object_get(c, "unreachable"));
		}
	}
	json_array_foreach(fo->problems, i, c) {
		n++;
		u += json_is_true(json_object_get(c, "unreachable"));
	}
	if (unreachable != NULL)
		*unreachable = u;
	return n;
}

void
fanout_all_done(struct fanout *fo)
{
	/* The report and the final state follow the orders' rows. */
	if (fo->legs_writing) {
		fo->done_waiting = 1;
		return;
	}
	if (fo->req.on_fail == FANOUT_ALL_OR_NONE && !fo->rolled_back &&
	    fanout_nfailed(fo) > 0) {
		rollback_start(fo);
		return;
	}
	fanout_finish(fo);
}

/* Did anything about this account fail or stay unconfirmed? */
static int
fanout_account_failed(const struct fanout *fo, const char *account)
{
	size_t	 i;
	json_t	*c;

	for (i = 0; i < fo->nlegs; i++) {
		if (fo->legs[i]->failed && !fo->legs[i]->rollback &&
		    strcmp(fo->legs[i]->account, account) == 0)
			return 1;
	}
	json_array_foreach(fo->cancels, i, c) {
		if (cancel_failed(c) && strcmp(json_string_value(
		    json_object_get(c, "account")), account) == 0)
			return 1;
	}
	json_array_foreach(fo->problems, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "account")),
		    account) == 0)
			return 1;
	}
	json_array_foreach(fo->left, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "account")),
		    account) == 0)
			return 1;
	}
	return 0;
}

/* The accounts with a failure, in target order then leg order, once. */
static json_t *
fanout_failed_accounts(const struct fanout *fo)
{
	json_t	*out = json_array(), *v;
	size_t	 i, j;
	int	 seen;

	for (i = 0; i < fo->match.n + fo->nlegs; i++) {
		const char *name = i < fo->match.n ? fo->match.v[i]->name :
		    fo->legs[i - fo->match.n]->account;

		if (!fanout_account_failed(fo, name))
			continue;
		seen = 0;
		json_array_foreach(out, j, v)
			seen |= strcmp(json_string_value(v), name) == 0;
		if (!seen)
			json_array_append_new(out, json_string(name));
	}
	return out;
}

static const char *
fanout_state(const struct fanout *fo)
{
	size_t	 failed = fanout_nfailures(fo, NULL), legs = 0, i, nbad;
	json_t	*bad;

	if (fo->rolled_back)
		return json_array_size(fo->left) > 0 ? "ROLLBACK_INCOMPLETE" :
		    "REVERSED";
	if (failed == 0)
		return "COMPLETED";
	if (fo->req.intent != FANOUT_ORDER) {
		/* squareoff, cancel, kill: did any account come through? */
		bad = fanout_failed_accounts(fo);
		nbad = json_array_size(bad);
		json_decref(bad);
		return nbad >= fo->match.n ? "FAILED" : "PARTIAL";
	}
	for (i = 0; i < fo->nlegs; i++)
		legs += !fo->legs[i]->rollback;
	return failed >= legs ? "FAILED" : "PARTIAL";
}

static json_t *
fanout_leg_json(const struct leg *leg)
{
	char	*avg = decimal_format(leg->avg, 2);
	json_t	*j;

	j = json_pack("{s:s,s:i,s:I,s:s,s:s,s:I,s:s,s:I,s:s,s:s,s:s,s:b,s:b}",
	    "account", leg->account, "slice", leg->slice,
	    "lots", (json_int_t)leg->lots, "side",
	    broker_side_name(leg->req.side), "symbol", leg->req.tradingsymbol,
	    "qty", (json_int_t)leg->req.qty, "state",
	    broker_state_name(leg->state), "filled", (json_int_t)leg->filled,
	    "avg_price", avg, "client_tag", leg->tag, "broker_order_id",
	    leg->broker_id, "failed", leg->failed, "rollback", leg->rollback);
	json_object_set_new(j, "ack_us", leg->ack_us >= 0 ?
	    json_integer(leg->ack_us) : json_null());
	json_object_set_new(j, "message", leg->message[0] ?
	    json_string(leg->message) : json_null());
	free(avg);
	return j;
}

static int64_t
fanout_since(const struct fanout *fo, int64_t t)
{
	return t != 0 ? t - fo->t_intent : -1;
}

static const char *
fanout_intent_word(enum fanout_intent i)
{
	switch (i) {
	case FANOUT_SQUAREOFF:
		return "squareoff";
	case FANOUT_CANCEL:
		return "cancel";
	case FANOUT_KILL:
		return "kill";
	default:
		return "order";
	}
}

/* "a1, a2 and 3 more": account names for a one-line message. */
static void
fanout_names(struct strbuf *b, json_t *names)
{
	size_t	 i, n = json_array_size(names);
	json_t	*v;

	json_array_foreach(names, i, v) {
		if (b->len > 300) {
			strbuf_printf(b, " and %zu more", n - i);
			return;
		}
		strbuf_printf(b, "%s%s", i ? ", " : "", json_string_value(v));
	}
}

/* The accounts of a list of legs (unconfirmed, left open), each once. */
static void
fanout_unconfirmed_names(struct strbuf *b, json_t *unconf)
{
	json_t	*names = json_array(), *c, *v;
	size_t	 i, j;
	int	 seen;

	json_array_foreach(unconf, i, c) {
		seen = 0;
		json_array_foreach(names, j, v)
			seen |= json_equal(v, json_object_get(c, "account"));
		if (!seen)
			json_array_append(names, json_object_get(c, "account"));
	}
	fanout_names(b, names);
	json_decref(names);
}

static void
fanout_report_legs(struct fanout *fo, struct strbuf *b, json_t *legs)
{
	size_t	i;

	if (fo->nlegs == 0)
		return;
	strbuf_printf(b, "%-14s %5s %5s %-5s %-22s %7s %-16s %7s %10s %8s  %s\n",
	    "ACCOUNT", "SLICE", "LOTS", "SIDE", "SYMBOL", "QTY", "STATE",
	    "FILLED", "AVG", "ACK MS", "MESSAGE");
	for (i = 0; i < fo->nlegs; i++) {
		const struct leg *leg = fo->legs[i];
		char *avg = decimal_format(leg->avg, 2);

		json_array_append_new(legs, fanout_leg_json(leg));
		strbuf_printf(b, "%-14s %5d %5lld %-5s %-22s %7lld %-16s %7lld "
		    "%10s %8.1f  %s%s%s\n", leg->account, leg->slice,
		    (long long)leg->lots, broker_side_name(leg->req.side),
		    leg->req.tradingsymbol, (long long)leg->req.qty,
		    broker_state_name(leg->state), (long long)leg->filled, avg,
		    leg->ack_us >= 0 ? leg->ack_us / 1000.0 : 0.0,
		    leg->rollback ? "rollback" : "", leg->rollback &&
		    leg->message[0] ? ": " : "", leg->message);
		free(avg);
	}
}

/* What the trader must know beyond the table, one line per fact. */
static void
fanout_report_facts(struct fanout *fo, struct strbuf *b, json_t *unconf)
{
	size_t	 i, nflat = 0;
	json_t	*c;

	json_array_foreach(fo->cancels, i, c)
		strbuf_printf(b, "cancel %-14s order %-18s %s\n",
		    json_string_value(json_object_get(c, "account")),
		    json_string_value(json_object_get(c, "broker_order_id")),
		    json_string_value(json_object_get(c, "result")));
	json_array_foreach(fo->problems, i, c) {
		const char *what = json_string_value(json_object_get(c,
		    "what"));

		strbuf_printf(b, "%s: %s unknown (%s): %s\n",
		    json_string_value(json_object_get(c, "account")), what,
		    json_string_value(json_object_get(c, "message")),
		    strcmp(what, "positions") == 0 ? "nothing was closed "
		    "there, check the account at the broker" : "its working "
		    "orders were not cancelled, check them at the broker");
	}
	for (i = 0; i < fo->nlegs; i++) {
		const struct leg *leg = fo->legs[i];

		if (!leg->unconfirmed)
			continue;
		json_array_append_new(unconf, json_pack("{s:s,s:s,s:s,s:I,s:s,"
		    "s:s,s:s}", "account", leg->account, "symbol",
		    leg->req.tradingsymbol, "side", broker_side_name(
		    leg->req.side), "qty", (json_int_t)leg->req.qty, "state",
		    broker_state_name(leg->state), "client_tag", leg->tag,
		    "message", leg->message));
		strbuf_printf(b, "UNCONFIRMED %s %s %lld %s (tag %s): %s\n",
		    leg->account, broker_side_name(leg->req.side),
		    (long long)leg->req.qty, leg->req.tradingsymbol, leg->tag,
		    leg->state == BROKER_UNKNOWN ? "the broker may or may not "
		    "have it: check the account's order book before acting" :
		    "the broker has not confirmed it: check the order at the "
		    "broker");
	}
	json_array_foreach(fo->left, i, c)
		strbuf_printf(b, "LEFT OPEN %s %s %s%lld %s:%s (tag %s): %s\n",
		    json_string_value(json_object_get(c, "account")),
		    json_string_value(json_object_get(c, "side")),
		    json_is_true(json_object_get(c, "qty_certain")) ? "" :
		    "at least ",
		    (long long)json_integer_value(json_object_get(c, "qty")),
		    json_string_value(json_object_get(c, "exchange")),
		    json_string_value(json_object_get(c, "symbol")),
		    json_string_value(json_object_get(c, "client_tag")),
		    json_string_value(json_object_get(c, "why")));
	if (fo->req.intent != FANOUT_SQUAREOFF &&
	    fo->req.intent != FANOUT_KILL)
		return;
	/* Flat: the positions were read, and nothing of them was open. */
	for (i = 0; i < fo->match.n; i++) {
		const char *name = fo->match.v[i]->name;
		size_t j;
		int has = 0;

		json_array_foreach(fo->problems, j, c)
			has |= strcmp(json_string_value(json_object_get(c,
			    "account")), name) == 0;
		for (j = 0; j < fo->nlegs; j++)
			has |= strcmp(fo->legs[j]->account, name) == 0;
		if (has)
			continue;
		strbuf_printf(b, "%s%s", nflat++ ? ", " : "nothing to close "
		    "(positions read, flat): ", name);
	}
	if (nflat > 0)
		strbuf_putc(b, '\n');
}

static size_t
fanout_match_index(const struct fanout *fo, json_t *c)
{
	const char	*name = json_string_value(json_object_get(c, "account"));
	size_t		 i;

	for (i = 0; i < fo->match.n; i++) {
		if (strcmp(fo->match.v[i]->name, name) == 0)
			return i;
	}
	return i;
}

/* Problems arrive as brokers answer; report them in target order. */
static void
fanout_sort_problems(struct fanout *fo)
{
	json_t	*sorted = json_array(), *c;
	size_t	 i, k;

	for (k = 0; k <= fo->match.n; k++) {
		json_array_foreach(fo->problems, i, c) {
			if (fanout_match_index(fo, c) == k)
				json_array_append(sorted, c);
		}
	}
	json_decref(fo->problems);
	fo->problems = sorted;
}

static void
fanout_report(struct fanout *fo, const char *state, struct fanout_result *res)
{
	struct strbuf	 b, m;
	json_t		*legs = json_array(), *unconf = json_array(), *bad;
	size_t		 failed, unreach, nunconf;

	fanout_sort_problems(fo);
	failed = fanout_nfailures(fo, &unreach);
	strbuf_init(&b);
	fanout_report_legs(fo, &b, legs);
	fanout_report_facts(fo, &b, unconf);
	nunconf = json_array_size(unconf);
	strbuf_printf(&b, "fanout %lld %s: %zu order(s), %zu failed, last ack "
	    "%.1f ms after the intent\n", (long long)fo->id, state, fo->nlegs,
	    failed, fo->t_last_ack ? (fo->t_last_ack - fo->t_intent) / 1000.0 :
	    0.0);
	bad = fanout_failed_accounts(fo);
	res->ok = failed == 0 && !fo->rolled_back;
	res->text = strbuf_steal(&b);
	res->data = json_pack("{s:I,s:s,s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I,s:I},"
	    "s:o,s:O,s:O,s:O,s:o,s:O,s:o}", "fanout", (json_int_t)fo->id,
	    "state", state, "target", fo->target_text, "mode",
	    fanout_mode_name(fo->req.mode), "on_fail",
	    fanout_on_fail_name(fo->req.on_fail), "timings_us",
	    "rms", (json_int_t)fanout_since(fo, fo->t_rms),
	    "intent", (json_int_t)fanout_since(fo, fo->t_intent_written),
	    "written", (json_int_t)fanout_since(fo, fo->t_written),
	    "first_send", (json_int_t)fanout_since(fo, fo->t_first_send),
	    "last_send", (json_int_t)fanout_since(fo, fo->t_last_send),
	    "last_ack", (json_int_t)fanout_since(fo, fo->t_last_ack),
	    "legs", legs, "notes", fo->notes, "cancels", fo->cancels,
	    "problems", fo->problems, "unconfirmed", unconf, "left_open",
	    fo->left, "failed_accounts", bad);
	if (res->ok)
		return;
	strbuf_init(&m);
	if (json_array_size(fo->left) > 0) {
		strbuf_printf(&m, "fanout %lld %s: positions left open at ",
		    (long long)fo->id, state);
		fanout_unconfirmed_names(&m, fo->left);
		strbuf_puts(&m, ": close them at the broker now");
		err_set(&res->err, "rollback-incomplete", "%s", m.s);
	} else {
		strbuf_printf(&m, "fanout %lld %s: %s failed or not confirmed "
		    "by the broker at ", (long long)fo->id, state,
		    fanout_intent_word(fo->req.intent));
		fanout_names(&m, json_object_get(res->data, "failed_accounts"));
		if (unreach == failed)
			strbuf_puts(&m, " (broker unreachable)");
		if (nunconf > 0) {
			strbuf_printf(&m, "; %zu order(s) unconfirmed at ",
			    nunconf);
			fanout_unconfirmed_names(&m, unconf);
			strbuf_puts(&m, ": check the order book before acting");
		}
		if (fo->rolled_back)
			strbuf_puts(&m, "; filled legs reversed");
		err_set(&res->err, unreach == failed && failed > 0 ?
		    "broker-unreachable" : nunconf > 0 ? "unconfirmed" :
		    "fanout-failed", "%s", m.s);
	}
	strbuf_free(&m);
}

static void
fanout_finished(json_t *rows, const struct err *err, void *arg)
{
	struct fanout	*fo = arg;

	/* Neither stored nor journaled (store_journal.h): never "done". */
	if (err != NULL && fo->result.ok) {
		fo->result.ok = 0;
		err_set(&fo->result.err, "store-unreachable", "fanout %lld %s "
		    "at the broker, but not recorded: %s", (long long)fo->id,
		    fanout_state(fo), err->msg);
	} else if (err != NULL)
		log_error("router", "fanout %lld: final state not recorded: "
		    "%s", (long long)fo->id, err->msg);
	fo->cb(&fo->result, fo->arg);
	json_decref(fo->result.data);
	free(fo->result.text);
	fanout_free(fo);
}

/*
 * The report is made before the state is stored, so the store keeps its
 * message too: `fanout show` names the accounts long after the command.
 */
/* /metrics: the fan-out and its legs, by policy and outcome. */
static void
fanout_count(const struct fanout *fo, const char *state)
{
	const char	*policy = alloc_policy_name(fo->req.policy);
	size_t		 i;

	metric_inc(pxm.fanouts, policy, state);
	for (i = 0; i < fo->nlegs; i++) {
		metric_inc(pxm.legs, policy,
		    broker_state_name(fo->legs[i]->state));
		if (fo->legs[i]->ra != NULL)
			metric_inc(pxm.orders, fo->legs[i]->ra->broker,
			    broker_state_name(fo->legs[i]->state));
	}
}

void
fanout_finish(struct fanout *fo)
{
	const char	*state = fanout_state(fo), *msg;
	char		*t1, *t2, *t3;

	fanout_count(fo, state);
	memset(&fo->result, 0, sizeof fo->result);
	fanout_report(fo, state, &fo->result);
	msg = fo->err.msg[0] ? fo->err.msg : fo->result.err.msg[0] ?
	    fo->result.err.msg : fo->reason;
	t1 = router_wall_text(fo, fo->t_first_send);
	t2 = router_wall_text(fo, fo->t_last_send);
	t3 = router_wall_text(fo, fo->t_last_ack);
	store_fanout_finish(fo->r->store, fo->id, state, msg, t1, t2, t3,
	    fanout_finished, fo);
	free(t1);
	free(t2);
	free(t3);
}
