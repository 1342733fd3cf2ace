/*
 * Table model: rows of text cells, a filter, a sort and a cursor that
 * stays on the same row (by key) when the rows are refreshed.  The layout
 * arithmetic lives here too; table_draw.c only paints.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "widgets/table_int.h"

static void wtable_free(struct widget *);

static const struct widget_class wtable_class = {
	"table", wtable_draw, wtable_key, wtable_free
};

struct wtable *
wtable_new(const struct wtable_col *cols, int ncols)
{
	struct wtable	*t;

	t = xcalloc(1, sizeof *t);
	widget_init(&t->w, &wtable_class);
	t->cols = cols;
	t->ncols = ncols;
	t->sort_col = -1;
	t->empty = xstrdup("nothing to show");
	return t;
}

static void
wtable_free_rows(struct wtable *t)
{
	size_t	i;
	int	c;

	for (i = 0; i < t->nrows; i++) {
		for (c = 0; c < t->ncols; c++)
			free(t->rows[i].cells[c]);
		free(t->rows[i].cells);
		free(t->rows[i].key);
	}
	t->nrows = 0;
}

static void
wtable_free(struct widget *w)
{
	struct wtable	*t = (struct wtable *)w;

	wtable_free_rows(t);
	free(t->rows);
	free(t->vis);
	free(t->filter);
	free(t->empty);
	free(t->keep_key);
	free(t->measure);
}

void
wtable_clear(struct wtable *t)
{
	struct wtable_row	*r = wtable_current(t);

	if (r != NULL) {
		free(t->keep_key);
		t->keep_key = xstrdup(r->key);
	}
	wtable_free_rows(t);
	t->nvis = 0;
}

size_t
wtable_add(struct wtable *t, const char *key, enum wrole role)
{
	struct wtable_row	*r;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = xreallocarray(t->rows, t->cap, sizeof *t->rows);
	}
	r = &t->rows[t->nrows];
	r->cells = xcalloc((size_t)t->ncols, sizeof *r->cells);
	r->key = xstrdup(key != NULL ? key : "");
	r->role = role;
	r->marked = 0;
	return t->nrows++;
}

void
wtable_set(struct wtable *t, size_t row, int col, const char *text)
{
	if (row >= t->nrows || col < 0 || col >= t->ncols)
		return;
	free(t->rows[row].cells[col]);
	t->rows[row].cells[col] = xstrdup(text != NULL ? text : "");
}

void
wtable_setf(struct wtable *t, size_t row, int col, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	wtable_set(t, row, col, s);
	free(s);
}

void
wtable_set_empty(struct wtable *t, const char *text)
{
	free(t->empty);
	t->empty = xstrdup(text);
}

int
wtable_row_matches(const struct wtable *t, const struct wtable_row *r)
{
	int	c;

	if (t->filter == NULL)
		return 1;
	for (c = 0; c < t->ncols; c++) {
		if (r->cells[c] != NULL && strcasestr(r->cells[c], t->filter))
			return 1;
	}
	return 0;
}

/* A cell as a number: digits with commas, signs and a currency prefix. */
static int
wtable_number(const char *s, double *out)
{
	char	buf[64];
	size_t	n = 0;

	for (; *s != '\0' && n + 1 < sizeof buf; s++) {
		if (isdigit((unsigned char)*s) || *s == '.' || *s == '-' ||
		    *s == '+')
			buf[n++] = *s;
	}
	buf[n] = '\0';
	if (n == 0 || strspn(buf, "+-.") == n)
		return -1;
	*out = strtod(buf, NULL);
	return 0;
}

static int
wtable_blank(const char *s, int numeric)
{
	double	x;

	if (s == NULL || *s == '\0')
		return 1;
	return numeric && wtable_number(s, &x) != 0;
}

int
wtable_cmp_cells(const char *a, const char *b, int numeric)
{
	double	x = 0, y = 0;
	int	ba = wtable_blank(a, numeric), bb = wtable_blank(b, numeric);

	if (ba || bb)
		return ba == bb ? 0 : ba ? 1 : -1;
	if (!numeric)
		return strcmp(a, b);
	wtable_number(a, &x);
	wtable_number(b, &y);
	return x < y ? -1 : x > y ? 1 : 0;
}

/* qsort has no context argument: the table being sorted sits here. */
static const struct wtable	*wtable_sorting;

static int
wtable_cmp(const void *pa, const void *pb)
{
	const struct wtable	*t = wtable_sorting;
	size_t			 a = *(const size_t *)pa;
	size_t			 b = *(const size_t *)pb;
	int			 c = t->sort_col, num, r;
	const char		*ca = t->rows[a].cells[c];
	const char		*cb = t->rows[b].cells[c];

	num = t->cols[c].flags & WCOL_NUM;
	r = wtable_cmp_cells(ca, cb, num);
	/* Blanks stay last whichever way the sort goes. */
	if (r != 0 && t->sort_desc && !wtable_blank(ca, num) &&
	    !wtable_blank(cb, num))
		r = -r;
	if (r != 0)
		return r;
	return a < b ? -1 : a > b;
}

/* A money cell compacted, or NULL when it is not a number. */
static int
wtable_compact_cell(const char *cell, char *buf, size_t len)
{
	int64_t	p;

	if (cell == NULL || wfmt_parse_inr(cell, &p) != 0)
		return -1;
	wfmt_inr_compact(p, buf, len);
	return 0;
}

/* Column widths, once per refresh rather than once per frame. */
static void
wtable_measure(struct wtable *t)
{
	struct wtable_measure	*m;
	const char		*cell;
	char			 buf[48];
	size_t			 i;
	int			 c, w;

	free(t->measure);
	t->measure = xcalloc((size_t)t->ncols, sizeof *t->measure);
	for (c = 0; c < t->ncols; c++)
		t->measure[c].natural = wtext_width(t->cols[c].title) + 1;
	for (i = 0; i < t->nvis; i++) {
		for (c = 0; c < t->ncols; c++) {
			m = &t->measure[c];
			if ((cell = t->rows[t->vis[i]].cells[c]) == NULL)
				continue;
			w = wtext_width(cell);
			m->cells = w > m->cells ? w : m->cells;
			m->natural = w > m->natural ? w : m->natural;
			if (!(t->cols[c].flags & WCOL_MONEY))
				continue;
			if (wtable_compact_cell(cell, buf, sizeof buf) == 0)
				w = wtext_width(buf);
			m->compact = w > m->compact ? w : m->compact;
		}
	}
}

void
wtable_commit(struct wtable *t)
{
	size_t	i;

	free(t->vis);
	t->vis = xcalloc(t->nrows + 1, sizeof *t->vis);
	t->nvis = 0;
	for (i = 0; i < t->nrows; i++) {
		if (wtable_row_matches(t, &t->rows[i]))
			t->vis[t->nvis++] = i;
	}
	if (t->sort_col >= 0 && t->sort_col < t->ncols) {
		wtable_sorting = t;
		qsort(t->vis, t->nvis, sizeof *t->vis, wtable_cmp);
		wtable_sorting = NULL;
	}
	if (t->keep_key != NULL) {
		for (i = 0; i < t->nvis; i++) {
			if (strcmp(t->rows[t->vis[i]].key, t->keep_key) == 0) {
				t->cursor = i;
				break;
			}
		}
		free(t->keep_key);
		t->keep_key = NULL;
	}
	if (t->cursor >= t->nvis)
		t->cursor = t->nvis ? t->nvis - 1 : 0;
	wtable_measure(t);
}

void
wtable_set_filter(struct wtable *t, const char *f)
{
	struct wtable_row	*r = wtable_current(t);

	if (r != NULL && t->keep_key == NULL)
		t->keep_key = xstrdup(r->key);
	free(t->filter);
	t->filter = f != NULL && *f != '\0' ? xstrdup(f) : NULL;
	wtable_commit(t);
}

void
wtable_sort(struct wtable *t, int col, int desc)
{
	struct wtable_row	*r = wtable_current(t);

	if (r != NULL && t->keep_key == NULL)
		t->keep_key = xstrdup(r->key);
	t->sort_col = col;
	t->sort_desc = desc;
	wtable_commit(t);
}

struct wtable_row *
wtable_current(const struct wtable *t)
{
	if (t->nvis == 0 || t->cursor >= t->nvis)
		return NULL;
	return &t->rows[t->vis[t->cursor]];
}

int
wtable_layout(const struct wtable_col *cols, int n, const int *natural,
    int avail, int gap, int *out)
{
	int	i, total = 0, widest, shown;

	for (i = 0; i < n; i++) {
		out[i] = natural[i];
		if (out[i] < cols[i].min)
			out[i] = cols[i].min;
		if (cols[i].max > 0 && out[i] > cols[i].max)
			out[i] = cols[i].max;
		total += out[i] + (i > 0 ? gap : 0);
	}
	/* Take a column at a time from the widest that is above its min. */
	while (total > avail) {
		widest = -1;
		for (i = 0; i < n; i++) {
			if (out[i] > cols[i].min &&
			    (widest < 0 || out[i] > out[widest]))
				widest = i;
		}
		if (widest < 0)
			break;
		out[widest]--;
		total--;
	}
	/* Still too wide: drop columns from the right. */
	shown = n;
	while (total > avail && shown > 0) {
		shown--;
		total -= out[shown] + (shown > 0 ? gap : 0);
		out[shown] = 0;
	}
	return shown;
}

/* The visible column to give up next: lowest prio, rightmost on ties. */
static int
wtable_fit_pick(const struct wtable_col *cols, int n, const int *width,
    const unsigned char *compact, int need)
{
	int	i, best = -1;

	for (i = 0; i < n; i++) {
		if (width[i] == 0 || (cols[i].flags & need) != need)
			continue;
		if (need == WCOL_MONEY && compact[i])
			continue;
		if (best < 0 || cols[i].prio <= cols[best].prio)
			best = i;
	}
	return best;
}

static int
wtable_fit_total(const int *width, int n, int gap)
{
	int	i, total = 0, shown = 0;

	for (i = 0; i < n; i++) {
		if (width[i] == 0)
			continue;
		total += width[i] + (shown++ > 0 ? gap : 0);
	}
	return total;
}

/* Text columns having all of flags, a column at a time from the widest. */
static int
wtable_fit_shrink(const struct wtable_col *cols, int n, int *width,
    int total, int avail, int flags)
{
	int	i, widest;

	while (total > avail) {
		widest = -1;
		for (i = 0; i < n; i++) {
			if (width[i] > cols[i].min &&
			    (cols[i].flags & flags) == flags &&
			    !(cols[i].flags & WCOL_NUM) &&
			    (widest < 0 || width[i] > width[widest]))
				widest = i;
		}
		if (widest < 0)
			break;
		width[widest]--;
		total--;
	}
	return total;
}

/* Start: text clamped to [min, max], numbers whole; scrolled ones hidden. */
static void
wtable_fit_start(const struct wtable_col *cols, int n,
    const struct wtable_measure *m, int hoff, int *width,
    struct wtable_fitting *f)
{
	int	i, w;

	for (i = 0; i < n; i++) {
		w = m[i].natural;
		if (cols[i].flags & WCOL_NUM) {
			if (cols[i].max > 0 && w > cols[i].max)
				w = cols[i].max;
			if (w < m[i].cells)
				w = m[i].cells;
		} else if (cols[i].max > 0 && w > cols[i].max)
			w = cols[i].max;
		if (w < cols[i].min)
			w = cols[i].min;
		if (w < 1)
			w = 1;
		width[i] = w;
		if (!(cols[i].flags & WCOL_PIN) && hoff > 0) {
			width[i] = 0;
			hoff--;
			f->more_left++;
		}
	}
}

void
wtable_fit(const struct wtable_col *cols, int n,
    const struct wtable_measure *m, int avail, int gap, int hoff, int *width,
    unsigned char *compact, struct wtable_fitting *f)
{
	int	i, total, w;

	memset(f, 0, sizeof *f);
	memset(compact, 0, (size_t)n);
	wtable_fit_start(cols, n, m, hoff, width, f);
	total = wtable_fit_total(width, n, gap);
	/* Droppable text gives way first: narrower, then hidden. */
	total = wtable_fit_shrink(cols, n, width, total, avail, WCOL_DROP);
	while (total > avail &&
	    (i = wtable_fit_pick(cols, n, width, compact, WCOL_DROP)) >= 0) {
		width[i] = 0;
		total = wtable_fit_total(width, n, gap);
	}
	/* Money compacts before a name or a symbol is cut. */
	while (total > avail &&
	    (i = wtable_fit_pick(cols, n, width, compact, WCOL_MONEY)) >= 0) {
		compact[i] = 1;
		w = m[i].compact > cols[i].min ? m[i].compact : cols[i].min;
		if (m[i].compact > 0 && w < width[i])
			width[i] = w;
		total = wtable_fit_total(width, n, gap);
	}
	total = wtable_fit_shrink(cols, n, width, total, avail, 0);
	/* Then whole columns from the right, behind the marker. */
	for (i = n - 1; i >= 0 && total > avail; i--) {
		if (width[i] == 0 || (cols[i].flags & WCOL_PIN))
			continue;
		width[i] = 0;
		f->more_right++;
		total = wtable_fit_total(width, n, gap);
	}
	for (i = n - 1; i >= 0 && total > avail; i--) {
		if (width[i] > 0) {
			width[i] = 0;
			f->more_right++;
			total = wtable_fit_total(width, n, gap);
		}
	}
	for (i = 0; i < n; i++)
		f->shown += width[i] > 0;
}

size_t
wtable_scroll(size_t top, size_t cursor, size_t h, size_t n)
{
	if (h == 0 || n == 0)
		return 0;
	if (cursor >= n)
		cursor = n - 1;
	if (cursor < top)
		top = cursor;
	if (cursor >= top + h)
		top = cursor - h + 1;
	if (top + h > n)
		top = n > h ? n - h : 0;
	return top;
}
