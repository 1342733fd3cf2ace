/*
 * RMS rule costs (src/rms): the pre-trade guard per leg, against the
 * 2 us target, and one monitor pass over 1,000 accounts.  Prints figures
 * only; nothing here fails on a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rms/rms.h"
#include "rms/rms_int.h"

#define LEGS		1000000
#define ACCOUNTS	1000
#define PASSES		2000

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
bench_guard(const struct rms_limits *lim)
{
	struct rms_leg		l;
	struct rms_book		b;
	struct rms_verdict	v;
	int64_t			t0, ns;
	long			i, passed = 0;

	memset(&l, 0, sizeof l);
	memset(&b, 0, sizeof b);
	l.exchange = "NFO";
	l.product = RP_MIS;
	l.lot = 65;
	l.ltp = 2600000;
	l.minute = 600;
	t0 = now_ns();
	for (i = 0; i < LEGS; i++) {
		l.buy = (int)(i & 1);
		l.qty = 65 * (1 + i % 12);	/* some pass, some don't */
		l.price = i % 3 == 0 ? 2600000 + i % 80000 : 0;
		b.position = (i % 7) * 65 - 195;
		b.open_positions = (int)(i % 8);
		passed += rms_guard(lim, TRADING_ACTIVE, &l, &b, &v);
	}
	ns = now_ns() - t0;
	printf("rms guard: %ld legs, %.1f ns per leg (target <= 2000 ns), "
	    "%ld passed\n", (long)LEGS, (double)ns / LEGS, passed);
}

static void
bench_monitor(const struct rms_limits *lim)
{
	struct rms_watch	*w = xcalloc(ACCOUNTS, sizeof *w);
	struct rms_breach	 out[RMS_MAX_BREACHES];
	struct rms_mark		 m;
	int64_t			 t0, ns;
	long			 breaches = 0;
	int			 p, a;

	memset(&m, 0, sizeof m);
	m.capital = 100000000;
	m.margin_total = 50000000;
	m.minute = 600;
	t0 = now_ns();
	for (p = 0; p < PASSES; p++) {
		for (a = 0; a < ACCOUNTS; a++) {
			m.mtm = (int64_t)((p * 37 + a * 101) % 6000000) -
			    3000000;
			m.margin_used = (a * 13 + p) % 50000000;
			breaches += rms_monitor(lim, &m, &w[a], out);
		}
	}
	ns = now_ns() - t0;
	printf("rms monitor: one pass over %d accounts in %.1f us "
	    "(%.1f ns per account), %ld breaches over %d passes\n",
	    ACCOUNTS, (double)ns / PASSES / 1000,
	    (double)ns / PASSES / ACCOUNTS, breaches, PASSES);
	free(w);
}

/*
 * The guard as the router calls it (rms_engine_guard): find the account
 * in a snapshot of 1,000 accounts with 3 positions each, walk its
 * positions, judge, count the order -- clock reads included.
 */
static void
bench_engine_guard(const struct rms_limits *lim)
{
	static const char		*syms[] = { "NIFTY26DECFUT",
					    "BANKNIFTY26DECFUT", "NIFTY26DEC26000CE" };
	struct rms_engine		 e;
	struct router_guard_leg		 g;
	struct router_guard_verdict	 v;
	struct rms_acct			*a;
	int64_t				 t0, ns;
	long				 i, passed = 0;
	size_t				 k, j;

	memset(&e, 0, sizeof e);
	e.ready = 1;
	e.snap.n = ACCOUNTS;
	e.snap.a = xcalloc(ACCOUNTS, sizeof *e.snap.a);
	for (k = 0; k < ACCOUNTS; k++) {
		a = &e.snap.a[k];
		a->id = (int64_t)k + 1;
		a->name = xasprintf("a%04zu", k);
		a->lim = *lim;
		a->pos = xcalloc(3, sizeof *a->pos);
		a->npos = a->nopen = 3;
		for (j = 0; j < 3; j++) {
			snprintf(a->pos[j].exchange, sizeof a->pos[j].exchange,
			    "NFO");
			snprintf(a->pos[j].symbol, sizeof a->pos[j].symbol,
			    "%s", syms[j]);
			snprintf(a->pos[j].under, sizeof a->pos[j].under, "%s",
			    j == 1 ? "BANKNIFTY" : "NIFTY");
			a->pos[j].qty = 65 * (int64_t)(j + 1);
			a->pos[j].lot = j == 1 ? 30 : 65;
			a->pos[j].last = 2600000;
		}
	}
	memset(&g, 0, sizeof g);
	g.exchange = "NFO";
	g.product = BROKER_MIS;
	g.lot = 65;
	t0 = now_ns();
	for (i = 0; i < LEGS; i++) {
		g.account_id = 1 + i % ACCOUNTS;
		g.symbol = syms[i % 3];
		g.side = i & 1 ? BROKER_BUY : BROKER_SELL;
		g.qty = 65 * (1 + i % 4);
		g.dry = 1;	/* judge only: the rate window stays empty */
		passed += rms_engine_guard(&e, &g, &v);
	}
	ns = now_ns() - t0;
	printf("rms engine guard (router hook, 1000 accounts x 3 positions): "
	    "%.1f ns per leg (target <= 2000 ns), %ld of %ld passed\n",
	    (double)ns / LEGS, passed, (long)LEGS);
	rms_snap_free(&e.snap);
}

int
main(void)
{
	struct rms_limits	lim;
	struct err		e;

	if (rms_template_build(&rms_templates[0], &lim, &e) != 0)
		fatal("template: %s", e.msg);
	bench_guard(&lim);
	bench_engine_guard(&lim);
	bench_monitor(&lim);
	return 0;
}
