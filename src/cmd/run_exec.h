/*
 * run_exec: execute a stored run's command line or batch file in this
 * process, through the executor batch mode uses: every command's output
 * goes to the run's log, its errors to the log's err stream, and the run
 * ends SUCCEEDED when every command did, else FAILED (or CANCELLED or
 * TIMED_OUT when stopped).  The scheduler, `schedule run` and any other
 * front call this; see auto/run.h for the run's life.
 */
#ifndef PX_CMD_RUN_EXEC_H
#define PX_CMD_RUN_EXEC_H

#include <stdint.h>

#include "cmd/exec.h"

/*
 * done gets the run's end state and outcome, or state NULL with err when
 * the run could not start (not PENDING, store away).
 */
typedef void (*run_exec_cb)(int64_t id, const char *state,
    const char *outcome, const struct err *, void *arg);
void run_exec(struct exec_env *, int64_t id, run_exec_cb, void *arg);

/* host:pid, how a run names the process that ran it. */
const char *run_exec_owner(void);

#endif
