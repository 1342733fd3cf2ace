/*
 * Storing a value under its key once it is checked (lexer.c checks the
 * lexical form), and targets: all, group:TAG, TAG or a list of accounts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

static int PX_PRINTF(4, 5)
target_error(struct cmd_pstate *ps, const struct cmd_tok *t, size_t off,
    const char *fmt, ...)
{
	char	shown[256], what[320];
	va_list	ap;

	cmd_tok_show(t->s, shown, sizeof shown);
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return cmd_perr_set(ps->err, t->col + t->quoted + (int)off,
	    "%s, got \"%s\"", what, shown);
}

/* acct:NAME[,acct:NAME...] into tg; every element named, none twice. */
static int
parse_accounts(struct cmd_pstate *ps, const struct cmd_tok *t,
    struct target *tg)
{
	const char	*s = t->s, *p = s, *c;
	char		*name;
	size_t		 len, i;

	tg->kind = TARGET_ACCOUNTS;
	for (;;) {
		c = strchr(p, ',');
		len = c != NULL ? (size_t)(c - p) : strlen(p);
		if (len < 5 || strncasecmp(p, "acct:", 5) != 0) {
			if (len == 0)
				return target_error(ps, t, (size_t)(p - s),
				    "expected acct:NAME after \",\"");
			return target_error(ps, t, (size_t)(p - s),
			    "expected acct:NAME in an account list (kinds of "
			    "target cannot be mixed)");
		}
		name = xstrndup(p + 5, len - 5);
		if (!cmd_name_ok(name, "_.-", 64)) {
			free(name);
			return target_error(ps, t, (size_t)(p - s) + 5,
			    "expected an account name after \"acct:\"");
		}
		for (i = 0; i < tg->n; i++) {
			if (strcmp(tg->names[i], name) == 0) {
				free(name);
				return target_error(ps, t, (size_t)(p - s),
				    "expected each account once, \"%s\" is "
				    "listed twice", tg->names[i]);
			}
		}
		tg->names = xreallocarray(tg->names, tg->n + 1,
		    sizeof *tg->names);
		tg->names[tg->n++] = name;
		if (c == NULL)
			return 0;
		p = c + 1;
	}
}

/*
 * all | group:TAG | acct:NAME[,acct:NAME...] | TAG.  A bare word that is
 * one of this command's keywords is refused, not taken as a tag: "to lots"
 * is far more likely a slip than a group called lots.
 */
static int
parse_target(struct cmd_pstate *ps, const struct cmd_tok *t, const char *key)
{
	struct target	*tg;
	const char		*s = t->s;

	if (ps->cmd->target != NULL)
		return target_error(ps, t, 0, "expected one target");
	tg = xcalloc(1, sizeof *tg);
	if (strcasecmp(s, "all") == 0)
		tg->kind = TARGET_ALL;
	else if (strncasecmp(s, "acct:", 5) == 0) {
		if (parse_accounts(ps, t, tg) != 0)
			goto fail;
	} else {
		tg->kind = TARGET_GROUP;
		if (strncasecmp(s, "group:", 6) == 0)
			s += 6;
		else if (cmd_is_keyword(ps->def, t)) {
			target_error(ps, t, 0, "expected a target, not the "
			    "keyword \"%s\" (write group:TAG for a tag of that "
			    "name)", t->s);
			goto fail;
		}
		if (strchr(s, ',') != NULL || strchr(s, ':') != NULL) {
			target_error(ps, t, 0, "expected one of all, "
			    "group:TAG, TAG or acct:NAME[,acct:NAME...] (kinds "
			    "of target cannot be mixed)");
			goto fail;
		}
		if (!cmd_name_ok(s, "_-", 32)) {
			if (*s == '\0')
				target_error(ps, t, 0, "expected a tag after "
				    "\"group:\"");
			else
				target_error(ps, t, (size_t)(s - t->s),
				    "expected a tag (" CMD_TAG_RULE ")");
			goto fail;
		}
		tg->names = xcalloc(1, sizeof *tg->names);
		tg->names[0] = xstrdup(s);
		tg->n = 1;
	}
	ps->cmd->target = tg;
	cmd_add_arg(ps->cmd, key, t->s, t->col);
	return 0;
fail:
	cmd_target_free(tg);
	return -1;
}

/*
 * A credential: the token itself, or what @env:, @file: or - names
 * (secret_src.c), checked like one typed.  Copies are wiped when freed.
 */
static int
store_secret(struct cmd_pstate *ps, const char *key, const char *what,
    const char *label, int64_t max, const struct cmd_tok *t)
{
	struct cmd_tok	 rt = *t;
	char		*src, *v, shown[128];
	size_t		 n;
	int		 r;

	if (cmd_secret_resolve(ps, label != NULL ? label : key, t, &src) != 0)
		return -1;
	if (src != NULL)
		rt.s = src;
	r = cmd_check_value(ps, V_SECRET, NULL, what, label, max, &rt, &v);
	if (src != NULL) {
		cmd_tok_show(t->s[0] == '-' ? "standard input" : t->s, shown,
		    sizeof shown);
		n = strlen(ps->err->msg);
		if (r != 0 && n + strlen(shown) + 16 < sizeof ps->err->msg)
			snprintf(ps->err->msg + n, sizeof ps->err->msg - n,
			    " (read from %s)", shown);
		explicit_bzero(src, strlen(src));
		free(src);
	}
	if (r != 0)
		return -1;
	cmd_add_arg(ps->cmd, key, v, t->col);
	explicit_bzero(v, strlen(v));
	free(v);
	return 0;
}

/* Validate a value and store it under key (symbols add "exchange"). */
int
cmd_store_value(struct cmd_pstate *ps, const char *key, enum cmd_vtype type,
    const char *const *enums, const char *what, const char *label,
    int64_t max, const struct cmd_tok *t)
{
	char	*v, *exch = NULL, *sym;

	if (type == V_TARGET)
		return parse_target(ps, t, key);
	if (type == V_SECRET)
		return store_secret(ps, key, what, label, max, t);
	if (cmd_check_value(ps, type, enums, what, label, max, t, &v) != 0)
		return -1;
	cmd_add_arg(ps->cmd, key, v, t->col);
	free(v);
	if (type == V_SYMBOL) {
		sym = cmd_check_symbol(t->s, &exch);
		free(sym);
		if (exch != NULL) {
			if (cmd_has(ps->cmd, "exchange")) {
				free(exch);
				return cmd_perr_set(ps->err, t->col,
				    "expected one exchange, got a second in "
				    "\"%s\"", key);
			}
			cmd_add_arg(ps->cmd, "exchange", exch, t->col);
			free(exch);
		}
	}
	return 0;
}
