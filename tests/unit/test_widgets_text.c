/* Display-width text layout and number formats (widgets/text.c, format.c). */
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <cmocka.h>

#include "widgets/widgets.h"

static int
setup(void **state)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return -1;
	widget_ascii = 0;
	return 0;
}

/* Width of a fitted wide string, by the same rules as the screen. */
static int
fitted_width(const wchar_t *w)
{
	int	n = 0;

	for (; *w != 0; w++)
		n += wcwidth(*w);
	return n;
}

static void
test_width(void **state)
{
	assert_int_equal(wtext_width("alice"), 5);
	/* 日本 */
	assert_int_equal(wtext_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	assert_int_equal(wtext_width("\xe2\x82\xb9" "5"), 2);	/* ₹5 */
	assert_int_equal(wtext_width(""), 0);
	/* Invalid UTF-8 and control bytes are one column each. */
	assert_int_equal(wtext_width("a\xff" "b"), 3);
	assert_int_equal(wtext_width("a\tb"), 3);
}

static void
test_fit_pads_and_aligns(void **state)
{
	wchar_t	out[64];

	assert_int_equal(wtext_fit("ab", 5, WALIGN_LEFT, out, 64), 5);
	assert_true(wcscmp(out, L"ab   ") == 0);
	wtext_fit("ab", 5, WALIGN_RIGHT, out, 64);
	assert_true(wcscmp(out, L"   ab") == 0);
	wtext_fit("ab", 6, WALIGN_CENTER, out, 64);
	assert_true(wcscmp(out, L"  ab  ") == 0);
	wtext_fit("abc", 3, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"abc") == 0);
}

static void
test_fit_truncates_with_ellipsis(void **state)
{
	wchar_t	out[64];

	wtext_fit("squareoff", 5, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"squa\x2026") == 0);
	wtext_fit("squareoff", 1, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"\x2026") == 0);
	widget_ascii = 1;
	wtext_fit("squareoff", 5, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"squa~") == 0);
	widget_ascii = 0;
}

/* A double-width character that would straddle the edge is left out. */
static void
test_fit_never_splits_wide(void **state)
{
	wchar_t	out[64];
	int	w;

	/* 日本語 is 6 columns. */
	for (w = 1; w <= 8; w++) {
		wtext_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", w,
		    WALIGN_LEFT, out, 64);
		assert_int_equal(fitted_width(out), w);
	}
	wtext_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, WALIGN_LEFT,
	    out, 64);
	assert_true(wcscmp(out, L"\x65e5\x2026 ") == 0);
	wtext_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, WALIGN_RIGHT,
	    out, 64);
	assert_true(wcscmp(out, L"\x65e5\x672c\x2026") == 0);
}

static void
test_fit_ascii_mode_replaces(void **state)
{
	wchar_t	out[64];

	widget_ascii = 1;
	wtext_fit("\xe2\x82\xb9" "5", 3, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"?5 ") == 0);
	widget_ascii = 0;
	wtext_fit("a\nb", 3, WALIGN_LEFT, out, 64);
	assert_true(wcscmp(out, L"a?b") == 0);
}

static void
test_fit_small_buffer(void **state)
{
	wchar_t	out[4];

	assert_true(wtext_fit("abcdefgh", 10, WALIGN_LEFT, out, 4) <= 3);
	assert_int_equal(out[3], 0);
}

static void
test_inr(void **state)
{
	char	buf[64];

	wfmt_inr(123456789, 2, buf, sizeof buf);
	assert_string_equal(buf, "12,34,567.89");
	wfmt_inr(-123456789, 2, buf, sizeof buf);
	assert_string_equal(buf, "-12,34,567.89");
	wfmt_inr(99, 2, buf, sizeof buf);
	assert_string_equal(buf, "0.99");
	wfmt_inr(100000, 0, buf, sizeof buf);
	assert_string_equal(buf, "1,000");
	wfmt_inr(-40, 0, buf, sizeof buf);
	assert_string_equal(buf, "0");
	wfmt_inr(1000000000000LL, 0, buf, sizeof buf);
	assert_string_equal(buf, "10,00,00,00,000");
	wfmt_inr(INT64_MIN, 0, buf, sizeof buf);
	assert_true(buf[0] == '-');
}

static void
test_compact_and_latency(void **state)
{
	char	buf[32];

	wfmt_compact(1250000, 1, buf, sizeof buf);
	assert_string_equal(buf, "12.5L");
	wfmt_compact(35000000, 2, buf, sizeof buf);
	assert_string_equal(buf, "3.5Cr");
	wfmt_compact(-40000, 0, buf, sizeof buf);
	assert_string_equal(buf, "-40k");
	wfmt_compact(0, 2, buf, sizeof buf);
	assert_string_equal(buf, "0");
	wfmt_compact(999, 0, buf, sizeof buf);
	assert_string_equal(buf, "999");
	wfmt_latency(850, buf, sizeof buf);
	assert_string_equal(buf, "850us");
	wfmt_latency(12345, buf, sizeof buf);
	assert_string_equal(buf, "12.3ms");
	wfmt_latency(1200000, buf, sizeof buf);
	assert_string_equal(buf, "1.20s");
}

static void
test_inr_compact(void **state)
{
	char	buf[32];
	int64_t	p;

	wfmt_inr_compact(1028200000LL, buf, sizeof buf);
	assert_string_equal(buf, "1.03 Cr");
	wfmt_inr_compact(343000000LL, buf, sizeof buf);
	assert_string_equal(buf, "34.3 L");
	wfmt_inr_compact(-139125, buf, sizeof buf);
	assert_string_equal(buf, "-1.39 K");
	wfmt_inr_compact(-39125, buf, sizeof buf);
	assert_string_equal(buf, "-391.25");
	wfmt_inr_compact(999999999LL, buf, sizeof buf);
	assert_string_equal(buf, "100 L");
	wfmt_inr_compact(INT64_MIN, buf, sizeof buf);
	assert_true(buf[0] == '-');
	assert_int_equal(wfmt_parse_inr("-1,02,82,000.50", &p), 0);
	assert_int_equal(p, -1028200050LL);
	assert_int_equal(wfmt_parse_inr("26,370.7", &p), 0);
	assert_int_equal(p, 2637070);
	assert_int_equal(wfmt_parse_inr("-", &p), -1);
	assert_int_equal(wfmt_parse_inr("12x", &p), -1);
	assert_int_equal(wfmt_parse_inr("", &p), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inr_compact),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit_pads_and_aligns),
		cmocka_unit_test(test_fit_truncates_with_ellipsis),
		cmocka_unit_test(test_fit_never_splits_wide),
		cmocka_unit_test(test_fit_ascii_mode_replaces),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_inr),
		cmocka_unit_test(test_compact_and_latency),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
