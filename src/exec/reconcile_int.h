/* The reconciler's private parts, shared by src/exec/reconcile*.c only. */
#ifndef PX_RECONCILE_INT_H
#define PX_RECONCILE_INT_H

#include <event2/event.h>

#include "exec/reconcile.h"
#include "exec/router_int.h"

#define RC_JOURNAL_WAIT_US	5000000	/* at most, for a journal replay */
#define RC_MAX_REPASS		20

struct rc_acct {
	struct reconcile	*rc;
	int64_t			 id;
	char			 name[72];
	struct broker		*b;
	struct broker_order	*book;
	size_t			 nbook;
	int			 read;		/* book read and stored */
};

struct rc_fanout {
	int64_t		 id;
	int64_t		 orphaned_ms;
};

struct reconcile {
	struct router		*r;
	struct store		*st;
	int64_t			 window_ms;	/* broker.timeout_ms */
	struct event		*tick;
	int			 period_s;
	reconcile_cb		 every_cb;
	void			*every_arg;
	int			 running;
	int			 freed;		/* reconcile_free during a pass */
	int			 inflight;	/* callbacks still to come */

	/* The pass in flight. */
	struct reconcile_opts	 o;
	reconcile_cb		 cb;
	void			*arg;
	int64_t			 started;
	int			 repass;
	struct rc_fanout	*fos;
	size_t			 nfos, next_fo;
	json_t			*claimed;
	struct rc_acct		*accts;
	size_t			 naccts, pending;
	int64_t			 wait_ms;
	struct reconcile_report	 rep;
	json_t			*failed;	/* account -> message */
	json_t			*fanouts;	/* [{id, state, message}] */
	struct strbuf		 text;
};

/* reconcile.c */
void rc_call(struct reconcile *);
int rc_back(struct reconcile *);
void rc_abandon(struct reconcile *, const struct err *, const char *what);
void rc_finish(struct reconcile *);

/* reconcile_settle.c */
void rc_next_fanout(struct reconcile *);

#endif
