/*
 * The snapshot duty.  One process at a time (an advisory lock, so a dead
 * holder's duty is taken over at the next tick) writes the timed equity
 * snapshots and keeps the partitions and the retention.  Fills snapshot
 * themselves in the store, whichever process applies them.  A tick still
 * waiting for the store when the next is due is not doubled.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "analytics/analytics.h"
#include "db/store_analytics.h"
#include "net/net.h"
#include "util/config.h"

#define MAINTAIN_EVERY_US	(3600LL * 1000000)
#define IDLE_TICK_S		60	/* snapshot_s 0: maintenance only */

struct an_snap {
	struct store	*store;
	int		 retention;
	int		 snapshots;	/* snapshot_s > 0 */
	int		 owner;
	int		 busy;
	int		 closing;	/* freed by the callback in flight */
	int64_t		 maintained_us;
	struct event	*timer;
};

/* 1 when s was freed: the process is closing and this was the last. */
static int
snap_gone(struct an_snap *s)
{
	if (!s->closing)
		return 0;
	free(s);
	return 1;
}

static void
snap_done(json_t *rows, const struct err *err, void *arg)
{
	struct an_snap	*s = arg;

	if (snap_gone(s))
		return;

	if (err != NULL && strcmp(err->code, "cancelled") != 0)
		log_warn("analytics", "equity snapshot: %s", err->msg);
	s->busy = 0;
}

static void
snap_maintained(json_t *rows, const struct err *err, void *arg)
{
	struct an_snap	*s = arg;
	json_t		*row;
	size_t		 i;

	if (snap_gone(s))
		return;
	if (err != NULL) {
		if (strcmp(err->code, "cancelled") != 0)
			log_warn("analytics", "equity partitions: %s",
			    err->msg);
		s->busy = 0;
		return;
	}
	s->maintained_us = time_mono_us();
	json_array_foreach(rows, i, row) {
		if (json_is_string(json_object_get(row, "action")))
			log_info("analytics", "equity_points: %s %s",
			    json_string_value(json_object_get(row, "action")),
			    json_string_value(json_object_get(row, "object")));
	}
	if (s->snapshots)
		store_equity_snapshot(s->store, "timer", snap_done, s);
	else
		s->busy = 0;
}

static void
snap_duty(json_t *rows, const struct err *err, void *arg)
{
	struct an_snap	*s = arg;

	if (snap_gone(s))
		return;
	s->owner = err == NULL &&
	    json_is_true(json_object_get(json_array_get(rows, 0), "held"));
	if (!s->owner) {
		s->busy = 0;
		return;
	}
	if (s->maintained_us == 0 ||
	    time_mono_us() - s->maintained_us >= MAINTAIN_EVERY_US)
		store_equity_maintain(s->store, s->retention, snap_maintained,
		    s);
	else if (s->snapshots)
		store_equity_snapshot(s->store, "timer", snap_done, s);
	else
		s->busy = 0;
}

static void
snap_tick(evutil_socket_t fd, short what, void *arg)
{
	struct an_snap	*s = arg;

	if (s->busy)
		return;
	s->busy = 1;
	store_equity_duty(s->store, snap_duty, s);
}

struct an_snap *
an_snap_start(struct store *st, struct config *cfg)
{
	struct an_snap	*s = xcalloc(1, sizeof *s);
	struct timeval	 tv = { 0, 0 };
	int64_t		 secs = config_int(cfg, "analytics.snapshot_s");

	s->store = st;
	s->retention = (int)config_int(cfg, "analytics.retention_days");
	s->snapshots = secs > 0;
	tv.tv_sec = secs > 0 ? (time_t)secs : IDLE_TICK_S;
	s->timer = event_new(loop_base(), -1, EV_PERSIST, snap_tick, s);
	event_add(s->timer, &tv);
	/* The first tick at once: partitions before the first insert. */
	event_active(s->timer, EV_TIMEOUT, 0);
	return s;
}

void
an_snap_free(struct an_snap *s)
{
	if (s == NULL)
		return;
	event_free(s->timer);
	if (s->busy)
		s->closing = 1;
	else
		free(s);
}

int
an_snap_owner(const struct an_snap *s)
{
	return s != NULL && s->owner;
}
