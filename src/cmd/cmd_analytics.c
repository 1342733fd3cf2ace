/*
 * The option analytics commands, grammar and handlers together:
 *   pcr UNDERLYING [expiry DATE]    put-call ratio by OI and volume, max pain
 *   gamma UNDERLYING [expiry DATE]  gamma exposure by strike, zero gamma
 * The chain comes from the stored instrument table, its quotes (OI,
 * volume, IV where the broker gives one) from the first kite account that
 * answers, and the numbers from src/analytics.
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

#define END_OPTS	{ .word = NULL }
#define MAX_OPTIONS	498		/* plus spot and future: one quote call */
#define RISK_FREE	0.065		/* for the model; a guess like any */
#define EXPIRY_CLOSE_S	(15 * 3600 + 30 * 60)	/* 15:30 IST */
#define YEAR_S		(365.0 * 86400)
#define CRORE		1e7

static const struct cmd_opt chain_opts[] = {
	{ .word = "expiry", .type = V_DATE },
	END_OPTS
};

const struct cmd_def cmd_analytics_defs[] = {
	{ CMD_PCR, "pcr", "pcr UNDERLYING [expiry DATE] [--json]",
	  .pos = { { .key = "underlying", .type = V_NAME,
		     .what = "an underlying (NIFTY, BANKNIFTY, RELIANCE ...)" } },
	  .opts = chain_opts },
	{ CMD_GAMMA, "gamma", "gamma UNDERLYING [expiry DATE] [--json]",
	  .pos = { { .key = "underlying", .type = V_NAME,
		     .what = "an underlying (NIFTY, BANKNIFTY, RELIANCE ...)" } },
	  .opts = chain_opts },
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
	    EXPIRY_CLOSE_S - IST_OFFSET_S - (double)time_wall_us() / 1e6;
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

cmd_handler
cmd_analytics_handler(enum cmd_kind kind)
{
	return kind == CMD_PCR || kind == CMD_GAMMA ? cmd_chain : NULL;
}
