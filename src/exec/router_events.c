/*
 * The router's event writer: every transition of a leg becomes an
 * order_events row through the batched writer (db/store_events.c) on a
 * connection of its own; while the store is down the events wait in an
 * fsynced journal under store.home and are replayed, in order, by
 * whichever process next reaches the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/order.h"
#include "db/store_journal.h"
#include "db/store_positions.h"
#include "exec/router_int.h"
#include "net/net.h"

void
router_events_open(struct router *r)
{
	struct err	 err;
	char		*path;

	err_clear(&err);
	path = xasprintf("%s/journal", r->home);
	if (path_mkdirs(path, 0700) != 0)
		log_warn("router", "cannot create %s", path);
	free(path);
	path = xasprintf("%s/journal/events.jsonl", r->home);
	r->ev.journal = journal_open_path(path, &err);
	if (r->ev.journal == NULL)
		log_warn("router", "no event journal (%s): events are lost "
		    "if the store goes away", err.msg);
	free(path);
	/*
	 * A connection of its own: a batch of events in flight must not hold
	 * up the statement that records the next fan-out's intent.
	 */
	r->ev.pg = pg_conn_new(loop_base(),
	    pg_conn_conninfo(store_conn(r->store)),
	    pg_conn_opts(store_conn(r->store)));
	r->ev.writer = events_writer_new(loop_base(), r->ev.pg, r->ev.journal,
	    NULL);
	/* Broker order ids, final states and fills: their own journal. */
	err_clear(&err);
	if (store_journal_open(r->store, r->home, &err) != 0)
		log_warn("router", "no store journal (%s): order ids, fan-out "
		    "states and positions fail if the store goes away",
		    err.msg);
}

void
router_events_close(struct router *r)
{
	events_writer_free(r->ev.writer);
	pg_conn_free(r->ev.pg);
	journal_close(r->ev.journal);
	memset(&r->ev, 0, sizeof r->ev);
}

int
router_events_backlog(const struct router *r)
{
	return events_writer_journaled(r->ev.writer) > 0 &&
	    pg_conn_state(r->ev.pg) != PG_FAILED;
}

/* An event held until its order row exists; strings owned. */
struct held_event {
	struct order_event	 ev;
	char			*broker_status;
	char			*message;
};

static void
router_event_hold(struct fanout *fo, const struct order_event *ev)
{
	struct held_event	*h;

	/* Doubling: a fan-out holds a few events per leg, sent or not. */
	if (fo->nheld == fo->held_cap) {
		fo->held_cap = fo->held_cap == 0 ? 64 : fo->held_cap * 2;
		fo->held = xreallocarray(fo->held, fo->held_cap,
		    sizeof *fo->held);
	}
	h = &fo->held[fo->nheld++];
	h->ev = *ev;
	h->ev.ts_us = time_wall_us();
	h->ev.mono_us = time_mono_us();
	h->broker_status = ev->broker_status != NULL ?
	    xstrdup(ev->broker_status) : NULL;
	h->message = ev->message != NULL ? xstrdup(ev->message) : NULL;
	h->ev.broker_status = h->broker_status;
	h->ev.message = h->message;
}

static void
router_event_write(struct router *r, const struct order_event *ev)
{
	struct err	err;

	err_clear(&err);
	if (events_write(r->ev.writer, ev, &err) != 0)
		log_warn("router", "order %lld: event not queued: %s",
		    (long long)ev->order_id, err.msg);
}

/* The rows are written: the held events go, in the order they came. */
void
router_events_release(struct fanout *fo)
{
	size_t	i;

	for (i = 0; i < fo->nlegs; i++)
		if (fo->legs[i]->broker_id_held)
			leg_store_broker_id(fo->legs[i]);
	for (i = 0; i < fo->nheld; i++)
		router_event_write(fo->r, &fo->held[i].ev);
	router_events_drop(fo);
}

void
router_events_drop(struct fanout *fo)
{
	size_t	i;

	for (i = 0; i < fo->nheld; i++) {
		free(fo->held[i].broker_status);
		free(fo->held[i].message);
	}
	free(fo->held);
	fo->held = NULL;
	fo->nheld = fo->held_cap = 0;
}

/* Record a transition; the state machine decides whether it is legal. */
void
router_event(struct leg *leg, enum broker_state to, const char *message,
    int64_t latency_us)
{
	struct order_event	ev;
	struct err		err;

	err_clear(&err);
	if (leg->state != to && order_fsm_step(leg->state, to, &err) != 0) {
		log_warn("router", "order %lld: %s", (long long)leg->order_id,
		    err.msg);
		return;
	}
	leg->state = to;
	if (message != NULL && message != leg->message)
		snprintf(leg->message, sizeof leg->message, "%s", message);
	if (leg->order_id == 0)
		return;
	memset(&ev, 0, sizeof ev);
	ev.order_id = leg->order_id;
	ev.state = to;
	ev.broker_status = leg->broker_status[0] ? leg->broker_status : NULL;
	ev.message = message;
	ev.filled_qty = leg->filled;
	ev.avg_price = leg->avg;
	ev.latency_us = latency_us;
	if (leg->fo->legs_writing)
		router_event_hold(leg->fo, &ev);
	else
		router_event_write(leg->fo->r, &ev);
}

static void
router_position_stored(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("router", "position not updated: %s", err->msg);
}

/*
 * The broker reports a leg's cumulative fill; the store moves the
 * position by what it does not hold yet (store_order_fill), so a fill
 * also seen by a postback or the reconciler counts once.
 */
void
router_leg_filled(struct leg *leg, int64_t filled, int64_t avg)
{
	if (filled > leg->filled && leg->order_id != 0)
		store_order_fill(leg->fo->r->store, leg->order_id, filled, avg,
		    router_position_stored, NULL);
	leg->filled = filled;
	leg->avg = avg;
}

struct router_drain {
	struct router	*r;
	void		(*cb)(void *);
	void		*arg;
	int64_t		 until;
};

static void
router_drain_check(void *arg)
{
	struct router_drain	*d = arg;
	struct router		*r = d->r;
	int			 idle;

	/* Also wait for a journal replay, unless the store is gone. */
	idle = events_writer_pending(r->ev.writer) == 0 &&
	    ((events_writer_journaled(r->ev.writer) == 0 &&
	    store_journal_pending(r->store) == 0 &&
	    store_bids_pending(r->store) == 0 &&
	    pg_pending(store_conn(r->store)) == 0 &&
	    pg_pending(store_conn_first(r->store)) == 0) ||
	    pg_conn_state(r->ev.pg) == PG_FAILED);
	if (idle || time_mono_us() >= d->until) {
		d->cb(d->arg);
		free(d);
		return;
	}
	loop_later(2000, router_drain_check, d);
}

/*
 * Before a front exits: wait until every queued event and statement
 * reached the store (or, the store being gone, the journal), at most
 * timeout_ms.
 */
void
router_drain(struct router *r, int timeout_ms, void (*cb)(void *), void *arg)
{
	struct router_drain	*d;

	if (r == NULL) {
		cb(arg);
		return;
	}
	d = xmalloc(sizeof *d);
	d->r = r;
	d->cb = cb;
	d->arg = arg;
	d->until = time_mono_us() + (int64_t)timeout_ms * 1000;
	router_drain_check(d);
}
