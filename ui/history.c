/*
 * The command history both consoles share ($PHALANX_HOME/history, in
 * readline's format), kept without secrets: a line is redacted before it
 * enters the history, in memory (Up recalls "access-token ***", which the
 * parser refuses) as on disk, and a file written by an older phalanx is
 * cleaned when it is read.  The file is the user's alone (0600).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>

#include "cmd/cmd.h"
#include "ui/ui.h"

static void
history_entry_free(HIST_ENTRY *h)
{
	if (h == NULL)
		return;
	if (h->line != NULL)
		explicit_bzero(h->line, strlen(h->line));
	free_history_entry(h);
}

void
ui_history_open(const char *path, int max)
{
	HIST_ENTRY	*h;
	char		*r;
	int		 i, dirty = 0;

	using_history();
	stifle_history(max);
	chmod(path, 0600);
	read_history(path);
	for (i = 0; i < history_length; i++) {
		if ((h = history_get(history_base + i)) == NULL)
			continue;
		r = cmd_redact(h->line);
		if (strcmp(r, h->line) != 0) {
			history_entry_free(replace_history_entry(i, r,
			    h->data));
			dirty = 1;
		}
		free(r);
	}
	if (dirty)
		write_history(path);
}

/* Add a line (redacted) unless it repeats the last one; append to path. */
void
ui_history_add(const char *path, const char *line)
{
	HIST_ENTRY	*last;
	char		*r;

	r = cmd_redact(line);
	last = history_length > 0 ? history_get(history_base +
	    history_length - 1) : NULL;
	if (last == NULL || strcmp(last->line, r) != 0) {
		add_history(r);
		if (append_history(1, path) != 0)
			write_history(path);
	}
	free(r);
}

void
ui_history_close(const char *path, int max)
{
	history_truncate_file(path, max);
	clear_history();
}
