/*
 * Historical candles for /instruments/historical.  The simulator keeps
 * no past, so the past is a function: an instrument's price at any
 * minute is its reference close moved by a few slow waves and a seeded
 * jitter, both keyed by its token.  A candle of any interval aggregates
 * that one path, so a day's high is the highest of its minutes and two
 * requests for the same period always agree.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define IE			"InputException"
#define IST_MIN			330		/* UTC+05:30 in minutes */
#define SESSION_OPEN_MIN	(9 * 60 + 15)	/* 09:15 IST */
#define SESSION_MINUTES		375		/* to 15:30 */
#define MAX_CANDLES		200000

struct interval {
	const char	*name;
	int		 minutes;	/* SESSION_MINUTES for a day */
	int		 max_days;	/* Kite's cap on one request */
};

static const struct interval intervals[] = {
	{ "minute", 1, 60 },
	{ "3minute", 3, 100 },
	{ "5minute", 5, 100 },
	{ "10minute", 10, 100 },
	{ "15minute", 15, 200 },
	{ "30minute", 30, 200 },
	{ "60minute", 60, 400 },
	{ "day", SESSION_MINUTES, 2000 },
};

static double
unit(uint64_t h)
{
	return (double)(h >> 11) / 9007199254740992.0;	/* [0, 1) */
}

/* The price of token at minute t (UTC minutes since 1970), in paise. */
static double
path_at(const struct sim_instr *in, double vol, double t)
{
	uint64_t	seed = sim_hash64((uint64_t)in->token);
	double		p1 = unit(seed) * 6.283, p2 = unit(seed * 3) * 6.283;
	double		p3 = unit(seed * 7) * 6.283, x, u;

	u = unit(sim_hash64(seed ^ (uint64_t)llround(t * 4))) * 2 - 1;
	x = 0.030 * sin(t / (SESSION_MINUTES * 23.0) * 6.283 + p1) +
	    0.012 * sin(t / 1125.0 * 6.283 + p2) +
	    0.004 * sin(t / 97.0 * 6.283 + p3) + 0.0015 * u;
	return (double)(in->close > 0 ? in->close : in->ltp) *
	    exp(x * vol / 0.2);
}

static int64_t
on_tick(double paise, int64_t tick)
{
	int64_t	t = tick > 0 ? tick : 5;
	int64_t	v = (int64_t)llround(paise / (double)t) * t;

	return v > t ? v : t;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]" IST into UTC minutes. */
static int
parse_when(const char *s, long *out)
{
	int	y, mo, d, h = 0, mi = 0, sec = 0, n = 0;

	if (s == NULL)
		return -1;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	if (s[n] == ' ' || s[n] == 'T') {
		if (sscanf(s + n + 1, "%2d:%2d:%2d", &h, &mi, &sec) < 2)
			return -1;
	} else if (s[n] != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59 || y < 1990 || y > 2100)
		return -1;
	*out = time_days_from_civil(y, mo, d) * 1440 + h * 60 + mi - IST_MIN;
	return 0;
}

static json_t *
stamp(long utc_min)
{
	char	buf[40];
	long	ist = utc_min + IST_MIN;
	int	ymd = time_civil_from_days(ist / 1440);

	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02ld:%02ld:00+0530",
	    ymd / 10000, ymd / 100 % 100, ymd % 100, ist % 1440 / 60,
	    ist % 60);
	return json_string(buf);
}

static json_t *
candle(const struct sim_instr *in, double vol, long t0, int n, int oi)
{
	double	o = path_at(in, vol, t0), c = path_at(in, vol, t0 + n);
	double	hi = o > c ? o : c, lo = o < c ? o : c, p, step;
	int64_t	volume = 0;
	long	k;
	json_t	*row;

	/* The path's own grid, so that every interval sees the same prices. */
	step = 0.25;
	for (p = t0 + step; p < t0 + n; p += step) {
		double v = path_at(in, vol, p);

		if (v > hi)
			hi = v;
		if (v < lo)
			lo = v;
	}
	for (k = t0; k < t0 + n; k++)
		volume += (int64_t)(in->lot > 1 ? in->lot : 100) *
		    (int64_t)(1 + sim_hash64((uint64_t)in->token * 31 +
		    (uint64_t)k) % 40);
	row = json_pack("[o,o,o,o,o,I]", stamp(t0),
	    sim_json_paise(on_tick(o, in->tick)),
	    sim_json_paise(on_tick(hi, in->tick)),
	    sim_json_paise(on_tick(lo, in->tick)),
	    sim_json_paise(on_tick(c, in->tick)), (json_int_t)volume);
	if (oi)	/* open interest at the candle's close, off the same path */
		json_array_append_new(row, json_integer((json_int_t)
		    ((double)(in->lot > 1 ? in->lot : 100) * 30000 *
		    (1.2 + unit(sim_hash64((uint64_t)in->token))) *
		    (1 + 0.05 * sin((t0 + n) / 500.0)))));
	return row;
}

static const struct sim_instr *
by_token(const struct sim_market *m, int token)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (m->v[i].token == token)
			return &m->v[i];
	}
	return NULL;
}

int
sim_candles(const struct sim_market *m, int token, const char *interval,
    const char *from, const char *to, int oi, int64_t now_us, json_t **out,
    struct err *e)
{
	const struct sim_instr	*in;
	const struct interval	*iv = NULL;
	long			 a, b, now = (long)(now_us / 60000000), day;
	long			 t0, open;
	double			 vol;
	size_t			 i, count = 0;
	json_t			*rows;

	if ((in = by_token(m, token)) == NULL) {
		err_set(e, IE, "invalid token");
		return -1;
	}
	for (i = 0; i < nitems(intervals); i++) {
		if (strcmp(intervals[i].name, interval) == 0)
			iv = &intervals[i];
	}
	if (iv == NULL) {
		err_set(e, IE, "invalid interval");
		return -1;
	}
	if (parse_when(from, &a) == -1 || parse_when(to, &b) == -1) {
		err_set(e, IE, "invalid %s date", parse_when(from, &a) == -1 ?
		    "from" : "to");
		return -1;
	}
	if (a > b) {
		err_set(e, IE, "invalid from date: after the to date");
		return -1;
	}
	if ((b - a) / 1440 > iv->max_days) {
		err_set(e, IE, "interval exceeds max limit: %d days",
		    iv->max_days);
		return -1;
	}
	vol = sim_underlyings[in->under].vol;
	rows = json_array();
	for (day = (a + IST_MIN) / 1440; day <= (b + IST_MIN) / 1440; day++) {
		if (sim_ymd_weekday(time_civil_from_days(day)) % 6 == 0)
			continue;	/* Sunday 0, Saturday 6 */
		open = day * 1440 + SESSION_OPEN_MIN - IST_MIN;
		for (t0 = open; t0 < open + SESSION_MINUTES; t0 += iv->minutes) {
			if (t0 < a - (iv->minutes - 1) || t0 > b || t0 > now)
				continue;
			if (++count > MAX_CANDLES)
				break;
			json_array_append_new(rows, candle(in, vol, t0,
			    (int)(t0 + iv->minutes > open + SESSION_MINUTES ?
			    open + SESSION_MINUTES - t0 : iv->minutes), oi));
		}
	}
	*out = json_pack("{s:o}", "candles", rows);
	return 0;
}
