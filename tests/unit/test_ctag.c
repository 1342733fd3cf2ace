/* Deterministic client tags (src/exec/ctag.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"

static void
check_tag(const char *t)
{
	size_t	i, n = strlen(t);

	assert_true(n >= 1 && n <= CTAG_MAX);
	for (i = 0; i < n; i++) {
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9')))
			fail_msg("tag \"%s\" has '%c'", t, t[i]);
	}
}

static void
roundtrip(int64_t f, int64_t a, int s)
{
	char	buf[CTAG_MAX + 1], again[CTAG_MAX + 1];
	int64_t	f2, a2;
	int	s2;

	if (ctag_make(f, a, s, buf, sizeof buf, NULL) != 0)
		fail_msg("ctag_make(%lld, %lld, %d)", (long long)f,
		    (long long)a, s);
	check_tag(buf);
	assert_int_equal(ctag_make(f, a, s, again, sizeof again, NULL), 0);
	assert_string_equal(buf, again);
	assert_int_equal(ctag_parse(buf, &f2, &a2, &s2), 0);
	assert_int_equal(f2, f);
	assert_int_equal(a2, a);
	assert_int_equal(s2, s);
}

static void
test_roundtrip(void **state)
{
	char	buf[CTAG_MAX + 1];

	roundtrip(0, 0, 0);
	roundtrip(1, 1, 0);
	roundtrip(123456789, 4321, 17);
	roundtrip(2176782335LL, 1679615, 1295);	/* zzzzzz, zzzz, zz */
	roundtrip(78364164095LL, 1, 0);		/* 7 digits */
	assert_int_equal(ctag_make(1, 2, 3, buf, sizeof buf, NULL), 0);
	assert_int_equal(buf[0], 'P');
}

static int
cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* 200 fan-outs x 100 accounts x 10 slices (plus a high range): unique. */
static void
test_unique_grid(void **state)
{
	char	**v;
	size_t	 n = 0, i, total = 2 * 200 * 100 * 10;
	int64_t	 f, a, base;
	int	 s;

	v = xcalloc(total, sizeof *v);
	for (base = 0; base <= 5000000000LL; base += 5000000000LL)
		for (f = base; f < base + 200; f++)
			for (a = 1; a <= 100; a++)
				for (s = 0; s < 10; s++) {
					v[n] = xmalloc(CTAG_MAX + 1);
					assert_int_equal(ctag_make(f, a * 37, s,
					    v[n], CTAG_MAX + 1, NULL), 0);
					n++;
				}
	assert_int_equal(n, total);
	qsort(v, n, sizeof *v, cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i - 1], v[i]) == 0)
			fail_msg("duplicate tag %s", v[i]);
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
test_too_large_and_bad(void **state)
{
	char		buf[CTAG_MAX + 1];
	struct err	e;
	int64_t		f, a;
	int		s;

	err_clear(&e);
	assert_int_equal(ctag_make(INT64_MAX, INT64_MAX, 0, buf, sizeof buf,
	    &e), -1);
	assert_string_equal(e.code, "overflow");
	assert_int_equal(ctag_make(-1, 1, 0, buf, sizeof buf, &e), -1);
	assert_int_equal(ctag_make(1, 1, 0, buf, 4, &e), -1);

	assert_int_equal(ctag_parse("", &f, &a, &s), -1);
	assert_int_equal(ctag_parse("hello", &f, &a, &s), -1);
	assert_int_equal(ctag_parse("P11abc00", &f, &a, &s), -1);
	assert_int_equal(ctag_parse("Pzz00000000000000000", &f, &a, &s), -1);
	/* One character changed: the check catches it. */
	assert_int_equal(ctag_make(1234, 56, 2, buf, sizeof buf, NULL), 0);
	buf[4] = buf[4] == '1' ? '2' : '1';
	assert_int_equal(ctag_parse(buf, &f, &a, &s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_unique_grid),
		cmocka_unit_test(test_too_large_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
