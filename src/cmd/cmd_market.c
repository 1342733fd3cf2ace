/*
 * positions | orders | instruments load: questions put to the brokers
 * themselves.  Each targeted account gets its own adapter (from the
 * registry's credentials) and every account is asked at once; the answer
 * is one table, with a row naming the error for an account whose broker
 * failed.  A broker that did not answer at all makes the command
 * "broker-unreachable" (exit 3); the other accounts still show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "cmd/dispatch_int.h"
#include "db/store_broker.h"
#include "exec/paper_hooks.h"
#include "net/net.h"

#define MARKET_BATCH	4000	/* instrument rows per INSERT statement */

struct market;

/* One account's question to its broker. */
struct market_leg {
	struct market		*mk;
	const char		*account;	/* in mk->creds */
	struct broker		*b;
	json_t			*rows;		/* answer rows */
	int			 failed;
	struct broker_err	 be;
};

struct market {
	struct cmd_job		*job;
	struct http_client	*http;
	struct account_set	 set;
	json_t			*creds;
	struct market_leg	*legs;
	size_t			 nlegs;
	size_t			 pending;
	/* instruments load */
	struct broker		*src;
	json_t			*src_row;
	struct broker_instrument *buf;
	size_t			 nbuf;
	size_t			 inflight;	/* INSERT statements */
	size_t			 fetched_rows;
	size_t			 stored_rows;
	size_t			 skipped;
	int			 fetched;
	struct err		 err;
};

static const char *const positions_columns[] = {
	"account", "exchange", "symbol", "product", "qty", "avg", "ltp", "pnl",
	"m2m", NULL
};
static const char *const positions_columns_err[] = {
	"account", "exchange", "symbol", "product", "qty", "avg", "ltp", "pnl",
	"m2m", "error", NULL
};
static const char *const orders_columns[] = {
	"account", "order_id", "time", "side", "exchange", "symbol", "type",
	"product", "qty", "filled", "price", "avg", "status", "tag", NULL
};
static const char *const orders_columns_err[] = {
	"account", "order_id", "time", "side", "exchange", "symbol", "type",
	"product", "qty", "filled", "price", "avg", "status", "tag", "error",
	NULL
};

static struct market *
market_new(struct cmd_job *job)
{
	struct market	*mk;

	mk = xcalloc(1, sizeof *mk);
	mk->job = job;
	job->state = mk;
	err_clear(&mk->err);
	return mk;
}

/* Adapters first (they may still hold requests), then their client. */
static void
market_free(struct market *mk)
{
	size_t	i;

	for (i = 0; i < mk->nlegs; i++) {
		broker_free(mk->legs[i].b);
		json_decref(mk->legs[i].rows);
	}
	free(mk->legs);
	broker_free(mk->src);
	http_client_free(mk->http);
	account_set_free(&mk->set);
	json_decref(mk->creds);
	free(mk->buf);
	free(mk);
}

static json_t *
money(int64_t paise)
{
	char	*s = decimal_format(paise, 2);
	json_t	*j = json_string(s);

	free(s);
	return j;
}

static struct broker_env
market_env(struct market *mk)
{
	struct broker_env	env;

	memset(&env, 0, sizeof env);
	if (mk->http == NULL)
		mk->http = http_client_new(loop_base());
	env.cfg = mk->job->env->cfg;
	env.home = mk->job->env->home;
	exec_paper_hooks(&env, mk->job->env->store);
	env.http = mk->http;
	return env;
}

/* The row of store_broker_creds for an account, or NULL. */
static json_t *
market_cred_row(struct market *mk, const char *account)
{
	json_t	*row;
	size_t	 i;

	json_array_foreach(mk->creds, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "account")),
		    account) == 0)
			return row;
	}
	return NULL;
}

/* No answer at all (or a broken one from a gateway): "unreachable". */

static void
market_leg_fail(struct market_leg *leg, const struct broker_err *be)
{
	leg->failed = 1;
	leg->be = *be;
}

static json_t *
market_err_row(const struct market_leg *leg)
{
	return json_pack("{s:s,s:s,s:s}", "account", leg->account, "error",
	    leg->be.err.msg, "error_code", leg->be.err.code);
}

/*
 * All legs are in: one table in target order, error rows where a broker
 * failed, and the exit class of the worst failure.
 */
static void
market_finish(void *arg)
{
	struct market		*mk = arg;
	struct cmd_job		*job = mk->job;
	struct strbuf		 why;
	json_t			*out = json_array(), *row;
	size_t			 i, j, nfail = 0, nunreach = 0;
	int			 positions = job->cmd->kind == CMD_POSITIONS;

	strbuf_init(&why);
	for (i = 0; i < mk->nlegs; i++) {
		struct market_leg *leg = &mk->legs[i];

		if (leg->failed) {
			json_array_append_new(out, market_err_row(leg));
			strbuf_printf(&why, "%s%s: %s", nfail ? "; " : "",
			    leg->account, leg->be.err.msg);
			nfail++;
			nunreach += broker_err_unreachable(&leg->be);
			continue;
		}
		json_array_foreach(leg->rows, j, row)
			json_array_append(out, row);
	}
	job->res.data = out;
	if (nfail > 0) {
		job->res.columns = positions ? positions_columns_err :
		    orders_columns_err;
		job->res.text = cmd_render_text(&job->res);
		err_set(&job->res.err, nunreach ? "broker-unreachable" :
		    "broker-error", "%zu of %zu account%s failed: %s", nfail,
		    mk->nlegs, mk->nlegs == 1 ? "" : "s", why.s);
		job->res.status = cmd_status_of(job->res.err.code);
	} else
		job->res.columns = positions ? positions_columns :
		    orders_columns;
	strbuf_free(&why);
	market_free(mk);
	cmd_done(job);
}

/* Callbacks run inside the adapter: finish on the loop's next turn. */
static void
market_leg_done(struct market_leg *leg)
{
	struct market	*mk = leg->mk;

	if (--mk->pending == 0)
		loop_later(0, market_finish, mk);
}

static void
market_positions_cb(const struct broker_err *be,
    const struct broker_positions *p, void *arg)
{
	struct market_leg		*leg = arg;
	const struct broker_position	*bp;
	size_t				 i;

	if (be != NULL)
		market_leg_fail(leg, be);
	for (i = 0; be == NULL && i < p->nnet; i++) {
		bp = &p->net[i];
		json_array_append_new(leg->rows, json_pack(
		    "{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o}",
		    "account", leg->account, "exchange", bp->exchange,
		    "symbol", bp->tradingsymbol,
		    "product", broker_product_name(bp->product),
		    "qty", (json_int_t)bp->qty, "avg", money(bp->avg_price),
		    "ltp", money(bp->last_price), "pnl", money(bp->pnl),
		    "m2m", money(bp->m2m)));
	}
	market_leg_done(leg);
}

static int
market_status_wanted(const struct cmd *cmd, const struct broker_order *o)
{
	const char	*want = cmd_get(cmd, "status");
	int		 done = broker_state_terminal(o->state);

	if (want == NULL || strcmp(want, "all") == 0)
		return 1;
	return strcmp(want, "done") == 0 ? done : !done;
}

static json_t *
market_order_row(const struct market_leg *leg, const struct broker_order *o)
{
	char	ts[32] = "";
	json_t	*row;

	if (o->order_ts > 0)
		time_fmt_ist(o->order_ts, ts, sizeof ts);
	row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o,"
	    "s:s,s:s,s:s}",
	    "account", leg->account, "order_id", o->order_id, "time", ts,
	    "side", broker_side_name(o->side), "exchange", o->exchange,
	    "symbol", o->tradingsymbol,
	    "type", broker_order_type_name(o->order_type),
	    "product", broker_product_name(o->product),
	    "qty", (json_int_t)o->qty, "filled", (json_int_t)o->filled,
	    "price", money(o->price), "avg", money(o->avg_price),
	    "status", o->status, "state", broker_state_name(o->state),
	    "tag", o->tag);
	if (o->status_message[0] != '\0')
		json_object_set_new(row, "message",
		    json_string(o->status_message));
	return row;
}

static void
market_orders_cb(const struct broker_err *be, const struct broker_order *v,
    size_t n, void *arg)
{
	struct market_leg	*leg = arg;
	size_t			 i;

	if (be != NULL)
		market_leg_fail(leg, be);
	for (i = 0; be == NULL && i < n; i++) {
		if (market_status_wanted(leg->mk->job->cmd, &v[i]))
			json_array_append_new(leg->rows,
			    market_order_row(leg, &v[i]));
	}
	market_leg_done(leg);
}

/* Start one leg; an account we cannot even build an adapter for fails. */
static void
market_leg_start(struct market *mk, struct market_leg *leg,
    const struct account *a)
{
	struct broker_env	 env = market_env(mk);
	struct broker_err	 be;
	json_t			*row;

	leg->mk = mk;
	leg->account = a->name;
	leg->rows = json_array();
	memset(&be, 0, sizeof be);
	mk->pending++;
	if ((row = market_cred_row(mk, a->name)) == NULL)
		err_set(&be.err, "unknown-account", "account vanished from "
		    "the registry");
	else if (!json_is_true(json_object_get(row, "enabled")))
		err_set(&be.err, "disabled", "account is disabled");
	else
		leg->b = broker_from_row(&env, row, &be.err);
	if (leg->b == NULL) {
		be.kind = BROKER_ERR_FINAL;
		market_leg_fail(leg, &be);
		market_leg_done(leg);
		return;
	}
	if (mk->job->cmd->kind == CMD_POSITIONS)
		leg->b->ops->positions(leg->b, market_positions_cb, leg);
	else
		leg->b->ops->orders(leg->b, market_orders_cb, leg);
}

static void
market_creds_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct market		*mk = arg;
	struct cmd_job		*job = mk->job;
	struct target	 all = { TARGET_ALL, NULL, 0 };
	struct target_match	 m;
	struct err		 e;
	size_t			 i;

	if (err != NULL) {
		market_free(mk);
		cmd_fail(job, err);
		return;
	}
	mk->creds = json_incref(rows);
	if (target_resolve(job->cmd->target != NULL ? job->cmd->target : &all,
	    &mk->set, &m, &e) != 0) {
		market_free(mk);
		cmd_fail(job, &e);
		return;
	}
	if (m.n == 0) {
		target_match_free(&m);
		market_free(mk);
		job->res.data = json_array();
		job->res.columns = job->cmd->kind == CMD_POSITIONS ?
		    positions_columns : orders_columns;
		cmd_done(job);
		return;
	}
	mk->nlegs = m.n;
	mk->legs = xcalloc(m.n, sizeof *mk->legs);
	mk->pending = 1;	/* held until every leg has started */
	for (i = 0; i < m.n; i++)
		market_leg_start(mk, &mk->legs[i], m.v[i]);
	target_match_free(&m);
	market_leg_done(&mk->legs[0]);
}

static void
market_accounts_loaded(struct account_set *set, const struct err *err,
    void *arg)
{
	struct market	*mk = arg;

	if (err != NULL) {
		/* the creds query queued behind this one still answers */
		mk->err = *err;
		return;
	}
	mk->set = *set;
	memset(set, 0, sizeof *set);
}

static void
market_creds_after_accounts(json_t *rows, const struct err *err, void *arg)
{
	struct market	*mk = arg;
	struct cmd_job	*job = mk->job;
	struct err	 e;

	if (err_isset(&mk->err)) {
		e = mk->err;
		market_free(mk);
		cmd_fail(job, &e);
		return;
	}
	market_creds_loaded(rows, err, arg);
}

/* positions and orders: the registry and its credentials, then the legs. */
static void
market_start(struct cmd_job *job)
{
	struct market	*mk = market_new(job);

	store_accounts_load(job->env->store, market_accounts_loaded, mk);
	store_broker_creds(job->env->store, NULL, NULL,
	    market_creds_after_accounts, mk);
}

void
cmd_positions(struct cmd_job *job)
{
	market_start(job);
}

void
cmd_orders(struct cmd_job *job)
{
	market_start(job);
}

/* instruments load --------------------------------------------------- */

static void	instruments_check_done(struct market *);

static void
instruments_check_later(void *arg)
{
	instruments_check_done(arg);
}

static void
instruments_stored(json_t *rows, const struct err *err, void *arg)
{
	struct market	*mk = arg;

	mk->inflight--;
	if (err != NULL && !err_isset(&mk->err))
		mk->err = *err;
	else if (err == NULL)
		mk->stored_rows += (size_t)json_integer_value(json_object_get(
		    json_array_get(rows, 0), "n"));
	instruments_check_done(mk);
}

static void
instruments_flush(struct market *mk)
{
	if (mk->nbuf == 0)
		return;
	mk->inflight++;
	store_instruments_load(mk->job->env->store, mk->buf, mk->nbuf,
	    instruments_stored, mk);
	mk->nbuf = 0;
}

/* The table's CHECKs, here, so one odd row does not sink a batch. */
static int
instruments_row_ok(const struct broker_instrument *in)
{
	const char	*s;

	if (in->tradingsymbol[0] == '\0' || in->instrument_type[0] == '\0' ||
	    in->segment[0] == '\0' || in->exchange[0] == '\0' ||
	    in->lot_size < 0 || in->strike < 0 || in->tick_size < 0)
		return 0;
	for (s = in->exchange; *s != '\0'; s++) {
		if (*s < 'A' || *s > 'Z')
			return 0;
	}
	return 1;
}

static int
instruments_row(const struct broker_instrument *in, void *arg)
{
	struct market	*mk = arg;

	mk->fetched_rows++;
	if (!instruments_row_ok(in)) {
		mk->skipped++;
		return 0;
	}
	if (mk->buf == NULL)
		mk->buf = xcalloc(MARKET_BATCH, sizeof *mk->buf);
	mk->buf[mk->nbuf++] = *in;
	if (mk->nbuf == MARKET_BATCH)
		instruments_flush(mk);
	return 0;
}

static void
instruments_fetched(const struct broker_err *be, void *arg)
{
	struct market	*mk = arg;

	if (be != NULL) {
		if (!err_isset(&mk->err)) {
			mk->err = be->err;
			if (broker_err_unreachable(be))
				snprintf(mk->err.code, sizeof mk->err.code,
				    "broker-unreachable");
		}
	} else
		instruments_flush(mk);
	mk->fetched = 1;
	/*
	 * With statements out, the last one finishes the job; with none, the
	 * loop does, so the adapter is not freed inside its own callback.
	 */
	if (mk->inflight == 0)
		loop_later(0, instruments_check_later, mk);
}

static void
instruments_audited(json_t *rows, const struct err *err, void *arg)
{
	struct market	*mk = arg;
	struct cmd_job	*job = mk->job;
	const char	*exch = cmd_get(job->cmd, "exchange");
	const char	*acct = json_string_value(json_object_get(mk->src_row,
	    "account"));
	const char	*brk = json_string_value(json_object_get(mk->src_row,
	    "broker"));

	job->res.data = json_pack("{s:s,s:s,s:s?,s:I,s:I}", "broker", brk,
	    "account", acct, "exchange", exch, "rows",
	    (json_int_t)mk->stored_rows, "skipped", (json_int_t)mk->skipped);
	job->res.text = xasprintf("loaded %zu instruments%s%s from %s "
	    "(account %s)%s\n", mk->stored_rows, exch != NULL ? " of " : "",
	    exch != NULL ? exch : "", brk, acct, mk->skipped > 0 ?
	    "; skipped rows the table cannot hold" : "");
	if (err != NULL)
		log_warn("exec", "instruments load: audit row not written: %s",
		    err->msg);
	market_free(mk);
	cmd_done(job);
}

static void
instruments_check_done(struct market *mk)
{
	struct cmd_job		*job = mk->job;
	struct store_actor	 a;
	struct err		 e;

	if (!mk->fetched || mk->inflight > 0)
		return;
	mk->fetched = 0;	/* finish once */
	if (err_isset(&mk->err)) {
		e = mk->err;
		if (mk->stored_rows > 0)
			snprintf(e.msg + strlen(e.msg), sizeof e.msg -
			    strlen(e.msg), " (%zu rows were stored)",
			    mk->stored_rows);
		market_free(mk);
		cmd_fail(job, &e);
		return;
	}
	a = cmd_actor(job);
	store_instruments_loaded(job->env->store, json_string_value(
	    json_object_get(mk->src_row, "broker")), cmd_get(job->cmd,
	    "exchange"), mk->stored_rows, &a, instruments_audited, mk);
}

/*
 * The source: a named account (or the first account of a named broker),
 * else the first enabled account at a kite broker, in priority order,
 * else at a paper broker (whose dump is the simulator's table).
 */
static json_t *
instruments_source_kind(struct market *mk, const char *kind)
{
	const char	*acct = cmd_get(mk->job->cmd, "account");
	const char	*brk = cmd_get(mk->job->cmd, "broker");
	json_t		*row;
	size_t		 i;

	json_array_foreach(mk->creds, i, row) {
		if (acct != NULL && strcmp(acct, json_string_value(
		    json_object_get(row, "account"))) != 0)
			continue;
		if (brk != NULL && strcmp(brk, json_string_value(
		    json_object_get(row, "broker"))) != 0)
			continue;
		if (acct == NULL && (!json_is_true(json_object_get(row,
		    "enabled")) || strcmp(json_string_value(json_object_get(row,
		    "kind")), kind) != 0))
			continue;
		return row;
	}
	return NULL;
}

static json_t *
instruments_source(struct market *mk)
{
	json_t	*row;

	if ((row = instruments_source_kind(mk, "kite")) == NULL)
		row = instruments_source_kind(mk, "paper");
	return row;
}

static void
instruments_creds(json_t *rows, const struct err *err, void *arg)
{
	struct market		*mk = arg;
	struct cmd_job		*job = mk->job;
	struct broker_env	 env;
	struct err		 e;

	if (err != NULL) {
		market_free(mk);
		cmd_fail(job, err);
		return;
	}
	mk->creds = json_incref(rows);
	if ((mk->src_row = instruments_source(mk)) == NULL) {
		market_free(mk);
		cmd_failf(job, "no-broker", "no enabled account to load the "
		    "instrument dump from (broker add ..., then account add)");
		return;
	}
	env = market_env(mk);
	err_clear(&e);
	if ((mk->src = broker_from_row(&env, mk->src_row, &e)) == NULL) {
		market_free(mk);
		cmd_fail(job, &e);
		return;
	}
	mk->src->ops->instruments(mk->src, cmd_get(job->cmd, "exchange"),
	    instruments_row, instruments_fetched, mk);
}

void
cmd_instruments_load(struct cmd_job *job)
{
	struct market	*mk = market_new(job);

	store_broker_creds(job->env->store, cmd_get(job->cmd, "account"),
	    NULL, instruments_creds, mk);
}
