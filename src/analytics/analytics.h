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

#endif
