/*
 * View 4, the RMS incident timeline.  The RMS module owns the incidents
 * table; until it exists the view says so instead of showing an error.
 * Incident rows are read as JSON objects, so the view takes whichever of
 * the usual columns they have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ui/tui.h"

struct rms {
	struct wtimeline	*tl;
};

static const char *
rms_field(json_t *j, const char *const *keys)
{
	json_t	*v;

	for (; *keys != NULL; keys++) {
		v = json_object_get(j, *keys);
		if (json_is_string(v) && *json_string_value(v) != '\0')
			return json_string_value(v);
	}
	return NULL;
}

/* Fractional seconds after the dot, in microseconds; p moves past them. */
static int64_t
rms_fraction(const char **pp)
{
	const char	*p = *pp;
	int64_t		 frac = 0, scale = 100000;

	if (*p != '.')
		return 0;
	for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
		frac += (*p - '0') * scale;
	*pp = p;
	return frac;
}

/* "2026-11-25T10:15:00.123+05:30" (PostgreSQL's JSON form) in us. */
static int64_t
rms_time(const char *s)
{
	struct tm	 tm;
	const char	*p;
	int64_t		 t;
	int		 sign, hh = 0, mm = 0;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return 0;
	t = (int64_t)timegm(&tm) * 1000000;
	t += rms_fraction(&p);
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		sscanf(p + 1, "%d:%d", &hh, &mm);
		t -= sign * ((int64_t)hh * 3600 + mm * 60) * 1000000;
	}
	return t;
}

static enum wrole
rms_role(const char *sev)
{
	if (sev == NULL)
		return WR_WARN;
	if (strcasecmp(sev, "critical") == 0 || strcasecmp(sev, "kill") == 0 ||
	    strcasecmp(sev, "high") == 0 || strcasecmp(sev, "open") == 0)
		return WR_BAD;
	if (strcasecmp(sev, "closed") == 0 || strcasecmp(sev, "resolved") == 0
	    || strcasecmp(sev, "signed_off") == 0)
		return WR_GOOD;
	return WR_WARN;
}

static void
rms_incident(struct rms *r, json_t *j)
{
	static const char *const ts[] = { "opened_at", "ts", "created_at",
	    NULL };
	static const char *const sev[] = { "severity", "state", "status",
	    NULL };
	static const char *const what[] = { "title", "summary", "kind",
	    "rule", "message", NULL };
	static const char *const scope[] = { "scope", "target", "account",
	    NULL };
	const char	*s = rms_field(j, sev), *w = rms_field(j, what),
			*sc = rms_field(j, scope);
	char		*text;

	text = xasprintf("#%lld %s%s%s%s%s", (long long)tui_int(j, "id"),
	    s ? s : "", s ? "  " : "", w ? w : "incident",
	    sc ? "  on " : "", sc ? sc : "");
	wtimeline_add(r->tl, rms_time(rms_field(j, ts)), rms_role(s), text);
	free(text);
}

static void *
rms_create(struct tui *tui)
{
	struct rms	*r;

	r = xcalloc(1, sizeof *r);
	r->tl = wtimeline_new("RMS incidents");
	wtimeline_set_empty(r->tl, "loading incidents...");
	return r;
}

static void
rms_destroy(void *v)
{
	struct rms	*r = v;

	widget_free(&r->tl->w);
	free(r);
}

static void
rms_show(void *v, struct tui *tui)
{
	tui_data_refresh(tui->data, TUI_D_INCIDENTS);
}

static void
rms_data(void *v, struct tui *tui, int what)
{
	struct rms	*r = v;
	const char	*absent;
	json_t		*rows, *row;
	size_t		 i;

	if (!(what & TUI_D_INCIDENTS))
		return;
	rows = tui_data_incidents(tui->data, &absent);
	wtimeline_clear(r->tl);
	if (absent != NULL)
		wtimeline_set_empty(r->tl, "No RMS incidents: the RMS is not "
		    "running here yet. Breaches will show on this timeline.");
	else
		wtimeline_set_empty(r->tl, "No RMS incidents. All clear.");
	json_array_foreach(rows, i, row)
		rms_incident(r, json_object_get(row, "j"));
}

static void
rms_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct rms	*r = v;

	widget_move(&r->tl->w, y, x, h, w);
	widget_draw(&r->tl->w, win);
}

static int
rms_key(void *v, struct tui *tui, int key)
{
	struct rms	*r = v;

	return widget_key(&r->tl->w, key);
}

const struct tui_view_ops view_rms_ops = {
	"RMS", rms_create, rms_destroy, rms_show, rms_data, rms_draw, rms_key,
	NULL, TUI_D_INCIDENTS
};
