/*
 * A command's text as logs and --json output may show it: the values of
 * secret keywords replaced.
 */
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

static const char *const secret_words[] = { "api-key", "api-secret",
	"access-token", "bot-token", "secret", "auth-token", "password", NULL };

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
