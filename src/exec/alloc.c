/*
 * Allocation: how many whole lots each account of a target trades, and how
 * that quantity is cut into child orders under the exchange freeze limit
 * (DESIGN.md section 7).  Integer arithmetic only; products that could
 * overflow int64 go through __int128 or checked multiplication.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"

static const char *const policy_names[] = {
	[ALLOC_FIXED] = "fixed",
	[ALLOC_MULTIPLIER] = "multiplier",
	[ALLOC_EQUAL] = "equal",
	[ALLOC_CAPITAL] = "capital",
	[ALLOC_RATIO] = "ratio",
};

static const char *const skip_names[] = {
	[ALLOC_OK] = "ok",
	[ALLOC_SKIP_DISABLED] = "disabled",
	[ALLOC_SKIP_HALTED] = "halted",
	[ALLOC_SKIP_REDUCING] = "reducing",
	[ALLOC_SKIP_AT_CAP] = "at-cap",
	[ALLOC_SKIP_ZERO] = "zero-lots",
};

/* Scratch for the split policies: one row per eligible account. */
struct share {
	size_t		leg;		/* index into plan legs */
	int64_t		weight;
	int64_t		lots;
	__int128	rem;		/* QTY x weight mod total */
};

const char *
alloc_policy_name(enum alloc_policy p)
{
	if ((unsigned)p >= nitems(policy_names))
		return "?";
	return policy_names[p];
}

int
alloc_policy_parse(const char *s, enum alloc_policy *out)
{
	size_t	i;

	for (i = 0; i < nitems(policy_names); i++) {
		if (strcmp(s, policy_names[i]) == 0) {
			*out = (enum alloc_policy)i;
			return 0;
		}
	}
	return -1;
}

const char *
alloc_skip_name(enum alloc_skip s)
{
	if ((unsigned)s >= nitems(skip_names))
		return "?";
	return skip_names[s];
}

int
alloc_qty_lots(int64_t qty, enum alloc_unit unit, int64_t lot_size,
    int64_t *lots, struct err *err)
{
	if (lot_size <= 0) {
		err_set(err, "bad-lot-size", "lot size %lld is not positive",
		    (long long)lot_size);
		return -1;
	}
	if (qty <= 0) {
		err_set(err, "bad-qty", "quantity %lld is not positive",
		    (long long)qty);
		return -1;
	}
	if (unit == ALLOC_LOTS) {
		*lots = qty;
		return 0;
	}
	if (qty % lot_size != 0) {
		err_set(err, "bad-qty", "quantity %lld units is not a multiple "
		    "of the lot size %lld (nearest: %lld or %lld units)",
		    (long long)qty, (long long)lot_size,
		    (long long)(qty / lot_size * lot_size),
		    (long long)((qty / lot_size + 1) * lot_size));
		return -1;
	}
	*lots = qty / lot_size;
	return 0;
}

/* The largest whole-lot order not above the freeze quantity. */
int64_t
alloc_slice_lots(int64_t lot_size, int64_t freeze_qty)
{
	if (freeze_qty <= 0 || lot_size <= 0)
		return INT64_MAX;
	return freeze_qty / lot_size;
}

static int64_t
used_of(const struct alloc_req *req, size_t i)
{
	if (req->used_lots == NULL || req->used_lots[i] < 0)
		return 0;
	return req->used_lots[i];
}

/* Disabled, halted and full accounts take no part in the split. */
static int
alloc_eligible(const struct alloc_req *req, struct alloc_leg *leg, size_t i)
{
	const struct account	*a = leg->acct;
	int64_t			 used = used_of(req, i);

	if (!a->enabled) {
		leg->skip = ALLOC_SKIP_DISABLED;
		snprintf(leg->reason, sizeof leg->reason, "account disabled");
	} else if (a->state == TRADING_HALTED && !req->guarded) {
		/* With a guard the account takes part and the guard refuses
		 * its leg by the rule "halted": a DENIED leg on the record,
		 * never an account left out without a word. */
		leg->skip = ALLOC_SKIP_HALTED;
		snprintf(leg->reason, sizeof leg->reason, "trading halted");
	} else if (a->state == TRADING_REDUCING && !req->guarded) {
		/* Whether this order shrinks the position is not known here:
		 * hold it back; squareoff is the way out. */
		leg->skip = ALLOC_SKIP_REDUCING;
		snprintf(leg->reason, sizeof leg->reason, "trading reducing: "
		    "only squareoff passes");
	} else if (a->max_lots > 0 && used >= a->max_lots) {
		leg->skip = ALLOC_SKIP_AT_CAP;
		snprintf(leg->reason, sizeof leg->reason,
		    "at max-lots %d (holds %lld)", a->max_lots,
		    (long long)used);
	} else
		return 1;
	return 0;
}

/* Per-account sizing: fixed and multiplier. */
static int
alloc_per_account(const struct alloc_req *req, int64_t q, struct alloc_leg *leg,
    struct err *err)
{
	const struct account	*a = leg->acct;
	__int128		 v;

	if (req->policy == ALLOC_FIXED) {
		if (a->lots <= 0)
			leg->wanted = 0;
		else if (__builtin_mul_overflow(q, (int64_t)a->lots,
		    &leg->wanted)) {
			err_set(err, "overflow", "%lld lots x %d lots for "
			    "account \"%s\" is too large", (long long)q,
			    a->lots, a->name);
			return -1;
		}
		return 0;
	}
	if (a->multiplier <= 0) {
		leg->wanted = 0;
		return 0;
	}
	v = (__int128)q * a->multiplier / CORE_RATIO_ONE;
	if (v > INT64_MAX) {
		err_set(err, "overflow", "%lld lots x multiplier for account "
		    "\"%s\" is too large", (long long)q, a->name);
		return -1;
	}
	leg->wanted = (int64_t)v;
	return 0;
}

static int
share_cmp(const void *x, const void *y)
{
	const struct share	*a = x, *b = y;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	return a->leg < b->leg ? -1 : a->leg > b->leg;
}

/*
 * Largest remainder: everyone gets floor(QTY x w / W); the lots left over
 * (fewer than the number of accounts) go to the largest remainders, ties
 * to the higher priority.  Equal is the same with every weight 1.
 */
static int
alloc_split(const struct alloc_req *req, int64_t q, struct share *sh, size_t n,
    struct err *err)
{
	__int128	total = 0, p;
	int64_t		given = 0, left;
	size_t		i;

	for (i = 0; i < n; i++)
		total += sh[i].weight;
	if (total == 0) {
		err_set(err, "no-weights", "policy %s: no eligible account has "
		    "a %s set", alloc_policy_name(req->policy),
		    req->policy == ALLOC_CAPITAL ? "capital" : "weight");
		return -1;
	}
	for (i = 0; i < n; i++) {
		p = (__int128)q * sh[i].weight;
		sh[i].lots = (int64_t)(p / total);
		sh[i].rem = p % total;
		given += sh[i].lots;
	}
	left = q - given;
	qsort(sh, n, sizeof *sh, share_cmp);
	for (i = 0; i < n && left > 0; i++, left--)
		sh[i].lots++;
	return 0;
}

static int64_t
share_weight(const struct alloc_req *req, const struct account *a)
{
	int64_t	w;

	if (req->policy == ALLOC_EQUAL)
		return 1;
	w = req->policy == ALLOC_CAPITAL ? a->capital : a->weight;
	return w > 0 ? w : 0;
}

static int
alloc_total_split(const struct alloc_req *req, int64_t q,
    struct alloc_plan *plan, struct err *err)
{
	struct share	*sh;
	size_t		 i, n = 0;
	int		 rc = 0;

	sh = xcalloc(plan->nlegs + 1, sizeof *sh);
	for (i = 0; i < plan->nlegs; i++) {
		if (plan->legs[i].skip != ALLOC_OK)
			continue;
		sh[n].leg = i;
		sh[n].weight = share_weight(req, plan->legs[i].acct);
		n++;
	}
	if (n > 0 && (rc = alloc_split(req, q, sh, n, err)) == 0) {
		for (i = 0; i < n; i++)
			plan->legs[sh[i].leg].wanted = sh[i].lots;
	}
	free(sh);
	return rc;
}

/* max-lots caps what is left of the account's room; zero results skip. */
static void
alloc_cap(const struct alloc_req *req, struct alloc_leg *leg, size_t i)
{
	const struct account	*a = leg->acct;
	int64_t			 room;

	leg->lots = leg->wanted;
	if (a->max_lots > 0) {
		room = a->max_lots - used_of(req, i);
		if (leg->lots > room) {
			leg->lots = room;
			leg->capped = 1;
			snprintf(leg->reason, sizeof leg->reason,
			    "capped from %lld to %lld lots by max-lots %d",
			    (long long)leg->wanted, (long long)room,
			    a->max_lots);
		}
	}
	if (leg->lots <= 0) {
		leg->lots = 0;
		leg->skip = ALLOC_SKIP_ZERO;
		snprintf(leg->reason, sizeof leg->reason,
		    "policy %s gives 0 whole lots",
		    alloc_policy_name(req->policy));
	}
}

/*
 * Cut each trading leg into child orders of at most slice_lots; a leg
 * that would need more than ALLOC_MAX_SLICES is refused before a single
 * slice is allocated, so no setting can make the plan itself the problem.
 */
static int
alloc_slice(struct alloc_plan *plan, struct err *err)
{
	struct alloc_leg	*leg;
	struct alloc_slice	*s;
	int64_t			 left, n;
	size_t			 i, total = 0;

	for (i = 0; i < plan->nlegs; i++) {
		leg = &plan->legs[i];
		if (leg->skip != ALLOC_OK)
			continue;
		n = (leg->lots - 1) / plan->slice_lots + 1;
		if (n > ALLOC_MAX_SLICES) {
			err_set(err, "too-large", "account \"%s\": %lld lots "
			    "need %lld orders of at most %lld lots (the freeze "
			    "quantity); one fan-out sends at most %d per "
			    "account", leg->acct->name, (long long)leg->lots,
			    (long long)n, (long long)plan->slice_lots,
			    ALLOC_MAX_SLICES);
			return -1;
		}
		leg->nslices = (size_t)n;
		total += (size_t)n;
	}
	plan->slices = xcalloc(total + 1, sizeof *plan->slices);
	for (i = 0; i < plan->nlegs; i++) {
		leg = &plan->legs[i];
		if (leg->skip != ALLOC_OK)
			continue;
		leg->slice0 = plan->nslices;
		for (left = leg->lots; left > 0; left -= plan->slice_lots) {
			s = &plan->slices[plan->nslices];
			s->slice = (int)(plan->nslices - leg->slice0);
			s->lots = left < plan->slice_lots ? left :
			    plan->slice_lots;
			s->qty = s->lots * plan->lot_size;
			plan->nslices++;
		}
	}
	return 0;
}

static int
alloc_check(const struct alloc_req *req, struct alloc_plan *plan,
    struct err *err)
{
	if (alloc_qty_lots(req->qty, req->unit, req->lot_size, &plan->qty_lots,
	    err) != 0)
		return -1;
	if (req->freeze_qty < 0 || (req->freeze_qty > 0 &&
	    req->freeze_qty < req->lot_size)) {
		err_set(err, "bad-freeze", "freeze quantity %lld is below the "
		    "lot size %lld: no order can carry a lot",
		    (long long)req->freeze_qty, (long long)req->lot_size);
		return -1;
	}
	if ((unsigned)req->policy >= nitems(policy_names)) {
		err_set(err, "bad-policy", "unknown allocation policy %d",
		    (int)req->policy);
		return -1;
	}
	plan->lot_size = req->lot_size;
	plan->slice_lots = alloc_slice_lots(req->lot_size, req->freeze_qty);
	return 0;
}

/* Eligibility, the policy, caps, then slices: DESIGN.md section 7 order. */
static int
alloc_build(const struct alloc_req *req, const struct target_match *m,
    struct alloc_plan *plan, struct err *err)
{
	struct alloc_leg	*leg;
	size_t			 i;

	if (alloc_check(req, plan, err) != 0)
		return -1;
	plan->nlegs = m->n;
	plan->legs = xcalloc(m->n + 1, sizeof *plan->legs);
	for (i = 0; i < m->n; i++) {
		leg = &plan->legs[i];
		leg->acct = m->v[i];
		if (!alloc_eligible(req, leg, i))
			continue;
		if ((req->policy == ALLOC_FIXED ||
		    req->policy == ALLOC_MULTIPLIER) &&
		    alloc_per_account(req, plan->qty_lots, leg, err) != 0)
			return -1;
	}
	if (req->policy != ALLOC_FIXED && req->policy != ALLOC_MULTIPLIER &&
	    alloc_total_split(req, plan->qty_lots, plan, err) != 0)
		return -1;
	for (i = 0; i < plan->nlegs; i++) {
		leg = &plan->legs[i];
		if (leg->skip != ALLOC_OK)
			continue;
		alloc_cap(req, leg, i);
		if (leg->skip != ALLOC_OK)
			continue;
		if (__builtin_mul_overflow(leg->lots, plan->lot_size,
		    &leg->qty) || leg->qty > ALLOC_MAX_UNITS ||
		    __builtin_add_overflow(plan->total_lots, leg->lots,
		    &plan->total_lots)) {
			err_set(err, "too-large", "account \"%s\": %lld lots "
			    "of %lld units is above the ceiling of %d units "
			    "per account in one fan-out", leg->acct->name,
			    (long long)leg->lots, (long long)plan->lot_size,
			    ALLOC_MAX_UNITS);
			return -1;
		}
		plan->ntrading++;
	}
	return alloc_slice(plan, err);
}

int
alloc_plan(const struct alloc_req *req, const struct target_match *m,
    struct alloc_plan *plan, struct err *err)
{
	memset(plan, 0, sizeof *plan);
	if (alloc_build(req, m, plan, err) != 0) {
		alloc_plan_free(plan);
		return -1;
	}
	return 0;
}

void
alloc_plan_free(struct alloc_plan *plan)
{
	free(plan->legs);
	free(plan->slices);
	memset(plan, 0, sizeof *plan);
}
