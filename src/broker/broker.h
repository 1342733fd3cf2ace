/*
 * broker: one interface over every broker phalanx can trade through.
 *
 * The structs here are the normalized model: money is int64 paise,
 * quantities are integers, times are wall-clock microseconds (UTC epoch).
 * An adapter (kite, paper) fills them from its own wire format.  Every
 * operation is asynchronous: it returns at once and its callback runs
 * exactly once, later, from the event loop -- never from inside the call.
 * Data handed to a callback is valid only during the callback.
 */
#ifndef PX_BROKER_H
#define PX_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/order.h"
#include "util/util.h"

/* enum broker_state, its names and transitions: core/order.h. */

enum broker_side { BROKER_BUY, BROKER_SELL };

enum broker_order_type {
	BROKER_ORDER_TYPE_UNKNOWN,
	BROKER_MARKET,
	BROKER_LIMIT,
	BROKER_SL,
	BROKER_SLM
};

/* Only MIS, NRML and CNC can be placed; the rest appear in broker books. */
enum broker_product {
	BROKER_PRODUCT_UNKNOWN,
	BROKER_MIS,
	BROKER_NRML,
	BROKER_CNC,
	BROKER_MTF,
	BROKER_CO
};

enum broker_validity {
	BROKER_VALIDITY_UNKNOWN,
	BROKER_DAY,
	BROKER_IOC,
	BROKER_TTL
};

/* Kite names it in the URL; cancel and modify must repeat it. */
enum broker_variety {
	BROKER_VARIETY_REGULAR,
	BROKER_VARIETY_AMO,
	BROKER_VARIETY_CO,
	BROKER_VARIETY_ICEBERG,
	BROKER_VARIETY_AUCTION,
	BROKER_VARIETY_UNKNOWN
};

#define BROKER_TAG_MAX 20	/* client tag limit, in bytes */

/*
 * A new order, or (for modify) the new values of an existing one: modify
 * sends order_type, qty, price, trigger_price and validity.  Strings are
 * NUL-terminated; tag is checked against BROKER_TAG_MAX, never truncated.
 */
struct broker_order_req {
	char			 exchange[8];		/* "NFO", "NSE", ... */
	char			 tradingsymbol[48];
	enum broker_side	 side;
	enum broker_order_type	 order_type;
	enum broker_product	 product;
	enum broker_validity	 validity;	/* UNKNOWN = DAY */
	enum broker_variety	 variety;
	int64_t			 qty;
	int64_t			 price;		/* paise; LIMIT and SL */
	int64_t			 trigger_price;	/* paise; SL and SL-M */
	int			 validity_ttl;	/* minutes, TTL only */
	char			 tag[32];	/* "" = none */
	int			 market_protection; /* 0 none, -1 auto, 1..100 % */
	char			 algo_id[32];	/* "" = not configured */
};

/* One order as the broker's book (or a postback) reports it. */
struct broker_order {
	char			 order_id[32];
	char			 exchange_order_id[32];
	char			 parent_order_id[32];
	char			 status[40];	/* the broker's word, verbatim */
	enum broker_state	 state;		/* what phalanx makes of it */
	char			 status_message[256];
	char			 exchange[8];
	char			 tradingsymbol[48];
	int64_t			 instrument_token;
	enum broker_side	 side;
	enum broker_order_type	 order_type;
	enum broker_product	 product;
	enum broker_validity	 validity;
	enum broker_variety	 variety;
	int64_t			 qty;
	int64_t			 filled;
	int64_t			 pending;
	int64_t			 cancelled;
	int64_t			 disclosed;
	int64_t			 price;		/* paise */
	int64_t			 trigger_price;	/* paise */
	int64_t			 avg_price;	/* paise */
	int			 market_protection;
	char			 tag[32];
	int64_t			 order_ts;	/* us; 0 = not given */
	int64_t			 exchange_ts;
	int64_t			 exchange_update_ts;
};

struct broker_trade {
	char			 trade_id[32];
	char			 order_id[32];
	char			 exchange_order_id[32];
	char			 exchange[8];
	char			 tradingsymbol[48];
	int64_t			 instrument_token;
	enum broker_product	 product;
	enum broker_side	 side;
	int64_t			 qty;
	int64_t			 price;		/* paise */
	int64_t			 fill_ts;	/* us */
	int64_t			 exchange_ts;
};

/* Values in paise; qty signed (negative = net short). */
struct broker_position {
	char			 exchange[8];
	char			 tradingsymbol[48];
	int64_t			 instrument_token;
	enum broker_product	 product;
	int64_t			 qty;
	int64_t			 overnight_qty;
	int64_t			 multiplier;
	int64_t			 avg_price;
	int64_t			 last_price;
	int64_t			 close_price;
	int64_t			 value;
	int64_t			 pnl;
	int64_t			 m2m;
	int64_t			 unrealised;
	int64_t			 realised;
	int64_t			 buy_qty;
	int64_t			 buy_price;
	int64_t			 buy_value;
	int64_t			 sell_qty;
	int64_t			 sell_price;
	int64_t			 sell_value;
	int64_t			 day_buy_qty;
	int64_t			 day_sell_qty;
};

/* Net (since open) and day (today's trades only) books. */
struct broker_positions {
	struct broker_position	*net;
	size_t			 nnet;
	struct broker_position	*day;
	size_t			 nday;
};

/* One segment's funds, paise. */
struct broker_margin_segment {
	int			 present;
	int			 enabled;
	int64_t			 net;		/* what can be used now */
	int64_t			 cash;
	int64_t			 opening_balance;
	int64_t			 live_balance;
	int64_t			 collateral;
	int64_t			 intraday_payin;
	int64_t			 adhoc_margin;
	int64_t			 debits;	/* utilised */
	int64_t			 span;
	int64_t			 exposure;
	int64_t			 option_premium;
	int64_t			 m2m_realised;
	int64_t			 m2m_unrealised;
	int64_t			 payout;
	int64_t			 delivery;
};

struct broker_margins {
	struct broker_margin_segment equity;
	struct broker_margin_segment commodity;
};

/* A full quote; LTP- and OHLC-only answers leave the rest zero. */
struct broker_quote {
	char			 key[64];	/* "NFO:NIFTY25NOVFUT" */
	int64_t			 instrument_token;
	int64_t			 ts;		/* us; 0 = not given */
	int64_t			 last_trade_ts;
	int64_t			 ltp;		/* paise */
	int64_t			 last_qty;
	int64_t			 avg_price;
	int64_t			 volume;
	int64_t			 buy_qty;	/* total pending bids */
	int64_t			 sell_qty;
	int64_t			 oi;
	int64_t			 oi_day_high;
	int64_t			 oi_day_low;
	int64_t			 open, high, low, close;
	int64_t			 net_change;
	int64_t			 lower_circuit;
	int64_t			 upper_circuit;
	int64_t			 bid, bid_qty;	/* best of depth; 0 = none */
	int64_t			 ask, ask_qty;
	/* Implied volatility in percent x 100 (1325 = 13.25%); 0 = not
	 * given: Kite sends none, the simulator does for options. */
	int64_t			 iv_x100;
};

/*
 * One row of the instrument dump.  tick_size is 0 when the tick is not a
 * whole number of paise (currency derivatives, 0.0025): such instruments
 * cannot be priced in paise and phalanx does not trade them.
 */
struct broker_instrument {
	int64_t			 instrument_token;
	int64_t			 exchange_token;
	char			 tradingsymbol[48];
	char			 name[64];
	int64_t			 last_price;	/* paise */
	int32_t			 expiry;	/* YYYYMMDD, 0 = none */
	int64_t			 strike;	/* paise */
	int64_t			 tick_size;	/* paise, see above */
	int64_t			 lot_size;
	char			 instrument_type[8];	/* EQ FUT CE PE */
	char			 segment[16];	/* "NFO-OPT" */
	char			 exchange[8];
};

/*
 * What a failed call means for the caller's next move.  RETRYABLE: the
 * request certainly had no effect, try again after a backoff.  FINAL: the
 * broker refused it; retrying changes nothing.  UNKNOWN: it may or may not
 * have taken effect (a place that timed out): never resend blind, look the
 * order up by tag first.
 */
enum broker_errclass {
	BROKER_ERR_NONE,
	BROKER_ERR_RETRYABLE,
	BROKER_ERR_FINAL,
	BROKER_ERR_UNKNOWN
};

/*
 * err.code is a stable token: "token", "permission", "input", "order",
 * "margin", "holding", "user", "network", "data", "general",
 * "rate-limit", "http", "timeout", "transport", "decode", "checksum",
 * "cancelled".
 */
struct broker_err {
	struct err		 err;
	enum broker_errclass	 kind;
	int			 http_status;	/* 0 = no HTTP answer */
	char			 error_type[32]; /* broker's word, "" if none */
};

/*
 * Did the call fail because the broker could not be reached (no answer,
 * a transport error, a 5xx), as opposed to a refusal?  Commands map it
 * to exit status 3.
 */
int broker_err_unreachable(const struct broker_err *);

/* Which call a response belongs to; decides what an unclear outcome is. */
enum broker_op {
	BROKER_OP_PLACE,
	BROKER_OP_MODIFY,
	BROKER_OP_CANCEL,
	BROKER_OP_ORDERS,
	BROKER_OP_ORDER_HISTORY,
	BROKER_OP_TRADES,
	BROKER_OP_POSITIONS,
	BROKER_OP_MARGINS,
	BROKER_OP_QUOTE,
	BROKER_OP_INSTRUMENTS
};

/* Completions.  err is NULL on success; on failure the data is empty. */
struct broker;
typedef void (*broker_order_id_cb)(const struct broker_err *,
    const char *order_id, void *arg);
typedef void (*broker_orders_cb)(const struct broker_err *,
    const struct broker_order *, size_t, void *arg);
typedef void (*broker_trades_cb)(const struct broker_err *,
    const struct broker_trade *, size_t, void *arg);
typedef void (*broker_positions_cb)(const struct broker_err *,
    const struct broker_positions *, void *arg);
typedef void (*broker_margins_cb)(const struct broker_err *,
    const struct broker_margins *, void *arg);
typedef void (*broker_quotes_cb)(const struct broker_err *,
    const struct broker_quote *, size_t, void *arg);
/* Instruments stream: row per instrument (return -1 to stop), then done. */
typedef int (*broker_instrument_cb)(const struct broker_instrument *,
    void *arg);
typedef void (*broker_done_cb)(const struct broker_err *, void *arg);

/*
 * The adapter vtable.  An adapter embeds struct broker first in its own
 * state.  free() completes whatever is still in flight with err code
 * "cancelled" before it returns.
 */
struct broker_ops {
	const char	*name;		/* "kite", "paper" */
	void	(*place)(struct broker *, const struct broker_order_req *,
		    broker_order_id_cb, void *);
	void	(*modify)(struct broker *, const char *order_id,
		    const struct broker_order_req *, broker_order_id_cb, void *);
	void	(*cancel)(struct broker *, const char *order_id,
		    enum broker_variety, broker_order_id_cb, void *);
	void	(*orders)(struct broker *, broker_orders_cb, void *);
	void	(*order_history)(struct broker *, const char *order_id,
		    broker_orders_cb, void *);
	/* order_id NULL = the day's trades, else that order's fills. */
	void	(*trades)(struct broker *, const char *order_id,
		    broker_trades_cb, void *);
	void	(*positions)(struct broker *, broker_positions_cb, void *);
	void	(*margins)(struct broker *, broker_margins_cb, void *);
	/* keys are "EXCHANGE:TRADINGSYMBOL". */
	void	(*quote)(struct broker *, const char *const *keys, size_t,
		    broker_quotes_cb, void *);
	/* exchange NULL = every exchange. */
	void	(*instruments)(struct broker *, const char *exchange,
		    broker_instrument_cb, broker_done_cb, void *);
	/* n orders will go at once soon: get ready for them (may be NULL). */
	void	(*expect)(struct broker *, size_t n);
	void	(*free)(struct broker *);
};

struct broker {
	const struct broker_ops	*ops;
	char			 name[32];	/* configured broker name */
};

/* order_state.c */
const char *broker_errclass_name(enum broker_errclass);
const char *broker_side_name(enum broker_side);
const char *broker_order_type_name(enum broker_order_type);
const char *broker_product_name(enum broker_product);
const char *broker_validity_name(enum broker_validity);
const char *broker_variety_name(enum broker_variety);

#endif
