/*
 * Tests for src/util/jscan.c and jscan_read.c: what the scanner accepts
 * and refuses (jansson's rules, checked against json_loadb here), where
 * it says a text went wrong, and what its readers give back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"
#include "util/jscan.h"

/* Parses as it should, and jansson agrees. */
static void
ok(struct jscan *j, const char *s, size_t len)
{
	json_t	*v;

	if (jscan_parse(j, s, len) != 0)
		fail_msg("refused \"%.60s\": %s at byte %zu", s, j->err,
		    j->err_off);
	v = json_loadb(s, len, 0, NULL);
	if (v == NULL)
		fail_msg("jansson refuses \"%.60s\"", s);
	json_decref(v);
}

/* Refused with a message holding want at byte off; jansson refuses too. */
static void
bad(const char *s, size_t len, const char *want, size_t off)
{
	struct jscan	j;
	json_t		*v;

	if (jscan_parse(&j, s, len) == 0)
		fail_msg("accepted \"%.60s\"", s);
	assert_null(j.tok);
	if (strstr(j.err, want) == NULL || j.err_off != off)
		fail_msg("\"%.60s\": \"%s\" at %zu, want \"%s\" at %zu", s,
		    j.err, j.err_off, want, off);
	if ((v = json_loadb(s, len, 0, NULL)) != NULL)
		fail_msg("jansson accepts \"%.60s\"", s);
}

#define BAD(s, want, off)	bad(s, sizeof(s) - 1, want, off)

static void
test_shape(void **state)
{
	static const char	 doc[] = " {\"a\": [1, {\"b\": null}, \"x\"],"
	    "\n\t\"c\": true, \"d\": {}}\r\n";
	struct jscan		 j;
	const struct jscan_tok	*r, *a, *t;

	ok(&j, doc, sizeof doc - 1);
	r = jscan_root(&j);
	assert_int_equal(r->type, JSCAN_OBJECT);
	assert_int_equal(r->next, j.ntok);
	assert_int_equal(jscan_size(&j, r), 3);
	a = jscan_member(&j, r, "a");
	assert_int_equal(a->type, JSCAN_ARRAY);
	assert_int_equal(jscan_size(&j, a), 3);
	t = jscan_child(&j, a);
	assert_int_equal(t->type, JSCAN_NUMBER);
	t = jscan_next(&j, a, t);
	assert_int_equal(t->type, JSCAN_OBJECT);
	assert_int_equal(jscan_member(&j, t, "b")->type, JSCAN_NULL);
	/* The object is skipped whole: its key and value are not siblings. */
	t = jscan_next(&j, a, t);
	assert_int_equal(t->type, JSCAN_STRING);
	assert_int_equal(t->end - t->start, 1);
	assert_null(jscan_next(&j, a, t));
	assert_int_equal(jscan_member(&j, r, "c")->type, JSCAN_TRUE);
	t = jscan_member(&j, r, "d");
	assert_null(jscan_child(&j, t));
	assert_int_equal(jscan_size(&j, t), 0);
	assert_null(jscan_member(&j, r, "e"));
	assert_null(jscan_member(&j, a, "a"));
	jscan_free(&j);

	ok(&j, "[]", 2);
	assert_null(jscan_child(&j, jscan_root(&j)));
	jscan_free(&j);
}

static void
test_refused(void **state)
{
	BAD("", "premature end", 0);
	BAD("  ", "premature end", 2);
	BAD("1", "'[' or '{' expected", 0);
	BAD("\"a\"", "'[' or '{' expected", 0);
	BAD("[1,]", "invalid token", 3);
	BAD("{\"a\":1,}", "string (a key) expected", 7);
	BAD("{,}", "string (a key) expected", 1);
	BAD("[,1]", "invalid token", 1);
	BAD("[1 2]", "',' or ']' expected", 3);
	BAD("{\"a\" 1}", "':' expected", 5);
	BAD("{\"a\":1 \"b\":2}", "',' or '}' expected", 7);
	BAD("{1:2}", "string (a key) expected", 1);
	BAD("[1]]", "end of input expected", 3);
	BAD("[1] x", "end of input expected", 4);
	BAD("[tru]", "invalid token", 1);
	BAD("[True]", "invalid token", 1);
	BAD("[nul", "invalid token", 1);
	BAD("[1", "premature end", 2);
	BAD("{\"a\":", "premature end", 5);
	BAD("[\"abc", "premature end", 5);
	BAD("[1,\n", "premature end", 4);
	BAD("['a']", "invalid token", 1);
	BAD("[1]\0", "end of input expected", 3);
	BAD("[\"a\0\"]", "control character 0x0", 3);
}

/*
 * jansson 2.14 drops a NUL byte right after a number or a literal (its
 * lexer puts the byte back, and a 0 in its buffer reads as empty); the
 * scanner refuses it like any other byte out of place.
 */
static void
test_nul_after_literal(void **state)
{
	struct jscan	j;
	json_t		*v;

	assert_int_equal(jscan_parse(&j, "[1\0]", 4), -1);
	assert_int_equal(j.err_off, 2);
	assert_int_equal(jscan_parse(&j, "[true\0]", 7), -1);
	v = json_loadb("[1\0]", 4, 0, NULL);
	json_decref(v);
}

static void
test_strings(void **state)
{
	static const char	doc[] = "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", "
	    "\"\\u00e9\\u20AC\", \"\\ud83d\\ude00!\", \"caf\xc3\xa9\", "
	    "\"plain\"]";
	struct jscan		j;
	const struct jscan_tok	*t;
	char			buf[16], *s;
	size_t			n;

	ok(&j, doc, sizeof doc - 1);
	t = jscan_child(&j, jscan_root(&j));
	assert_true(t->flags & JSCAN_ESCAPED);
	assert_int_equal(jscan_str(&j, t, buf, sizeof buf), 8);
	assert_string_equal(buf, "\"\\/\b\f\n\r\t");
	t = jscan_next(&j, jscan_root(&j), t);
	assert_int_equal(jscan_str(&j, t, buf, sizeof buf), 5);
	assert_string_equal(buf, "\xc3\xa9\xe2\x82\xac");
	/* Cut to the buffer, the whole length still told. */
	assert_int_equal(jscan_str(&j, t, buf, 3), 5);
	assert_string_equal(buf, "\xc3\xa9");
	t = jscan_next(&j, jscan_root(&j), t);
	s = jscan_strdup(&j, t, &n);
	assert_int_equal(n, 5);
	assert_string_equal(s, "\xf0\x9f\x98\x80!");
	free(s);
	t = jscan_next(&j, jscan_root(&j), t);
	assert_false(t->flags & JSCAN_ESCAPED);
	assert_int_equal(jscan_str(&j, t, buf, sizeof buf), 5);
	assert_string_equal(buf, "caf\xc3\xa9");
	t = jscan_next(&j, jscan_root(&j), t);
	assert_int_equal(jscan_str(&j, t, buf, 4), 5);
	assert_string_equal(buf, "pla");
	assert_int_equal(jscan_str(&j, t, buf, 0), 5);
	jscan_free(&j);

	BAD("[\"\\x\"]", "invalid escape", 2);
	BAD("[\"\\u12G4\"]", "invalid escape", 2);
	BAD("[\"\\u12\"]", "invalid escape", 2);
	BAD("[\"\\u0000\"]", "\\u0000", 2);
	BAD("[\"a\tb\"]", "control character 0x9", 3);
	BAD("[\"a\nb\"]", "control character 0xa", 3);
	BAD("[\"\x1f\"]", "control character 0x1f", 2);
	BAD("[\"\xff\"]", "invalid UTF-8 byte 0xff", 2);
	BAD("[\"\xc0\x80\"]", "invalid UTF-8", 2);
	BAD("[\"\xe2\x82\"]", "invalid UTF-8", 2);
	BAD("[\"\xed\xa0\x80\"]", "invalid UTF-8", 2);
	BAD("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8", 2);
	BAD("[\xc3\xa9]", "invalid token", 1);
}

static void
test_surrogates(void **state)
{
	struct jscan	j;

	ok(&j, "[\"\\uDBFF\\uDFFF\"]", 16);
	jscan_free(&j);
	BAD("[\"\\ud800\"]", "invalid Unicode '\\uD800'", 2);
	BAD("[\"\\ud800x\"]", "invalid Unicode", 2);
	BAD("[\"\\ud800\\u0041\"]", "invalid Unicode", 2);
	BAD("[\"\\ud800\\ud800\"]", "invalid Unicode", 2);
	BAD("[\"\\udc00\"]", "invalid Unicode '\\uDC00'", 2);
	BAD("[\"a\\ude00\\ud83d\"]", "invalid Unicode", 3);
}

/* A number's token, from a one-element array written into doc. */
static const struct jscan_tok *
number(struct jscan *j, const char *s, char *doc, size_t size)
{
	snprintf(doc, size, "[%s]", s);
	ok(j, doc, strlen(doc));
	assert_int_equal(jscan_root(j)[1].type, JSCAN_NUMBER);
	return jscan_root(j) + 1;
}

static void
test_numbers(void **state)
{
	static const struct {
		const char	*text;
		int		 real;
		int64_t		 i;
		double		 d;
	} cases[] = {
		{ "0", 0, 0, 0 },
		{ "-0", 0, 0, 0 },
		{ "42", 0, 42, 42 },
		{ "-7", 0, -7, -7 },
		{ "9223372036854775807", 0, INT64_MAX, 9223372036854775807.0 },
		{ "-9223372036854775808", 0, INT64_MIN, (double)INT64_MIN },
		{ "1e5", 1, 0, 1e5 },
		{ "1.5E-3", 1, 0, 1.5e-3 },
		{ "-0.0", 1, 0, -0.0 },
		{ "2.675", 1, 0, 2.675 },
		{ "1E+2", 1, 0, 100 },
		{ "1e308", 1, 0, 1e308 },
		{ "1e-400", 1, 0, 0 },
		{ "0.0000000000000000000000000001e330", 1, 0, 1e302 },
	};
	struct jscan		 j;
	const struct jscan_tok	*t;
	double			 d;
	char			 doc[64];
	size_t			 i;

	for (i = 0; i < nitems(cases); i++) {
		t = number(&j, cases[i].text, doc, sizeof doc);
		assert_int_equal(!!(t->flags & JSCAN_REAL), cases[i].real);
		if (!cases[i].real)
			assert_int_equal(jscan_int(&j, t), cases[i].i);
		assert_int_equal(jscan_real(&j, t, &d), 0);
		if (d != cases[i].d)
			fail_msg("%s read as %g", cases[i].text, d);
		jscan_free(&j);
	}
	BAD("[9223372036854775808]", "too big integer", 1);
	BAD("[-9223372036854775809]", "too big negative integer", 1);
	BAD("[99999999999999999999999]", "too big integer", 1);
	BAD("[1e309]", "real number overflow", 1);
	BAD("[-1.8e308]", "real number overflow", 1);
	BAD("[01]", "leading zero", 1);
	BAD("[-01]", "leading zero", 2);
	BAD("[1.]", "invalid number", 3);
	BAD("[.5]", "invalid token", 1);
	BAD("[-]", "invalid number", 2);
	BAD("[+1]", "invalid token", 1);
	BAD("[1e]", "invalid number", 3);
	BAD("[1e+]", "invalid number", 4);
	BAD("[0x10]", "',' or ']' expected", 2);
	BAD("[1.5.3]", "',' or ']' expected", 4);
}

/* n arrays deep, around inner. */
static char *
nested(int n, const char *inner)
{
	size_t	len = strlen(inner);
	char	*s = xmalloc(2 * (size_t)n + len + 1);

	memset(s, '[', (size_t)n);
	memcpy(s + n, inner, len);
	memset(s + n + len, ']', (size_t)n);
	s[2 * n + len] = '\0';
	return s;
}

static void
test_depth(void **state)
{
	struct jscan	 j;
	char		*s;

	/* jansson counts values: an array is one deep, what it holds two. */
	s = nested(JSCAN_MAX_DEPTH, "");
	ok(&j, s, strlen(s));
	assert_int_equal(j.ntok, JSCAN_MAX_DEPTH);
	assert_int_equal(j.tok[0].next, JSCAN_MAX_DEPTH);
	jscan_free(&j);
	free(s);
	s = nested(JSCAN_MAX_DEPTH - 1, "1");
	ok(&j, s, strlen(s));
	jscan_free(&j);
	free(s);
	s = nested(JSCAN_MAX_DEPTH + 1, "");
	bad(s, strlen(s), "nested deeper than 2048", JSCAN_MAX_DEPTH);
	free(s);
	s = nested(JSCAN_MAX_DEPTH, "1");
	bad(s, strlen(s), "nested deeper", JSCAN_MAX_DEPTH);
	free(s);
	/* Far deeper fails as cleanly, at the same place. */
	s = nested(100000, "");
	bad(s, strlen(s), "nested deeper", JSCAN_MAX_DEPTH);
	free(s);
}

/* An object of n members "k0".."k{n-1}", and "dup" at each end. */
static char *
wide(int n, int dup)
{
	struct strbuf	b;
	int		i;

	strbuf_init(&b);
	strbuf_puts(&b, dup ? "{\"dup\":1," : "{");
	for (i = 0; i < n; i++)
		strbuf_printf(&b, "\"k%d\":%d,", i, i);
	strbuf_puts(&b, "\"dup\":2}");
	return strbuf_steal(&b);
}

static void
test_duplicates(void **state)
{
	static const char	doc[] = "{\"a\":1,\"b\":2,\"a\":3,"
	    "\"\\u0062\":4}";
	struct jscan		j;
	const struct jscan_tok	*r, *t;
	json_t			*v;
	char			*s, key[16];
	int			 n, i, dup;

	/* jansson keeps the last value of a key that repeats. */
	ok(&j, doc, sizeof doc - 1);
	v = json_loadb(doc, sizeof doc - 1, 0, NULL);
	r = jscan_root(&j);
	assert_int_equal(jscan_int(&j, jscan_member(&j, r, "a")), 3);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 3);
	/* Written differently, the same key. */
	assert_int_equal(jscan_int(&j, jscan_member(&j, r, "b")), 4);
	assert_int_equal(json_integer_value(json_object_get(v, "b")), 4);
	json_decref(v);
	assert_true(jscan_same(&j, r + 3, r + 7));
	assert_false(jscan_same(&j, r + 1, r + 3));
	jscan_free(&j);

	/*
	 * Objects of distinct keys up to JSCAN_IDX_SLOTS / 2 are looked up by
	 * hash, the others one key at a time: each way finds the last.
	 */
	for (n = 0, dup = 0; n <= 200; n += dup ? 21 : 0, dup = !dup) {
		s = wide(n, dup);
		ok(&j, s, strlen(s));
		r = jscan_root(&j);
		assert_int_equal(jscan_int(&j, jscan_member(&j, r, "dup")), 2);
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof key, "k%d", i);
			t = jscan_member(&j, r, key);
			assert_int_equal(jscan_int(&j, t), i);
		}
		assert_null(jscan_member(&j, r, "k"));
		assert_null(jscan_member(&j, r, ""));
		jscan_free(&j);
		free(s);
	}
}

/* Another object asked between two lookups does not confuse the table. */
static void
test_lookup_order(void **state)
{
	static const char	doc[] = "{\"x\":{\"p\":1,\"q\":2},"
	    "\"y\":{\"q\":3,\"p\":4},\"p\":5}";
	struct jscan		j;
	const struct jscan_tok	*r, *x, *y;

	ok(&j, doc, sizeof doc - 1);
	r = jscan_root(&j);
	x = jscan_member(&j, r, "x");
	y = jscan_member(&j, r, "y");
	assert_int_equal(jscan_int(&j, jscan_member(&j, x, "q")), 2);
	assert_int_equal(jscan_int(&j, jscan_member(&j, y, "q")), 3);
	assert_int_equal(jscan_int(&j, jscan_member(&j, r, "p")), 5);
	assert_int_equal(jscan_int(&j, jscan_member(&j, x, "p")), 1);
	assert_int_equal(jscan_int(&j, jscan_member(&j, y, "p")), 4);
	assert_null(jscan_member(&j, y, "x"));
	jscan_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_nul_after_literal),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_lookup_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
