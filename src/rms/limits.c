/*
 * The RMS limits as data: one row per limit with its unit, its sane
 * maximum and, for monitors, the response it takes unless told.  Values
 * come in as the text an operator types and are kept as integers in the
 * limit's unit; the canonical text comes back out for storage, so a
 * template stored and read again is the same template.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rms/rms.h"

#define E_LIMIT		"rms-limit"
#define CRORE_PAISE	(100LL * 10000000)	/* one crore rupees */
#define DAY_MIN		(24 * 60)

const struct rms_limit_def rms_limit_defs[RL__COUNT] = {
	[RL_MAX_LOTS_PER_ORDER] = { "max-lots-per-order", RLT_COUNT, 100000,
	    0, RR_NONE, "lots in one order" },
	[RL_MAX_QTY_PER_ORDER] = { "max-qty-per-order", RLT_COUNT, 10000000,
	    0, RR_NONE, "units in one order" },
	[RL_MAX_NOTIONAL_PER_ORDER] = { "max-notional-per-order", RLT_MONEY,
	    1000 * CRORE_PAISE, 0, RR_NONE, "rupees of notional in one order" },
	[RL_MAX_LOTS_PER_UNDERLYING] = { "max-lots-per-underlying", RLT_COUNT,
	    1000000, 0, RR_NONE, "net lots in one underlying" },
	[RL_MAX_OPEN_POSITIONS] = { "max-open-positions", RLT_COUNT, 10000, 0,
	    RR_NONE, "instruments with an open position" },
	[RL_ORDERS_PER_SEC] = { "orders-per-sec", RLT_COUNT, 1000, 0, RR_NONE,
	    "orders a second (SEBI's threshold is 10)" },
	[RL_EXCHANGES] = { "exchanges", RLT_EXCHANGES, 0, 0, RR_NONE,
	    "exchanges allowed (NSE,BSE,NFO,BFO,MCX,CDS)" },
	[RL_PRODUCTS] = { "products", RLT_PRODUCTS, 0, 0, RR_NONE,
	    "products allowed (mis,nrml,cnc)" },
	[RL_WINDOW] = { "window", RLT_WINDOW, 0, 0, RR_NONE,
	    "trading window HH:MM-HH:MM IST" },
	[RL_SQUAREOFF_AT] = { "squareoff-at", RLT_TIME, 0, 1, RR_SQUAREOFF,
	    "time HH:MM IST to close MIS positions" },
	[RL_MTM_LOSS] = { "mtm-loss", RLT_MONEY, 1000 * CRORE_PAISE, 1,
	    RR_SQUAREOFF, "rupees of day loss" },
	[RL_MTM_LOSS_PCT] = { "mtm-loss-pct", RLT_PCT, 10000, 1, RR_SQUAREOFF,
	    "day loss as a percentage of capital" },
	[RL_PROFIT_TARGET] = { "profit-target", RLT_MONEY, 1000 * CRORE_PAISE,
	    1, RR_ALERT, "rupees of day profit" },
	[RL_TRAIL_ACTIVATE] = { "trail-activate", RLT_MONEY,
	    1000 * CRORE_PAISE, 1, RR_SQUAREOFF,
	    "rupees of profit that arm the trailing lock" },
	[RL_TRAIL_BY] = { "trail-by", RLT_MONEY, 1000 * CRORE_PAISE, 1,
	    RR_SQUAREOFF, "rupees the profit may give back once armed" },
	[RL_MAX_DRAWDOWN] = { "max-drawdown", RLT_MONEY, 1000 * CRORE_PAISE,
	    1, RR_HALT, "rupees down from the day's peak" },
	[RL_MARGIN_MAX_PCT] = { "margin-max-pct", RLT_PCT, 10000, 1, RR_ALERT,
	    "percentage of margin in use" },
	[RL_PRICE_BAND_PCT] = { "price-band-pct", RLT_PCT, 10000, 0, RR_NONE,
	    "percentage a limit price may stray from the LTP" },
};

static const char *const response_names[RR__COUNT] = {
	"none", "alert", "throttle", "reduce", "scaleout", "halt", "squareoff",
	"hedge", "kill"
};

/*
 * The responses' parameters, set like limits: scaleout-pct (the share of
 * every position a scaleout closes) and hedge-premium (a hedge buys the
 * strike whose premium is nearest this many rupees at or below it,
 * instead of rms.hedge_steps strikes out of the money).
 */
static const struct rms_limit_def param_defs[] = {
	{ "scaleout-pct", RLT_PCT, 10000, 0, RR_NONE,
	  "percentage of every position a scaleout closes" },
	{ "hedge-premium", RLT_MONEY, 100000 * 100, 0, RR_NONE,
	  "rupees of premium a hedge's option may cost, at most" },
};

static int64_t *
param_slot(struct rms_limits *lim, const char *name,
    const struct rms_limit_def **d)
{
	if (strcasecmp(name, param_defs[0].name) == 0) {
		*d = &param_defs[0];
		return &lim->scaleout_bp;
	}
	if (strcasecmp(name, param_defs[1].name) == 0) {
		*d = &param_defs[1];
		return &lim->hedge_premium;
	}
	return NULL;
}

static const char *const exchange_names[] = { "NSE", "BSE", "NFO", "BFO",
	"MCX", "CDS" };
static const char *const product_names[RP__COUNT] = { "mis", "nrml",
	"cnc" };

const char *
rms_rule_name(enum rms_limit_id id)
{
	return id < RL__COUNT ? rms_limit_defs[id].name : "stale-prices";
}

const char *
rms_response_name(enum rms_response r)
{
	return r >= 0 && r < RR__COUNT ? response_names[r] : "?";
}

int
rms_response_parse(const char *s, enum rms_response *out)
{
	int	i;

	for (i = 0; i < RR__COUNT; i++) {
		if (strcasecmp(s, response_names[i]) == 0) {
			*out = (enum rms_response)i;
			return 0;
		}
	}
	return -1;
}

const struct rms_limit_def *
rms_limit_find(const char *name, enum rms_limit_id *id)
{
	int	i;

	for (i = 0; i < RL__COUNT; i++) {
		if (strcasecmp(name, rms_limit_defs[i].name) == 0) {
			if (id != NULL)
				*id = (enum rms_limit_id)i;
			return &rms_limit_defs[i];
		}
	}
	return NULL;
}

int
rms_exchange_bit(const char *exchange)
{
	size_t	i;

	for (i = 0; exchange != NULL && i < nitems(exchange_names); i++) {
		if (strcasecmp(exchange, exchange_names[i]) == 0)
			return (int)i;
	}
	return -1;
}

/* "09:15" -> 555; -1 if it is not a time of day. */
static int
parse_hhmm(const char *s, int len)
{
	int	h, m;

	if (len != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* "NSE,NFO" against names: a bit set, or -1 naming the bad word. */
static int64_t
parse_set(const char *s, const char *const *names, size_t n, char *bad,
    size_t badlen)
{
	int64_t		 bits = 0;
	const char	*p = s, *end;
	size_t		 i, len;

	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < n; i++) {
			if (strlen(names[i]) == len &&
			    strncasecmp(p, names[i], len) == 0)
				break;
		}
		if (i == n) {
			snprintf(bad, badlen, "%.*s", (int)(len < 40 ? len : 40),
			    p);
			return -1;
		}
		bits |= (int64_t)1 << i;
		if (end == NULL)
			return bits;
		p = end + 1;
	}
}

static int
parse_number(const struct rms_limit_def *d, const char *text, int64_t *v,
    struct err *e)
{
	int	scale = d->type == RLT_COUNT ? 0 : 2;
	char	num[48];
	size_t	len = strlen(text);

	/* A percentage may carry its sign: "50%". */
	if (d->type == RLT_PCT && len > 1 && len < sizeof num &&
	    text[len - 1] == '%') {
		snprintf(num, sizeof num, "%.*s", (int)(len - 1), text);
		text = num;
	}
	if (decimal_parse(text, scale, v) == -1) {
		err_set(e, E_LIMIT, "%s: expected %s, got \"%.40s\"", d->name,
		    d->type == RLT_COUNT ? "a whole number" :
		    d->type == RLT_PCT ? "a percentage with at most 2 "
		    "decimals" : "rupees with at most 2 decimals", text);
		return -1;
	}
	if (*v <= 0) {
		err_set(e, E_LIMIT, "%s: must be above 0, got \"%.40s\"",
		    d->name, text);
		return -1;
	}
	if (*v > d->max) {
		char *m = decimal_format(d->max, scale);

		err_set(e, E_LIMIT, "%s: at most %s, got \"%.40s\"", d->name,
		    m, text);
		free(m);
		return -1;
	}
	return 0;
}

static int
parse_value(const struct rms_limit_def *d, const char *text, int64_t *v,
    struct err *e)
{
	char		 bad[48];
	const char	*dash;
	int		 a, b;

	switch (d->type) {
	case RLT_COUNT:
	case RLT_MONEY:
	case RLT_PCT:
		return parse_number(d, text, v, e);
	case RLT_TIME:
		if ((a = parse_hhmm(text, (int)strlen(text))) < 0) {
			err_set(e, E_LIMIT, "%s: expected HH:MM (IST), got "
			    "\"%.40s\"", d->name, text);
			return -1;
		}
		*v = a;
		return 0;
	case RLT_WINDOW:
		dash = strchr(text, '-');
		if (dash == NULL ||
		    (a = parse_hhmm(text, (int)(dash - text))) < 0 ||
		    (b = parse_hhmm(dash + 1, (int)strlen(dash + 1))) < 0 ||
		    b <= a) {
			err_set(e, E_LIMIT, "%s: expected HH:MM-HH:MM (IST), "
			    "the end after the start, got \"%.40s\"", d->name,
			    text);
			return -1;
		}
		*v = (int64_t)a << 16 | b;
		return 0;
	case RLT_EXCHANGES:
	case RLT_PRODUCTS:
		*v = d->type == RLT_EXCHANGES ?
		    parse_set(text, exchange_names, nitems(exchange_names),
		    bad, sizeof bad) : parse_set(text, product_names,
		    nitems(product_names), bad, sizeof bad);
		if (*v == -1) {
			err_set(e, E_LIMIT, "%s: unknown %s \"%s\" (%s)",
			    d->name, d->type == RLT_EXCHANGES ? "exchange" :
			    "product", bad, d->what);
			return -1;
		}
		return 0;
	}
	return -1;
}

int
rms_limit_set(struct rms_limits *lim, const char *name, const char *text,
    struct err *e)
{
	const struct rms_limit_def	*d;
	enum rms_limit_id		 id;
	enum rms_response		 r;
	int64_t				 v, *slot;

	if (strcasecmp(name, "approval") == 0) {
		if (strcasecmp(text, "yes") != 0 && strcasecmp(text, "no") != 0) {
			err_set(e, E_LIMIT, "approval: expected yes or no, got "
			    "\"%.40s\"", text);
			return -1;
		}
		lim->approval = strcasecmp(text, "yes") == 0;
		return 0;
	}
	if (strncasecmp(name, "on-", 3) == 0) {
		if ((d = rms_limit_find(name + 3, &id)) == NULL || !d->monitor) {
			err_set(e, E_LIMIT, "\"%.40s\": a response goes with a "
			    "monitored limit (on-mtm-loss, on-max-drawdown, "
			    "...)", name);
			return -1;
		}
		if (rms_response_parse(text, &r) == -1 || r == RR_NONE) {
			err_set(e, E_LIMIT, "%s: expected alert, throttle, "
			    "reduce, scaleout, halt, squareoff, hedge or kill, "
			    "got \"%.40s\"", name, text);
			return -1;
		}
		lim->on[id] = r;
		return 0;
	}
	if ((slot = param_slot(lim, name, &d)) != NULL) {
		if (parse_number(d, text, &v, e) == -1)
			return -1;
		*slot = v;
		return 0;
	}
	if ((d = rms_limit_find(name, &id)) == NULL) {
		err_set(e, E_LIMIT, "unknown limit \"%.40s\" (see rms template "
		    "show)", name);
		return -1;
	}
	if (parse_value(d, text, &v, e) == -1)
		return -1;
	lim->v[id] = v;
	lim->set |= 1u << id;
	if (d->monitor && lim->on[id] == RR_NONE)
		lim->on[id] = d->deflt;
	return 0;
}

void
rms_limit_unset(struct rms_limits *lim, enum rms_limit_id id)
{
	lim->set &= ~(1u << id);
	lim->v[id] = 0;
	lim->on[id] = RR_NONE;
}

int
rms_limit_unset_name(struct rms_limits *lim, const char *name)
{
	const struct rms_limit_def	*d;
	enum rms_limit_id		 id;
	int64_t				*slot;

	if (rms_limit_find(name, &id) != NULL) {
		rms_limit_unset(lim, id);
		return 0;
	}
	if ((slot = param_slot(lim, name, &d)) != NULL) {
		*slot = 0;
		return 0;
	}
	return -1;
}

int64_t
rms_scaleout_bp(const struct rms_limits *lim)
{
	return lim->scaleout_bp > 0 ? lim->scaleout_bp :
	    RMS_SCALEOUT_DEFAULT_BP;
}

int64_t
rms_scaleout_lots(int64_t lots, int64_t bp)
{
	int64_t	n = lots < 0 ? -lots : lots, cut;

	if (bp <= 0)
		return 0;
	cut = (n * bp + 5000) / 10000;	/* nearest, a half up */
	if (cut > n)
		cut = n;
	return lots < 0 ? -cut : cut;
}

int
rms_limit_has(const struct rms_limits *lim, enum rms_limit_id id)
{
	return (lim->set & (1u << id)) != 0;
}

static void
format_set(int64_t bits, const char *const *names, size_t n, char *buf,
    size_t len)
{
	size_t	i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		if (bits & ((int64_t)1 << i))
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
			    at > 0 ? "," : "", names[i]);
	}
}

/* Decimal text without a trailing ".00" or "0". */
static void
format_decimal(int64_t v, char *buf, size_t len)
{
	char	*s = decimal_format(v, 2), *end;

	end = s + strlen(s);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
	snprintf(buf, len, "%s", s);
	free(s);
}

void
rms_limit_format(const struct rms_limits *lim, enum rms_limit_id id,
    char *buf, size_t len)
{
	int64_t	v = lim->v[id];

	switch (rms_limit_defs[id].type) {
	case RLT_COUNT:
		snprintf(buf, len, "%lld", (long long)v);
		break;
	case RLT_MONEY:
	case RLT_PCT:
		format_decimal(v, buf, len);
		break;
	case RLT_TIME:
		snprintf(buf, len, "%02d:%02d", (int)v / 60, (int)v % 60);
		break;
	case RLT_WINDOW:
		snprintf(buf, len, "%02d:%02d-%02d:%02d",
		    RMS_WINDOW_FROM(v) / 60, RMS_WINDOW_FROM(v) % 60,
		    RMS_WINDOW_TO(v) / 60, RMS_WINDOW_TO(v) % 60);
		break;
	case RLT_EXCHANGES:
		format_set(v, exchange_names, nitems(exchange_names), buf, len);
		break;
	case RLT_PRODUCTS:
		format_set(v, product_names, nitems(product_names), buf, len);
		break;
	}
}

json_t *
rms_limits_to_json(const struct rms_limits *lim)
{
	json_t	*j = json_object();
	char	 buf[64], key[64];
	int	 i;

	for (i = 0; i < RL__COUNT; i++) {
		if (!rms_limit_has(lim, (enum rms_limit_id)i))
			continue;
		rms_limit_format(lim, (enum rms_limit_id)i, buf, sizeof buf);
		json_object_set_new(j, rms_limit_defs[i].name,
		    json_string(buf));
		if (rms_limit_defs[i].monitor && lim->on[i] != RR_NONE &&
		    lim->on[i] != rms_limit_defs[i].deflt) {
			snprintf(key, sizeof key, "on-%s",
			    rms_limit_defs[i].name);
			json_object_set_new(j, key,
			    json_string(response_names[lim->on[i]]));
		}
	}
	if (lim->approval)
		json_object_set_new(j, "approval", json_string("yes"));
	if (lim->scaleout_bp > 0) {
		format_decimal(lim->scaleout_bp, buf, sizeof buf);
		json_object_set_new(j, param_defs[0].name, json_string(buf));
	}
	if (lim->hedge_premium > 0) {
		format_decimal(lim->hedge_premium, buf, sizeof buf);
		json_object_set_new(j, param_defs[1].name, json_string(buf));
	}
	return j;
}

/* Limits first, then responses, so a response meets its limit set. */
int
rms_limits_from_json(const json_t *j, struct rms_limits *out, struct err *e)
{
	struct rms_limits	 lim;
	const char		*k;
	json_t			*v;
	int			 pass;

	memset(&lim, 0, sizeof lim);
	if (!json_is_object(j)) {
		err_set(e, E_LIMIT, "limits must be a JSON object");
		return -1;
	}
	for (pass = 0; pass < 2; pass++) {
		json_object_foreach((json_t *)j, k, v) {
			if ((strncasecmp(k, "on-", 3) == 0) != pass)
				continue;
			if (!json_is_string(v)) {
				err_set(e, E_LIMIT, "%s: the value must be "
				    "text", k);
				return -1;
			}
			if (rms_limit_set(&lim, k, json_string_value(v),
			    e) == -1)
				return -1;
		}
	}
	*out = lim;
	return 0;
}

int
rms_limit_tighter(enum rms_limit_id id, int64_t a, int64_t b)
{
	switch (rms_limit_defs[id].type) {
	case RLT_WINDOW:
		return RMS_WINDOW_FROM(a) >= RMS_WINDOW_FROM(b) &&
		    RMS_WINDOW_TO(a) <= RMS_WINDOW_TO(b) && a != b;
	case RLT_EXCHANGES:
	case RLT_PRODUCTS:
		return (a & ~b) == 0 && a != b;	/* a proper subset */
	default:
		return a < b;	/* less room is tighter, earlier is tighter */
	}
}

void
rms_limits_narrow(struct rms_limits *base, const struct rms_limits *over)
{
	int64_t	a, b;
	int	i;

	for (i = 0; i < RL__COUNT; i++) {
		if (!rms_limit_has(over, (enum rms_limit_id)i))
			continue;
		if (!rms_limit_has(base, (enum rms_limit_id)i)) {
			base->v[i] = over->v[i];
			base->on[i] = over->on[i];
			base->set |= 1u << i;
			continue;
		}
		a = over->v[i];
		b = base->v[i];
		switch (rms_limit_defs[i].type) {
		case RLT_WINDOW:	/* the overlap of the two windows */
			base->v[i] = (int64_t)(RMS_WINDOW_FROM(a) >
			    RMS_WINDOW_FROM(b) ? RMS_WINDOW_FROM(a) :
			    RMS_WINDOW_FROM(b)) << 16 | (RMS_WINDOW_TO(a) <
			    RMS_WINDOW_TO(b) ? RMS_WINDOW_TO(a) :
			    RMS_WINDOW_TO(b));
			break;
		case RLT_EXCHANGES:
		case RLT_PRODUCTS:
			base->v[i] = a & b;
			break;
		default:
			if (a < b)
				base->v[i] = a;
		}
		if (over->on[i] > base->on[i])
			base->on[i] = over->on[i];
	}
	base->approval |= over->approval;
	if (over->scaleout_bp > 0)
		base->scaleout_bp = over->scaleout_bp;
	if (over->hedge_premium > 0)
		base->hedge_premium = over->hedge_premium;
}

enum trading_state
rms_state_min(enum trading_state a, enum trading_state b)
{
	return a > b ? a : b;	/* ACTIVE < REDUCING < HALTED */
}
