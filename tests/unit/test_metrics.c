/* The Prometheus registry (src/util/metrics.c): text, buckets, caps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/metrics.h"

static char *
render(void)
{
	struct strbuf	b;

	strbuf_init(&b);
	metrics_render(&b);
	return strbuf_steal(&b);
}

static int
teardown(void **state)
{
	metrics_reset();
	return 0;
}

static void
test_counter_and_gauge(void **state)
{
	struct metric	*c, *g;
	char		*t;

	c = metric_counter("px_test_orders_total", "Orders.", "broker,state");
	g = metric_gauge("px_test_depth", "Depth.", NULL);
	metric_inc(c, "kite", "FILLED");
	metric_add(c, 2, "kite", "FILLED");
	metric_inc(c, "paper", "REJECTED");
	metric_set(g, 7.5, NULL);
	/* Registering again gives the same family. */
	assert_ptr_equal(metric_counter("px_test_orders_total", "x", NULL), c);
	t = render();
	assert_non_null(strstr(t, "# HELP px_test_orders_total Orders.\n"
	    "# TYPE px_test_orders_total counter\n"
	    "px_test_orders_total{broker=\"kite\",state=\"FILLED\"} 3\n"
	    "px_test_orders_total{broker=\"paper\",state=\"REJECTED\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE px_test_depth gauge\n"
	    "px_test_depth 7.5\n"));
	free(t);
}

static void
test_histogram_is_cumulative(void **state)
{
	static const double	b[] = { 0.01, 0.1, 1 };
	struct metric		*h;
	char			*t;

	h = metric_family(METRIC_HISTOGRAM, "px_test_ack_seconds", "Ack.",
	    "broker", b, 3);
	metric_observe(h, 0.005, "kite");
	metric_observe(h, 0.01, "kite");	/* le is inclusive */
	metric_observe(h, 0.5, "kite");
	metric_observe(h, 3, "kite");
	t = render();
	assert_non_null(strstr(t, "# TYPE px_test_ack_seconds histogram\n"
	    "px_test_ack_seconds_bucket{broker=\"kite\",le=\"0.01\"} 2\n"
	    "px_test_ack_seconds_bucket{broker=\"kite\",le=\"0.1\"} 2\n"
	    "px_test_ack_seconds_bucket{broker=\"kite\",le=\"1\"} 3\n"
	    "px_test_ack_seconds_bucket{broker=\"kite\",le=\"+Inf\"} 4\n"
	    "px_test_ack_seconds_sum{broker=\"kite\"} 3.515\n"
	    "px_test_ack_seconds_count{broker=\"kite\"} 4\n"));
	free(t);
}

static void
test_label_values_are_escaped(void **state)
{
	struct metric	*c;
	char		*t;

	c = metric_counter("px_test_hooks_total", "Hooks with a \\ and\na "
	    "newline.", "connector");
	metric_inc(c, "a\"b\\c\nd");
	t = render();
	assert_non_null(strstr(t, "# HELP px_test_hooks_total Hooks with a "
	    "\\\\ and\\na newline.\n"));
	assert_non_null(strstr(t,
	    "px_test_hooks_total{connector=\"a\\\"b\\\\c\\nd\"} 1\n"));
	free(t);
}

/* A flood of label values ends in one "other" series, not unbounded. */
static void
test_cardinality_is_capped(void **state)
{
	struct metric	*c;
	char		 name[32], *t, *p;
	int		 i, lines = 0;

	c = metric_counter("px_test_flood_total", "Flood.", "connector");
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "c%d", i);
		metric_inc(c, name);
	}
	t = render();
	for (p = t; (p = strstr(p, "\npx_test_flood_total{")) != NULL; p++)
		lines++;
	assert_int_equal(lines, METRIC_MAX_SERIES);
	assert_non_null(strstr(t, "px_test_flood_total{connector=\"other\"} "
	    "873\n"));
	free(t);
}

static int collected;

static void
collect(void *arg)
{
	collected++;
	metric_set((struct metric *)arg, collected, NULL);
}

static void
test_collectors_run_at_scrape(void **state)
{
	struct metric	*g;
	char		*t;

	g = metric_gauge("px_test_scrapes", "Scrapes.", NULL);
	collected = 0;
	metrics_on_scrape(collect, g);
	free(render());
	t = render();
	assert_non_null(strstr(t, "px_test_scrapes 2\n"));
	free(t);
	metrics_off_scrape(collect, g);
	t = render();
	assert_non_null(strstr(t, "px_test_scrapes 2\n"));
	free(t);
}

/* Every catalogued family is there from the start, with HELP and TYPE. */
static void
test_catalog_lists_every_family(void **state)
{
	const char	*names[64];
	char		 line[128], *t;
	size_t		 n, i;

	metrics_catalog_init();
	n = metrics_catalog_names(names, 64);
	assert_true(n > 20 && n <= 64);
	t = render();
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof line, "# TYPE %s ", names[i]);
		assert_non_null(strstr(t, line));
	}
	assert_non_null(strstr(t, "phalanx_build_info{version=\"" PX_VERSION
	    "\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE phalanx_order_ack_seconds "
	    "histogram\n"));
	free(t);
	/* Uncatalogued processes (unit tests) may count into nothing. */
	metrics_reset();
	metric_inc(pxm.orders, "kite", "FILLED");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_counter_and_gauge, teardown),
		cmocka_unit_test_teardown(test_histogram_is_cumulative,
		    teardown),
		cmocka_unit_test_teardown(test_label_values_are_escaped,
		    teardown),
		cmocka_unit_test_teardown(test_cardinality_is_capped, teardown),
		cmocka_unit_test_teardown(test_collectors_run_at_scrape,
		    teardown),
		cmocka_unit_test_teardown(test_catalog_lists_every_family,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
