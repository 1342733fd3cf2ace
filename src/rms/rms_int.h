/* The engine's private structures, shared by src/rms/ engine files. */
#ifndef PX_RMS_INT_H
#define PX_RMS_INT_H

#include <event2/event.h>

#include "db/store.h"
#include "exec/router.h"
#include "rms/engine.h"
#include "rms/rms.h"

#define RMS_RATE_RING	64

struct rms_pos {
	char		 exchange[8];
	char		 symbol[48];
	char		 under[48];	/* the instrument's name */
	char		 type[8];	/* FUT, CE, PE, EQ */
	char		 expiry[12];
	char		 product[8];
	int64_t		 strike;	/* paise */
	int64_t		 qty;
	int64_t		 lot;
	int64_t		 avg;		/* paise */
	int64_t		 realised;	/* paise */
	int64_t		 last;		/* paise, 0 none */
};

struct rms_acct {
	int64_t			 id;
	char			*name;
	int64_t			 capital;
	struct rms_limits	 lim;
	enum trading_state	 st;
	struct rms_pos		*pos;
	size_t			 npos;
	int			 nopen;
	/* Carried over from snapshot to snapshot: */
	int64_t			 sent[RMS_RATE_RING];	/* mono us, ring */
	unsigned		 nsent;
	struct rms_watch	 w;
	struct rms_watch	 saved;		/* as last written */
	int			 responding;	/* a response in flight */
};

struct rms_snap {
	struct rms_acct		*a;		/* sorted by id */
	size_t			 n;
	struct rms_world	 world;
};

struct rms_marks;

struct rms_engine {
	struct store		*store;
	struct router		*router;
	struct config		*cfg;
	char			*home;
	const char		*front;		/* for audit rows */
	struct rms_snap		 snap;
	int			 ready;
	/* A refresh gathers world, accounts and positions, then swaps. */
	int			 loading;
	int			 again;
	json_t			*l_world;
	struct account_set	 l_accounts;
	json_t			*l_positions;
	int			 l_pending;
	int			 l_failed;
	void			(*l_done)(struct rms_engine *);
	void			(*again_done)(struct rms_engine *);
	int			 have_static;	/* l_world, l_accounts */
	int			 full_due;
	int64_t			 t_full;
	struct event		*timer;
	struct event		*soon;		/* reload after a NOTIFY */
	int			 notified;	/* a reload is due */
	int			 closing;
	int			 monitoring;
	int			 duty;
	int			 watches_loaded;
	char			 day[12];
	int			 passing;	/* a monitor pass in flight */
	struct rms_marks	*marks;
	int			 stale_s;
	int			 hedge_steps;
	int64_t			 t_tick;	/* bench: mono us of last mark */
	int			 live_saving;	/* rms_live rows in flight */
	json_t			*held_notes;	/* timeline events held until
						   the breach record is queued */
	int64_t			 t_live;	/* mono us of the last save */
	char			 pass_intent[16];	/* this pass's breaches,
						   journaled first; "" none */
	int			 taking_over;	/* the duty is new here */
	int64_t			 load_after;	/* test only: no load before */
	int			 die_unrecorded;	/* test only: SIGKILL once a
						   response's fan-out is done,
						   its breach never recorded */
};

/* snapshot.c */
void rms_snap_refresh(struct rms_engine *, void (*done)(struct rms_engine *));
void rms_snap_free(struct rms_snap *);
struct rms_acct *rms_snap_find(const struct rms_snap *, int64_t id);
int rms_minute_ist(int64_t wall_us);
void rms_day_ist(int64_t wall_us, char *buf, size_t len);

/* marks.c: quotes for held instruments, failing over across accounts. */
struct rms_quote {
	int64_t	 ltp;
	int64_t	 at;		/* wall us of the quote */
};
typedef void (*rms_marks_cb)(struct rms_engine *, json_t *quotes,
    void *arg);
struct rms_marks *rms_marks_new(struct rms_engine *);
void rms_marks_free(struct rms_marks *);
void rms_marks_reset(struct rms_marks *);	/* credentials changed */
/* quotes: {"EX:SYM": {"ltp": paise, "at": wall us}} for those answered. */
void rms_marks_get(struct rms_marks *, const char *const *keys, size_t n,
    rms_marks_cb, void *arg);

/* duty.c */
void rms_duty_pass(struct rms_engine *);

/* respond.c */
struct rms_fired {
	int64_t			 acct_id;
	struct rms_breach	 br;
};
/* An event on the timeline of account name's open incident for rule. */
void rms_note(struct rms_engine *, const char *name, const char *rule,
    const char *ev, const char *msg, json_t *detail);
/* The responses of one pass's crossings, grouped by kind. */
void rms_respond_all(struct rms_engine *, const struct rms_fired *,
    size_t);
void rms_respond(struct rms_engine *, struct rms_acct *,
    const struct rms_breach *);
/*
 * A response's fan-outs carry the tag "rms:INTENT:L" (INTENT: the pass's
 * breach intent, L this letter: s scaleout, q squareoff, h hedge, k
 * kill), so a process taking the duty over knows which ran.
 */
char rms_respond_letter(enum rms_response);

#endif
