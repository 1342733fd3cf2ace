/*
 * A raster of dots, 2 wide and 4 high per cell, as Unicode braille has
 * them.  The same dots render as quadrant blocks (2x2) or ASCII when the
 * terminal cannot show braille.
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "widgets/widgets.h"

/* Braille dot bits by (column, row) within a cell: U+2800 + bits. */
static const uint8_t wcanvas_braille[4][2] = {
	{ 0x01, 0x08 },
	{ 0x02, 0x10 },
	{ 0x04, 0x20 },
	{ 0x40, 0x80 },
};

/* Quadrants: bit 0 upper left, 1 upper right, 2 lower left, 3 lower right. */
static const wchar_t wcanvas_quadrants[16] = {
	' ', 0x2598, 0x259d, 0x2580, 0x2596, 0x258c, 0x259e, 0x259b,
	0x2597, 0x259a, 0x2590, 0x259c, 0x2584, 0x2599, 0x259f, 0x2588
};

struct wcanvas *
wcanvas_new(int cols, int rows)
{
	struct wcanvas	*c;

	c = xcalloc(1, sizeof *c);
	c->cols = cols > 0 ? cols : 0;
	c->rows = rows > 0 ? rows : 0;
	c->bits = xcalloc((size_t)c->cols * (size_t)c->rows + 1, 1);
	return c;
}

void
wcanvas_free(struct wcanvas *c)
{
	if (c == NULL)
		return;
	free(c->bits);
	free(c);
}

void
wcanvas_clear(struct wcanvas *c)
{
	memset(c->bits, 0, (size_t)c->cols * (size_t)c->rows);
}

void
wcanvas_dot(struct wcanvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->cols * 2 || y >= c->rows * 4)
		return;
	c->bits[(size_t)(y / 4) * (size_t)c->cols + (size_t)(x / 2)] |=
	    wcanvas_braille[y % 4][x % 2];
}

/* Bresenham: every dot between the ends, both ends included. */
void
wcanvas_line(struct wcanvas *c, int x0, int y0, int x1, int y1)
{
	int	dx = abs(x1 - x0), dy = -abs(y1 - y0);
	int	sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
	int	e = dx + dy, e2;

	for (;;) {
		wcanvas_dot(c, x0, y0);
		if (x0 == x1 && y0 == y1)
			break;
		e2 = 2 * e;
		if (e2 >= dy) {
			e += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			e += dx;
			y0 += sy;
		}
	}
}

uint8_t
wcanvas_cell(const struct wcanvas *c, int col, int row)
{
	if (col < 0 || row < 0 || col >= c->cols || row >= c->rows)
		return 0;
	return c->bits[(size_t)row * (size_t)c->cols + (size_t)col];
}

/* Fold the 2x4 dots into 2x2 quadrants (upper: rows 0-1, lower: 2-3). */
static int
wcanvas_quad(uint8_t b)
{
	int	q = 0;

	if (b & (0x01 | 0x02))
		q |= 1;
	if (b & (0x08 | 0x10))
		q |= 2;
	if (b & (0x04 | 0x40))
		q |= 4;
	if (b & (0x20 | 0x80))
		q |= 8;
	return q;
}

wchar_t
wcanvas_glyph(uint8_t bits, enum wcanvas_mode mode)
{
	int	q;

	if (bits == 0)
		return ' ';
	switch (mode) {
	case WCANVAS_BRAILLE:
		return 0x2800 + bits;
	case WCANVAS_BLOCK:
		return wcanvas_quadrants[wcanvas_quad(bits)];
	default:
		q = wcanvas_quad(bits);
		if ((q & 3) && (q & 12))
			return ':';
		return (q & 3) ? '\'' : '.';
	}
}
