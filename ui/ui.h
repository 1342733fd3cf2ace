/* ui: the console fronts. */
#ifndef PX_UI_H
#define PX_UI_H

#include "util/config.h"

/* The line console (readline prompt); returns the exit status. */
int shell_main(struct config *, int json);

/*
 * The full-screen console (ncurses, readline command bar); returns the
 * exit status: 0, 2 without a terminal, 3 when the store is unreachable.
 */
int tui_main(struct config *);

/*
 * history.c: the readline history shared by both consoles, without
 * secrets (every line goes through cmd_redact first).
 */
void ui_history_open(const char *path, int max);
void ui_history_add(const char *path, const char *line);
void ui_history_close(const char *path, int max);

#endif
