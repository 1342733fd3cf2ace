/*
 * The market model: a seeded geometric random walk per underlying, and
 * everything else priced off it -- futures at a small carry, options by
 * Black-Scholes on an IV smile, OI by strike, a five-level depth.  Doubles
 * live here only; every price leaves rounded to its tick in paise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define SIM_RATE		0.065	/* risk-free rate for carry and BS */
#define SIM_YEAR_S		(252.0 * 6.25 * 3600.0)	/* trading seconds */
#define SIM_DEPTH		5

static const struct sim_market *cmp_market;	/* for qsort only */

static int
cmp_byname(const void *a, const void *b)
{
	const struct sim_instr	*x = &cmp_market->v[*(const size_t *)a];
	const struct sim_instr	*y = &cmp_market->v[*(const size_t *)b];
	int			 c;

	if ((c = strcmp(x->exchange, y->exchange)) != 0)
		return c;
	return strcmp(x->symbol, y->symbol);
}

int64_t
sim_round_tick(double rupees, int64_t tick)
{
	int64_t	p;

	if (tick <= 0)
		tick = 1;
	p = (int64_t)llround(rupees * 100.0 / (double)tick) * tick;
	return p < tick ? tick : p;
}

static double
norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double
sim_bs_price(int is_call, double s, double k, double t, double r, double iv)
{
	double	d1, d2, sq = iv * sqrt(t);

	if (t <= 0 || iv <= 0)
		return is_call ? fmax(s - k, 0) : fmax(k - s, 0);
	d1 = (log(s / k) + (r + iv * iv / 2) * t) / sq;
	d2 = d1 - sq;
	if (is_call)
		return s * norm_cdf(d1) - k * exp(-r * t) * norm_cdf(d2);
	return k * exp(-r * t) * norm_cdf(-d2) - s * norm_cdf(-d1);
}

/* Years to expiry; an expiring contract keeps a quarter day of life. */
static double
years_to(const struct sim_market *m, int expiry)
{
	return (sim_ymd_diff(expiry, m->today) + 0.25) / 365.0;
}

/* A smile: wings dearer than ATM, downside skewed up as in index options. */
static double
smile_iv(double vol, double s, double k)
{
	double	x = log(k / s), iv;

	iv = vol * (1.0 + 4.0 * x * x) - 0.5 * vol * x;
	return fmin(fmax(iv, 0.05), 2.0);
}

static void
set_ltp(struct sim_instr *in, int64_t p)
{
	in->ltp = p;
	if (in->open == 0)
		in->open = in->high = in->low = p;
	if (p > in->high)
		in->high = p;
	if (p < in->low)
		in->low = p;
}

static void
price_instr(struct sim_market *m, struct sim_instr *in)
{
	const struct sim_underlying	*row = &sim_underlyings[in->under];
	double				 s = m->spot[in->under], t, k;

	if (in->pinned)
		return;
	switch (in->type) {
	case SIM_IT_EQ:
	case SIM_IT_INDEX:
		set_ltp(in, sim_round_tick(s, in->tick));
		break;
	case SIM_IT_FUT:
		t = years_to(m, in->expiry);
		set_ltp(in, sim_round_tick(s * exp(SIM_RATE * t), in->tick));
		break;
	case SIM_IT_CE:
	case SIM_IT_PE:
		t = years_to(m, in->expiry);
		k = (double)in->strike / 100.0;
		in->iv = smile_iv(row->vol, s, k);
		set_ltp(in, sim_round_tick(sim_bs_price(in->type == SIM_IT_CE,
		    s, k, t, SIM_RATE, in->iv), in->tick));
		break;
	}
}

void
sim_market_reprice(struct sim_market *m, size_t under)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if ((size_t)m->v[i].under == under)
			price_instr(m, &m->v[i]);
	}
}

/* Open interest piles up near the money: calls above spot, puts below. */
static void
init_oi(struct sim_market *m, struct sim_instr *in)
{
	const struct sim_underlying	*row = &sim_underlyings[in->under];
	double				 s = m->spot[in->under], k, w, noise;

	noise = 0.7 + 0.6 * (double)(sim_hash64((uint64_t)in->token) >> 11) /
	    9007199254740992.0;
	switch (in->type) {
	case SIM_IT_FUT:
		in->oi = (int64_t)(in->lot * 40000 * noise);
		break;
	case SIM_IT_CE:
	case SIM_IT_PE:
		k = (double)in->strike / 100.0;
		w = (k - s) / (row->strike_step * 6.0);
		if ((in->type == SIM_IT_CE) == (k > s))
			w *= 0.7;
		in->oi = (int64_t)(in->lot * 3000 * noise * exp(-w * w)) /
		    in->lot * in->lot;
		break;
	default:
		in->oi = 0;
	}
	in->oi_high = in->oi_low = in->oi;
}

/*
 * Yesterday's close: price everything off a spot about 1% away, so closes
 * are consistent across a chain, then forget the day's range.
 */
static void
set_close(struct sim_market *m)
{
	double	*today = xcalloc(m->nunder, sizeof *today);
	size_t	 u, i;

	for (u = 0; u < m->nunder; u++) {
		today[u] = m->spot[u];
		m->spot[u] /= 1.0 + 0.01 * sim_rng_normal(&m->rng);
	}
	for (i = 0; i < m->n; i++) {
		price_instr(m, &m->v[i]);
		m->v[i].close = m->v[i].ltp;
		m->v[i].open = m->v[i].high = m->v[i].low = 0;
	}
	for (u = 0; u < m->nunder; u++)
		m->spot[u] = today[u];
	free(today);
}

struct sim_market *
sim_market_new(uint64_t seed, int today)
{
	struct sim_market	*m = xcalloc(1, sizeof *m);
	size_t			 u, i;
	struct sim_instr	*in;

	m->today = today;
	m->nunder = sim_nunderlyings;
	m->spot = xcalloc(m->nunder, sizeof *m->spot);
	m->spot_pinned = xcalloc(m->nunder, sizeof *m->spot_pinned);
	sim_rng_seed(&m->rng, sim_hash64(seed ^ 0x6d61726b6574ULL));
	for (u = 0; u < m->nunder; u++)
		m->spot[u] = sim_underlyings[u].spot *
		    (1.0 + 0.02 * (sim_rng_unit(&m->rng) - 0.5));
	sim_instruments_build(m);
	m->byname = xcalloc(m->n, sizeof *m->byname);
	for (i = 0; i < m->n; i++)
		m->byname[i] = i;
	cmp_market = m;
	qsort(m->byname, m->n, sizeof *m->byname, cmp_byname);
	cmp_market = NULL;
	set_close(m);
	for (i = 0; i < m->n; i++) {
		in = &m->v[i];
		price_instr(m, in);
		init_oi(m, in);
	}
	return m;
}

void
sim_market_free(struct sim_market *m)
{
	if (m == NULL)
		return;
	free(m->v);
	free(m->byname);
	free(m->spot);
	free(m->spot_pinned);
	free(m);
}

struct sim_instr *
sim_market_find(const struct sim_market *m, const char *exchange,
    const char *symbol)
{
	size_t	lo = 0, hi = m->n, mid;
	int	c;

	if (exchange == NULL || symbol == NULL)
		return NULL;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		const struct sim_instr *in = &m->v[m->byname[mid]];
		if ((c = strcmp(exchange, in->exchange)) == 0)
			c = strcmp(symbol, in->symbol);
		if (c == 0)
			return &m->v[m->byname[mid]];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct sim_instr *
sim_market_find_key(const struct sim_market *m, const char *key)
{
	const char	*colon = strchr(key, ':');
	char		 ex[8];

	if (colon == NULL || (size_t)(colon - key) >= sizeof ex)
		return NULL;
	memcpy(ex, key, (size_t)(colon - key));
	ex[colon - key] = '\0';
	return sim_market_find(m, ex, colon + 1);
}

/* Trading activity that is not ours: volume and a drifting OI. */
static void
churn(struct sim_market *m, struct sim_instr *in, int64_t now)
{
	int64_t	lots, q;

	if (in->type == SIM_IT_INDEX)
		return;
	lots = (int64_t)sim_rng_below(&m->rng, 6);
	q = lots * (in->lot > 1 ? in->lot : 50);
	if (q > 0) {
		in->volume += q;
		in->vwap_num += (double)in->ltp * (double)q;
		in->last_qty = q;
		in->last_trade_us = now;
	}
	if (in->type != SIM_IT_EQ) {
		in->oi += ((int64_t)sim_rng_below(&m->rng, 5) - 2) * in->lot;
		if (in->oi < 0)
			in->oi = 0;
		if (in->oi > in->oi_high)
			in->oi_high = in->oi;
		if (in->oi < in->oi_low)
			in->oi_low = in->oi;
	}
}

void
sim_market_step(struct sim_market *m, double dt_s)
{
	double	dt = dt_s / SIM_YEAR_S, vol, z;
	size_t	u, i;
	int64_t	now = time_wall_us();

	m->ticks++;
	for (u = 0; u < m->nunder; u++) {
		vol = sim_underlyings[u].vol;
		z = sim_rng_normal(&m->rng);
		if (m->spot_pinned[u])
			continue;
		m->spot[u] *= exp(vol * sqrt(dt) * z - 0.5 * vol * vol * dt);
	}
	for (i = 0; i < m->n; i++) {
		price_instr(m, &m->v[i]);
		churn(m, &m->v[i], now);
	}
}

/* Pin a price for /sim/price; a spot pins its underlying and reprices. */
int
sim_market_force(struct sim_market *m, struct sim_instr *in, int64_t price)
{
	if (price <= 0)
		return -1;
	if (in->type == SIM_IT_EQ || in->type == SIM_IT_INDEX) {
		m->spot[in->under] = (double)price / 100.0;
		m->spot_pinned[in->under] = 1;
		sim_market_reprice(m, (size_t)in->under);
	}
	in->pinned = 0;
	set_ltp(in, price);
	in->pinned = 1;
	in->last_trade_us = time_wall_us();
	return 0;
}

void
sim_market_unpin(struct sim_market *m, struct sim_instr *in)
{
	in->pinned = 0;
	if (in->type == SIM_IT_EQ || in->type == SIM_IT_INDEX)
		m->spot_pinned[in->under] = 0;
	price_instr(m, in);
}

static json_t *
depth_side(const struct sim_market *m, const struct sim_instr *in, int buy,
    int64_t *total)
{
	json_t		*a = json_array();
	int64_t		 p, q, lot = in->lot > 1 ? in->lot : 25;
	uint64_t	 h;
	int		 i;

	for (i = 0; i < SIM_DEPTH; i++) {
		h = sim_hash64((uint64_t)in->token * 131 + m->ticks * 17 +
		    (uint64_t)(i * 2 + buy));
		p = buy ? in->ltp - i * in->tick : in->ltp + (i + 1) * in->tick;
		q = (int64_t)(1 + h % 40) * lot;
		if (p <= 0 || in->type == SIM_IT_INDEX)
			p = q = 0;
		*total += q * 7;
		json_array_append_new(a, json_pack("{s:o,s:I,s:I}", "price",
		    sim_json_paise(p), "quantity", (json_int_t)q, "orders",
		    (json_int_t)(q == 0 ? 0 : 1 + (h >> 20) % 15)));
	}
	return a;
}

static json_t *
ohlc_json(const struct sim_instr *in)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "open", sim_json_paise(in->open),
	    "high", sim_json_paise(in->high), "low", sim_json_paise(in->low),
	    "close", sim_json_paise(in->close));
}

json_t *
sim_market_quote(const struct sim_market *m, const struct sim_instr *in,
    int mode)
{
	json_t	*q, *buy, *sell;
	char	 ts[32], lt[32];
	int64_t	 tb = 0, ts_q = 0, lo, hi, avg;

	if (mode == 1)
		return json_pack("{s:i,s:o}", "instrument_token", in->token,
		    "last_price", sim_json_paise(in->ltp));
	if (mode == 2)
		return json_pack("{s:i,s:o,s:o}", "instrument_token", in->token,
		    "last_price", sim_json_paise(in->ltp), "ohlc",
		    ohlc_json(in));
	sim_fmt_ts(time_wall_us(), ts, sizeof ts);
	sim_fmt_ts(in->last_trade_us, lt, sizeof lt);
	buy = depth_side(m, in, 1, &tb);
	sell = depth_side(m, in, 0, &ts_q);
	lo = in->close * 80 / 100 / in->tick * in->tick;
	hi = (in->close * 120 / 100 + in->tick - 1) / in->tick * in->tick;
	avg = in->volume > 0 ? sim_round_tick(in->vwap_num / 100.0 /
	    (double)in->volume, 1) : in->ltp;
	q = json_pack("{s:i,s:s,s:s?,s:o,s:I,s:I,s:I,s:I,s:o,s:I,s:I,s:I,"
	    "s:o,s:o,s:o,s:o}",
	    "instrument_token", in->token,
	    "timestamp", ts,
	    "last_trade_time", lt[0] != '\0' ? lt : NULL,
	    "last_price", sim_json_paise(in->ltp),
	    "last_quantity", (json_int_t)in->last_qty,
	    "buy_quantity", (json_int_t)tb,
	    "sell_quantity", (json_int_t)ts_q,
	    "volume", (json_int_t)in->volume,
	    "average_price", sim_json_paise(avg),
	    "oi", (json_int_t)in->oi,
	    "oi_day_high", (json_int_t)in->oi_high,
	    "oi_day_low", (json_int_t)in->oi_low,
	    "net_change", sim_json_paise(in->ltp - in->close),
	    "lower_circuit_limit",
	    sim_json_paise(lo < in->tick ? in->tick : lo),
	    "upper_circuit_limit", sim_json_paise(hi),
	    "ohlc", ohlc_json(in));
	json_object_set_new(q, "depth", json_pack("{s:o,s:o}", "buy", buy,
	    "sell", sell));
	/* Not a Kite field: the model's IV in percent, for option analytics. */
	if (in->type == SIM_IT_CE || in->type == SIM_IT_PE)
		json_object_set_new(q, "iv",
		    json_real(round(in->iv * 10000.0) / 100.0));
	return q;
}
