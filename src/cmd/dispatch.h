/*
 * exec: runs parsed commands against the engine, asynchronously on the
 * loop.  Every front (batch, console, daemon) calls exec_cmd() and renders
 * the exec_result it gets back; nothing here prints.
 */
#ifndef PX_CMD_EXEC_H
#define PX_CMD_EXEC_H

#include <jansson.h>

#include "cmd/cmd.h"
#include "db/store.h"
#include "util/config.h"

struct router;
struct mtm;
struct reconcile;

struct exec_env {
	struct store		*store;
	struct router		*router;
	struct mtm		*mtm;		/* console and daemon only */
	struct reconcile	*recon;		/* with the router */
	void			(*say)(const char *, void *);	/* its lines */
	void			*say_arg;
	int			 warned;
	struct config		*cfg;
	const char		*front;		/* batch, console, daemon */
	char			*home;		/* PHALANX_HOME */
};

/* Exit classes, in COMMANDS.md's order of exit codes. */
enum exec_status {
	EXEC_OK = 0,
	EXEC_FAILED = 1,
	EXEC_USAGE = 2,
	EXEC_UNREACHABLE = 3
};

struct exec_result {
	enum exec_status	 status;
	struct err		 err;
	json_t			*data;		/* owned; may be NULL */
	char			*text;		/* human text; NULL: render data */
	const char *const	*columns;	/* table columns for array data */
};

typedef void (*exec_done_cb)(const struct cmd *, struct exec_result *,
    void *arg);

void exec_cmd(struct exec_env *, const struct cmd *, exec_done_cb, void *);
void exec_result_clear(struct exec_result *);
/* 1 when the command runs in this build (else "not-available"). */
int exec_handles(enum cmd_kind);
/* The exit class an error code belongs to. */
enum exec_status exec_status_of(const char *code);

/* output.c: render a result for people or as a --json line. */
char *exec_render_text(const struct exec_result *);
char *exec_render_json(const struct cmd *, const struct exec_result *);

#endif
