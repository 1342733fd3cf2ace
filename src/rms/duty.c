/*
 * The RMS duty: in the one process that holds the advisory lock, after
 * every reload of the snapshot (each rms.monitor_ms, and on every fill's
 * NOTIFY), mark each account's positions with fresh quotes, run the
 * monitors, and answer each crossing at once.  The pass's watches (the
 * breached bits) are saved ahead of the responses' first statement, so
 * no closing order is recorded before the crossing is; the breaches
 * themselves -- incidents, timelines, alerts, audit -- follow in one
 * journaled statement that nothing waits on.  A process that takes the
 * duty over reads the day's watches first, so it neither forgets the
 * day's peak nor fires a crossing its predecessor already answered.
 * The live values of every watched scope are stored for `rms state`.
 *
 * The breach record cannot wait, yet must not be lost: the pass's
 * breaches go with the watches, as an intent, in the urgent statement
 * ahead of the responses, and their fan-outs carry its id in their tag.
 * If this process dies before the record, the one that takes the duty
 * over records it from the intent (store_rms_takeover), with the orders
 * placed, and runs again only a response that placed nothing.
 */
#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_fanout.h"
#include "db/store_rms_live.h"
#include "net/net.h"
#include "rms/rms_int.h"
#include "util/metrics.h"

#define RMS_MAX_KEYS	500	/* Kite's limit per quote call */

#define RMS_LIVE_EVERY_US	1000000	/* rms_live rows, at most */

static void duty_mark(struct rms_engine *);
static void duty_taken(json_t *, const struct err *, void *);

static json_t *
watch_json(const struct rms_acct *a)
{
	return json_pack("{s:s,s:s,s:I,s:b,s:b,s:i,s:b}", "kind", "account",
	    "name", a->name, "peak", (json_int_t)a->w.peak, "started",
	    a->w.started, "trail_armed", a->w.trail_armed, "breached",
	    (int)a->w.breached, "stale_alerted", a->w.stale_alerted);
}

static void
duty_done(struct rms_engine *e)
{
	e->passing = 0;
}

static void
duty_watches(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;
	struct rms_acct		*a;
	const char		*name;
	json_t			*row;
	size_t			 i, j;

	if (e->closing)
		return;
	if (err != NULL) {
		log_warn("rms", "monitor memory not read: %s", err->msg);
		duty_done(e);
		return;
	}
	for (j = 0; j < e->snap.n; j++)
		memset(&e->snap.a[j].w, 0, sizeof e->snap.a[j].w);
	json_array_foreach(rows, i, row) {
		name = json_string_value(json_object_get(row, "name"));
		for (j = 0, a = NULL; name != NULL && j < e->snap.n; j++) {
			if (strcmp(e->snap.a[j].name, name) == 0)
				a = &e->snap.a[j];
		}
		if (a == NULL)
			continue;
		a->w.peak = json_integer_value(json_object_get(row, "peak"));
		a->w.started = json_is_true(json_object_get(row, "started"));
		a->w.trail_armed = json_is_true(json_object_get(row,
		    "trail_armed"));
		a->w.breached = (uint32_t)json_integer_value(json_object_get(
		    row, "breached"));
		a->w.stale_alerted = json_is_true(json_object_get(row,
		    "stale_alerted"));
	}
	for (j = 0; j < e->snap.n; j++)
		e->snap.a[j].saved = e->snap.a[j].w;
	e->watches_loaded = 1;
	if (e->taking_over) {
		/* Only just the owner: nothing of ours is in flight. */
		e->taking_over = 0;
		store_rms_takeover(e->store, e->front, duty_taken, e);
		return;
	}
	duty_mark(e);
}

static void
duty_held(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;
	char			 day[12];
	int			 held;

	if (e->closing)
		return;
	held = err == NULL && json_is_true(json_object_get(json_array_get(rows,
	    0), "held"));
	if (!held) {
		if (e->duty && json_is_true(json_object_get(json_array_get(
		    rows, 0), "yielded")))
			log_warn("rms", "a phalanx serve asked for the RMS duty: "
			    "its monitors and responses run there from now on");
		else if (e->duty)
			log_warn("rms", "the RMS duty was lost%s%s",
			    err != NULL ? ": " : "", err != NULL ? err->msg : "");
		e->duty = 0;
		metric_set(pxm.rms_owner, 0, NULL);
		e->watches_loaded = 0;
		duty_done(e);
		return;
	}
	if (!e->duty) {
		log_info("rms", "this process runs the RMS monitors");
		e->taking_over = 1;
		e->watches_loaded = 0;
	}
	e->duty = 1;
	metric_set(pxm.rms_owner, 1, NULL);
	rms_day_ist(time_wall_us(), day, sizeof day);
	if (!e->watches_loaded || strcmp(day, e->day) != 0) {
		snprintf(e->day, sizeof e->day, "%s", day);
		store_rms_watches(e->store, day, duty_watches, e);
		return;
	}
	duty_mark(e);
}

static struct rms_acct *
duty_acct_named(struct rms_engine *e, const char *name)
{
	size_t	j;

	for (j = 0; name != NULL && j < e->snap.n; j++) {
		if (strcmp(e->snap.a[j].name, name) == 0)
			return &e->snap.a[j];
	}
	return NULL;
}

static void
duty_state_ensured(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("rms", "taken-over state not set: %s", err->msg);
}

/*
 * One breach a dead owner left unrecorded, now recorded here: a
 * response that placed nothing runs now (it never started); one that
 * placed its fan-out does not run again, but the state it stands for is
 * made sure of, as halt and reduce (which place nothing) are.
 */
static void
duty_take_one(struct rms_engine *e, json_t *row)
{
	struct store_actor	 who = { "rms", e->front };
	const char		*name = json_string_value(json_object_get(row,
				    "name"));
	const char		*rule = json_string_value(json_object_get(row,
				    "rule"));
	const char		*intent = json_string_value(json_object_get(row,
				    "intent"));
	struct rms_fired	 f;
	struct rms_acct		*a = duty_acct_named(e, name);
	enum trading_state	 want = TRADING_ACTIVE;
	json_t			*ids;
	char			 reason[200];
	int			 ran = json_is_true(json_object_get(row, "ran"));

	memset(&f, 0, sizeof f);
	if (a == NULL || rule == NULL || rms_response_parse(json_string_value(
	    json_object_get(row, "response")), &f.br.response) == -1)
		return;
	if (rms_limit_find(rule, &f.br.rule) == NULL)
		f.br.rule = RL__COUNT;
	f.acct_id = a->id;
	snprintf(f.br.msg, sizeof f.br.msg, "taken over from an RMS owner "
	    "that died before recording the breach");
	switch (f.br.response) {
	case RR_SCALEOUT:
	case RR_SQUAREOFF:
	case RR_HEDGE:
	case RR_KILL:
		if (!ran) {
			rms_note(e, name, rule, "action", "the response had "
			    "placed no order when its owner died: it runs now",
			    NULL);
			snprintf(e->pass_intent, sizeof e->pass_intent, "%s",
			    intent);
			rms_respond_all(e, &f, 1);
			e->pass_intent[0] = '\0';
			return;
		}
		want = f.br.response == RR_SCALEOUT || f.br.response ==
		    RR_HEDGE ? TRADING_ACTIVE : TRADING_HALTED;
		break;
	case RR_REDUCE:
		want = TRADING_REDUCING;
		break;
	case RR_HALT:
		want = TRADING_HALTED;
		break;
	case RR_THROTTLE:
		rms_note(e, name, rule, "action", "the throttle may not have "
		    "been set before its owner died: not set again (see rms "
		    "overrides)", NULL);
		return;
	default:
		return;
	}
	if (want == TRADING_ACTIVE || rms_state_min(a->st, want) == a->st)
		return;
	a->st = want;
	snprintf(reason, sizeof reason, "RMS %s: taken over from an owner "
	    "that died", rule);
	rms_note(e, name, rule, "state", want == TRADING_HALTED ?
	    "HALTED by the process that took the RMS duty over" :
	    "REDUCING by the process that took the RMS duty over", NULL);
	ids = json_pack("[I]", (json_int_t)a->id);
	store_trading_state_set(e->store, ids, want == TRADING_HALTED ?
	    "HALTED" : "REDUCING", reason, &who, duty_state_ensured, NULL);
	json_decref(ids);
}

static void
duty_taken(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;
	json_t			*row;
	size_t			 i;

	if (e->closing)
		return;
	if (err != NULL)
		log_error("rms", "breaches left by the last RMS owner not "
		    "recorded: %s", err->msg);
	json_array_foreach(err == NULL ? rows : NULL, i, row) {
		if (!json_is_true(json_object_get(row, "recorded")))
			continue;
		log_warn("rms", "recorded %s of %s (incident %lld), left by an "
		    "RMS owner that died before it could; its response %s",
		    json_string_value(json_object_get(row, "rule")),
		    json_string_value(json_object_get(row, "name")),
		    (long long)json_integer_value(json_object_get(row,
		    "incident_id")), json_is_true(json_object_get(row, "ran")) ?
		    "had placed its orders" : "placed nothing and runs now");
		duty_take_one(e, row);
	}
	duty_mark(e);
}

void
rms_duty_pass(struct rms_engine *e)
{
	if (e->passing || e->closing)
		return;
	e->passing = 1;
	store_rms_duty(e->store, strcmp(e->front, "daemon") == 0, duty_held,
	    e);
}

static json_t *
rupees(int64_t paise)
{
	char	*s = decimal_format(paise, 2);
	json_t	*j = json_string(s);

	free(s);
	return j;
}

static void
duty_recorded(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_error("rms", "breaches not recorded: %s", err->msg);
}

/* One crossing, as rms_breaches takes it. */
static json_t *
duty_breach_json(const struct rms_acct *a, const struct rms_breach *br,
    const struct rms_mark *m)
{
	json_t	*values;
	int	 money = br->rule != RL_MARGIN_MAX_PCT &&
		    br->rule != RL_SQUAREOFF_AT;

	values = json_pack("{s:o,s:o,s:o,s:b}", "mtm", rupees(m->mtm), "peak",
	    rupees(a->w.peak), "capital", rupees(m->capital), "stale",
	    m->stale);
	if (br->rule < RL__COUNT) {
		json_object_set_new(values, "value", money ?
		    rupees(br->value) : json_integer(br->value));
		json_object_set_new(values, "limit", money ?
		    rupees(br->limit) : json_integer(br->limit));
	}
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:s}", "kind",
	    "account", "name", a->name, "rule", rms_rule_name(br->rule), "bit",
	    br->rule < RL__COUNT ? (int)br->rule : -1, "severity",
	    br->response <= RR_THROTTLE ? "warning" : "critical", "summary",
	    br->msg, "values", values, "response",
	    rms_response_name(br->response));
}

static json_t *
duty_live_json(const struct rms_acct *a, const struct rms_mark *m)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:b,s:I,s:I,s:i,s:b,s:b}", "kind",
	    "account", "name", a->name, "mtm", (json_int_t)m->mtm, "peak",
	    (json_int_t)a->w.peak, "trail_armed", a->w.trail_armed,
	    "margin_used", (json_int_t)m->margin_used, "margin_total",
	    (json_int_t)m->margin_total, "open_positions", a->nopen,
	    "has_mis", m->has_mis, "stale", m->stale);
}

/* One account's day from its positions and the quotes. */
static void
duty_account_mark(struct rms_engine *e, struct rms_acct *a, json_t *quotes,
    json_t *asked, int64_t now, struct rms_mark *m)
{
	char		 key[64];
	struct rms_pos	*p;
	json_t		*q;
	size_t		 i;
	int64_t		 stale_us = (int64_t)e->stale_s * 1000000;

	memset(m, 0, sizeof *m);
	m->capital = a->capital;
	m->minute = rms_minute_ist(now);
	for (i = 0; i < a->npos; i++) {
		p = &a->pos[i];
		m->mtm += p->realised;
		if (p->qty == 0)
			continue;
		snprintf(key, sizeof key, "%s:%s", p->exchange, p->symbol);
		q = json_object_get(quotes, key);
		if (q != NULL && now - json_integer_value(json_object_get(q,
		    "at")) <= stale_us)
			p->last = json_integer_value(json_object_get(q, "ltp"));
		else if (asked == NULL || json_object_get(asked, key) != NULL)
			m->stale = 1;
		/* else: new since the quotes were asked for (a reload came
		 * in between); marked from the store now, quoted next pass. */
		if (p->last > 0)
			m->mtm += p->qty * (p->last - p->avg);
		if (strcmp(p->product, "MIS") == 0)
			m->has_mis = 1;
	}
}

static void
duty_saved(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("rms", "monitor memory not saved: %s", err->msg);
}

static void
duty_live_saved(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;

	if (err != NULL && !e->closing)
		log_warn("rms", "live values not saved: %s", err->msg);
	if (!e->closing)
		e->live_saving = 0;
}

/*
 * The responses start first: with the router's lookups warm, their
 * first statements (urgent) are queued before the breach record, which
 * would otherwise hold the connection while they wait.  Their timeline
 * events are held until the record that opens the incidents is queued.
 */
static void
duty_answer(struct rms_engine *e, const struct rms_fired *fired,
    size_t nfired, json_t *breaches)
{
	struct store_actor	 who = { "rms", e->front };
	json_t			*held, *n;
	size_t			 i;

	e->held_notes = held = json_array();
	rms_respond_all(e, fired, nfired);
	e->pass_intent[0] = '\0';
	e->held_notes = NULL;
	if (e->die_unrecorded) {
		/* Test only: die once a fan-out is done, before this. */
		log_warn("rms", "PHALANX_TEST_RMS_DIE=unrecorded: the breach "
		    "record is not written; this process dies once a "
		    "response's fan-out is done");
		json_decref(held);
		return;
	}
	store_rms_breaches(e->store, e->day, breaches, &who, duty_recorded,
	    NULL);
	json_array_foreach(held, i, n)
		rms_note(e, json_string_value(json_object_get(n, "name")),
		    json_string_value(json_object_get(n, "rule")),
		    json_string_value(json_object_get(n, "ev")),
		    json_string_value(json_object_get(n, "msg")),
		    json_object_get(n, "detail"));
	json_decref(held);
}

/*
 * The watches and the breaches, as an intent, ahead of the responses'
 * first statement; the responses' fan-outs are tagged with its id.
 */
static void
duty_intent(struct rms_engine *e, json_t *saves, json_t *breaches)
{
	struct store_actor	 who = { "rms", e->front };
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 r[6];
	int64_t			 t;
	json_t			*b;
	size_t			 i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		t = time_wall_us() ^ time_mono_us() << 20;
		memcpy(r, &t, sizeof r);
	}
	for (i = 0; i < sizeof r; i++) {
		e->pass_intent[2 * i] = hex[r[i] >> 4];
		e->pass_intent[2 * i + 1] = hex[r[i] & 15];
	}
	e->pass_intent[2 * sizeof r] = '\0';
	json_array_foreach(breaches, i, b)
		json_object_set_new(b, "intent", json_string(e->pass_intent));
	store_rms_watch_intent(e->store, e->day, saves, e->pass_intent,
	    breaches, &who, duty_saved, NULL);
}

/*
 * Judge every watched account; answer the crossings before recording
 * them (the watches first, urgent, then the responses, then the breach
 * record, which nothing waits on).
 */
static void
duty_judge(struct rms_engine *e, json_t *quotes, json_t *asked)
{
	struct rms_breach	 out[RMS_MAX_BREACHES + 1];
	struct rms_mark		 m;
	struct rms_acct		*a;
	struct rms_fired	*fired;
	json_t			*saves = json_array(), *breaches = json_array();
	json_t			*live = NULL;
	int64_t			 now = time_wall_us();
	size_t			 i, nfired = 0;
	int			 n, j;

	fired = xcalloc(e->snap.n * RMS_MAX_BREACHES + 1, sizeof *fired);
	if (!e->live_saving && time_mono_us() - e->t_live >= RMS_LIVE_EVERY_US)
		live = json_array();
	for (i = 0; i < e->snap.n; i++) {
		a = &e->snap.a[i];
		if (a->lim.set == 0)
			continue;	/* no template bound: nothing to watch */
		duty_account_mark(e, a, quotes, asked, now, &m);
		n = rms_monitor(&a->lim, &m, &a->w, out);
		for (j = 0; j < n; j++) {
			metric_inc(pxm.rms_breaches, rms_rule_name(
			    out[j].rule));
			fired[nfired].acct_id = a->id;
			fired[nfired++].br = out[j];
			json_array_append_new(breaches, duty_breach_json(a,
			    &out[j], &m));
		}
		if (memcmp(&a->w, &a->saved, sizeof a->w) != 0) {
			json_array_append_new(saves, watch_json(a));
			a->saved = a->w;
		}
		if (live != NULL)
			json_array_append_new(live, duty_live_json(a, &m));
	}
	if (nfired > 0)
		duty_intent(e, saves, breaches);
	else if (json_array_size(saves) > 0)
		store_rms_watch_save(e->store, e->day, saves, 0, duty_saved,
		    NULL);
	if (nfired > 0)
		duty_answer(e, fired, nfired, breaches);
	if (live != NULL && json_array_size(live) > 0) {
		e->live_saving = 1;
		e->t_live = time_mono_us();
		store_rms_live_save(e->store, live, e->front, duty_live_saved,
		    e);
	}
	json_decref(live);
	json_decref(saves);
	json_decref(breaches);
	free(fired);
	duty_done(e);
}

static void
duty_marked(struct rms_engine *e, json_t *quotes, void *arg)
{
	json_t	*asked = arg;	/* the keys asked for; NULL: not all */

	if (!e->closing) {
		e->t_tick = time_mono_us();
		duty_judge(e, quotes, asked);
	}
	json_decref(asked);
}

static void
duty_mark(struct rms_engine *e)
{
	json_t		*seen = json_object(), *empty;
	const char	**keys;
	char		 key[64];
	size_t		 i, j, n = 0, nopen = 0;

	keys = xcalloc(RMS_MAX_KEYS + 1, sizeof *keys);
	for (i = 0; i < e->snap.n && n < RMS_MAX_KEYS; i++) {
		const struct rms_acct *a = &e->snap.a[i];

		if (a->lim.set == 0)
			continue;
		for (j = 0; j < a->npos && n < RMS_MAX_KEYS; j++) {
			if (a->pos[j].qty == 0)
				continue;
			nopen++;
			snprintf(key, sizeof key, "%s:%s", a->pos[j].exchange,
			    a->pos[j].symbol);
			if (json_object_get(seen, key) != NULL)
				continue;
			json_object_set_new(seen, key, json_true());
			keys[n++] = json_object_iter_key(json_object_iter_at(
			    seen, key));
		}
	}
	/* A response's fan-out finds all it needs in memory. */
	router_warm(e->router, nopen, keys, n);
	if (n == 0) {
		empty = json_object();
		duty_judge(e, empty, seen);
		json_decref(empty);
	} else
		rms_marks_get(e->marks, keys, n, duty_marked, n < RMS_MAX_KEYS ?
		    json_incref(seen) : NULL);
	free(keys);
	json_decref(seen);
}
