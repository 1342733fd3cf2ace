/*
 * The cron grammar of Vixie cron (what crontab(5) users know), read in
 * IST.  IST has no daylight saving, so a wall-clock minute is always one
 * Unix minute shifted by 05:30 and the next fire is found by skipping
 * whole months, days and hours that cannot match, then minutes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/cron.h"

#define DAY_S		86400
#define CRON_HORIZON_DAYS (10 * 366)
#define CRON_LAST_S	((int64_t)253402300799)	/* 9999-12-31 23:59:59 */

struct field {
	const char		*name;
	int			 lo, hi;
	const char *const	*names;	/* names[i] is lo + i */
};

static const char *const month_names[] = { "jan", "feb", "mar", "apr",
	"may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat", NULL };

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day-of-week", 0, 7, dow_names },
};

static const struct {
	const char	*name;
	const char	*expr;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

static void
shown(const char *s, size_t n, char *out, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < n && o + 5 < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

/* One number or name at *p; advances *p.  -1 when there is none. */
static int
field_value(const struct field *f, const char **p, const char *end)
{
	const char	*s = *p;
	int		 v = 0, i;
	size_t		 n = 0;

	if (s < end && isdigit((unsigned char)*s)) {
		while (s + n < end && isdigit((unsigned char)s[n])) {
			if (n >= 3)
				return -1;
			v = v * 10 + (s[n] - '0');
			n++;
		}
		*p = s + n;
		return v;
	}
	for (i = 0; f->names != NULL && f->names[i] != NULL; i++) {
		if (end - s >= 3 && strncasecmp(s, f->names[i], 3) == 0 &&
		    (end - s == 3 || !isalpha((unsigned char)s[3]))) {
			*p = s + 3;
			return f->lo + i;
		}
	}
	return -1;
}

static int
field_fail(struct err *err, const struct field *f, const char *item,
    size_t n, const char *why)
{
	char	buf[96];

	shown(item, n, buf, sizeof buf);
	err_set(err, "cron", "%s field: %s in \"%s\"", f->name, why, buf);
	return -1;
}

/* One comma-separated item: *, N, N-M, each with an optional /STEP. */
static int
field_item(const struct field *f, const char *s, const char *end,
    uint64_t *bits, struct err *err)
{
	const char	*p = s;
	int		 a, b, step = 1, v;
	char		 why[80];

	if (p < end && *p == '*') {
		a = f->lo;
		b = f->hi;
		p++;
	} else {
		if ((a = field_value(f, &p, end)) < 0)
			return field_fail(err, f, s, (size_t)(end - s),
			    "expected a number, a name or *");
		b = a;
		if (p < end && *p == '-') {
			p++;
			if ((b = field_value(f, &p, end)) < 0)
				return field_fail(err, f, s, (size_t)(end - s),
				    "expected the end of the range");
		} else if (p < end && *p == '/')
			b = f->hi;	/* "5/15": from 5 to the end */
	}
	if (p < end && *p == '/') {
		p++;
		if ((step = field_value(&(struct field){ f->name, 0, 0, NULL },
		    &p, end)) < 1 || step > f->hi - f->lo + 1)
			return field_fail(err, f, s, (size_t)(end - s),
			    "expected a step from 1 to the field's span");
	}
	if (p != end)
		return field_fail(err, f, s, (size_t)(end - s),
		    "unexpected characters");
	if (a < f->lo || b > f->hi || a > f->hi || b < f->lo) {
		snprintf(why, sizeof why, "values run from %d to %d", f->lo,
		    f->hi);
		return field_fail(err, f, s, (size_t)(end - s), why);
	}
	if (a > b)
		return field_fail(err, f, s, (size_t)(end - s),
		    "a range must not run backwards");
	for (v = a; v <= b; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
}

static int
field_parse(const struct field *f, const char *s, const char *end,
    uint64_t *bits, struct err *err)
{
	const char	*comma;

	*bits = 0;
	for (;;) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (comma == NULL)
			comma = end;
		if (comma == s)
			return field_fail(err, f, s, (size_t)(end - s),
			    "empty list item");
		if (field_item(f, s, comma, bits, err) != 0)
			return -1;
		if (comma == end)
			return 0;
		s = comma + 1;
	}
}

int
cron_parse(const char *text, struct cron *c, struct err *err)
{
	const char	*p = text, *start[5], *stop[5];
	uint64_t	 bits[5];
	size_t		 i, n = 0;
	char		 buf[96];

	memset(c, 0, sizeof *c);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '@') {
		for (i = 0; i < nitems(macros); i++) {
			size_t	l = strlen(macros[i].name);

			if (strncasecmp(p, macros[i].name, l) == 0 &&
			    strspn(p + l, " \t") == strlen(p + l))
				return cron_parse(macros[i].expr, c, err);
		}
		shown(p, strlen(p), buf, sizeof buf);
		err_set(err, "cron", "unknown schedule \"%s\" (known: @yearly, "
		    "@monthly, @weekly, @daily, @hourly)", buf);
		return -1;
	}
	while (*p != '\0') {
		if (n == 5) {
			err_set(err, "cron", "expected 5 fields \"M H DOM MON "
			    "DOW\", got more");
			return -1;
		}
		start[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		stop[n++] = p;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (n != 5) {
		err_set(err, "cron", "expected 5 fields \"M H DOM MON DOW\", "
		    "got %zu", n);
		return -1;
	}
	for (i = 0; i < 5; i++) {
		if (field_parse(&fields[i], start[i], stop[i], &bits[i],
		    err) != 0)
			return -1;
	}
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	c->dow = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);
	c->dom_star = *start[2] == '*';
	c->dow_star = *start[4] == '*';
	return 0;
}

static int
holiday_cmp(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int
weekday_of(long days)
{
	long	w = (days + 4) % 7;	/* 1970-01-01 was a Thursday */

	return (int)(w < 0 ? w + 7 : w);
}

int
cron_trading_day(const struct cron_calendar *cal, int32_t ymd)
{
	long	days = time_days_from_civil(ymd / 10000, ymd / 100 % 100,
		    ymd % 100);
	int	w = weekday_of(days);

	if (w == 0 || w == 6)
		return 0;
	return cal == NULL || cal->n == 0 || bsearch(&ymd, cal->holidays,
	    cal->n, sizeof ymd, holiday_cmp) == NULL;
}

static long
floor_div(int64_t a, int64_t b)
{
	return (long)(a / b - (a % b != 0 && (a < 0) != (b < 0)));
}

static int
day_matches(const struct cron *c, int dom, int dow)
{
	int	d = (c->dom >> dom) & 1, w = (c->dow >> dow) & 1;

	return c->dom_star || c->dow_star ? d && w : d || w;
}

int64_t
cron_next(const struct cron *c, int64_t after,
    const struct cron_calendar *cal)
{
	int64_t	 t, limit, ist, sod;
	long	 days;
	int	 ymd, y, m, d, h, mi;

	/* Past year 9999 (or before 1970) is nobody's schedule. */
	if (after < -1 || after > CRON_LAST_S)
		return -1;
	t = (int64_t)floor_div(after, 60) * 60 + 60;
	limit = t + (int64_t)CRON_HORIZON_DAYS * DAY_S;
	while (t < limit) {
		ist = t + IST_OFFSET_S;
		days = floor_div(ist, DAY_S);
		sod = ist - (int64_t)days * DAY_S;
		ymd = time_civil_from_days(days);
		y = ymd / 10000;
		m = ymd / 100 % 100;
		d = ymd % 100;
		if (!((c->month >> m) & 1)) {
			days = m == 12 ? time_days_from_civil(y + 1, 1, 1) :
			    time_days_from_civil(y, m + 1, 1);
			t = (int64_t)days * DAY_S - IST_OFFSET_S;
			continue;
		}
		if (!day_matches(c, d, weekday_of(days)) ||
		    (cal != NULL && !cron_trading_day(cal, ymd))) {
			t = (int64_t)(days + 1) * DAY_S - IST_OFFSET_S;
			continue;
		}
		h = (int)(sod / 3600);
		if (!((c->hour >> h) & 1)) {
			t = (int64_t)days * DAY_S + (int64_t)(h + 1) * 3600 -
			    IST_OFFSET_S;
			continue;
		}
		mi = (int)(sod % 3600 / 60);
		while (mi < 60 && !((c->minute >> mi) & 1))
			mi++;
		if (mi == 60) {
			t = (int64_t)days * DAY_S + (int64_t)(h + 1) * 3600 -
			    IST_OFFSET_S;
			continue;
		}
		return (int64_t)days * DAY_S + h * 3600 + mi * 60 - IST_OFFSET_S;
	}
	return -1;
}

void
cron_fmt_ist(int64_t t, char *buf, size_t len)
{
	int64_t	ist = t + IST_OFFSET_S;
	long	days = floor_div(ist, DAY_S);
	int64_t	sod = ist - (int64_t)days * DAY_S;
	int	ymd = time_civil_from_days(days);

	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d", ymd / 10000,
	    ymd / 100 % 100, ymd % 100, (int)(sod / 3600),
	    (int)(sod % 3600 / 60));
}
