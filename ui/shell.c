/*
 * The line console: a readline prompt running the command language, one
 * command at a time on the engine's loop.  It is what `phalanx` opens on a
 * terminal until the full-screen console takes its place, and stays as
 * `phalanx shell` for dumb terminals and screen readers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd/batch.h"
#include "cmd/dispatch.h"
#include "exec/router.h"
#include "net/net.h"
#include "ui/ui.h"

#define SHELL_HISTORY	2000

struct shell {
	struct cmd_env	env;
	int		json;
	int		worst;
};

static void
shell_drained(void *arg)
{
	loop_exit();
}

static void
shell_drain(void *arg)
{
	struct shell	*sh = arg;

	router_drain(sh->env.router, 5000, shell_drained, NULL);
}

static void
shell_done(const struct cmd *cmd, struct cmd_result *r, void *arg)
{
	struct shell	*sh = arg;
	char		*s;

	if (sh->json || cmd->json) {
		s = cmd_render_json(cmd, r);
		printf("%s\n", s);
	} else if (r->status == CMD_OK) {
		s = cmd_render_text(r);
		fputs(s, stdout);
	} else {
		s = NULL;
		printf("error: %s\n", r->err.msg);
	}
	free(s);
	if ((int)r->status > sh->worst)
		sh->worst = (int)r->status;
	fflush(stdout);
	/*
	 * From the loop, not from inside cmd_run: a command that finishes
	 * at once (help) would stop the loop before loop_run started it.
	 */
	loop_later(0, shell_drain, sh);
}

static void
shell_line(struct shell *sh, const char *line)
{
	struct cmd_list	cmds;
	struct cmd_pos	pos;
	struct err	err;
	size_t		i;

	err_clear(&err);
	if (cmd_parse_script(line, &cmds, &pos, &err) != 0) {
		printf("error: %s\n", err.msg);
		return;
	}
	for (i = 0; i < cmds.n; i++) {
		cmd_run(&sh->env, &cmds.v[i], shell_done, sh);
		loop_run();
	}
	cmd_list_free(&cmds);
}

static char *
shell_history_path(const struct shell *sh)
{
	return xasprintf("%s/history", sh->env.home);
}

/*
 * A line of standard input when it is no terminal: read a byte at a time,
 * so that "access-token -" gets the very next line, and never echoed as
 * readline would echo it (shell_read shows it redacted instead).
 */
static char *
shell_read_plain(void)
{
	struct strbuf	b;
	ssize_t		n;
	char		c;

	strbuf_init(&b);
	for (;;) {
		n = read(STDIN_FILENO, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != 1 || c == '\n')
			break;
		strbuf_putc(&b, c);
	}
	if (n != 1 && b.len == 0) {
		strbuf_free(&b);
		return NULL;
	}
	if (b.len > 0 && b.s[b.len - 1] == '\r')
		b.s[--b.len] = '\0';
	return strbuf_steal(&b);
}

/*
 * One logical line: a line ending in "\" continues on the next (prompt
 * "...> "), joined with a space as in a script, so that a secret typed
 * on a continuation line is one command with its keyword, redacted with
 * it in the history.  NULL at the end of input.
 */
static char *
shell_read(int tty)
{
	struct strbuf	 b;
	const char	*prompt = "phalanx> ";
	char		*line, *shown;
	size_t		 n;
	int		 more;

	strbuf_init(&b);
	while ((line = tty ? readline(prompt) : shell_read_plain()) != NULL) {
		n = strlen(line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		more = n > 0 && line[n - 1] == '\\';
		strbuf_add(&b, line, more ? n - 1 : strlen(line));
		explicit_bzero(line, strlen(line));
		free(line);
		if (!more)
			break;
		strbuf_putc(&b, ' ');
		prompt = "...> ";
	}
	if (line == NULL && b.len == 0) {
		strbuf_free(&b);
		return NULL;
	}
	if (!tty) {
		shown = cmd_redact(b.s != NULL ? b.s : "");
		printf("phalanx> %s\n", shown);
		free(shown);
	}
	return strbuf_steal(&b);
}

static void
shell_reconcile_note(const char *line, void *arg)
{
	fprintf(stderr, "%s\n", line);
}

int
shell_main(struct config *cfg, int json)
{
	struct shell	 sh;
	struct err	 err;
	char		*line, *hist;
	int		 tty = isatty(STDIN_FILENO);

	memset(&sh, 0, sizeof sh);
	sh.json = json;
	err_clear(&err);
	if (batch_env_open(&sh.env, cfg, "console", 1, &err) != 0) {
		fprintf(stderr, "phalanx: %s\n", err.msg);
		return CMD_UNREACHABLE;
	}
	/* A secret may come from a file, the environment or the next line. */
	cmd_secret_sources(CMD_SRC_ENV | CMD_SRC_FILE | CMD_SRC_STDIN);
	/* Its passes run while a command does (the loop runs then). */
	batch_env_reconcile(&sh.env, shell_reconcile_note, &sh);
	hist = shell_history_path(&sh);
	ui_history_open(hist, SHELL_HISTORY);
	printf("phalanx %s -- type \"help\" for commands, Ctrl-D to quit\n",
	    PX_VERSION);
	while ((line = shell_read(tty)) != NULL) {
		if (*line != '\0') {
			ui_history_add(hist, line);
			shell_line(&sh, line);
		}
		explicit_bzero(line, strlen(line));
		free(line);
	}
	putchar('\n');
	ui_history_close(hist, SHELL_HISTORY);
	free(hist);
	batch_env_close(&sh.env);
	loop_free();
	return sh.worst;
}
