/*
 * The console's RMS data, beside ui/data.c and on its connection: the
 * header's alarms (breaches not yet acknowledged, deliveries that
 * failed), the incident open in view 4 with its timeline and alerts, and
 * per account the effective RMS state and how much of its MTM loss
 * limit is used (the same arithmetic as `rms state`: src/rms).
 *
 * Alarms are polled every second (a breach can come from any process);
 * the per-account marks every two seconds.  At most one query of each
 * kind is in flight; a slow store leaves the last answer on screen.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_console.h"
#include "db/store_rms.h"
#include "rms/rms.h"
#include "ui/tui.h"

#define RMS_POLL_US		1000000
#define RMS_MARKS_EVERY		2	/* polls */

struct tui_rms {
	struct tui		*tui;
	struct event		*poll;
	unsigned		 polls;
	int			 closing;
	int			 alarm_busy;
	int			 detail_busy;
	int			 detail_again;
	int			 marks_busy;
	json_t			*alarms;	/* one row */
	json_t			*detail;	/* store_incident_show row */
	char			*detail_id;
	json_t			*marks;		/* name -> {state, loss_bp} */
	struct account_set	 accts;
	json_t			*world;		/* store_rms_load row */
};

static struct store *
rms_store(struct tui_rms *r)
{
	return tui_data_store(r->tui->data);
}

static void
rms_alarms_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_rms	*r = arg;

	r->alarm_busy = 0;
	if (r->closing || err != NULL)
		return;
	json_decref(r->alarms);
	r->alarms = json_incref(json_array_get(rows, 0));
	tui_dirty(r->tui);
}

static void
rms_detail_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_rms	*r = arg;

	r->detail_busy = 0;
	if (r->closing)
		return;
	if (err == NULL) {
		json_decref(r->detail);
		r->detail = json_incref(json_array_get(rows, 0));
		r->tui->vops[TV_RMS]->data(r->tui->vstate[TV_RMS], r->tui,
		    TUI_D_INCIDENT);
		tui_dirty(r->tui);
	}
	if (r->detail_again) {
		r->detail_again = 0;
		tui_rms_incident(r, r->detail_id);
	}
}

/* Effective state and MTM loss used, per account, as `rms state` does. */
static json_t *
rms_compute(struct tui_rms *r, json_t *marks)
{
	struct rms_world	 w;
	struct rms_limits	 lim;
	struct rms_mark		 m;
	struct rms_watch	 watch;
	enum trading_state	 st;
	struct err		 e;
	json_t			*out = json_object(), *row, *bp;
	int64_t			 used, u2;
	size_t			 i, j;
	int			 has;

	err_clear(&e);
	memset(&w, 0, sizeof w);
	if (rms_world_load(r->world, &w, &e) != 0) {
		log_warn("tui", "rms limits: %s", e.msg);
		return out;
	}
	for (i = 0; i < r->accts.n; i++) {
		const struct account *a = &r->accts.v[i];

		rms_effective(&w, a, &lim, &st);
		memset(&m, 0, sizeof m);
		memset(&watch, 0, sizeof watch);
		m.capital = a->capital;
		json_array_foreach(marks, j, row) {
			if (strcmp(tui_str(row, "name"), a->name) == 0) {
				tui_paise(row, "mtm", &m.mtm);
				break;
			}
		}
		watch.peak = m.mtm;
		has = rms_limit_has(&lim, RL_MTM_LOSS) ||
		    rms_limit_has(&lim, RL_MTM_LOSS_PCT);
		used = rms_used_bp(&lim, RL_MTM_LOSS, &m, &watch);
		u2 = rms_used_bp(&lim, RL_MTM_LOSS_PCT, &m, &watch);
		if (u2 > used)
			used = u2;
		bp = has ? json_integer(used) : json_null();
		json_object_set_new(out, a->name, json_pack("{s:s, s:o}",
		    "state", trading_state_name(st), "loss_bp", bp));
	}
	rms_world_free(&w);
	return out;
}

static void
rms_marks_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_rms	*r = arg;

	r->marks_busy = 0;
	if (r->closing || err != NULL)
		return;
	json_decref(r->marks);
	r->marks = rms_compute(r, rows);
	r->tui->vops[TV_MATRIX]->data(r->tui->vstate[TV_MATRIX], r->tui,
	    TUI_D_ACCOUNTS);
	tui_dirty(r->tui);
}

static void
rms_world_done(json_t *rows, const struct err *err, void *arg)
{
	struct tui_rms	*r = arg;

	if (r->closing || err != NULL) {
		r->marks_busy = 0;
		return;
	}
	json_decref(r->world);
	r->world = json_incref(json_array_get(rows, 0));
	store_rms_marks(rms_store(r), rms_marks_done, r);
}

static void
rms_accounts_done(struct account_set *set, const struct err *err, void *arg)
{
	struct tui_rms	*r = arg;

	if (r->closing || err != NULL) {
		r->marks_busy = 0;
		return;
	}
	account_set_free(&r->accts);
	account_set_copy(&r->accts, set);
	store_rms_load(rms_store(r), rms_world_done, r);
}

void
tui_rms_refresh(struct tui_rms *r, int marks)
{
	if (r->closing)
		return;
	if (!r->alarm_busy) {
		r->alarm_busy = 1;
		store_console_alarms(rms_store(r), rms_alarms_done, r);
	}
	if (marks && !r->marks_busy) {
		r->marks_busy = 1;
		store_accounts_load(rms_store(r), rms_accounts_done, r);
	}
	if (r->detail_id != NULL && r->tui->view == TV_RMS)
		tui_rms_incident(r, r->detail_id);
}

static void
rms_poll(evutil_socket_t fd, short ev, void *arg)
{
	struct tui_rms	*r = arg;

	r->polls++;
	tui_rms_refresh(r, r->polls % RMS_MARKS_EVERY == 0 &&
	    r->tui->view == TV_MATRIX);
}

struct tui_rms *
tui_rms_new(struct tui *tui)
{
	struct tui_rms	*r;
	struct timeval	 tv = { RMS_POLL_US / 1000000, RMS_POLL_US % 1000000 };

	r = xcalloc(1, sizeof *r);
	r->tui = tui;
	r->poll = event_new(loop_base(), -1, EV_PERSIST, rms_poll, r);
	event_add(r->poll, &tv);
	tui_rms_refresh(r, 1);
	return r;
}

void
tui_rms_stop(struct tui_rms *r)
{
	if (r != NULL)
		r->closing = 1;
}

void
tui_rms_free(struct tui_rms *r)
{
	if (r == NULL)
		return;
	event_free(r->poll);
	json_decref(r->alarms);
	json_decref(r->detail);
	json_decref(r->marks);
	json_decref(r->world);
	account_set_free(&r->accts);
	free(r->detail_id);
	free(r);
}

json_t *
tui_rms_alarms(const struct tui_rms *r)
{
	return r != NULL ? r->alarms : NULL;
}

void
tui_rms_incident(struct tui_rms *r, const char *id)
{
	if (r->closing || id == NULL)
		return;
	if (r->detail_id == NULL || strcmp(r->detail_id, id) != 0) {
		free(r->detail_id);
		r->detail_id = xstrdup(id);
		json_decref(r->detail);
		r->detail = NULL;
	}
	if (r->detail_busy) {
		r->detail_again = 1;
		return;
	}
	r->detail_busy = 1;
	store_incident_show(rms_store(r), r->detail_id, rms_detail_done, r);
}

json_t *
tui_rms_detail(const struct tui_rms *r)
{
	return r != NULL ? r->detail : NULL;
}

json_t *
tui_rms_account(const struct tui_rms *r, const char *name)
{
	return r != NULL ? json_object_get(r->marks, name) : NULL;
}
