/*
 * The scanner: one pass over the text with a stack of open containers,
 * refusing what jansson refuses (trailing commas, bad escapes, control
 * bytes and invalid UTF-8 in strings, lone surrogates, \u0000, leading
 * zeros, integers past int64, reals past a double, nesting past
 * JSCAN_MAX_DEPTH, anything after the value) with the byte where it went
 * wrong.  The token array is its only allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/jscan.h"
#include "util/utf8.h"

/* Exponent digits past this only make a number bigger; stop counting. */
#define EXP_SATURATE	100000

static int
fail(struct jscan *j, size_t off, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(j->err, sizeof j->err, fmt, ap);
	va_end(ap);
	j->err_off = off;
	free(j->tok);
	j->tok = NULL;
	j->ntok = j->cap = 0;
	return -1;
}

/* The end of the input is a premature end, whatever else was expected. */
static int
fail_at(struct jscan *j, size_t off, const char *what)
{
	if (off >= j->len)
		return fail(j, j->len, "premature end of input");
	return fail(j, off, "%s", what);
}

static size_t
skip_ws(const struct jscan *j, size_t i)
{
	while (i < j->len && (j->s[i] == ' ' || j->s[i] == '\n' ||
	    j->s[i] == '\r' || j->s[i] == '\t'))
		i++;
	return i;
}

static int
is_digit(const struct jscan *j, size_t i)
{
	return i < j->len && j->s[i] >= '0' && j->s[i] <= '9';
}

static size_t
skip_digits(const struct jscan *j, size_t i)
{
	while (is_digit(j, i))
		i++;
	return i;
}

/* A new token; the array doubles when full. */
static struct jscan_tok *
push(struct jscan *j, enum jscan_type type, size_t start, size_t end)
{
	struct jscan_tok	*t;

	if (j->ntok == j->cap) {
		j->cap *= 2;
		j->tok = xreallocarray(j->tok, j->cap, sizeof *j->tok);
	}
	t = &j->tok[j->ntok++];
	t->start = (uint32_t)start;
	t->end = (uint32_t)end;
	t->next = (uint32_t)j->ntok;
	t->type = type;
	t->flags = 0;
	return t;
}

/* Four hex digits at i, or -1. */
static long
hex4(const struct jscan *j, size_t i)
{
	long	v = 0;
	size_t	k;
	char	c;

	if (i > j->len || j->len - i < 4)
		return -1;
	for (k = i; k < i + 4; k++) {
		c = j->s[k];
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + ((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * \uXXXX at i (the backslash): a high surrogate must be followed by a
 * low one, a low one alone is refused, and so is U+0000, as jansson does
 * without JSON_ALLOW_NUL.
 */
static int
scan_unicode(struct jscan *j, size_t *ip)
{
	size_t	i = *ip;
	long	u, lo;

	if ((u = hex4(j, i + 2)) < 0)
		return fail(j, i, "invalid escape");
	if (u == 0)
		return fail(j, i, "\\u0000 is not allowed");
	if (u >= 0xdc00 && u <= 0xdfff)
		return fail(j, i, "invalid Unicode '\\u%04lX'", u);
	if (u >= 0xd800 && u <= 0xdbff) {
		if (i + 7 >= j->len || j->s[i + 6] != '\\' ||
		    j->s[i + 7] != 'u' || (lo = hex4(j, i + 8)) < 0xdc00 ||
		    lo > 0xdfff)
			return fail(j, i, "invalid Unicode '\\u%04lX' (no low "
			    "surrogate after it)", u);
		*ip = i + 12;
		return 0;
	}
	*ip = i + 6;
	return 0;
}

static int
scan_escape(struct jscan *j, size_t *ip)
{
	size_t	i = *ip;
	char	c;

	if (i + 1 >= j->len)
		return fail(j, j->len, "premature end of input");
	c = j->s[i + 1];
	if (c == 'u')
		return scan_unicode(j, ip);
	if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
	    c == 'n' || c == 'r' || c == 't') {
		*ip = i + 2;
		return 0;
	}
	return fail(j, i, "invalid escape");
}

/*
 * Past the string bytes that need no look (printable ASCII but the quote
 * and the backslash), eight at a time while eight remain: most of a body
 * is keys and short strings.
 */
static size_t
plain_run(const struct jscan *j, size_t i)
{
	const uint64_t		 ones = 0x0101010101010101ull;
	const uint64_t		 high = 0x8080808080808080ull;
	const unsigned char	*s = (const unsigned char *)j->s;
	uint64_t		 w, q, b;

	for (; j->len - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		/* A zero byte in q or b, a byte below 0x20 or above 0x7f. */
		if ((((q - ones) & ~q) | ((b - ones) & ~b) |
		    (w - ones * 0x20) | w) & high)
			break;
	}
	while (i < j->len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
	    s[i] != '\\')
		i++;
	return i;
}

/* A string from its opening quote at *ip. */
static int
scan_string(struct jscan *j, size_t *ip)
{
	const unsigned char	*s = (const unsigned char *)j->s;
	size_t			 i = *ip + 1, k;
	int			 flags = 0;

	for (;;) {
		i = plain_run(j, i);
		if (i == j->len)
			return fail(j, i, "premature end of input in a string");
		if (s[i] == '"')
			break;
		if (s[i] == '\\') {
			if (scan_escape(j, &i) != 0)
				return -1;
			flags |= JSCAN_ESCAPED;
		} else if (s[i] < 0x20)
			return fail(j, i, "control character 0x%x in a string",
			    s[i]);
		else if ((k = utf8_seq(s + i, j->len - i)) == 0)
			return fail(j, i, "invalid UTF-8 byte 0x%x", s[i]);
		else
			i += k;
	}
	push(j, JSCAN_STRING, *ip + 1, i)->flags = flags;
	*ip = i + 1;
	return 0;
}

/*
 * A real's order of magnitude is at most its integer digits plus its
 * exponent; only one near a double's limit is worth reading with strtod
 * to see whether it overflows, as jansson refuses that.
 */
static int
real_overflows(struct jscan *j, size_t intdigits, size_t e, size_t end)
{
	const struct jscan_tok	*t = &j->tok[j->ntok - 1];
	long			 exp10 = 0, mag;
	int			 neg = 0;
	double			 d;

	if (e < end) {
		e++;
		if (j->s[e] == '+' || j->s[e] == '-')
			neg = j->s[e++] == '-';
		for (; e < end && exp10 < EXP_SATURATE; e++)
			exp10 = exp10 * 10 + (j->s[e] - '0');
	}
	mag = (long)intdigits + (neg ? -exp10 : exp10);
	if (mag < 300)
		return 0;
	return jscan_real(j, t, &d) != 0;
}

/* int64 is 19 digits; one that long is compared with its limit. */
static int
int_overflows(const struct jscan *j, size_t d0, size_t end, int neg)
{
	const char	*lim = neg ? "9223372036854775808" :
			    "9223372036854775807";

	if (end - d0 != 19)
		return end - d0 > 19;
	return memcmp(j->s + d0, lim, 19) > 0;
}

static int
scan_number(struct jscan *j, size_t *ip)
{
	size_t	i = *ip, d0, dend, e;
	int	neg = 0, real = 0;

	if (j->s[i] == '-') {
		neg = 1;
		i++;
	}
	d0 = i;
	if (!is_digit(j, i))
		return fail_at(j, i, "invalid number");
	i = j->s[i] == '0' ? i + 1 : skip_digits(j, i);
	if (is_digit(j, i))
		return fail(j, d0, "invalid number (leading zero)");
	dend = i;
	if (i < j->len && j->s[i] == '.') {
		if (!is_digit(j, ++i))
			return fail_at(j, i, "invalid number");
		i = skip_digits(j, i);
		real = 1;
	}
	e = i;
	if (i < j->len && (j->s[i] == 'e' || j->s[i] == 'E')) {
		i++;
		if (i < j->len && (j->s[i] == '+' || j->s[i] == '-'))
			i++;
		if (!is_digit(j, i))
			return fail_at(j, i, "invalid number");
		i = skip_digits(j, i);
		real = 1;
	}
	push(j, JSCAN_NUMBER, *ip, i)->flags = real ? JSCAN_REAL : 0;
	if (!real && int_overflows(j, d0, dend, neg))
		return fail(j, *ip, neg ? "too big negative integer" :
		    "too big integer");
	if (real && real_overflows(j, dend - d0, e, i))
		return fail(j, *ip, "real number overflow");
	*ip = i;
	return 0;
}

static int
scan_word(struct jscan *j, size_t *ip)
{
	static const struct {
		const char	*word;
		enum jscan_type	 type;
	} words[] = {
		{ "true", JSCAN_TRUE },
		{ "false", JSCAN_FALSE },
		{ "null", JSCAN_NULL },
	};
	size_t	i = *ip, k, n;

	for (k = 0; k < nitems(words); k++) {
		n = strlen(words[k].word);
		if (j->len - i >= n &&
		    memcmp(j->s + i, words[k].word, n) == 0) {
			push(j, words[k].type, i, i + n);
			*ip = i + n;
			return 0;
		}
	}
	return fail_at(j, i, "invalid token");
}

/* One value at *ip; a container is opened on the stack, to be filled. */
static int
scan_value(struct jscan *j, size_t *ip, uint32_t *stack, size_t *depth)
{
	size_t	i = *ip;
	char	c;

	if (*depth >= JSCAN_MAX_DEPTH)
		return fail(j, i, "nested deeper than %d", JSCAN_MAX_DEPTH);
	if (i >= j->len)
		return fail(j, i, "premature end of input");
	c = j->s[i];
	if (c == '{' || c == '[') {
		stack[(*depth)++] = (uint32_t)j->ntok;
		push(j, c == '{' ? JSCAN_OBJECT : JSCAN_ARRAY, i, i + 1);
		*ip = i + 1;
		return 0;
	}
	if (c == '"')
		return scan_string(j, ip);
	if (c == '-' || (c >= '0' && c <= '9'))
		return scan_number(j, ip);
	return scan_word(j, ip);
}

/*
 * Inside the innermost open container at *ip: close it, or step past the
 * comma (and an object's key and colon) to where its next value starts.
 * Returns 1 when a container was closed, 0 at a value, -1 on an error.
 */
static int
scan_between(struct jscan *j, size_t *ip, uint32_t *stack, size_t *depth)
{
	struct jscan_tok	*c = &j->tok[stack[*depth - 1]];
	int			 obj = c->type == JSCAN_OBJECT;
	size_t			 i = skip_ws(j, *ip);

	if (i < j->len && j->s[i] == (obj ? '}' : ']')) {
		c->end = (uint32_t)i + 1;
		c->next = (uint32_t)j->ntok;
		(*depth)--;
		*ip = i + 1;
		return 1;
	}
	if (j->ntok > stack[*depth - 1] + 1u) {
		if (i >= j->len || j->s[i] != ',')
			return fail_at(j, i, obj ? "',' or '}' expected" :
			    "',' or ']' expected");
		i = skip_ws(j, i + 1);
	}
	if (obj) {
		if (i >= j->len || j->s[i] != '"')
			return fail_at(j, i, "string (a key) expected");
		if (scan_string(j, &i) != 0)
			return -1;
		i = skip_ws(j, i);
		if (i >= j->len || j->s[i] != ':')
			return fail_at(j, i, "':' expected");
		i = skip_ws(j, i + 1);
	}
	*ip = i;
	return 0;
}

int
jscan_parse(struct jscan *j, const char *s, size_t len)
{
	uint32_t	stack[JSCAN_MAX_DEPTH];
	size_t		depth = 0, i;
	int		rc;

	memset(j, 0, sizeof *j);
	j->s = s;
	j->len = len;
	if (len >= UINT32_MAX)
		return fail(j, 0, "%zu bytes are too many", len);
	i = skip_ws(j, 0);
	if (i >= len || (s[i] != '{' && s[i] != '['))
		return fail_at(j, i, "'[' or '{' expected");
	j->cap = len / 8 + 16;
	j->tok = xreallocarray(NULL, j->cap, sizeof *j->tok);
	do {
		if (scan_value(j, &i, stack, &depth) != 0)
			return -1;
		while (depth > 0 && (rc = scan_between(j, &i, stack,
		    &depth)) != 0) {
			if (rc < 0)
				return -1;
		}
	} while (depth > 0);
	if ((i = skip_ws(j, i)) != len)
		return fail(j, i, "end of input expected after the value");
	return 0;
}

void
jscan_free(struct jscan *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = j->cap = 0;
}
