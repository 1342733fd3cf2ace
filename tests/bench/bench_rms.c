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

int
main(void)
{
	struct rms_limits	lim;
	struct err		e;

	if (rms_template_build(&rms_templates[0], &lim, &e) != 0)
		fatal("template: %s", e.msg);
	bench_guard(&lim);
	bench_monitor(&lim);
	return 0;
}
