/* batch: the scripted front (`phalanx batch`, `phalanx -c`). */
#ifndef PX_BATCH_H
#define PX_BATCH_H

#include "util/config.h"

struct batch_opts {
	const char	*file;		/* NULL or "-": stdin */
	const char	*command;	/* -c text, or NULL */
	int		 json;
	int		 stop_on_error;
	const char	*front;		/* for audit_log; default "batch" */
};

struct cmd_env;
struct err;
int batch_env_open(struct cmd_env *, struct config *, const char *front,
    int need_store, struct err *);
void batch_env_close(struct cmd_env *);
/*
 * Reconcile at start and every exec.reconcile_s (daemon, console); say
 * (NULL: the log) gets each line for people.
 */
void batch_env_reconcile(struct cmd_env *, void (*say)(const char *line,
    void *), void *arg);

/* Returns the process exit status (COMMANDS.md). */
int batch_main(const struct batch_opts *, struct config *);

#endif
