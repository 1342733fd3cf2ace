/* Shared by the rms and incident command files only. */
#ifndef PX_CMD_RMS_INT_H
#define PX_CMD_RMS_INT_H

#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"

/* Seed the shipped templates, then call next: each handler's first step. */
void cmd_rms_seed_then(struct cmd_job *, void (*next)(struct cmd_job *));
/*
 * The scopes a target names ([{kind, name}]): all is the firm, a group
 * its tag, accounts each account; *ids gets the accounts' ids.  Unknown
 * accounts and tags no account carries are errors.
 */
json_t *cmd_rms_scopes(const struct target *, const struct account_set *,
    json_t **ids, struct err *);
/* cmd_rms_state.c: rms state, override, approve, overrides. */
cmd_handler cmd_rms_more_handler(enum cmd_kind);

#endif
