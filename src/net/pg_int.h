/*
 * Inside src/net/pg.c and pg_pipe.c: one connection's state, shared by
 * the one-query-at-a-time path (pg.c) and pipeline mode (pg_pipe.c).
 */
#ifndef PX_NET_PG_INT_H
#define PX_NET_PG_INT_H

#include "net/net.h"

struct pg_query {
	char		 *sql;
	int		  nparams;
	char		**params;
	pg_query_cb	  cb;
	void		 *arg;
	int		  internal;	/* a LISTEN issued by us */
	int		  urgent;	/* queued ahead of the others */
	char		 *copy;		/* COPY FROM STDIN data, or NULL */
	size_t		  ncopy;
	int		  copied;	/* sent: a second COPY is refused */
	int		  aborted;	/* pipelined: skipped by the server */
	struct pg_stmt	 *stmt;		/* its named statement (pg_prep.c) */
	int		  preparing;	/* its Parse is not answered yet */
	struct pg_query	 *next;
};

struct pg_listener {
	char			*channel;
	pg_notify_cb		 cb;
	void			*arg;
	struct pg_listener	*next;
};

struct pg_conn {
	struct event_base	*base;
	char			*conninfo;
	struct pg_opts		 opts;
	PGconn			*pq;
	enum pg_state		 state;
	int			 attempts;	/* failed in a row */
	int			 backoff_ms;	/* next retry delay */
	int			 was_ready;	/* a READY now is a reconnect */
	char			 why[256];	/* last connection error */

	struct event		*ev_rd;		/* connect step, or reads */
	struct event		*ev_wr;		/* PQflush wants more room */
	struct event		*ev_timeout;	/* connect attempt deadline */
	struct event		*ev_retry;	/* start the next attempt */
	struct event		*ev_kick;	/* send or fail from the loop */

	struct pg_query		*head;
	struct pg_query		*tail;
	struct pg_query		*urgent_tail;	/* last urgent one queued */
	struct pg_query		*inflight;
	PGresult		*res;		/* result kept for inflight */
	size_t			 npending;	/* user queries, incl. inflight */

	/* Pipeline mode (pg_pipe.c): queries sent, not yet synced. */
	int			 pipe_depth;	/* most in flight; <= 1: off */
	int			 piped;		/* pq is in pipeline mode */
	int			 npipe;
	struct pg_query		*pipe_head;	/* oldest, its results next */
	struct pg_query		*pipe_tail;

	struct pg_listener	*listeners;

	pg_state_cb		 state_cb;
	void			*state_arg;

	struct pg_stmt		*stmts;		/* named statements (pg_prep.c) */
	uint64_t		*seen;		/* texts sent once, by hash */
	int			 nstmts;
	unsigned		 stmt_seq;
	int			 prep_off;	/* the server forgot one */

	int			*alivep;
	int			 freeing;
};

/* pg.c */
int	pg_complete(struct pg_conn *, struct pg_query *, PGresult *,
	    const struct err *);
void	pg_lost(struct pg_conn *, const char *);
int	pg_flush(struct pg_conn *);
int	pg_unsent(struct pg_conn *, struct pg_query *);
void	pg_append(struct pg_query **, struct pg_query **, struct pg_query *);
void	pg_push_front(struct pg_conn *, struct pg_query *);
struct pg_query *pg_dequeue(struct pg_conn *);
void	pg_set_why(struct pg_conn *, const char *);
void	pg_err_unreachable(struct pg_conn *, struct err *);
void	pg_fail_all(struct pg_conn *, struct pg_query *(*)(struct pg_conn *));
int	pg_result_err(PGresult *, struct err *);
int	pg_is_error(PGresult *);
void	pg_keep_result(struct pg_conn *, PGresult *);
int	pg_link_dead(struct pg_conn *);
void	pg_lost_dead(struct pg_conn *);
int	pg_finish(struct pg_conn *, struct pg_query *, int aborted);
void	pg_cancel(struct pg_conn *, struct pg_query *);

/* pg_prep.c */
int	pg_prep_send(struct pg_conn *, struct pg_query *);
int	pg_prep_parsed(struct pg_conn *);
int	pg_prep_parse_result(struct pg_conn *, struct pg_query *, PGresult *);
int	pg_prep_refused(struct pg_conn *, struct pg_query *);
void	pg_prep_reset(struct pg_conn *);

/* pg_pipe.c */
int	pg_pipe_send(struct pg_conn *);
int	pg_pipe_drain(struct pg_conn *);
void	pg_pipe_lost(struct pg_conn *);
void	pg_pipe_cancel(struct pg_conn *);

#endif
