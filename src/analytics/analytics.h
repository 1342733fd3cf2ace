/*
 * analytics: numbers about the book and the market, as pure functions.
 * Option analytics (options.c): Black-Scholes price, delta and gamma,
 * implied volatility from a price, and over one expiry's chain the
 * put-call ratio, gamma exposure by strike, the zero-gamma level and max
 * pain.  Greeks are double: they are estimates, never on an order's path.
 */
#ifndef PX_ANALYTICS_H
#define PX_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* s spot, k strike, t years, r rate, v annual volatility. */
double an_bs_price(int is_call, double s, double k, double t, double r,
    double v);
double an_bs_delta(int is_call, double s, double k, double t, double r,
    double v);
double an_bs_gamma(double s, double k, double t, double r, double v);
/*
 * The volatility at which the model gives price; -1 when none can (a
 * price below intrinsic or above the spot, an expired option).
 */
double an_implied_vol(int is_call, double price, double s, double k,
    double t, double r);

/* One option of a chain; iv <= 0 means "solve it from ltp". */
struct an_option {
	double		 strike;
	int		 is_call;
	int64_t		 oi;		/* contracts' units, as the quote gives */
	int64_t		 volume;
	double		 ltp;
	double		 iv;		/* annual, 0.15 = 15% */
};

struct an_strike_gex {
	double		 strike;
	double		 call_gex;	/* rupees per 1% move of the spot */
	double		 put_gex;
	double		 net_gex;
	int64_t		 call_oi, put_oi;
};

struct an_chain_stats {
	double		 pcr_oi;	/* put OI / call OI; -1 if no call OI */
	double		 pcr_volume;
	int64_t		 call_oi, put_oi, call_volume, put_volume;
	double		 total_gex;
	double		 zero_gamma;	/* spot where net GEX crosses 0; -1 none */
	double		 max_pain;	/* strike where holders' payout is least */
	int		 iv_solved;	/* options whose IV came from their price */
	int		 iv_missing;	/* neither IV nor a usable price */
};

/*
 * Over one expiry's options at spot s, t years to expiry: fills st and,
 * when out is not NULL, one row per strike (ascending; at most nout),
 * returning the number of strikes.  Dealer convention: the street is
 * long calls and short puts, so call gamma counts positive and put gamma
 * negative.
 */
size_t an_chain(const struct an_option *, size_t n, double s, double t,
    double r, struct an_chain_stats *st, struct an_strike_gex *out,
    size_t nout);

/* series.c: equity curves -------------------------------------------- */

/* The deepest fall from a running peak. */
struct an_drawdown {
	double	 amount;	/* peak - trough, >= 0; 0 when none */
	double	 pct;		/* of the peak, when the peak is above 0 */
	size_t	 peak, trough;	/* indexes into the series */
};

void an_max_drawdown(const double *y, size_t n, struct an_drawdown *);
/* Index of the point nearest x (xs ascending); 0 for an empty series. */
size_t an_nearest(const double *xs, size_t n, double x);

/* charges.c: the cost of an executed order, Indian markets ------------- */

/*
 * Rupees for one executed order of turnover rupees (qty x price; premium
 * for options).  itype "FUT", "CE", "PE" or "EQ"; product "MIS", "NRML",
 * "CNC" (EQ: CNC is delivery, else intraday).  The rates are constants
 * in charges.c, NSE's as of October 2024 with a discount broker's flat
 * brokerage; an estimate, never a contract note.
 */
struct an_charges {
	double	 brokerage, stt, exchange, sebi, stamp, gst, total;
};

void an_charges_order(const char *itype, const char *product, int is_buy,
    double turnover, struct an_charges *);
void an_charges_add(struct an_charges *sum, const struct an_charges *);

/* pnl.c: realised and unrealised PnL from fills at average cost ------- */

/*
 * A position per key, moved by fills in time order the way the store's
 * phalanx_fill_apply moves positions (same side: weighted average; the
 * other side: PnL realised on the part closed, rounded to paise).  Each
 * fill's realised PnL and charges go to a group row when counted (the
 * fill falls in the period asked about).
 */
struct an_pnl_row {
	char			*group;
	double			 realised, unrealised, turnover;
	int64_t			 orders;
	struct an_charges	 ch;
};

struct an_pnl_pos {
	char	*key;
	char	*group;		/* where its unrealised PnL goes */
	int64_t	 qty;		/* signed */
	double	 avg;
	double	 ltp;		/* < 0: no mark */
};

struct an_pnl {
	struct an_pnl_row	*rows;
	size_t			 nrows;
	struct an_pnl_pos	*pos;
	size_t			 npos;
};

void an_pnl_init(struct an_pnl *);
void an_pnl_free(struct an_pnl *);
/* The row of group, made when absent. */
struct an_pnl_row *an_pnl_row(struct an_pnl *, const char *group);
/* Returns the PnL the fill realised. */
double an_pnl_fill(struct an_pnl *, const char *poskey, const char *group,
    int counted, int is_buy, int64_t qty, double price, double ltp);
/* Unrealised PnL of every open position at its mark, to its group. */
void an_pnl_mark(struct an_pnl *);

/* cache.c: query results kept until the data changes ------------------ */

/*
 * A small cache of JSON results by key, for queries a console repeats
 * every refresh; cleared whole when a NOTIFY says the data changed.
 * Oldest entries go first past max.
 */
struct an_cache;

struct an_cache *an_cache_new(size_t max);
void an_cache_free(struct an_cache *);
/* Borrowed; NULL on a miss. */
json_t *an_cache_get(struct an_cache *, const char *key);
void an_cache_put(struct an_cache *, const char *key, json_t *value);
void an_cache_clear(struct an_cache *);
void an_cache_stats(const struct an_cache *, uint64_t *hits,
    uint64_t *misses);

/* snapshot.c: the owner of the timed snapshots and maintenance -------- */

struct store;
struct config;
struct an_snap;

/*
 * Every analytics.snapshot_s, whoever holds the snapshot duty (an
 * advisory lock; taken when free, so a dead holder's duty passes on)
 * snapshots equity; at start and hourly it keeps the partitions and the
 * retention.  Never NULL.
 */
struct an_snap *an_snap_start(struct store *, struct config *);
void an_snap_free(struct an_snap *);
/* 1 while this process holds the duty. */
int an_snap_owner(const struct an_snap *);

#endif
