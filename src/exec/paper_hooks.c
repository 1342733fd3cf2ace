/*
 * The paper adapter's hooks into the store (exec/paper_hooks.h): prices
 * from the instrument dump, the opening book from positions, resting
 * orders in paper_orders.  Moved up from broker/registry.c so the broker
 * layer never calls db.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "db/store_paper.h"
#include "db/store_positions.h"
#include "exec/paper_hooks.h"

static const char *
row_str(json_t *row, const char *key)
{
	return json_string_value(json_object_get(row, key));
}

struct ph_lookup {
	paper_price_cb	 cb;
	void		*cbarg;
};

static void
ph_priced(json_t *rows, const struct err *err, void *arg)
{
	struct ph_lookup	*l = arg;
	json_t			*v = NULL;

	if (err == NULL && json_array_size(rows) > 0)
		v = json_object_get(json_array_get(rows, 0), "last_price_paise");
	l->cb(json_is_integer(v) ? json_integer_value(v) : 0, l->cbarg);
	free(l);
}

/* Paper's fallback price: the instrument dump's last_price. */
static void
ph_lookup(const char *exchange, const char *symbol, paper_price_cb cb,
    void *cbarg, void *arg)
{
	struct ph_lookup	*l;

	l = xmalloc(sizeof *l);
	l->cb = cb;
	l->cbarg = cbarg;
	store_instrument_get(arg, exchange, symbol, ph_priced, l);
}

struct ph_seed {
	paper_seed_cb	 cb;
	void		*cbarg;
};

static enum broker_product
ph_product(const char *s)
{
	if (s != NULL && strcmp(s, "NRML") == 0)
		return BROKER_NRML;
	if (s != NULL && strcmp(s, "CNC") == 0)
		return BROKER_CNC;
	return BROKER_MIS;
}

static void
ph_seeded(json_t *rows, const struct err *err, void *arg)
{
	struct ph_seed	*l = arg;
	struct broker_position	*v;
	size_t			 i, n = 0;
	json_t			*row;

	v = xcalloc(json_array_size(rows) + 1, sizeof *v);
	json_array_foreach(err == NULL ? rows : NULL, i, row) {
		snprintf(v[n].exchange, sizeof v[n].exchange, "%s",
		    row_str(row, "exchange"));
		snprintf(v[n].tradingsymbol, sizeof v[n].tradingsymbol, "%s",
		    row_str(row, "symbol"));
		v[n].product = ph_product(row_str(row, "product"));
		v[n].qty = json_integer_value(json_object_get(row, "qty"));
		v[n].avg_price = json_integer_value(json_object_get(row,
		    "avg_paise"));
		n++;
	}
	if (err != NULL)
		log_warn("paper", "open positions not read: %s", err->msg);
	l->cb(v, n, l->cbarg);
	free(v);
	free(l);
}

/* Paper's opening book: the engine's positions for the account. */
static void
ph_seed(const char *account, paper_seed_cb cb, void *cbarg, void *arg)
{
	struct ph_seed	*l;

	l = xmalloc(sizeof *l);
	l->cb = cb;
	l->cbarg = cbarg;
	store_positions_of(arg, account, ph_seeded, l);
}

/* Paper's resting orders in the store (struct paper_store). */
struct ph_store {
	paper_put_cb	 put;
	paper_bodies_cb	 bodies;
	void		*cbarg;
};

static void
ph_put_done(json_t *rows, const struct err *err, void *arg)
{
	struct ph_store	*l = arg;
	json_t			*row = json_array_get(rows, 0);

	if (err != NULL)
		l->put(0, NULL, err, l->cbarg);
	else
		l->put(json_is_true(json_object_get(row, "applied")),
		    json_object_get(row, "current"), NULL, l->cbarg);
	free(l);
}

static void
ph_put(const char *account, const char *order_id, int resting,
    json_t *body, int only_if_resting, paper_put_cb cb, void *cbarg,
    void *arg)
{
	struct ph_store	*l = xcalloc(1, sizeof *l);
	char			*text = json_dumps(body, JSON_COMPACT);

	l->put = cb;
	l->cbarg = cbarg;
	store_paper_order_put(arg, account, order_id, resting, text,
	    only_if_resting, ph_put_done, l);
	free(text);
}

static void
ph_rows(json_t *rows, const struct err *err, void *arg)
{
	struct ph_store	*l = arg;
	json_t			*bodies = json_array(), *row;
	size_t			 i;

	json_array_foreach(err == NULL ? rows : NULL, i, row)
		json_array_append(bodies, json_object_get(row, "body"));
	l->bodies(bodies, err, l->cbarg);
	json_decref(bodies);
	free(l);
}

static void
ph_get(const char *account, const char *order_id,
    paper_bodies_cb cb, void *cbarg, void *arg)
{
	struct ph_store	*l = xcalloc(1, sizeof *l);

	l->bodies = cb;
	l->cbarg = cbarg;
	store_paper_order_get(arg, account, order_id, ph_rows, l);
}

static void
ph_resting(const char *account, paper_bodies_cb cb, void *cbarg,
    void *arg)
{
	struct ph_store	*l = xcalloc(1, sizeof *l);

	l->bodies = cb;
	l->cbarg = cbarg;
	store_paper_resting(arg, account, ph_rows, l);
}

void
exec_paper_hooks(struct broker_env *env, struct store *st)
{
	if (st == NULL)
		return;
	env->lookup = ph_lookup;
	env->lookup_arg = st;
	env->seed = ph_seed;
	env->seed_arg = st;
	env->paper.put = ph_put;
	env->paper.get = ph_get;
	env->paper.resting = ph_resting;
	env->paper.arg = st;
}
