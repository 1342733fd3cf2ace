/*
 * runner: execute a stored run's command line or batch file in this
 * process, through the dispatcher batch mode uses: every command's output
 * goes to the run's log, its errors to the log's err stream, and the run
 * ends SUCCEEDED when every command did, else FAILED (or CANCELLED or
 * TIMED_OUT when stopped).  The scheduler, `schedule run` and any other
 * front call this; see auto/run.h for the run's life.
 */
#ifndef PX_CMD_RUNNER_H
#define PX_CMD_RUNNER_H

#include <stdint.h>

#include "cmd/dispatch.h"

/*
 * done gets the run's end state and outcome, or state NULL with err when
 * the run could not start (not PENDING, store away).
 */
typedef void (*runner_cb)(int64_t id, const char *state,
    const char *outcome, const struct err *, void *arg);
void runner_start(struct cmd_env *, int64_t id, runner_cb, void *arg);

#endif
