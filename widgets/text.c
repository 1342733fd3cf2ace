/*
 * Text by display width.  Names and messages come from the store as UTF-8
 * and may hold double-width characters (Devanagari, CJK, emoji); a column
 * must never be pushed out of line by them, so everything is laid out in
 * screen columns, never in bytes or code points.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

/* One code point from s; *len gets the bytes used (at least 1). */
static wchar_t
wtext_next(const unsigned char *s, size_t *len)
{
	unsigned	c = s[0], need, i;
	wchar_t		cp;

	*len = 1;
	if (c < 0x80)
		return (wchar_t)c;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		cp = c & 0x07;
	} else
		return 0xfffd;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0xfffd;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms and surrogates are not characters. */
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0xfffd;
	*len = need + 1;
	return cp;
}

size_t
wtext_decode(const char *s, wchar_t *out, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 0, len;

	if (max == 0)
		return 0;
	while (*p != '\0' && n + 1 < max) {
		out[n++] = wtext_next(p, &len);
		p += len;
	}
	out[n] = 0;
	return n;
}

/* What is drawn in place of c: ASCII mode and control bytes get '?'. */
static wchar_t
wtext_shown(wchar_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return '?';
	if (widget_ascii && c >= 0x80)
		return '?';
	if (wcwidth(c) < 0)
		return '?';
	return c;
}

int
wtext_cwidth(wchar_t c)
{
	int	w;

	c = wtext_shown(c);
	if ((w = wcwidth(c)) < 0)
		return 1;
	return w;
}

int
wtext_width(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len;
	int			 w = 0;

	while (*p != '\0') {
		w += wtext_cwidth(wtext_next(p, &len));
		p += len;
	}
	return w;
}

static size_t
wtext_pad(wchar_t *out, size_t n, size_t outmax, int cols)
{
	while (cols-- > 0 && n + 1 < outmax)
		out[n++] = ' ';
	return n;
}

size_t
wtext_fit(const char *s, int width, enum walign align, wchar_t *out,
    size_t outmax)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 0, len, body;
	int			 total, used = 0, cw, room, left, right;
	wchar_t			 c;

	if (outmax == 0)
		return 0;
	out[0] = 0;
	if (width <= 0)
		return 0;
	total = wtext_width(s);
	/* Leave a column for the ellipsis when the text will not fit. */
	room = total > width ? width - 1 : width;
	body = outmax - 1;
	while (*p != '\0' && n < body) {
		c = wtext_next(p, &len);
		cw = wtext_cwidth(c);
		if (used + cw > room)
			break;
		if (cw > 0 || n > 0)
			out[n++] = wtext_shown(c);
		used += cw;
		p += len;
	}
	if (total > width && n < body) {
		out[n++] = widget_glyph(WG_ELLIPSIS);
		used++;
	}
	left = right = 0;
	if (align == WALIGN_RIGHT)
		left = width - used;
	else if (align == WALIGN_CENTER) {
		left = (width - used) / 2;
		right = width - used - left;
	} else
		right = width - used;
	if (left > 0 && n + (size_t)left < body) {
		memmove(out + left, out, n * sizeof *out);
		wmemset(out, ' ', (size_t)left);
		n += (size_t)left;
	}
	n = wtext_pad(out, n, outmax, right);
	out[n] = 0;
	return n;
}

void
wtext_put(WINDOW *win, int y, int x, int width, enum walign align, attr_t a,
    const char *s)
{
	wchar_t	 buf[512], *p = buf;
	size_t	 max = (size_t)width * 2 + 2, n;

	if (width <= 0)
		return;
	if (max > nitems(buf))
		p = malloc(max * sizeof *p);
	if (p == NULL)
		return;
	n = wtext_fit(s != NULL ? s : "", width, align, p, max);
	wattrset(win, a);
	mvwaddnwstr(win, y, x, p, (int)n);
	if (p != buf)
		free(p);
}

int
wtext_puts(WINDOW *win, int y, int x, int width, attr_t a, const char *s)
{
	wchar_t	 buf[512];
	int	 w;

	if (width <= 0 || s == NULL)
		return 0;
	w = wtext_width(s);
	if (w > width)
		w = width;
	if (w > (int)nitems(buf) / 2 - 1)
		w = (int)nitems(buf) / 2 - 1;
	wtext_put(win, y, x, w, WALIGN_LEFT, a, s);
	return w;
}

void
wtext_put_words(WINDOW *win, int y, int x, int width, attr_t a,
    const char *s)
{
	char	*cut, *sp;
	int	 w;

	if (width <= 0 || s == NULL)
		return;
	if (wtext_width(s) <= width) {
		wtext_put(win, y, x, width, WALIGN_LEFT, a, s);
		return;
	}
	/* The longest prefix ending before a space that leaves room for "…". */
	cut = xstrdup(s);
	for (;;) {
		if ((sp = strrchr(cut, ' ')) == NULL)
			break;
		*sp = '\0';
		w = wtext_width(cut);
		if (w + 2 <= width)
			break;
	}
	if (sp == NULL) {
		/* One long word: an ordinary cut. */
		free(cut);
		wtext_put(win, y, x, width, WALIGN_LEFT, a, s);
		return;
	}
	w = wtext_width(cut);
	wtext_put(win, y, x, width, WALIGN_LEFT, a, "");
	wtext_puts(win, y, x, w, a, cut);
	wtext_puts(win, y, x + w + 1, 1, a, widget_ascii ? "~" : "\u2026");
	free(cut);
}
