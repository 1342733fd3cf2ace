/*
 * auto: the headless daemon and what it hosts -- today the broker
 * postback receiver, health and /metrics; webhook connectors, schedules
 * and workflow runs join it here.
 */
#ifndef PX_AUTO_H
#define PX_AUTO_H

#include "util/config.h"

/* `phalanx serve`; returns the process exit status. */
int serve_main(int argc, char **argv, struct config *);

#endif
