/*
 * The command language's parser: tokens of one logical line are matched
 * against the grammar table (grammar.c), every value is checked and made
 * canonical, and the result is a struct cmd the executor can trust.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

static int parse_text(const char *, int, struct cmd *, struct cmd_perr *);

void
cmd_enum_list(const char *const *e, char *buf, size_t len, const char *sep)
{
	size_t	o = 0;

	buf[0] = '\0';
	for (; e != NULL && *e != NULL && o < len; e++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
		    o == 0 ? "" : sep, *e);
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

int
cmd_is_keyword(const struct cmd_def *d, const struct cmd_tok *t)
{
	return !t->quoted && find_opt(d, t->s) != NULL;
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
	best = t->quoted ? NULL : cmd_suggest(t->s, words, n);
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
	const struct cmd_arg	*a = cmd_find_arg(ps->cmd, opt_key(o));
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

	if (a->quoted) {
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
		/* A quoted command is one word; options may follow it. */
		if (v->quoted) {
			r = parse_command_rest(ps, o, *ip);
			(*ip)++;
			return r;
		}
		r = parse_command_rest(ps, o, *ip);
		*ip = toks->n;
		return r;
	}
	if (cmd_store_value(ps, o->key != NULL ? o->key : o->word, o->type,
	    o->enums, o->what, o->word, o->max, v) != 0)
		return -1;
	(*ip)++;
	if (o->type2 == V_NONE)
		return 0;
	v = *ip < toks->n ? &toks->v[*ip] : NULL;
	if (v == NULL || is_flag(v))
		return cmd_perr_set(ps->err, toks->v[*ip - 1].end, "missing "
		    "second value for \"%s\"", o->word);
	if (cmd_store_value(ps, o->key2, o->type2, o->enums, o->what2, o->word,
	    o->max, v) != 0)
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
		for (j = 0; j < cmd_def_count(); j++) {
			if (cmd_def_prefix(cmd_def_at(j), w, i))
				break;
		}
		if (j == cmd_def_count())
			return cmd_bad_command_word(w, i - 1, &w[i - 1],
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
	case V_REASON:
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
		    (p->optional && cmd_is_keyword(d, t))) {
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
		if (cmd_is_keyword(d, t) && p->type != V_TARGET) {
			cmd_tok_show(t->s, shown, sizeof shown);
			return cmd_perr_set(ps->err, t->col, "expected %s, got "
			    "\"%s\"", p->what != NULL ? p->what :
			    cmd_type_what(p->type, p->enums, what,
			    sizeof what), shown);
		}
		if (cmd_store_value(ps, p->key, p->type, p->enums, p->what,
		    NULL, p->max, t) != 0)
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
	if ((d = cmd_match_command(&toks, &used, e)) == NULL) {
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

	if (parse_text(text, 0, out, &e) != 0) {
		/* An error quotes tokens; never a secret of the line. */
		cmd_redact_msg(text, e.msg, sizeof e.msg);
		return report(&e, line, pos, err);
	}
	out->line = line;
	return 0;
}

/* A line holding only blanks and a comment is no command. */
static int
blank_line(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

/*
 * Bytes no script may hold, wherever they stand (comments and strings
 * too): -1 with the line and column of the first one.
 */
static int
script_bytes_ok(const char *text, size_t len, struct cmd_pos *pos,
    struct err *err)
{
	struct cmd_perr	 e;
	const char	*bol = text, *p;
	size_t		 at;
	int		 line = 1;
	char		 what[64];

	if ((at = cmd_bad_byte(text, len, 1, what, sizeof what)) == len)
		return 0;
	for (p = text; p < text + at; p++) {
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	}
	cmd_perr_set(&e, (int)(text + at - bol) + 1, "expected printable "
	    "text, got %s", what);
	return report(&e, line, pos, err);
}

/* The column of the "\\" that ends the script's last line. */
static int
last_backslash(const char *text, const char *end)
{
	const char	*bol = end, *p, *bs = end;

	while (bol > text && bol[-1] != '\n')
		bol--;
	if (bol == end && bol > text) {
		for (bol--; bol > text && bol[-1] != '\n'; bol--)
			;
	}
	for (p = bol; p < end; p++) {
		if (*p == '\\')
			bs = p;
	}
	return (int)(bs - bol) + 1;
}

int
cmd_parse_buf(const char *text, size_t len, struct cmd_list *out,
    struct cmd_pos *pos, struct err *err)
{
	struct strbuf	 b;
	struct cmd_perr	 e;
	struct cmd	 c;
	const char	*start = text, *end = text + len;
	size_t		 cap = 0;
	int		 lineno = 0, first, r;

	out->v = NULL;
	out->n = 0;
	if (script_bytes_ok(text, len, pos, err) != 0)
		return -1;
	strbuf_init(&b);
	while ((r = cmd_script_next(&text, end, &lineno, &first, &b)) != 0) {
		if (r < 0) {
			cmd_perr_set(&e, last_backslash(start, end), "expected "
			    "the command to continue after \"\\\", got end "
			    "of input");
			first = lineno;
			goto fail_report;
		}
		if (blank_line(b.s))
			continue;
		if (cmd_parse_line(b.s, first, &c, pos, err) != 0)
			goto fail;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		out->v[out->n++] = c;
	}
	strbuf_free(&b);
	return 0;
fail_report:
	report(&e, first, pos, err);
fail:
	strbuf_free(&b);
	cmd_list_free(out);
	return -1;
}

int
cmd_parse_script(const char *text, struct cmd_list *out,
    struct cmd_pos *pos, struct err *err)
{
	return cmd_parse_buf(text, strlen(text), out, pos, err);
}
