/*
 * /margins/orders and /margins/basket: what a list of orders would block,
 * with the charges they would pay.  Margins follow portfolio.c's model
 * (SPAN-like percentage plus exposure, premium for bought options, VaR
 * for equity); a basket gets a simplified spread benefit per underlying:
 * opposite legs offset each other, and bought options cap a sold side.
 * Charges are Zerodha's published F&O and equity schedule, as estimates.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define IE		"InputException"
#define EXPOSURE_PCT	3
#define MAX_ORDERS	50
#define SPREAD_KEEP	0.3	/* of the smaller side, after offset */
#define HEDGED_KEEP	0.3	/* of a sold side capped by bought options */

/* One order's margin, in paise, and its charges, in rupees. */
struct leg {
	const struct sim_instr	*in;
	int			 buy;
	enum sim_product	 product;
	int			 qty;
	int64_t			 price;
	int64_t			 span, exposure, premium, var;
	double			 brokerage, stt, exch, sebi, stamp, gst;
};

static int
is_option(const struct sim_instr *in)
{
	return in->type == SIM_IT_CE || in->type == SIM_IT_PE;
}

/* +1 if the leg gains when the underlying rises. */
static int
direction(const struct leg *l)
{
	int	d = l->buy ? 1 : -1;

	return l->in->type == SIM_IT_PE ? -d : d;
}

static void
leg_margin(const struct sim_market *m, struct leg *l)
{
	int64_t	notional = l->price * l->qty, spot, span_pct;

	span_pct = sim_underlyings[l->in->under].span_pct;
	switch (l->in->type) {
	case SIM_IT_FUT:
		l->span = notional * span_pct / 100;
		l->exposure = notional * EXPOSURE_PCT / 100;
		break;
	case SIM_IT_CE:
	case SIM_IT_PE:
		if (l->buy) {
			l->premium = notional;
			break;
		}
		spot = sim_round_tick(m->spot[l->in->under], 1) * l->qty;
		l->span = spot * span_pct / 100;
		l->exposure = spot * EXPOSURE_PCT / 100;
		break;
	default:
		l->var = sim_margin_required(l->in, m, l->buy, l->product,
		    l->qty, l->price);
	}
}

static void
leg_charges(struct leg *l)
{
	double	turnover = (double)(l->price * l->qty) / 100;
	int	opt = is_option(l->in), fut = l->in->type == SIM_IT_FUT;
	int	delivery = !opt && !fut && l->product == SIM_PR_CNC;

	if (opt)
		l->brokerage = 20;
	else if (delivery)
		l->brokerage = 0;
	else
		l->brokerage = fmin(20, turnover * 0.0003);
	if (delivery)
		l->stt = turnover * 0.001;
	else if (!l->buy)
		l->stt = turnover * (opt ? 0.001 : fut ? 0.0002 : 0.00025);
	l->exch = turnover * (opt ? 0.0003503 : fut ? 0.0000173 :
	    0.0000297);
	l->sebi = turnover * 0.000001;
	if (l->buy)
		l->stamp = turnover * (delivery ? 0.00015 : fut ? 0.00002 :
		    0.00003);
	l->gst = (l->brokerage + l->exch + l->sebi) * 0.18;
}

static double
charges_total(const struct leg *l)
{
	return l->brokerage + l->stt + l->exch + l->sebi + l->stamp + l->gst;
}

static json_t *
rupees(double v)
{
	return json_real(round(v * 1e6) / 1e6);
}

static json_t *
charges_json(const struct leg *l)
{
	return json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:{s:o,s:i,s:i,s:o},s:o}",
	    "transaction_tax", rupees(l->stt), "transaction_tax_type", "stt",
	    "exchange_turnover_charge", rupees(l->exch),
	    "sebi_turnover_charge", rupees(l->sebi), "brokerage",
	    rupees(l->brokerage), "stamp_duty", rupees(l->stamp), "gst",
	    "igst", rupees(l->gst), "cgst", 0, "sgst", 0, "total",
	    rupees(l->gst), "total", rupees(charges_total(l)));
}

static json_t *
margin_json(const char *type, const struct leg *l, const char *symbol,
    const char *exchange, int64_t span, int64_t exposure, int64_t premium,
    int64_t var, double leverage)
{
	json_t	*j;

	j = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:i,s:i,s:i,s:o,"
	    "s:{s:i,s:i},s:o,s:o}", "type", type, "tradingsymbol", symbol,
	    "exchange", exchange, "span", sim_json_paise(span), "exposure",
	    sim_json_paise(exposure), "option_premium",
	    sim_json_paise(premium), "additional", 0, "bo", 0, "cash", 0,
	    "var", sim_json_paise(var), "pnl", "realised", 0, "unrealised", 0,
	    "leverage", json_real(leverage), "total",
	    sim_json_paise(span + exposure + (premium > 0 ? premium : 0) +
	    var));
	json_object_set_new(j, "charges", l != NULL ? charges_json(l) :
	    json_pack("{s:i,s:s,s:i,s:i,s:i,s:i,s:{s:i,s:i,s:i,s:i},s:i}",
	    "transaction_tax", 0, "transaction_tax_type", "",
	    "exchange_turnover_charge", 0, "sebi_turnover_charge", 0,
	    "brokerage", 0, "stamp_duty", 0, "gst", "igst", 0, "cgst", 0,
	    "sgst", 0, "total", 0, "total", 0));
	return j;
}

static int
leg_parse(const struct sim_market *m, const json_t *o, size_t idx,
    struct leg *l, struct err *e)
{
	const char	*ex = json_string_value(json_object_get(o, "exchange"));
	const char	*sym = json_string_value(json_object_get(o,
			    "tradingsymbol"));
	const char	*tt = json_string_value(json_object_get(o,
			    "transaction_type"));
	const char	*pr = json_string_value(json_object_get(o, "product"));
	json_t		*q = json_object_get(o, "quantity");
	json_t		*px = json_object_get(o, "price");
	size_t		 i;

	memset(l, 0, sizeof *l);
	if (!json_is_object(o) || ex == NULL || sym == NULL ||
	    (l->in = sim_market_find(m, ex, sym)) == NULL ||
	    l->in->type == SIM_IT_INDEX) {
		err_set(e, IE, "Order %zu: unknown `exchange` or "
		    "`tradingsymbol`.", idx);
		return -1;
	}
	if (tt == NULL || (strcmp(tt, "BUY") != 0 && strcmp(tt, "SELL") != 0)) {
		err_set(e, IE, "Order %zu: invalid `transaction_type`.", idx);
		return -1;
	}
	l->buy = strcmp(tt, "BUY") == 0;
	l->product = SIM_PR_NRML;
	for (i = 0; pr != NULL && i < 4; i++) {
		if (strcmp(pr, sim_product_names[i]) == 0)
			l->product = (enum sim_product)i;
	}
	if (!json_is_integer(q) || json_integer_value(q) <= 0 ||
	    json_integer_value(q) > 100000000) {
		err_set(e, IE, "Order %zu: invalid `quantity`.", idx);
		return -1;
	}
	l->qty = (int)json_integer_value(q);
	l->price = l->in->ltp;
	if (json_is_number(px) && json_number_value(px) > 0)
		l->price = (int64_t)llround(json_number_value(px) * 100);
	return 0;
}

static int
legs_parse(const struct sim_market *m, const json_t *orders, struct leg **out,
    size_t *n, struct err *e)
{
	size_t	i;

	if (!json_is_array(orders) || json_array_size(orders) == 0) {
		err_set(e, IE, "A JSON array of orders is needed.");
		return -1;
	}
	if (json_array_size(orders) > MAX_ORDERS) {
		err_set(e, IE, "At most %d orders at a time.", MAX_ORDERS);
		return -1;
	}
	*n = json_array_size(orders);
	*out = xcalloc(*n, sizeof **out);
	for (i = 0; i < *n; i++) {
		if (leg_parse(m, json_array_get(orders, i), i, &(*out)[i],
		    e) == -1) {
			free(*out);
			return -1;
		}
		leg_margin(m, &(*out)[i]);
		leg_charges(&(*out)[i]);
	}
	return 0;
}

/* The user's open positions as legs, for consider_positions. */
static size_t
position_legs(const struct sim_book *b, size_t user, struct leg **legs,
    size_t n)
{
	const struct sim_user	*u = &b->users[user];
	struct leg		*l;
	int64_t			 net;
	size_t			 i;

	for (i = 0; i < u->npos; i++) {
		net = u->pos[i].buy_qty - u->pos[i].sell_qty;
		if (net == 0 || u->pos[i].in->type == SIM_IT_EQ)
			continue;
		*legs = xreallocarray(*legs, n + 1, sizeof **legs);
		l = &(*legs)[n++];
		memset(l, 0, sizeof *l);
		l->in = u->pos[i].in;
		l->buy = net > 0;
		l->product = u->pos[i].product;
		l->qty = (int)llabs(net);
		l->price = l->in->ltp;
		leg_margin(b->mkt, l);
	}
	return n;
}

/*
 * Per underlying: sold risk on one side offsets the other, and bought
 * options on the protective side cap what is left.
 */
static int64_t
hedged_span(const struct leg *legs, size_t n, int under)
{
	double	up = 0, down = 0, net;
	int	long_up = 0, long_down = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (legs[i].in->under != under)
			continue;
		if (is_option(legs[i].in) && legs[i].buy) {
			if (direction(&legs[i]) > 0)
				long_up = 1;
			else
				long_down = 1;
			continue;
		}
		if (direction(&legs[i]) > 0)
			up += (double)legs[i].span;
		else
			down += (double)legs[i].span;
	}
	net = fabs(up - down) + SPREAD_KEEP * fmin(up, down);
	if ((up > down && long_down) || (down > up && long_up))
		net *= HEDGED_KEEP;
	return (int64_t)llround(net);
}

static json_t *
basket_final(const struct leg *legs, size_t n)
{
	int64_t	span = 0, exposure = 0, premium = 0, var = 0;
	int	seen[256] = { 0 };
	size_t	i;
	int	u;

	for (i = 0; i < n; i++) {
		u = legs[i].in->under;
		if (u >= 0 && u < 256 && !seen[u] && legs[i].span > 0) {
			seen[u] = 1;
			span += hedged_span(legs, n, u);
		}
		exposure += legs[i].exposure;
		var += legs[i].var;
		if (is_option(legs[i].in))	/* received premium offsets */
			premium += (legs[i].buy ? 1 : -1) * legs[i].price *
			    legs[i].qty;
	}
	return margin_json("", NULL, "", "", span, exposure, premium, var, 0);
}

static json_t *
basket_initial(const struct leg *legs, size_t n)
{
	int64_t	span = 0, exposure = 0, premium = 0, var = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		span += legs[i].span;
		exposure += legs[i].exposure;
		premium += legs[i].premium;
		var += legs[i].var;
	}
	return margin_json("", NULL, "", "", span, exposure, premium, var, 0);
}

json_t *
sim_order_margins(const struct sim_book *b, size_t user,
    const json_t *orders, int basket, int consider_positions,
    struct err *e)
{
	struct leg	*legs, sum;
	size_t		 n, all, i;
	json_t		*each = json_array(), *d;

	if (legs_parse(b->mkt, orders, &legs, &n, e) == -1) {
		json_decref(each);
		return NULL;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(each, margin_json("equity", &legs[i],
		    legs[i].in->symbol, legs[i].in->exchange, legs[i].span,
		    legs[i].exposure, legs[i].premium, legs[i].var,
		    legs[i].var > 0 ? (double)(legs[i].price * legs[i].qty) /
		    (double)legs[i].var : 1));
	if (!basket) {
		free(legs);
		return each;
	}
	memset(&sum, 0, sizeof sum);
	for (i = 0; i < n; i++) {
		sum.brokerage += legs[i].brokerage;
		sum.stt += legs[i].stt;
		sum.exch += legs[i].exch;
		sum.sebi += legs[i].sebi;
		sum.stamp += legs[i].stamp;
		sum.gst += legs[i].gst;
	}
	all = consider_positions ? position_legs(b, user, &legs, n) : n;
	d = json_pack("{s:o,s:o,s:o,s:o}", "initial", basket_initial(legs, n),
	    "final", basket_final(legs, all), "orders", each, "charges",
	    charges_json(&sum));
	free(legs);
	return d;
}
