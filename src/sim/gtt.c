/*
 * Good-till-triggered rules, as Kite keeps them: a "single" rule places
 * its one LIMIT order when the LTP crosses the trigger from where it was
 * when the rule was made; a "two-leg" (OCO) rule has a lower trigger
 * (stop loss) and an upper one (target), and whichever is hit first
 * places its order and ends the rule.  Rules live a year.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define IE		"InputException"
#define GTT_LIFE_US	(365LL * 86400 * 1000000)
#define GTT_MAX_ACTIVE	250	/* Kite's cap on active rules per user */

static int
name_at(const char *const *names, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < n; i++) {
		if (strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -1;
}

/* A JSON number in rupees as paise, on the instrument's tick. */
static int
json_paise(const json_t *v, const struct sim_instr *in, int64_t *out)
{
	char	buf[48];

	if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.2f", json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, sizeof buf, "%s", json_string_value(v));
	else
		return -1;
	if (sim_parse_paise(buf, out) == -1 || *out <= 0)
		return -1;
	return in->tick > 0 && *out % in->tick != 0 ? -1 : 0;
}

static int
parse_condition(struct sim_book *b, struct sim_gtt *g, const char *text,
    struct err *e)
{
	json_t		*c, *tv;
	const char	*ex, *sym;
	size_t		 i, want = g->two_leg ? 2 : 1;
	int		 r = -1;

	if (text == NULL || (c = json_loads(text, 0, NULL)) == NULL ||
	    !json_is_object(c)) {
		err_set(e, IE, "Invalid `condition`: a JSON object is needed.");
		return -1;
	}
	ex = json_string_value(json_object_get(c, "exchange"));
	sym = json_string_value(json_object_get(c, "tradingsymbol"));
	tv = json_object_get(c, "trigger_values");
	if (ex == NULL || sym == NULL ||
	    (g->in = sim_market_find(b->mkt, ex, sym)) == NULL) {
		err_set(e, IE, "Invalid `condition`: unknown instrument.");
		goto out;
	}
	if (!json_is_array(tv) || json_array_size(tv) != want) {
		err_set(e, IE, "Invalid `trigger_values`: %zu value%s for a "
		    "%s trigger.", want, want == 1 ? "" : "s",
		    g->two_leg ? "two-leg" : "single");
		goto out;
	}
	for (i = 0; i < want; i++) {
		if (json_paise(json_array_get(tv, i), g->in,
		    &g->trigger[i]) == -1) {
			err_set(e, IE, "Invalid `trigger_values`: each a "
			    "positive price on the tick size.");
			goto out;
		}
	}
	g->last_price = g->in->ltp;
	if (g->two_leg && !(g->trigger[0] < g->last_price &&
	    g->last_price < g->trigger[1])) {
		err_set(e, IE, "Invalid `trigger_values`: the lower trigger "
		    "must be below and the upper above the last price.");
		goto out;
	}
	if (!g->two_leg && g->trigger[0] == g->last_price) {
		err_set(e, IE, "Invalid `trigger_values`: the trigger equals "
		    "the last price.");
		goto out;
	}
	r = 0;
out:
	json_decref(c);
	return r;
}

static int
parse_order(const json_t *o, const struct sim_instr *in,
    struct sim_gtt_order *go, struct err *e)
{
	const char	*tt = json_string_value(json_object_get(o, "transaction_type"));
	const char	*ot = json_string_value(json_object_get(o, "order_type"));
	const char	*pr = json_string_value(json_object_get(o, "product"));
	json_t		*q = json_object_get(o, "quantity");
	int		 v;

	memset(go, 0, sizeof *go);
	if (tt == NULL || (strcmp(tt, "BUY") != 0 && strcmp(tt, "SELL") != 0)) {
		err_set(e, IE, "Invalid `transaction_type` in `orders`.");
		return -1;
	}
	go->buy = strcmp(tt, "BUY") == 0;
	if (ot == NULL || strcmp(ot, "LIMIT") != 0) {
		err_set(e, IE, "Invalid `order_type` in `orders`: GTT orders "
		    "are LIMIT orders.");
		return -1;
	}
	go->order_type = SIM_OT_LIMIT;
	if ((v = name_at(sim_product_names, 4, pr)) < 0) {
		err_set(e, IE, "Invalid `product` in `orders`.");
		return -1;
	}
	go->product = (enum sim_product)v;
	if (!json_is_integer(q) || json_integer_value(q) <= 0 ||
	    json_integer_value(q) > 10000000 ||
	    (in->lot > 1 && json_integer_value(q) % in->lot != 0)) {
		err_set(e, IE, "Invalid `quantity` in `orders`: a positive "
		    "multiple of the lot size %d.", in->lot);
		return -1;
	}
	go->quantity = (int)json_integer_value(q);
	if (json_paise(json_object_get(o, "price"), in, &go->price) == -1) {
		err_set(e, IE, "Invalid `price` in `orders`: a positive price "
		    "on the tick size.");
		return -1;
	}
	return 0;
}

static int
parse_orders(struct sim_gtt *g, const char *text, struct err *e)
{
	json_t	*a;
	size_t	 i, want = g->two_leg ? 2 : 1;
	int	 r = -1;

	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL ||
	    !json_is_array(a)) {
		err_set(e, IE, "Invalid `orders`: a JSON array is needed.");
		return -1;
	}
	if (json_array_size(a) != want) {
		err_set(e, IE, "Invalid `orders`: %zu order%s for a %s "
		    "trigger.", want, want == 1 ? "" : "s",
		    g->two_leg ? "two-leg" : "single");
		goto out;
	}
	for (i = 0; i < want; i++) {
		if (parse_order(json_array_get(a, i), g->in, &g->orders[i],
		    e) == -1)
			goto out;
	}
	g->norders = (int)want;
	r = 0;
out:
	json_decref(a);
	return r;
}

static int
parse_rule(struct sim_book *b, struct sim_gtt *g, const char *type,
    const char *condition, const char *orders, struct err *e)
{
	if (type == NULL || (strcmp(type, "single") != 0 &&
	    strcmp(type, "two-leg") != 0)) {
		err_set(e, IE, "Invalid `type`: single or two-leg.");
		return -1;
	}
	g->two_leg = strcmp(type, "two-leg") == 0;
	if (parse_condition(b, g, condition, e) == -1)
		return -1;
	return parse_orders(g, orders, e);
}

static size_t
active_count(const struct sim_book *b, size_t user)
{
	size_t	i, n = 0;

	for (i = 0; i < b->ngtt; i++) {
		if (b->gtt[i].user == user &&
		    strcmp(b->gtt[i].status, "active") == 0)
			n++;
	}
	return n;
}

int
sim_gtt_place(struct sim_book *b, size_t user, const char *type,
    const char *condition, const char *orders, int *id, struct err *e)
{
	struct sim_gtt	g;

	memset(&g, 0, sizeof g);
	if (parse_rule(b, &g, type, condition, orders, e) == -1)
		return -1;
	if (active_count(b, user) >= GTT_MAX_ACTIVE) {
		err_set(e, IE, "You have reached the maximum of %d active "
		    "GTT triggers.", GTT_MAX_ACTIVE);
		return -1;
	}
	g.id = ++b->gtt_seq;
	g.user = user;
	g.status = "active";
	g.created_us = g.updated_us = sim_book_now(b);
	g.expires_us = g.created_us + GTT_LIFE_US;
	b->gtt = xreallocarray(b->gtt, b->ngtt + 1, sizeof *b->gtt);
	b->gtt[b->ngtt++] = g;
	*id = g.id;
	return 0;
}

struct sim_gtt *
sim_gtt_find(struct sim_book *b, size_t user, int id)
{
	size_t	i;

	for (i = 0; i < b->ngtt; i++) {
		if (b->gtt[i].id == id && b->gtt[i].user == user &&
		    strcmp(b->gtt[i].status, "deleted") != 0)
			return &b->gtt[i];
	}
	return NULL;
}

static struct sim_gtt *
find_active(struct sim_book *b, size_t user, int id, struct err *e)
{
	struct sim_gtt	*g = sim_gtt_find(b, user, id);

	if (g == NULL) {
		err_set(e, IE, "Invalid trigger ID %d.", id);
		return NULL;
	}
	if (strcmp(g->status, "active") != 0) {
		err_set(e, IE, "Trigger %d is %s and cannot be changed.", id,
		    g->status);
		return NULL;
	}
	return g;
}

int
sim_gtt_modify(struct sim_book *b, size_t user, int id, const char *type,
    const char *condition, const char *orders, struct err *e)
{
	struct sim_gtt	*g, n;

	if ((g = find_active(b, user, id, e)) == NULL)
		return -1;
	n = *g;
	if (parse_rule(b, &n, type, condition, orders, e) == -1)
		return -1;
	n.updated_us = sim_book_now(b);
	*g = n;
	return 0;
}

int
sim_gtt_delete(struct sim_book *b, size_t user, int id, struct err *e)
{
	struct sim_gtt	*g;

	if ((g = sim_gtt_find(b, user, id)) == NULL) {
		err_set(e, IE, "Invalid trigger ID %d.", id);
		return -1;
	}
	g->status = "deleted";
	g->updated_us = sim_book_now(b);
	return 0;
}

/* Place leg i of a rule whose trigger was hit; the result is kept. */
static void
fire(struct sim_book *b, struct sim_gtt *g, int i)
{
	struct sim_gtt_order	*go = &g->orders[i];
	struct sim_order_req	 r;
	struct sim_place_result	*res = xcalloc(1, sizeof *res);
	struct err		 e;
	char			 qty[16], px[32];

	memset(&r, 0, sizeof r);
	r.variety = "regular";
	r.exchange = g->in->exchange;
	r.tradingsymbol = g->in->symbol;
	r.transaction_type = go->buy ? "BUY" : "SELL";
	r.order_type = "LIMIT";
	snprintf(qty, sizeof qty, "%d", go->quantity);
	r.quantity = qty;
	r.product = sim_product_names[go->product];
	sim_fmt_paise(go->price, px, sizeof px);
	r.price = px;
	err_clear(&e);
	if (sim_order_place(b, g->user, &r, 0, res, &e) == 0) {
		snprintf(go->result_id, sizeof go->result_id, "%s",
		    res->order_id);
		snprintf(go->result_status, sizeof go->result_status,
		    "success");
	} else {
		snprintf(go->result_status, sizeof go->result_status,
		    "failed");
		snprintf(go->result_msg, sizeof go->result_msg, "%s", e.msg);
	}
	free(res);
	g->status = "triggered";
	g->updated_us = sim_book_now(b);
}

/* Which leg a price hits: -1 for none. */
static int
hit(const struct sim_gtt *g, int64_t ltp)
{
	if (g->two_leg) {
		if (ltp <= g->trigger[0])
			return 0;
		return ltp >= g->trigger[1] ? 1 : -1;
	}
	if (g->trigger[0] > g->last_price)
		return ltp >= g->trigger[0] ? 0 : -1;
	return ltp <= g->trigger[0] ? 0 : -1;
}

/*
 * Called after each matching pass.  A triggered rule places an order,
 * which may grow b->gtt's neighbours' books but never b->gtt itself, so
 * walking by index is safe.
 */
void
sim_gtt_check(struct sim_book *b)
{
	int64_t	now = sim_book_now(b);
	size_t	i;
	int	leg;

	for (i = 0; i < b->ngtt; i++) {
		if (strcmp(b->gtt[i].status, "active") != 0)
			continue;
		if (now >= b->gtt[i].expires_us) {
			b->gtt[i].status = "expired";
			continue;
		}
		if ((leg = hit(&b->gtt[i], b->gtt[i].in->ltp)) >= 0)
			fire(b, &b->gtt[i], leg);
	}
}

void
sim_gtt_free(struct sim_book *b)
{
	free(b->gtt);
	b->gtt = NULL;
	b->ngtt = 0;
}

static json_t *
ts_json(int64_t us)
{
	char	buf[32];

	sim_fmt_ts(us, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
order_json(const struct sim_book *b, const struct sim_gtt *g, int i)
{
	const struct sim_gtt_order	*go = &g->orders[i];
	json_t				*j, *res = json_null();

	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "exchange",
	    g->in->exchange, "tradingsymbol", g->in->symbol, "product",
	    sim_product_names[go->product], "order_type", "LIMIT",
	    "transaction_type", go->buy ? "BUY" : "SELL", "quantity",
	    go->quantity, "price", sim_json_paise(go->price));
	if (go->result_status[0] != '\0') {
		res = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o,s:o,"
		    "s:{s:s,s:s,s:s}}", "account_id",
		    b->users[g->user].user_id, "exchange", g->in->exchange,
		    "tradingsymbol", g->in->symbol, "validity", "DAY",
		    "product", sim_product_names[go->product],
		    "transaction_type", go->buy ? "BUY" : "SELL",
		    "quantity", go->quantity, "price",
		    sim_json_paise(go->price), "timestamp",
		    ts_json(g->updated_us), "triggered_at",
		    sim_json_paise(g->trigger[i]),
		    "order_result", "status", go->result_status, "order_id",
		    go->result_id, "rejection_reason", go->result_msg);
		json_object_set_new(res, "order_type", json_string("LIMIT"));
	}
	json_object_set_new(j, "result", res);
	return j;
}

json_t *
sim_json_gtt(const struct sim_book *b, const struct sim_gtt *g)
{
	json_t	*tv = json_array(), *orders = json_array();
	int	 i;

	for (i = 0; i < (g->two_leg ? 2 : 1); i++)
		json_array_append_new(tv, sim_json_paise(g->trigger[i]));
	for (i = 0; i < g->norders; i++)
		json_array_append_new(orders, order_json(b, g, i));
	return json_pack("{s:i,s:s,s:n,s:s,s:o,s:o,s:o,s:s,"
	    "s:{s:s,s:o,s:s,s:o,s:i},s:o,s:n}", "id", g->id, "user_id",
	    b->users[g->user].user_id, "parent_trigger", "type",
	    g->two_leg ? "two-leg" : "single", "created_at",
	    ts_json(g->created_us), "updated_at", ts_json(g->updated_us),
	    "expires_at", ts_json(g->expires_us), "status", g->status,
	    "condition", "exchange", g->in->exchange, "last_price",
	    sim_json_paise(g->last_price), "tradingsymbol", g->in->symbol,
	    "trigger_values", tv, "instrument_token", g->in->token,
	    "orders", orders, "meta");
}
