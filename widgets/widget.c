/*
 * The widget base: class dispatch, the theme's attributes, glyphs with
 * their ASCII stand-ins and boxes.
 */
#include <stdlib.h>

#include "widgets/widgets.h"

attr_t	widget_attr[WR__COUNT];
int	widget_ascii;

/* Unicode and ASCII for each glyph, in enum order. */
static const struct {
	wchar_t	uni;
	wchar_t	ascii;
} widget_glyphs[WG__COUNT] = {
	[WG_ELLIPSIS] = { 0x2026, '~' },
	[WG_HLINE] = { 0x2500, '-' },
	[WG_VLINE] = { 0x2502, '|' },
	[WG_ULCORNER] = { 0x250c, '+' },
	[WG_URCORNER] = { 0x2510, '+' },
	[WG_LLCORNER] = { 0x2514, '+' },
	[WG_LRCORNER] = { 0x2518, '+' },
	[WG_TEE_L] = { 0x2524, '+' },
	[WG_TEE_B] = { 0x2534, '+' },
	[WG_MARKER] = { 0x25c6, '*' },
	[WG_MARK] = { 0x25cf, '*' },
	[WG_ARROW_UP] = { 0x25b2, '^' },
	[WG_ARROW_DOWN] = { 0x25bc, 'v' },
	[WG_DOT] = { 0x00b7, '.' },
	[WG_ARROW_LEFT] = { 0x2190, '<' },
	[WG_ARROW_RIGHT] = { 0x2192, '>' },
};

void
widget_init(struct widget *w, const struct widget_class *cls)
{
	w->cls = cls;
	w->y = w->x = w->h = w->w = 0;
}

void
widget_move(struct widget *w, int y, int x, int h, int width)
{
	w->y = y;
	w->x = x;
	w->h = h < 0 ? 0 : h;
	w->w = width < 0 ? 0 : width;
}

void
widget_draw(struct widget *w, WINDOW *win)
{
	if (w != NULL && w->cls->draw != NULL && w->h > 0 && w->w > 0)
		w->cls->draw(w, win);
}

int
widget_key(struct widget *w, int key)
{
	if (w == NULL || w->cls->key == NULL)
		return WIDGET_IGNORED;
	return w->cls->key(w, key);
}

void
widget_free(struct widget *w)
{
	if (w == NULL)
		return;
	if (w->cls->free != NULL)
		w->cls->free(w);
	free(w);
}

wchar_t
widget_glyph(enum wglyph g)
{
	return widget_ascii ? widget_glyphs[g].ascii : widget_glyphs[g].uni;
}

static void
widget_putg(WINDOW *win, int y, int x, enum wglyph g, attr_t a)
{
	wchar_t	s[2] = { widget_glyph(g), 0 };

	wattrset(win, a);
	mvwaddnwstr(win, y, x, s, 1);
}

void
widget_clear(WINDOW *win, int y, int x, int h, int w, attr_t a)
{
	int	r;

	if (w <= 0)
		return;
	wattrset(win, a);
	for (r = 0; r < h; r++)
		mvwhline(win, y + r, x, ' ', w);
}

/* Edges drawn glyph by glyph so the ASCII mode needs no ACS support. */
void
widget_box(WINDOW *win, int y, int x, int h, int w, const char *title,
    attr_t border, attr_t fill)
{
	int	i;

	if (h < 2 || w < 2)
		return;
	widget_clear(win, y + 1, x + 1, h - 2, w - 2, fill);
	for (i = 1; i < w - 1; i++) {
		widget_putg(win, y, x + i, WG_HLINE, border);
		widget_putg(win, y + h - 1, x + i, WG_HLINE, border);
	}
	for (i = 1; i < h - 1; i++) {
		widget_putg(win, y + i, x, WG_VLINE, border);
		widget_putg(win, y + i, x + w - 1, WG_VLINE, border);
	}
	widget_putg(win, y, x, WG_ULCORNER, border);
	widget_putg(win, y, x + w - 1, WG_URCORNER, border);
	widget_putg(win, y + h - 1, x, WG_LLCORNER, border);
	widget_putg(win, y + h - 1, x + w - 1, WG_LRCORNER, border);
	if (title != NULL && *title != '\0' && w > 6) {
		wtext_puts(win, y, x + 2, 1, border, " ");
		i = wtext_puts(win, y, x + 3, w - 6,
		    widget_attr[WR_DIALOG_TITLE], title);
		wtext_puts(win, y, x + 3 + i, 1, border, " ");
	}
}
