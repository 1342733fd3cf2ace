/* Latency histograms and keyed maps (src/exec/latency.c, latmap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"

static uint64_t	rng = 2463534242ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp64(const void *x, const void *y)
{
	int64_t	a = *(const int64_t *)x, b = *(const int64_t *)y;

	return a < b ? -1 : a > b;
}

/* The exact value at rank ceil(p/1000 x n) of a sorted array. */
static int64_t
ref_quantile(const int64_t *v, size_t n, int permille)
{
	size_t	rank = (n * (size_t)permille + 999) / 1000;

	return v[(rank == 0 ? 1 : rank) - 1];
}

static void
check_close(int64_t got, int64_t want)
{
	int64_t	slack = want / 32 + 1;

	if (got < want || got > want + slack)
		fail_msg("quantile %lld, exact %lld", (long long)got,
		    (long long)want);
}

static void
test_against_sorted(void **state)
{
	static const int	 q[] = { 1, 100, 500, 900, 990, 999, 1000 };
	struct lat_hist		*h = xmalloc(sizeof *h);
	int64_t			*v;
	size_t			 n, i, k, round;

	for (round = 0; round < 40; round++) {
		n = 1 + rnd() % 20000;
		v = xcalloc(n, sizeof *v);
		lat_init(h);
		for (i = 0; i < n; i++) {
			/* Log-uniform from 1 us to ~1 min. */
			v[i] = (int64_t)(rnd() % ((uint64_t)1 <<
			    (1 + rnd() % 26)));
			lat_add(h, v[i]);
		}
		qsort(v, n, sizeof *v, cmp64);
		for (k = 0; k < sizeof q / sizeof q[0]; k++)
			check_close(lat_quantile(h, q[k]),
			    ref_quantile(v, n, q[k]));
		assert_int_equal(lat_quantile(h, 1000), v[n - 1]);
		assert_int_equal(h->min, v[0]);
		assert_int_equal(h->count, n);
		free(v);
	}
	free(h);
}

static void
test_small_exact_and_summary(void **state)
{
	struct lat_hist		*h = xmalloc(sizeof *h);
	struct lat_summary	 s;
	int			 i;

	lat_init(h);
	lat_summarize(h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(lat_quantile(h, 500), 0);
	for (i = 1; i <= 100; i++)
		lat_add(h, i);
	lat_summarize(h, &s);
	assert_int_equal(s.count, 100);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.p50, 50);
	/* Above 64 buckets are two wide: the top of [90, 91], [98, 99]. */
	assert_int_equal(s.p90, 91);
	assert_int_equal(s.p99, 99);
	assert_int_equal(s.max, 100);
	assert_int_equal(s.mean, 50);
	lat_add(h, -5);
	assert_int_equal(h->min, 0);
	lat_add(h, INT64_MAX);
	assert_int_equal(h->max, LAT_MAX_US - 1);
	assert_int_equal(lat_quantile(h, 1000), LAT_MAX_US - 1);
	free(h);
}

static void
test_merge(void **state)
{
	struct lat_hist	*a = xmalloc(sizeof *a), *b = xmalloc(sizeof *b);
	struct lat_hist	*all = xmalloc(sizeof *all);
	int		 i;
	int64_t		 v;

	lat_init(a);
	lat_init(b);
	lat_init(all);
	for (i = 0; i < 5000; i++) {
		v = (int64_t)(rnd() % 1000000);
		lat_add(i % 3 ? a : b, v);
		lat_add(all, v);
	}
	lat_merge(a, b);
	assert_memory_equal(a, all, sizeof *a);
	lat_init(b);
	lat_merge(a, b);
	assert_memory_equal(a, all, sizeof *a);
	lat_merge(b, all);
	assert_memory_equal(b, all, sizeof *b);
	free(a);
	free(b);
	free(all);
}

struct seen {
	size_t	n;
	uint64_t total;
};

static void
visit(const char *key, const struct lat_hist *h, void *arg)
{
	struct seen	*s = arg;

	s->n++;
	s->total += h->count;
}

static void
test_maps(void **state)
{
	struct lat_map	*brokers, *accts;
	struct seen	 s = { 0, 0 };
	int64_t		 id;

	brokers = lat_map_new();
	accts = lat_map_new();
	lat_add(lat_map_get(brokers, "kite1"), 1200);
	lat_add(lat_map_get(brokers, "kite1"), 1500);
	lat_add(lat_map_get(brokers, "paper"), 10);
	for (id = 1; id <= 1000; id++)
		lat_add(lat_map_get_id(accts, id), id);
	assert_int_equal(lat_map_count(brokers), 2);
	assert_int_equal(lat_map_count(accts), 1000);
	assert_int_equal(lat_map_find(brokers, "kite1")->count, 2);
	assert_int_equal(lat_map_find(brokers, "kite1")->max, 1500);
	assert_null(lat_map_find(brokers, "nope"));
	assert_int_equal(lat_map_find(accts, "777")->max, 777);
	assert_ptr_equal(lat_map_get_id(accts, 5), lat_map_get(accts, "5"));
	lat_map_each(accts, visit, &s);
	assert_int_equal(s.n, 1000);
	assert_int_equal(s.total, 1000);
	lat_map_free(brokers);
	lat_map_free(accts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_sorted),
		cmocka_unit_test(test_small_exact_and_summary),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
