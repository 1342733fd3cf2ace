/* Shared by the executor's files (exec*.c) only. */
#ifndef PX_EXEC_INT_H
#define PX_EXEC_INT_H

#include "cmd/dispatch.h"

struct exec_job {
	struct exec_env		*env;
	const struct cmd	*cmd;
	struct exec_result	 res;
	exec_done_cb		 cb;
	void			*arg;
	void			*state;		/* the handler's own */
};

typedef void (*exec_handler)(struct exec_job *);

/* Finish a job: hands the result to the front and frees the job. */
void exec_done(struct exec_job *);
/* Finish with an error; code decides the exit class. */
void exec_fail(struct exec_job *, const struct err *);
void exec_failf(struct exec_job *, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);
struct store_actor exec_actor(const struct exec_job *);
int exec_encrypt(struct exec_job *, const char *key, char **out);
int exec_encrypt2(struct exec_job *, const char *ka, char **a,
    const char *kb, char **b);

void exec_broker_add(struct exec_job *);
void exec_broker_list(struct exec_job *);
void exec_broker_rm(struct exec_job *);
void exec_account_add(struct exec_job *);
void exec_account_set(struct exec_job *);
void exec_account_tag(struct exec_job *);
void exec_account_enable(struct exec_job *);
void exec_account_disable(struct exec_job *);
void exec_account_rm(struct exec_job *);
void exec_account_list(struct exec_job *);
void exec_help(struct exec_job *);
/* cmd_notify.c: the handler of a notification command, else NULL. */
exec_handler exec_notify_handler(enum cmd_kind);
/* cmd_rms.c, cmd_incident.c: a family's handler for kind, else NULL. */
exec_handler exec_rms_handler(enum cmd_kind);
exec_handler exec_incident_handler(enum cmd_kind);
exec_handler exec_analytics_handler(enum cmd_kind);
/* exec_order.c */
void exec_buy(struct exec_job *);
void exec_squareoff(struct exec_job *);
void exec_cancel(struct exec_job *);
void exec_cancel_order(struct exec_job *);
void exec_kill(struct exec_job *);
void exec_unkill(struct exec_job *);
/* exec_fanouts.c */
void exec_fanouts(struct exec_job *);
void exec_fanout_show(struct exec_job *);
void exec_fanout_resume(struct exec_job *);	/* exec_order.c */
void exec_latency(struct exec_job *);
/* exec_market.c */
void exec_instruments_load(struct exec_job *);
void exec_positions(struct exec_job *);
void exec_orders(struct exec_job *);

#endif
