/*
 * store_auto: the rows of automation -- the trading calendar, schedules
 * and the scheduler's duty, workflow runs with their timeline and log,
 * and alert rules (db/migrations/0020_automation.sql).  Every call is
 * asynchronous on the store's connection; rows come back as JSON.
 */
#ifndef PX_STORE_AUTO_H
#define PX_STORE_AUTO_H

#include "db/store.h"

/* NOTIFY channel of runs: "ID STATE", "ID log", "ID cancel". */
#define STORE_RUNS_CHANNEL	"phalanx_runs"

/* Holidays {day, name}, of one year (0: all), oldest first. */
void store_holidays_list(struct store *, int year, store_rows_cb, void *);
/*
 * Replace the holidays of every year that days ([{day, name}]) mentions;
 * one row {years, loaded}.
 */
void store_holidays_load(struct store *, json_t *days,
    const struct store_actor *, store_rows_cb, void *);

/*
 * A new schedule; fields: name cron command|batch_file concurrency
 * parallel_max catchup timeout_s trading_days.  No row when the name is
 * taken.
 */
void store_schedule_add(struct store *, json_t *fields,
    const struct store_actor *, store_rows_cb, void *);
/* Every schedule with active (PENDING + RUNNING runs) and its last run. */
void store_schedule_list(struct store *, store_rows_cb, void *);
void store_schedule_get(struct store *, const char *name, store_rows_cb,
    void *);
/* Pause or resume; the row, none when unknown. */
void store_schedule_pause(struct store *, const char *name, int paused,
    const struct store_actor *, store_rows_cb, void *);
void store_schedule_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);

/* The scheduler duty: one row {held}; taken or confirmed. */
void store_sched_duty(struct store *, store_rows_cb, void *);
/*
 * Record fires of a schedule: fires is a JSON array of Unix seconds,
 * each inserted as a PENDING run unless that (schedule, time) exists;
 * watermark (Unix seconds) becomes last_fire if later.  Rows: the runs
 * created.
 */
void store_sched_fire(struct store *, int64_t schedule_id, const char *fires,
    int64_t watermark, const char *created_by, store_rows_cb, void *);
/*
 * Runs whose process is gone (RUNNING, their lock free) become FAILED;
 * rows: the runs moved.
 */
void store_runs_orphaned(struct store *, store_rows_cb, void *);
/* Scheduled runs waiting to start, oldest first. */
void store_runs_pending(struct store *, store_rows_cb, void *);

/* A run: kind schedule|webhook|manual; command or batch_file or neither. */
struct store_run_spec {
	const char	*kind;
	const char	*ref;
	int64_t		 schedule_id;	/* 0: none */
	const char	*command;
	const char	*batch_file;
	int		 timeout_s;	/* 0: none */
};
void store_run_create(struct store *, const struct store_run_spec *,
    const char *created_by, store_rows_cb, void *);
/*
 * PENDING -> RUNNING for this session, which also takes the run's lock
 * (so a run whose process died is known).  The run, none when it is not
 * PENDING (someone else started it, or it was cancelled).
 */
void store_run_begin(struct store *, int64_t id, const char *owner,
    store_rows_cb, void *);
/*
 * Move a run (the end states release the lock); the run after the move,
 * none when the move is not allowed from its state.
 */
void store_run_move(struct store *, int64_t id, const char *state,
    const char *msg, store_rows_cb, void *);
/*
 * Append lines (a JSON array text of strings) to a run's log; one row
 * {cancel_requested, state}.
 */
void store_run_log(struct store *, int64_t id, const char *stream,
    const char *lines_json, store_rows_cb, void *);
/*
 * Cancel: a PENDING run at once, a RUNNING one by asking its process.
 * Row {was, run} (run: after, NULL when unknown or over).
 */
void store_run_cancel(struct store *, int64_t id,
    const struct store_actor *, store_rows_cb, void *);
/* The latest runs (state NULL: any), newest first. */
void store_run_list(struct store *, int last, const char *state,
    const char *schedule, store_rows_cb, void *);
/* One row {run, events} for one run. */
void store_run_show(struct store *, int64_t id, store_rows_cb, void *);
/* One row {state} of one run; none when unknown. */
void store_run_state(struct store *, int64_t id, store_rows_cb, void *);
/* Log lines after after_id, oldest first (at most limit). */
void store_run_logs(struct store *, int64_t id, int64_t after_id, int limit,
    store_rows_cb, void *);

/* Alert rules; fields: name cond arg_s at_time pct connector schedule
 * channels (array) severity. */
void store_alert_rule_add(struct store *, json_t *fields,
    const struct store_actor *, store_rows_cb, void *);
void store_alert_rule_list(struct store *, store_rows_cb, void *);
void store_alert_rule_rm(struct store *, const char *name,
    const struct store_actor *, store_rows_cb, void *);
/* Evaluate every rule; rows {rule, key, notification} enqueued. */
void store_alert_evaluate(struct store *, store_rows_cb, void *);

#endif
