/*
 * libFuzzer harness for the command language: any byte string fed to
 * cmd_parse_buf (NULs included) and cmd_parse_line must either parse into
 * well-formed commands or fail with a "parse" error and nothing returned;
 * a parsed command never holds a control byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_cmd(const struct cmd *c)
{
	size_t	 i;
	char	*r;

	if (c->name == NULL || c->text == NULL || c->kind >= CMD__COUNT ||
	    cmd_usage(c->kind) == NULL)
		abort();
	for (i = 0; i < c->nargs; i++) {
		if (c->args[i].key == NULL || c->args[i].val == NULL)
			abort();
		if (cmd_get(c, c->args[i].key) == NULL)
			abort();
	}
	if (c->target != NULL && c->target->kind != TARGET_ALL &&
	    c->target->n == 0)
		abort();
	if (c->json != cmd_has(c, "json"))
		abort();
	for (i = 0; c->text[i] != '\0'; i++) {
		if ((unsigned char)c->text[i] < 0x20 && c->text[i] != '\t')
			abort();
	}
	r = cmd_text_redacted(c);
	if (strlen(r) > strlen(c->text) * 2 + 16)
		abort();
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmd_list	 l;
	struct cmd	 c;
	struct cmd_pos	 pos;
	struct err	 e;
	char		*s, *nl;
	size_t		 i;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	err_clear(&e);
	if (cmd_parse_buf(s, size, &l, &pos, &e) == 0) {
		if (memchr(data, '\0', size) != NULL)
			abort();
		for (i = 0; i < l.n; i++)
			check_cmd(&l.v[i]);
		cmd_list_free(&l);
	} else if (strcmp(e.code, "parse") != 0 || l.v != NULL || l.n != 0 ||
	    pos.line < 1 || pos.col < 1)
		abort();

	if ((nl = strchr(s, '\n')) != NULL)
		*nl = '\0';
	err_clear(&e);
	if (cmd_parse_line(s, 1, &c, &pos, &e) == 0) {
		check_cmd(&c);
		cmd_free(&c);
	} else if (strcmp(e.code, "parse") != 0 || c.args != NULL)
		abort();
	free(s);
	return 0;
}
