/*
 * sched: the scheduler.  Exactly one process fires schedules: the one
 * holding the scheduler's advisory lock (`phalanx serve` takes it; a
 * second daemon waits and takes over when the holder dies).  Each tick
 * it records every due fire as a run with a unique (schedule, time) key
 * before anything runs -- so a restart never fires twice -- applies the
 * catch-up policy to fires missed while no scheduler was up, starts
 * queued runs within each schedule's concurrency, fails runs whose
 * process died, and evaluates the alert rules.
 */
#ifndef PX_AUTO_SCHED_H
#define PX_AUTO_SCHED_H

#include <stdint.h>

#include "db/store_auto.h"
#include "util/config.h"

struct sched;

/* Start the run with this id (PENDING) in this process. */
typedef void (*sched_runner)(int64_t run_id, void *arg);

struct sched *sched_start(struct store *, struct config *, sched_runner,
    void *arg);
void sched_free(struct sched *);

/*
 * schedule.test_clock: "YYYY-MM-DDTHH:MM[:SS][*SPEED]" (IST).  0 with
 * *start (Unix seconds) and *speed; -1 with err.
 */
int sched_clock_parse(const char *, int64_t *start, int *speed,
    struct err *);
/* The scheduler's now in Unix seconds (the test clock when set). */
int64_t sched_now(const struct sched *);

#endif
