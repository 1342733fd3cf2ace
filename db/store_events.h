/*
 * The lifecycle event writer: every order state transition becomes an
 * order_events row, written off the hot path.
 *
 * events_write() copies the event into a memory queue and returns.  A
 * flush -- flush_us after the first queued event, or at once when
 * flush_at are waiting -- sends the queue as one transaction that copies
 * the rows in (COPY FROM STDIN), moves each order to its latest state and
 * sends one NOTIFY on "phalanx_events" with
 * {"n": rows, "first_id": id, "last_id": id}.  One batch is in flight at a
 * time, so rows reach the table in the order they were written.
 *
 * While the store is unreachable (the connection is not READY, or a batch
 * fails with anything but an SQL error) batches go to the journal,
 * fsynced.  An event written while the connection is not READY goes to
 * the journal even if the connection is READY by the time of the flush
 * (so where an event goes never depends on how fast a connect is).  When the connection becomes READY again the journal is
 * replayed, in order, before anything newer; then the replayed entries
 * (only those: other processes may share the journal) are removed.  Each
 * event carries a uid so a batch that did commit before its connection
 * broke is not written twice.  Events for orders the table does not have
 * are dropped by the statement and counted (no_order).
 */
#ifndef PX_STORE_EVENTS_H
#define PX_STORE_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker.h"
#include "net/net.h"
#include "util/journal.h"
#include "util/util.h"

#define EVENTS_CHANNEL	"phalanx_events"

struct order_event {
	int64_t			 ts_us;		/* wall clock, UTC us; 0 = now */
	int64_t			 mono_us;	/* time_mono_us(); 0 = now */
	int64_t			 order_id;	/* orders.id, > 0 */
	enum broker_state	 state;
	const char		*broker_status;	/* the broker's word; NULL */
	int64_t			 filled_qty;	/* < 0: not reported */
	int64_t			 avg_price;	/* paise; < 0: not reported */
	const char		*message;	/* NULL: none */
	int64_t			 latency_us;	/* < 0: not measured */
};

struct events_opts {
	int64_t		flush_us;	/* default 5000 */
	size_t		flush_at;	/* default 500 */
	size_t		max_batch;	/* rows per statement; default 5000 */
};

struct events_stats {
	uint64_t	queued;		/* accepted by events_write */
	uint64_t	inserted;	/* rows the store added */
	uint64_t	duplicates;	/* already there (replays) */
	uint64_t	no_order;	/* dropped: no such order */
	uint64_t	batches;	/* statements that succeeded */
	uint64_t	journaled;	/* events written to the journal */
	uint64_t	replayed;	/* journal entries sent again */
	uint64_t	failures;	/* statements that failed */
};

struct events_writer;

/*
 * pg and journal are borrowed and must outlive the writer.  Without a
 * journal (NULL) unwritten events wait in memory, and every batch is
 * written as a replay (ON CONFLICT DO NOTHING) since any may be a
 * resend.  The writer takes pg's state callback (pg_conn_on_state); an
 * owner that needs it too installs its own and calls
 * events_writer_on_pg_state from it.
 */
struct events_writer *events_writer_new(struct event_base *,
    struct pg_conn *pg, struct journal *, const struct events_opts *);
/* Move to another connection (the old one's callback is removed). */
void events_writer_set_conn(struct events_writer *, struct pg_conn *);
/* Queue one event; -1 and err "bad-value" if it cannot be stored. */
int events_write(struct events_writer *, const struct order_event *,
    struct err *);
/* Events neither acknowledged by the store nor in the journal. */
size_t events_writer_pending(const struct events_writer *);
/* Journal entries waiting for replay. */
size_t events_writer_journaled(struct events_writer *);
void events_writer_stats(const struct events_writer *, struct events_stats *);
void events_writer_on_pg_state(enum pg_state, const char *why, void *w);
/* Whatever is still pending goes to the journal first. */
void events_writer_free(struct events_writer *);

#endif
