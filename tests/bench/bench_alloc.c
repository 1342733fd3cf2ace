/*
 * Allocation overhead (src/exec/alloc.c): one fan-out's plan -- policy,
 * caps and freeze slicing -- for 10, 100 and 500 accounts, p50/p99 in
 * microseconds.  Prints figures only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec/exec.h"

#define ROUNDS	20000
#define MAXACCT	500

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp64(const void *x, const void *y)
{
	int64_t	a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

static void
print_ns(const char *what, int64_t ns)
{
	printf(" %s %lld.%03lld us", what, (long long)(ns / 1000),
	    (long long)(ns % 1000));
}

static void
bench(size_t n, enum alloc_policy policy, const struct account **ptr)
{
	struct target_match	m = { ptr, n };
	struct alloc_req	r;
	struct alloc_plan	p;
	int64_t			*t, t0, slices = 0;
	size_t			 i;

	memset(&r, 0, sizeof r);
	r.policy = policy;
	r.qty = policy == ALLOC_FIXED ? 40 : (int64_t)n * 40;
	r.lot_size = 65;
	r.freeze_qty = 1800;
	t = xcalloc(ROUNDS, sizeof *t);
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		if (alloc_plan(&r, &m, &p, NULL) != 0)
			fatal("alloc_plan failed");
		t[i] = now_ns() - t0;
		slices = (int64_t)p.nslices;
		alloc_plan_free(&p);
	}
	qsort(t, ROUNDS, sizeof *t, cmp64);
	printf("alloc:   %3zu accounts %-8s %4lld orders:", n,
	    alloc_policy_name(policy), (long long)slices);
	print_ns("p50", t[ROUNDS / 2]);
	print_ns("p99", t[ROUNDS * 99 / 100]);
	printf("\n");
	free(t);
}

int
main(void)
{
	static const size_t		 sizes[] = { 10, 100, 500 };
	static const enum alloc_policy	 pol[] = {
		ALLOC_FIXED, ALLOC_EQUAL, ALLOC_CAPITAL
	};
	struct account			*acct;
	const struct account		**ptr;
	size_t				 i, k;

	acct = xcalloc(MAXACCT, sizeof *acct);
	ptr = xcalloc(MAXACCT, sizeof *ptr);
	for (i = 0; i < MAXACCT; i++) {
		acct[i].id = (int64_t)i + 1;
		acct[i].name = xasprintf("acct%zu", i);
		acct[i].enabled = i % 50 != 49;
		acct[i].priority = (int)i;
		acct[i].lots = 1 + (int)(i % 3);
		acct[i].multiplier = CORE_RATIO_ONE;
		acct[i].capital = 100000000 + (int64_t)i * 7919;
		acct[i].weight = CORE_RATIO_ONE;
		acct[i].max_lots = i % 10 == 0 ? 30 : 0;
		ptr[i] = &acct[i];
	}
	for (i = 0; i < nitems(sizes); i++)
		for (k = 0; k < nitems(pol); k++)
			bench(sizes[i], pol[k], ptr);
	for (i = 0; i < MAXACCT; i++)
		free(acct[i].name);
	free(acct);
	free(ptr);
	return 0;
}
