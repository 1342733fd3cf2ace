/*
 * The process's one event loop.  Every module plugs its sockets and timers
 * into this base; nothing else in phalanx waits.
 */
#include <stdlib.h>

#include "net/net.h"

/* A pending loop_later(): kept on a list so loop_free() can reclaim it. */
struct loop_timer {
	struct event		*ev;
	void			(*cb)(void *);
	void			*arg;
	struct loop_timer	*prev;
	struct loop_timer	*next;
};

static struct event_base	*loop_evbase;
static struct loop_timer	*loop_timers;

/*
 * Created lazily so that modules and tests need no setup call.
 *
 * Two priorities: everything runs at the lower (the default, 1) but
 * LOOP_URGENT work: a connection's end seen by the lean sender
 * (http_wire.c), which runs before a burst in the same turn could pick
 * that connection, and a daemon's answers to the senders that wait on it
 * (webhooks and postbacks, http_server_urgent; their store connection,
 * pg_opts.urgent).  The loop looks for urgent work again after every
 * LOOP_BATCH callbacks of the rest, so an answer never waits behind a
 * whole turn of fan-out work.
 */
#define LOOP_BATCH	8

struct event_base *
loop_base(void)
{
	struct event_config	*cfg;

	if (loop_evbase == NULL) {
		if ((cfg = event_config_new()) == NULL ||
		    event_config_set_max_dispatch_interval(cfg, NULL,
		    LOOP_BATCH, LOOP_URGENT + 1) != 0)
			fatal("event_config_new failed");
		loop_evbase = event_base_new_with_config(cfg);
		event_config_free(cfg);
		if (loop_evbase == NULL ||
		    event_base_priority_init(loop_evbase, 2) != 0)
			fatal("event_base_new failed");
	}
	return loop_evbase;
}

int
loop_run(void)
{
	if (event_base_dispatch(loop_base()) == -1)
		return -1;
	return 0;
}

/* Stop after the callback now running; the next loop_run() starts afresh. */
void
loop_exit(void)
{
	if (loop_evbase != NULL)
		event_base_loopbreak(loop_evbase);
}

static void
loop_timer_unlink(struct loop_timer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		loop_timers = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	event_free(t->ev);
}

static void
loop_timer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct loop_timer	*t = arg;
	void			(*cb)(void *) = t->cb;
	void			*cbarg = t->arg;

	loop_timer_unlink(t);
	free(t);
	cb(cbarg);
}

void
loop_free(void)
{
	struct loop_timer	*t;

	while ((t = loop_timers) != NULL) {
		loop_timer_unlink(t);
		free(t);
	}
	if (loop_evbase != NULL)
		event_base_free(loop_evbase);
	loop_evbase = NULL;
}

/* The timer is unlinked before cb runs, so cb may call loop_free(). */
void
loop_later(int64_t delay_us, void (*cb)(void *), void *arg)
{
	struct loop_timer	*t;
	struct timeval		 tv;

	if (delay_us < 0)
		delay_us = 0;
	t = xcalloc(1, sizeof *t);
	t->cb = cb;
	t->arg = arg;
	t->ev = evtimer_new(loop_base(), loop_timer_fire, t);
	if (t->ev == NULL)
		fatal("evtimer_new failed");
	t->next = loop_timers;
	if (loop_timers != NULL)
		loop_timers->prev = t;
	loop_timers = t;
	tv.tv_sec = delay_us / 1000000;
	tv.tv_usec = delay_us % 1000000;
	evtimer_add(t->ev, &tv);
}
