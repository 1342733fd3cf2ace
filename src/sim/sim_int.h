/*
 * sim internals shared by the simulator's files and its unit tests.  The
 * engine part (instruments, market, orders, matching, portfolio) knows
 * nothing about HTTP; api.c and sim_main.c put it on the event loop.
 */
#ifndef PX_SIM_INT_H
#define PX_SIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/util.h"

/* rng.c: splitmix64, our own so a seed means the same market everywhere. */
struct sim_rng {
	uint64_t	s;
};

void sim_rng_seed(struct sim_rng *, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *);
double sim_rng_unit(struct sim_rng *);		/* [0, 1) */
double sim_rng_normal(struct sim_rng *);	/* standard normal */
uint64_t sim_rng_below(struct sim_rng *, uint64_t n);	/* [0, n) */
uint64_t sim_hash64(uint64_t);

/* money.c: paise in, decimal strings and JSON numbers out. */
int sim_parse_paise(const char *, int64_t *);	/* "123.45" -> 12345; 0/-1 */
int sim_parse_int(const char *, long long *);	/* strict decimal; 0/-1 */
void sim_fmt_paise(int64_t, char *, size_t);	/* 12345 -> "123.45" */
json_t *sim_json_paise(int64_t);		/* JSON number in rupees */

/* date helpers (instruments.c); dates are yyyymmdd integers. */
int sim_ymd_weekday(int ymd);			/* 0 = Sunday */
int sim_ymd_add(int ymd, int days);
int sim_ymd_diff(int a, int b);			/* days from b to a */
int sim_expiry_weekday(int year, int month);
int sim_expiry_monthly(int year, int month);
int sim_expiry_next_monthly(int today, int nth);	/* nth = 0, 1, 2 */
int sim_expiry_next_weekly(int today, int nth);
int sim_is_monthly_expiry(int ymd);
void sim_symbol_future(char *, size_t, const char *root, int expiry);
void sim_symbol_option(char *, size_t, const char *root, int expiry,
    int64_t strike_paise, int is_call);

enum sim_itype {
	SIM_IT_EQ,
	SIM_IT_INDEX,
	SIM_IT_FUT,
	SIM_IT_CE,
	SIM_IT_PE
};

/* One row of the editable table in instruments.c. */
struct sim_underlying {
	const char	*root;		/* NFO name and symbol root: NIFTY */
	const char	*spot_symbol;	/* NSE symbol of the spot: "NIFTY 50" */
	const char	*long_name;	/* name column of the NSE row */
	int		 exchange_token;	/* of the NSE spot row */
	int		 is_index;
	double		 spot;		/* starting price, rupees */
	int		 lot;		/* NFO lot size */
	int		 freeze;	/* NFO freeze quantity */
	int		 strike_step;	/* rupees */
	int		 nstrikes;	/* strikes each side of ATM */
	int		 nweekly;	/* weekly option expiries */
	int		 nmonthly_opt;	/* monthly option expiries */
	double		 vol;		/* annualised, for walk and IV */
	int		 span_pct;	/* SPAN-like margin, % of notional */
};

struct sim_instr {
	int		 token;
	int		 exchange_token;
	char		 symbol[40];
	char		 name[40];
	char		 exchange[8];
	char		 segment[12];
	enum sim_itype	 type;
	int		 expiry;	/* yyyymmdd, 0 for none */
	int64_t		 strike;	/* paise */
	int64_t		 tick;		/* paise */
	int		 lot;
	int		 freeze;	/* 0 = no freeze limit */
	int		 under;		/* row of the underlying table */

	/* market state, all prices in paise */
	int64_t		 ltp;
	int64_t		 open, high, low, close;
	int64_t		 volume;
	int64_t		 last_qty;
	int64_t		 last_trade_us;
	double		 vwap_num;	/* sum of price x qty, for avg price */
	int64_t		 oi, oi_high, oi_low;
	double		 iv;
	int		 pinned;	/* price forced by /sim/price */
};

/* market.c */
struct sim_market {
	struct sim_instr	*v;
	size_t			 n;
	size_t			*byname;	/* indices by exchange:symbol */
	double			*spot;		/* per underlying, rupees */
	int			*spot_pinned;
	size_t			 nunder;
	int			 today;		/* yyyymmdd, IST */
	struct sim_rng		 rng;
	uint64_t		 ticks;
};

extern const struct sim_underlying sim_underlyings[];
extern const size_t sim_nunderlyings;

int64_t sim_equity_tick(double price);
struct sim_market *sim_market_new(uint64_t seed, int today);
void sim_market_free(struct sim_market *);
void sim_instruments_build(struct sim_market *);	/* instruments.c */
void sim_instruments_csv(const struct sim_market *, const char *exchange,
    struct strbuf *);
struct sim_instr *sim_market_find(const struct sim_market *,
    const char *exchange, const char *symbol);
struct sim_instr *sim_market_find_key(const struct sim_market *,
    const char *key);	/* "NFO:NIFTY25DECFUT" */
void sim_market_step(struct sim_market *, double dt_s);
void sim_market_reprice(struct sim_market *, size_t under);
int sim_market_force(struct sim_market *, struct sim_instr *, int64_t price);
void sim_market_unpin(struct sim_market *, struct sim_instr *);
json_t *sim_market_quote(const struct sim_market *, const struct sim_instr *,
    int mode);	/* 0 full, 1 ltp, 2 ohlc */
int64_t sim_round_tick(double rupees, int64_t tick);
double sim_bs_price(int is_call, double s, double k, double t, double r,
    double iv);

/* Order vocabulary, kept as Kite spells it on the wire. */
enum sim_otype { SIM_OT_MARKET, SIM_OT_LIMIT, SIM_OT_SL, SIM_OT_SLM };
enum sim_product { SIM_PR_MIS, SIM_PR_NRML, SIM_PR_CNC, SIM_PR_MTF };
enum sim_validity { SIM_VA_DAY, SIM_VA_IOC, SIM_VA_TTL };
enum sim_variety { SIM_VR_REGULAR, SIM_VR_AMO, SIM_VR_CO, SIM_VR_ICEBERG,
	SIM_VR_AUCTION };

extern const char *const sim_otype_names[];
extern const char *const sim_product_names[];
extern const char *const sim_validity_names[];
extern const char *const sim_variety_names[];

/* The mutable part of an order: one snapshot per entry of its history. */
struct sim_ostate {
	const char	*status;
	char		 status_message[200];	/* "" is null */
	enum sim_otype	 order_type;
	int		 quantity;
	int		 disclosed;
	int		 filled;
	int		 cancelled;
	int64_t		 price;
	int64_t		 trigger;
	int64_t		 fill_value;	/* sum of fill price x qty, paise */
	int64_t		 order_us;	/* order_timestamp */
	int64_t		 exchange_us;	/* 0 = null */
	int64_t		 update_us;	/* exchange_update_timestamp */
	int		 has_exchange_id;
	int		 modified;
};

struct sim_order {
	char			 order_id[24];
	char			 parent_id[24];	/* cover order's stop leg */
	char			 exchange_order_id[24];
	char			 tag[24];	/* "" is null */
	char			 autoslice_id[24];	/* "" unless sliced */
	char			 guid[40];
	size_t			 user;
	struct sim_instr	*in;
	enum sim_variety	 variety;
	int			 buy;		/* 1 BUY, 0 SELL */
	enum sim_validity	 validity;
	int			 ttl_min;
	enum sim_product	 product;
	int			 market_protection;	/* 0 none, -1 auto */
	int64_t			 ref_price;	/* LTP when placed */
	int			 triggered;
	int			 iceberg_legs;
	int			 iceberg_qty;
	char			 auction_number[12];
	struct sim_ostate	 cur;
	struct sim_ostate	*hist;
	size_t			 nhist;
};

struct sim_trade {
	char			 trade_id[16];
	struct sim_order	*order;
	int			 quantity;
	int64_t			 price;
	int64_t			 ts_us;
};

struct sim_position {
	struct sim_instr	*in;
	enum sim_product	 product;
	int64_t			 buy_qty, sell_qty;
	int64_t			 buy_value, sell_value;	/* paise */
};

struct sim_user {
	char			 user_id[16];
	char			 api_key[40];
	char			 api_secret[72];
	char			 access_token[72];
	int64_t			 cash;		/* paise */
	struct sim_order	**orders;
	size_t			 norders;
	struct sim_trade	**trades;
	size_t			 ntrades;
	struct sim_position	*pos;
	size_t			 npos;
	int64_t			 rate_us[64];	/* ring of recent order times */
	size_t			 rate_next;
};

/* users.c */
int sim_users_generate(struct sim_user **, size_t n, uint64_t seed,
    int64_t cash);
int sim_users_load(struct sim_user **, size_t *, const char *path,
    int64_t cash, struct err *);
void sim_users_free(struct sim_user *, size_t);
struct sim_user *sim_users_auth(struct sim_user *, size_t, const char *hdr,
    size_t *idx);
int sim_rate_allow(struct sim_user *, int limit, int64_t now_us);

/*
 * gtt.c: good-till-triggered rules.  A "single" rule has one trigger and
 * one order; a "two-leg" (OCO) rule a lower and an upper trigger, each
 * with its order.  Rules are checked after every matching pass.
 */
#define SIM_GTT_MAX_LEGS 2

struct sim_gtt_order {
	int		 buy;
	enum sim_otype	 order_type;
	enum sim_product product;
	int		 quantity;
	int64_t		 price;		/* paise */
	char		 result_id[24];	/* order placed when triggered */
	char		 result_status[24];
	char		 result_msg[512];
};

struct sim_gtt {
	int			 id;
	size_t			 user;
	int			 two_leg;
	struct sim_instr	*in;
	int64_t			 trigger[SIM_GTT_MAX_LEGS];	/* paise */
	int64_t			 last_price;	/* when made */
	struct sim_gtt_order	 orders[SIM_GTT_MAX_LEGS];
	int			 norders;
	const char		*status;	/* active, triggered, deleted, ... */
	int64_t			 created_us, updated_us, expires_us;
};

/* Called on every public status change of an order (postbacks). */
typedef void (*sim_update_cb)(const struct sim_order *, void *);

/* order.c + match.c: the book is every user's orders on one market. */
struct sim_book {
	struct sim_market	*mkt;
	struct sim_user		*users;
	size_t			 nusers;
	struct sim_order	**open;		/* orders that can still fill */
	size_t			 nopen;
	uint64_t		 order_seq;
	uint64_t		 trade_seq;
	int			 fill_lots;	/* per order and pass */
	struct sim_gtt		*gtt;
	size_t			 ngtt;
	int			 gtt_seq;
	sim_update_cb		 on_update;
	void			*on_update_arg;
	int64_t			 (*clock)(void);	/* faked in tests */
};

/*
 * Where order and trade numbers start: Kite's ids never repeat, so a
 * simulator restarted on the same day must not reuse the last run's.  Ten
 * numbers per millisecond since midnight IST: a restart collides only with
 * a run that placed more than ten orders a millisecond on average.
 */
uint64_t sim_seq_from_clock(int64_t wall_us);

/* The form fields of a place request, as strings (NULL = absent). */
struct sim_order_req {
	const char	*variety;
	const char	*exchange;
	const char	*tradingsymbol;
	const char	*transaction_type;
	const char	*order_type;
	const char	*quantity;
	const char	*product;
	const char	*price;
	const char	*trigger_price;
	const char	*validity;
	const char	*validity_ttl;
	const char	*disclosed_quantity;
	const char	*tag;
	const char	*market_protection;
	const char	*autoslice;
	const char	*iceberg_legs;
	const char	*iceberg_quantity;
	const char	*auction_number;
};

/* Fields of a modify request. */
struct sim_modify_req {
	const char	*quantity;
	const char	*price;
	const char	*trigger_price;
	const char	*order_type;
	const char	*validity;
	const char	*disclosed_quantity;
};

#define SIM_MAX_SLICES 64

struct sim_place_result {
	char	 order_id[24];		/* the order, or the autoslice group */
	int	 nchildren;		/* > 0 when autosliced */
	char	 child_id[SIM_MAX_SLICES][24];
	char	 child_err_type[SIM_MAX_SLICES][24];	/* "" = placed */
	char	 child_err_msg[SIM_MAX_SLICES][160];
};

void sim_book_init(struct sim_book *, struct sim_market *, struct sim_user *,
    size_t nusers);
void sim_book_free(struct sim_book *);
int sim_order_place(struct sim_book *, size_t user,
    const struct sim_order_req *, int reject, struct sim_place_result *,
    struct err *);
int sim_order_modify(struct sim_book *, size_t user, const char *variety,
    const char *order_id, const struct sim_modify_req *, struct err *);
int sim_order_cancel(struct sim_book *, size_t user, const char *variety,
    const char *order_id, struct err *);
struct sim_order *sim_order_find(struct sim_book *, size_t user,
    const char *order_id);
void sim_order_status(struct sim_book *, struct sim_order *,
    const char *status, const char *msg);
int sim_order_margin_check(struct sim_book *, size_t user,
    const struct sim_instr *, int buy, enum sim_product, int qty,
    int64_t price, struct err *);

void sim_order_cover_leg(struct sim_book *, struct sim_order *);
int64_t sim_book_now(const struct sim_book *);

/* match.c */
void sim_match_order(struct sim_book *, struct sim_order *);
void sim_match_all(struct sim_book *);
void sim_match_instr(struct sim_book *, const struct sim_instr *);
void sim_book_add_open(struct sim_book *, struct sim_order *);
void sim_book_drop_open(struct sim_book *, struct sim_order *);

/* portfolio.c */
struct sim_margin {
	int64_t	 cash;
	int64_t	 span;
	int64_t	 exposure;
	int64_t	 option_premium;
	int64_t	 realised;
	int64_t	 unrealised;
	int64_t	 net;
};

void sim_position_fill(struct sim_user *, struct sim_instr *,
    enum sim_product, int buy, int qty, int64_t price);
int64_t sim_margin_required(const struct sim_instr *, const struct sim_market *,
    int buy, enum sim_product, int qty, int64_t price);
void sim_margin_compute(const struct sim_book *, size_t user,
    struct sim_margin *);

/* json.c: Kite's shapes */
json_t *sim_json_order(const struct sim_book *, const struct sim_order *,
    const struct sim_ostate *);
json_t *sim_json_trade(const struct sim_trade *);
char *sim_text_positions(const struct sim_book *, size_t user);
json_t *sim_json_margins(const struct sim_book *, size_t user,
    const char *segment);
void sim_fmt_ts(int64_t us, char *, size_t);	/* IST, "" for 0 */

/* faults.c */
struct sim_faults {
	int		 latency_ms;
	int		 jitter_ms;
	double		 reject_pct;
	double		 timeout_pct;
	double		 error_pct;
	int		 rate_limit;	/* orders/s per api key, 0 = off */
	int		 hold;		/* hold Kite replies until released */
	struct sim_rng	 rng;
};

struct sim_fault_draw {
	int	 delay_ms;
	int	 reject;
	int	 timeout;
	int	 error;		/* 0, 500 or 503 */
};

void sim_faults_init(struct sim_faults *, uint64_t seed);
void sim_faults_seed(struct sim_faults *, uint64_t seed);
void sim_faults_draw(struct sim_faults *, struct sim_fault_draw *);
int sim_faults_set(struct sim_faults *, const json_t *, struct err *);
json_t *sim_faults_json(const struct sim_faults *);

/* postback.c */
struct event_base;
struct sim_postback;

struct sim_postback *sim_postback_new(struct event_base *, const char *url,
    struct err *);
void sim_postback_free(struct sim_postback *);
void sim_postback_send(struct sim_postback *, const struct sim_book *,
    const struct sim_order *);
void sim_postback_checksum(const char *order_id, const char *order_ts,
    const char *secret, char hex[65]);
size_t sim_postback_sent(const struct sim_postback *);

/* gtt.c */
int sim_gtt_place(struct sim_book *, size_t user, const char *type,
    const char *condition, const char *orders, int *id, struct err *);
int sim_gtt_modify(struct sim_book *, size_t user, int id, const char *type,
    const char *condition, const char *orders, struct err *);
int sim_gtt_delete(struct sim_book *, size_t user, int id, struct err *);
struct sim_gtt *sim_gtt_find(struct sim_book *, size_t user, int id);
json_t *sim_json_gtt(const struct sim_book *, const struct sim_gtt *);
void sim_gtt_check(struct sim_book *);
void sim_gtt_free(struct sim_book *);

/* candles.c: historical candles, the same path whatever the interval */
int sim_candles(const struct sim_market *, int token, const char *interval,
    const char *from, const char *to, int oi, int64_t now_us, json_t **out,
    struct err *);

/* holdings.c and margins_calc.c */
json_t *sim_json_holdings(const struct sim_book *, size_t user);
void sim_cover_range(const struct sim_instr *, int buy, int64_t *lo,
    int64_t *hi);
json_t *sim_trigger_range(const struct sim_market *, const char *side,
    const char **keys, size_t nkeys, struct err *);
json_t *sim_order_margins(const struct sim_book *, size_t user,
    const json_t *orders, int basket, int consider_positions,
    struct err *);

/* api_more.c: the routes past orders, positions and quotes */
struct sim_req {
	int		 method;	/* EVHTTP_REQ_* */
	char *const	*seg;
	int		 nseg;
	const char	*query;
	const char	*body;		/* NUL-terminated; NULL if too large */
};

struct sim_reply {
	int		 code;
	json_t		*data;
	char		 err_type[40];
	char		 err_msg[512];
};

int sim_api_more(struct sim_book *, size_t user, const struct sim_req *,
    struct sim_reply *);

/* api.c */
struct evhttp_request;
struct sim_server;
struct sim_server_opts {
	uint64_t	 seed;
	int		 tick_ms;
	int		 tls;		/* replies go through TLS */
};

struct sim_server *sim_server_new(struct event_base *, struct sim_book *,
    struct sim_faults *, struct sim_postback *,
    const struct sim_server_opts *);
void sim_server_free(struct sim_server *);
void sim_server_request(struct evhttp_request *, void *);

#endif
