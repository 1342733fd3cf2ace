/*
 * The PDF report, through cairo's PDF surface: a cover with the
 * compliance header, a page of charts where the report has something to
 * draw, then the table, its column names repeated atop every page, and
 * on every page a footer with "page i of n", the report id and the
 * SHA-256 of the data.  The spool is read twice: once to size columns,
 * count pages and gather the charts, once to draw; never held whole.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "report/chart.h"
#include "report/report.h"

#define PAGE_W		841.89		/* A4 landscape */
#define PAGE_H		595.28
#define MARGIN		36.0
#define FONT_MAX	7.0
#define FONT_MIN	4.5
#define ADVANCE		0.6021		/* DejaVu Sans Mono, per point */
#define LINE_PT		9.0
#define COL_SOFT_CAP	32		/* characters, when space is short */
#define ROWS_PER_PAGE	50
#define MAX_COLS	64
#define MIN_COL		4

struct pdf_scan {
	size_t			 ncols;
	char			*names[MAX_COLS];
	size_t			 width[MAX_COLS];	/* in characters */
	struct chart_series	 a, b;			/* the charts */
	const char		*title_a, *title_b;
	int			 line_a;		/* a is cumulative */
	int64_t			 rows;
	double			 font;			/* table, points */
	double			 charw;
};

/* Which column of the scan is called name, or -1. */
static int
col_of(const struct pdf_scan *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->ncols; i++) {
		if (strcmp(s->names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* The first 10 bytes of a timestamp: its IST day. */
static const char *
day_of(const char *ts, char *buf)
{
	snprintf(buf, 11, "%s", ts);
	return buf;
}

/* log10 buckets of a latency in microseconds, as labels in ms. */
static const char *
latency_bucket(double us)
{
	static const char *const labels[] = { "<0.1ms", "0.1-0.3", "0.3-1",
		"1-3ms", "3-10", "10-30", "30-100", "100-300", "0.3-1s",
		"1-3s", ">3s" };
	double	ms = us / 1000;
	int	i = 0;

	if (ms >= 0.1)
		i = 1 + (int)floor((log10(ms) + 1) * 2);
	if (i > 10)
		i = 10;
	return labels[i];
}

/* Seed the histogram's buckets in order, so the bars read left to right. */
static void
latency_buckets(struct chart_series *s)
{
	static const double probes[] = { 50, 200, 500, 2000, 5000, 20000,
		50000, 200000, 500000, 2000000, 5000000 };
	size_t	i;

	for (i = 0; i < nitems(probes); i++)
		chart_series_add(s, latency_bucket(probes[i]), 0);
}

static void
scan_charts_setup(struct pdf_scan *s, const char *kind)
{
	if (strcmp(kind, "pnl") == 0) {
		s->title_a = "Equity curve: cumulative realised PnL (Rs)";
		s->title_b = "Realised PnL by day (Rs)";
		s->line_a = 1;
	} else if (strcmp(kind, "events") == 0) {
		s->title_a = "Ack latency histogram (events per bucket)";
		latency_buckets(&s->a);
	} else if (strcmp(kind, "sla") == 0) {
		s->title_a = "Ack latency p99 by account (ms)";
		s->title_b = "Ack latency p50 by account (ms)";
	} else if (strcmp(kind, "trades") == 0)
		s->title_a = "Value traded by day (Rs)";
	else if (strcmp(kind, "orders") == 0)
		s->title_a = "Orders by state";
	else if (strcmp(kind, "incidents") == 0)
		s->title_a = "Incidents by severity";
	else
		s->title_a = "Audit entries by action";
}

static void
scan_charts_row(struct pdf_scan *s, const char *kind, char **f, size_t n)
{
	char	day[11];
	int	c, d;

#define F(name)	((c = col_of(s, name)) >= 0 && (size_t)c < n ? f[c] : NULL)
	if (strcmp(kind, "pnl") == 0 && F("realised_pnl") != NULL &&
	    (d = col_of(s, "day")) >= 0 && (size_t)d < n) {
		chart_series_add(&s->a, f[d], atof(f[c]));
		chart_series_add(&s->b, f[d], atof(f[c]));
	} else if (strcmp(kind, "events") == 0) {
		if (F("latency_us") != NULL && *f[c] != '\0')
			chart_series_add(&s->a, latency_bucket(atof(f[c])), 1);
	} else if (strcmp(kind, "sla") == 0 && (d = col_of(s, "account")) >= 0 &&
	    (size_t)d < n) {
		if (F("ack_p99_ms") != NULL)
			chart_series_add(&s->a, f[d], atof(f[c]));
		if (F("ack_p50_ms") != NULL)
			chart_series_add(&s->b, f[d], atof(f[c]));
	} else if (strcmp(kind, "trades") == 0 && F("value") != NULL &&
	    (d = col_of(s, "fill_ts")) >= 0 && (size_t)d < n)
		chart_series_add(&s->a, day_of(f[d], day), atof(f[c]));
	else if (strcmp(kind, "orders") == 0 && F("state") != NULL)
		chart_series_add(&s->a, f[c], 1);
	else if (strcmp(kind, "incidents") == 0 && F("severity") != NULL)
		chart_series_add(&s->a, f[c], 1);
	else if (strcmp(kind, "audit") == 0 && F("action") != NULL)
		chart_series_add(&s->a, f[c], 1);
#undef F
}

/*
 * Size the table's font so the columns fit across the page at up to
 * COL_SOFT_CAP characters each, then shrink the widest ones still over.
 */
static void
fit_columns(struct pdf_scan *s)
{
	double	width = PAGE_W - 2 * MARGIN;
	size_t	avail, cap, i, total, need;

	need = s->ncols > 0 ? 2 * (s->ncols - 1) : 0;
	for (i = 0; i < s->ncols; i++)
		need += s->width[i] < COL_SOFT_CAP ? s->width[i] : COL_SOFT_CAP;
	s->font = need > 0 ? width / ((double)need * ADVANCE) : FONT_MAX;
	s->font = fmax(FONT_MIN, fmin(FONT_MAX, s->font));
	s->charw = s->font * ADVANCE;
	avail = (size_t)(width / s->charw);
	for (cap = 80; cap > MIN_COL; cap--) {
		total = s->ncols > 0 ? 2 * (s->ncols - 1) : 0;
		for (i = 0; i < s->ncols; i++)
			total += s->width[i] < cap ? s->width[i] : cap;
		if (total <= avail)
			break;
	}
	for (i = 0; i < s->ncols; i++) {
		if (s->width[i] > cap)
			s->width[i] = cap;
		if (s->width[i] < 1)
			s->width[i] = 1;
	}
}

/* Characters of a UTF-8 string (for widths; a glyph is a glyph). */
static size_t
u8_len(const char *p)
{
	size_t	n = 0;

	for (; *p != '\0'; p++)
		n += ((unsigned char)*p & 0xc0) != 0x80;
	return n;
}

static int
scan(const char *spool, const char *kind, struct pdf_scan *s,
    struct err *err)
{
	struct report_csv_reader	 r;
	char				**f;
	size_t				 n, i, w;

	if (report_csv_reader_open(&r, spool, err) != 0)
		return -1;
	scan_charts_setup(s, kind);
	if (report_csv_next(&r, &f, &n)) {
		s->ncols = n < MAX_COLS ? n : MAX_COLS;
		for (i = 0; i < s->ncols; i++) {
			s->names[i] = xstrdup(f[i]);
			s->width[i] = u8_len(f[i]);
		}
	}
	while (report_csv_next(&r, &f, &n)) {
		s->rows++;
		for (i = 0; i < n && i < s->ncols; i++) {
			if ((w = u8_len(f[i])) > s->width[i])
				s->width[i] = w;
		}
		scan_charts_row(s, kind, f, n);
	}
	report_csv_reader_close(&r);
	if (s->line_a) {
		for (i = 1; i < s->a.n; i++)
			s->a.v[i] += s->a.v[i - 1];
	}
	fit_columns(s);
	return 0;
}

static void
scan_free(struct pdf_scan *s)
{
	size_t	i;

	for (i = 0; i < s->ncols; i++)
		free(s->names[i]);
	chart_series_clear(&s->a);
	chart_series_clear(&s->b);
}

int64_t
report_pdf_table_pages(int64_t rows)
{
	return rows <= 0 ? 1 : (rows + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE;
}

static void
set_font(cairo_t *cr, int bold, double size)
{
	cairo_select_font_face(cr, "monospace", CAIRO_FONT_SLANT_NORMAL,
	    bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

struct pdf_doc {
	cairo_surface_t			*surf;
	cairo_t				*cr;
	const struct report_meta	*m;
	int64_t				 page;
	int64_t				 pages;
};

static void
footer(struct pdf_doc *d)
{
	char	buf[160];

	d->page++;
	cairo_set_source_rgb(d->cr, 0.3, 0.3, 0.3);
	set_font(d->cr, 0, 6.5);
	snprintf(buf, sizeof buf, "page %lld of %lld", (long long)d->page,
	    (long long)d->pages);
	cairo_move_to(d->cr, MARGIN, PAGE_H - 18);
	cairo_show_text(d->cr, buf);
	snprintf(buf, sizeof buf, "report %s   sha256 %s", d->m->id,
	    d->m->sha256);
	cairo_move_to(d->cr, PAGE_W - MARGIN - (double)strlen(buf) * 6.5 *
	    0.6021, PAGE_H - 18);
	cairo_show_text(d->cr, buf);
	snprintf(buf, sizeof buf, "report sha256 %s", d->m->seal);
	cairo_move_to(d->cr, PAGE_W - MARGIN - (double)strlen(buf) * 6.5 *
	    0.6021, PAGE_H - 10);
	cairo_show_text(d->cr, buf);
	cairo_show_page(d->cr);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
}

static void
cover(struct pdf_doc *d)
{
	size_t	 i;
	char	*v, title[96];
	double	 y = MARGIN + 40;

	cairo_select_font_face(d->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(d->cr, 20);
	snprintf(title, sizeof title, "phalanx %s report", d->m->kind);
	cairo_move_to(d->cr, MARGIN, y);
	cairo_show_text(d->cr, title);
	y += 36;
	for (i = 0; i < REPORT_NFIELDS; i++) {
		set_font(d->cr, 1, 10);
		cairo_move_to(d->cr, MARGIN, y);
		cairo_show_text(d->cr, report_field_label(i));
		cairo_show_text(d->cr, ":");
		set_font(d->cr, 0, 10);
		v = report_field_value(d->m, i);
		cairo_move_to(d->cr, MARGIN + 110, y);
		cairo_show_text(d->cr, v);
		free(v);
		y += 18;
	}
	y += 12;
	set_font(d->cr, 0, 8);
	cairo_move_to(d->cr, MARGIN, y);
	cairo_show_text(d->cr, "The SHA-256 is of the report's data as RFC "
	    "4180 CSV (CRLF records, column names first): the bytes that "
	    "follow the header of the same report exported with format csv.");
	cairo_move_to(d->cr, MARGIN, y + 12);
	cairo_show_text(d->cr, "The report sha256 seals this header: the "
	    "SHA-256 of its lines above it, each as \"# label: value\" and "
	    "CRLF, the data's SHA-256 among them.");
	footer(d);
}

static void
charts(struct pdf_doc *d, const struct pdf_scan *s)
{
	struct chart_box	top = { MARGIN, MARGIN, PAGE_W - 2 * MARGIN,
	    (PAGE_H - 2 * MARGIN - 30) / 2 };
	struct chart_box	bot = top;

	if (s->title_b == NULL)
		top.h = PAGE_H - 2 * MARGIN - 30;
	if (s->line_a)
		chart_line(d->cr, &top, s->title_a, &s->a);
	else
		chart_bars(d->cr, &top, s->title_a, &s->a);
	if (s->title_b != NULL) {
		bot.y = top.y + top.h + 10;
		chart_bars(d->cr, &bot, s->title_b, &s->b);
	}
	footer(d);
}

/* A cell clipped to w characters, control bytes shown as spaces. */
static void
cell_text(const char *v, size_t w, char *out, size_t outlen)
{
	size_t	i = 0, chars = 0, full = u8_len(v);
	const char *p;

	for (p = v; *p != '\0' && i + 5 < outlen; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80) {
			if (chars == w - (full > w ? 1 : 0))
				break;
			chars++;
		}
		out[i++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	}
	if (full > w)
		out[i++] = '~';
	out[i] = '\0';
}

static int
numeric(const char *v)
{
	return *v != '\0' && strspn(v, "-0123456789.") == strlen(v);
}

static void
table_head(struct pdf_doc *d, const struct pdf_scan *s, double *y)
{
	double	x = MARGIN;
	char	buf[256];
	size_t	i;

	cairo_set_source_rgb(d->cr, 0, 0, 0);
	set_font(d->cr, 1, 9);
	snprintf(buf, sizeof buf, "%s, %s to %s", d->m->kind, d->m->from,
	    d->m->to);
	cairo_move_to(d->cr, MARGIN, MARGIN);
	cairo_show_text(d->cr, buf);
	set_font(d->cr, 1, s->font);
	*y = MARGIN + 18;
	for (i = 0; i < s->ncols; i++) {
		cell_text(s->names[i], s->width[i], buf, sizeof buf);
		cairo_move_to(d->cr, x, *y);
		cairo_show_text(d->cr, buf);
		x += (double)(s->width[i] + 2) * s->charw;
	}
	cairo_set_line_width(d->cr, 0.5);
	cairo_move_to(d->cr, MARGIN, *y + 3);
	cairo_line_to(d->cr, PAGE_W - MARGIN, *y + 3);
	cairo_stroke(d->cr);
	set_font(d->cr, 0, s->font);
	*y += LINE_PT + 2;
}

static void
pad(struct strbuf *b, size_t n)
{
	while (n-- > 0)
		strbuf_putc(b, ' ');
}

/*
 * A table row as one line of text: the font is monospaced, so each cell
 * padded to its column's width lands where the column is, and the page
 * gets one text operation a row instead of one a cell (cairo's PDF
 * surface pays per operation, twice: analysis and output).
 */
static void
table_row(struct strbuf *line, const struct pdf_scan *s, char **f, size_t n)
{
	char	buf[512];
	size_t	i, len;
	int	last;

	strbuf_reset(line);
	for (i = 0; i < n && i < s->ncols; i++) {
		last = i + 1 == n || i + 1 == s->ncols;
		cell_text(f[i], s->width[i], buf, sizeof buf);
		len = u8_len(buf);
		if (numeric(f[i]))
			pad(line, s->width[i] - len);
		strbuf_puts(line, buf);
		if (!last)
			pad(line, (numeric(f[i]) ? 0 : s->width[i] - len) + 2);
	}
}

static int
table(struct pdf_doc *d, const char *spool, const struct pdf_scan *s,
    struct err *err)
{
	struct report_csv_reader	 r;
	struct strbuf			 line;
	char				**f;
	size_t				 n;
	int64_t				 row = 0;
	double				 y = 0;

	if (report_csv_reader_open(&r, spool, err) != 0)
		return -1;
	(void)report_csv_next(&r, &f, &n);	/* the names: drawn per page */
	table_head(d, s, &y);
	if (s->rows == 0) {
		cairo_move_to(d->cr, MARGIN, y + 10);
		cairo_show_text(d->cr, "no rows in this period");
	}
	strbuf_init(&line);
	while (report_csv_next(&r, &f, &n)) {
		if (row > 0 && row % ROWS_PER_PAGE == 0) {
			footer(d);
			table_head(d, s, &y);
		}
		table_row(&line, s, f, n);
		cairo_move_to(d->cr, MARGIN, y);
		cairo_show_text(d->cr, line.s);
		y += fmax(LINE_PT * s->font / FONT_MAX, s->font + 1.5);
		row++;
	}
	strbuf_free(&line);
	report_csv_reader_close(&r);
	footer(d);
	return 0;
}

static void
metadata(struct pdf_doc *d)
{
	const struct report_meta	*m = d->m;
	char				 buf[256], at[24];

	snprintf(buf, sizeof buf, "phalanx %s report %s to %s", m->kind,
	    m->from, m->to);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_TITLE, buf);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_AUTHOR,
	    m->firm != NULL && *m->firm != '\0' ? m->firm : "phalanx");
	snprintf(buf, sizeof buf, "report %s, %lld rows, sha256 %s, report "
	    "sha256 %s", m->id, (long long)m->rows, m->sha256, m->seal);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_SUBJECT,
	    buf);
	snprintf(buf, sizeof buf, "%s, %s, sha256:%s, report-sha256:%s", m->id,
	    m->kind, m->sha256, m->seal);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_KEYWORDS,
	    buf);
	cairo_pdf_surface_set_metadata(d->surf, CAIRO_PDF_METADATA_CREATOR,
	    "phalanx " PX_VERSION);
	time_fmt_ist(m->generated_us, at, sizeof at);
	snprintf(buf, sizeof buf, "%.10sT%s+05:30", at, at + 11);
	cairo_pdf_surface_set_metadata(d->surf,
	    CAIRO_PDF_METADATA_CREATE_DATE, buf);
}

int
report_pdf_write(const char *spool, const struct report_meta *m,
    const char *path, struct err *err)
{
	struct pdf_scan		s;
	struct pdf_doc		d;
	cairo_status_t		st;
	int			rc = 0;

	memset(&s, 0, sizeof s);
	if (scan(spool, m->kind, &s, err) != 0) {
		scan_free(&s);
		return -1;
	}
	memset(&d, 0, sizeof d);
	d.m = m;
	d.pages = 1 + (s.title_a != NULL ? 1 : 0) +
	    report_pdf_table_pages(s.rows);
	d.surf = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
	d.cr = cairo_create(d.surf);
	metadata(&d);
	cover(&d);
	if (s.title_a != NULL)
		charts(&d, &s);
	rc = table(&d, spool, &s, err);
	cairo_destroy(d.cr);
	cairo_surface_finish(d.surf);
	st = cairo_surface_status(d.surf);
	cairo_surface_destroy(d.surf);
	if (rc == 0 && st != CAIRO_STATUS_SUCCESS) {
		err_set(err, "export-write", "cannot write %s: %s", path,
		    cairo_status_to_string(st));
		rc = -1;
	}
	scan_free(&s);
	return rc;
}
