/*
 * Commands from the console: parsed like any other front's, run by
 * cmd_run on the loop.  The screen keeps moving while they run; the
 * result lands in the message line, or in a popup when it has several
 * lines, and in the feed.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "ui/tui.h"

struct run_job {
	struct tui	*tui;
	struct cmd	 cmd;
	int64_t		 started_us;
};

static size_t
run_lines(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n' && s[1] != '\0')
			n++;
	}
	return n + 1;
}

static void
run_show_ok(struct tui *tui, const struct cmd *cmd, struct cmd_result *r,
    double secs)
{
	char	*text, *title;
	size_t	 n;

	text = cmd->json ? cmd_render_json(cmd, r) : cmd_render_text(r);
	n = text != NULL && *text != '\0' ? run_lines(text) : 0;
	if (n > 1) {
		title = cmd_text_redacted(cmd);
		tui_popup(tui, *title != '\0' ? title : cmd->name, text);
		free(title);
		tui_message(tui, WR_GOOD, "%s: done in %.2fs (%zu lines)",
		    cmd->name, secs, n);
	} else if (n == 1)
		tui_message(tui, WR_GOOD, "%s: %s", cmd->name, text);
	else
		tui_message(tui, WR_GOOD, "%s: done in %.2fs", cmd->name, secs);
	tui_feed_note(tui, WR_GOOD, "console: %s: ok", cmd->name);
	free(text);
}

static void
run_done(const struct cmd *cmd, struct cmd_result *r, void *arg)
{
	struct run_job	*job = arg;
	struct tui	*tui = job->tui;
	double		 secs;

	tui->jobs--;
	if (!tui->quit) {
		secs = (double)(time_mono_us() - job->started_us) / 1e6;
		if (r->status == CMD_OK)
			run_show_ok(tui, cmd, r, secs);
		else {
			tui_message(tui, WR_BAD, "%s: %s", cmd->name,
			    r->err.msg);
			tui_feed_note(tui, WR_BAD, "console: %s: %s", cmd->name,
			    r->err.msg);
		}
		/* The command may have changed what the views show. */
		tui_data_refresh(tui->data, TUI_D_ACCOUNTS | TUI_D_STATE);
	}
	cmd_free(&job->cmd);
	free(job);
}

/*
 * The line is echoed (message line, feed) only redacted; a parse error
 * is redacted by the parser.
 */
void
tui_run_line(struct tui *tui, const char *line)
{
	struct run_job	*job;
	struct cmd_pos	 pos;
	struct err	 err;
	char		*shown;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#')
		return;
	if (tui_tour_command(tui, line))
		return;
	job = xcalloc(1, sizeof *job);
	job->tui = tui;
	err_clear(&err);
	if (cmd_parse_line(line, 1, &job->cmd, &pos, &err) != 0) {
		tui_message(tui, WR_BAD, "%s", err.msg);
		free(job);
		return;
	}
	job->started_us = time_mono_us();
	tui->jobs++;
	shown = cmd_redact(line);
	tui_message(tui, WR_INFO, "running: %s", shown);
	tui_feed_note(tui, WR_ACCENT, "console: %s", shown);
	free(shown);
	cmd_run(&tui->env, &job->cmd, run_done, job);
}
