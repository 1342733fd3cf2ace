/*
 * Order requests into the form-encoded bodies Kite expects.  A request is
 * checked whole before a byte is written: an order that Kite would refuse
 * (or, worse, read differently) never leaves with a field quietly fixed.
 */
#include <stdio.h>
#include <string.h>

#include "broker/kite.h"

static int
input_err(struct broker_err *be, const char *fmt, ...) PX_PRINTF(2, 3);

/* Refused before sending: final, like Kite's own InputException. */
static int
input_err(struct broker_err *be, const char *fmt, ...)
{
	va_list	ap;

	memset(be, 0, sizeof *be);
	be->kind = BROKER_ERR_FINAL;
	snprintf(be->err.code, sizeof be->err.code, "input");
	va_start(ap, fmt);
	vsnprintf(be->err.msg, sizeof be->err.msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
kite_urlencode(struct strbuf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			strbuf_putc(b, (char)c);
		else if (c == ' ')
			strbuf_putc(b, '+');
		else {
			strbuf_putc(b, '%');
			strbuf_putc(b, hex[c >> 4]);
			strbuf_putc(b, hex[c & 15]);
		}
	}
}

static void
field(struct strbuf *b, const char *name, const char *value)
{
	if (b->len > 0)
		strbuf_putc(b, '&');
	strbuf_puts(b, name);
	strbuf_putc(b, '=');
	kite_urlencode(b, value);
}

static void
field_int(struct strbuf *b, const char *name, int64_t v)
{
	char	buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	field(b, name, buf);
}

/* Paise back to rupee text with two decimals: 10940 -> "109.40". */
static void
field_price(struct strbuf *b, const char *name, int64_t paise)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(paise / 100),
	    (long long)(paise % 100));
	field(b, name, buf);
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	}
	return 1;
}

/* Which of price and trigger the order type needs, and that they agree. */
static int
check_prices(const struct broker_order_req *r, struct broker_err *be)
{
	int	need_price, need_trigger;

	switch (r->order_type) {
	case BROKER_MARKET:
	case BROKER_LIMIT:
	case BROKER_SL:
	case BROKER_SLM:
		break;
	default:
		return input_err(be, "order_type is not MARKET, LIMIT, SL "
		    "or SL-M");
	}
	need_price = r->order_type == BROKER_LIMIT || r->order_type == BROKER_SL;
	need_trigger = r->order_type == BROKER_SL || r->order_type == BROKER_SLM;
	if (r->qty <= 0)
		return input_err(be, "quantity %lld is not positive",
		    (long long)r->qty);
	if (need_price && r->price <= 0)
		return input_err(be, "a %s order needs a positive price",
		    broker_order_type_name(r->order_type));
	if (!need_price && r->price != 0)
		return input_err(be, "a %s order takes no price",
		    broker_order_type_name(r->order_type));
	if (need_trigger && r->trigger_price <= 0)
		return input_err(be, "a %s order needs a positive trigger "
		    "price", broker_order_type_name(r->order_type));
	if (!need_trigger && r->trigger_price != 0)
		return input_err(be, "a %s order takes no trigger price",
		    broker_order_type_name(r->order_type));
	if (r->validity != BROKER_VALIDITY_UNKNOWN &&
	    r->validity != BROKER_DAY && r->validity != BROKER_IOC &&
	    r->validity != BROKER_TTL)
		return input_err(be, "validity is not DAY, IOC or TTL");
	if (r->validity == BROKER_TTL && (r->validity_ttl < 1 ||
	    r->validity_ttl > 1440))
		return input_err(be, "a TTL order needs validity_ttl of 1..1440 "
		    "minutes, not %d", r->validity_ttl);
	return 0;
}

static int
check_order(const struct broker_order_req *r, struct broker_err *be)
{
	size_t	taglen;

	if (r->exchange[0] == '\0' || !printable(r->exchange))
		return input_err(be, "exchange is empty or not printable");
	if (r->tradingsymbol[0] == '\0' || !printable(r->tradingsymbol))
		return input_err(be, "tradingsymbol is empty or not printable");
	if (r->side != BROKER_BUY && r->side != BROKER_SELL)
		return input_err(be, "side is not BUY or SELL");
	if (r->product != BROKER_MIS && r->product != BROKER_NRML &&
	    r->product != BROKER_CNC)
		return input_err(be, "product is not MIS, NRML or CNC");
	if (r->variety != BROKER_VARIETY_REGULAR && r->variety != BROKER_VARIETY_AMO)
		return input_err(be, "variety %s cannot be placed",
		    broker_variety_name(r->variety));
	if (check_prices(r, be) != 0)
		return -1;
	taglen = strnlen(r->tag, sizeof r->tag);
	if (taglen > BROKER_TAG_MAX || taglen == sizeof r->tag)
		return input_err(be, "tag \"%.*s\" is %zu characters, at most "
		    "%d are allowed", (int)taglen, r->tag, taglen,
		    BROKER_TAG_MAX);
	if (!printable(r->tag))
		return input_err(be, "tag contains unprintable characters");
	if (r->market_protection < -1 || r->market_protection > 100)
		return input_err(be, "market_protection %d is not -1 "
		    "(automatic), 0 (none) or 1..100 percent",
		    r->market_protection);
	if (strnlen(r->algo_id, sizeof r->algo_id) == sizeof r->algo_id ||
	    !printable(r->algo_id))
		return input_err(be, "algo_id is not a printable string");
	return 0;
}

/*
 * POST /orders/:variety body.  Price only for LIMIT and SL, trigger only
 * for SL and SL-M; market_protection only where a market price is taken
 * (MARKET, SL-M) and only when set.
 */
int
kite_encode_order(const struct broker_order_req *r, struct strbuf *b,
    struct broker_err *be)
{
	enum broker_validity	v;

	if (check_order(r, be) != 0)
		return -1;
	v = r->validity == BROKER_VALIDITY_UNKNOWN ? BROKER_DAY : r->validity;
	field(b, "tradingsymbol", r->tradingsymbol);
	field(b, "exchange", r->exchange);
	field(b, "transaction_type", broker_side_name(r->side));
	field(b, "order_type", broker_order_type_name(r->order_type));
	field_int(b, "quantity", r->qty);
	field(b, "product", broker_product_name(r->product));
	if (r->order_type == BROKER_LIMIT || r->order_type == BROKER_SL)
		field_price(b, "price", r->price);
	if (r->order_type == BROKER_SL || r->order_type == BROKER_SLM)
		field_price(b, "trigger_price", r->trigger_price);
	field(b, "validity", broker_validity_name(v));
	if (v == BROKER_TTL)
		field_int(b, "validity_ttl", r->validity_ttl);
	if (r->tag[0] != '\0')
		field(b, "tag", r->tag);
	if ((r->order_type == BROKER_MARKET || r->order_type == BROKER_SLM) &&
	    r->market_protection != 0)
		field_int(b, "market_protection", r->market_protection);
	if (r->algo_id[0] != '\0')
		field(b, "algo_id", r->algo_id);
	return 0;
}

/* PUT /orders/:variety/:order_id body: the order's new terms. */
int
kite_encode_modify(const struct broker_order_req *r, struct strbuf *b,
    struct broker_err *be)
{
	enum broker_validity	v;

	if (check_prices(r, be) != 0)
		return -1;
	v = r->validity == BROKER_VALIDITY_UNKNOWN ? BROKER_DAY : r->validity;
	field(b, "order_type", broker_order_type_name(r->order_type));
	field_int(b, "quantity", r->qty);
	if (r->order_type == BROKER_LIMIT || r->order_type == BROKER_SL)
		field_price(b, "price", r->price);
	if (r->order_type == BROKER_SL || r->order_type == BROKER_SLM)
		field_price(b, "trigger_price", r->trigger_price);
	field(b, "validity", broker_validity_name(v));
	if (v == BROKER_TTL)
		field_int(b, "validity_ttl", r->validity_ttl);
	return 0;
}

/* GET /quote?i=NSE:INFY&i=NFO:... query string (without the '?'). */
void
kite_encode_quote_query(const char *const *keys, size_t n, struct strbuf *b)
{
	size_t	i;

	for (i = 0; i < n; i++)
		field(b, "i", keys[i]);
}
