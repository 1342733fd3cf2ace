/*
 * Secrets in command text: the one table of option words whose values are
 * secrets, and the one way a line, a script or an error message is shown,
 * stored in a history or logged without them.
 *
 * The text is scanned leniently, not with the lexer: a line the parser
 * refused (an unclosed quote, "access-token=XYZ", a typo in the keyword, a
 * "\" continuation) must lose its secrets as surely as a valid one.  Tokens
 * are shell-like (bare and "quoted" runs up to a blank outside quotes); the
 * token after a secret keyword is a secret, so is whatever follows "=" or
 * ":" in "keyword=VALUE", and a quoted token is itself scanned as a line
 * (schedule ... run "account set ... access-token T").  A reference
 * (@env:NAME, @file:PATH, -) names where a secret is, not the secret: it
 * is shown as typed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

#define REDACT_MARK	"***"
#define REDACT_DEPTH	4

/*
 * Option words whose values are credentials.  secret 0: a credential that
 * is no secret -- a Kite API key names the app (it is in every login URL)
 * and is only useful with the access token or API secret -- so it is
 * stored and shown as given.  Options that are not in the grammar yet are
 * listed so that their values are hidden the day they are.
 */
static const struct {
	const char	*word;
	int		 secret;
} redact_words[] = {
	{ "api-key", 0 },
	{ "access-token", 1 },
	{ "api-secret", 1 },
	{ "request-token", 1 },		/* Kite login, exchanged for a token */
	{ "totp-secret", 1 },
	{ "bot-token", 1 },		/* Telegram channels */
	{ "auth-token", 1 },		/* SMS gateways (Twilio style) */
	{ "password", 1 },		/* e-mail (SMTP) channels */
	{ "smtp-password", 1 },
	{ "secret", 1 },		/* webhook signing secrets */
	{ "webhook-secret", 1 },
	{ "token", 1 },			/* a connector's webhook token */
};

int
cmd_secret_word(const char *w)
{
	size_t	i;

	for (i = 0; i < nitems(redact_words); i++) {
		if (strcasecmp(w, redact_words[i].word) == 0)
			return redact_words[i].secret;
	}
	return 0;
}

int
cmd_credential_word(const char *w)
{
	size_t	i;

	for (i = 0; i < nitems(redact_words); i++) {
		if (strcasecmp(w, redact_words[i].word) == 0)
			return 1;
	}
	return 0;
}

/*
 * Could w be meant as a secret keyword: one of them, with leading dashes
 * ("--access-token"), "_" for "-", or a typo (one edit in a short word,
 * two in a long one)?  Hiding a word too many only costs the history a
 * little; showing a secret cannot be undone.
 */
static int
secret_like(const char *w, size_t n)
{
	char	buf[64];
	size_t	i, d, len, max;

	while (n > 0 && *w == '-') {
		w++;
		n--;
	}
	if (n < 4 || n >= sizeof buf)
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = w[i] == '_' ? '-' : w[i];
	buf[n] = '\0';
	for (i = 0; i < nitems(redact_words); i++) {
		if (!redact_words[i].secret)
			continue;
		len = strlen(redact_words[i].word);
		max = len > 6 ? 2 : 1;
		d = cmd_edit_distance(buf, redact_words[i].word);
		if (d <= max)
			return 1;
	}
	return 0;
}

int
cmd_secret_ref(const char *v)
{
	return strcmp(v, "-") == 0 || strncasecmp(v, "@env:", 5) == 0 ||
	    strncasecmp(v, "@file:", 6) == 0;
}

static int
redact_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/* Blanks, and "\" continuations: a backslash, blanks, a line break. */
static size_t
redact_skip(const char *s, size_t i)
{
	size_t	j;

	for (;;) {
		if (redact_blank(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '\\') {
			for (j = i + 1; s[j] == ' ' || s[j] == '\t' ||
			    s[j] == '\r'; j++)
				;
			if (s[j] == '\n' || s[j] == '\0') {
				i = j;
				continue;
			}
		}
		return i;
	}
}

/*
 * One token from s[i]: its unescaped value into val, *quoted when a part
 * of it was quoted, *key the length of a leading bare "word=" or "word:"
 * (0 if none).  An unclosed quote runs to the end of the text.
 */
static size_t
redact_token(const char *s, size_t i, struct strbuf *val, int *quoted,
    size_t *key)
{
	size_t	from = i;
	int	inq = 0;

	strbuf_reset(val);
	strbuf_add(val, "", 0);
	*quoted = 0;
	*key = 0;
	while (s[i] != '\0') {
		if (inq) {
			if (s[i] == '\\' && (s[i + 1] == '"' ||
			    s[i + 1] == '\\'))
				i++;
			else if (s[i] == '"') {
				inq = 0;
				i++;
				continue;
			}
		} else if (redact_blank(s[i]))
			break;
		else if (s[i] == '"') {
			inq = *quoted = 1;
			i++;
			continue;
		} else if ((s[i] == '=' || s[i] == ':') && *key == 0 &&
		    !*quoted)
			*key = i - from + 1;
		strbuf_putc(val, s[i]);
		i++;
	}
	return i;
}

/*
 * What the walk reports: a secret value (bytes from-to of the text, its
 * unescaped value, and its whole token, which differs for "word=VALUE"),
 * or a quoted line to descend into.
 */
struct redact_ops {
	void	(*secret)(void *, size_t, size_t, const char *,
		    const char *);
	void	(*nested)(void *, size_t, size_t, const char *, int);
	void	 *arg;
};

static void
redact_walk(const char *s, int depth, const struct redact_ops *ops)
{
	struct strbuf	 val;
	size_t		 i = 0, from, key;
	int		 quoted, hide = 0;

	strbuf_init(&val);
	for (;;) {
		i = redact_skip(s, i);
		if (s[i] == '\0')
			break;
		from = i;
		i = redact_token(s, i, &val, &quoted, &key);
		if (hide) {
			if (!cmd_secret_ref(val.s))
				ops->secret(ops->arg, from, i, val.s, val.s);
		} else if (key > 1 && secret_like(s + from, key - 1)) {
			if (!cmd_secret_ref(val.s + key))
				ops->secret(ops->arg, from + key, i,
				    val.s + key, val.s);
		} else if (quoted && depth < REDACT_DEPTH)
			ops->nested(ops->arg, from, i, val.s, depth + 1);
		hide = secret_like(val.s, val.len);
	}
	if (val.s != NULL)
		explicit_bzero(val.s, val.cap);
	strbuf_free(&val);
}

/* cmd_redact: the text rebuilt with every secret value as "***". */
struct redact_out {
	const char	*s;
	struct strbuf	*b;
	size_t		 done;	/* bytes of s copied or replaced */
};

static void redact_into(const char *, int, struct strbuf *);

static void
out_secret(void *arg, size_t from, size_t to, const char *val,
    const char *tok)
{
	struct redact_out	*o = arg;

	strbuf_add(o->b, o->s + o->done, from - o->done);
	strbuf_puts(o->b, REDACT_MARK);
	o->done = to;
}

static void
out_nested(void *arg, size_t from, size_t to, const char *val, int depth)
{
	struct redact_out	*o = arg;
	struct strbuf		 in;
	size_t			 j;

	strbuf_init(&in);
	redact_into(val, depth, &in);
	if (in.s != NULL && strcmp(in.s, val) != 0) {
		strbuf_add(o->b, o->s + o->done, from - o->done);
		strbuf_putc(o->b, '"');
		for (j = 0; j < in.len; j++) {
			if (in.s[j] == '"' || in.s[j] == '\\')
				strbuf_putc(o->b, '\\');
			strbuf_putc(o->b, in.s[j]);
		}
		strbuf_putc(o->b, '"');
		o->done = to;
	}
	strbuf_free(&in);
}

static void
redact_into(const char *s, int depth, struct strbuf *b)
{
	struct redact_out	o = { s, b, 0 };
	struct redact_ops	ops = { out_secret, out_nested, &o };

	redact_walk(s, depth, &ops);
	strbuf_puts(b, s + o.done);
}

char *
cmd_redact(const char *text)
{
	struct strbuf	b;

	strbuf_init(&b);
	if (text != NULL)
		redact_into(text, 0, &b);
	return strbuf_steal(&b);
}

/*
 * cmd->text with its secret values replaced by "***", also inside a
 * quoted "run" command: the form logs and --json output may show.
 */
char *
cmd_text_redacted(const struct cmd *c)
{
	return cmd_redact(c->text);
}

/* cmd_redact_mask: the secret bytes starred where they are. */
static void
mask_secret(void *arg, size_t from, size_t to, const char *val,
    const char *tok)
{
	memset((char *)arg + from, '*', to - from);
}

/*
 * A quoted line holding a secret is starred whole, quotes aside: inside
 * it the secret's bytes may be escaped.
 */
static void
mask_nested(void *arg, size_t from, size_t to, const char *val, int depth)
{
	char	*s = arg, *in = cmd_redact(val);

	if (strcmp(in, val) != 0) {
		if (s[from] == '"')
			from++;
		if (to > from && s[to - 1] == '"')
			to--;
		memset(s + from, '*', to - from);
	}
	free(in);
}

void
cmd_redact_mask(char *s)
{
	struct redact_ops	ops = { mask_secret, mask_nested, s };

	if (s != NULL)
		redact_walk(s, 0, &ops);
}

/*
 * cmd_redact_msg: every secret of the source replaced in a message, both
 * as typed and as an error message quotes a token (cmd_tok_show: escaped,
 * cut after 40 characters).
 */
static void
msg_replace(char *msg, size_t len, const char *what, const char *with)
{
	struct strbuf	 b;
	char		*p, *q;
	size_t		 n = strlen(what);

	if (n == 0 || strstr(msg, what) == NULL)
		return;
	strbuf_init(&b);
	for (p = msg; (q = strstr(p, what)) != NULL; p = q + n) {
		strbuf_add(&b, p, (size_t)(q - p));
		strbuf_puts(&b, with);
	}
	strbuf_puts(&b, p);
	snprintf(msg, len, "%s", b.s);
	explicit_bzero(b.s, b.cap);
	strbuf_free(&b);
}

/* val, as typed and as quoted, replaced by with in msg. */
static void
msg_value(char *msg, size_t len, const char *val, const char *with)
{
	char	shown[256];
	size_t	n;

	msg_replace(msg, len, val, with);
	cmd_tok_show(val, shown, sizeof shown);
	n = strlen(shown);
	if (n > 3 && strlen(val) > 40 && strcmp(shown + n - 3, "...") == 0)
		shown[n - 3] = '\0';
	msg_replace(msg, len, shown, with);
	explicit_bzero(shown, sizeof shown);
}

struct redact_msg {
	char	*msg;
	size_t	 len;
};

static void
msg_secret(void *arg, size_t from, size_t to, const char *val,
    const char *tok)
{
	struct redact_msg	*m = arg;
	char			*with;

	/*
	 * "word=VALUE": the whole token first, as "word=***", since a
	 * message may quote it cut short, with only part of the value.
	 */
	if (tok != val) {
		with = xasprintf("%.*s%s", (int)(val - tok), tok, REDACT_MARK);
		msg_value(m->msg, m->len, tok, with);
		free(with);
	}
	msg_value(m->msg, m->len, val, REDACT_MARK);
}

static void
msg_nested(void *arg, size_t from, size_t to, const char *val, int depth)
{
	struct redact_ops	ops = { msg_secret, msg_nested, arg };

	redact_walk(val, depth, &ops);
}

void
cmd_redact_msg(const char *src, char *msg, size_t len)
{
	struct redact_msg	m = { msg, len };
	struct redact_ops	ops = { msg_secret, msg_nested, &m };

	if (src != NULL && msg != NULL && len > 0)
		redact_walk(src, 0, &ops);
}

/*
 * The same for a parsed command, whose secrets may have come from
 * @env:, @file: or stdin and so are not in its text.
 */
void
cmd_redact_msg_cmd(const struct cmd *c, char *msg, size_t len)
{
	size_t	i;

	if (c == NULL || msg == NULL || len == 0)
		return;
	for (i = 0; i < c->nargs; i++) {
		if (cmd_secret_word(c->args[i].key))
			msg_value(msg, len, c->args[i].val, REDACT_MARK);
	}
	cmd_redact_msg(c->text, msg, len);
}
