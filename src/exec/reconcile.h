/*
 * reconcile: the broker is the truth.  One process at a time (the duty,
 * a PostgreSQL advisory lock: `phalanx serve` holds it while it runs, a
 * console or batch run with no daemon around takes it for itself) reads
 * the order book of every account in use -- with working orders or open
 * positions -- and puts the store right: orders matched by client tag
 * (else broker order id) get the broker's state, fill, average price and
 * order id; orders phalanx never placed are recorded; every fill reaches
 * positions through store_order_fill's single path, so nothing counts
 * twice.  Fan-outs left RUNNING by a process that died are completed from
 * the books: a leg the broker has is never sent again; a leg it still
 * lacks broker.timeout_ms after the fan-out was found orphaned was never
 * sent.  Such legs are NOT sent automatically (stale orders are a trader's
 * call): the fan-out is closed INTERRUPTED, reported at every start, and
 * `fanout resume ID` sends them.
 */
#ifndef PX_RECONCILE_H
#define PX_RECONCILE_H

#include <jansson.h>

#include "util/util.h"

struct router;
struct store;
struct reconcile;

struct reconcile_opts {
	int		duty;		/* take the duty lock; skip if held */
	int64_t		fanout_id;	/* > 0: only this fan-out */
	int		wait;		/* pass again once windows close */
};

struct reconcile_report {
	int		 ran;		/* 0: another process has the duty */
	struct err	 err;		/* set: the pass was abandoned */
	size_t		 accounts;	/* order books read */
	size_t		 accounts_failed;
	size_t		 corrected;	/* orders put right */
	size_t		 foreign;	/* found at a broker, not ours */
	int64_t		 applied;	/* units moved into positions */
	size_t		 completed;	/* fan-outs settled from the books */
	size_t		 interrupted;
	size_t		 waiting;	/* still inside their window */
	json_t		*data;		/* the same, with names; borrowed */
	const char	*text;		/* lines for people; NULL: nothing */
};

typedef void (*reconcile_cb)(const struct reconcile_report *, void *);

struct reconcile *reconcile_new(struct router *);
/* A pass in flight ends with err "cancelled" first. */
void reconcile_free(struct reconcile *);
/* One pass; cb once it is over (at once if one is already running). */
void reconcile_run(struct reconcile *, const struct reconcile_opts *,
    reconcile_cb, void *);
/*
 * A pass now and every seconds (0: only now), each taking the duty if it
 * is free -- so a dead holder's duty is taken over.  cb gets each report.
 */
void reconcile_every(struct reconcile *, int seconds, reconcile_cb, void *);

/*
 * Warnings about fan-outs a trader must look at (INTERRUPTED, or RUNNING
 * with no live sender), one line each; cb gets NULL when there are none.
 */
void reconcile_warnings(struct store *, void (*cb)(const char *text,
    void *), void *);

#endif
