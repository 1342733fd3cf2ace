/* Private to src/report: charts drawn on a cairo context (pdf.c). */
#ifndef PX_REPORT_CHART_H
#define PX_REPORT_CHART_H

#include <stddef.h>

#include <cairo.h>

#define CHART_MAX_KEYS	400

/* Values by key, in the order keys first appear. */
struct chart_series {
	char	*keys[CHART_MAX_KEYS];
	double	 v[CHART_MAX_KEYS];
	size_t	 n;
	size_t	 dropped;	/* values whose key did not fit */
};

void chart_series_add(struct chart_series *, const char *key, double v);
void chart_series_clear(struct chart_series *);

struct chart_box {
	double	x, y, w, h;
};

/* A line through the values (an equity curve), the lowest point marked. */
void chart_line(cairo_t *, const struct chart_box *, const char *title,
    const struct chart_series *);
/* One bar per key, green above zero and red below. */
void chart_bars(cairo_t *, const struct chart_box *, const char *title,
    const struct chart_series *);

#endif
