/*
 * Kite Connect v3 response bodies into the broker model: order ids,
 * order books and histories, trades, positions, margins, quotes and
 * autoslice results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/kite_json.h"

/* Envelope only, for calls whose data phalanx does not need. */
int
kite_decode_status(enum broker_op op, long http, const char *body,
    size_t len, struct broker_err *be)
{
	struct jscan	js;

	if (kite_json_envelope(op, http, body, len, &js, be) == NULL)
		return -1;
	jscan_free(&js);
	return 0;
}

/*
 * The envelope of a call whose data is one object, read into c->js:
 * data, or NULL with be filled and nothing left to free.
 */
static const struct jscan_tok *
envelope_object(struct kite_ctx *c, const char *body, size_t len)
{
	const struct jscan_tok	*data;

	data = kite_json_envelope(c->op, c->http, body, len, c->js, c->be);
	if (data == NULL)
		return NULL;
	if (data->type != JSCAN_OBJECT) {
		kite_json_fail(c, "should be an object, not %s",
		    kite_json_valname(data));
		jscan_free(c->js);
		return NULL;
	}
	return data;
}

int
kite_decode_order_id(enum broker_op op, long http, const char *body,
    size_t len, char order_id[32], struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { op, http, be, "data", &js };
	const struct jscan_tok	*data;
	int			 rc;

	order_id[0] = '\0';
	if ((data = envelope_object(&c, body, len)) == NULL)
		return -1;
	if ((rc = kite_json_id(&c, data, "order_id", order_id, 32,
	    KITE_J_REQ)) != 0)
		order_id[0] = '\0';
	jscan_free(&js);
	return rc;
}

/*
 * The list shape shared by orders, history and trades: data is an array
 * of objects, each read by one row function into an element of size sz.
 */
typedef int (*row_fn)(struct kite_ctx *, const struct jscan_tok *,
    void *);

static int
decode_list(struct kite_ctx *c, const struct jscan_tok *arr, const char *name,
    row_fn row, size_t sz, void **outp, size_t *np)
{
	const struct jscan_tok	*o;
	char			*v = NULL;
	size_t			 i, n;

	*outp = NULL;
	*np = 0;
	if (arr->type != JSCAN_ARRAY)
		return kite_json_fail(c, "%s should be an array, not %s", name,
		    kite_json_valname(arr));
	n = jscan_size(c->js, arr);
	if (n > 0)
		v = xcalloc(n, sz);
	for (i = 0, o = jscan_child(c->js, arr); i < n;
	    i++, o = jscan_next(c->js, arr, o)) {
		snprintf(c->path, sizeof c->path, "%s[%zu]", name, i);
		if (o->type != JSCAN_OBJECT) {
			kite_json_fail(c, "should be an object, not %s",
			    kite_json_valname(o));
			free(v);
			return -1;
		}
		if (row(c, o, v + i * sz) != 0) {
			free(v);
			return -1;
		}
	}
	*outp = v;
	*np = n;
	return 0;
}

/* An envelope whose data is such a list (*outp NULL, *np 0 on failure). */
static int
decode_envelope_list(struct kite_ctx *c, const char *body, size_t len,
    row_fn row, size_t sz, void **outp, size_t *np)
{
	const struct jscan_tok	*data;
	int			 rc;

	*outp = NULL;
	*np = 0;
	data = kite_json_envelope(c->op, c->http, body, len, c->js, c->be);
	if (data == NULL)
		return -1;
	rc = decode_list(c, data, "data", row, sz, outp, np);
	jscan_free(c->js);
	return rc;
}

static int
order_row(struct kite_ctx *c, const struct jscan_tok *o,
    void *out)
{
	return kite_json_order(c, o, out);
}

int
kite_decode_orders(enum broker_op op, long http, const char *body,
    size_t len, struct broker_order **out, size_t *n, struct broker_err *be)
{
	struct jscan	 js;
	struct kite_ctx	 c = { op, http, be, "", &js };

	return decode_envelope_list(&c, body, len, order_row, sizeof **out,
	    (void **)out, n);
}

/* Kite's product word; one it adds later maps to BROKER_PRODUCT_UNKNOWN. */
static enum broker_product
product_of(const char *s)
{
	enum broker_product	p;

	for (p = BROKER_MIS; p <= BROKER_CO; p++) {
		if (strcmp(s, broker_product_name(p)) == 0)
			return p;
	}
	return BROKER_PRODUCT_UNKNOWN;
}

static int
trade_row(struct kite_ctx *c, const struct jscan_tok *o, void *p)
{
	struct broker_trade	*t = p;
	char			 side[8], product[8];

	if (kite_json_id(c, o, "trade_id", t->trade_id, sizeof t->trade_id,
	    KITE_J_REQ) ||
	    kite_json_id(c, o, "order_id", t->order_id, sizeof t->order_id,
	    KITE_J_REQ) ||
	    kite_json_id(c, o, "exchange_order_id", t->exchange_order_id,
	    sizeof t->exchange_order_id, 0) ||
	    kite_json_str(c, o, "exchange", t->exchange, sizeof t->exchange,
	    KITE_J_REQ) ||
	    kite_json_str(c, o, "tradingsymbol", t->tradingsymbol,
	    sizeof t->tradingsymbol, KITE_J_REQ) ||
	    kite_json_int(c, o, "instrument_token", &t->instrument_token, 0) ||
	    kite_json_str(c, o, "product", product, sizeof product,
	    KITE_J_TRUNC) ||
	    kite_json_str(c, o, "transaction_type", side, sizeof side,
	    KITE_J_REQ | KITE_J_TRUNC) ||
	    kite_json_int(c, o, "quantity", &t->qty, KITE_J_REQ) ||
	    kite_json_paise(c, o, "average_price", &t->price, KITE_J_REQ) ||
	    kite_json_ts(c, o, "fill_timestamp", &t->fill_ts, 0) ||
	    kite_json_ts(c, o, "exchange_timestamp", &t->exchange_ts, 0))
		return -1;
	if (strcmp(side, "BUY") == 0)
		t->side = BROKER_BUY;
	else if (strcmp(side, "SELL") == 0)
		t->side = BROKER_SELL;
	else
		return kite_json_fail(c, "transaction_type \"%s\" is not BUY "
		    "or SELL", side);
	t->product = product_of(product);
	return 0;
}

/* /trades and /orders/:id/trades. */
int
kite_decode_trades(long http, const char *body, size_t len,
    struct broker_trade **out, size_t *n, struct broker_err *be)
{
	struct jscan	 js;
	struct kite_ctx	 c = { BROKER_OP_TRADES, http, be, "", &js };

	return decode_envelope_list(&c, body, len, trade_row, sizeof **out,
	    (void **)out, n);
}

static int
position_row(struct kite_ctx *c, const struct jscan_tok *o,
    void *out)
{
	struct broker_position	*p = out;
	char			 product[8];

	if (kite_json_str(c, o, "tradingsymbol", p->tradingsymbol,
	    sizeof p->tradingsymbol, KITE_J_REQ) ||
	    kite_json_str(c, o, "exchange", p->exchange, sizeof p->exchange,
	    KITE_J_REQ) ||
	    kite_json_int(c, o, "instrument_token", &p->instrument_token, 0) ||
	    kite_json_str(c, o, "product", product, sizeof product,
	    KITE_J_TRUNC) ||
	    kite_json_int(c, o, "quantity", &p->qty, KITE_J_REQ) ||
	    kite_json_int(c, o, "overnight_quantity", &p->overnight_qty, 0) ||
	    kite_json_int(c, o, "multiplier", &p->multiplier, 0) ||
	    kite_json_paise(c, o, "average_price", &p->avg_price, 0) ||
	    kite_json_paise(c, o, "last_price", &p->last_price, 0) ||
	    kite_json_paise(c, o, "close_price", &p->close_price, 0) ||
	    kite_json_paise(c, o, "value", &p->value, 0) ||
	    kite_json_paise(c, o, "pnl", &p->pnl, 0) ||
	    kite_json_paise(c, o, "m2m", &p->m2m, 0) ||
	    kite_json_paise(c, o, "unrealised", &p->unrealised, 0) ||
	    kite_json_paise(c, o, "realised", &p->realised, 0) ||
	    kite_json_int(c, o, "buy_quantity", &p->buy_qty, 0) ||
	    kite_json_paise(c, o, "buy_price", &p->buy_price, 0) ||
	    kite_json_paise(c, o, "buy_value", &p->buy_value, 0) ||
	    kite_json_int(c, o, "sell_quantity", &p->sell_qty, 0) ||
	    kite_json_paise(c, o, "sell_price", &p->sell_price, 0) ||
	    kite_json_paise(c, o, "sell_value", &p->sell_value, 0) ||
	    kite_json_int(c, o, "day_buy_quantity", &p->day_buy_qty, 0) ||
	    kite_json_int(c, o, "day_sell_quantity", &p->day_sell_qty, 0))
		return -1;
	p->product = product_of(product);
	return 0;
}

int
kite_decode_positions(long http, const char *body, size_t len,
    struct broker_positions *out, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_POSITIONS, http, be, "data",
				    &js };
	const struct jscan_tok	*data, *net, *day;
	int			 rc = -1;

	memset(out, 0, sizeof *out);
	if ((data = envelope_object(&c, body, len)) == NULL)
		return -1;
	if ((net = kite_json_member(&c, data, "net", JSCAN_ARRAY,
	    KITE_J_REQ)) == NULL ||
	    (day = kite_json_member(&c, data, "day", JSCAN_ARRAY,
	    KITE_J_REQ)) == NULL)
		goto out;
	if (decode_list(&c, net, "data.net", position_row,
	    sizeof *out->net, (void **)&out->net, &out->nnet) != 0)
		goto out;
	if (decode_list(&c, day, "data.day", position_row,
	    sizeof *out->day, (void **)&out->day, &out->nday) != 0) {
		free(out->net);
		memset(out, 0, sizeof *out);
		goto out;
	}
	rc = 0;
out:
	jscan_free(&js);
	return rc;
}

static int
segment(struct kite_ctx *c, const struct jscan_tok *o,
    struct broker_margin_segment *s)
{
	const struct jscan_tok	*av, *ut;

	memset(s, 0, sizeof *s);
	if (kite_json_bool(c, o, "enabled", &s->enabled, 0) ||
	    kite_json_paise(c, o, "net", &s->net, KITE_J_REQ))
		return -1;
	if ((av = kite_json_member(c, o, "available", JSCAN_OBJECT,
	    KITE_J_REQ)) == NULL ||
	    (ut = kite_json_member(c, o, "utilised", JSCAN_OBJECT,
	    KITE_J_REQ)) == NULL)
		return -1;
	if (kite_json_paise(c, av, "cash", &s->cash, 0) ||
	    kite_json_paise(c, av, "opening_balance", &s->opening_balance, 0) ||
	    kite_json_paise(c, av, "live_balance", &s->live_balance, 0) ||
	    kite_json_paise(c, av, "collateral", &s->collateral, 0) ||
	    kite_json_paise(c, av, "intraday_payin", &s->intraday_payin, 0) ||
	    kite_json_paise(c, av, "adhoc_margin", &s->adhoc_margin, 0) ||
	    kite_json_paise(c, ut, "debits", &s->debits, 0) ||
	    kite_json_paise(c, ut, "span", &s->span, 0) ||
	    kite_json_paise(c, ut, "exposure", &s->exposure, 0) ||
	    kite_json_paise(c, ut, "option_premium", &s->option_premium, 0) ||
	    kite_json_paise(c, ut, "m2m_realised", &s->m2m_realised, 0) ||
	    kite_json_paise(c, ut, "m2m_unrealised", &s->m2m_unrealised, 0) ||
	    kite_json_paise(c, ut, "payout", &s->payout, 0) ||
	    kite_json_paise(c, ut, "delivery", &s->delivery, 0))
		return -1;
	s->present = 1;
	return 0;
}

/* An optional object member: 0 with *v NULL when absent or null. */
static int
optional_object(struct kite_ctx *c, const struct jscan_tok *o,
    const char *key, const struct jscan_tok **v)
{
	*v = kite_json_member(c, o, key, JSCAN_OBJECT, 0);
	return *v == NULL && err_isset(&c->be->err) ? -1 : 0;
}

int
kite_decode_margins(long http, const char *body, size_t len,
    struct broker_margins *out, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_MARGINS, http, be, "data",
				    &js };
	const struct jscan_tok	*data, *eq, *co;
	int			 rc = -1;

	memset(out, 0, sizeof *out);
	if ((data = envelope_object(&c, body, len)) == NULL)
		return -1;
	if (optional_object(&c, data, "equity", &eq) != 0 ||
	    optional_object(&c, data, "commodity", &co) != 0)
		goto out;
	if (eq == NULL && co == NULL) {
		kite_json_fail(&c, "has neither equity nor commodity");
		goto out;
	}
	snprintf(c.path, sizeof c.path, "data.equity");
	if (eq != NULL && segment(&c, eq, &out->equity) != 0)
		goto out;
	snprintf(c.path, sizeof c.path, "data.commodity");
	if (co != NULL && segment(&c, co, &out->commodity) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memset(out, 0, sizeof *out);
	jscan_free(&js);
	return rc;
}

int
kite_decode_margin_segment(long http, const char *body, size_t len,
    struct broker_margin_segment *out, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_MARGINS, http, be, "data",
				    &js };
	const struct jscan_tok	*data;
	int			 rc;

	memset(out, 0, sizeof *out);
	if ((data = envelope_object(&c, body, len)) == NULL)
		return -1;
	if ((rc = segment(&c, data, out)) != 0)
		memset(out, 0, sizeof *out);
	jscan_free(&js);
	return rc;
}

/* Best bid or ask: the first level of depth.buy or depth.sell. */
static int
best_level(struct kite_ctx *c, const struct jscan_tok *depth,
    const char *side, int64_t *price, int64_t *qty)
{
	const struct jscan_tok	*levels, *top;

	if ((levels = kite_json_member(c, depth, side, JSCAN_ARRAY, 0)) == NULL)
		return err_isset(&c->be->err) ? -1 : 0;
	if ((top = jscan_child(c->js, levels)) == NULL)
		return 0;
	if (top->type != JSCAN_OBJECT)
		return kite_json_fail(c, "depth.%s[0] should be an object, "
		    "not %s", side, kite_json_valname(top));
	if (kite_json_paise(c, top, "price", price, 0) ||
	    kite_json_int(c, top, "quantity", qty, 0))
		return -1;
	return 0;
}

static int
quote_row(struct kite_ctx *c, size_t keylen, const struct jscan_tok *o,
    struct broker_quote *q)
{
	const struct jscan_tok	*ohlc, *depth;

	if (keylen >= sizeof q->key)
		return kite_json_fail(c, "instrument key is too long");
	kite_sanitize(q->key);
	if (kite_json_int(c, o, "instrument_token", &q->instrument_token, 0) ||
	    kite_json_paise(c, o, "last_price", &q->ltp, KITE_J_REQ) ||
	    kite_json_ts(c, o, "timestamp", &q->ts, 0) ||
	    kite_json_ts(c, o, "last_trade_time", &q->last_trade_ts, 0) ||
	    kite_json_int(c, o, "last_quantity", &q->last_qty, 0) ||
	    kite_json_paise(c, o, "average_price", &q->avg_price, 0) ||
	    kite_json_int(c, o, "volume", &q->volume, 0) ||
	    kite_json_int(c, o, "buy_quantity", &q->buy_qty, 0) ||
	    kite_json_int(c, o, "sell_quantity", &q->sell_qty, 0) ||
	    kite_json_int(c, o, "oi", &q->oi, 0) ||
	    kite_json_int(c, o, "oi_day_high", &q->oi_day_high, 0) ||
	    kite_json_int(c, o, "oi_day_low", &q->oi_day_low, 0) ||
	    kite_json_paise(c, o, "net_change", &q->net_change, 0) ||
	    kite_json_paise(c, o, "lower_circuit_limit", &q->lower_circuit, 0) ||
	    kite_json_paise(c, o, "upper_circuit_limit", &q->upper_circuit, 0) ||
	    kite_json_paise(c, o, "iv", &q->iv_x100, 0))
		return -1;
	if (optional_object(c, o, "ohlc", &ohlc) != 0)
		return -1;
	if (ohlc != NULL && (kite_json_paise(c, ohlc, "open", &q->open, 0) ||
	    kite_json_paise(c, ohlc, "high", &q->high, 0) ||
	    kite_json_paise(c, ohlc, "low", &q->low, 0) ||
	    kite_json_paise(c, ohlc, "close", &q->close, 0)))
		return -1;
	if (optional_object(c, o, "depth", &depth) != 0)
		return -1;
	if (depth != NULL && (best_level(c, depth, "buy", &q->bid,
	    &q->bid_qty) || best_level(c, depth, "sell", &q->ask, &q->ask_qty)))
		return -1;
	return 0;
}

/*
 * One instrument of a quote's data.  jansson kept a key that repeats
 * once, where it first came, with the value it last had.
 */
static int
quote_member(struct kite_ctx *c, const struct jscan_tok *data,
    const struct jscan_tok *k, struct broker_quote *q)
{
	const struct jscan_tok	*v, *p;
	size_t			 keylen;

	for (v = k + 1, p = jscan_next(c->js, data, k + 1); p != NULL;
	    p = jscan_next(c->js, data, p + 1)) {
		if (jscan_same(c->js, k, p))
			v = p + 1;
	}
	keylen = jscan_str(c->js, k, q->key, sizeof q->key);
	snprintf(c->path, sizeof c->path, "data[\"%.30s\"]", q->key);
	if (v->type != JSCAN_OBJECT)
		return kite_json_fail(c, "should be an object, not %s",
		    kite_json_valname(v));
	return quote_row(c, keylen, v, q);
}

static int
repeated_key(struct jscan *js, const struct jscan_tok *data,
    const struct jscan_tok *k)
{
	const struct jscan_tok	*p;

	for (p = jscan_child(js, data); p != k; p = jscan_next(js, data, p + 1))
		if (jscan_same(js, p, k))
			return 1;
	return 0;
}

/* data is {"EXCHANGE:SYMBOL": {...}, ...}; unknown instruments are absent. */
int
kite_decode_quotes(long http, const char *body, size_t len,
    struct broker_quote **out, size_t *n, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_QUOTE, http, be, "data",
				    &js };
	const struct jscan_tok	*data, *k;
	size_t			 i = 0;

	*out = NULL;
	*n = 0;
	data = kite_json_envelope(BROKER_OP_QUOTE, http, body, len, &js, be);
	if (data == NULL)
		return -1;
	if (data->type == JSCAN_ARRAY && jscan_child(&js, data) == NULL) {
		jscan_free(&js);
		return 0;
	}
	if (data->type != JSCAN_OBJECT) {
		kite_json_fail(&c, "should be an object, not %s",
		    kite_json_valname(data));
		goto fail;
	}
	if (jscan_child(&js, data) != NULL)
		*out = xcalloc(jscan_size(&js, data), sizeof **out);
	for (k = jscan_child(&js, data); k != NULL;
	    k = jscan_next(&js, data, k + 1)) {
		if (repeated_key(&js, data, k))
			continue;
		if (quote_member(&c, data, k, &(*out)[i]) != 0)
			goto fail;
		i++;
	}
	*n = i;
	jscan_free(&js);
	return 0;
fail:
	free(*out);
	*out = NULL;
	jscan_free(&js);
	return -1;
}

static int
slice_row(struct kite_ctx *c, const struct jscan_tok *o, void *p)
{
	struct kite_slice	*s = p;
	const struct jscan_tok	*e;
	int64_t			 code;

	if ((e = kite_json_member(c, o, "error", JSCAN_OBJECT, 0)) == NULL) {
		if (err_isset(&c->be->err))
			return -1;
		return kite_json_id(c, o, "order_id", s->order_id,
		    sizeof s->order_id, KITE_J_REQ);
	}
	if (kite_json_int(c, e, "code", &code, 0) != 0)
		return -1;
	if (code < 0 || code > 999)
		return kite_json_fail(c, "error.code %lld is not an HTTP "
		    "status", (long long)code);
	kite_json_classify(BROKER_OP_PLACE, (long)code, c->js, e, &s->err);
	return 0;
}

int
kite_decode_autoslice(long http, const char *body, size_t len,
    struct kite_autoslice *out, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_PLACE, http, be, "data",
				    &js };
	const struct jscan_tok	*data, *kids;
	int			 rc = -1;

	memset(out, 0, sizeof *out);
	if ((data = envelope_object(&c, body, len)) == NULL)
		return -1;
	if (kite_json_id(&c, data, "order_id", out->order_id,
	    sizeof out->order_id, KITE_J_REQ) != 0)
		goto out;
	kids = kite_json_member(&c, data, "children", JSCAN_ARRAY, 0);
	if (kids == NULL && err_isset(&be->err))
		goto out;
	if (kids != NULL && decode_list(&c, kids, "data.children", slice_row,
	    sizeof *out->children, (void **)&out->children,
	    &out->nchildren) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memset(out, 0, sizeof *out);
	jscan_free(&js);
	return rc;
}

void
kite_autoslice_free(struct kite_autoslice *a)
{
	free(a->children);
	memset(a, 0, sizeof *a);
}
