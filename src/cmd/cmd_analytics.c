/*
 * The analytics commands, grammar and handlers together:
 *   pcr UNDERLYING [expiry DATE]    put-call ratio by OI and volume, max pain
 *   gamma UNDERLYING [expiry DATE]  gamma exposure by strike, zero gamma
 *   equity [TARGET] [1d|1w|1m|all]  equity curve, max drawdown marked
 *   pnl [TARGET] [by ...] [from DATE to DATE]  realised, unrealised, charges
 *   exposure [TARGET]               account x underlying heatmap
 *   sla [TARGET] [days N | from DATE to DATE]  execution quality
 * The chain comes from the stored instrument table, its quotes (OI,
 * volume, IV where the broker gives one) from the first kite account that
 * answers, and the numbers from src/analytics.  Equity comes from the
 * rollups of db/migrations/0021_analytics.sql, PnL from the orders' fills.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "db/store_analytics.h"
#include "exec/quotesrc.h"
#include "util/jsonget.h"

#define END_OPTS	{ .word = NULL }
#define MAX_OPTIONS	498		/* plus spot and future: one quote call */
#define RISK_FREE	0.065		/* for the model; a guess like any */
#define EXPIRY_CLOSE_S	(15 * 3600 + 30 * 60)	/* 15:30 IST */
#define IST_OFFSET_S	(5 * 3600 + 30 * 60)
#define YEAR_S		(365.0 * 86400)
#define CRORE		1e7

static const struct cmd_opt chain_opts[] = {
	{ .word = "expiry", .type = V_DATE },
	END_OPTS
};

static const char *const ranges[] = { "1d", "1w", "1m", "all", NULL };
static const char *const pnl_by[] = { "account", "broker", "strategy", "day",
	NULL };
static const char *const exposure_show[] = { "lots", "notional", "delta",
	NULL };
static const char *const exposure_sort[] = { "account", "lots", "notional",
	"delta", NULL };

static const struct cmd_opt equity_opts[] = {
	{ .word = "1d", .type = V_NONE, .group = "range" },
	{ .word = "1w", .type = V_NONE, .group = "range" },
	{ .word = "1m", .type = V_NONE, .group = "range" },
	{ .word = "range", .type = V_ENUM, .enums = ranges },
	{ .word = "broker", .type = V_NAME, .what = "a broker name" },
	{ .word = "strategy", .type = V_TEXT,
	  .what = "a strategy name (or tag:TAG for a fan-out tag)" },
	END_OPTS
};

static const struct cmd_opt pnl_opts[] = {
	{ .word = "by", .type = V_ENUM, .enums = pnl_by },
	{ .word = "from", .type = V_DATE },
	{ .word = "to", .type = V_DATE },
	END_OPTS
};

static const struct cmd_opt exposure_opts[] = {
	{ .word = "show", .type = V_ENUM, .enums = exposure_show },
	{ .word = "sort", .type = V_ENUM, .enums = exposure_sort },
	END_OPTS
};

static const struct cmd_opt sla_opts[] = {
	{ .word = "days", .type = V_INT, .what = "a whole number of days",
	  .max = 3660 },
	{ .word = "from", .type = V_DATE },
	{ .word = "to", .type = V_DATE },
	END_OPTS
};

/* A period is both ends or neither, in order, and not days as well. */
static int
period_check(struct cmd_pstate *ps)
{
	const char	*from = cmd_get(ps->cmd, "from");
	const char	*to = cmd_get(ps->cmd, "to");
	int		 end = ps->toks->textend;

	if ((from == NULL) != (to == NULL))
		return cmd_perr_set(ps->err, end, "a period needs both "
		    "\"from DATE\" and \"to DATE\"");
	if (from != NULL && strcmp(from, to) > 0)
		return cmd_perr_set(ps->err, end, "the period ends (%s) before "
		    "it starts (%s)", to, from);
	if (from != NULL && cmd_has(ps->cmd, "days"))
		return cmd_perr_set(ps->err, end, "give either \"days N\" or "
		    "\"from DATE to DATE\", not both");
	return 0;
}

/* equity: one series, named by a target or by broker or strategy. */
static int
equity_check(struct cmd_pstate *ps)
{
	int	n = cmd_has(ps->cmd, "broker") + cmd_has(ps->cmd, "strategy");
	int	targeted = ps->cmd->target != NULL &&
	    ps->cmd->target->kind != TARGET_ALL;

	if (n + targeted > 1)
		return cmd_perr_set(ps->err, ps->toks->textend, "equity shows "
		    "one series: a TARGET, \"broker NAME\" or \"strategy "
		    "NAME\", not several");
	return 0;
}

const struct cmd_def cmd_analytics_defs[] = {
	{ CMD_PCR, "pcr", "pcr UNDERLYING [expiry DATE] [--json]",
	  .pos = { { .key = "underlying", .type = V_NAME,
		     .what = "an underlying (NIFTY, BANKNIFTY, RELIANCE ...)" } },
	  .opts = chain_opts },
	{ CMD_GAMMA, "gamma", "gamma UNDERLYING [expiry DATE] [--json]",
	  .pos = { { .key = "underlying", .type = V_NAME,
		     .what = "an underlying (NIFTY, BANKNIFTY, RELIANCE ...)" } },
	  .opts = chain_opts },
	{ CMD_EQUITY, "equity",
	  "equity [TARGET] [1d|1w|1m | range 1d|1w|1m|all] [broker NAME] "
	  "[strategy NAME] [--json]",
	  .pos = { { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .opts = equity_opts, .check = equity_check },
	{ CMD_PNL, "pnl",
	  "pnl [TARGET] [by account|broker|strategy|day] "
	  "[from DATE to DATE] [--json]",
	  .pos = { { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .opts = pnl_opts, .check = period_check, .target_all = 1 },
	{ CMD_EXPOSURE, "exposure",
	  "exposure [TARGET] [show lots|notional|delta] "
	  "[sort account|lots|notional|delta] [--json]",
	  .pos = { { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .opts = exposure_opts, .target_all = 1 },
	{ CMD_SLA, "sla",
	  "sla [TARGET] [days N | from DATE to DATE] [--json]",
	  .pos = { { .key = "target", .type = V_TARGET, .optional = 1 } },
	  .opts = sla_opts, .check = period_check, .target_all = 1 },
};

const size_t cmd_analytics_ndefs = nitems(cmd_analytics_defs);

/* The spot of an index is quoted under its own name; a stock's is its. */
static const struct {
	const char	*underlying;
	const char	*key;
} index_keys[] = {
	{ "NIFTY", "NSE:NIFTY 50" },
	{ "BANKNIFTY", "NSE:NIFTY BANK" },
	{ "FINNIFTY", "NSE:NIFTY FIN SERVICE" },
	{ "MIDCPNIFTY", "NSE:NIFTY MID SELECT" },
	{ "NIFTYNXT50", "NSE:NIFTY NEXT 50" },
	{ "SENSEX", "BSE:SENSEX" },
	{ "BANKEX", "BSE:BANKEX" },
};

struct chain_job {
	struct cmd_job		*job;
	json_t			*rows;		/* the chain, future first */
	char			*spot_key;
	char			*fut_key;
	char			 expiry[16];
};

static void
chain_job_free(struct chain_job *cj)
{
	json_decref(cj->rows);
	free(cj->spot_key);
	free(cj->fut_key);
	free(cj);
}

static char *
spot_key_of(const char *underlying)
{
	size_t	i;

	for (i = 0; i < nitems(index_keys); i++) {
		if (strcmp(index_keys[i].underlying, underlying) == 0)
			return xstrdup(index_keys[i].key);
	}
	return xasprintf("NSE:%s", underlying);
}

static const struct broker_quote *
quote_of(const struct broker_quote *q, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; key != NULL && i < n; i++) {
		if (strcmp(q[i].key, key) == 0)
			return &q[i];
	}
	return NULL;
}

static void
option_key(json_t *row, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s",
	    json_string_value(json_object_get(row, "exchange")),
	    json_string_value(json_object_get(row, "symbol")));
}

/* Years from now to 15:30 IST on expiry (yyyy-mm-dd), at least a minute. */
static double
years_to(const char *expiry)
{
	int	y, m, d;
	double	secs;

	if (sscanf(expiry, "%d-%d-%d", &y, &m, &d) != 3)
		return 1.0 / 365;
	secs = (double)time_days_from_civil(y, m, d) * 86400 +
	    EXPIRY_CLOSE_S - IST_OFFSET_S - (double)time_display_us() / 1e6;
	return fmax(secs, 60) / YEAR_S;
}

static json_t *
stats_json(const struct an_chain_stats *st, double spot, const char *from,
    const char *expiry)
{
	json_t	*j;

	j = json_pack("{s:s,s:f,s:s,s:I,s:I,s:I,s:I,s:f,s:f,s:i,s:i}",
	    "expiry", expiry, "spot", spot, "spot_from", from,
	    "call_oi", (json_int_t)st->call_oi, "put_oi",
	    (json_int_t)st->put_oi, "call_volume",
	    (json_int_t)st->call_volume, "put_volume",
	    (json_int_t)st->put_volume, "max_pain", st->max_pain,
	    "total_gex", st->total_gex, "iv_solved", st->iv_solved,
	    "iv_missing", st->iv_missing);
	json_object_set_new(j, "pcr_oi", st->pcr_oi >= 0 ?
	    json_real(st->pcr_oi) : json_null());
	json_object_set_new(j, "pcr_volume", st->pcr_volume >= 0 ?
	    json_real(st->pcr_volume) : json_null());
	json_object_set_new(j, "zero_gamma", st->zero_gamma >= 0 ?
	    json_real(st->zero_gamma) : json_null());
	return j;
}

static void
pcr_text(struct strbuf *b, const char *und, const struct an_chain_stats *st,
    double spot, const char *from, const char *expiry)
{
	strbuf_printf(b, "%s %s, spot %.2f (%s)\n", und, expiry, spot, from);
	if (st->pcr_oi >= 0)
		strbuf_printf(b, "  PCR by OI      %.3f  (puts %lld / calls "
		    "%lld)\n", st->pcr_oi, (long long)st->put_oi,
		    (long long)st->call_oi);
	else
		strbuf_puts(b, "  PCR by OI      -  (no call OI)\n");
	if (st->pcr_volume >= 0)
		strbuf_printf(b, "  PCR by volume  %.3f  (puts %lld / calls "
		    "%lld)\n", st->pcr_volume, (long long)st->put_volume,
		    (long long)st->call_volume);
	else
		strbuf_puts(b, "  PCR by volume  -  (no call volume)\n");
	strbuf_printf(b, "  max pain       %.2f\n", st->max_pain);
}

/* Rupees in crores, with no "-0.00" for a sliver below zero. */
static double
crores(double v)
{
	v /= CRORE;
	return fabs(v) < 0.005 ? 0 : v;
}

static void
gamma_text(struct strbuf *b, const struct an_strike_gex *g, size_t m,
    const struct an_chain_stats *st)
{
	size_t	i;

	strbuf_printf(b, "  total GEX      %.2f Cr per 1%% move\n",
	    crores(st->total_gex));
	if (st->zero_gamma >= 0)
		strbuf_printf(b, "  zero gamma     %.2f\n", st->zero_gamma);
	else
		strbuf_puts(b, "  zero gamma     none within 15% of the spot\n");
	if (st->iv_solved > 0 || st->iv_missing > 0)
		strbuf_printf(b, "  IV solved from price for %d, missing for "
		    "%d\n", st->iv_solved, st->iv_missing);
	strbuf_printf(b, "  %10s %12s %12s %10s %10s %10s\n", "STRIKE",
	    "CALL OI", "PUT OI", "CALL Cr", "PUT Cr", "NET Cr");
	for (i = 0; i < m; i++)
		strbuf_printf(b, "  %10.2f %12lld %12lld %10.2f %10.2f %10.2f\n",
		    g[i].strike, (long long)g[i].call_oi,
		    (long long)g[i].put_oi, crores(g[i].call_gex),
		    crores(g[i].put_gex), crores(g[i].net_gex));
}

static json_t *
strikes_json(const struct an_strike_gex *g, size_t m)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < m; i++)
		json_array_append_new(a, json_pack("{s:f,s:I,s:I,s:f,s:f,s:f}",
		    "strike", g[i].strike, "call_oi", (json_int_t)g[i].call_oi,
		    "put_oi", (json_int_t)g[i].put_oi, "call_gex",
		    g[i].call_gex, "put_gex", g[i].put_gex, "net_gex",
		    g[i].net_gex));
	return a;
}

static void
chain_quoted(const struct err *err, const struct broker_quote *q, size_t n,
    void *arg)
{
	struct chain_job		*cj = arg;
	struct cmd_job			*job = cj->job;
	const struct broker_quote	*sq, *oq;
	struct an_option		*o;
	struct an_strike_gex		*g;
	struct an_chain_stats		 st;
	struct strbuf			 b;
	const char			*from;
	json_t				*row;
	size_t				 i, no = 0, m;
	double				 spot;
	char				 key[80];

	if (err != NULL) {
		cmd_fail(job, err);
		chain_job_free(cj);
		return;
	}
	if ((sq = quote_of(q, n, cj->spot_key)) == NULL || sq->ltp <= 0)
		sq = quote_of(q, n, cj->fut_key);
	if (sq == NULL || sq->ltp <= 0) {
		cmd_failf(job, "no-quote", "no quote for %s or its future: "
		    "the spot is unknown", cj->spot_key);
		chain_job_free(cj);
		return;
	}
	spot = (double)sq->ltp / 100;
	from = sq->key;
	o = xcalloc(json_array_size(cj->rows) + 1, sizeof *o);
	json_array_foreach(cj->rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "type")),
		    "FUT") == 0)
			continue;
		option_key(row, key, sizeof key);
		if ((oq = quote_of(q, n, key)) == NULL)
			continue;	/* not quoted: left out */
		o[no].strike = atof(json_string_value(json_object_get(row,
		    "strike")));
		o[no].is_call = strcmp(json_string_value(json_object_get(row,
		    "type")), "CE") == 0;
		o[no].oi = oq->oi;
		o[no].volume = oq->volume;
		o[no].ltp = (double)oq->ltp / 100;
		o[no].iv = (double)oq->iv_x100 / 10000;
		no++;
	}
	g = xcalloc(no + 1, sizeof *g);
	m = an_chain(o, no, spot, years_to(cj->expiry), RISK_FREE, &st, g, no);
	strbuf_init(&b);
	pcr_text(&b, cmd_get(job->cmd, "underlying"), &st, spot, from,
	    cj->expiry);
	job->res.data = stats_json(&st, spot, from, cj->expiry);
	json_object_set_new(job->res.data, "underlying", json_string(
	    cmd_get(job->cmd, "underlying")));
	json_object_set_new(job->res.data, "options", json_integer(
	    (json_int_t)no));
	if (job->cmd->kind == CMD_GAMMA) {
		gamma_text(&b, g, m, &st);
		json_object_set_new(job->res.data, "strikes",
		    strikes_json(g, m));
	}
	job->res.text = strbuf_steal(&b);
	free(o);
	free(g);
	chain_job_free(cj);
	cmd_done(job);
}

static void
chain_got(json_t *rows, const struct err *err, void *arg)
{
	struct chain_job	*cj = arg;
	struct cmd_job		*job = cj->job;
	const char		**keys;
	json_t			*row;
	size_t			 i, n = 0, nopt = 0;
	char			 key[80];

	if (err != NULL) {
		cmd_fail(job, err);
		chain_job_free(cj);
		return;
	}
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "type")),
		    "FUT") == 0)
			cj->fut_key = xasprintf("%s:%s", json_string_value(
			    json_object_get(row, "exchange")), json_string_value(
			    json_object_get(row, "symbol")));
		else {
			nopt++;
			snprintf(cj->expiry, sizeof cj->expiry, "%s",
			    json_string_value(json_object_get(row, "expiry")));
		}
	}
	if (nopt == 0) {
		cmd_failf(job, "no-options", "no %soptions of %s%s%s in the "
		    "instrument table (load it: instruments load exchange NFO)",
		    cmd_has(job->cmd, "expiry") ? "" : "unexpired ",
		    cmd_get(job->cmd, "underlying"),
		    cmd_has(job->cmd, "expiry") ? " expiring " : "",
		    cmd_has(job->cmd, "expiry") ? cmd_get(job->cmd, "expiry") :
		    "");
		chain_job_free(cj);
		return;
	}
	if (nopt > MAX_OPTIONS) {
		cmd_failf(job, "usage", "%s has %zu options at %s; at most %d "
		    "can be quoted at once", cmd_get(job->cmd, "underlying"),
		    nopt, cj->expiry, MAX_OPTIONS);
		chain_job_free(cj);
		return;
	}
	cj->rows = json_incref(rows);
	keys = xcalloc(nopt + 3, sizeof *keys);
	cj->spot_key = spot_key_of(cmd_get(job->cmd, "underlying"));
	keys[n++] = cj->spot_key;
	if (cj->fut_key != NULL)
		keys[n++] = cj->fut_key;
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "type")),
		    "FUT") != 0) {
			option_key(row, key, sizeof key);
			keys[n++] = xstrdup(key);
		}
	}
	quotesrc_get(job->env->store, job->env->cfg, job->env->home, keys, n,
	    chain_quoted, cj);
	for (i = cj->fut_key != NULL ? 2 : 1; i < n; i++)
		free((char *)keys[i]);
	free(keys);
}

static void
cmd_chain(struct cmd_job *job)
{
	struct chain_job	*cj = xcalloc(1, sizeof *cj);

	cj->job = job;
	store_option_chain(job->env->store, cmd_get(job->cmd, "underlying"),
	    cmd_get(job->cmd, "expiry"), chain_got, cj);
}


/* equity, pnl, exposure, sla ------------------------------------------ */

/*
 * What a book command asks, once its target is resolved: the account ids
 * and names (NULL: every account), and the period in IST dates.
 */
struct an_req {
	struct cmd_job	*job;
	void		(*next)(struct an_req *);
	json_t		*ids;
	json_t		*names;
	char		 from[16], to[16];
	json_t		*rows;		/* a first query's, for a second */
	char		*scope;
	json_t		*series;	/* names of the equity series */
};

static void
an_req_free(struct an_req *rq)
{
	json_decref(rq->ids);
	json_decref(rq->names);
	json_decref(rq->rows);
	json_decref(rq->series);
	free(rq->scope);
	free(rq);
}

static void
an_fail(struct an_req *rq, const struct err *err)
{
	struct cmd_job	*job = rq->job;

	an_req_free(rq);
	cmd_fail(job, err);
}

static void
an_done(struct an_req *rq)
{
	struct cmd_job	*job = rq->job;

	an_req_free(rq);
	cmd_done(job);
}

/* The IST date days before today, yyyy-mm-dd. */
static void
ist_date(int days_back, char *buf, size_t len)
{
	int	t = time_today_ist(), d;

	d = time_civil_from_days(time_days_from_civil(t / 10000,
	    t / 100 % 100, t % 100) - days_back);
	snprintf(buf, len, "%04d-%02d-%02d", d / 10000, d / 100 % 100,
	    d % 100);
}

/* Epoch seconds as IST "yyyy-mm-dd hh:mm". */
static void
ist_minute(int64_t t, char *buf, size_t len)
{
	char	full[32];

	time_fmt_ist(t * 1000000, full, sizeof full);
	snprintf(buf, len, "%.16s", full);
}

static void
an_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct an_req		*rq = arg;
	const struct cmd	*cmd = rq->job->cmd;
	struct target_match	 m;
	struct err		 e;
	size_t			 i;

	if (err != NULL) {
		an_fail(rq, err);
		return;
	}
	if (cmd->target != NULL && cmd->target->kind != TARGET_ALL) {
		if (target_resolve(cmd->target, set, &m, &e) != 0) {
			an_fail(rq, &e);
			return;
		}
		rq->ids = json_array();
		rq->names = json_array();
		for (i = 0; i < m.n; i++) {
			json_array_append_new(rq->ids, json_integer(m.v[i]->id));
			json_array_append_new(rq->names,
			    json_string(m.v[i]->name));
		}
		target_match_free(&m);
	}
	rq->next(rq);
}

static void
an_start(struct cmd_job *job, void (*next)(struct an_req *))
{
	struct an_req	*rq = xcalloc(1, sizeof *rq);
	const char	*from = cmd_get(job->cmd, "from");
	int64_t		 days = cmd_get_int(job->cmd, "days", 1);

	rq->job = job;
	rq->next = next;
	if (from != NULL) {
		snprintf(rq->from, sizeof rq->from, "%s", from);
		snprintf(rq->to, sizeof rq->to, "%s", cmd_get(job->cmd, "to"));
	} else {
		ist_date(days > 0 ? (int)days - 1 : 0, rq->from,
		    sizeof rq->from);
		ist_date(0, rq->to, sizeof rq->to);
	}
	store_accounts_load(job->env->store, an_accounts, rq);
}

static double
row_num(json_t *row, const char *key)
{
	json_t	*v = json_object_get(row, key);

	if (json_is_string(v))
		return strtod(json_string_value(v), NULL);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Rupees for text, to the paisa, never "-0.00". */
static void
fmt_rs(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.2f", fabs(v) < 0.005 ? 0.0 : v);
}


/* equity ---------------------------------------------------------------- */

static const struct {
	const char	*range;
	const char	*width;
	int		 days;		/* 0: all */
} equity_ranges[] = {
	{ "1d", "1m", 1 },
	{ "1w", "15m", 7 },
	{ "1m", "15m", 30 },
	{ "all", "1d", 0 },
};

static const char *
equity_range(const struct cmd *cmd, size_t *ri)
{
	const char	*r = cmd_get(cmd, "range");
	size_t		 i;

	for (i = 0; r != NULL && i < nitems(equity_ranges); i++) {
		if (strcmp(equity_ranges[i].range, r) == 0) {
			*ri = i;
			return r;
		}
	}
	*ri = 0;
	return "1d";
}

static json_t *
equity_point(json_t *row, int64_t t)
{
	char	ts[32];

	ist_minute(t, ts, sizeof ts);
	return json_pack("{s:I,s:s,s:f,s:f,s:f,s:f}", "t", (json_int_t)t,
	    "ist", ts, "equity", row_num(row, "equity"), "realised",
	    row_num(row, "realised"), "unrealised", row_num(row,
	    "unrealised"), "margin_used", row_num(row, "margin_used"));
}

/* At most max rows of a long curve: evenly spaced, ends, peak, trough. */
static int
equity_shown(size_t i, size_t n, size_t max, const struct an_drawdown *dd)
{
	if (n <= max || i == 0 || i == n - 1)
		return 1;
	if (dd->amount > 0 && (i == dd->peak || i == dd->trough))
		return 1;
	return (i * (max - 1)) / (n - 1) != ((i - 1) * (max - 1)) / (n - 1);
}

static void
equity_text(struct strbuf *b, json_t *pts, const struct an_drawdown *dd,
    const double *y, size_t n)
{
	json_t	*p;
	size_t	 i, hi = 0, lo = 0;
	char	 v[48], w[48], t[32];

	for (i = 1; i < n; i++) {
		hi = y[i] > y[hi] ? i : hi;
		lo = y[i] < y[lo] ? i : lo;
	}
	fmt_rs(y[0], v, sizeof v);
	fmt_rs(y[n - 1], w, sizeof w);
	strbuf_printf(b, "  start %s, end %s", v, w);
	fmt_rs(y[n - 1] - y[0], v, sizeof v);
	strbuf_printf(b, ", change %s\n", v);
	fmt_rs(y[hi], v, sizeof v);
	fmt_rs(y[lo], w, sizeof w);
	strbuf_printf(b, "  high %s, low %s\n", v, w);
	if (dd->amount > 0) {
		fmt_rs(-dd->amount, v, sizeof v);
		strbuf_printf(b, "  max drawdown %s (%.2f%%) from %s",
		    v, dd->pct, json_string_value(json_object_get(
		    json_array_get(pts, dd->peak), "ist")));
		strbuf_printf(b, " to %s\n", json_string_value(json_object_get(
		    json_array_get(pts, dd->trough), "ist")));
	} else
		strbuf_puts(b, "  max drawdown none (never below a peak)\n");
	strbuf_printf(b, "  %-16s %18s %16s %16s\n", "TIME (IST)", "EQUITY",
	    "REALISED", "UNREALISED");
	json_array_foreach(pts, i, p) {
		if (!equity_shown(i, n, 24, dd))
			continue;
		snprintf(t, sizeof t, "%s", json_string_value(json_object_get(p,
		    "ist")));
		fmt_rs(y[i], v, sizeof v);
		strbuf_printf(b, "  %-16s %18s", t, v);
		fmt_rs(row_num(p, "realised"), v, sizeof v);
		fmt_rs(row_num(p, "unrealised"), w, sizeof w);
		strbuf_printf(b, " %16s %16s%s\n", v, w, dd->amount > 0 &&
		    i == dd->peak ? "  <- peak" : dd->amount > 0 &&
		    i == dd->trough ? "  <- trough (max drawdown)" : "");
	}
}

static void	equity_series(struct an_req *, size_t);

static void
equity_got(json_t *rows, const struct err *err, void *arg)
{
	struct an_req		*rq = arg;
	struct cmd_job		*job = rq->job;
	struct an_drawdown	 dd;
	struct strbuf		 b;
	json_t			*row, *pts = json_array(), *j;
	double			*y;
	size_t			 i, n, ri;
	const char		*range = equity_range(job->cmd, &ri);
	char			*who;

	if (err != NULL) {
		json_decref(pts);
		an_fail(rq, err);
		return;
	}
	/* A group with no points of its own yet: its accounts summed. */
	if (json_array_size(rows) == 0 && strcmp(rq->scope, "group") == 0 &&
	    json_array_size(rq->names) > 0) {
		json_decref(pts);
		free(rq->scope);
		rq->scope = xstrdup("account");
		json_decref(rq->series);
		rq->series = json_incref(rq->names);
		equity_series(rq, ri);
		return;
	}
	n = json_array_size(rows);
	y = xcalloc(n + 1, sizeof *y);
	json_array_foreach(rows, i, row) {
		y[i] = row_num(row, "equity");
		json_array_append_new(pts, equity_point(row,
		    json_integer_value(json_object_get(row, "t"))));
	}
	an_max_drawdown(y, n, &dd);
	if (strcmp(rq->scope, "group") == 0)
		who = xasprintf("group %s (%zu accounts)", json_string_value(
		    json_array_get(rq->series, 0)), json_array_size(rq->names));
	else
		who = json_array_size(rq->series) == 1 ? xasprintf("%s %s",
		    rq->scope, json_string_value(json_array_get(rq->series,
		    0))) : xasprintf("%zu accounts",
		    json_array_size(rq->series));
	if (strcmp(rq->scope, "firm") == 0) {
		free(who);
		who = xstrdup("the firm");
	}
	j = json_pack("{s:s,s:O,s:s,s:s,s:o}", "scope", rq->scope, "series",
	    rq->series, "range", range, "width", equity_ranges[ri].width,
	    "points", pts);
	strbuf_init(&b);
	strbuf_printf(&b, "Equity of %s, %s (%s buckets), %zu points\n", who,
	    range, equity_ranges[ri].width, n);
	if (n == 0) {
		strbuf_puts(&b, "  no equity points yet: snapshots are taken "
		    "every analytics.snapshot_s by phalanx serve or a console, "
		    "and at every fill\n");
		json_object_set_new(j, "max_drawdown", json_null());
	} else {
		equity_text(&b, pts, &dd, y, n);
		json_object_set_new(j, "first", json_real(y[0]));
		json_object_set_new(j, "last", json_real(y[n - 1]));
		json_object_set_new(j, "max_drawdown", dd.amount > 0 ?
		    json_pack("{s:f,s:f,s:I,s:I,s:i,s:i}", "amount",
		    dd.amount, "pct", dd.pct, "peak_t", json_integer_value(
		    json_object_get(json_array_get(pts, dd.peak), "t")),
		    "trough_t", json_integer_value(json_object_get(
		    json_array_get(pts, dd.trough), "t")), "peak",
		    (int)dd.peak, "trough", (int)dd.trough) :
		    json_pack("{s:f,s:f}", "amount", 0.0, "pct", 0.0));
	}
	free(y);
	free(who);
	job->res.data = j;
	job->res.text = strbuf_steal(&b);
	an_done(rq);
}

static void
equity_series(struct an_req *rq, size_t ri)
{
	char	since[40];

	if (equity_ranges[ri].days > 0)
		time_fmt_utc(time_display_us() - (int64_t)equity_ranges[ri].days *
		    86400 * 1000000, since, sizeof since);
	store_equity_series(rq->job->env->store, equity_ranges[ri].width,
	    rq->scope, rq->series, equity_ranges[ri].days > 0 ? since : NULL,
	    equity_got, rq);
}

/*
 * The series a target names.  A group (group:TAG) reads its own series,
 * kept by the snapshots like every other scope's (migration 0025), so
 * its curve costs what one account's does; other account lists are
 * summed from their accounts' series.
 */
static void
equity_query(struct an_req *rq)
{
	const struct cmd	*cmd = rq->job->cmd;
	const char		*v;
	size_t			 ri;

	equity_range(cmd, &ri);
	if ((v = cmd_get(cmd, "broker")) != NULL) {
		rq->scope = xstrdup("broker");
		rq->series = json_pack("[s]", v);
	} else if ((v = cmd_get(cmd, "strategy")) != NULL) {
		rq->scope = xstrdup("strategy");
		rq->series = strchr(v, ':') != NULL ? json_pack("[s]", v) :
		    json_pack("[s+]", "strategy:", v);
	} else if (rq->names != NULL && cmd->target != NULL &&
	    cmd->target->kind == TARGET_GROUP) {
		rq->scope = xstrdup("group");
		rq->series = json_pack("[s]", cmd->target->names[0]);
	} else if (rq->names != NULL) {
		rq->scope = xstrdup("account");
		rq->series = json_incref(rq->names);
	} else {
		rq->scope = xstrdup("firm");
		rq->series = json_pack("[s]", "firm");
	}
	equity_series(rq, ri);
}

static void
cmd_equity(struct cmd_job *job)
{
	an_start(job, equity_query);
}

/* pnl ------------------------------------------------------------------- */

static int
pnl_row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct an_pnl_row *)a)->group,
	    ((const struct an_pnl_row *)b)->group);
}

static json_t *
pnl_row_json(const struct an_pnl_row *r, const char *key)
{
	double	net = r->realised + r->unrealised - r->ch.total;

	return json_pack("{s:s,s:f,s:f,s:f,s:f,s:I,s:f,s:{s:f,s:f,s:f,s:f,"
	    "s:f,s:f}}", key, r->group, "realised", r->realised, "unrealised",
	    r->unrealised, "charges", r->ch.total, "net", net, "orders",
	    (json_int_t)r->orders, "turnover", r->turnover, "charges_detail",
	    "brokerage", r->ch.brokerage, "stt", r->ch.stt, "exchange",
	    r->ch.exchange, "sebi", r->ch.sebi, "stamp", r->ch.stamp, "gst",
	    r->ch.gst);
}

static void
pnl_line(struct strbuf *b, const struct an_pnl_row *r)
{
	char	c[5][48];

	fmt_rs(r->realised, c[0], sizeof c[0]);
	fmt_rs(r->unrealised, c[1], sizeof c[1]);
	fmt_rs(r->ch.total, c[2], sizeof c[2]);
	fmt_rs(r->realised + r->unrealised - r->ch.total, c[3], sizeof c[3]);
	strbuf_printf(b, "  %-20.20s %14s %14s %12s %14s %6lld\n", r->group,
	    c[0], c[1], c[2], c[3], (long long)r->orders);
}

static void
pnl_report(struct an_req *rq, struct an_pnl *p, const char *by)
{
	struct cmd_job		*job = rq->job;
	struct an_pnl_row	 tot;
	struct strbuf		 b;
	json_t			*arr = json_array();
	size_t			 i;

	if (p->nrows > 0)
		qsort(p->rows, p->nrows, sizeof *p->rows, pnl_row_cmp);
	memset(&tot, 0, sizeof tot);
	tot.group = (char *)"TOTAL";
	strbuf_init(&b);
	strbuf_printf(&b, "PnL by %s, %s to %s (IST); unrealised at the last "
	    "mark\n", by, rq->from, rq->to);
	if (strcmp(by, "strategy") == 0)
		strbuf_puts(&b, "  (a fan-out's strategy where it has one, "
		    "else its tag; untagged: neither)\n");
	strbuf_printf(&b, "  %-20s %14s %14s %12s %14s %6s\n", by[0] == 'd' ?
	    "DAY" : by[0] == 'b' ? "BROKER" : by[0] == 's' ? "STRATEGY" :
	    "ACCOUNT", "REALISED", "UNREALISED", "CHARGES", "NET", "ORDERS");
	for (i = 0; i < p->nrows; i++) {
		pnl_line(&b, &p->rows[i]);
		json_array_append_new(arr, pnl_row_json(&p->rows[i], by));
		tot.realised += p->rows[i].realised;
		tot.unrealised += p->rows[i].unrealised;
		tot.turnover += p->rows[i].turnover;
		tot.orders += p->rows[i].orders;
		an_charges_add(&tot.ch, &p->rows[i].ch);
	}
	if (p->nrows == 0)
		strbuf_puts(&b, "  no fills in the period\n");
	pnl_line(&b, &tot);
	strbuf_puts(&b, "  charges: estimated (brokerage, STT, exchange, SEBI, "
	    "stamp, GST)\n");
	job->res.text = strbuf_steal(&b);
	job->res.data = json_pack("{s:s,s:s,s:s,s:o,s:o}", "by", by, "from",
	    rq->from, "to", rq->to, "rows", arr, "total",
	    pnl_row_json(&tot, by));
}

static void
pnl_got(json_t *rows, const struct err *err, void *arg)
{
	struct an_req		*rq = arg;
	const char		*by = cmd_get(rq->job->cmd, "by");
	struct an_pnl		 p;
	struct an_pnl_row	*r;
	struct an_charges	 ch;
	json_t			*row;
	const char		*day, *grp, *side;
	size_t			 i;
	int			 counted;
	double			 price, ltp, rz;
	int64_t			 qty;
	char			 key[320];

	if (err != NULL) {
		an_fail(rq, err);
		return;
	}
	if (by == NULL)
		by = "account";
	an_pnl_init(&p);
	json_array_foreach(rows, i, row) {
		day = jstr(row, "day");
		grp = by[0] == 'd' ? day : jstr(row, by);
		side = jstr(row, "side");
		qty = json_integer_value(json_object_get(row, "qty"));
		price = row_num(row, "price");
		ltp = json_is_string(json_object_get(row, "ltp")) ?
		    row_num(row, "ltp") : -1;
		counted = strcmp(day, rq->from) >= 0 &&
		    strcmp(day, rq->to) <= 0;
		snprintf(key, sizeof key, "%s|%s|%s:%s|%s", by[0] == 's' ?
		    grp : "", jstr(row, "account"), jstr(row,
		    "exchange"), jstr(row, "symbol"), jstr(row,
		    "product"));
		/* Unrealised goes to the position's group (by day: the
		 * period's last), realised to the fill's. */
		rz = an_pnl_fill(&p, key, by[0] == 'd' ? rq->to : grp, 0,
		    strcmp(side, "BUY") == 0, qty, price, ltp);
		if (counted) {
			r = an_pnl_row(&p, grp);
			r->realised += rz;
			an_charges_order(jstr(row, "itype"),
			    jstr(row, "product"), strcmp(side, "BUY") ==
			    0, (double)qty * price, &ch);
			an_charges_add(&r->ch, &ch);
			r->turnover += (double)qty * price;
			r->orders++;
		}
	}
	an_pnl_mark(&p);
	pnl_report(rq, &p, by);
	an_pnl_free(&p);
	an_done(rq);
}

static void
pnl_query(struct an_req *rq)
{
	store_pnl_fills(rq->job->env->store, rq->ids, rq->to, pnl_got, rq);
}

static void
cmd_pnl(struct cmd_job *job)
{
	an_start(job, pnl_query);
}

/* exposure -------------------------------------------------------------- */

/* One account x underlying cell. */
struct xcell {
	const char	*account;
	const char	*underlying;
	double		 lots, notional, delta;
	int		 delta_known;
};

struct xsum {
	const char	*name;
	double		 lots, notional, delta;
};

static const char *
exposure_spot_key(const char *underlying, char *buf, size_t len)
{
	char	*k = spot_key_of(underlying);

	snprintf(buf, len, "%s", k);
	free(k);
	return buf;
}

/* Delta of one position in units of its underlying; 0 when unknown. */
static int
exposure_delta(json_t *row, const struct broker_quote *q, size_t nq,
    double *delta)
{
	const struct broker_quote	*sq, *oq;
	const char			*it = jstr(row, "itype");
	double				 s, k, t, iv, ltp;
	char				 key[96];
	int64_t				 qty = json_integer_value(
					    json_object_get(row, "qty"));

	if (strcmp(it, "CE") != 0 && strcmp(it, "PE") != 0) {
		*delta = (double)qty;
		return 1;
	}
	sq = quote_of(q, nq, exposure_spot_key(jstr(row, "underlying"), key,
	    sizeof key));
	snprintf(key, sizeof key, "%s:%s", jstr(row, "exchange"),
	    jstr(row, "symbol"));
	oq = quote_of(q, nq, key);
	if (sq == NULL || sq->ltp <= 0)
		return 0;
	s = (double)sq->ltp / 100;
	k = row_num(row, "strike");
	t = years_to(jstr(row, "expiry"));
	iv = oq != NULL ? (double)oq->iv_x100 / 10000 : 0;
	ltp = oq != NULL && oq->ltp > 0 ? (double)oq->ltp / 100 :
	    row_num(row, "ltp");
	if (iv <= 0)
		iv = an_implied_vol(strcmp(it, "CE") == 0, ltp, s, k, t,
		    RISK_FREE);
	if (iv <= 0)
		return 0;
	*delta = (double)qty * an_bs_delta(strcmp(it, "CE") == 0, s, k, t,
	    RISK_FREE, iv);
	return 1;
}

static double
xmeasure(double lots, double notional, double delta, const char *show)
{
	return show[0] == 'n' ? notional : show[0] == 'd' ? delta : lots;
}

static const char *exposure_sort_by;

static int
xsum_cmp(const void *a, const void *b)
{
	const struct xsum	*x = a, *y = b;
	double			 vx, vy;

	if (exposure_sort_by[0] == 'a')
		return strcmp(x->name, y->name);
	vx = fabs(xmeasure(x->lots, x->notional, x->delta, exposure_sort_by));
	vy = fabs(xmeasure(y->lots, y->notional, y->delta, exposure_sort_by));
	return vx < vy ? 1 : vx > vy ? -1 : strcmp(x->name, y->name);
}

static struct xsum *
xsum_of(struct xsum *v, size_t *n, const char *name)
{
	size_t	i;

	for (i = 0; i < *n; i++) {
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	}
	memset(&v[*n], 0, sizeof v[*n]);
	v[*n].name = name;
	return &v[(*n)++];
}

static void
exposure_cell_text(struct strbuf *b, double v, const char *show, int known)
{
	if (!known)
		strbuf_printf(b, " %11s", "?");
	else if (show[0] == 'l')
		strbuf_printf(b, " %11.1f", v);
	else
		strbuf_printf(b, " %11.0f", v);
}

static void
exposure_report(struct cmd_job *job, json_t *rows,
    const struct broker_quote *q, size_t nq, const char *quote_err)
{
	const char	*show = cmd_get(job->cmd, "show");
	const char	*sort = cmd_get(job->cmd, "sort");
	size_t		 n = json_array_size(rows), i, j, k, nc = 0, na = 0;
	size_t		 nu = 0;
	struct xcell	*c = xcalloc(n + 1, sizeof *c), *cell;
	struct xsum	*acc = xcalloc(n + 1, sizeof *acc);
	struct xsum	*und = xcalloc(n + 1, sizeof *und), *a, *u;
	struct strbuf	 b;
	json_t		*row, *cells = json_array(), *accs = json_array();
	double		 d, lots;
	int		 known, missing = 0;

	show = show != NULL ? show : "lots";
	exposure_sort_by = sort != NULL ? sort : show;
	json_array_foreach(rows, i, row) {
		for (cell = NULL, j = 0; j < nc; j++) {
			if (strcmp(c[j].account, jstr(row, "account")) == 0 &&
			    strcmp(c[j].underlying, jstr(row, "underlying")) ==
			    0)
				cell = &c[j];
		}
		if (cell == NULL) {
			cell = &c[nc++];
			cell->account = jstr(row, "account");
			cell->underlying = jstr(row, "underlying");
			cell->delta_known = 1;
		}
		lots = (double)json_integer_value(json_object_get(row, "qty")) /
		    (double)json_integer_value(json_object_get(row, "lot"));
		cell->lots += lots;
		cell->notional += (double)json_integer_value(json_object_get(
		    row, "qty")) * row_num(row, "ltp");
		known = exposure_delta(row, q, nq, &d);
		cell->delta += known ? d : 0;
		cell->delta_known &= known;
		missing += !known;
	}
	for (i = 0; i < nc; i++) {
		a = xsum_of(acc, &na, c[i].account);
		u = xsum_of(und, &nu, c[i].underlying);
		a->lots += c[i].lots;
		a->notional += c[i].notional;
		a->delta += c[i].delta;
		u->lots += c[i].lots;
		u->notional += c[i].notional;
		u->delta += c[i].delta;
		json_array_append_new(cells, json_pack("{s:s,s:s,s:f,s:f,s:o}",
		    "account", c[i].account, "underlying", c[i].underlying,
		    "lots", c[i].lots, "notional", c[i].notional, "delta",
		    c[i].delta_known ? json_real(c[i].delta) : json_null()));
	}
	qsort(acc, na, sizeof *acc, xsum_cmp);
	exposure_sort_by = "notional";
	qsort(und, nu, sizeof *und, xsum_cmp);
	strbuf_init(&b);
	strbuf_printf(&b, "Exposure, %s by account x underlying (net; sorted "
	    "by %s)\n", show, sort != NULL ? sort : show);
	if (nc == 0)
		strbuf_puts(&b, "  no open positions\n");
	else {
		strbuf_printf(&b, "  %-14s", "ACCOUNT");
		for (j = 0; j < nu && j < 5; j++)
			strbuf_printf(&b, " %11.11s", und[j].name);
		strbuf_printf(&b, " %11s\n", "TOTAL");
	}
	for (i = 0; i < na; i++) {
		strbuf_printf(&b, "  %-14.14s", acc[i].name);
		for (j = 0; j < nu && j < 5; j++) {
			for (cell = NULL, k = 0; k < nc; k++) {
				if (strcmp(c[k].account, acc[i].name) == 0 &&
				    strcmp(c[k].underlying, und[j].name) == 0)
					cell = &c[k];
			}
			if (cell == NULL)
				strbuf_printf(&b, " %11s", ".");
			else
				exposure_cell_text(&b, xmeasure(cell->lots,
				    cell->notional, cell->delta, show), show,
				    show[0] != 'd' || cell->delta_known);
		}
		exposure_cell_text(&b, xmeasure(acc[i].lots, acc[i].notional,
		    acc[i].delta, show), show, 1);
		strbuf_putc(&b, '\n');
		json_array_append_new(accs, json_pack("{s:s,s:f,s:f,s:f}",
		    "account", acc[i].name, "lots", acc[i].lots, "notional",
		    acc[i].notional, "delta", acc[i].delta));
	}
	if (nu > 5)
		strbuf_printf(&b, "  (%zu more underlyings in --json)\n",
		    nu - 5);
	if (missing > 0)
		strbuf_printf(&b, "  delta unknown for %d option position(s)%s%s"
		    "\n", missing, quote_err != NULL ? ": " : "",
		    quote_err != NULL ? quote_err : "");
	job->res.text = strbuf_steal(&b);
	job->res.data = json_pack("{s:s,s:s,s:o,s:o}", "show", show, "sort",
	    sort != NULL ? sort : show, "cells", cells, "accounts", accs);
	json_object_set_new(job->res.data, "underlyings", json_array());
	for (j = 0; j < nu; j++)
		json_array_append_new(json_object_get(job->res.data,
		    "underlyings"), json_pack("{s:s,s:f,s:f,s:f}", "underlying",
		    und[j].name, "lots", und[j].lots, "notional",
		    und[j].notional, "delta", und[j].delta));
	free(c);
	free(acc);
	free(und);
}

static void
exposure_quoted(const struct err *err, const struct broker_quote *q,
    size_t n, void *arg)
{
	struct an_req	*rq = arg;

	exposure_report(rq->job, rq->rows, err == NULL ? q : NULL,
	    err == NULL ? n : 0, err != NULL ? err->msg : NULL);
	an_done(rq);
}

static void
exposure_got(json_t *rows, const struct err *err, void *arg)
{
	struct an_req	*rq = arg;
	const char	**keys;
	json_t		*row;
	size_t		 i, n = 0;
	char		 key[96];

	if (err != NULL) {
		an_fail(rq, err);
		return;
	}
	rq->rows = json_incref(rows);
	keys = xcalloc(2 * json_array_size(rows) + 1, sizeof *keys);
	json_array_foreach(rows, i, row) {
		if (strcmp(jstr(row, "itype"), "CE") != 0 &&
		    strcmp(jstr(row, "itype"), "PE") != 0)
			continue;
		if (n + 2 > MAX_OPTIONS)
			break;
		keys[n++] = xasprintf("%s:%s", jstr(row, "exchange"),
		    jstr(row, "symbol"));
		keys[n++] = xstrdup(exposure_spot_key(jstr(row, "underlying"),
		    key, sizeof key));
	}
	if (n == 0) {
		free(keys);
		exposure_report(rq->job, rows, NULL, 0, NULL);
		an_done(rq);
		return;
	}
	quotesrc_get(rq->job->env->store, rq->job->env->cfg,
	    rq->job->env->home, keys, n, exposure_quoted, rq);
	for (i = 0; i < n; i++)
		free((char *)keys[i]);
	free(keys);
}

static void
exposure_query(struct an_req *rq)
{
	store_exposure(rq->job->env->store, rq->ids, exposure_got, rq);
}

static void
cmd_exposure(struct cmd_job *job)
{
	an_start(job, exposure_query);
}

/* sla ------------------------------------------------------------------- */

static double
pct(int64_t part, int64_t whole)
{
	return whole > 0 ? (double)part * 100 / (double)whole : 0;
}

static void
sla_ms(struct strbuf *b, json_t *v)
{
	if (json_is_integer(v))
		strbuf_printf(b, " %8.1f", (double)json_integer_value(v) / 1000);
	else
		strbuf_printf(b, " %8s", "-");
}

static void
sla_fanouts_got(json_t *rows, const struct err *err, void *arg)
{
	struct an_req	*rq = arg;
	struct cmd_job	*job = rq->job;
	struct strbuf	 b;
	json_t		*row, *f, *out = json_array();
	size_t		 i;
	int64_t		 n, acked, within, rej, retried;
	int		 ms = (int)config_int(job->env->cfg, "analytics.sla_ack_ms");

	if (err != NULL) {
		json_decref(out);
		an_fail(rq, err);
		return;
	}
	f = json_array_get(rows, 0);
	strbuf_init(&b);
	strbuf_printf(&b, "Execution SLA, %s to %s (IST), ack within %d ms\n",
	    rq->from, rq->to, ms);
	strbuf_printf(&b, "  %-7s %-14s %6s %8s %8s %8s %7s %6s %6s %8s\n",
	    "SCOPE", "NAME", "ORDERS", "P50 ms", "P90 ms", "P99 ms", "IN SLA",
	    "REJ%", "RETRY%", "SLIP bps");
	json_array_foreach(rq->rows, i, row) {
		n = json_integer_value(json_object_get(row, "orders"));
		acked = json_integer_value(json_object_get(row, "acked"));
		within = json_integer_value(json_object_get(row, "within_sla"));
		rej = json_integer_value(json_object_get(row, "rejected"));
		retried = json_integer_value(json_object_get(row, "retried"));
		strbuf_printf(&b, "  %-7s %-14.14s %6lld", jstr(row, "scope"),
		    jstr(row, "name"), (long long)n);
		sla_ms(&b, json_object_get(row, "p50_us"));
		sla_ms(&b, json_object_get(row, "p90_us"));
		sla_ms(&b, json_object_get(row, "p99_us"));
		strbuf_printf(&b, " %6.1f%% %6.1f %6.1f %8s\n",
		    pct(within, acked), pct(rej, n), pct(retried, n),
		    json_is_string(json_object_get(row, "slippage_bps")) ?
		    jstr(row, "slippage_bps") : "-");
		json_array_append_new(out, json_pack("{s:O,s:O,s:I,s:I,s:O,s:O,"
		    "s:O,s:I,s:f,s:I,s:f,s:I,s:f,s:I,s:O,s:O}",
		    "scope", json_object_get(row, "scope"),
		    "name", json_object_get(row, "name"),
		    "orders", (json_int_t)n, "acked", (json_int_t)acked,
		    "p50_us", json_object_get(row, "p50_us"),
		    "p90_us", json_object_get(row, "p90_us"),
		    "p99_us", json_object_get(row, "p99_us"),
		    "within_sla", (json_int_t)within,
		    "within_sla_pct", pct(within, acked),
		    "rejected", (json_int_t)rej, "reject_pct", pct(rej, n),
		    "retried", (json_int_t)retried, "retry_pct", pct(retried, n),
		    "slip_orders", (json_int_t)json_integer_value(
		    json_object_get(row, "slip_orders")),
		    "slippage_bps", json_object_get(row, "slippage_bps"),
		    "slippage_rupees", json_object_get(row, "slippage_rupees")));
	}
	if (json_array_size(rq->rows) == 0)
		strbuf_puts(&b, "  no orders in the period\n");
	n = json_integer_value(json_object_get(f, "fanouts"));
	strbuf_printf(&b, "  fan-outs %lld: completed %lld (%.1f%%), partial "
	    "%lld, failed %lld, running %lld; intent to last ack p50 %s ms, "
	    "p99 %s ms\n", (long long)n, (long long)json_integer_value(
	    json_object_get(f, "completed")), pct(json_integer_value(
	    json_object_get(f, "completed")), n), (long long)
	    json_integer_value(json_object_get(f, "partial")), (long long)
	    json_integer_value(json_object_get(f, "failed")), (long long)
	    json_integer_value(json_object_get(f, "running")),
	    json_is_string(json_object_get(f, "p50_ms")) ? jstr(f, "p50_ms") :
	    "-", json_is_string(json_object_get(f, "p99_ms")) ?
	    jstr(f, "p99_ms") : "-");
	strbuf_puts(&b, "  slippage: fill price against the LTP the store had "
	    "at the intent (positive = worse)\n");
	job->res.text = strbuf_steal(&b);
	f = f != NULL ? json_deep_copy(f) : json_object();
	json_object_set_new(f, "completion_pct", json_real(pct(
	    json_integer_value(json_object_get(f, "completed")), n)));
	job->res.data = json_pack("{s:s,s:s,s:i,s:o,s:o}", "from", rq->from,
	    "to", rq->to, "sla_ack_ms", ms, "rows", out, "fanouts", f);
	an_done(rq);
}

static void
sla_got(json_t *rows, const struct err *err, void *arg)
{
	struct an_req	*rq = arg;

	if (err != NULL) {
		an_fail(rq, err);
		return;
	}
	rq->rows = json_incref(rows);
	store_sla_fanouts(rq->job->env->store, rq->from, rq->to, rq->ids,
	    sla_fanouts_got, rq);
}

static void
sla_query(struct an_req *rq)
{
	store_sla(rq->job->env->store, rq->from, rq->to, rq->ids,
	    (int)config_int(rq->job->env->cfg, "analytics.sla_ack_ms"),
	    sla_got, rq);
}

static void
cmd_sla(struct cmd_job *job)
{
	an_start(job, sla_query);
}

cmd_handler
cmd_analytics_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_PCR:
	case CMD_GAMMA:
		return cmd_chain;
	case CMD_EQUITY:
		return cmd_equity;
	case CMD_PNL:
		return cmd_pnl;
	case CMD_EXPOSURE:
		return cmd_exposure;
	case CMD_SLA:
		return cmd_sla;
	default:
		return NULL;
	}
}
