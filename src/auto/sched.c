/*
 * The scheduler's tick (sched.h): one chain of statements on the store's
 * connection -- duty, orphaned runs, holidays, schedules (their due fires
 * recorded), queued runs started, alert rules -- then the next tick.
 * Statements on one connection run in order, so a fire recorded in this
 * tick is seen by the queued-runs read that follows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "auto/cron.h"
#include "auto/sched.h"
#include "util/metrics.h"

/* Fires older than this before the scheduler took the duty were missed. */
#define SCHED_GRACE_S	60
/* The most fires one schedule records in one tick (catch-up all). */
#define SCHED_MAX_FIRES	1000
#define SCHED_MAX_STEPS	100000

struct sched {
	struct store	*st;
	struct config	*cfg;
	sched_runner	 runner;
	void		*arg;
	struct event	*timer;
	int		 held;
	int		 busy;
	int		 stopped;
	int64_t		 started;	/* scheduler clock at duty taken */
	int64_t		 clock_start;	/* test clock: its start */
	int64_t		 mono_start;
	int		 speed;		/* 0: the real clock */
	int32_t		*holidays;
	size_t		 nholidays;
};

static void	sched_tick(struct sched *);

int
sched_clock_parse(const char *text, int64_t *start, int *speed,
    struct err *err)
{
	int	y, mo, d, h, mi, sec = 0, n = 0, sp = 1;
	char	tail[32] = "";

	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &n) != 5)
		goto bad;
	text += n;
	if (*text == ':') {
		if (sscanf(text, ":%2d%n", &sec, &n) != 1)
			goto bad;
		text += n;
	}
	if (*text == '*') {
		if (sscanf(text, "*%6d%31s", &sp, tail) != 1 || sp < 1)
			goto bad;
	} else if (*text != '\0')
		goto bad;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59 || y < 1970)
		goto bad;
	*start = (int64_t)time_days_from_civil(y, mo, d) * 86400 + h * 3600 +
	    mi * 60 + sec - IST_OFFSET_S;
	*speed = sp;
	return 0;
bad:
	err_set(err, "config", "schedule.test_clock: expected "
	    "YYYY-MM-DDTHH:MM[:SS][*SPEED], got \"%.60s\"", text);
	return -1;
}

int64_t
sched_now(const struct sched *s)
{
	if (s->speed == 0)
		return time_wall_us() / 1000000;
	return s->clock_start + (time_mono_us() - s->mono_start) *
	    s->speed / 1000000;
}

static void
sched_destroy(struct sched *s)
{
	if (s->timer != NULL)
		event_free(s->timer);
	free(s->holidays);
	free(s);
}

/* The chain's every step: stop here when the scheduler was freed. */
static int
sched_gone(struct sched *s)
{
	if (!s->stopped)
		return 0;
	sched_destroy(s);
	return 1;
}

static void
sched_rearm(struct sched *s)
{
	int64_t		ms = config_int(s->cfg, "schedule.tick_ms");
	struct timeval	tv;

	s->busy = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	evtimer_add(s->timer, &tv);
}

static void
sched_alerts_done(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	json_t		*row;
	size_t		 i;

	if (sched_gone(s))
		return;
	if (err != NULL)
		log_warn("sched", "alert rules: %s", err->msg);
	json_array_foreach(rows, i, row)
		log_info("sched", "alert %s fired (%s): notification %lld",
		    json_string_value(json_object_get(row, "rule")),
		    json_string_value(json_object_get(row, "key")),
		    (long long)json_integer_value(json_object_get(row,
		    "notification")));
	sched_rearm(s);
}

/* How many runs of one schedule we start in this tick. */
struct started {
	int64_t	schedule_id;
	int	n;
};

static void
sched_pending(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	struct started	*st;
	json_t		*row;
	size_t		 i, j, n = 0;
	int64_t		 sid;
	int		 limit, running;
	const char	*conc;

	if (sched_gone(s))
		return;
	if (err != NULL)
		log_warn("sched", "queued runs: %s", err->msg);
	st = xcalloc(json_array_size(rows) + 1, sizeof *st);
	json_array_foreach(rows, i, row) {
		sid = json_integer_value(json_object_get(row, "schedule_id"));
		conc = json_string_value(json_object_get(row, "concurrency"));
		limit = conc != NULL && strcmp(conc, "parallel") == 0 ?
		    (int)json_integer_value(json_object_get(row,
		    "parallel_max")) : 1;
		running = (int)json_integer_value(json_object_get(row,
		    "running"));
		for (j = 0; j < n && st[j].schedule_id != sid; j++)
			;
		if (j == n)
			st[n++].schedule_id = sid;
		if (running + st[j].n >= limit)
			continue;
		st[j].n++;
		s->runner(json_integer_value(json_object_get(row, "id")),
		    s->arg);
	}
	free(st);
	store_alert_evaluate(s->st, sched_alerts_done, s);
}

static void
sched_fired(json_t *rows, const struct err *err, void *arg)
{
	json_t	*row;
	size_t	 i;

	if (err != NULL) {
		log_warn("sched", "cannot record a schedule's fires: %s",
		    err->msg);
		return;
	}
	json_array_foreach(rows, i, row) {
		metric_inc(pxm.scheduler_fires, "run");
		log_info("sched", "run %lld recorded for the fire at %s IST",
		    (long long)json_integer_value(json_object_get(row, "id")),
		    json_string_value(json_object_get(row, "fire_at")));
	}
}

static const char *
str(json_t *o, const char *k)
{
	const char	*v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

static void
fires_add(json_t *a, int64_t t)
{
	char	buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)t);
	json_array_append_new(a, json_string(buf));
}

/*
 * The fires of one schedule due by now, after its watermark: the missed
 * ones (before the scheduler came up) by its catch-up policy, the rest
 * all; under concurrency skip at most the latest, and none while one of
 * its runs is active.
 */
static void
sched_schedule(struct sched *s, json_t *row, int64_t now)
{
	struct cron_calendar	 cal = { s->holidays, s->nholidays };
	struct cron		 c;
	struct err		 err;
	json_t			*fires;
	int64_t			 t, wm, last_missed = -1;
	const char		*catchup = str(row, "catchup");
	int			 skip = strcmp(str(row, "concurrency"),
				    "skip") == 0;
	size_t			 steps = 0, nmissed = 0;
	char			*j;

	if (json_is_true(json_object_get(row, "paused")))
		return;
	err_clear(&err);
	if (cron_parse(str(row, "cron"), &c, &err) != 0) {
		log_warn("sched", "schedule %s: %s", str(row, "name"), err.msg);
		return;
	}
	t = wm = json_integer_value(json_object_get(row, "since_epoch"));
	fires = json_array();
	while (steps++ < SCHED_MAX_STEPS && (t = cron_next(&c, t,
	    json_is_true(json_object_get(row, "trading_days")) ? &cal :
	    NULL)) != -1 && t <= now) {
		wm = t;
		if (t < s->started - SCHED_GRACE_S) {
			nmissed++;
			last_missed = t;
			if (strcmp(catchup, "all") == 0 &&
			    json_array_size(fires) < SCHED_MAX_FIRES)
				fires_add(fires, t);
			continue;
		}
		if (last_missed != -1 && strcmp(catchup, "last") == 0) {
			fires_add(fires, last_missed);
			last_missed = -1;
		}
		if (json_array_size(fires) < SCHED_MAX_FIRES)
			fires_add(fires, t);
	}
	if (last_missed != -1 && strcmp(catchup, "last") == 0)
		fires_add(fires, last_missed);
	if (wm == json_integer_value(json_object_get(row, "since_epoch"))) {
		json_decref(fires);
		return;
	}
	if (nmissed > 0)
		log_info("sched", "schedule %s missed %zu fire%s while no "
		    "scheduler ran (catchup %s)", str(row, "name"), nmissed,
		    nmissed == 1 ? "" : "s", catchup);
	if (skip && json_integer_value(json_object_get(row, "active")) > 0) {
		log_info("sched", "schedule %s: fire skipped, run %s is still "
		    "going (concurrency skip)", str(row, "name"),
		    str(row, "last_run"));
		metric_add(pxm.scheduler_fires, (double)json_array_size(fires),
		    "skipped");
		json_array_clear(fires);
	} else if (skip && json_array_size(fires) > 1) {
		while (json_array_size(fires) > 1) {
			json_array_remove(fires, 0);
			metric_inc(pxm.scheduler_fires, "skipped");
		}
	}
	j = json_dumps(fires, JSON_COMPACT);
	store_sched_fire(s->st, json_integer_value(json_object_get(row, "id")),
	    j, wm, "scheduler", sched_fired, NULL);
	free(j);
	json_decref(fires);
}

static void
sched_schedules(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	json_t		*row;
	size_t		 i;
	int64_t		 now = sched_now(s);

	if (sched_gone(s))
		return;
	if (err != NULL)
		log_warn("sched", "schedules: %s", err->msg);
	json_array_foreach(rows, i, row)
		sched_schedule(s, row, now);
	store_runs_pending(s->st, sched_pending, s);
}

static void
sched_holidays(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	json_t		*row;
	size_t		 i;
	int		 y, m, d;

	if (sched_gone(s))
		return;
	if (err == NULL) {
		free(s->holidays);
		s->holidays = xcalloc(json_array_size(rows) + 1,
		    sizeof *s->holidays);
		s->nholidays = 0;
		json_array_foreach(rows, i, row) {
			if (sscanf(str(row, "day"), "%d-%d-%d", &y, &m, &d) == 3)
				s->holidays[s->nholidays++] = y * 10000 +
				    m * 100 + d;
		}
	}
	store_schedule_list(s->st, sched_schedules, s);
}

static void
sched_orphans(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	json_t		*row;
	size_t		 i;

	if (sched_gone(s))
		return;
	json_array_foreach(rows, i, row)
		log_warn("sched", "run %lld (%s) failed: the process running "
		    "it stopped", (long long)json_integer_value(
		    json_object_get(row, "id")), str(row, "ref"));
	store_holidays_list(s->st, 0, sched_holidays, s);
}

static void
sched_duty(json_t *rows, const struct err *err, void *arg)
{
	struct sched	*s = arg;
	int		 held;

	if (sched_gone(s))
		return;
	held = err == NULL && json_is_true(json_object_get(json_array_get(
	    rows, 0), "held"));
	if (held && !s->held) {
		s->started = sched_now(s);
		log_info("sched", "scheduler duty taken");
	} else if (!held && s->held)
		log_warn("sched", "scheduler duty lost%s%s", err != NULL ?
		    ": " : "", err != NULL ? err->msg : "");
	s->held = held;
	metric_set(pxm.scheduler_owner, held, NULL);
	if (!held) {
		sched_rearm(s);
		return;
	}
	store_runs_orphaned(s->st, sched_orphans, s);
}

static void
sched_tick(struct sched *s)
{
	if (s->busy)
		return;
	s->busy = 1;
	store_sched_duty(s->st, sched_duty, s);
}

static void
sched_timer(evutil_socket_t fd, short what, void *arg)
{
	sched_tick(arg);
}

struct sched *
sched_start(struct store *st, struct config *cfg, sched_runner runner,
    void *arg)
{
	struct sched	*s = xcalloc(1, sizeof *s);
	const char	*clock = config_str(cfg, "schedule.test_clock");
	struct err	 err;

	s->st = st;
	s->cfg = cfg;
	s->runner = runner;
	s->arg = arg;
	s->mono_start = time_mono_us();
	if (clock != NULL && *clock != '\0') {
		err_clear(&err);
		if (sched_clock_parse(clock, &s->clock_start, &s->speed,
		    &err) != 0)
			log_error("sched", "%s; using the real clock", err.msg);
		else
			log_warn("sched", "test clock from %s, %dx", clock,
			    s->speed);
	}
	s->timer = evtimer_new(loop_base(), sched_timer, s);
	sched_tick(s);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	evtimer_del(s->timer);
	s->stopped = 1;
	if (!s->busy)
		sched_destroy(s);
}
