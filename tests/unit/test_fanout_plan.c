/*
 * The intent's plan written as text (src/exec/fanout_plan.c) says what
 * the jansson objects fanout_leg_order_json makes say, leg for leg: every
 * order type's prices, quotes, backslashes, control bytes and UTF-8 in
 * what a leg carries, and the RMS message of a denied leg.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/router_int.h"

static void
leg_set(struct leg *l, int64_t id, const char *tag, const char *symbol,
    enum broker_order_type type, int64_t price, int64_t trigger)
{
	memset(l, 0, sizeof *l);
	l->order_id = id;
	l->account_id = id * 10;
	l->slice = (int)(id % 3);
	snprintf(l->tag, sizeof l->tag, "%s", tag);
	snprintf(l->req.exchange, sizeof l->req.exchange, "NFO");
	snprintf(l->req.tradingsymbol, sizeof l->req.tradingsymbol, "%s",
	    symbol);
	l->req.side = id % 2 ? BROKER_SELL : BROKER_BUY;
	l->req.order_type = type;
	l->req.product = id % 2 ? BROKER_NRML : BROKER_MIS;
	l->req.qty = 65 * id;
	l->req.price = price;
	l->req.trigger_price = trigger;
}

static void
test_plan_text_matches_objects(void **state)
{
	struct leg	 legs[6], *lp[6];
	struct fanout	 fo;
	json_t		*got, *want;
	json_error_t	 je;
	char		*text;
	size_t		 i;

	leg_set(&legs[0], 1, "P1a", "NIFTY26DECFUT", BROKER_MARKET, 0, 0);
	leg_set(&legs[1], 2, "P1b", "NIFTY26DEC24000CE", BROKER_LIMIT,
	    12345, 0);
	leg_set(&legs[2], 3, "P1c", "BANK\"NIFTY\\", BROKER_SL, 100005,
	    99995);
	leg_set(&legs[3], 4, "P1\x01" "d", "FINNIFTY", BROKER_SLM, 0, 77700);
	leg_set(&legs[4], 5, "P1e", "M&M", BROKER_LIMIT, 0, 0);
	leg_set(&legs[5], 6, "P1f", "SENSEX", BROKER_MARKET, 0, 0);
	legs[5].denied = 1;
	snprintf(legs[5].message, sizeof legs[5].message,
	    "RMS max-loss: \"₹5,000\" reached\n\tsee the playbook");
	memset(&fo, 0, sizeof fo);
	for (i = 0; i < 6; i++)
		lp[i] = &legs[i];
	fo.legs = lp;
	fo.nlegs = 6;

	text = fanout_plan_text(&fo);
	got = json_loads(text, 0, &je);
	if (got == NULL)
		fail_msg("not JSON: %s: %s", je.text, text);
	assert_int_equal(json_array_size(got), 6);
	for (i = 0; i < 6; i++) {
		want = fanout_leg_order_json(&legs[i]);
		if (legs[i].denied)
			json_object_set_new(want, "message",
			    json_string(legs[i].message));
		if (!json_equal(want, json_array_get(got, i))) {
			char *w = json_dumps(want, JSON_SORT_KEYS);
			char *g = json_dumps(json_array_get(got, i),
			    JSON_SORT_KEYS);

			fail_msg("leg %zu:\n want %s\n got  %s", i, w, g);
		}
		json_decref(want);
	}
	json_decref(got);
	free(text);
}

static void
test_plan_text_empty(void **state)
{
	struct fanout	 fo;
	char		*text;

	memset(&fo, 0, sizeof fo);
	text = fanout_plan_text(&fo);
	assert_string_equal(text, "[]");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_text_matches_objects),
		cmocka_unit_test(test_plan_text_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
