/* Target resolution and exact decimals (src/core/target.c, decimal.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static void
add_account(struct account_set *set, const char *name, int prio,
    const char *tags, int enabled)
{
	struct account	*a;
	char		*t, *tok, *save;

	set->v = xreallocarray(set->v, set->n + 1, sizeof *set->v);
	a = &set->v[set->n++];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->broker = xstrdup("kite1");
	a->priority = prio;
	a->enabled = enabled;
	t = xstrdup(tags);
	for (tok = strtok_r(t, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		a->tags = xreallocarray(a->tags, a->ntags + 1, sizeof *a->tags);
		a->tags[a->ntags++] = xstrdup(tok);
	}
	free(t);
}

static struct account_set
registry(void)
{
	struct account_set	set = { NULL, 0 };

	add_account(&set, "zeta", 1, "scalpers,family", 1);
	add_account(&set, "alpha", 2, "scalpers", 1);
	add_account(&set, "mid", 1, "family", 0);
	add_account(&set, "beta", 3, "", 1);
	return set;
}

static void
test_all_in_priority_order(void **state)
{
	struct account_set	set = registry();
	struct target	t = { TARGET_ALL, NULL, 0 };
	struct target_match	m;
	struct err		err;

	assert_int_equal(target_resolve(&t, &set, &m, &err), 0);
	assert_int_equal(m.n, 4);
	/* priority 1 first, ties broken by name; disabled still listed. */
	assert_string_equal(m.v[0]->name, "mid");
	assert_string_equal(m.v[1]->name, "zeta");
	assert_string_equal(m.v[2]->name, "alpha");
	assert_string_equal(m.v[3]->name, "beta");
	target_match_free(&m);
	account_set_free(&set);
}

static void
test_group(void **state)
{
	struct account_set	set = registry();
	char			*tag = "scalpers";
	struct target	t = { TARGET_GROUP, &tag, 1 };
	struct target_match	m;
	struct err		err;

	assert_int_equal(target_resolve(&t, &set, &m, &err), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[0]->name, "zeta");
	assert_string_equal(m.v[1]->name, "alpha");
	target_match_free(&m);
	account_set_free(&set);
}

static void
test_unknown_group(void **state)
{
	struct account_set	set = registry();
	char			*tag = "nobody";
	struct target	t = { TARGET_GROUP, &tag, 1 };
	struct target_match	m;
	struct err		err;

	err_clear(&err);
	assert_int_equal(target_resolve(&t, &set, &m, &err), -1);
	assert_string_equal(err.code, "unknown-group");
	assert_non_null(strstr(err.msg, "\"nobody\""));
	account_set_free(&set);
}

static void
test_accounts_dedup_and_order(void **state)
{
	struct account_set	set = registry();
	char			*names[] = { "beta", "zeta", "beta" };
	struct target	t = { TARGET_ACCOUNTS, names, 3 };
	struct target_match	m;
	struct err		err;

	assert_int_equal(target_resolve(&t, &set, &m, &err), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[0]->name, "zeta");
	assert_string_equal(m.v[1]->name, "beta");
	target_match_free(&m);
	account_set_free(&set);
}

static void
test_unknown_account(void **state)
{
	struct account_set	set = registry();
	char			*names[] = { "zeta", "ghost" };
	struct target	t = { TARGET_ACCOUNTS, names, 2 };
	struct target_match	m;
	struct err		err;

	assert_int_equal(target_resolve(&t, &set, &m, &err), -1);
	assert_string_equal(err.code, "unknown-account");
	assert_non_null(strstr(err.msg, "ghost"));
	account_set_free(&set);
}

static void
test_format(void **state)
{
	char			*names[] = { "a", "b" }, *s;
	char			*tag = "x";
	struct target	t1 = { TARGET_ACCOUNTS, names, 2 };
	struct target	t2 = { TARGET_GROUP, &tag, 1 };

	s = target_format(&t1);
	assert_string_equal(s, "acct:a,acct:b");
	free(s);
	s = target_format(&t2);
	assert_string_equal(s, "group:x");
	free(s);
	s = target_format(NULL);
	assert_string_equal(s, "all");
	free(s);
}

static void
test_decimal(void **state)
{
	int64_t	v;
	char	*s;

	assert_int_equal(decimal_parse("12.5", 2, &v), 0);
	assert_int_equal(v, 1250);
	assert_int_equal(decimal_parse("0.05", 2, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(decimal_parse("100000", 2, &v), 0);
	assert_int_equal(v, 10000000);
	assert_int_equal(decimal_parse("1.005", 2, &v), -1);
	assert_int_equal(decimal_parse("", 2, &v), -1);
	assert_int_equal(decimal_parse("1e3", 2, &v), -1);
	assert_int_equal(decimal_parse("99999999999999999999", 2, &v), -1);
	assert_int_equal(decimal_parse("-3.1", 4, &v), 0);
	assert_int_equal(v, -31000);
	s = decimal_format(-31000, 4);
	assert_string_equal(s, "-3.1000");
	free(s);
	s = decimal_format(5, 2);
	assert_string_equal(s, "0.05");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_in_priority_order),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_unknown_group),
		cmocka_unit_test(test_accounts_dedup_and_order),
		cmocka_unit_test(test_unknown_account),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_decimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
