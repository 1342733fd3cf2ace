/*
 * run: workflow runs, the one record every automated action leaves.  A
 * schedule's fire, a webhook signal and a manual rerun each become a run:
 *
 *   PENDING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED | TIMED_OUT
 *
 * with a timeline (run_events) and a log (run_logs), both NOTIFY-streamed
 * on STORE_RUNS_CHANNEL.  Any front drives a run through this API:
 *
 *   run_create()  a PENDING row (kind, ref, command or batch file);
 *   run_begin()   PENDING -> RUNNING in this process (which holds the
 *                 run's advisory lock, so a run whose process died is
 *                 found and failed by the scheduler); arms the timeout
 *                 and listens for `run cancel`;
 *   run_log()     lines of output;
 *   run_stopping() whether a cancel or the timeout ended it already;
 *   run_finish()  the outcome (SUCCEEDED, FAILED, or CANCELLED by the
 *                 work itself); frees the handle.
 *
 * A run with a command or batch file is executed by runner_start()
 * (cmd/runner.h), through the dispatcher batch mode uses; a webhook
 * front may instead do its own work between run_begin and run_finish.
 */
#ifndef PX_AUTO_RUN_H
#define PX_AUTO_RUN_H

#include <stdint.h>

#include "db/store_auto.h"

struct run;

/* Created: id > 0, or 0 with err. */
typedef void (*run_created_cb)(int64_t id, const struct err *, void *arg);
void run_create(struct store *, const struct store_run_spec *,
    const char *created_by, run_created_cb, void *arg);

/*
 * The run once it is RUNNING here, or NULL with err: code "run-state"
 * when it was not PENDING (started elsewhere, cancelled), else the
 * store's error.
 */
typedef void (*run_begun_cb)(struct run *, const struct err *, void *arg);
void run_begin(struct store *, int64_t id, const char *owner, run_begun_cb,
    void *arg);

/* "host:pid": who runs a run, in its row and timeline. */
const char *run_owner(void);

int64_t run_id(const struct run *);
const char *run_kind(const struct run *);
const char *run_ref(const struct run *);
const char *run_command(const struct run *);	/* NULL if none */
const char *run_batch_file(const struct run *);	/* NULL if none */

/* Text into the log, one row per line; stream "out", "err" or "sys". */
void run_log(struct run *, const char *stream, const char *text);
/* NULL while it runs; else the end state a cancel or timeout gave it. */
const char *run_stopping(const struct run *);
/*
 * The outcome; ignored when run_stopping() already ended the run.  done
 * (may be NULL) is called once the store has it; the handle is freed.
 */
void run_finish(struct run *, const char *state, const char *msg,
    void (*done)(void *), void *arg);

#endif
