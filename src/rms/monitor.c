/*
 * Monitors: after every fill and every mark to market, a scope's day is
 * judged against its monitored limits.  Each limit fires once when it is
 * crossed and re-arms only when the value is back RMS_REARM_BP inside it,
 * so a price wobbling on the line does not square off twice.  A mark made
 * from stale prices is not judged at all: it raises one alert, since a
 * silent monitor is worse than a noisy one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rms/rms.h"

#define MIS_SQUAREOFF_MIN	(15 * 60 + 15)	/* 15:15 IST unless told */

/* Value against threshold: 1 crossed, 0 inside but not re-armed, -1 re-armed. */
static int
judge(int64_t value, int64_t limit)
{
	if (value >= limit)
		return 1;
	if (value < limit - limit / 10000 * RMS_REARM_BP -
	    limit % 10000 * RMS_REARM_BP / 10000)
		return -1;
	return 0;
}

static int
mtm_loss_limit(const struct rms_limits *lim, const struct rms_mark *m,
    enum rms_limit_id id, int64_t *limit)
{
	if (!rms_limit_has(lim, id))
		return 0;
	if (id == RL_MTM_LOSS_PCT) {
		if (m->capital <= 0)
			return 0;
		*limit = m->capital / 10000 * lim->v[id] +
		    m->capital % 10000 * lim->v[id] / 10000;
	} else
		*limit = lim->v[id];
	return 1;
}

/* The value a limit watches, and the threshold it crosses; 0 if idle. */
static int
measure(const struct rms_limits *lim, enum rms_limit_id id,
    const struct rms_mark *m, const struct rms_watch *w, int64_t *value,
    int64_t *limit)
{
	switch (id) {
	case RL_MTM_LOSS:
	case RL_MTM_LOSS_PCT:
		*value = -m->mtm;
		return mtm_loss_limit(lim, m, id, limit);
	case RL_PROFIT_TARGET:
		*value = m->mtm;
		*limit = lim->v[id];
		return rms_limit_has(lim, id);
	case RL_MAX_DRAWDOWN:
		*value = w->peak - m->mtm;
		*limit = lim->v[id];
		return rms_limit_has(lim, id);
	case RL_TRAIL_BY:
		/* Given back since the peak, once the lock is armed. */
		*value = w->peak - m->mtm;
		*limit = lim->v[id];
		return rms_limit_has(lim, id) && w->trail_armed;
	case RL_MARGIN_MAX_PCT:
		if (!rms_limit_has(lim, id) || m->margin_total <= 0)
			return 0;
		*value = m->margin_used * 10000 / m->margin_total;
		*limit = lim->v[id];
		return 1;
	case RL_SQUAREOFF_AT:
		*value = m->has_mis ? m->minute : -1;
		*limit = rms_limit_has(lim, id) ? lim->v[id] :
		    MIS_SQUAREOFF_MIN;
		return 1;
	default:
		return 0;
	}
}

static enum rms_response
response_of(const struct rms_limits *lim, enum rms_limit_id id)
{
	if (lim->on[id] != RR_NONE)
		return lim->on[id];
	if (id == RL_TRAIL_BY && lim->on[RL_TRAIL_ACTIVATE] != RR_NONE)
		return lim->on[RL_TRAIL_ACTIVATE];
	return rms_limit_defs[id].deflt;
}

static void
describe(struct rms_breach *b, enum rms_limit_id id, int64_t value,
    int64_t limit)
{
	const char	*name = rms_limit_defs[id].name;

	switch (id) {
	case RL_MARGIN_MAX_PCT:
		snprintf(b->msg, sizeof b->msg, "%s: %lld.%02lld%% of margin "
		    "in use, limit %lld.%02lld%%", name,
		    (long long)(value / 100), (long long)(value % 100),
		    (long long)(limit / 100), (long long)(limit % 100));
		break;
	case RL_SQUAREOFF_AT:
		snprintf(b->msg, sizeof b->msg, "%s %02lld:%02lld IST: MIS "
		    "positions are still open", name, (long long)(limit / 60),
		    (long long)(limit % 60));
		break;
	default:
		snprintf(b->msg, sizeof b->msg, "%s: %lld rupees, limit %lld",
		    name, (long long)(value / 100), (long long)(limit / 100));
	}
}

static const enum rms_limit_id watched[] = { RL_MTM_LOSS, RL_MTM_LOSS_PCT,
	RL_MAX_DRAWDOWN, RL_TRAIL_BY, RL_PROFIT_TARGET, RL_MARGIN_MAX_PCT,
	RL_SQUAREOFF_AT };

int
rms_monitor(const struct rms_limits *lim, const struct rms_mark *m,
    struct rms_watch *w, struct rms_breach *out)
{
	int64_t		value, limit;
	size_t		i;
	int		n = 0, j;
	uint32_t	bit;

	if (!w->started || m->mtm > w->peak)
		w->peak = m->mtm;
	w->started = 1;
	if (m->stale) {
		if (!w->stale_alerted) {
			w->stale_alerted = 1;
			memset(&out[0], 0, sizeof out[0]);
			out[0].rule = RL__COUNT;
			out[0].response = RR_ALERT;
			snprintf(out[0].msg, sizeof out[0].msg, "prices are "
			    "stale: the monitors cannot judge MTM");
			return 1;
		}
		return 0;
	}
	w->stale_alerted = 0;
	if (rms_limit_has(lim, RL_TRAIL_ACTIVATE) &&
	    m->mtm >= lim->v[RL_TRAIL_ACTIVATE])
		w->trail_armed = 1;
	for (i = 0; i < nitems(watched); i++) {
		bit = 1u << watched[i];
		if (!measure(lim, watched[i], m, w, &value, &limit)) {
			w->breached &= ~bit;
			continue;
		}
		j = judge(value, limit);
		if (j < 0 || (watched[i] == RL_SQUAREOFF_AT && j == 0))
			w->breached &= ~bit;
		if (j <= 0 || (w->breached & bit))
			continue;
		w->breached |= bit;
		memset(&out[n], 0, sizeof out[n]);
		out[n].rule = watched[i];
		out[n].response = response_of(lim, watched[i]);
		out[n].value = value;
		out[n].limit = limit;
		describe(&out[n], watched[i], value, limit);
		n++;
	}
	return n;
}

int64_t
rms_used_bp(const struct rms_limits *lim, enum rms_limit_id id,
    const struct rms_mark *m, const struct rms_watch *w)
{
	int64_t	value, limit;

	if (!measure(lim, id, m, w, &value, &limit) || limit <= 0)
		return 0;
	if (value <= 0)
		return 0;
	return value > INT64_MAX / 10000 ? INT64_MAX : value * 10000 / limit;
}
