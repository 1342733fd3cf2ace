/* ui: the console fronts. */
#ifndef PX_UI_H
#define PX_UI_H

#include "util/config.h"

/* The line console (readline prompt); returns the exit status. */
int shell_main(struct config *, int json);

#endif
