/* Registry rows into struct accounts (db/store_accounts.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "db/store.h"

static json_t *
row(const char *name, json_t *state)
{
	json_t	*r;

	r = json_pack("{s:I,s:s,s:s,s:s,s:b,s:i,s:i,s:i,s:s,s:s,s:s,s:[]}",
	    "id", (json_int_t)1, "name", name, "broker", "k", "user_id", "AB1",
	    "enabled", 1, "priority", 1, "lots", 1, "max_lots", 0,
	    "multiplier", "1", "weight", "1", "capital", "100000", "tags");
	if (state != NULL)
		json_object_set_new(r, "state", state);
	return r;
}

/*
 * A trading state that cannot be read stops the account: HALTED, never
 * ACTIVE (it used to default to ACTIVE, so a kill could be undone by a
 * value this version does not know).
 */
static void
test_unreadable_state_is_halted(void **state)
{
	json_t			*rows = json_array();
	struct account_set	 set;
	struct err		 e;

	json_array_append_new(rows, row("ok", json_string("ACTIVE")));
	json_array_append_new(rows, row("red", json_string("REDUCING")));
	json_array_append_new(rows, row("odd", json_string("SUSPENDED")));
	json_array_append_new(rows, row("null", json_null()));
	json_array_append_new(rows, row("missing", NULL));
	json_array_append_new(rows, row("num", json_integer(0)));
	err_clear(&e);
	assert_int_equal(store_accounts_from_rows(rows, &set, &e), 0);
	assert_int_equal(set.n, 6);
	assert_int_equal(set.v[0].state, TRADING_ACTIVE);
	assert_int_equal(set.v[1].state, TRADING_REDUCING);
	assert_int_equal(set.v[2].state, TRADING_HALTED);
	assert_int_equal(set.v[3].state, TRADING_HALTED);
	assert_int_equal(set.v[4].state, TRADING_HALTED);
	assert_int_equal(set.v[5].state, TRADING_HALTED);
	account_set_free(&set);
	json_decref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unreadable_state_is_halted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
