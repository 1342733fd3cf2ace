/*
 * The command language's parser: tokens of one logical line are matched
 * against the grammar table (grammar.c), every value is checked and made
 * canonical, and the result is a struct cmd the executor can trust.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

static int parse_text(const char *, int, struct cmd *, struct cmd_perr *);

void
cmd_add_arg(struct cmd *c, const char *key, const char *val, int col)
{
	c->args = xreallocarray(c->args, c->nargs + 1, sizeof *c->args);
	c->args[c->nargs].key = xstrdup(key);
	c->args[c->nargs].val = xstrdup(val);
	c->args[c->nargs].col = col;
	c->nargs++;
}

static const struct cmd_arg *
find_arg(const struct cmd *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->nargs; i++) {
		if (strcmp(c->args[i].key, key) == 0)
			return &c->args[i];
	}
	return NULL;
}

const char *
cmd_get(const struct cmd *c, const char *key)
{
	const struct cmd_arg	*a = find_arg(c, key);

	return a != NULL ? a->val : NULL;
}

int
cmd_has(const struct cmd *c, const char *key)
{
	return find_arg(c, key) != NULL;
}

int64_t
cmd_get_int(const struct cmd *c, const char *key, int64_t def)
{
	const char	*v = cmd_get(c, key);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtoll(v, &end, 10);
	if (*end != '\0')
		return def;
	return n;
}

static void
target_free(struct cmd_target *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t);
}

void
cmd_free(struct cmd *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nargs; i++) {
		free(c->args[i].key);
		free(c->args[i].val);
	}
	free(c->args);
	free(c->text);
	target_free(c->target);
	memset(c, 0, sizeof *c);
}

void
cmd_list_free(struct cmd_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		cmd_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Levenshtein distance, for "did you mean"; b is a short table word. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	row[64], i, j, diag, up, best;
	size_t	la = strlen(a), lb = strlen(b);

	if (lb >= nitems(row) || la > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Pick the closest of words to w if it is close enough to be a typo. */
static const char *
suggest(const char *w, const char *const *words, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		d = edit_distance(w, words[i]);
		if (d < bestd && d < strlen(words[i])) {
			bestd = d;
			best = words[i];
		}
	}
	return best;
}

void
cmd_enum_list(const char *const *e, char *buf, size_t len, const char *sep)
{
	size_t	o = 0;

	buf[0] = '\0';
	for (; e != NULL && *e != NULL && o < len; e++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
		    o == 0 ? "" : sep, *e);
}

/* The n-th word of a command name ("rms template list") into buf. */
static int
def_word(const struct cmd_def *d, size_t n, char *buf, size_t len)
{
	const char	*p = d->name, *sp;

	for (;;) {
		sp = strchr(p, ' ');
		if (n == 0) {
			snprintf(buf, len, "%.*s", (int)(sp != NULL ?
			    (size_t)(sp - p) : strlen(p)), p);
			return 0;
		}
		if (sp == NULL)
			return -1;
		p = sp + 1;
		n--;
	}
}

static size_t
def_nwords(const struct cmd_def *d)
{
	size_t	n = 1;
	const char *p;

	for (p = d->name; *p != '\0'; p++)
		n += *p == ' ';
	return n;
}

/* Does d's name start with the words w[0..n-1]? */
static int
def_prefix(const struct cmd_def *d, const struct cmd_tok *w, size_t n)
{
	char	word[32];
	size_t	i;

	if (def_nwords(d) < n)
		return 0;
	for (i = 0; i < n; i++) {
		if (w[i].quoted || def_word(d, i, word, sizeof word) != 0 ||
		    strcasecmp(word, w[i].s) != 0)
			return 0;
	}
	return 1;
}

/* Word d of the commands matching w[0..d-1]: what may come next. */
static size_t
next_words(const struct cmd_tok *w, size_t d, char list[][32], size_t max)
{
	size_t	i, j, n = 0;
	char	word[32];

	for (i = 0; i < cmd_ndefs; i++) {
		if (!def_prefix(&cmd_defs[i], w, d) ||
		    def_word(&cmd_defs[i], d, word, sizeof word) != 0)
			continue;
		for (j = 0; j < n && strcmp(list[j], word) != 0; j++)
			;
		if (j == n && n < max)
			memcpy(list[n++], word, sizeof word);
	}
	return n;
}

/*
 * What is wrong with the command words w[d]: an unknown word with the
 * nearest real one, or the choices when the words stop too early.
 */
static int
bad_command_word(const struct cmd_tok *w, size_t d, const struct cmd_tok *t,
    int endcol, struct cmd_perr *e)
{
	char		 list[64][32], choices[512], shown[64], prefix[128];
	const char	*ptrs[64], *best;
	size_t		 n, i, o = 0;

	n = next_words(w, d, list, nitems(list));
	choices[0] = prefix[0] = '\0';
	for (i = 0; i < n; i++) {
		ptrs[i] = list[i];
		o += (size_t)snprintf(choices + o, sizeof choices - o, "%s%s",
		    i ? ", " : "", list[i]);
		if (o >= sizeof choices)
			break;
	}
	for (i = 0, o = 0; i < d && o < sizeof prefix; i++)
		o += (size_t)snprintf(prefix + o, sizeof prefix - o, "%s%s",
		    i ? " " : "", w[i].s);
	if (t == NULL)
		return cmd_perr_set(e, endcol, "expected one of %s after "
		    "\"%s\", got end of line", choices, prefix);
	cmd_tok_show(t->s, shown, sizeof shown);
	if (n == 0)
		return cmd_perr_set(e, t->col, "expected end of line after "
		    "\"%s\", got \"%s\"", prefix, shown);
	if (t->quoted)
		return cmd_perr_set(e, t->col, "expected an unquoted command "
		    "word, got \"%s\"", shown);
	best = suggest(t->s, ptrs, n);
	if (d == 0) {
		if (best != NULL)
			return cmd_perr_set(e, t->col, "unknown command \"%s\" "
			    "(did you mean \"%s\"?)", shown, best);
		return cmd_perr_set(e, t->col, "unknown command \"%s\"; "
		    "commands are %s", shown, choices);
	}
	if (best != NULL)
		return cmd_perr_set(e, t->col, "unknown %s command \"%s\" "
		    "(did you mean \"%s\"?)", prefix, shown, best);
	return cmd_perr_set(e, t->col, "expected one of %s after \"%s\", "
	    "got \"%s\"", choices, prefix, shown);
}

/*
 * Find the command the first words name, longest match first, so that
 * "cancel order 7" is CMD_CANCEL_ORDER and "cancel all" CMD_CANCEL.
 */
static const struct cmd_def *
match_command(const struct cmd_toks *t, size_t *used, struct cmd_perr *e)
{
	const struct cmd_def	*exact;
	const struct cmd_tok	*tok;
	size_t			 d, i, longer, next;

	for (d = 0;; d++) {
		exact = NULL;
		longer = next = 0;
		tok = d < t->n ? &t->v[d] : NULL;
		for (i = 0; i < cmd_ndefs; i++) {
			if (!def_prefix(&cmd_defs[i], t->v, d))
				continue;
			if (def_nwords(&cmd_defs[i]) == d)
				exact = &cmd_defs[i];
			else {
				longer++;
				if (tok != NULL &&
				    def_prefix(&cmd_defs[i], t->v, d + 1))
					next++;
			}
		}
		if (next > 0)
			continue;
		if (exact != NULL) {
			*used = d;
			return exact;
		}
		bad_command_word(t->v, d, tok, t->textend, e);
		return NULL;
	}
}

static const struct cmd_opt *
find_opt(const struct cmd_def *d, const char *w)
{
	size_t	i;

	for (i = 0; d->opts != NULL && d->opts[i].word != NULL; i++) {
		if (strcasecmp(d->opts[i].word, w) == 0)
			return &d->opts[i];
	}
	return NULL;
}

static int
is_flag(const struct cmd_tok *t)
{
	return !t->quoted && t->s[0] == '-' && t->s[1] == '-';
}

static int
is_keyword(const struct cmd_def *d, const struct cmd_tok *t)
{
	return !t->quoted && find_opt(d, t->s) != NULL;
}

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
    struct cmd_target *tg)
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
		if (!cmd_chars_ok(name, "_.-", 64)) {
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
	struct cmd_target	*tg;
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
		else if (is_keyword(ps->def, t)) {
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
		if (!cmd_chars_ok(s, "_-", 32)) {
			if (*s == '\0')
				target_error(ps, t, 0, "expected a tag after "
				    "\"group:\"");
			else
				target_error(ps, t, (size_t)(s - t->s),
				    "expected a tag ([A-Za-z0-9_-], up to 32 "
				    "characters)");
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
	target_free(tg);
	return -1;
}

/* Validate a value and store it under key (symbols add "exchange"). */
static int
store_value(struct cmd_pstate *ps, const char *key, enum cmd_vtype type,
    const char *const *enums, const char *what, const char *label,
    const struct cmd_tok *t)
{
	char	*v, *exch = NULL, *sym;

	if (type == V_TARGET)
		return parse_target(ps, t, key);
	if (cmd_check_value(ps, type, enums, what, label, t, &v) != 0)
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

/* --json everywhere, --dry-run where the row allows it. */
static int
parse_flag(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	const char *const	*f;
	const char		*name = t->s + 2;
	char			 valid[128], shown[256];

	if (strcasecmp(name, "stop-on-error") == 0)
		return cmd_perr_set(ps->err, t->col, "expected a command flag, "
		    "got \"--stop-on-error\" (a batch flag: phalanx batch "
		    "--stop-on-error FILE)");
	if (strcasecmp(name, "json") == 0) {
		if (ps->cmd->json)
			return cmd_perr_set(ps->err, t->col, "duplicate flag "
			    "\"--json\"");
		ps->cmd->json = 1;
		cmd_add_arg(ps->cmd, "json", "1", t->col);
		return 0;
	}
	for (f = ps->def->flags; f != NULL && *f != NULL; f++) {
		if (strcasecmp(name, *f) != 0)
			continue;
		if (cmd_has(ps->cmd, *f))
			return cmd_perr_set(ps->err, t->col, "duplicate flag "
			    "\"--%s\"", *f);
		cmd_add_arg(ps->cmd, *f, "1", t->col);
		return 0;
	}
	snprintf(valid, sizeof valid, "--json");
	for (f = ps->def->flags; f != NULL && *f != NULL; f++) {
		if (strlen(valid) + strlen(*f) + 5 < sizeof valid) {
			strcat(valid, ", --");
			strcat(valid, *f);
		}
	}
	cmd_tok_show(t->s, shown, sizeof shown);
	return cmd_perr_set(ps->err, t->col, "unknown flag \"%s\" for %s; "
	    "valid: %s", shown, ps->def->name, valid);
}

static void
opt_list(const struct cmd_def *d, char *buf, size_t len)
{
	size_t	i, j, o = 0;

	buf[0] = '\0';
	for (i = 0; d->opts != NULL && d->opts[i].word != NULL; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(d->opts[j].word, d->opts[i].word) == 0)
				break;
		}
		if (j == i && o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o ? ", " : "", d->opts[i].word);
	}
}

static int
unknown_option(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	const char	*words[32], *best;
	char		 list[256], shown[256];
	size_t		 n = 0;

	cmd_tok_show(t->s, shown, sizeof shown);
	if (ps->def->opts == NULL)
		return cmd_perr_set(ps->err, t->col, "expected end of line "
		    "after \"%s\", got \"%s\"", ps->def->name, shown);
	opt_list(ps->def, list, sizeof list);
	while (n + 1 < nitems(words) && ps->def->opts[n].word != NULL) {
		words[n] = ps->def->opts[n].word;
		n++;
	}
	best = t->quoted ? NULL : suggest(t->s, words, n);
	if (best != NULL)
		return cmd_perr_set(ps->err, t->col, "unknown option \"%s\" "
		    "for %s (did you mean \"%s\"?); valid: %s", shown,
		    ps->def->name, best, list);
	return cmd_perr_set(ps->err, t->col, "unknown option \"%s\" for %s; "
	    "valid: %s", shown, ps->def->name, list);
}

static const char *
opt_key(const struct cmd_opt *o)
{
	if (o->group != NULL)
		return o->group;
	return o->key != NULL ? o->key : o->word;
}

/*
 * The row's entry for keyword t: the first one with that word whose key
 * is still free (export's two "to"s); *dup is set when all are taken.
 */
static const struct cmd_opt *
pick_opt(const struct cmd_def *d, const struct cmd *c,
    const struct cmd_tok *t, const struct cmd_opt **dup)
{
	size_t	i;

	*dup = NULL;
	if (t->quoted)
		return NULL;
	for (i = 0; d->opts != NULL && d->opts[i].word != NULL; i++) {
		if (strcasecmp(d->opts[i].word, t->s) != 0)
			continue;
		if (!cmd_has(c, opt_key(&d->opts[i])))
			return &d->opts[i];
		if (*dup == NULL)
			*dup = &d->opts[i];
	}
	return NULL;
}

static int
duplicate_option(struct cmd_pstate *ps, const struct cmd_opt *o,
    const struct cmd_tok *t)
{
	const struct cmd_arg	*a = find_arg(ps->cmd, opt_key(o));
	char			 shown[256], group[32], *p;

	cmd_tok_show(t->s, shown, sizeof shown);
	if (o->group != NULL) {
		snprintf(group, sizeof group, "%s", o->group);
		for (p = group; (p = strchr(p, '-')) != NULL; p++)
			*p = ' ';
		return cmd_perr_set(ps->err, t->col, "expected one %s "
		    "(\"%s\" at column %d), got \"%s\"", group, a->val,
		    a->col, shown);
	}
	return cmd_perr_set(ps->err, t->col, "duplicate option \"%s\" "
	    "(first at column %d)", o->word, a->col);
}

/* run COMMAND...: the rest of the line, itself a valid command. */
static int
parse_command_rest(struct cmd_pstate *ps, const struct cmd_opt *o,
    size_t first)
{
	const struct cmd_toks	*t = ps->toks;
	const struct cmd_tok	*a = &t->v[first], *z = &t->v[t->n - 1];
	struct cmd		 sub;
	struct cmd_perr		 e;
	char			*src;
	int			 off;

	if (first + 1 == t->n && a->quoted) {
		src = xstrdup(a->s);
		off = a->col;
	} else {
		src = xstrndup(ps->text + a->col - 1,
		    (size_t)(z->end - a->col));
		off = a->col - 1;
	}
	if (parse_text(src, ps->depth + 1, &sub, &e) != 0) {
		free(src);
		return cmd_perr_set(ps->err, e.col + off, "in \"%s\": %s",
		    o->word, e.msg);
	}
	cmd_free(&sub);
	cmd_add_arg(ps->cmd, opt_key(o), src, a->col);
	free(src);
	return 0;
}

/* One "keyword [value [value]]" starting at toks[*ip]. */
static int
parse_option(struct cmd_pstate *ps, size_t *ip)
{
	const struct cmd_toks	*toks = ps->toks;
	const struct cmd_tok	*t = &toks->v[*ip], *v;
	const struct cmd_opt	*o, *dup;
	int			 r;

	o = pick_opt(ps->def, ps->cmd, t, &dup);
	if (o == NULL && dup != NULL)
		return duplicate_option(ps, dup, t);
	if (o == NULL) {
		if (ps->def->extra != NULL &&
		    (r = ps->def->extra(ps, t)) != 0) {
			(*ip)++;
			return r < 0 ? -1 : 0;
		}
		return unknown_option(ps, t);
	}
	ps->nopts++;
	(*ip)++;
	if (o->group != NULL)
		cmd_add_arg(ps->cmd, o->group, o->word, t->col);
	if (o->type == V_NONE)
		return 0;
	v = *ip < toks->n ? &toks->v[*ip] : NULL;
	if (v == NULL || is_flag(v))
		return cmd_perr_set(ps->err, t->end, "missing value for "
		    "\"%s\"", o->word);
	if (o->type == V_COMMAND) {
		r = parse_command_rest(ps, o, *ip);
		*ip = toks->n;
		return r;
	}
	if (store_value(ps, o->key != NULL ? o->key : o->word, o->type,
	    o->enums, o->what, o->word, v) != 0)
		return -1;
	(*ip)++;
	if (o->type2 == V_NONE)
		return 0;
	v = *ip < toks->n ? &toks->v[*ip] : NULL;
	if (v == NULL || is_flag(v))
		return cmd_perr_set(ps->err, toks->v[*ip - 1].end, "missing "
		    "second value for \"%s\"", o->word);
	if (store_value(ps, o->key2, o->type2, o->enums, o->what2, o->word,
	    v) != 0)
		return -1;
	(*ip)++;
	return 0;
}

/* help [COMMAND...]: the words must name (the start of) a command. */
static int
parse_help(struct cmd_pstate *ps, size_t *ip)
{
	const struct cmd_toks	*toks = ps->toks;
	const struct cmd_tok	*w = &toks->v[*ip];
	struct strbuf		 b;
	size_t			 n = 0, i, j;

	while (*ip + n < toks->n && !is_flag(&w[n]))
		n++;
	for (i = 1; i <= n; i++) {
		for (j = 0; j < cmd_ndefs; j++) {
			if (def_prefix(&cmd_defs[j], w, i))
				break;
		}
		if (j == cmd_ndefs)
			return bad_command_word(w, i - 1, &w[i - 1],
			    toks->textend, ps->err);
	}
	strbuf_init(&b);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_putc(&b, ' ');
		for (j = 0; w[i].s[j] != '\0'; j++)
			strbuf_putc(&b,
			    (char)tolower((unsigned char)w[i].s[j]));
	}
	cmd_add_arg(ps->cmd, "command", b.s, w->col);
	strbuf_free(&b);
	*ip += n;
	return 0;
}

static const char *
placeholder(const struct cmd_opt *o, char *buf, size_t len)
{
	size_t	i;

	switch (o->type) {
	case V_ENUM:
	case V_ENUM_UPPER:
		cmd_enum_list(o->enums, buf, len, "|");
		return buf;
	case V_TEXT:
		return "TEXT";
	case V_TIME:
		return "TIME";
	case V_DATE:
		return "DATE";
	case V_TARGET:
		return "TARGET";
	case V_URL:
		return "URL";
	case V_SECRET:
		return "KEY";
	case V_CRON:
		return "\"M H DOM MON DOW\"";
	case V_COMMAND:
		return "COMMAND ...";
	default:
		for (i = 0; o->word[i] != '\0' && i + 1 < len; i++)
			buf[i] = (char)toupper((unsigned char)o->word[i]);
		buf[i] = '\0';
		return buf;
	}
}

/* After the line: required positionals and options, the row's check. */
static int
finish(struct cmd_pstate *ps, size_t pi)
{
	const struct cmd_def	*d = ps->def;
	const struct cmd_opt	*o;
	char			 buf[128], what[320], list[256];
	int			 end = ps->toks->textend;

	if (pi < nitems(d->pos) && d->pos[pi].type != V_NONE &&
	    !d->pos[pi].optional)
		return cmd_perr_set(ps->err, end, "expected %s, got end of "
		    "line", d->pos[pi].what != NULL ? d->pos[pi].what :
		    cmd_type_what(d->pos[pi].type, d->pos[pi].enums, what,
		    sizeof what));
	for (o = d->opts; o != NULL && o->word != NULL; o++) {
		if ((o->flags & OPT_REQUIRED) && !cmd_has(ps->cmd, opt_key(o)))
			return cmd_perr_set(ps->err, end, "%s needs \"%s %s\"",
			    d->name, o->word, placeholder(o, buf, sizeof buf));
	}
	if (ps->nopts < d->min_opts) {
		opt_list(d, list, sizeof list);
		return cmd_perr_set(ps->err, end, "%s needs at least one "
		    "\"key value\" pair (keys: %s)", d->name, list);
	}
	if (d->target_all && ps->cmd->target == NULL)
		ps->cmd->target = xcalloc(1, sizeof *ps->cmd->target);
	return d->check != NULL ? d->check(ps) : 0;
}

/*
 * Positionals first, in order; flags anywhere; then options.  An optional
 * positional gives way to a keyword, so "orders status open" has no target.
 */
static int
parse_args(struct cmd_pstate *ps, size_t i)
{
	const struct cmd_def	*d = ps->def;
	const struct cmd_posarg	*p;
	const struct cmd_tok	*t;
	size_t			 pi = 0;
	char			 what[320], shown[256];

	while (i < ps->toks->n) {
		t = &ps->toks->v[i];
		if (is_flag(t)) {
			if (parse_flag(ps, t) != 0)
				return -1;
			i++;
			continue;
		}
		p = pi < nitems(d->pos) ? &d->pos[pi] : NULL;
		if (p == NULL || p->type == V_NONE ||
		    (p->optional && is_keyword(d, t))) {
			pi = nitems(d->pos);
			if (parse_option(ps, &i) != 0)
				return -1;
			continue;
		}
		if (p->type == V_HELP) {
			if (parse_help(ps, &i) != 0)
				return -1;
			pi++;
			continue;
		}
		if (is_keyword(d, t) && p->type != V_TARGET) {
			cmd_tok_show(t->s, shown, sizeof shown);
			return cmd_perr_set(ps->err, t->col, "expected %s, got "
			    "\"%s\"", p->what != NULL ? p->what :
			    cmd_type_what(p->type, p->enums, what,
			    sizeof what), shown);
		}
		if (store_value(ps, p->key, p->type, p->enums, p->what, NULL,
		    t) != 0)
			return -1;
		pi++;
		i++;
	}
	return finish(ps, pi);
}

/* Lex and parse one logical line; depth > 0 inside "run COMMAND". */
static int
parse_text(const char *text, int depth, struct cmd *out, struct cmd_perr *e)
{
	struct cmd_toks		 toks;
	struct cmd_pstate	 ps;
	const struct cmd_def	*d;
	size_t			 used;
	int			 r;

	memset(out, 0, sizeof *out);
	if (cmd_lex(text, &toks, e) != 0)
		return -1;
	if (toks.n == 0) {
		cmd_toks_free(&toks);
		return cmd_perr_set(e, 1, "expected a command, got end of "
		    "line");
	}
	if ((d = match_command(&toks, &used, e)) == NULL) {
		cmd_toks_free(&toks);
		return -1;
	}
	if (depth > 0 && d->kind == CMD_SCHEDULE_ADD) {
		cmd_toks_free(&toks);
		return cmd_perr_set(e, 1, "expected a command to run, got "
		    "\"schedule add\" (a schedule cannot add schedules)");
	}
	out->kind = d->kind;
	out->name = d->name;
	memset(&ps, 0, sizeof ps);
	ps.def = d;
	ps.cmd = out;
	ps.toks = &toks;
	ps.text = text;
	ps.err = e;
	ps.depth = depth;
	r = parse_args(&ps, used);
	if (r == 0)
		out->text = xstrndup(text, (size_t)toks.textend - 1);
	else
		cmd_free(out);
	cmd_toks_free(&toks);
	return r;
}

static const char *const secret_words[] = { "api-key", "api-secret",
	"access-token", NULL };

/* Is s a secret keyword, or (anywhere) does it contain one? */
static int
secret_word(const char *s, int anywhere)
{
	const char *const	*w;
	const char		*p;

	for (w = secret_words; *w != NULL; w++) {
		for (p = s; *p != '\0'; p++) {
			if (anywhere ? strncasecmp(p, *w, strlen(*w)) == 0 :
			    strcasecmp(p, *w) == 0)
				return 1;
			if (!anywhere)
				break;
		}
	}
	return 0;
}

/* Copy text into b with every secret value replaced by "***". */
static void
redact(const char *text, struct strbuf *b, int depth)
{
	struct cmd_toks		 t;
	struct cmd_perr		 e;
	const struct cmd_tok	*tok;
	struct strbuf		 in;
	size_t			 i, j;
	int			 prev = 1, hide = 0;

	if (cmd_lex(text, &t, &e) != 0) {
		strbuf_puts(b, "***");
		return;
	}
	for (i = 0; i < t.n; i++) {
		tok = &t.v[i];
		strbuf_add(b, text + prev - 1, (size_t)(tok->col - prev));
		if (hide)
			strbuf_puts(b, "***");
		else if (tok->quoted && depth < 4 && secret_word(tok->s, 1)) {
			strbuf_init(&in);
			redact(tok->s, &in, depth + 1);
			strbuf_putc(b, '"');
			for (j = 0; j < in.len; j++) {
				if (in.s[j] == '"' || in.s[j] == '\\')
					strbuf_putc(b, '\\');
				strbuf_putc(b, in.s[j]);
			}
			strbuf_putc(b, '"');
			strbuf_free(&in);
		} else
			strbuf_add(b, text + tok->col - 1,
			    (size_t)(tok->end - tok->col));
		hide = !tok->quoted && secret_word(tok->s, 0);
		prev = tok->end;
	}
	cmd_toks_free(&t);
}

/*
 * cmd->text with the values of api-key, api-secret and access-token
 * replaced by "***", also inside a quoted "run" command: the form logs and
 * --json output may show, since secrets must never reach them.
 */
char *
cmd_text_redacted(const struct cmd *c)
{
	struct strbuf	b;

	strbuf_init(&b);
	if (c->text != NULL)
		redact(c->text, &b, 0);
	return strbuf_steal(&b);
}

static int
report(const struct cmd_perr *e, int line, struct cmd_pos *pos,
    struct err *err)
{
	if (pos != NULL) {
		pos->line = line;
		pos->col = e->col;
	}
	err_set(err, "parse", "line %d, column %d: %s", line, e->col, e->msg);
	return -1;
}

int
cmd_parse_line(const char *text, int line, struct cmd *out,
    struct cmd_pos *pos, struct err *err)
{
	struct cmd_perr	e;

	if (parse_text(text, 0, out, &e) != 0)
		return report(&e, line, pos, err);
	out->line = line;
	return 0;
}

/* A line holding only blanks and a comment is no command. */
static int
blank_line(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' ||
	    *s == '\f')
		s++;
	return *s == '\0' || *s == '#';
}

int
cmd_parse_script(const char *text, struct cmd_list *out,
    struct cmd_pos *pos, struct err *err)
{
	struct strbuf	 b;
	struct cmd	 c;
	size_t		 cap = 0;
	int		 lineno = 0, first;

	out->v = NULL;
	out->n = 0;
	strbuf_init(&b);
	while (cmd_script_next(&text, &lineno, &first, &b)) {
		if (blank_line(b.s))
			continue;
		if (cmd_parse_line(b.s, first, &c, pos, err) != 0) {
			strbuf_free(&b);
			cmd_list_free(out);
			return -1;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		out->v[out->n++] = c;
	}
	strbuf_free(&b);
	return 0;
}
