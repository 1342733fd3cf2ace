/*
 * Client tags: what the broker echoes back so an order whose outcome was
 * unclear can be found in its book.  The tag must be a pure function of
 * (fan-out, account, slice) -- it is persisted before the order is sent
 * and recomputed on recovery -- and at most 20 alphanumerics (Kite).
 *
 * Layout: "P", the base-36 lengths of the fan-out and account numbers (one
 * digit each), the three numbers in base 36, and a two-digit base-36
 * check over everything before it.  The explicit lengths make the
 * encoding injective; the check lets ctag_parse refuse tags typed by hand
 * or set by other tools.
 */
#include <stdio.h>
#include <string.h>

#include "exec/exec.h"

static const char b36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* Base 36 of v >= 0 into out, most significant first; returns the length. */
static size_t
ctag_b36(uint64_t v, char *out)
{
	char	tmp[16];
	size_t	n = 0, i;

	do {
		tmp[n++] = b36[v % 36];
		v /= 36;
	} while (v > 0);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static int
ctag_digit(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b36, c)) == NULL)
		return -1;
	return (int)(p - b36);
}

/* FNV-1a folded to 36 x 36. */
static unsigned
ctag_check(const char *s, size_t n)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h % (36 * 36);
}

int
ctag_make(int64_t fanout_id, int64_t account_id, int slice, char *buf,
    size_t len, struct err *err)
{
	char		f[16], a[16], s[16], tag[64];
	size_t		fl, al, sl, n;
	unsigned	c;

	if (fanout_id < 0 || account_id < 0 || slice < 0) {
		err_set(err, "bad-value", "client tag of a negative number "
		    "(fan-out %lld, account %lld, slice %d)",
		    (long long)fanout_id, (long long)account_id, slice);
		return -1;
	}
	fl = ctag_b36((uint64_t)fanout_id, f);
	al = ctag_b36((uint64_t)account_id, a);
	sl = ctag_b36((uint64_t)slice, s);
	if (5 + fl + al + sl > CTAG_MAX || len < 5 + fl + al + sl + 1) {
		err_set(err, "overflow", "fan-out %lld, account %lld, slice "
		    "%d do not fit a %d-character client tag",
		    (long long)fanout_id, (long long)account_id, slice,
		    CTAG_MAX);
		return -1;
	}
	n = 0;
	tag[n++] = 'P';
	tag[n++] = b36[fl];
	tag[n++] = b36[al];
	memcpy(tag + n, f, fl);
	n += fl;
	memcpy(tag + n, a, al);
	n += al;
	memcpy(tag + n, s, sl);
	n += sl;
	c = ctag_check(tag, n);
	tag[n++] = b36[c / 36];
	tag[n++] = b36[c % 36];
	memcpy(buf, tag, n);
	buf[n] = '\0';
	return 0;
}

/* Digits of tag[from, from + n) as a number; -1 if not canonical. */
static int64_t
ctag_num(const char *tag, size_t from, size_t n, int64_t max)
{
	int64_t	v = 0;
	size_t	i;
	int	d;

	if (n == 0 || n > 13 || (n > 1 && tag[from] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = ctag_digit(tag[from + i])) < 0 || v > (max - d) / 36)
			return -1;
		v = v * 36 + d;
	}
	return v;
}

int
ctag_parse(const char *tag, int64_t *fanout_id, int64_t *account_id,
    int *slice)
{
	size_t		len, fl, al, sl;
	int64_t		f, a, s;
	int		c1, c2;

	len = strlen(tag);
	if (len < 8 || len > CTAG_MAX || tag[0] != 'P')
		return -1;
	if (ctag_digit(tag[1]) < 1 || ctag_digit(tag[2]) < 1)
		return -1;
	fl = (size_t)ctag_digit(tag[1]);
	al = (size_t)ctag_digit(tag[2]);
	if (3 + fl + al + 1 + 2 > len)
		return -1;
	sl = len - 5 - fl - al;
	c1 = ctag_digit(tag[len - 2]);
	c2 = ctag_digit(tag[len - 1]);
	if (c1 < 0 || c2 < 0 ||
	    (unsigned)(c1 * 36 + c2) != ctag_check(tag, len - 2))
		return -1;
	if ((f = ctag_num(tag, 3, fl, INT64_MAX)) < 0 ||
	    (a = ctag_num(tag, 3 + fl, al, INT64_MAX)) < 0 ||
	    (s = ctag_num(tag, 3 + fl + al, sl, INT32_MAX)) < 0)
		return -1;
	*fanout_id = f;
	*account_id = a;
	*slice = (int)s;
	return 0;
}
