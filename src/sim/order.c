/*
 * Orders: validation as Kite does it, placement (with autoslice), modify
 * and cancel, and the status history every transition appends to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

const char *const sim_otype_names[] = { "MARKET", "LIMIT", "SL", "SL-M" };
const char *const sim_product_names[] = { "MIS", "NRML", "CNC", "MTF" };
const char *const sim_validity_names[] = { "DAY", "IOC", "TTL" };
const char *const sim_variety_names[] = { "regular", "amo", "co", "iceberg",
	"auction" };

#define SIM_TAG_MAX	20
#define IE		"InputException"

static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -1;
}

int64_t
sim_book_now(const struct sim_book *b)
{
	return b->clock != NULL ? b->clock() : time_wall_us();
}

void
sim_book_init(struct sim_book *b, struct sim_market *m,
    struct sim_user *users, size_t nusers)
{
	memset(b, 0, sizeof *b);
	b->mkt = m;
	b->users = users;
	b->nusers = nusers;
	b->fill_lots = 20;
	b->clock = time_wall_us;
}

/* Orders belong to their users; the book only borrows them. */
void
sim_book_free(struct sim_book *b)
{
	free(b->open);
	b->open = NULL;
	b->nopen = 0;
	sim_gtt_free(b);
}

/* Statuses a client sees change (the rest are passing states). */
static int
status_public(const char *s)
{
	static const char *const quiet[] = { "PUT ORDER REQ RECEIVED",
		"VALIDATION PENDING", "OPEN PENDING",
		"MODIFY VALIDATION PENDING", "MODIFY PENDING", "MODIFIED",
		"CANCEL PENDING" };

	return name_index(quiet, nitems(quiet), s) < 0;
}

void
sim_order_status(struct sim_book *b, struct sim_order *o, const char *status,
    const char *msg)
{
	o->cur.status = status;
	snprintf(o->cur.status_message, sizeof o->cur.status_message, "%s",
	    msg != NULL ? msg : "");
	o->hist = xreallocarray(o->hist, o->nhist + 1, sizeof *o->hist);
	o->hist[o->nhist++] = o->cur;
	if (b->on_update != NULL && status_public(status))
		b->on_update(o, b->on_update_arg);
}

struct sim_order *
sim_order_find(struct sim_book *b, size_t user, const char *order_id)
{
	struct sim_user	*u = &b->users[user];
	size_t		 i;

	for (i = 0; i < u->norders; i++) {
		if (strcmp(u->orders[i]->order_id, order_id) == 0)
			return u->orders[i];
	}
	return NULL;
}

uint64_t
sim_seq_from_clock(int64_t wall_us)
{
	int64_t	ms = (wall_us / 1000 + IST_OFFSET_S * 1000LL) % 86400000LL;

	return (uint64_t)(ms < 0 ? ms + 86400000LL : ms) * 10;
}

/* Kite order ids: YYMMDD and a sequence, 15 digits. */
static void
next_id(struct sim_book *b, char *buf, size_t len)
{
	snprintf(buf, len, "%06d%09llu", b->mkt->today % 1000000,
	    (unsigned long long)++b->order_seq);
}

static int
missing(const char *v, const char *field, struct err *e)
{
	if (v != NULL && *v != '\0')
		return 0;
	err_set(e, IE, "Missing or empty field `%s`.", field);
	return 1;
}

static int
check_tick(const struct sim_instr *in, int64_t p, const char *field,
    struct err *e)
{
	char	t[32];

	if (p % in->tick == 0)
		return 0;
	sim_fmt_paise(in->tick, t, sizeof t);
	err_set(e, IE, "Tick size for this script is %s. Kindly enter `%s` in "
	    "the multiple of tick size for this script.", t, field);
	return -1;
}

static int
check_lot(const struct sim_instr *in, long long q, struct err *e)
{
	if (q <= 0) {
		err_set(e, IE, "Invalid `quantity`: %lld.", q);
		return -1;
	}
	if (in->lot > 1 && q % in->lot != 0) {
		err_set(e, IE, "Quantity should be in multiples of lot size "
		    "(%d).", in->lot);
		return -1;
	}
	return 0;
}

/* Kite's trigger rules for stop-loss orders, against the limit and LTP. */
static int
check_trigger(const struct sim_instr *in, int buy, enum sim_otype t,
    int64_t price, int64_t trig, struct err *e)
{
	const char	*side = buy ? "buy" : "sell";

	if (t != SIM_OT_SL && t != SIM_OT_SLM)
		return 0;
	if (t == SIM_OT_SL && (buy ? trig > price : trig < price)) {
		err_set(e, IE, "Trigger price for stoploss %s orders should be "
		    "%s than or equal to the price.", side, buy ? "less" :
		    "higher");
		return -1;
	}
	if (buy ? trig <= in->ltp : trig >= in->ltp) {
		err_set(e, IE, "Trigger price for stoploss %s orders should be "
		    "%s than the last traded price.", side, buy ? "higher" :
		    "lower");
		return -1;
	}
	return 0;
}

/* A validated request, ready to become one or more orders. */
struct parsed {
	enum sim_variety	 variety;
	struct sim_instr	*in;
	int			 buy;
	enum sim_otype		 otype;
	enum sim_product	 product;
	enum sim_validity	 validity;
	long long		 qty, disclosed, ttl, mp;
	int64_t			 price, trigger;
	int			 autoslice;
	long long		 legs, legqty;
};

static int
parse_enums(const struct sim_order_req *r, struct parsed *p, struct err *e)
{
	int	v;

	if ((v = name_index(sim_variety_names, nitems(sim_variety_names),
	    r->variety != NULL ? r->variety : "regular")) < 0) {
		err_set(e, IE, "Invalid `variety`.");
		return -1;
	}
	p->variety = (enum sim_variety)v;
	if (missing(r->exchange, "exchange", e) ||
	    missing(r->tradingsymbol, "tradingsymbol", e) ||
	    missing(r->transaction_type, "transaction_type", e) ||
	    missing(r->order_type, "order_type", e) ||
	    missing(r->quantity, "quantity", e) ||
	    missing(r->product, "product", e))
		return -1;
	if (strcmp(r->transaction_type, "BUY") != 0 &&
	    strcmp(r->transaction_type, "SELL") != 0) {
		err_set(e, IE, "Invalid `transaction_type`.");
		return -1;
	}
	p->buy = strcmp(r->transaction_type, "BUY") == 0;
	if ((v = name_index(sim_otype_names, nitems(sim_otype_names),
	    r->order_type)) < 0) {
		err_set(e, IE, "Invalid `order_type`.");
		return -1;
	}
	p->otype = (enum sim_otype)v;
	if ((v = name_index(sim_product_names, nitems(sim_product_names),
	    r->product)) < 0) {
		err_set(e, IE, "Invalid `product`.");
		return -1;
	}
	p->product = (enum sim_product)v;
	if ((v = name_index(sim_validity_names, nitems(sim_validity_names),
	    r->validity != NULL && *r->validity != '\0' ? r->validity :
	    "DAY")) < 0) {
		err_set(e, IE, "Invalid `validity`.");
		return -1;
	}
	p->validity = (enum sim_validity)v;
	return 0;
}

static int
parse_numbers(const struct sim_order_req *r, struct parsed *p, struct err *e)
{
	if (sim_parse_int(r->quantity, &p->qty) == -1) {
		err_set(e, IE, "Invalid `quantity`.");
		return -1;
	}
	p->price = p->trigger = 0;
	if (p->otype == SIM_OT_LIMIT || p->otype == SIM_OT_SL) {
		if (missing(r->price, "price", e))
			return -1;
		if (sim_parse_paise(r->price, &p->price) == -1 ||
		    p->price <= 0) {
			err_set(e, IE, "Invalid `price`.");
			return -1;
		}
	}
	if (p->otype == SIM_OT_SL || p->otype == SIM_OT_SLM ||
	    p->variety == SIM_VR_CO) {
		if (missing(r->trigger_price, "trigger_price", e))
			return -1;
		if (sim_parse_paise(r->trigger_price, &p->trigger) == -1 ||
		    p->trigger <= 0) {
			err_set(e, IE, "Invalid `trigger_price`.");
			return -1;
		}
	}
	p->disclosed = 0;
	if (r->disclosed_quantity != NULL && *r->disclosed_quantity != '\0' &&
	    (sim_parse_int(r->disclosed_quantity, &p->disclosed) == -1 ||
	    p->disclosed < 0)) {
		err_set(e, IE, "Invalid `disclosed_quantity`.");
		return -1;
	}
	p->ttl = 0;
	if (p->validity == SIM_VA_TTL && (sim_parse_int(r->validity_ttl,
	    &p->ttl) == -1 || p->ttl < 1 || p->ttl > 1440)) {
		err_set(e, IE, "Invalid `validity_ttl`: minutes, 1 to 1440.");
		return -1;
	}
	p->mp = 0;
	if (r->market_protection != NULL && *r->market_protection != '\0' &&
	    (sim_parse_int(r->market_protection, &p->mp) == -1 ||
	    (p->mp != -1 && (p->mp < 1 || p->mp > 100)))) {
		err_set(e, IE, "Invalid `market_protection`: must be -1 "
		    "(automatic) or 1 to 100.");
		return -1;
	}
	p->autoslice = r->autoslice != NULL &&
	    strcmp(r->autoslice, "true") == 0;
	return 0;
}

static int
parse_variety(const struct sim_order_req *r, struct parsed *p, struct err *e)
{
	if (p->variety == SIM_VR_ICEBERG) {
		if (sim_parse_int(r->iceberg_legs, &p->legs) == -1 ||
		    p->legs < 2 || p->legs > 50) {
			err_set(e, IE, "Invalid `iceberg_legs`: 2 to 50.");
			return -1;
		}
		if (sim_parse_int(r->iceberg_quantity, &p->legqty) == -1 ||
		    p->legqty <= 0 || p->legqty > p->qty) {
			err_set(e, IE, "Invalid `iceberg_quantity`.");
			return -1;
		}
	}
	if (p->variety == SIM_VR_AUCTION && missing(r->auction_number,
	    "auction_number", e))
		return -1;
	if (p->variety == SIM_VR_CO && p->otype != SIM_OT_MARKET &&
	    p->otype != SIM_OT_LIMIT) {
		err_set(e, IE, "Cover orders must be MARKET or LIMIT.");
		return -1;
	}
	return 0;
}

static int
check_instrument(const struct sim_order_req *r, struct parsed *p,
    struct sim_market *m, struct err *e)
{
	int	nfo;

	if ((p->in = sim_market_find(m, r->exchange, r->tradingsymbol)) ==
	    NULL) {
		err_set(e, IE, "Invalid `tradingsymbol` or `exchange`: "
		    "%s:%s is not a known instrument.", r->exchange,
		    r->tradingsymbol);
		return -1;
	}
	if (p->in->type == SIM_IT_INDEX) {
		err_set(e, IE, "%s is an index and cannot be traded.",
		    p->in->symbol);
		return -1;
	}
	nfo = strcmp(p->in->exchange, "NFO") == 0;
	if ((nfo && (p->product == SIM_PR_CNC || p->product == SIM_PR_MTF)) ||
	    (!nfo && p->product == SIM_PR_NRML)) {
		err_set(e, IE, "Product %s is not allowed for %s.",
		    sim_product_names[p->product], p->in->exchange);
		return -1;
	}
	return 0;
}

/*
 * A cover order's trigger is its stop loss: below the market for a buy,
 * above it for a sell, and inside the range /instruments/trigger_range
 * gives.
 */
static int
check_cover(const struct sim_instr *in, const struct parsed *p,
    struct err *e)
{
	int64_t	lo, hi;

	if (in->type == SIM_IT_CE || in->type == SIM_IT_PE) {
		err_set(e, IE, "Cover orders are not allowed for options.");
		return -1;
	}
	sim_cover_range(in, p->buy, &lo, &hi);
	if (p->trigger < lo || p->trigger > hi) {
		err_set(e, IE, "Trigger price for a %s cover order must be "
		    "between %lld.%02lld and %lld.%02lld.", p->buy ? "buy" :
		    "sell", (long long)(lo / 100), (long long)(lo % 100),
		    (long long)(hi / 100), (long long)(hi % 100));
		return -1;
	}
	return 0;
}

static int
check_limits(const struct sim_order_req *r, struct parsed *p, struct err *e)
{
	struct sim_instr	*in = p->in;

	if (check_lot(in, p->qty, e) == -1)
		return -1;
	if (p->price != 0 && check_tick(in, p->price, "price", e) == -1)
		return -1;
	if (p->trigger != 0 && check_tick(in, p->trigger, "trigger_price",
	    e) == -1)
		return -1;
	if (in->freeze > 0 && p->qty > in->freeze && !p->autoslice) {
		err_set(e, IE, "Quantity exceeds freeze limit of %d for %s. "
		    "Place smaller orders or use autoslice.", in->freeze,
		    in->symbol);
		return -1;
	}
	if (r->tag != NULL && strlen(r->tag) > SIM_TAG_MAX) {
		err_set(e, IE, "Invalid `tag`: at most %d characters.",
		    SIM_TAG_MAX);
		return -1;
	}
	if (p->disclosed > p->qty) {
		err_set(e, IE, "Disclosed quantity cannot exceed quantity.");
		return -1;
	}
	if (p->variety == SIM_VR_CO)
		return check_cover(in, p, e);
	return check_trigger(in, p->buy, p->otype, p->price, p->trigger, e);
}

/* Everything that can be refused synchronously, before an order exists. */
static int
validate(struct sim_book *b, const struct sim_order_req *r, struct parsed *p,
    struct err *e)
{
	memset(p, 0, sizeof *p);
	if (parse_enums(r, p, e) == -1 || parse_numbers(r, p, e) == -1 ||
	    parse_variety(r, p, e) == -1 ||
	    check_instrument(r, p, b->mkt, e) == -1)
		return -1;
	return check_limits(r, p, e);
}

int
sim_order_margin_check(struct sim_book *b, size_t user,
    const struct sim_instr *in, int buy, enum sim_product product, int qty,
    int64_t price, struct err *e)
{
	struct sim_user		*u = &b->users[user];
	struct sim_margin	 mg;
	int64_t			 need, net = 0;
	size_t			 i;
	char			 a[32], c[32];

	for (i = 0; i < u->npos; i++) {
		if (u->pos[i].in == in && u->pos[i].product == product)
			net = u->pos[i].buy_qty - u->pos[i].sell_qty;
	}
	/* The part of an order that closes a position needs no margin. */
	if ((buy && net < 0) || (!buy && net > 0))
		qty -= (int)(llabs(net) < qty ? llabs(net) : qty);
	if (qty <= 0)
		return 0;
	need = sim_margin_required(in, b->mkt, buy, product, qty, price);
	sim_margin_compute(b, user, &mg);
	if (need <= mg.net)
		return 0;
	sim_fmt_paise(need, a, sizeof a);
	sim_fmt_paise(mg.net, c, sizeof c);
	err_set(e, "MarginException", "Insufficient funds. Required margin is "
	    "%s but available margin is %s.", a, c);
	return -1;
}

static struct sim_order *
order_new(struct sim_book *b, size_t user, const struct sim_order_req *r,
    const struct parsed *p, int qty)
{
	struct sim_user		*u = &b->users[user];
	struct sim_order	*o = xcalloc(1, sizeof *o);
	int64_t			 now = sim_book_now(b);

	next_id(b, o->order_id, sizeof o->order_id);
	snprintf(o->exchange_order_id, sizeof o->exchange_order_id, "%s%s",
	    strcmp(p->in->exchange, "NFO") == 0 ? "1100000" : "1300000",
	    o->order_id + 6);
	snprintf(o->tag, sizeof o->tag, "%s", r->tag != NULL ? r->tag : "");
	snprintf(o->guid, sizeof o->guid, "%llu%s",
	    (unsigned long long)(sim_hash64(b->order_seq) % 1000000),
	    o->order_id + 9);
	snprintf(o->auction_number, sizeof o->auction_number, "%s",
	    r->auction_number != NULL ? r->auction_number : "");
	o->user = user;
	o->in = p->in;
	o->variety = p->variety;
	o->buy = p->buy;
	o->validity = p->validity;
	o->ttl_min = (int)p->ttl;
	o->product = p->product;
	o->market_protection = (int)p->mp;
	o->ref_price = p->in->ltp;
	o->iceberg_legs = (int)p->legs;
	o->iceberg_qty = (int)p->legqty;
	o->cur.order_type = p->otype;
	o->cur.quantity = qty;
	o->cur.disclosed = (int)p->disclosed;
	o->cur.price = p->price;
	o->cur.trigger = p->trigger;
	o->cur.order_us = now;
	u->orders = xreallocarray(u->orders, u->norders + 1,
	    sizeof *u->orders);
	u->orders[u->norders++] = o;
	return o;
}

/* The life of a fresh order up to resting on the book (or rejection). */
static void
order_enter(struct sim_book *b, struct sim_order *o, int reject)
{
	sim_order_status(b, o, "PUT ORDER REQ RECEIVED", NULL);
	sim_order_status(b, o, "VALIDATION PENDING", NULL);
	if (reject) {
		sim_order_status(b, o, "REJECTED", "RMS:Rule: Order rejected "
		    "by simulated RMS (fault injection).");
		return;
	}
	if (o->variety == SIM_VR_AMO) {
		sim_order_status(b, o, "AMO REQ RECEIVED", NULL);
		return;
	}
	sim_order_status(b, o, "OPEN PENDING", NULL);
	o->cur.has_exchange_id = 1;
	o->cur.exchange_us = o->cur.update_us = sim_book_now(b);
	sim_book_add_open(b, o);
	if (o->cur.order_type == SIM_OT_SL || o->cur.order_type == SIM_OT_SLM)
		sim_order_status(b, o, "TRIGGER PENDING", NULL);
	else
		sim_order_status(b, o, "OPEN", NULL);
	sim_match_order(b, o);
}

/*
 * The stop-loss leg of a filled cover order: the opposite side, SL-M at
 * the cover's trigger, carrying the first leg as its parent.
 */
void
sim_order_cover_leg(struct sim_book *b, struct sim_order *first)
{
	struct sim_order_req	 r;
	struct parsed		 p;
	struct sim_order	*o;

	memset(&r, 0, sizeof r);
	r.tag = first->tag[0] != '\0' ? first->tag : NULL;
	memset(&p, 0, sizeof p);
	p.variety = SIM_VR_CO;
	p.in = first->in;
	p.buy = !first->buy;
	p.otype = SIM_OT_SLM;
	p.product = first->product;
	p.validity = SIM_VA_DAY;
	p.qty = first->cur.filled;
	p.trigger = first->cur.trigger;
	o = order_new(b, first->user, &r, &p, first->cur.filled);
	snprintf(o->parent_id, sizeof o->parent_id, "%s", first->order_id);
	order_enter(b, o, 0);
}

static int
place_one(struct sim_book *b, size_t user, const struct sim_order_req *r,
    const struct parsed *p, int qty, int reject, char *id, size_t idlen,
    const char *group, struct err *e)
{
	struct sim_order	*o;
	int64_t			 px;

	px = p->price != 0 ? p->price : p->trigger != 0 ? p->trigger :
	    p->in->ltp;
	if (!reject && sim_order_margin_check(b, user, p->in, p->buy,
	    p->product, qty, px, e) == -1)
		return -1;
	o = order_new(b, user, r, p, qty);
	if (group != NULL)
		snprintf(o->autoslice_id, sizeof o->autoslice_id, "%s", group);
	snprintf(id, idlen, "%s", o->order_id);
	order_enter(b, o, reject);
	return 0;
}

int
sim_order_place(struct sim_book *b, size_t user,
    const struct sim_order_req *r, int reject, struct sim_place_result *res,
    struct err *e)
{
	struct parsed	 p;
	int		 slice, n, i, left;
	struct err	 ce;

	memset(res, 0, sizeof *res);
	if (validate(b, r, &p, e) == -1)
		return -1;
	if (!p.autoslice || p.in->freeze == 0 || p.qty <= p.in->freeze)
		return place_one(b, user, r, &p, (int)p.qty, reject,
		    res->order_id, sizeof res->order_id, NULL, e);
	slice = p.in->freeze / p.in->lot * p.in->lot;
	n = (int)((p.qty + slice - 1) / slice);
	if (n > SIM_MAX_SLICES) {
		err_set(e, IE, "Quantity needs %d slices; at most %d allowed.",
		    n, SIM_MAX_SLICES);
		return -1;
	}
	next_id(b, res->order_id, sizeof res->order_id);
	left = (int)p.qty;
	for (i = 0; i < n; i++) {
		err_clear(&ce);
		if (place_one(b, user, r, &p, left < slice ? left : slice,
		    reject, res->child_id[i], sizeof res->child_id[i],
		    res->order_id, &ce) == -1) {
			snprintf(res->child_err_type[i],
			    sizeof res->child_err_type[i], "%.23s", ce.code);
			snprintf(res->child_err_msg[i],
			    sizeof res->child_err_msg[i], "%.159s", ce.msg);
		}
		left -= slice;
	}
	res->nchildren = n;
	return 0;
}

static int
order_live(const struct sim_order *o)
{
	const char	*s = o->cur.status;

	return strcmp(s, "OPEN") == 0 || strcmp(s, "TRIGGER PENDING") == 0 ||
	    strcmp(s, "AMO REQ RECEIVED") == 0;
}

static struct sim_order *
find_live(struct sim_book *b, size_t user, const char *order_id,
    const char *verb, struct err *e)
{
	struct sim_order	*o = sim_order_find(b, user, order_id);

	if (o == NULL) {
		err_set(e, IE, "Couldn't find that `order_id`.");
		return NULL;
	}
	if (!order_live(o)) {
		err_set(e, IE, "Order cannot be %s as it is %s.", verb,
		    o->cur.status);
		return NULL;
	}
	return o;
}

static int
modify_fields(const struct sim_order *o, const struct sim_modify_req *r,
    struct sim_ostate *s, struct err *e)
{
	long long	q;
	int		v;

	if (r->order_type != NULL && *r->order_type != '\0') {
		if ((v = name_index(sim_otype_names, nitems(sim_otype_names),
		    r->order_type)) < 0) {
			err_set(e, IE, "Invalid `order_type`.");
			return -1;
		}
		s->order_type = (enum sim_otype)v;
	}
	if (r->quantity != NULL && *r->quantity != '\0') {
		if (sim_parse_int(r->quantity, &q) == -1 ||
		    check_lot(o->in, q, e) == -1) {
			if (!err_isset(e))
				err_set(e, IE, "Invalid `quantity`.");
			return -1;
		}
		if (q <= s->filled ||
		    (o->in->freeze > 0 && q > o->in->freeze)) {
			err_set(e, IE, "Invalid `quantity`: must exceed the "
			    "filled %d and stay within the freeze limit.",
			    s->filled);
			return -1;
		}
		s->quantity = (int)q;
	}
	if (r->price != NULL && *r->price != '\0' &&
	    (sim_parse_paise(r->price, &s->price) == -1 ||
	    check_tick(o->in, s->price, "price", e) == -1)) {
		if (!err_isset(e))
			err_set(e, IE, "Invalid `price`.");
		return -1;
	}
	if (r->trigger_price != NULL && *r->trigger_price != '\0' &&
	    (sim_parse_paise(r->trigger_price, &s->trigger) == -1 ||
	    check_tick(o->in, s->trigger, "trigger_price", e) == -1)) {
		if (!err_isset(e))
			err_set(e, IE, "Invalid `trigger_price`.");
		return -1;
	}
	if ((s->order_type == SIM_OT_LIMIT || s->order_type == SIM_OT_SL) &&
	    s->price <= 0) {
		err_set(e, IE, "Missing or empty field `price`.");
		return -1;
	}
	if (!o->triggered && check_trigger(o->in, o->buy, s->order_type,
	    s->price, s->trigger, e) == -1)
		return -1;
	return 0;
}

int
sim_order_modify(struct sim_book *b, size_t user, const char *variety,
    const char *order_id, const struct sim_modify_req *r, struct err *e)
{
	struct sim_order	*o;
	struct sim_ostate	 s;
	int			 amo;

	if ((o = find_live(b, user, order_id, "modified", e)) == NULL)
		return -1;
	amo = strcmp(o->cur.status, "AMO REQ RECEIVED") == 0;
	s = o->cur;
	if (modify_fields(o, r, &s, e) == -1)
		return -1;
	if ((s.order_type == SIM_OT_SL || s.order_type == SIM_OT_SLM) &&
	    s.trigger <= 0) {
		err_set(e, IE, "Missing or empty field `trigger_price`.");
		return -1;
	}
	sim_order_status(b, o, "MODIFY VALIDATION PENDING", NULL);
	sim_order_status(b, o, "MODIFY PENDING", NULL);
	s.status = o->cur.status;
	s.modified = 1;
	s.order_us = s.update_us = sim_book_now(b);
	o->cur = s;
	sim_order_status(b, o, "MODIFIED", NULL);
	if (amo)
		sim_order_status(b, o, "AMO REQ RECEIVED", NULL);
	else if ((s.order_type == SIM_OT_SL || s.order_type == SIM_OT_SLM) &&
	    !o->triggered)
		sim_order_status(b, o, "TRIGGER PENDING", NULL);
	else
		sim_order_status(b, o, "OPEN", NULL);
	sim_match_order(b, o);
	return 0;
}

int
sim_order_cancel(struct sim_book *b, size_t user, const char *variety,
    const char *order_id, struct err *e)
{
	struct sim_order	*o;

	if ((o = find_live(b, user, order_id, "cancelled", e)) == NULL)
		return -1;
	sim_order_status(b, o, "CANCEL PENDING", NULL);
	o->cur.cancelled = o->cur.quantity - o->cur.filled;
	o->cur.update_us = sim_book_now(b);
	sim_book_drop_open(b, o);
	sim_order_status(b, o, "CANCELLED", NULL);
	return 0;
}
