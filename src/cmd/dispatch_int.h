/* Shared by the command handlers (dispatch.c, cmd_*.c) only. */
#ifndef PX_CMD_DISPATCH_INT_H
#define PX_CMD_DISPATCH_INT_H

#include "cmd/dispatch.h"

struct cmd_job {
	struct cmd_env		*env;
	const struct cmd	*cmd;
	struct cmd_result	 res;
	cmd_done_cb		 cb;
	void			*arg;
	void			*state;		/* the handler's own */
};

typedef void (*cmd_handler)(struct cmd_job *);

/* Finish a job: hands the result to the front and frees the job. */
void cmd_done(struct cmd_job *);
/* Finish with an error; code decides the exit class. */
void cmd_fail(struct cmd_job *, const struct err *);
void cmd_rows(struct cmd_job *, json_t *rows, const struct err *,
    const char *const *columns, void (*fix)(json_t *row));
void cmd_failf(struct cmd_job *, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);
struct store_actor cmd_actor(const struct cmd_job *);
int cmd_encrypt(struct cmd_job *, const char *key, char **out);
int cmd_encrypt2(struct cmd_job *, const char *ka, char **a,
    const char *kb, char **b);

void cmd_broker_add(struct cmd_job *);
void cmd_broker_list(struct cmd_job *);
void cmd_broker_rm(struct cmd_job *);
void cmd_account_add(struct cmd_job *);
void cmd_account_set(struct cmd_job *);
void cmd_account_tag(struct cmd_job *);
void cmd_account_enable(struct cmd_job *);
void cmd_account_disable(struct cmd_job *);
void cmd_account_rm(struct cmd_job *);
void cmd_account_list(struct cmd_job *);
void cmd_help(struct cmd_job *);
/* cmd_notify.c: the handler of a notification command, else NULL. */
cmd_handler cmd_notify_handler(enum cmd_kind);
/* cmd_rms.c, cmd_incident.c: a family's handler for kind, else NULL. */
cmd_handler cmd_rms_handler(enum cmd_kind);
cmd_handler cmd_incident_handler(enum cmd_kind);
cmd_handler cmd_analytics_handler(enum cmd_kind);
cmd_handler cmd_export_handler(enum cmd_kind);
cmd_handler cmd_schedule_handler(enum cmd_kind);
cmd_handler cmd_run_handler(enum cmd_kind);
cmd_handler cmd_connector_handler(enum cmd_kind);
/* cmd_order.c */
void cmd_buy(struct cmd_job *);
void cmd_squareoff(struct cmd_job *);
void cmd_cancel(struct cmd_job *);
void cmd_cancel_order(struct cmd_job *);
void cmd_kill(struct cmd_job *);
void cmd_unkill(struct cmd_job *);
/* cmd_fanout.c */
void cmd_fanouts(struct cmd_job *);
void cmd_fanout_show(struct cmd_job *);
void cmd_fanout_resume(struct cmd_job *);	/* cmd_order.c */
void cmd_latency(struct cmd_job *);
/* cmd_market.c */
void cmd_instruments_load(struct cmd_job *);
void cmd_positions(struct cmd_job *);
void cmd_orders(struct cmd_job *);

#endif
