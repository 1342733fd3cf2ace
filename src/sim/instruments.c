/*
 * The instrument universe: one editable table of underlyings (lot sizes and
 * freeze quantities in force), expiry rules, Kite's trading symbol format,
 * and the instruments CSV dump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

/*
 * Edit here.  Index lot sizes from the Dec 2025 NSE revision; freeze
 * quantities per NSE circular.  Stock rows are real-ish, rounded.
 * exchange_token is the NSE token of the spot (index or equity); the Kite
 * instrument_token is exchange_token << 8 | segment (NSE 1, INDICES 9).
 *
 * root, spot symbol, name, exch token, index, spot, lot, freeze,
 * strike step, strikes each side, weekly expiries, monthly option
 * expiries, vol, SPAN %
 */
const struct sim_underlying sim_underlyings[] = {
	{ "NIFTY", "NIFTY 50", "NIFTY 50", 1001, 1,
	    26000, 65, 1800, 50, 20, 2, 1, 0.12, 12 },
	{ "BANKNIFTY", "NIFTY BANK", "NIFTY BANK", 1016, 1,
	    59000, 30, 900, 100, 15, 0, 1, 0.14, 12 },
	{ "FINNIFTY", "NIFTY FIN SERVICE", "NIFTY FIN SERVICE", 1007, 1,
	    27500, 60, 1800, 50, 15, 0, 1, 0.14, 12 },
	{ "MIDCPNIFTY", "NIFTY MID SELECT", "NIFTY MID SELECT", 1125, 1,
	    13500, 120, 2800, 25, 15, 0, 1, 0.16, 14 },
	{ "NIFTYNXT50", "NIFTY NEXT 50", "NIFTY NEXT 50", 1058, 1,
	    70000, 25, 600, 100, 10, 0, 1, 0.15, 14 },
	{ "RELIANCE", "RELIANCE", "RELIANCE INDUSTRIES", 2885, 0,
	    1550, 500, 10000, 10, 8, 0, 1, 0.22, 20 },
	{ "TCS", "TCS", "TATA CONSULTANCY SERV LT", 11536, 0,
	    3150, 175, 3500, 20, 8, 0, 1, 0.22, 20 },
	{ "INFY", "INFY", "INFOSYS", 1594, 0,
	    1550, 400, 8000, 20, 8, 0, 1, 0.24, 20 },
	{ "HDFCBANK", "HDFCBANK", "HDFC BANK", 1333, 0,
	    1000, 550, 11000, 10, 8, 0, 1, 0.20, 20 },
	{ "ICICIBANK", "ICICIBANK", "ICICI BANK.", 4963, 0,
	    1380, 700, 14000, 10, 8, 0, 1, 0.22, 20 },
	{ "SBIN", "SBIN", "STATE BANK OF INDIA", 3045, 0,
	    980, 750, 15000, 10, 8, 0, 1, 0.25, 20 },
	{ "AXISBANK", "AXISBANK", "AXIS BANK", 5900, 0,
	    1270, 625, 12500, 10, 8, 0, 1, 0.25, 20 },
	{ "KOTAKBANK", "KOTAKBANK", "KOTAK MAHINDRA BANK", 1922, 0,
	    2100, 400, 8000, 20, 8, 0, 1, 0.23, 20 },
	{ "ITC", "ITC", "ITC", 1660, 0,
	    405, 1600, 32000, 5, 8, 0, 1, 0.20, 20 },
	{ "LT", "LT", "LARSEN & TOUBRO", 11483, 0,
	    4000, 175, 3500, 50, 8, 0, 1, 0.22, 20 },
	{ "BHARTIARTL", "BHARTIARTL", "BHARTI AIRTEL", 10604, 0,
	    2100, 475, 9500, 20, 8, 0, 1, 0.22, 20 },
	{ "HINDUNILVR", "HINDUNILVR", "HINDUSTAN UNILEVER.", 1394, 0,
	    2450, 300, 6000, 20, 8, 0, 1, 0.20, 20 },
	{ "MARUTI", "MARUTI", "MARUTI SUZUKI INDIA.", 10999, 0,
	    15900, 50, 1000, 100, 8, 0, 1, 0.24, 20 },
	{ "BAJFINANCE", "BAJFINANCE", "BAJAJ FINANCE", 317, 0,
	    1000, 750, 15000, 10, 8, 0, 1, 0.28, 20 },
};
const size_t sim_nunderlyings = nitems(sim_underlyings);

#define SIM_NFO_TOKEN_BASE	35001	/* first NFO exchange token we assign */
#define SIM_FUT_MONTHS		3	/* near, next, far futures */

/*
 * Expiry weekday.  NSE moved index and stock derivative expiries from
 * Thursday to Tuesday for contracts expiring from 1 September 2025: weekly
 * NIFTY on Tuesday, monthly contracts on the last Tuesday of the month.
 * Exchange holidays (expiry moves to the previous trading day) are not
 * modelled.
 */
int
sim_expiry_weekday(int year, int month)
{
	return year * 100 + month >= 202509 ? 2 : 4;
}

static int
ymd_days(int ymd)
{
	return (int)time_days_from_civil(ymd / 10000, ymd / 100 % 100,
	    ymd % 100);
}

int
sim_ymd_add(int ymd, int days)
{
	return time_civil_from_days(ymd_days(ymd) + days);
}

int
sim_ymd_diff(int a, int b)
{
	return ymd_days(a) - ymd_days(b);
}

int
sim_ymd_weekday(int ymd)
{
	int	wd = (ymd_days(ymd) + 4) % 7;	/* 1970-01-01 was a Thursday */

	return wd < 0 ? wd + 7 : wd;
}

int
sim_expiry_monthly(int year, int month)
{
	int	last, wd, back;

	last = time_civil_from_days(month == 12 ?
	    time_days_from_civil(year + 1, 1, 1) - 1 :
	    time_days_from_civil(year, month + 1, 1) - 1);
	wd = sim_ymd_weekday(last);
	back = (wd - sim_expiry_weekday(year, month) + 7) % 7;
	return sim_ymd_add(last, -back);
}

/* A contract expiring today is still live: it trades until 15:30 IST. */
int
sim_expiry_next_monthly(int today, int nth)
{
	int	y = today / 10000, m = today / 100 % 100;

	if (sim_expiry_monthly(y, m) < today)
		nth++;
	m += nth;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	return sim_expiry_monthly(y, m);
}

int
sim_expiry_next_weekly(int today, int nth)
{
	int	d = today;

	for (;;) {
		if (sim_ymd_weekday(d) ==
		    sim_expiry_weekday(d / 10000, d / 100 % 100)) {
			if (nth-- == 0)
				return d;
		}
		d = sim_ymd_add(d, 1);
	}
}

int
sim_is_monthly_expiry(int ymd)
{
	return ymd == sim_expiry_monthly(ymd / 10000, ymd / 100 % 100);
}

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR",
	"MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };

void
sim_symbol_future(char *buf, size_t len, const char *root, int expiry)
{
	snprintf(buf, len, "%s%02d%sFUT", root, expiry / 10000 % 100,
	    month_names[expiry / 100 % 100 - 1]);
}

/*
 * Kite's option symbols: monthly contracts ROOT YY MON STRIKE TYPE
 * (NIFTY25DEC26000CE); weeklies ROOT YY M DD STRIKE TYPE where M is 1-9
 * for January to September and O, N, D for the last three months
 * (NIFTY25D0926000CE).  A weekly that falls on the monthly expiry is the
 * monthly contract.
 */
void
sim_symbol_option(char *buf, size_t len, const char *root, int expiry,
    int64_t strike, int is_call)
{
	char	 k[32], mon[8];
	int	 m = expiry / 100 % 100;

	if (strike % 100 == 0)
		snprintf(k, sizeof k, "%lld", (long long)(strike / 100));
	else if (strike % 10 == 0)
		snprintf(k, sizeof k, "%lld.%lld", (long long)(strike / 100),
		    (long long)(strike % 100 / 10));
	else
		snprintf(k, sizeof k, "%lld.%02lld", (long long)(strike / 100),
		    (long long)(strike % 100));
	if (sim_is_monthly_expiry(expiry))
		snprintf(mon, sizeof mon, "%s", month_names[m - 1]);
	else
		snprintf(mon, sizeof mon, "%c%02d", "123456789OND"[m - 1],
		    expiry % 100);
	snprintf(buf, len, "%s%02d%s%s%s", root, expiry / 10000 % 100, mon, k,
	    is_call ? "CE" : "PE");
}

/*
 * NSE cash-market tick sizes by price band (2025 revision).  Derivatives
 * keep 0.05.
 */
int64_t
sim_equity_tick(double price)
{
	if (price < 250)
		return 1;
	if (price < 1000)
		return 5;
	if (price < 5000)
		return 10;
	if (price < 10000)
		return 50;
	if (price < 20000)
		return 100;
	return 500;
}

static struct sim_instr *
instr_add(struct sim_market *m, size_t *cap)
{
	struct sim_instr	*in;

	if (m->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		m->v = xreallocarray(m->v, *cap, sizeof *m->v);
	}
	in = &m->v[m->n++];
	memset(in, 0, sizeof *in);
	return in;
}

static void
add_spot(struct sim_market *m, size_t *cap, size_t u)
{
	const struct sim_underlying	*row = &sim_underlyings[u];
	struct sim_instr		*in = instr_add(m, cap);

	in->exchange_token = row->exchange_token;
	in->token = row->exchange_token * 256 + (row->is_index ? 9 : 1);
	snprintf(in->symbol, sizeof in->symbol, "%s", row->spot_symbol);
	snprintf(in->name, sizeof in->name, "%s", row->long_name);
	snprintf(in->exchange, sizeof in->exchange, "NSE");
	snprintf(in->segment, sizeof in->segment, "%s",
	    row->is_index ? "INDICES" : "NSE");
	in->type = row->is_index ? SIM_IT_INDEX : SIM_IT_EQ;
	in->tick = row->is_index ? 5 : sim_equity_tick(m->spot[u]);
	in->lot = row->is_index ? 0 : 1;
	in->under = (int)u;
}

static void
add_nfo(struct sim_market *m, size_t *cap, size_t u, int *tok,
    enum sim_itype type, int expiry, int64_t strike)
{
	const struct sim_underlying	*row = &sim_underlyings[u];
	struct sim_instr		*in = instr_add(m, cap);

	in->exchange_token = (*tok)++;
	in->token = in->exchange_token * 256 + 2;
	if (type == SIM_IT_FUT)
		sim_symbol_future(in->symbol, sizeof in->symbol, row->root,
		    expiry);
	else
		sim_symbol_option(in->symbol, sizeof in->symbol, row->root,
		    expiry, strike, type == SIM_IT_CE);
	snprintf(in->name, sizeof in->name, "%s", row->root);
	snprintf(in->exchange, sizeof in->exchange, "NFO");
	snprintf(in->segment, sizeof in->segment, "%s",
	    type == SIM_IT_FUT ? "NFO-FUT" : "NFO-OPT");
	in->type = type;
	in->expiry = expiry;
	in->strike = strike;
	in->tick = 5;
	in->lot = row->lot;
	in->freeze = row->freeze;
	in->under = (int)u;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Option expiries of one underlying, ascending and without duplicates. */
static size_t
option_expiries(const struct sim_underlying *row, int today, int *out)
{
	size_t	n = 0, i, j;
	int	k;

	for (k = 0; k < row->nweekly; k++)
		out[n++] = sim_expiry_next_weekly(today, k);
	for (k = 0; k < row->nmonthly_opt; k++)
		out[n++] = sim_expiry_next_monthly(today, k);
	qsort(out, n, sizeof *out, cmp_int);
	for (i = j = 0; i < n; i++) {
		if (j == 0 || out[j - 1] != out[i])
			out[j++] = out[i];
	}
	return j;
}

/* Build every row, in CSV order; tokens follow from the order and date. */
void
sim_instruments_build(struct sim_market *m)
{
	size_t	 cap = 0, u, e, ne;
	int	 tok = SIM_NFO_TOKEN_BASE, k, exp[16];
	int64_t	 step, atm;

	for (u = 0; u < sim_nunderlyings; u++)
		add_spot(m, &cap, u);
	for (u = 0; u < sim_nunderlyings; u++) {
		const struct sim_underlying *row = &sim_underlyings[u];

		for (k = 0; k < SIM_FUT_MONTHS; k++)
			add_nfo(m, &cap, u, &tok, SIM_IT_FUT,
			    sim_expiry_next_monthly(m->today, k), 0);
		step = (int64_t)row->strike_step * 100;
		atm = (int64_t)(m->spot[u] * 100 / (double)step + 0.5) * step;
		ne = option_expiries(row, m->today, exp);
		for (e = 0; e < ne; e++) {
			for (k = -row->nstrikes; k <= row->nstrikes; k++) {
				if (atm + k * step <= 0)
					continue;
				add_nfo(m, &cap, u, &tok, SIM_IT_CE, exp[e],
				    atm + k * step);
				add_nfo(m, &cap, u, &tok, SIM_IT_PE, exp[e],
				    atm + k * step);
			}
		}
	}
}

/* Python-style float text, as Kite's dump has it: 0.0, 23500.0, 0.05. */
static void
csv_price(struct strbuf *b, int64_t p)
{
	if (p % 100 == 0)
		strbuf_printf(b, "%lld.0", (long long)(p / 100));
	else if (p % 10 == 0)
		strbuf_printf(b, "%lld.%lld", (long long)(p / 100),
		    (long long)(p % 100 / 10));
	else
		strbuf_printf(b, "%lld.%02lld", (long long)(p / 100),
		    (long long)(p % 100));
}

void
sim_instruments_csv(const struct sim_market *m, const char *exchange,
    struct strbuf *b)
{
	const struct sim_instr	*in;
	static const char	*types[] = { "EQ", "EQ", "FUT", "CE", "PE" };
	size_t			 i;

	strbuf_puts(b, "instrument_token,exchange_token,tradingsymbol,name,"
	    "last_price,expiry,strike,tick_size,lot_size,instrument_type,"
	    "segment,exchange\n");
	for (i = 0; i < m->n; i++) {
		in = &m->v[i];
		if (exchange != NULL && strcmp(exchange, in->exchange) != 0)
			continue;
		strbuf_printf(b, "%d,%d,%s,", in->token, in->exchange_token,
		    in->symbol);
		if (strchr(in->name, ',') != NULL)
			strbuf_printf(b, "\"%s\",", in->name);
		else
			strbuf_printf(b, "%s,", in->name);
		csv_price(b, in->close);
		if (in->expiry != 0)
			strbuf_printf(b, ",%04d-%02d-%02d,", in->expiry / 10000,
			    in->expiry / 100 % 100, in->expiry % 100);
		else
			strbuf_puts(b, ",,");
		csv_price(b, in->strike);
		strbuf_putc(b, ',');
		csv_price(b, in->type == SIM_IT_INDEX ? 0 : in->tick);
		strbuf_printf(b, ",%d,%s,%s,%s\n", in->lot, types[in->type],
		    in->segment, in->exchange);
	}
}
