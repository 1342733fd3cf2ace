/*
 * The engine's snapshot: every account's effective limits and state, and
 * its positions, read in three queries and swapped in whole, so the
 * guard always judges from one consistent picture and never waits.  The
 * rate counters and monitor memory of an account carry over from one
 * snapshot to the next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rms/rms_int.h"
#include "db/store_rms.h"
#include "db/store_rms_live.h"

#define IST_OFFSET_US	((int64_t)IST_OFFSET_S * 1000000)

int
rms_minute_ist(int64_t wall_us)
{
	int64_t	s = (wall_us + IST_OFFSET_US) / 1000000;

	return (int)((s % 86400) / 60);
}

void
rms_day_ist(int64_t wall_us, char *buf, size_t len)
{
	time_t		t = (time_t)((wall_us + IST_OFFSET_US) / 1000000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

void
rms_snap_free(struct rms_snap *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->a[i].name);
		free(s->a[i].pos);
	}
	free(s->a);
	rms_world_free(&s->world);
	memset(s, 0, sizeof *s);
}

struct rms_acct *
rms_snap_find(const struct rms_snap *s, int64_t id)
{
	size_t	lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->a[mid].id == id)
			return &s->a[mid];
		if (s->a[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
acct_cmp(const void *x, const void *y)
{
	const struct rms_acct	*a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* numeric text in rupees (up to 4 decimals) to paise, rounded. */
static int64_t
paise_of(json_t *j)
{
	const char	*s = json_string_value(j);
	int64_t		 v;

	if (s == NULL || decimal_parse(s, 4, &v) != 0)
		return 0;
	return v >= 0 ? (v + 50) / 100 : -((-v + 50) / 100);
}

static void
str_of(char *dst, size_t len, json_t *j)
{
	const char	*s = json_string_value(j);

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

static void
snap_add_position(struct rms_snap *s, json_t *row)
{
	struct rms_acct	*a;
	struct rms_pos	*p;

	a = rms_snap_find(s, json_integer_value(json_object_get(row,
	    "account_id")));
	if (a == NULL)
		return;
	a->pos = xreallocarray(a->pos, a->npos + 1, sizeof *a->pos);
	p = &a->pos[a->npos++];
	memset(p, 0, sizeof *p);
	str_of(p->exchange, sizeof p->exchange, json_object_get(row,
	    "exchange"));
	str_of(p->symbol, sizeof p->symbol, json_object_get(row, "symbol"));
	str_of(p->under, sizeof p->under, json_object_get(row, "name"));
	if (p->under[0] == '\0')
		snprintf(p->under, sizeof p->under, "%s", p->symbol);
	str_of(p->type, sizeof p->type, json_object_get(row,
	    "instrument_type"));
	str_of(p->expiry, sizeof p->expiry, json_object_get(row, "expiry"));
	str_of(p->product, sizeof p->product, json_object_get(row, "product"));
	p->strike = paise_of(json_object_get(row, "strike"));
	p->qty = json_integer_value(json_object_get(row, "qty"));
	p->lot = json_integer_value(json_object_get(row, "lot_size"));
	if (p->lot <= 0)
		p->lot = 1;
	p->avg = paise_of(json_object_get(row, "avg"));
	p->realised = paise_of(json_object_get(row, "realised"));
	p->last = paise_of(json_object_get(row, "last"));
	if (p->qty != 0)
		a->nopen++;
}

/* Build the new snapshot from what the three queries brought. */
static int
snap_build(struct rms_engine *e, struct rms_snap *s, struct err *err)
{
	struct rms_acct	*a, *old;
	size_t		 i;
	json_t		*row;

	memset(s, 0, sizeof *s);
	if (rms_world_load(e->l_world, &s->world, err) != 0)
		return -1;
	s->a = xcalloc(e->l_accounts.n + 1, sizeof *s->a);
	for (i = 0; i < e->l_accounts.n; i++) {
		const struct account *ac = &e->l_accounts.v[i];

		a = &s->a[s->n++];
		a->id = ac->id;
		a->name = xstrdup(ac->name);
		a->capital = ac->capital;
		rms_effective(&s->world, ac, &a->lim, &a->st);
	}
	qsort(s->a, s->n, sizeof *s->a, acct_cmp);
	json_array_foreach(e->l_positions, i, row)
		snap_add_position(s, row);
	for (i = 0; i < s->n; i++) {
		a = &s->a[i];
		if ((old = rms_snap_find(&e->snap, a->id)) == NULL)
			continue;
		memcpy(a->sent, old->sent, sizeof a->sent);
		a->nsent = old->nsent;
		a->w = old->w;
		a->saved = old->saved;
		a->responding = old->responding;
	}
	return 0;
}

static void
snap_part_done(struct rms_engine *e)
{
	struct rms_snap	 s;
	struct err	 err;
	void		(*done)(struct rms_engine *) = e->l_done;

	if (--e->l_pending > 0)
		return;
	err_clear(&err);
	if (!e->l_failed && snap_build(e, &s, &err) == 0) {
		rms_snap_free(&e->snap);
		e->snap = s;
		e->ready = 1;
	} else if (!e->l_failed) {
		log_warn("rms", "limits not reloaded: %s", err.msg);
		rms_snap_free(&s);
	}
	/* World and accounts stay cached for the positions-only reloads. */
	e->have_static = !e->l_failed && e->l_world != NULL;
	json_decref(e->l_positions);
	e->l_positions = NULL;
	e->loading = 0;
	e->l_done = NULL;
	/* Never starve the pass: it runs on each reload that completes. */
	if (done != NULL && !e->closing)
		done(e);
	if (e->again && !e->closing && !e->loading) {
		e->again = 0;
		done = e->again_done;
		e->again_done = NULL;
		rms_snap_refresh(e, done);
	}
}

static void
snap_world(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;

	if (err != NULL)
		e->l_failed = 1;
	else
		e->l_world = json_incref(json_array_get(rows, 0));
	snap_part_done(e);
}

static void
snap_accounts(struct account_set *set, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;

	if (err != NULL)
		e->l_failed = 1;
	else {
		e->l_accounts = *set;
		set->v = NULL;
		set->n = 0;
	}
	snap_part_done(e);
}

static void
snap_positions(json_t *rows, const struct err *err, void *arg)
{
	struct rms_engine	*e = arg;

	if (err != NULL)
		e->l_failed = 1;
	else
		e->l_positions = json_incref(rows);
	snap_part_done(e);
}

/*
 * Reload; a reload asked for while one runs is done once more after it
 * (done is then called after that one).
 */
void
rms_snap_refresh(struct rms_engine *e, void (*done)(struct rms_engine *))
{
	if (e->load_after > 0 && time_mono_us() < e->load_after)
		return;		/* PHALANX_TEST_RMS_LOAD_MS (engine.c) */
	if (e->loading) {
		e->again = 1;
		if (done != NULL)
			e->again_done = done;
		return;
	}
	e->loading = 1;
	e->l_failed = 0;
	e->l_done = done;
	/*
	 * Limits, states and accounts change rarely and say so by NOTIFY;
	 * read them then, and each second for overrides that end.
	 * Positions move with every fill: read them each time.
	 */
	if (!e->have_static || e->full_due ||
	    time_mono_us() - e->t_full > 1000000) {
		e->full_due = 0;
		e->t_full = time_mono_us();
		json_decref(e->l_world);
		e->l_world = NULL;
		account_set_free(&e->l_accounts);
		e->l_pending = 3;
		store_rms_load(e->store, snap_world, e);
		store_accounts_load(e->store, snap_accounts, e);
	} else
		e->l_pending = 1;
	store_rms_positions(e->store, snap_positions, e);
}
