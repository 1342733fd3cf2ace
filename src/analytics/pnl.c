/*
 * PnL from fills at average cost, position by position.  The arithmetic
 * is phalanx_fill_apply's (db/migrations/0009_reconcile.sql), so PnL by
 * account over all time equals the positions table's realised PnL.
 * Keys are few (accounts x contracts held): linear search is enough.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "util/util.h"

void
an_pnl_init(struct an_pnl *p)
{
	memset(p, 0, sizeof *p);
}

void
an_pnl_free(struct an_pnl *p)
{
	size_t	i;

	for (i = 0; i < p->nrows; i++)
		free(p->rows[i].group);
	for (i = 0; i < p->npos; i++) {
		free(p->pos[i].key);
		free(p->pos[i].group);
	}
	free(p->rows);
	free(p->pos);
	memset(p, 0, sizeof *p);
}

struct an_pnl_row *
an_pnl_row(struct an_pnl *p, const char *group)
{
	size_t	i;

	for (i = 0; i < p->nrows; i++) {
		if (strcmp(p->rows[i].group, group) == 0)
			return &p->rows[i];
	}
	p->rows = xreallocarray(p->rows, p->nrows + 1, sizeof *p->rows);
	memset(&p->rows[p->nrows], 0, sizeof *p->rows);
	p->rows[p->nrows].group = xstrdup(group);
	return &p->rows[p->nrows++];
}

static struct an_pnl_pos *
pnl_pos(struct an_pnl *p, const char *key)
{
	size_t	i;

	for (i = 0; i < p->npos; i++) {
		if (strcmp(p->pos[i].key, key) == 0)
			return &p->pos[i];
	}
	p->pos = xreallocarray(p->pos, p->npos + 1, sizeof *p->pos);
	memset(&p->pos[p->npos], 0, sizeof *p->pos);
	p->pos[p->npos].key = xstrdup(key);
	p->pos[p->npos].ltp = -1;
	return &p->pos[p->npos++];
}

static int64_t
sgn(int64_t v)
{
	return (v > 0) - (v < 0);
}

double
an_pnl_fill(struct an_pnl *p, const char *poskey, const char *group,
    int counted, int is_buy, int64_t qty, double price, double ltp)
{
	struct an_pnl_pos	*ps = pnl_pos(p, poskey);
	int64_t			 s = is_buy ? qty : -qty, q = ps->qty;
	int64_t			 aq = llabs(q), as = llabs(s);
	double			 realised = 0;

	if (q == 0 || sgn(q) == sgn(s))
		ps->avg = (ps->avg * (double)aq + price * (double)as) /
		    (double)(aq + as);
	else {
		realised = round((price - ps->avg) *
		    (double)(aq < as ? aq : as) * (double)sgn(q) * 100) / 100;
		if (as > aq)
			ps->avg = price;
		else if (as == aq)
			ps->avg = 0;
	}
	ps->qty = q + s;
	if (ltp >= 0)
		ps->ltp = ltp;
	free(ps->group);
	ps->group = xstrdup(group);
	if (counted)
		an_pnl_row(p, group)->realised += realised;
	return realised;
}

void
an_pnl_mark(struct an_pnl *p)
{
	size_t			 i;
	struct an_pnl_pos	*ps;

	for (i = 0; i < p->npos; i++) {
		ps = &p->pos[i];
		if (ps->qty == 0 || ps->ltp < 0 || ps->group == NULL)
			continue;
		an_pnl_row(p, ps->group)->unrealised +=
		    round((ps->ltp - ps->avg) * (double)ps->qty * 100) / 100;
	}
}
