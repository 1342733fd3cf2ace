/* demo: `phalanx demo seed`, a demo desk in an empty store. */
#ifndef PX_DEMO_H
#define PX_DEMO_H

#include "util/config.h"

/* argv[0] is "demo"; returns the process exit status. */
int demo_main(int argc, char **argv, struct config *);

#endif
