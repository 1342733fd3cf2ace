/*
 * Settings: one table of known keys, four layers of values.  Each layer is
 * parsed and validated into a list of pending values first and applied only
 * when all of it is good, so an error leaves the configuration untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/config.h"

static const struct config_key config_table[] = {
	{ "store.dsn", CONFIG_STRING, "", 0, 0, NULL, CONFIG_F_SECRET,
	  "PostgreSQL connection string (URI or key=value); empty runs the "
	  "private cluster under store.home" },
	{ "store.home", CONFIG_PATH, NULL, 0, 0, NULL, CONFIG_F_NONEMPTY,
	  "directory for the private cluster, master key and journal" },
	{ "store.connect_timeout_ms", CONFIG_DURATION, "5000", 100, 600000,
	  NULL, 0, "how long to wait for PostgreSQL to accept a connection" },
	{ "log.file", CONFIG_PATH, "", 0, 0, NULL, 0,
	  "JSON-lines log file; empty sends warnings and errors to stderr" },
	{ "log.level", CONFIG_ENUM, "info", 0, 0, "debug|info|warn|error", 0,
	  "least severe level that is logged" },
	{ "ui.ascii", CONFIG_TRISTATE, "auto", 0, 0, NULL, 0,
	  "ASCII instead of box-drawing and braille glyphs; auto follows "
	  "the locale" },
	{ "ui.colors", CONFIG_ENUM, "auto", 0, 0, "auto|256|8|mono", 0,
	  "colour palette; auto follows the terminal" },
	{ "ui.refresh_hz", CONFIG_INT, "15", 1, 30, NULL, 0,
	  "most screen redraws per second" },
	{ "broker.timeout_ms", CONFIG_DURATION, "5000", 100, 120000, NULL, 0,
	  "time allowed for one broker API request" },
	{ "broker.market_protection", CONFIG_INT, "-1", -1, 100, NULL,
	  CONFIG_F_NONZERO,
	  "market order protection in percent; -1 lets the broker choose" },
	{ "broker.algo_id", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "exchange algo ID tagged on every order; empty uses firm.algo_id" },
	{ "exec.rate_per_sec", CONFIG_INT, "10", 1, 1000, NULL, 0,
	  "orders per second per account (SEBI threshold: 10)" },
	{ "exec.mtm_ms", CONFIG_DURATION, "2000", 0, 3600000, NULL, 0,
	  "how often the console and daemon mark open positions to market; "
	  "0 turns it off" },
	{ "exec.settle_ms", CONFIG_DURATION, "3000", 0, 600000, NULL, 0,
	  "how long a fan-out watches each order after the broker's ack" },
	{ "exec.poll_ms", CONFIG_DURATION, "100", 10, 60000, NULL, 0,
	  "how often a watched order's status is asked for" },
	{ "exec.retry_max", CONFIG_INT, "4", 0, 20, NULL, 0,
	  "attempts per order under on-fail retry (and after HTTP 429)" },
	{ "exec.default_mode", CONFIG_ENUM, "async", 0, 0, "async|sync", 0,
	  "fan-out mode when a command names none" },
	{ "exec.default_policy", CONFIG_ENUM, "fixed", 0, 0,
	  "fixed|multiplier|equal|capital|ratio", 0,
	  "lot allocation policy when a command names none" },
	{ "exec.default_on_fail", CONFIG_ENUM, "best-effort", 0, 0,
	  "best-effort|retry|all-or-none", 0,
	  "failure policy when a command names none" },
	{ "exec.default_product", CONFIG_ENUM, "mis", 0, 0, "mis|nrml|cnc", 0,
	  "product when a command names none" },
	{ "serve.listen", CONFIG_HOSTPORT, "127.0.0.1:8787", 0, 0, NULL, 0,
	  "address of the webhook, postback and /metrics listener" },
	{ "sim.listen", CONFIG_HOSTPORT, "127.0.0.1:8788", 0, 0, NULL, 0,
	  "address the simulator serves the Kite API on; port 0 picks one" },
	{ "firm.name", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "firm name in report compliance headers" },
	{ "firm.algo_id", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "exchange algo ID in report headers and the default for "
	  "broker.algo_id" },
};
#define CONFIG_NKEYS nitems(config_table)

/* Short environment names kept for convenience; the long form wins. */
static const struct {
	const char	*env;
	const char	*key;
} config_env_alias[] = {
	{ "PHALANX_DSN", "store.dsn" },
	{ "PHALANX_HOME", "store.home" },
};

struct config_val {
	char		*text;		/* canonical text */
	long long	 num;		/* INT, DURATION, BOOL, ENUM index */
	char		*source;
};

struct config {
	struct config_val	 vals[CONFIG_NKEYS];
};

/* A validated value waiting for the rest of its layer. */
struct config_pending {
	size_t		 idx;
	char		*text;
	long long	 num;
	char		*source;
};

struct config_batch {
	struct config_pending	*p;
	size_t			 n;
};

const struct config_key *
config_keys(size_t *n)
{
	*n = CONFIG_NKEYS;
	return config_table;
}

static int
config_index(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_table[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const struct config_key *
config_key_find(const char *name)
{
	int	i;

	if ((i = config_index(name)) == -1)
		return NULL;
	return &config_table[i];
}

static void
config_range_text(const struct config_key *k, char *buf, size_t len)
{
	if (k->flags & CONFIG_F_NONZERO && k->min == -1)
		snprintf(buf, len, "-1 or 1..%lld", k->max);
	else
		snprintf(buf, len, "%lld..%lld", k->min, k->max);
}

char *
config_key_type_text(const struct config_key *k)
{
	char	range[64];

	switch (k->type) {
	case CONFIG_STRING:
		return xstrdup("string");
	case CONFIG_PATH:
		return xstrdup("path");
	case CONFIG_INT:
		config_range_text(k, range, sizeof range);
		return xasprintf("int %s", range);
	case CONFIG_BOOL:
		return xstrdup("bool");
	case CONFIG_TRISTATE:
		return xstrdup("bool|auto");
	case CONFIG_ENUM:
		return xstrdup(k->choices);
	case CONFIG_DURATION:
		return xasprintf("duration %lld..%lld ms", k->min, k->max);
	case CONFIG_HOSTPORT:
		return xstrdup("host:port");
	}
	return xstrdup("?");
}

/* Edit distance, for "did you mean"; names are short. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t	la, lb, i, j, row[65], prev, cur;

	la = strlen(a);
	lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * The known key a mistyped one most likely meant: a close spelling, or the
 * same name in another section, or a bare name given without its section.
 */
static const char *
config_suggest(const char *name)
{
	const char	*best = NULL, *dot, *kdot;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		d = config_distance(name, config_table[i].name);
		if (d < bestd) {
			bestd = d;
			best = config_table[i].name;
		}
	}
	if (best != NULL)
		return best;
	dot = strrchr(name, '.');
	dot = (dot == NULL) ? name : dot + 1;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		kdot = strrchr(config_table[i].name, '.') + 1;
		if (strcmp(dot, kdot) == 0)
			return config_table[i].name;
	}
	return NULL;
}

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
static int
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

static void
config_batch_free(struct config_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		free(b->p[i].text);
		free(b->p[i].source);
	}
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

/*
 * Check key=value and queue it.  prefix names the source for messages;
 * with show_key the key is repeated after it for bad values (a file line
 * does not say which key it holds, "-o key=value" and env names do).
 */
static int
config_batch_add(struct config_batch *b, const char *key, const char *value,
    const char *source, const char *prefix, int show_key, struct err *e)
{
	const struct config_key	*k;
	const char		*sugg;
	struct config_pending	*p;
	char			 why[400], *text;
	long long		 num;
	int			 idx;

	if ((idx = config_index(key)) == -1) {
		if ((sugg = config_suggest(key)) != NULL) {
			err_set(e, "config", "%s: unknown key \"%s\" "
			    "(did you mean \"%s\"?)", prefix, key, sugg);
		} else {
			err_set(e, "config", "%s: unknown key \"%s\"", prefix,
			    key);
		}
		return -1;
	}
	k = &config_table[idx];
	if (config_parse_value(k, value, &text, &num, why, sizeof why) != 0) {
		if (show_key)
			err_set(e, "config", "%s: %s: %s", prefix, key, why);
		else
			err_set(e, "config", "%s: %s", prefix, why);
		return -1;
	}
	b->p = xreallocarray(b->p, b->n + 1, sizeof *b->p);
	p = &b->p[b->n++];
	p->idx = (size_t)idx;
	p->text = text;
	p->num = num;
	p->source = xstrdup(source);
	return 0;
}

/* Apply a validated layer in order; the batch is emptied. */
static void
config_batch_commit(struct config *cfg, struct config_batch *b)
{
	struct config_val	*v;
	size_t			 i;

	for (i = 0; i < b->n; i++) {
		v = &cfg->vals[b->p[i].idx];
		free(v->text);
		free(v->source);
		v->text = b->p[i].text;
		v->num = b->p[i].num;
		v->source = b->p[i].source;
	}
	free(b->p);
	b->p = NULL;
	b->n = 0;
}

struct config *
config_new(void)
{
	struct config		*cfg;
	const struct config_key	*k;
	char			*def, why[400];
	size_t			 i;

	cfg = xcalloc(1, sizeof *cfg);
	for (i = 0; i < CONFIG_NKEYS; i++) {
		k = &config_table[i];
		def = (k->def != NULL) ? xstrdup(k->def) : path_phalanx_home();
		if (config_parse_value(k, def, &cfg->vals[i].text,
		    &cfg->vals[i].num, why, sizeof why) != 0)
			fatal("config: default of %s: %s", k->name, why);
		cfg->vals[i].source = xstrdup("default");
		free(def);
	}
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		free(cfg->vals[i].text);
		free(cfg->vals[i].source);
	}
	free(cfg);
}

int
config_set(struct config *cfg, const char *key, const char *value,
    const char *source, struct err *e)
{
	struct config_batch	b = { NULL, 0 };

	if (config_batch_add(&b, key, value, source, source, 1, e) != 0)
		return -1;
	config_batch_commit(cfg, &b);
	return 0;
}

int
config_set_flag(struct config *cfg, const char *kv, struct err *e)
{
	struct config_batch	 b = { NULL, 0 };
	const char		*eq;
	char			*key, *prefix;
	int			 rc;

	prefix = xasprintf("-o %s", kv);
	if ((eq = strchr(kv, '=')) == NULL || eq == kv) {
		err_set(e, "config", "%s: expected key=value", prefix);
		free(prefix);
		return -1;
	}
	key = xstrndup(kv, (size_t)(eq - kv));
	rc = config_batch_add(&b, key, eq + 1, "-o", prefix, 0, e);
	if (rc == 0)
		config_batch_commit(cfg, &b);
	free(key);
	free(prefix);
	return rc;
}

static const char *
config_env_get(char **envp, const char *name)
{
	size_t	n = strlen(name);

	if (envp == NULL)
		return getenv(name);
	for (; *envp != NULL; envp++) {
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	}
	return NULL;
}

/* store.connect_timeout_ms -> PHALANX_STORE_CONNECT_TIMEOUT_MS */
static char *
config_env_name(const char *key)
{
	char	*name, *p;

	name = xasprintf("PHALANX_%s", key);
	for (p = name; *p != '\0'; p++) {
		if (*p == '.' || *p == '-')
			*p = '_';
		else
			*p = (char)toupper((unsigned char)*p);
	}
	return name;
}

static int
config_env_add(struct config_batch *b, const char *name, const char *key,
    const char *value, struct err *e)
{
	char	*source, *prefix;
	int	 rc;

	source = xasprintf("env %s", name);
	prefix = xasprintf("environment %s", name);
	rc = config_batch_add(b, key, value, source, prefix, 0, e);
	free(source);
	free(prefix);
	return rc;
}

int
config_load_env(struct config *cfg, char **envp, struct err *e)
{
	struct config_batch	 b = { NULL, 0 };
	const char		*v;
	char			*name;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(config_env_alias); i++) {
		v = config_env_get(envp, config_env_alias[i].env);
		if (v == NULL || *v == '\0')
			continue;
		if (config_env_add(&b, config_env_alias[i].env,
		    config_env_alias[i].key, v, e) != 0)
			goto fail;
	}
	for (i = 0; i < CONFIG_NKEYS; i++) {
		name = config_env_name(config_table[i].name);
		v = config_env_get(envp, name);
		rc = 0;
		if (v != NULL && *v != '\0')
			rc = config_env_add(&b, name, config_table[i].name, v, e);
		free(name);
		if (rc != 0)
			goto fail;
	}
	config_batch_commit(cfg, &b);
	return 0;
fail:
	config_batch_free(&b);
	return -1;
}

static char *
config_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Only whitespace or a comment may follow a quoted value or a header. */
static int
config_rest_is_empty(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0' || *s == '#';
}

/*
 * A double-quoted value starting at s (on the quote), with \" \\ \n \t.
 * The unquoted text is written over s in place.
 */
static int
config_unquote(char *s, char *why, size_t len)
{
	char	*r = s + 1, *w = s;

	for (; *r != '"'; r++) {
		if (*r == '\0') {
			snprintf(why, len, "unterminated quoted value");
			return -1;
		}
		if (*r != '\\') {
			*w++ = *r;
			continue;
		}
		switch (*++r) {
		case '"':
		case '\\':
			*w++ = *r;
			break;
		case 'n':
			*w++ = '\n';
			break;
		case 't':
			*w++ = '\t';
			break;
		default:
			snprintf(why, len, "unknown escape \"\\%c\" in quoted "
			    "value (write \\\\ for a backslash)",
			    *r == '\0' ? ' ' : *r);
			return -1;
		}
	}
	if (!config_rest_is_empty(r + 1)) {
		snprintf(why, len, "unexpected text after closing quote");
		return -1;
	}
	*w = '\0';
	return 0;
}

/* An unquoted value ends at a '#' that starts the value or follows a space. */
static void
config_strip_comment(char *v)
{
	char	*p;

	for (p = v; *p != '\0'; p++) {
		if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
}

static int
config_section(char *line, char **section, char *why, size_t len)
{
	char	*end, *name, *p;

	if ((end = strchr(line, ']')) == NULL ||
	    !config_rest_is_empty(end + 1)) {
		snprintf(why, len, "malformed section header, expected "
		    "\"[name]\"");
		return -1;
	}
	*end = '\0';
	name = config_trim(line + 1);
	if (*name == '\0') {
		snprintf(why, len, "empty section name");
		return -1;
	}
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.') {
			snprintf(why, len, "bad section name \"%s\"", name);
			return -1;
		}
	}
	free(*section);
	*section = xstrdup(name);
	return 0;
}

/* One non-blank, non-comment line: a header or key = value. */
static int
config_file_line(struct config_batch *b, char *line, char **section,
    const char *where, struct err *e)
{
	char	 why[400], *eq, *key, *value, *full;
	int	 rc;

	if (*line == '[') {
		if (config_section(line, section, why, sizeof why) != 0)
			goto bad;
		return 0;
	}
	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(why, sizeof why, "expected \"key = value\", got "
		    "\"%.60s\"", line);
		goto bad;
	}
	*eq = '\0';
	key = config_trim(line);
	value = config_trim(eq + 1);
	if (*key == '\0') {
		snprintf(why, sizeof why, "missing key before \"=\"");
		goto bad;
	}
	if (*value == '"') {
		if (config_unquote(value, why, sizeof why) != 0)
			goto bad;
	} else {
		config_strip_comment(value);
		value = config_trim(value);
	}
	if (*section != NULL)
		full = xasprintf("%s.%s", *section, key);
	else
		full = xstrdup(key);
	rc = config_batch_add(b, full, value, where, where, 1, e);
	free(full);
	return rc;
bad:
	err_set(e, "config", "%s: %s", where, why);
	return -1;
}

int
config_load_file(struct config *cfg, const char *path, int must_exist,
    struct err *e)
{
	struct config_batch	 b = { NULL, 0 };
	FILE			*f;
	char			*buf = NULL, *line, *section = NULL, *where;
	size_t			 cap = 0;
	int			 lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		err_set(e, "config", "cannot read config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (getline(&buf, &cap, f) != -1) {
		lineno++;
		line = config_trim(buf);
		if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line = config_trim(line + 3);
		if (*line == '\0' || *line == '#')
			continue;
		where = xasprintf("%s:%d", path, lineno);
		rc = config_file_line(&b, line, &section, where, e);
		free(where);
		if (rc != 0)
			break;
	}
	if (rc == 0 && ferror(f)) {
		err_set(e, "config", "cannot read config file %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	fclose(f);
	free(buf);
	free(section);
	if (rc != 0) {
		config_batch_free(&b);
		return -1;
	}
	config_batch_commit(cfg, &b);
	return 0;
}

int
config_load(struct config *cfg, const char *cli_path, char **envp,
    struct err *e)
{
	const char	*env;
	char		*def;
	int		 rc;

	env = config_env_get(envp, "PHALANX_CONFIG");
	if (cli_path != NULL)
		rc = config_load_file(cfg, cli_path, 1, e);
	else if (env != NULL && *env != '\0')
		rc = config_load_file(cfg, env, 1, e);
	else {
		def = path_config_file();
		rc = config_load_file(cfg, def, 0, e);
		free(def);
	}
	if (rc != 0)
		return -1;
	return config_load_env(cfg, envp, e);
}

static const struct config_val *
config_get(const struct config *cfg, const char *key, int t1, int t2)
{
	int	i;

	if ((i = config_index(key)) == -1)
		fatal("config: no key \"%s\"", key);
	if (t1 != -1 && (int)config_table[i].type != t1 &&
	    (int)config_table[i].type != t2)
		fatal("config: key \"%s\" read as the wrong type", key);
	return &cfg->vals[i];
}

const char *
config_str(const struct config *cfg, const char *key)
{
	return config_get(cfg, key, -1, -1)->text;
}

int64_t
config_int(const struct config *cfg, const char *key)
{
	return config_get(cfg, key, CONFIG_INT, CONFIG_DURATION)->num;
}

int
config_bool(const struct config *cfg, const char *key)
{
	return (int)config_get(cfg, key, CONFIG_BOOL, CONFIG_TRISTATE)->num;
}

int
config_enum(const struct config *cfg, const char *key)
{
	return (int)config_get(cfg, key, CONFIG_ENUM, CONFIG_ENUM)->num;
}

const char *
config_source(const struct config *cfg, const char *key)
{
	return config_get(cfg, key, -1, -1)->source;
}

/* s with s[from, to) replaced by "****"; s is freed. */
static char *
config_splice_mask(char *s, size_t from, size_t to)
{
	char	*t;

	t = xasprintf("%.*s****%s", (int)from, s, s + to);
	free(s);
	return t;
}

/* The password in a URI's userinfo: postgres://user:PW@host/db. */
static int
config_uri_password(const char *s, size_t *from, size_t *to)
{
	const char	*auth, *end, *at, *colon;

	if ((auth = strstr(s, "://")) == NULL)
		return 0;
	auth += 3;
	end = auth + strcspn(auth, "/?");
	if ((at = memchr(auth, '@', (size_t)(end - auth))) == NULL)
		return 0;
	if ((colon = memchr(auth, ':', (size_t)(at - auth))) == NULL)
		return 0;
	*from = (size_t)(colon + 1 - s);
	*to = (size_t)(at - s);
	return 1;
}

/*
 * The value of a password=... keyword (password = 'x y' allowed) or query
 * parameter (?password=x&...) at or after offset pos.
 */
static int
config_kw_password(const char *s, size_t pos, size_t *from, size_t *to)
{
	const char	*p, *q, *e;

	for (p = s + pos; (p = strcasestr(p, "password")) != NULL; p += 8) {
		if (p != s && !isspace((unsigned char)p[-1]) &&
		    p[-1] != '?' && p[-1] != '&')
			continue;
		for (q = p + 8; *q == ' '; q++)
			;
		if (*q != '=')
			continue;
		for (q++; *q == ' '; q++)
			;
		if (*q == '\'') {
			for (e = q + 1; *e != '\0' && *e != '\''; e++) {
				if (*e == '\\' && e[1] != '\0')
					e++;
			}
			if (*e == '\'')
				e++;
		} else
			e = q + strcspn(q, " \t&");
		*from = (size_t)(q - s);
		*to = (size_t)(e - s);
		return 1;
	}
	return 0;
}

/* A libpq connection string with every password replaced by "****". */
static char *
config_mask_dsn(const char *dsn)
{
	char	*s;
	size_t	 from, to, pos = 0;

	s = xstrdup(dsn);
	if (config_uri_password(s, &from, &to))
		s = config_splice_mask(s, from, to);
	while (config_kw_password(s, pos, &from, &to)) {
		s = config_splice_mask(s, from, to);
		pos = from + 4;
	}
	return s;
}

char *
config_display(const struct config *cfg, const char *key)
{
	const char	*v = config_str(cfg, key);

	if (config_key_find(key)->flags & CONFIG_F_SECRET)
		return config_mask_dsn(v);
	return xstrdup(v);
}

static void
config_put_quoted(struct strbuf *sb, const char *s)
{
	strbuf_putc(sb, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_putc(sb, '\\');
		if (*s == '\n')
			strbuf_puts(sb, "\\n");
		else if (*s == '\t')
			strbuf_puts(sb, "\\t");
		else
			strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, '"');
}

void
config_dump(const struct config *cfg, struct strbuf *sb)
{
	const struct config_key	*k;
	struct strbuf		 val;
	char			*shown;
	size_t			 i;

	strbuf_init(&val);
	for (i = 0; i < CONFIG_NKEYS; i++) {
		k = &config_table[i];
		shown = config_display(cfg, k->name);
		strbuf_reset(&val);
		if (k->type == CONFIG_STRING || k->type == CONFIG_PATH)
			config_put_quoted(&val, shown);
		else
			strbuf_puts(&val, shown);
		strbuf_printf(sb, "%-26s = %-24s # %s\n", k->name,
		    val.s, cfg->vals[i].source);
		free(shown);
	}
	strbuf_free(&val);
}
