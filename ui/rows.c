/* Reading store rows (JSON objects) and formatting what they hold. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "ui/tui.h"
#include "util/jsonget.h"

const char *
tui_str(json_t *row, const char *key)
{
	return jstr(row, key);
}

int64_t
tui_int(json_t *row, const char *key)
{
	json_t	*v = json_object_get(row, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

/* More than two decimals (prices carry four): cut, for display. */
static int
tui_paise_cut(const char *s, int64_t *out)
{
	char	buf[64], *dot;

	snprintf(buf, sizeof buf, "%s", s);
	if ((dot = strchr(buf, '.')) != NULL && strlen(dot) > 3)
		dot[3] = '\0';
	return decimal_parse(buf, 2, out);
}

int
tui_paise(json_t *row, const char *key, int64_t *out)
{
	const char	*s = tui_str(row, key);

	*out = 0;
	if (*s == '\0')
		return -1;
	if (decimal_parse(s, 2, out) == 0)
		return 0;
	return tui_paise_cut(s, out);
}

void
tui_fmt_money(json_t *row, const char *key, char *buf, size_t len)
{
	int64_t	p;

	if (tui_paise(row, key, &p) != 0) {
		snprintf(buf, len, "-");
		return;
	}
	wfmt_inr(p, 2, buf, len);
}

/* IST wall clock: HH:MM:SS, with milliseconds when ms. */
void
tui_fmt_clock(int64_t wall_us, int ms, char *buf, size_t len)
{
	time_t		t = (time_t)(wall_us / 1000000) + IST_OFFSET_S;
	struct tm	tm;

	gmtime_r(&t, &tm);
	if (ms)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)((wall_us / 1000) % 1000));
	else
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
}
