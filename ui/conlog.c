/*
 * Nothing writes over the screen.  While curses owns the terminal, file
 * descriptor 2 points at a log file (log.file, else console.log under
 * PHALANX_HOME): a stray fprintf(stderr) deep in a library, a libpq notice
 * or a warning logged with no log file all land there instead of on top
 * of the matrix.  Warnings and errors logged by the engine also reach the
 * trader, as feed lines and (errors) on the message line.  The old stderr
 * comes back on exit and, async-signal-safely, on a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/tui.h"

/* The same message again within this window is not repeated on screen. */
#define CONLOG_REPEAT_US	5000000

static int		 conlog_saved = -1;	/* the terminal's stderr */
static char		 conlog_last[256];
static int64_t		 conlog_last_us;

static void
conlog_sink(enum log_level lvl, const char *mod, const char *msg, void *arg)
{
	struct tui	*tui = arg;
	char		 line[256];
	int64_t		 now = time_mono_us();

	if (lvl < LOG_WARN || tui == NULL || tui->quit)
		return;
	snprintf(line, sizeof line, "%s: %s", mod, msg);
	if (strcmp(line, conlog_last) == 0 &&
	    now - conlog_last_us < CONLOG_REPEAT_US)
		return;
	snprintf(conlog_last, sizeof conlog_last, "%s", line);
	conlog_last_us = now;
	tui_feed_note(tui, lvl >= LOG_ERROR ? WR_BAD : WR_WARN, "%s", line);
	if (lvl >= LOG_ERROR)
		tui_message(tui, WR_BAD, "%s (details in the log)", line);
	else
		tui_dirty(tui);
}

char *
tui_conlog_path(const struct tui *tui)
{
	const char	*file = config_str(tui->cfg, "log.file");

	if (file != NULL && *file != '\0')
		return xstrdup(file);
	return xasprintf("%s/console.log", tui->env.home);
}

/* 0, or -1 when the log cannot be opened (stderr is then left alone). */
int
tui_conlog_start(struct tui *tui, struct err *err)
{
	char	*path = tui_conlog_path(tui);
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		err_set(err, "io", "cannot open the console log %s: %s", path,
		    strerror(errno));
		free(path);
		return -1;
	}
	free(path);
	if ((conlog_saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1) {
		err_set(err, "io", "cannot redirect stderr: %s",
		    strerror(errno));
		if (conlog_saved != -1)
			close(conlog_saved);
		conlog_saved = -1;
		close(fd);
		return -1;
	}
	close(fd);
	fcntl(conlog_saved, F_SETFD, FD_CLOEXEC);
	log_set_sink(conlog_sink, tui);
	return 0;
}

/* Async-signal-safe: only dup2 and close. */
void
tui_conlog_restore(void)
{
	if (conlog_saved == -1)
		return;
	dup2(conlog_saved, STDERR_FILENO);
	close(conlog_saved);
	conlog_saved = -1;
}

void
tui_conlog_stop(void)
{
	log_set_sink(NULL, NULL);
	tui_conlog_restore();
}
