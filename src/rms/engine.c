/*
 * The engine's life and its guard.  The guard answers from the snapshot
 * alone: a binary search for the account, a walk over its few positions,
 * rms_guard() -- no allocation, no I/O, no lock.  The snapshot follows
 * the store: any NOTIFY on the registry or the order events channel
 * reloads it (coalesced), and so does the timer every rms.monitor_ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_events.h"
#include "net/net.h"
#include "rms/rms_int.h"
#include "util/config.h"

#define RMS_NOTIFY_DELAY_US	20000	/* coalesce bursts of NOTIFYs */

static enum rms_product
rms_product_of(enum broker_product p)
{
	switch (p) {
	case BROKER_MIS:
		return RP_MIS;
	case BROKER_CNC:
		return RP_CNC;
	default:
		return RP_NRML;
	}
}

/* NIFTY25DECFUT -> NIFTY: the name a derivative's symbol starts with. */
static void
rms_under_of(const char *symbol, char *buf, size_t len)
{
	size_t	n = 0;

	while (symbol[n] != '\0' && (symbol[n] < '0' || symbol[n] > '9'))
		n++;
	if (n == 0 || symbol[n] == '\0')
		n = strlen(symbol);
	snprintf(buf, len, "%.*s", (int)n, symbol);
}

static void
rms_book_of(const struct rms_acct *a, const struct router_guard_leg *g,
    struct rms_book *b, int64_t *ltp)
{
	char			 under[48];
	const struct rms_pos	*p;
	size_t			 i;

	memset(b, 0, sizeof *b);
	*ltp = 0;
	under[0] = '\0';
	for (i = 0; i < a->npos; i++) {
		p = &a->pos[i];
		if (strcmp(p->symbol, g->symbol) == 0 &&
		    strcmp(p->exchange, g->exchange) == 0) {
			b->position += p->qty;
			*ltp = p->last;
			snprintf(under, sizeof under, "%s", p->under);
		}
	}
	if (under[0] == '\0')
		rms_under_of(g->symbol, under, sizeof under);
	for (i = 0; i < a->npos; i++) {
		p = &a->pos[i];
		if (p->qty != 0 && strcmp(p->under, under) == 0)
			b->underlying_lots += p->qty / p->lot;
	}
	b->open_positions = a->nopen;
}

static int
rms_rate(struct rms_acct *a, int64_t now)
{
	unsigned	i, n = a->nsent < RMS_RATE_RING ? a->nsent :
			    RMS_RATE_RING;
	int		c = 0;

	for (i = 0; i < n; i++) {
		if (now - a->sent[i] < 1000000)
			c++;
	}
	return c;
}

static int
rms_deny(struct router_guard_verdict *v, const char *rule, const char *msg)
{
	v->pass = 0;
	snprintf(v->rule, sizeof v->rule, "%s", rule);
	snprintf(v->msg, sizeof v->msg, "%s", msg);
	return 0;
}

int
rms_engine_guard(void *ctx, const struct router_guard_leg *g,
    struct router_guard_verdict *v)
{
	struct rms_engine		*e = ctx;
	struct rms_acct			*a;
	const struct rms_binding	*firm;
	struct rms_limits		 none;
	struct rms_leg			 l;
	struct rms_book			 b;
	struct rms_verdict		 rv;
	enum trading_state		 st = TRADING_ACTIVE;
	const struct rms_limits		*lim;
	int64_t				 now = time_mono_us();

	v->pass = 1;
	if (!e->ready && !g->exit)
		return rms_deny(v, "not-loaded", "the RMS has not loaded the "
		    "limits yet: nothing is sent unchecked");
	memset(&l, 0, sizeof l);
	l.exchange = g->exchange;
	l.product = rms_product_of(g->product);
	l.buy = g->side == BROKER_BUY;
	l.qty = g->qty;
	l.lot = g->lot > 0 && g->lot < INT32_MAX ? (int)g->lot : 1;
	l.price = g->price;
	l.minute = rms_minute_ist(time_wall_us());
	l.rms_exit = g->exit;
	if ((a = rms_snap_find(&e->snap, g->account_id)) != NULL) {
		lim = &a->lim;
		st = a->st;
		rms_book_of(a, g, &b, &l.ltp);
		b.orders_last_sec = rms_rate(a, now);
	} else {
		/* New since the last reload: the firm's limits at least. */
		memset(&none, 0, sizeof none);
		firm = rms_world_binding(&e->snap.world, RS_FIRM, "");
		lim = firm != NULL ? &firm->limits : &none;
		memset(&b, 0, sizeof b);
	}
	if (rms_guard(lim, st, &l, &b, &rv))
		goto pass;
	return rms_deny(v, rv.state_rule[0] ? rv.state_rule :
	    rms_limit_defs[rv.rule].name, rv.msg);
pass:
	if (a != NULL && !g->dry && g->slice == 0)
		a->sent[a->nsent++ % RMS_RATE_RING] = now;
	return 1;
}

int
rms_engine_ready(const struct rms_engine *e)
{
	return e->ready;
}

static int
rms_engine_guard_ready(void *ctx)
{
	return rms_engine_ready(ctx);
}

int
rms_engine_duty(const struct rms_engine *e)
{
	return e != NULL && e->duty;
}

static void
rms_reloaded(struct rms_engine *e)
{
	if (e->monitoring && !e->closing)
		rms_duty_pass(e);
}

static void
rms_reload_later(evutil_socket_t fd, short what, void *arg)
{
	struct rms_engine	*e = arg;

	e->notified = 0;
	if (!e->closing)
		rms_snap_refresh(e, NULL);
}

static void
rms_notified(const char *channel, const char *payload, void *arg)
{
	struct rms_engine	*e = arg;

	if (payload != NULL && strcmp(payload, "incidents") == 0)
		return;
	if (strcmp(channel, STORE_REGISTRY_CHANNEL) == 0) {
		e->full_due = 1;
		/* Quote sources follow credentials, not states or limits. */
		if (e->marks != NULL && (payload == NULL ||
		    (strcmp(payload, "states") != 0 &&
		    strcmp(payload, "rms") != 0)))
			rms_marks_reset(e->marks);
	}
	struct timeval		 tv = { 0, RMS_NOTIFY_DELAY_US };

	if (e->notified || e->closing)
		return;
	e->notified = 1;
	evtimer_add(e->soon, &tv);
}

/*
 * Test only (phalanx(1) ENVIRONMENT): PHALANX_TEST_RMS_LOAD_MS holds the
 * loads of the limits back that long, as a slow store would: none is sent
 * before (rms_snap_refresh); the next rms.monitor_ms tick loads them.
 */
static int64_t
rms_test_load_delay_us(void)
{
	const char	*s = getenv("PHALANX_TEST_RMS_LOAD_MS");
	long		 ms;

	if (s == NULL || (ms = strtol(s, NULL, 10)) <= 0 || ms > 60000)
		return 0;
	return (int64_t)ms * 1000;
}

static void
rms_tick(evutil_socket_t fd, short what, void *arg)
{
	struct rms_engine	*e = arg;

	if (!e->closing)
		rms_snap_refresh(e, rms_reloaded);
}

struct rms_engine *
rms_engine_new(struct store *st, struct router *r, struct config *cfg,
    const char *home, const char *front)
{
	struct rms_engine	*e;
	struct timeval		 tv;
	int64_t			 ms = config_int(cfg, "rms.monitor_ms");
	int64_t			 delay;

	e = xcalloc(1, sizeof *e);
	e->store = st;
	e->router = r;
	e->cfg = cfg;
	e->home = xstrdup(home);
	e->front = front;
	e->stale_s = (int)config_int(cfg, "rms.quote_stale_s");
	e->hedge_steps = (int)config_int(cfg, "rms.hedge_steps");
	/* Test only (phalanx(1) ENVIRONMENT): die with the breach unrecorded. */
	e->die_unrecorded = getenv("PHALANX_TEST_RMS_DIE") != NULL &&
	    strcmp(getenv("PHALANX_TEST_RMS_DIE"), "unrecorded") == 0;
	router_set_guard(r, rms_engine_guard, rms_engine_guard_ready, e);
	pg_listen(store_conn(st), STORE_REGISTRY_CHANNEL, rms_notified, e);
	pg_listen(store_conn(st), EVENTS_CHANNEL, rms_notified, e);
	/* Queued first: answered before any fan-out's own queries. */
	if ((delay = rms_test_load_delay_us()) > 0)
		e->load_after = time_mono_us() + delay;
	rms_snap_refresh(e, NULL);
	e->soon = evtimer_new(loop_base(), rms_reload_later, e);
	e->timer = event_new(loop_base(), -1, EV_PERSIST, rms_tick, e);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(e->timer, &tv);
	return e;
}

void
rms_engine_monitor(struct rms_engine *e)
{
	if (e == NULL || e->monitoring)
		return;
	e->monitoring = 1;
	e->marks = rms_marks_new(e);
}

/*
 * Before the router goes: no guard, no timers, no new work.  Queries in
 * flight still call back (cancelled) until the store is closed; only
 * then is the engine freed.
 */
void
rms_engine_stop(struct rms_engine *e)
{
	if (e == NULL || e->closing)
		return;
	e->closing = 1;
	router_set_guard(e->router, NULL, NULL, NULL);
	event_del(e->timer);
	event_del(e->soon);
}

void
rms_engine_free(struct rms_engine *e)
{
	if (e == NULL)
		return;
	rms_engine_stop(e);
	event_free(e->timer);
	event_free(e->soon);
	rms_marks_free(e->marks);
	rms_snap_free(&e->snap);
	json_decref(e->l_world);
	json_decref(e->l_positions);
	account_set_free(&e->l_accounts);
	free(e->home);
	free(e);
}
