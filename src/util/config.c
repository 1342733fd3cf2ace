/*
 * Settings: one table of known keys (config_keys.c), four layers of values
 * (config_load.c).  Here a configuration is made and freed, read back, and
 * shown with its secrets masked.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/config_int.h"

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
