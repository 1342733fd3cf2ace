/* Orders, trades, positions and margins in Kite's JSON shapes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

void
sim_fmt_ts(int64_t us, char *buf, size_t len)
{
	if (us == 0) {
		if (len > 0)
			buf[0] = '\0';
		return;
	}
	time_fmt_ist(us, buf, len);
}

static json_t *
ts_or_null(int64_t us)
{
	char	buf[32];

	if (us == 0)
		return json_null();
	sim_fmt_ts(us, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

/* Average of a sum of paise over a quantity, in rupees. */
static json_t *
avg_json(int64_t value, int64_t qty)
{
	if (qty == 0)
		return json_integer(0);
	if (value % qty == 0)
		return sim_json_paise(value / qty);
	return json_real((double)value / (double)qty / 100.0);
}

static json_t *
order_meta(const struct sim_order *o, const struct sim_ostate *s)
{
	int	legs = o->iceberg_legs;

	if (o->variety != SIM_VR_ICEBERG)
		return json_object();
	return json_pack("{s:{s:i,s:i,s:i,s:i,s:i}}", "iceberg", "leg", 1,
	    "legs", legs, "leg_quantity", o->iceberg_qty, "total_quantity",
	    s->quantity, "remaining_quantity", s->quantity - s->filled);
}

static json_t *
order_tags(const struct sim_order *o)
{
	json_t	*t = json_array();
	char	 buf[40];

	if (o->tag[0] != '\0')
		json_array_append_new(t, json_string(o->tag));
	if (o->autoslice_id[0] != '\0') {
		json_array_append_new(t, json_string("autoslice"));
		snprintf(buf, sizeof buf, "autoslice:%s", o->autoslice_id);
		json_array_append_new(t, json_string(buf));
	}
	return t;
}

/* One order as of snapshot s (its current state or a history entry). */
json_t *
sim_json_order(const struct sim_book *b, const struct sim_order *o,
    const struct sim_ostate *s)
{
	const char	*uid = b->users[o->user].user_id;
	int		 rejected = strcmp(s->status, "REJECTED") == 0;
	json_t		*j;

	j = json_object();
	json_object_set_new(j, "account_id", json_string(uid));
	json_object_set_new(j, "placed_by", json_string(uid));
	json_object_set_new(j, "order_id", json_string(o->order_id));
	json_object_set_new(j, "exchange_order_id", s->has_exchange_id ?
	    json_string(o->exchange_order_id) : json_null());
	json_object_set_new(j, "parent_order_id", str_or_null(o->parent_id));
	json_object_set_new(j, "status", json_string(s->status));
	json_object_set_new(j, "status_message",
	    str_or_null(s->status_message));
	json_object_set_new(j, "status_message_raw",
	    str_or_null(s->status_message));
	json_object_set_new(j, "order_timestamp", ts_or_null(s->order_us));
	json_object_set_new(j, "exchange_update_timestamp",
	    ts_or_null(s->update_us));
	json_object_set_new(j, "exchange_timestamp",
	    ts_or_null(s->exchange_us));
	json_object_set_new(j, "variety",
	    json_string(sim_variety_names[o->variety]));
	json_object_set_new(j, "modified", json_boolean(s->modified));
	json_object_set_new(j, "exchange", json_string(o->in->exchange));
	json_object_set_new(j, "tradingsymbol", json_string(o->in->symbol));
	json_object_set_new(j, "instrument_token", json_integer(o->in->token));
	json_object_set_new(j, "order_type",
	    json_string(sim_otype_names[s->order_type]));
	json_object_set_new(j, "transaction_type",
	    json_string(o->buy ? "BUY" : "SELL"));
	json_object_set_new(j, "validity",
	    json_string(sim_validity_names[o->validity]));
	json_object_set_new(j, "validity_ttl", json_integer(o->ttl_min));
	json_object_set_new(j, "product",
	    json_string(sim_product_names[o->product]));
	json_object_set_new(j, "quantity", json_integer(s->quantity));
	json_object_set_new(j, "disclosed_quantity",
	    json_integer(s->disclosed));
	json_object_set_new(j, "price", sim_json_paise(s->price));
	json_object_set_new(j, "trigger_price", sim_json_paise(s->trigger));
	if (o->variety == SIM_VR_AUCTION)
		json_object_set_new(j, "auction_number",
		    json_string(o->auction_number));
	json_object_set_new(j, "average_price",
	    avg_json(s->fill_value, s->filled));
	json_object_set_new(j, "filled_quantity", json_integer(s->filled));
	json_object_set_new(j, "pending_quantity", json_integer(rejected ? 0 :
	    s->quantity - s->filled));
	json_object_set_new(j, "cancelled_quantity",
	    json_integer(s->cancelled));
	json_object_set_new(j, "market_protection",
	    json_integer(o->market_protection));
	json_object_set_new(j, "meta", order_meta(o, s));
	json_object_set_new(j, "tag", str_or_null(o->tag));
	json_object_set_new(j, "tags", order_tags(o));
	json_object_set_new(j, "guid", json_string(o->guid));
	return j;
}

json_t *
sim_json_trade(const struct sim_trade *t)
{
	const struct sim_order	*o = t->order;
	char			 ts[32], ot[32];

	sim_fmt_ts(t->ts_us, ts, sizeof ts);
	sim_fmt_ts(o->cur.order_us, ot, sizeof ot);
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:o,s:i,s:s,s:s,s:s,s:s,"
	    "s:s}",
	    "trade_id", t->trade_id,
	    "order_id", o->order_id,
	    "exchange", o->in->exchange,
	    "tradingsymbol", o->in->symbol,
	    "instrument_token", o->in->token,
	    "product", sim_product_names[o->product],
	    "average_price", sim_json_paise(t->price),
	    "quantity", t->quantity,
	    "exchange_order_id", o->exchange_order_id,
	    "transaction_type", o->buy ? "BUY" : "SELL",
	    "fill_timestamp", ts,
	    "order_timestamp", ot + 11,	/* Kite sends only the time here */
	    "exchange_timestamp", ts);
}

/*
 * Positions are read for every account at every square-off, kill and
 * mark to market: written as text straight away, not built as a jansson
 * tree and dumped (the tree, and printf for each of its reals, were most
 * of the simulator's time on the request).  Numbers come out as
 * sim_json_paise and avg_json dumped with JSON_REAL_PRECISION(15) do.
 */
static void
put_paise(struct strbuf *b, int64_t p)
{
	uint64_t	a = p < 0 ? (uint64_t)0 - (uint64_t)p : (uint64_t)p;
	unsigned	f = (unsigned)(a % 100);

	if (f == 0)
		strbuf_printf(b, "%lld", (long long)(p / 100));
	else if (f % 10 == 0)
		strbuf_printf(b, "%s%llu.%u", p < 0 ? "-" : "",
		    (unsigned long long)(a / 100), f / 10);
	else
		strbuf_printf(b, "%s%llu.%02u", p < 0 ? "-" : "",
		    (unsigned long long)(a / 100), f);
}

static void
put_avg(struct strbuf *b, int64_t value, int64_t qty)
{
	char	num[40];

	if (qty == 0)
		strbuf_putc(b, '0');
	else if (value % qty == 0)
		put_paise(b, value / qty);
	else {
		snprintf(num, sizeof num, "%.15g",
		    (double)value / (double)qty / 100.0);
		strbuf_puts(b, num);
		if (strpbrk(num, ".eE") == NULL)
			strbuf_puts(b, ".0");
	}
}

/* A symbol or exchange: plain ASCII from the instruments, escaped anyway. */
static void
put_str(struct strbuf *b, const char *s)
{
	strbuf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(b, '\\');
		if ((unsigned char)*s < 0x20)
			strbuf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			strbuf_putc(b, *s);
	}
	strbuf_putc(b, '"');
}

/* One side's quantity, average, value (and m2m, but not as day_). */
static void
put_side(struct strbuf *b, const char *pre, const char *side, int64_t qty,
    int64_t value)
{
	strbuf_printf(b, ",\"%s%s_quantity\":%lld,\"%s%s_price\":", pre, side,
	    (long long)qty, pre, side);
	put_avg(b, value, qty);
	strbuf_printf(b, ",\"%s%s_value\":", pre, side);
	put_paise(b, value);
	if (*pre == '\0') {
		strbuf_printf(b, ",\"%s_m2m\":", side);
		put_paise(b, value);
	}
}

static void
position_text(struct strbuf *b, const struct sim_position *p)
{
	const struct sim_instr	*in = p->in;
	int64_t			 net = p->buy_qty - p->sell_qty, pnl, un = 0;
	int64_t			 value = p->sell_value - p->buy_value;
	int			 day;

	/* the open side's average: buys for a long, sells for a short */
	pnl = value + net * in->ltp;
	if (net > 0)
		un = net * in->ltp - net * (p->buy_value / p->buy_qty);
	else if (net < 0)
		un = net * in->ltp - net * (p->sell_value / p->sell_qty);
	strbuf_puts(b, "{\"tradingsymbol\":");
	put_str(b, in->symbol);
	strbuf_puts(b, ",\"exchange\":");
	put_str(b, in->exchange);
	strbuf_printf(b, ",\"instrument_token\":%lld,\"product\":",
	    (long long)in->token);
	put_str(b, sim_product_names[p->product]);
	strbuf_printf(b, ",\"quantity\":%lld,\"overnight_quantity\":0,"
	    "\"multiplier\":1,\"average_price\":", (long long)net);
	if (net > 0)
		put_avg(b, p->buy_value, p->buy_qty);
	else if (net < 0)
		put_avg(b, p->sell_value, p->sell_qty);
	else
		strbuf_putc(b, '0');
	strbuf_puts(b, ",\"close_price\":");
	put_paise(b, in->close);
	strbuf_puts(b, ",\"last_price\":");
	put_paise(b, in->ltp);
	strbuf_puts(b, ",\"value\":");
	put_paise(b, value);
	strbuf_puts(b, ",\"pnl\":");
	put_paise(b, pnl);
	strbuf_puts(b, ",\"m2m\":");
	put_paise(b, pnl);
	strbuf_puts(b, ",\"unrealised\":");
	put_paise(b, un);
	strbuf_puts(b, ",\"realised\":");
	put_paise(b, pnl - un);
	/* buy_* and sell_*, then the same again as day_* */
	for (day = 0; day < 2; day++) {
		put_side(b, day ? "day_" : "", "buy", p->buy_qty, p->buy_value);
		put_side(b, day ? "day_" : "", "sell", p->sell_qty,
		    p->sell_value);
	}
	strbuf_putc(b, '}');
}

/* {"net": [...], "day": [...]}, the same positions in both (one day). */
char *
sim_text_positions(const struct sim_book *bk, size_t user)
{
	const struct sim_user	*u = &bk->users[user];
	struct strbuf		 b;
	size_t			 i;
	int			 half;

	strbuf_init(&b);
	for (half = 0; half < 2; half++) {
		strbuf_puts(&b, half ? "],\"day\":[" : "{\"net\":[");
		for (i = 0; i < u->npos; i++) {
			if (i > 0)
				strbuf_putc(&b, ',');
			position_text(&b, &u->pos[i]);
		}
	}
	strbuf_puts(&b, "]}");
	return strbuf_steal(&b);
}

static json_t *
segment_json(const struct sim_margin *mg)
{
	int64_t	debits = mg->span + mg->exposure + mg->option_premium;

	return json_pack("{s:b,s:o,s:{s:i,s:o,s:o,s:o,s:i,s:i},"
	    "s:{s:o,s:o,s:o,s:o,s:o,s:i,s:o,s:i,s:i,s:i,s:i,s:i}}",
	    "enabled", 1,
	    "net", sim_json_paise(mg->net),
	    "available",
	    "adhoc_margin", 0,
	    "cash", sim_json_paise(mg->cash),
	    "opening_balance", sim_json_paise(mg->cash),
	    "live_balance", sim_json_paise(mg->net),
	    "collateral", 0,
	    "intraday_payin", 0,
	    "utilised",
	    "debits", sim_json_paise(debits),
	    "exposure", sim_json_paise(mg->exposure),
	    "m2m_realised", sim_json_paise(mg->realised),
	    "m2m_unrealised", sim_json_paise(mg->unrealised),
	    "option_premium", sim_json_paise(mg->option_premium),
	    "payout", 0,
	    "span", sim_json_paise(mg->span),
	    "holding_sales", 0,
	    "turnover", 0,
	    "liquid_collateral", 0,
	    "stock_collateral", 0,
	    "delivery", 0);
}

/* segment: NULL for both, "equity" or "commodity"; NULL result if unknown. */
json_t *
sim_json_margins(const struct sim_book *b, size_t user, const char *segment)
{
	struct sim_margin	mg, zero;

	sim_margin_compute(b, user, &mg);
	memset(&zero, 0, sizeof zero);
	if (segment == NULL)
		return json_pack("{s:o,s:o}", "equity", segment_json(&mg),
		    "commodity", segment_json(&zero));
	if (strcmp(segment, "equity") == 0)
		return segment_json(&mg);
	if (strcmp(segment, "commodity") == 0)
		return segment_json(&zero);
	return NULL;
}
