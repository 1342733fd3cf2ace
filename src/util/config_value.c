/*
 * One value for one key: checked against the key's type and range and
 * turned into its canonical text (and number).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/config_int.h"

/* Strict decimal integer; -2 when it does not fit. */
static int
config_parse_ll(const char *s, long long *out)
{
	const char	*p = s;
	char		*end;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -2;
	return 0;
}

static int
config_parse_int(const struct config_key *k, const char *v, long long *num,
    char *why, size_t len)
{
	char	range[64];
	int	rc;

	config_range_text(k, range, sizeof range);
	if ((rc = config_parse_ll(v, num)) == -1) {
		snprintf(why, len, "expected a whole number %s, got \"%s\"",
		    range, v);
		return -1;
	}
	if (rc == -2 || *num < k->min || *num > k->max ||
	    (k->flags & CONFIG_F_NONZERO && *num == 0)) {
		snprintf(why, len, "must be %s", range);
		return -1;
	}
	return 0;
}

static long long
config_duration_unit(const char *u)
{
	if (strcmp(u, "") == 0 || strcmp(u, "ms") == 0)
		return 1;
	if (strcmp(u, "s") == 0)
		return 1000;
	if (strcmp(u, "m") == 0)
		return 60000;
	if (strcmp(u, "h") == 0)
		return 3600000;
	return 0;
}

/* Milliseconds, with an optional unit: 5000, 250ms, 5s, 2m, 1h. */
static int
config_parse_duration(const struct config_key *k, const char *v,
    long long *num, char *why, size_t len)
{
	const char	*p;
	char		*digits;
	long long	 n, mul;
	int		 rc;

	for (p = v; isdigit((unsigned char)*p); p++)
		;
	if (p == v || (mul = config_duration_unit(p)) == 0) {
		snprintf(why, len, "expected a duration such as 5000, 250ms, "
		    "5s or 2m, got \"%s\"", v);
		return -1;
	}
	digits = xstrndup(v, (size_t)(p - v));
	rc = config_parse_ll(digits, &n);
	free(digits);
	if (rc != 0 || n > LLONG_MAX / mul || n * mul < k->min ||
	    n * mul > k->max) {
		snprintf(why, len, "must be %lld..%lld ms", k->min, k->max);
		return -1;
	}
	*num = n * mul;
	return 0;
}

static int
config_parse_bool(const struct config_key *k, const char *v, long long *num,
    char *why, size_t len)
{
	static const char	*yes[] = { "true", "yes", "on", "1" };
	static const char	*no[] = { "false", "no", "off", "0" };
	size_t			 i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*num = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*num = 0;
			return 0;
		}
	}
	if (k->type == CONFIG_TRISTATE && strcasecmp(v, "auto") == 0) {
		*num = -1;
		return 0;
	}
	snprintf(why, len, "expected %s, got \"%s\"",
	    k->type == CONFIG_TRISTATE ? "true|false|auto" : "true|false", v);
	return -1;
}

static int
config_parse_enum(const struct config_key *k, const char *v, long long *num,
    char *why, size_t len)
{
	const char	*c = k->choices, *bar;
	size_t		 n, vlen = strlen(v);
	long long	 i;

	for (i = 0; c != NULL && *c != '\0'; i++) {
		bar = strchr(c, '|');
		n = (bar == NULL) ? strlen(c) : (size_t)(bar - c);
		if (n == vlen && strncasecmp(c, v, n) == 0) {
			*num = i;
			return 0;
		}
		c = (bar == NULL) ? NULL : bar + 1;
	}
	snprintf(why, len, "expected %s, got \"%s\"", k->choices, v);
	return -1;
}

/* host:port or [v6]:port; port 0 asks the kernel for a free one. */
static int
config_parse_hostport(const char *v, char *why, size_t len)
{
	const char	*colon, *h, *end;
	long long	 port;

	if (*v == '[') {
		if ((end = strchr(v, ']')) == NULL || end[1] != ':' ||
		    end == v + 1)
			goto bad;
		colon = end + 1;
	} else {
		if ((colon = strrchr(v, ':')) == NULL || colon == v)
			goto bad;
		for (h = v; h < colon; h++) {
			if (!isalnum((unsigned char)*h) && *h != '.' &&
			    *h != '-' && *h != '_' && *h != '*')
				goto bad;
		}
	}
	for (h = colon + 1; isdigit((unsigned char)*h); h++)
		;
	if (h == colon + 1 || *h != '\0')
		goto bad;
	if (h - colon > 6 || config_parse_ll(colon + 1, &port) != 0 ||
	    port > 65535) {
		snprintf(why, len, "port must be 0..65535, got \"%s\"",
		    colon + 1);
		return -1;
	}
	return 0;
bad:
	snprintf(why, len, "expected host:port, got \"%s\"", v);
	return -1;
}

/* "~" and "~/x" are relative to $HOME; nothing else is rewritten. */
static char *
config_expand_path(const char *v)
{
	const char	*home;

	if (v[0] != '~' || (v[1] != '\0' && v[1] != '/'))
		return xstrdup(v);
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		return xstrdup(v);
	return xasprintf("%s%s", home, v + 1);
}

/* The n-th of "a|b|c", so an enum's text is always its canonical spelling. */
static char *
config_choice(const char *choices, long long n)
{
	const char	*bar;

	for (; n > 0 && (bar = strchr(choices, '|')) != NULL; n--)
		choices = bar + 1;
	return xstrndup(choices, strcspn(choices, "|"));
}

typedef int (*config_parse_fn)(const struct config_key *, const char *,
    long long *, char *, size_t);

/* The canonical text of a number-valued key's value. */
static char *
config_num_text(const struct config_key *k, long long num)
{
	switch (k->type) {
	case CONFIG_BOOL:
	case CONFIG_TRISTATE:
		return xstrdup(num == -1 ? "auto" : num ? "true" : "false");
	case CONFIG_ENUM:
		return config_choice(k->choices, num);
	default:
		return xasprintf("%lld", num);
	}
}

/*
 * Validate one value for key k into canonical text and number.  On error
 * why holds the reason without any prefix.
 */
int
config_parse_value(const struct config_key *k, const char *v, char **text,
    long long *num, char *why, size_t len)
{
	config_parse_fn	parse = NULL;

	*num = 0;
	*text = NULL;
	switch (k->type) {
	case CONFIG_STRING:
	case CONFIG_PATH:
		if (k->flags & CONFIG_F_NONEMPTY && *v == '\0') {
			snprintf(why, len, "must not be empty");
			return -1;
		}
		if (k->type == CONFIG_PATH)
			*text = config_expand_path(v);
		else
			*text = xstrdup(v);
		return 0;
	case CONFIG_HOSTPORT:
		if (config_parse_hostport(v, why, len) != 0)
			return -1;
		*text = xstrdup(v);
		return 0;
	case CONFIG_INT:
		parse = config_parse_int;
		break;
	case CONFIG_DURATION:
		parse = config_parse_duration;
		break;
	case CONFIG_BOOL:
	case CONFIG_TRISTATE:
		parse = config_parse_bool;
		break;
	case CONFIG_ENUM:
		parse = config_parse_enum;
		break;
	}
	if (parse == NULL) {
		snprintf(why, len, "unsupported type");
		return -1;
	}
	if (parse(k, v, num, why, len) != 0)
		return -1;
	*text = config_num_text(k, *num);
	return 0;
}
