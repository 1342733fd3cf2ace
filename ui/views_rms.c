/*
 * View 4, the RMS incident timeline: the incidents (open ones first) on
 * top, the selected one below as a timeline of its events (breach,
 * actions, orders, state changes, notes) and of every alert sent about
 * it, to whom and when.  a acknowledges, n adds a note, R resolves and S
 * signs off: each asks first in a dialog and then runs the same
 * `incident` command as the command bar, so the rules (sign-off only
 * after resolve, by another operator in rms.signoff_users) are the
 * command's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/tui.h"

/* The summary is the timeline's title: the list keeps to what sorts. */
enum { IC_ID, IC_OPENED, IC_STATE, IC_SEV, IC_SCOPE, IC_RULE, IC_ALERTS,
	IC__N };

static const struct wtable_col incident_cols[IC__N] = {
	{ "#", 2, 6, WALIGN_RIGHT, WCOL_NUM | WCOL_PIN, 10 },
	{ "Opened", 8, 8, WALIGN_LEFT, 0, 8 },
	{ "State", 4, 12, WALIGN_LEFT, 0, 9 },
	{ "Sev", 4, 8, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Scope", 5, 20, WALIGN_LEFT, 0, 7 },
	{ "Rule", 4, 24, WALIGN_LEFT, WCOL_DROP, 6 },
	{ "Alerts", 3, 6, WALIGN_RIGHT, WCOL_NUM | WCOL_DROP, 3 },
};

struct rms {
	struct wtable		*list;
	struct wtimeline	*tl;
	int			 focus;		/* 0: list, 1: timeline */
	char			*shown;		/* incident id in the detail */
};

/* "2026-11-25T10:15:00.123+05:30" (PostgreSQL's JSON form) in us. */
static int64_t
rms_time(const char *s)
{
	struct tm	 tm;
	const char	*p;
	int64_t		 t, frac = 0, scale = 100000;
	int		 sign, hh = 0, mm = 0;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return 0;
	t = (int64_t)timegm(&tm) * 1000000;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	t += frac;
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		sscanf(p + 1, "%d:%d", &hh, &mm);
		t -= sign * ((int64_t)hh * 3600 + mm * 60) * 1000000;
	}
	return t;
}

static enum wrole
rms_state_role(const char *st)
{
	if (strcmp(st, "OPEN") == 0)
		return WR_BAD;
	if (strcmp(st, "ACKNOWLEDGED") == 0 || strcmp(st, "MITIGATED") == 0)
		return WR_WARN;
	if (strcmp(st, "SIGNED_OFF") == 0)
		return WR_DIM;
	return WR_GOOD;
}

static enum wrole
rms_event_role(const char *kind)
{
	if (strcmp(kind, "breach") == 0)
		return WR_BAD;
	if (strcmp(kind, "ack") == 0 || strcmp(kind, "action") == 0 ||
	    strcmp(kind, "order") == 0)
		return WR_WARN;
	if (strcmp(kind, "resolve") == 0 || strcmp(kind, "signoff") == 0)
		return WR_GOOD;
	if (strcmp(kind, "note") == 0 || strcmp(kind, "step") == 0)
		return WR_INFO;
	return WR_NORMAL;
}

static const char *
rms_current(struct rms *r)
{
	struct wtable_row	*cur = wtable_current(r->list);

	return cur != NULL ? cur->key : NULL;
}

/* The selected incident's row in the list data. */
static json_t *
rms_current_row(struct rms *r, struct tui *tui)
{
	const char	*absent, *id = rms_current(r);
	json_t		*rows = tui_data_incidents(tui->data, &absent), *row, *j;
	size_t		 i;
	char		 key[24];

	if (id == NULL)
		return NULL;
	json_array_foreach(rows, i, row) {
		j = json_object_get(row, "j");
		snprintf(key, sizeof key, "%lld", (long long)tui_int(j, "id"));
		if (strcmp(key, id) == 0)
			return j;
	}
	return NULL;
}

/* Follow the cursor: the detail shows the incident under it. */
static void
rms_follow(struct rms *r, struct tui *tui)
{
	const char	*id = rms_current(r);

	if (id == NULL) {
		free(r->shown);
		r->shown = NULL;
		wtimeline_clear(r->tl);
		return;
	}
	if (r->shown != NULL && strcmp(r->shown, id) == 0)
		return;
	free(r->shown);
	r->shown = xstrdup(id);
	wtimeline_clear(r->tl);
	wtimeline_set_empty(r->tl, "loading the incident...");
	tui_rms_incident(tui->rms, id);
}

static void
rms_list(struct rms *r, struct tui *tui)
{
	const char	*absent;
	json_t		*rows = tui_data_incidents(tui->data, &absent), *row, *j;
	size_t		 i, n;
	char		 key[24], clock[16];

	wtable_clear(r->list);
	wtable_set_empty(r->list, absent != NULL ? "No RMS incidents table "
	    "in this store yet." : "No RMS incidents. All clear.");
	json_array_foreach(rows, i, row) {
		j = json_object_get(row, "j");
		snprintf(key, sizeof key, "%lld", (long long)tui_int(j, "id"));
		n = wtable_add(r->list, key, rms_state_role(tui_str(j,
		    "state")));
		wtable_set(r->list, n, IC_ID, key);
		tui_fmt_clock(rms_time(tui_str(j, "opened_at")), 0, clock,
		    sizeof clock);
		wtable_set(r->list, n, IC_OPENED, clock);
		wtable_set(r->list, n, IC_STATE, tui_str(j, "state"));
		wtable_set(r->list, n, IC_SEV, tui_str(j, "severity"));
		wtable_setf(r->list, n, IC_SCOPE, "%s:%s",
		    tui_str(j, "scope_kind"), tui_str(j, "scope_name"));
		wtable_set(r->list, n, IC_RULE, tui_str(j, "rule"));
		wtable_setf(r->list, n, IC_ALERTS, "%lld",
		    (long long)tui_int(j, "alerts"));
	}
	wtable_commit(r->list);
	rms_follow(r, tui);
}

static void
rms_alert_events(struct rms *r, json_t *alerts)
{
	json_t		*a, *d;
	size_t		 i, k;
	const char	*st;
	char		*text;
	int64_t		 ts;

	json_array_foreach(alerts, i, a) {
		if (json_array_size(json_object_get(a, "deliveries")) == 0) {
			text = xasprintf("alert %lld \"%s\": no channel routes "
			    "it", (long long)tui_int(a, "id"),
			    tui_str(a, "title"));
			wtimeline_add(r->tl, tui_int(a, "ts_us"), WR_DIM, text);
			free(text);
		}
		json_array_foreach(json_object_get(a, "deliveries"), k, d) {
			st = tui_str(d, "state");
			ts = tui_int(d, "sent_us") > 0 ? tui_int(d, "sent_us") :
			    tui_int(a, "ts_us");
			text = xasprintf("alert %lld to %s (%s %s) %s%s%s",
			    (long long)tui_int(a, "id"), tui_str(d, "channel"),
			    tui_str(d, "kind"), tui_str(d, "to"), st,
			    strcmp(st, "FAILED") == 0 ? ": " : "",
			    strcmp(st, "FAILED") == 0 ? tui_str(d, "error") :
			    "");
			wtimeline_add(r->tl, ts, strcmp(st, "SENT") == 0 ?
			    WR_GOOD : strcmp(st, "FAILED") == 0 ? WR_BAD :
			    WR_WARN, text);
			free(text);
		}
	}
}

static void
rms_detail(struct rms *r, struct tui *tui)
{
	json_t		*row = tui_rms_detail(tui->rms), *i, *e;
	size_t		 k;
	char		*text, key[24];

	if (row == NULL || r->shown == NULL)
		return;
	i = json_object_get(row, "incident");
	snprintf(key, sizeof key, "%lld", (long long)tui_int(i, "id"));
	if (strcmp(key, r->shown) != 0)
		return;
	wtimeline_clear(r->tl);
	free(r->tl->title);
	r->tl->title = xasprintf("#%s %s %s %s:%s %s: %s", key,
	    tui_str(i, "state"), tui_str(i, "severity"),
	    tui_str(i, "scope_kind"), tui_str(i, "scope_name"),
	    tui_str(i, "rule"), tui_str(i, "summary"));
	wtimeline_set_empty(r->tl, "no events");
	json_array_foreach(json_object_get(row, "events"), k, e) {
		text = xasprintf("%-7s %s: %s", tui_str(e, "kind"),
		    tui_str(e, "actor"), tui_str(e, "message"));
		wtimeline_add(r->tl, tui_int(e, "ts_us"),
		    rms_event_role(tui_str(e, "kind")), text);
		free(text);
	}
	rms_alert_events(r, json_object_get(row, "alerts"));
}

static void *
rms_create(struct tui *tui)
{
	struct rms	*r;

	r = xcalloc(1, sizeof *r);
	r->list = wtable_new(incident_cols, IC__N);
	wtable_set_empty(r->list, "loading incidents...");
	r->tl = wtimeline_new("Incident");
	wtimeline_set_empty(r->tl, "Select an incident to see its timeline.");
	r->tl->w.h = 0;
	return r;
}

static void
rms_destroy(void *v)
{
	struct rms	*r = v;

	widget_free(&r->list->w);
	widget_free(&r->tl->w);
	free(r->shown);
	free(r);
}

static void
rms_show(void *v, struct tui *tui)
{
	struct rms	*r = v;

	tui_data_refresh(tui->data, TUI_D_INCIDENTS);
	if (r->shown != NULL)
		tui_rms_incident(tui->rms, r->shown);
}

static void
rms_data(void *v, struct tui *tui, int what)
{
	struct rms	*r = v;

	if (what & TUI_D_INCIDENTS)
		rms_list(r, tui);
	if (what & TUI_D_INCIDENT)
		rms_detail(r, tui);
}

static void
rms_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct rms	*r = v;
	int		 lh;

	/* The list takes what it needs up to a third; the timeline the rest. */
	lh = (int)r->list->nvis + 1;
	if (lh < 3)
		lh = 3;
	if (lh > h / 3 + 1)
		lh = h / 3 + 1;
	r->list->hide_cursor = r->focus != 0;
	widget_move(&r->list->w, y, x, lh, w);
	widget_draw(&r->list->w, win);
	widget_move(&r->tl->w, y + lh, x, h - lh, w);
	widget_draw(&r->tl->w, win);
}

/* The confirmation, then the command: the same path as the bar's. */
static void
rms_confirm(struct tui *tui, const char *title, const char *what,
    json_t *j, char *cmd)
{
	struct wdialog	*d = wdialog_new(title);

	wdialog_line(d, "%s incident #%lld (%s, %s %s:%s %s)?", what,
	    (long long)tui_int(j, "id"), tui_str(j, "state"),
	    tui_str(j, "severity"), tui_str(j, "scope_kind"),
	    tui_str(j, "scope_name"), tui_str(j, "rule"));
	wdialog_line(d, "%s", tui_str(j, "summary"));
	wdialog_keep_from_here(d);
	wdialog_line(d, " ");
	wdialog_line(d, "Runs: %s", cmd);
	tui_dialog(tui, d, cmd);
	tui_message(tui, WR_WARN, "confirm or cancel: %s", cmd);
	free(cmd);
}

/* A typed text as one quoted word of the command language. */
static char *
rms_quote(const char *s)
{
	struct strbuf	b;

	strbuf_init(&b);
	strbuf_putc(&b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(&b, '\\');
		strbuf_putc(&b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
	strbuf_putc(&b, '"');
	return strbuf_steal(&b);
}

struct rms_ask {
	struct rms	*r;
	int		 signoff;
	char		 id[24];
};

static struct rms_ask	rms_asking;

static void
rms_asked(struct tui *tui, const char *text, void *arg)
{
	struct rms_ask	*a = arg;
	json_t		*j = rms_current_row(a->r, tui);
	char		*q = rms_quote(text), *cmd;

	if (j == NULL || a->r->shown == NULL ||
	    strcmp(a->r->shown, a->id) != 0) {
		tui_message(tui, WR_WARN, "incident #%s is no longer "
		    "selected: nothing done", a->id);
		free(q);
		return;
	}
	if (a->signoff)
		cmd = xasprintf("incident signoff %s note %s", a->id, q);
	else
		cmd = xasprintf("incident note %s %s", a->id, q);
	free(q);
	rms_confirm(tui, a->signoff ? "Sign off" : "Note", a->signoff ?
	    "Sign off" : "Add this note to", j, cmd);
}

static void
rms_ask(struct rms *r, struct tui *tui, int signoff)
{
	char	prompt[64];

	rms_asking.r = r;
	rms_asking.signoff = signoff;
	snprintf(rms_asking.id, sizeof rms_asking.id, "%s", r->shown);
	snprintf(prompt, sizeof prompt, "%s #%s: ", signoff ?
	    "sign-off note for" : "note for", r->shown);
	cmdbar_ask(tui->bar, prompt, rms_asked, &rms_asking);
}

static int
rms_key(void *v, struct tui *tui, int key)
{
	struct rms	*r = v;
	json_t		*j = rms_current_row(r, tui);
	int		 res;

	if (j != NULL && r->shown != NULL) {
		switch (key) {
		case 'a':
			rms_confirm(tui, "Acknowledge", "Acknowledge", j,
			    xasprintf("incident ack %s", r->shown));
			return WIDGET_HANDLED;
		case 'R':
			rms_confirm(tui, "Resolve", "Resolve", j,
			    xasprintf("incident resolve %s", r->shown));
			return WIDGET_HANDLED;
		case 'n':
			rms_ask(r, tui, 0);
			return WIDGET_HANDLED;
		case 'S':
			rms_ask(r, tui, 1);
			return WIDGET_HANDLED;
		default:
			break;
		}
	}
	if (key == '\t') {
		r->focus = !r->focus;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	}
	if (r->focus)
		return widget_key(&r->tl->w, key);
	res = widget_key(&r->list->w, key);
	rms_follow(r, tui);
	return res;
}

static void
rms_filter(void *v, struct tui *tui, const char *text)
{
	struct rms	*r = v;

	wtable_set_filter(r->list, text);
	wtable_commit(r->list);
	rms_follow(r, tui);
}

const struct tui_view_ops view_rms_ops = {
	"RMS", rms_create, rms_destroy, rms_show, rms_data, rms_draw, rms_key,
	rms_filter, TUI_D_INCIDENTS
};
