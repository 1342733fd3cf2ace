/*
 * The layers above the defaults: a config file, the environment and -o
 * flags.  Each layer is parsed and validated into a list of pending values
 * first and applied only when all of it is good, so an error leaves the
 * configuration untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/config_int.h"

/* Short environment names kept for convenience; the long form wins. */
static const struct {
	const char	*env;
	const char	*key;
} config_env_alias[] = {
	{ "PHALANX_DSN", "store.dsn" },
	{ "PHALANX_HOME", "store.home" },
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
