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

#endif
