/*
 * Walking what jscan_parse found: children and members, and a token's
 * text decoded when it is asked for (strings unescaped, numbers
 * converted), since most of a body is never read.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "util/jscan.h"

const struct jscan_tok *
jscan_root(const struct jscan *j)
{
	return j->ntok > 0 ? j->tok : NULL;
}

const struct jscan_tok *
jscan_child(const struct jscan *j, const struct jscan_tok *c)
{
	return c->next > (size_t)(c - j->tok) + 1 ? c + 1 : NULL;
}

const struct jscan_tok *
jscan_next(const struct jscan *j, const struct jscan_tok *c,
    const struct jscan_tok *t)
{
	return t->next < c->next ? j->tok + t->next : NULL;
}

size_t
jscan_size(const struct jscan *j, const struct jscan_tok *c)
{
	const struct jscan_tok	*t;
	size_t			 n = 0;
	int			 obj = c->type == JSCAN_OBJECT;

	for (t = jscan_child(j, c); t != NULL; t = jscan_next(j, c, t + obj))
		n++;
	return n;
}

/* One code point as UTF-8 into u; its length. */
static size_t
utf8_put(unsigned long cp, char *u)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | cp >> 18);
	u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits jscan_parse already checked. */
static unsigned long
hex4(const char *p)
{
	unsigned long	v = 0;
	int		k;

	for (k = 0; k < 4; k++)
		v = v * 16 + (p[k] <= '9' ? p[k] - '0' : (p[k] | 0x20) - 'a' +
		    10);
	return v;
}

/* The escape at p (a backslash) into u; returns the bytes it took. */
static size_t
unescape_one(const char *p, char *u, size_t *ulen)
{
	static const char	from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	unsigned long		cp;

	if (p[1] != 'u') {
		u[0] = to[strchr(from, p[1]) - from];
		*ulen = 1;
		return 2;
	}
	cp = hex4(p + 2);
	if (cp < 0xd800 || cp > 0xdbff) {
		*ulen = utf8_put(cp, u);
		return 6;
	}
	cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(p + 8) - 0xdc00);
	*ulen = utf8_put(cp, u);
	return 12;
}

/* Decode [p, end) into out, at most size bytes; the whole length. */
static size_t
unescape(const char *p, const char *end, char *out, size_t size)
{
	const char	*bs;
	char		 u[4];
	size_t		 n = 0, k, ulen;

	while (p < end) {
		if ((bs = memchr(p, '\\', (size_t)(end - p))) == NULL)
			bs = end;
		k = (size_t)(bs - p);
		if (n < size)
			memcpy(out + n, p, k < size - n ? k : size - n);
		n += k;
		if ((p = bs) == end)
			break;
		p += unescape_one(p, u, &ulen);
		if (n < size)
			memcpy(out + n, u, ulen < size - n ? ulen : size - n);
		n += ulen;
	}
	return n;
}

size_t
jscan_str(const struct jscan *j, const struct jscan_tok *t, char *buf,
    size_t size)
{
	const char	*p = j->s + t->start;
	size_t		 n = t->end - t->start;

	if (t->flags & JSCAN_ESCAPED)
		n = unescape(p, p + n, buf, size > 0 ? size - 1 : 0);
	else if (size > 0)
		memcpy(buf, p, n < size - 1 ? n : size - 1);
	if (size > 0)
		buf[n < size - 1 ? n : size - 1] = '\0';
	return n;
}

char *
jscan_strdup(const struct jscan *j, const struct jscan_tok *t, size_t *lenp)
{
	char	*s;
	size_t	 n;

	/* Decoding never makes a string longer. */
	s = xmalloc(t->end - t->start + 1);
	n = jscan_str(j, t, s, t->end - t->start + 1);
	if (lenp != NULL)
		*lenp = n;
	return s;
}

/* The string t decodes to key (of n bytes). */
static int
same_text(const struct jscan *j, const struct jscan_tok *t, const char *key,
    size_t n)
{
	char	*s;
	size_t	 len;
	int	 same;

	if (!(t->flags & JSCAN_ESCAPED))
		return t->end - t->start == n &&
		    memcmp(j->s + t->start, key, n) == 0;
	s = jscan_strdup(j, t, &len);
	same = len == n && memcmp(s, key, n) == 0;
	free(s);
	return same;
}

int
jscan_same(const struct jscan *j, const struct jscan_tok *a,
    const struct jscan_tok *b)
{
	char	*s;
	size_t	 len;
	int	 same;

	if (!(a->flags & JSCAN_ESCAPED))
		return same_text(j, b, j->s + a->start, a->end - a->start);
	s = jscan_strdup(j, a, &len);
	same = same_text(j, b, s, len);
	free(s);
	return same;
}

/*
 * A key's length and its first and last two bytes: Kite's field names
 * differ in those ("buy_price", "sell_price", "buy_value"), and a
 * collision only costs a comparison.
 */
static uint32_t
key_hash(const char *key, size_t n)
{
	const unsigned char	*s = (const unsigned char *)key;

	if (n < 2)
		return n == 0 ? 0 : s[0];
	return (((uint32_t)n * 31 + s[0]) * 31 + s[1] + s[n - 2] * 7u +
	    s[n - 1] * 131u) % JSCAN_IDX_SLOTS;
}

/*
 * The keys of obj into j->idx.  A key that repeats, one escaped (it may
 * equal another written differently) or too many keys leave obj marked
 * JSCAN_KEYS_REPEAT, to be searched from end to end instead.
 */
static void
index_keys(struct jscan *j, struct jscan_tok *obj)
{
	const struct jscan_tok	*k;
	uint32_t		 h;
	size_t			 n = 0;

	j->idx_obj = (size_t)(obj - j->tok) + 1;
	memset(j->idx, 0, sizeof j->idx);
	for (k = jscan_child(j, obj); k != NULL;
	    k = jscan_next(j, obj, k + 1)) {
		if (++n > JSCAN_IDX_SLOTS / 2 || (k->flags & JSCAN_ESCAPED))
			goto repeat;
		for (h = key_hash(j->s + k->start, k->end - k->start);
		    j->idx[h] != 0; h = (h + 1) % JSCAN_IDX_SLOTS) {
			if (jscan_same(j, j->tok + j->idx[h] - 1, k))
				goto repeat;
		}
		j->idx[h] = (uint32_t)(k - j->tok) + 1;
	}
	return;
repeat:
	obj->flags |= JSCAN_KEYS_REPEAT;
	j->idx_obj = 0;
}

/* The value of the last key of n bytes in obj, searched one by one. */
static const struct jscan_tok *
member_scan(const struct jscan *j, const struct jscan_tok *obj,
    const char *key, size_t n)
{
	const struct jscan_tok	*k, *found = NULL;

	for (k = jscan_child(j, obj); k != NULL; k = jscan_next(j, obj, k + 1))
		if (same_text(j, k, key, n))
			found = k + 1;
	return found;
}

const struct jscan_tok *
jscan_member(struct jscan *j, const struct jscan_tok *obj, const char *key)
{
	const struct jscan_tok	*k;
	size_t			 n = strlen(key), at = (size_t)(obj - j->tok);
	uint32_t		 h;

	if (obj->type != JSCAN_OBJECT)
		return NULL;
	if (j->idx_obj != at + 1 && !(obj->flags & JSCAN_KEYS_REPEAT))
		index_keys(j, j->tok + at);
	if (obj->flags & JSCAN_KEYS_REPEAT)
		return member_scan(j, obj, key, n);
	for (h = key_hash(key, n); j->idx[h] != 0;
	    h = (h + 1) % JSCAN_IDX_SLOTS) {
		k = j->tok + j->idx[h] - 1;
		if (same_text(j, k, key, n))
			return k + 1;
	}
	return NULL;
}

int64_t
jscan_int(const struct jscan *j, const struct jscan_tok *t)
{
	const char	*p = j->s + t->start, *end = j->s + t->end;
	uint64_t	 v = 0;
	int		 neg = *p == '-';

	for (p += neg; p < end; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	/* -2^63 is in range; its magnitude is not an int64. */
	return neg ? (int64_t)(0 - v) : (int64_t)v;
}

/*
 * strtod wants the locale's decimal point, as jansson gives it (the
 * console may run under a locale that writes 1,5).
 */
int
jscan_real(const struct jscan *j, const struct jscan_tok *t, double *d)
{
	const char	*dp = localeconv()->decimal_point;
	size_t		 dn = strlen(dp), i;
	char		*buf, *q;

	q = buf = xmalloc(t->end - t->start + dn + 1);
	for (i = t->start; i < t->end; i++) {
		if (j->s[i] == '.') {
			memcpy(q, dp, dn);
			q += dn;
		} else
			*q++ = j->s[i];
	}
	*q = '\0';
	errno = 0;
	*d = strtod(buf, NULL);
	free(buf);
	return errno == ERANGE && isinf(*d) ? -1 : 0;
}
