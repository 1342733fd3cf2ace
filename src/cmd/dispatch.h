/*
 * dispatch: runs parsed commands against the engine, asynchronously on the
 * loop.  Every front (batch, console, daemon) calls cmd_run() and renders
 * the cmd_result it gets back; nothing here prints.
 */
#ifndef PX_CMD_DISPATCH_H
#define PX_CMD_DISPATCH_H

#include <jansson.h>

#include "cmd/cmd.h"
#include "db/store.h"
#include "util/config.h"

struct router;
struct mtm;
struct reconcile;
struct rms_engine;
struct an_snap;

struct cmd_env {
	struct store		*store;
	struct router		*router;
	struct mtm		*mtm;		/* console and daemon only */
	struct an_snap		*snap;		/* console and daemon only */
	struct reconcile	*recon;		/* with the router */
	struct rms_engine	*rms;		/* its guard; monitors if duty */
	void			(*say)(const char *, void *);	/* its lines */
	void			*say_arg;
	/*
	 * Output that arrives while a command runs (run logs --follow):
	 * the front shows each piece at once; NULL keeps it for the result.
	 */
	void			(*stream)(const char *, void *);
	void			*stream_arg;
	int			 warned;
	struct config		*cfg;
	const char		*front;		/* batch, console, daemon */
	char			*home;		/* PHALANX_HOME */
};

/* Exit classes, in COMMANDS.md's order of exit codes. */
enum cmd_status {
	CMD_OK = 0,
	CMD_FAILED = 1,
	CMD_USAGE = 2,
	CMD_UNREACHABLE = 3
};

struct cmd_result {
	enum cmd_status	 status;
	struct err		 err;
	json_t			*data;		/* owned; may be NULL */
	char			*text;		/* human text; NULL: render data */
	const char *const	*columns;	/* table columns for array data */
};

typedef void (*cmd_done_cb)(const struct cmd *, struct cmd_result *,
    void *arg);

void cmd_run(struct cmd_env *, const struct cmd *, cmd_done_cb, void *);
void cmd_result_clear(struct cmd_result *);
/* 1 when the command runs in this build (else "not-available"). */
int cmd_handles(enum cmd_kind);
/* The exit class an error code belongs to. */
enum cmd_status cmd_status_of(const char *code);

/* output.c: render a result for people or as a --json line. */
char *cmd_render_text(const struct cmd_result *);
char *cmd_render_json(const struct cmd *, const struct cmd_result *);

#endif
