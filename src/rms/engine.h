/*
 * The RMS at work (as opposed to rms.h, its rules as pure functions):
 * one engine per process that trades.  It installs the pre-trade guard
 * in the router, judging every leg from a snapshot of limits, states
 * and positions that NOTIFYs and a timer keep fresh, and -- in the one
 * process that holds the RMS duty -- marks positions to market, runs
 * the monitors and the responses, and records incidents.
 */
#ifndef PX_RMS_ENGINE_H
#define PX_RMS_ENGINE_H

#include "exec/router.h"

struct config;
struct store;
struct rms_engine;

/* front: "batch", "console" or "daemon" (a static string), for audit. */
struct rms_engine *rms_engine_new(struct store *, struct router *,
    struct config *, const char *home, const char *front);
/* stop before the router is freed; free after the store is closed. */
void rms_engine_stop(struct rms_engine *);
void rms_engine_free(struct rms_engine *);
/*
 * Run the monitors and responses whenever this process holds, or can
 * take, the RMS duty (the daemon, or a console with no daemon); checked
 * every rms.monitor_ms, so a holder that dies is replaced within one.
 */
void rms_engine_monitor(struct rms_engine *);
/* 1 while this process holds the duty. */
int rms_engine_duty(const struct rms_engine *);

/* The router's guard (installed by rms_engine_new); for benchmarks. */
int rms_engine_guard(void *engine, const struct router_guard_leg *,
    struct router_guard_verdict *);
/* Snapshot loaded at least once (the guard answers "not ready" before). */
int rms_engine_ready(const struct rms_engine *);

#endif
