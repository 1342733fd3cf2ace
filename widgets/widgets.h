/*
 * widgets: small drawing objects for the console, in the manner of htop's
 * Panel and Meter.  Each widget embeds struct widget first; its class holds
 * the functions the screen manager calls (draw, key, free).  The arithmetic
 * each widget needs (column widths, scaling, rasterising, ring buffers) is
 * exposed as plain functions so that it can be tested without a terminal.
 *
 * Widgets depend on curses and util only.  Colours come in through
 * widget_attr[] (set by the theme), glyphs through widget_ascii.
 */
#ifndef PX_WIDGETS_H
#define PX_WIDGETS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include <curses.h>

/* What a widget did with a key, as flags (htop's HandlerResult). */
#define WIDGET_IGNORED	0x0
#define WIDGET_HANDLED	0x1
#define WIDGET_REDRAW	0x2
#define WIDGET_CLOSE	0x4

/*
 * Keys reach widgets as ints: curses KEY_* codes for function keys, the
 * character for ASCII, WIDGET_KEY_WIDE(c) for other characters.
 */
#define WIDGET_KEY_WIDE(c)	(0x200000 | (int)(c))
#define WIDGET_KEY_ESC		27
#define WIDGET_KEY_CTRL(c)	((c) & 0x1f)

/* Roles a theme gives attributes to. */
enum wrole {
	WR_NORMAL,
	WR_DIM,
	WR_HEADER,	/* top line */
	WR_TITLE,	/* table headings, box titles */
	WR_CURSOR,
	WR_MARK,	/* marked rows */
	WR_BORDER,
	WR_TAB,
	WR_TAB_ACTIVE,
	WR_GOOD,
	WR_BAD,
	WR_WARN,
	WR_INFO,
	WR_ACCENT,
	WR_AXIS,
	WR_LINE,	/* chart series */
	WR_DIALOG,
	WR_DIALOG_TITLE,
	WR_STATUS,
	WR_INPUT,
	WR__COUNT
};

extern attr_t	widget_attr[WR__COUNT];
extern int	widget_ascii;	/* 1: ASCII glyphs only */

enum walign { WALIGN_LEFT, WALIGN_RIGHT, WALIGN_CENTER };

/* widget.c: the base object ----------------------------------------- */

struct widget;

struct widget_class {
	const char	*name;
	void		(*draw)(struct widget *, WINDOW *);
	int		(*key)(struct widget *, int key);
	void		(*free)(struct widget *);
};

struct widget {
	const struct widget_class	*cls;
	int				 y, x, h, w;
};

void widget_init(struct widget *, const struct widget_class *);
void widget_move(struct widget *, int y, int x, int h, int width);
void widget_draw(struct widget *, WINDOW *);
int widget_key(struct widget *, int key);
void widget_free(struct widget *);

/* Glyphs with their ASCII stand-ins. */
enum wglyph {
	WG_ELLIPSIS, WG_HLINE, WG_VLINE, WG_ULCORNER, WG_URCORNER,
	WG_LLCORNER, WG_LRCORNER, WG_TEE_L, WG_TEE_B, WG_MARKER, WG_MARK,
	WG_ARROW_UP, WG_ARROW_DOWN, WG_DOT, WG_ARROW_LEFT, WG_ARROW_RIGHT,
	WG__COUNT
};
wchar_t widget_glyph(enum wglyph);
/* A box with an optional title on its top edge, inside-filled. */
void widget_box(WINDOW *, int y, int x, int h, int w, const char *title,
    attr_t border, attr_t fill);
/* Fill a rectangle with blanks in attr. */
void widget_clear(WINDOW *, int y, int x, int h, int w, attr_t);

/* text.c: UTF-8 text by display width ------------------------------- */

/* Decode UTF-8; invalid bytes become U+FFFD.  Returns the count stored. */
size_t wtext_decode(const char *s, wchar_t *out, size_t max);
/* Columns one character takes (0, 1 or 2); unprintables count as 1. */
int wtext_cwidth(wchar_t);
int wtext_width(const char *);
/*
 * Lay s out in exactly width columns: truncated with an ellipsis when too
 * wide (a double-width character is never split), padded per align.
 * out gets a NUL-terminated wide string; returns its length.
 */
size_t wtext_fit(const char *s, int width, enum walign align, wchar_t *out,
    size_t outmax);
/* Draw s in width columns at (y, x). */
void wtext_put(WINDOW *, int y, int x, int width, enum walign, attr_t,
    const char *s);
/*
 * Draw s in width columns, cut at a word boundary when too wide so that a
 * number is never split by the ellipsis.
 */
void wtext_put_words(WINDOW *, int y, int x, int width, attr_t,
    const char *s);
/* Draw at most width columns of s from x; returns the columns used. */
int wtext_puts(WINDOW *, int y, int x, int width, attr_t, const char *s);

/* format.c: numbers as traders read them ----------------------------- */

/* Paise as rupees with Indian grouping: -1234567.89 -> "-12,34,567.89". */
void wfmt_inr(int64_t paise, int decimals, char *buf, size_t len);
/* Compact with Indian units: 1250000 -> "12.5L", 35000000 -> "3.5Cr". */
void wfmt_compact(double v, int decimals, char *buf, size_t len);
/*
 * Money short, the Indian way, with its sign: "1.03 Cr", "-34.3 L",
 * "-1.39 K"; under a thousand rupees whole ("-391.25").
 */
void wfmt_inr_compact(int64_t paise, char *buf, size_t len);
/* Rupee text as wfmt_inr writes it ("-12,34,567.89") back to paise. */
int wfmt_parse_inr(const char *, int64_t *paise);
/* Microseconds for a latency column: "850us", "12.3ms", "1.20s". */
void wfmt_latency(int64_t us, char *buf, size_t len);

/* scale.c: axes ------------------------------------------------------ */

struct wscale {
	double	lo, hi;		/* nice bounds covering the data */
	double	step;		/* tick spacing */
	int	nticks;		/* ticks from lo to hi inclusive */
};

/* Nice bounds and ticks (1, 2, 5 x 10^k) for [min, max], <= maxticks. */
void wscale_nice(double min, double max, int maxticks, struct wscale *);
/* Nice ticks for a span of seconds (1m, 5m, 15m, 1h, 1d, ...). */
void wscale_time(double min, double max, int maxticks, struct wscale *);
/* Position of v on npix pixels (0 = lo); clamped to [0, npix - 1]. */
int wscale_pos(const struct wscale *, double v, int npix);
/* Tick label precise enough to tell ticks step apart ("2.5L", "-40k"). */
void wscale_label(double v, double step, char *buf, size_t len);

/* canvas.c: a dot raster, 2x4 dots per cell -------------------------- */

enum wcanvas_mode { WCANVAS_BRAILLE, WCANVAS_BLOCK, WCANVAS_ASCII };

struct wcanvas {
	int	 cols, rows;	/* cells */
	uint8_t	*bits;		/* one byte of dots per cell */
};

struct wcanvas *wcanvas_new(int cols, int rows);
void wcanvas_free(struct wcanvas *);
void wcanvas_clear(struct wcanvas *);
/* Dot at pixel (x, y), y down; outside is ignored. */
void wcanvas_dot(struct wcanvas *, int x, int y);
void wcanvas_line(struct wcanvas *, int x0, int y0, int x1, int y1);
uint8_t wcanvas_cell(const struct wcanvas *, int col, int row);
/* The character showing a cell's dots in a mode. */
wchar_t wcanvas_glyph(uint8_t bits, enum wcanvas_mode);

/* chart.c: line chart with axes -------------------------------------- */

struct wchart_series {
	double		*x, *y;
	size_t		 n;
	enum wrole	 role;
};

struct wchart {
	struct widget		 w;
	char			*title;
	char			*empty;		/* shown without data */
	int			 time_x;	/* x is epoch seconds */
	enum wcanvas_mode	 mode;
	struct wchart_series	*series;
	size_t			 nseries;
};

/* Where the plot sits inside the widget and what it spans. */
struct wchart_layout {
	int		py, px, ph, pw;	/* plot area, in cells */
	struct wscale	xs, ys;
	int		ylabel_w;
};

struct wchart *wchart_new(const char *title);
void wchart_clear(struct wchart *);
void wchart_add(struct wchart *, const double *x, const double *y, size_t n,
    enum wrole);
void wchart_set_empty(struct wchart *, const char *);
/* 0 and the layout for an h x w widget; -1 when there is nothing to plot. */
int wchart_layout(const struct wchart *, int h, int w,
    struct wchart_layout *);
/* Rasterise every series onto a canvas of the plot's size. */
void wchart_plot(const struct wchart *, const struct wchart_layout *,
    struct wcanvas *);

/* bars.c: labelled horizontal bars, signed --------------------------- */

struct wbar {
	char		*label;
	double		 value;
	char		*text;		/* value as shown */
};

struct wbars {
	struct widget	 w;
	char		*title;
	char		*empty;
	struct wbar	*v;
	size_t		 n;
};

struct wbars *wbars_new(const char *title);
void wbars_clear(struct wbars *);
void wbars_add(struct wbars *, const char *label, double value,
    const char *text);
/*
 * A bar for value on width columns, in eighths of a cell: the zero line
 * sits at *zero (a column); the bar covers [*start8, *start8 + *len8)
 * eighths.  With negatives present the zero line is in the middle.
 */
void wbars_span(double value, double maxabs, int has_neg, int width,
    int *zero, int *start8, int *len8);

/* heatmap.c: rows x columns of signed values, shaded ----------------- */

struct wheatmap {
	struct widget	 w;
	char		*title;
	char		*empty;
	char		**rows, **cols;
	size_t		 nrows, ncols;
	double		*v;		/* nrows x ncols */
	unsigned char	*has;		/* a value is there */
	size_t		 cursor;	/* highlighted row */
	int		 decimals;	/* one decimal (lots) or none */
};

struct wheatmap *wheatmap_new(const char *title);
void wheatmap_clear(struct wheatmap *);
void wheatmap_shape(struct wheatmap *, const char *const *rows,
    size_t nrows, const char *const *cols, size_t ncols);
void wheatmap_set(struct wheatmap *, size_t row, size_t col, double v);
/* Shade 0..nlevels-1 of v against the largest magnitude (0 only for 0). */
int wheatmap_level(double v, double maxabs, int nlevels);

/* spark.c: sparkline --------------------------------------------------- */

/* Levels 0..nlevels-1 for values, scaled between their min and max. */
void wspark_levels(const double *v, size_t n, int nlevels, int *out);
/* The last width values of v as a sparkline at (y, x). */
void wspark_draw(WINDOW *, int y, int x, int width, const double *v,
    size_t n, attr_t);

/* timeline.c: events in time order ----------------------------------- */

struct wtl_event {
	int64_t		 ts_us;		/* wall clock */
	char		*text;
	enum wrole	 role;
};

struct wtimeline {
	struct widget		 w;
	char			*title;
	char			*empty;
	struct wtl_event	*v;
	size_t			 n;
	size_t			 top;		/* first listed, newest first */
};

struct wtimeline *wtimeline_new(const char *title);
void wtimeline_clear(struct wtimeline *);
/* Events may come in any order; they are kept sorted by time. */
void wtimeline_add(struct wtimeline *, int64_t ts_us, enum wrole,
    const char *text);
void wtimeline_set_empty(struct wtimeline *, const char *);
/* Column of ts on a strip of width columns spanning [t0, t1]. */
int wtimeline_col(int64_t t0, int64_t t1, int width, int64_t ts);

/* logview.c: ring buffer of coloured lines --------------------------- */

struct wlog_line {
	char		*text;
	enum wrole	 role;
};

struct wtable_col;
struct wtable_measure;

struct wlog {
	struct widget		 w;
	char			*title;
	struct wlog_line	*ring;
	size_t			 cap, head, n;	/* head: oldest */
	int			 follow;	/* stick to the newest */
	size_t			 back;		/* lines scrolled up */
	char			*filter;
	uint64_t		 added;		/* ever */
	/* Columns: lines holding tabs are cells, laid out as a table. */
	const struct wtable_col	*cols;
	int			 ncols;
	struct wtable_measure	*measure;	/* widest ever, per column */
	int			 hoff;		/* columns scrolled away */
	int			 more_right;	/* of the last frame */
};

struct wlog *wlog_new(const char *title, size_t cap);
void wlog_add(struct wlog *, enum wrole, const char *text);
void wlog_addf(struct wlog *, enum wrole, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Line i, 0 = oldest kept; NULL past the end. */
const struct wlog_line *wlog_line(const struct wlog *, size_t i);
void wlog_set_filter(struct wlog *, const char *);	/* NULL: none */
/*
 * Lay out lines with tabs as cells under these columns (a heading line,
 * priorities and h/l scrolling as in a table); other lines stay text.
 */
void wlog_set_columns(struct wlog *, const struct wtable_col *, int n);
int wlog_match(const struct wlog *, const struct wlog_line *);
/*
 * Up to max lines to show in a window of max rows (oldest first) honouring
 * the filter and the scroll position; returns how many.
 */
size_t wlog_visible(const struct wlog *, const struct wlog_line **out,
    size_t max);

/* table.c: rows and columns with a cursor ---------------------------- */

/*
 * Columns have priorities.  When a table is too wide for its window, text
 * columns shrink first (to their min), then the WCOL_DROP ones are hidden
 * (lowest prio first), then money compacts to "1.03 Cr" (lowest prio
 * first), then columns are hidden from the right behind a marker, to be
 * reached by scrolling (h, l).  A number is never cut: shown whole,
 * compacted with its sign, or not at all.
 */
#define WCOL_NUM	0x1	/* a number: sorts by value, never cut */
#define WCOL_MONEY	0x2	/* rupees: may compact the Indian way */
#define WCOL_PIN	0x4	/* stays when scrolled right (the row's name) */
#define WCOL_DROP	0x8	/* text that may be hidden when space is short */

struct wtable_col {
	const char	*title;
	short		 min, max;	/* display columns; max 0 = any */
	short		 align;		/* enum walign */
	short		 flags;		/* WCOL_* */
	short		 prio;		/* higher stays longer */
};

/* What wtable_fit needs to know of a column's contents. */
struct wtable_measure {
	int	natural;	/* widest cell or title (+1 for the sort mark) */
	int	cells;		/* widest cell */
	int	compact;	/* widest compacted money cell; 0: none */
};

/* What wtable_fit decided. */
struct wtable_fitting {
	int	shown;		/* columns with a width */
	int	more_left;	/* columns hidden by scrolling */
	int	more_right;	/* columns hidden for want of space */
};

struct wtable_row {
	char		**cells;
	char		 *key;		/* identity kept across refreshes */
	enum wrole	  role;
	int		  marked;
};

struct wtable {
	struct widget		  w;
	const struct wtable_col	 *cols;
	int			  ncols;
	struct wtable_row	 *rows;
	size_t			  nrows, cap;
	size_t			 *vis;		/* filtered, sorted */
	size_t			  nvis;
	size_t			  cursor;	/* index into vis */
	size_t			  top;
	int			  sort_col;	/* -1: insertion order */
	int			  sort_desc;
	char			 *filter;
	char			 *empty;
	char			 *keep_key;	/* cursor to restore */
	struct wtable_measure	 *measure;	/* per column */
	int			  hide_cursor;	/* another widget has focus */
	int			  hoff;		/* scrolled-away columns */
	struct wtable_fitting	  fit;		/* of the last frame */
};

struct wtable *wtable_new(const struct wtable_col *, int ncols);
/* Drop the rows; the cursor returns to the same key after commit. */
void wtable_clear(struct wtable *);
size_t wtable_add(struct wtable *, const char *key, enum wrole);
void wtable_set(struct wtable *, size_t row, int col, const char *text);
void wtable_setf(struct wtable *, size_t row, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Apply filter and sort, restore the cursor. */
void wtable_commit(struct wtable *);
void wtable_set_filter(struct wtable *, const char *);	/* NULL: none */
void wtable_set_empty(struct wtable *, const char *);
void wtable_sort(struct wtable *, int col, int desc);
/* The row under the cursor; NULL when nothing is shown. */
struct wtable_row *wtable_current(const struct wtable *);
int wtable_row_matches(const struct wtable *, const struct wtable_row *);
/*
 * Column widths: natural widths clamped to [min, max], shrunk (widest
 * first, never below min) to fit avail with gap columns between; columns
 * that still do not fit get width 0.  Returns the number shown.
 */
int wtable_layout(const struct wtable_col *, int n, const int *natural,
    int avail, int gap, int *out);
/*
 * The prioritised layout (see WCOL_*): width[c] (0 = hidden) and
 * compact[c] (1 = money compacted) for avail columns, hoff scrollable
 * columns scrolled away on the left.
 */
void wtable_fit(const struct wtable_col *, int n,
    const struct wtable_measure *, int avail, int gap, int hoff, int *width,
    unsigned char *compact, struct wtable_fitting *);
/* First row to show so that cursor is visible in h rows of n. */
size_t wtable_scroll(size_t top, size_t cursor, size_t h, size_t n);
/* Cell order for sorting: numbers by value, text by bytes, blanks last. */
int wtable_cmp_cells(const char *, const char *, int numeric);

/* dialog.c: a confirmation that cannot be hit by accident ------------ */

enum wdialog_state { WDIALOG_PENDING, WDIALOG_YES, WDIALOG_NO };

struct wdialog {
	struct widget		 w;
	char			*title;
	char			**lines;
	size_t			 nlines;
	int			 armed;		/* "y" typed, awaiting Enter */
	enum wdialog_state	 state;
	size_t			 tail;		/* first line always shown */
	int			 has_tail;
};

struct wdialog *wdialog_new(const char *title);
void wdialog_line(struct wdialog *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * The lines added from now on (a total, the command that runs) stay on
 * screen when the box is too small: the lines before them give way.
 */
void wdialog_keep_from_here(struct wdialog *);
/*
 * "Y", or "y" then Enter, says yes; Enter alone, n, N, q and Esc say no;
 * anything else is ignored.  Returns WIDGET_* flags; state tells.
 */
int wdialog_key(struct wdialog *, int key);

/* pager.c: a boxed, scrollable text (help, results) ------------------- */

/*
 * Lines wider than the box: prose wraps between words; table rows (text
 * with a run of two spaces) stay one line, cut between words, with a
 * marker, and scroll sideways with h and l.
 */
struct wpager {
	struct widget	  w;
	char		 *title;
	char		**lines;
	size_t		  nlines;
	size_t		  top;		/* in laid-out lines */
	size_t		  nlaid;	/* laid-out lines of the last frame */
	int		  hoff;		/* columns scrolled right */
	int		  wide;		/* a table row was cut */
	int		  passive;	/* q is not ours: the caller quits */
};

struct wpager *wpager_new(const char *title, const char *text);
int wpager_key(struct wpager *, int key);

/* status.c: message line and tab line ------------------------------- */

struct wstatus {
	struct widget	 w;
	char		*msg;
	enum wrole	 role;
	int64_t		 until_us;	/* monotonic; 0: stays */
	char		*hint;		/* shown when there is no message */
};

struct wstatus *wstatus_new(void);
void wstatus_set(struct wstatus *, enum wrole, int64_t ttl_us,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void wstatus_hint(struct wstatus *, const char *);
/* Drop an expired message; 1 when something changed. */
int wstatus_expire(struct wstatus *, int64_t now_us);

struct wtabs {
	struct widget	  w;
	const char	**names;
	int		  n;
	int		  active;
	char		 *right;	/* right-aligned note (stale marker) */
	enum wrole	  right_role;
};

struct wtabs *wtabs_new(const char **names, int n);
void wtabs_set_right(struct wtabs *, enum wrole, const char *);
/*
 * Tab positions on width columns: tab i at x[i], w[i] columns wide,
 * names cut down evenly when they do not fit.  Returns columns used.
 */
int wtabs_layout(const char **names, int n, int width, int *x, int *w);

#endif
