/*
 * A paper order as the JSON body the store keeps (paper_orders.body), and
 * back.  Enums are kept as their numbers: the body is this adapter's own
 * record, read only by this adapter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/paper_int.h"

int
paper_resting(const struct broker_order *o)
{
	return o->state == BROKER_OPEN || o->state == BROKER_TRIGGER_PENDING;
}

json_t *
paper_order_json(const struct broker_order *o)
{
	return json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,"
	    "s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I}",
	    "order_id", o->order_id, "status", o->status, "state", (int)o->state,
	    "message", o->status_message, "exchange", o->exchange,
	    "symbol", o->tradingsymbol, "tag", o->tag, "side", (int)o->side,
	    "type", (int)o->order_type, "product", (int)o->product,
	    "validity", (int)o->validity, "variety", (int)o->variety,
	    "qty", (json_int_t)o->qty, "filled", (json_int_t)o->filled,
	    "pending", (json_int_t)o->pending,
	    "cancelled", (json_int_t)o->cancelled,
	    "price", (json_int_t)o->price,
	    "trigger", (json_int_t)o->trigger_price,
	    "avg", (json_int_t)o->avg_price,
	    "protection", o->market_protection,
	    "order_ts", (json_int_t)o->order_ts,
	    "exchange_ts", (json_int_t)o->exchange_ts,
	    "update_ts", (json_int_t)o->exchange_update_ts);
}

static void
copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static int64_t
get_int(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* -1 when body is not an order this adapter wrote. */
int
paper_order_of_json(json_t *body, struct broker_order *o)
{
	int64_t	state = get_int(body, "state");

	memset(o, 0, sizeof *o);
	if (!json_is_object(body) ||
	    !json_is_string(json_object_get(body, "order_id")) ||
	    state < 0 || state >= BROKER_NSTATES)
		return -1;
	copy_str(o->order_id, sizeof o->order_id, body, "order_id");
	copy_str(o->status, sizeof o->status, body, "status");
	copy_str(o->status_message, sizeof o->status_message, body, "message");
	copy_str(o->exchange, sizeof o->exchange, body, "exchange");
	copy_str(o->tradingsymbol, sizeof o->tradingsymbol, body, "symbol");
	copy_str(o->tag, sizeof o->tag, body, "tag");
	o->state = (enum broker_state)state;
	o->side = (enum broker_side)get_int(body, "side");
	o->order_type = (enum broker_order_type)get_int(body, "type");
	o->product = (enum broker_product)get_int(body, "product");
	o->validity = (enum broker_validity)get_int(body, "validity");
	o->variety = (enum broker_variety)get_int(body, "variety");
	o->qty = get_int(body, "qty");
	o->filled = get_int(body, "filled");
	o->pending = get_int(body, "pending");
	o->cancelled = get_int(body, "cancelled");
	o->price = get_int(body, "price");
	o->trigger_price = get_int(body, "trigger");
	o->avg_price = get_int(body, "avg");
	o->market_protection = (int)get_int(body, "protection");
	o->order_ts = get_int(body, "order_ts");
	o->exchange_ts = get_int(body, "exchange_ts");
	o->exchange_update_ts = get_int(body, "update_ts");
	return 0;
}

/*
 * Take the store's copy of an order into the book: it replaces the book's
 * (the store is the truth for resting orders), or joins it.  The order.
 */
struct broker_order *
paper_order_adopt(struct paper_acct *a, const struct broker_order *src)
{
	struct broker_order	*o;

	if ((o = paper_order_find(a, src->order_id)) == NULL) {
		a->orders = xreallocarray(a->orders, a->norders + 1,
		    sizeof *a->orders);
		o = &a->orders[a->norders++];
	}
	*o = *src;
	return o;
}

static void
paper_changed_put(int applied, json_t *current, const struct err *err,
    void *arg)
{
	char	*id = arg;

	if (err != NULL)
		log_warn("paper", "order %s: change not kept in the store: %s",
		    id, err->msg);
	else if (!applied)
		log_warn("paper", "order %s changed here, but another process "
		    "had already ended it (%s): the store keeps that", id,
		    json_string_value(json_object_get(current, "status")));
	free(id);
}

/* A price moved a resting order (triggered, filled): keep the change. */
void
paper_order_changed(struct paper_acct *a, const struct broker_order *o)
{
	json_t	*body;

	if (a->store_owner == NULL || a->store.put == NULL)
		return;
	body = paper_order_json(o);
	a->store.put(a->name, o->order_id, paper_resting(o), body, 1,
	    paper_changed_put, xstrdup(o->order_id), a->store.arg);
	json_decref(body);
}
