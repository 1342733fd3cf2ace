/*
 * cmd: the phalanx command language (../shared/COMMANDS.md) -- lexer and
 * parser into struct cmd, shared by the console's command bar, batch mode
 * and -c.  Parsing validates syntax and value types only; whether an
 * account or broker exists is the executor's business.
 */
#ifndef PX_CMD_H
#define PX_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "core/target.h"
#include "util/util.h"

enum cmd_kind {
	CMD_BROKER_ADD, CMD_BROKER_LIST, CMD_BROKER_RM,
	CMD_ACCOUNT_ADD, CMD_ACCOUNT_SET, CMD_ACCOUNT_TAG,
	CMD_ACCOUNT_ENABLE, CMD_ACCOUNT_DISABLE, CMD_ACCOUNT_RM,
	CMD_ACCOUNT_LIST,
	CMD_INSTRUMENTS_LOAD,
	CMD_BUY, CMD_SELL, CMD_SQUAREOFF, CMD_CANCEL, CMD_CANCEL_ORDER,
	CMD_KILL, CMD_UNKILL, CMD_POSITIONS, CMD_ORDERS, CMD_FANOUTS,
	CMD_FANOUT_SHOW, CMD_FANOUT_RESUME, CMD_LATENCY,
	CMD_RMS_TEMPLATE_LIST, CMD_RMS_TEMPLATE_SHOW, CMD_RMS_TEMPLATE_ADD,
	CMD_RMS_TEMPLATE_SET, CMD_RMS_APPLY, CMD_RMS_STATE, CMD_RMS_OVERRIDE,
	CMD_RMS_APPROVE, CMD_RMS_OVERRIDES, CMD_RMS_HALT, CMD_RMS_REDUCE,
	CMD_RMS_RESUME,
	CMD_INCIDENT_LIST, CMD_INCIDENT_SHOW, CMD_INCIDENT_ACK,
	CMD_INCIDENT_NOTE, CMD_INCIDENT_STEP, CMD_INCIDENT_RESOLVE,
	CMD_INCIDENT_SIGNOFF, CMD_AUDIT_VERIFY,
	CMD_PCR, CMD_GAMMA, CMD_EQUITY, CMD_PNL, CMD_EXPOSURE, CMD_SLA,
	CMD_CONNECTOR_ADD, CMD_CONNECTOR_LIST, CMD_WEBHOOK_REPLAY,
	CMD_CONNECTOR_SHOW, CMD_CONNECTOR_ENABLE, CMD_CONNECTOR_DISABLE,
	CMD_CONNECTOR_RM, CMD_STRATEGY_ADD, CMD_STRATEGY_LIST, CMD_STRATEGY_SHOW,
	CMD_WEBHOOK_LIST, CMD_WEBHOOK_SHOW,
	CMD_SCHEDULE_ADD, CMD_SCHEDULE_RUN, CMD_SCHEDULE_LIST,
	CMD_SCHEDULE_PAUSE, CMD_SCHEDULE_RESUME, CMD_SCHEDULE_RM,
	CMD_CALENDAR_LIST, CMD_CALENDAR_LOAD,
	CMD_RUN_LIST, CMD_RUN_SHOW, CMD_RUN_LOGS, CMD_RUN_CANCEL,
	CMD_ALERT_RULE_ADD, CMD_ALERT_RULE_LIST, CMD_ALERT_RULE_RM,
	CMD_EXPORT, CMD_EXPORT_VERIFY,
	CMD_CHANNEL_ADD, CMD_CHANNEL_LIST, CMD_CHANNEL_RM, CMD_CHANNEL_TEST,
	CMD_NOTIFY_RULE_ADD, CMD_NOTIFY_RULE_LIST, CMD_NOTIFY_RULE_RM,
	CMD_NOTIFY_SEND, CMD_ALERTS, CMD_ALERT_SHOW, CMD_ALERT_RETRY,
	CMD_HELP,
	CMD__COUNT
};

/* Target syntax and struct target: core/target.h. */

/*
 * One option or positional argument, in the order given.  Keys are
 * canonical: positional arguments are named ("name", "symbol", "qty",
 * "target", "id", "tag", ...); options keep their keyword ("lots",
 * "max-lots", "api-key", ...); flags have value "1" ("dry-run", "json").
 * Values are validated strings: integers match -?[0-9]+, decimals
 * [0-9]+(\.[0-9]+)?, enums are lower-cased.  Repeated keys are allowed
 * where the grammar allows them (account tag: "+tag"/"-tag").
 */
struct cmd_arg {
	char	*key;
	char	*val;
	int	 col;		/* 1-based column where the value starts */
};

struct cmd {
	enum cmd_kind		 kind;
	const char		*name;	/* canonical, "account add" */
	int			 line;	/* 1-based in its source */
	char			*text;	/* the source line(s), joined */
	struct cmd_arg		*args;
	size_t			 nargs;
	struct target	*target;	/* when the command has one */
	int			 json;		/* --json given */
};

struct cmd_list {
	struct cmd	*v;
	size_t		 n;
};

/*
 * Parse error: err->code "parse", err->msg
 * "line 3, column 14: expected a number for lots, got \"x\"".
 * pos (when not NULL) gets the line and column too.
 */
struct cmd_pos {
	int	line;
	int	col;
};

/* Parse one command (no newlines).  0 on success; -1 with err and pos. */
int cmd_parse_line(const char *text, int line, struct cmd *out,
    struct cmd_pos *pos, struct err *err);
/*
 * Parse a whole script: comments, blank lines, "\" continuations.  All or
 * nothing: on error, out is left empty and the first error is reported.
 */
int cmd_parse_script(const char *text, struct cmd_list *out,
    struct cmd_pos *pos, struct err *err);
/*
 * The same over len bytes that may hold a NUL: a NUL, like any control
 * byte but tab (and the line breaks "\n" and "\r\n"), is a parse error
 * wherever it stands, never the end of the text.
 */
int cmd_parse_buf(const char *text, size_t len, struct cmd_list *out,
    struct cmd_pos *pos, struct err *err);

void cmd_free(struct cmd *);
void cmd_list_free(struct cmd_list *);

/* Argument access; NULL / default when absent. */
const char *cmd_get(const struct cmd *, const char *key);
int cmd_has(const struct cmd *, const char *key);
int64_t cmd_get_int(const struct cmd *, const char *key, int64_t def);

/*
 * For completion and help: the words of the commands that are built and
 * their keywords.
 */
const char *const *cmd_words(void);		/* NULL-terminated */
const char *cmd_usage(enum cmd_kind);	/* one-line synopsis */
/* 0 for a command that parses but is not built yet (help marks it). */
int cmd_built(enum cmd_kind);
/* Canonical name ("account add") for --json "cmd"; NULL if unknown. */
const char *cmd_name(enum cmd_kind);
/*
 * Secrets (redact.c holds the one table of the option words that carry
 * them: access-token, api-secret, bot-token, password, secret, token...;
 * api-key is a credential but no secret).  Whatever shows, stores or logs
 * a command's text -- history, screen, feed, logs, --json, error
 * messages -- goes through these.
 */
int cmd_secret_word(const char *);	/* its value is a secret */
int cmd_credential_word(const char *);	/* a secret or an API key */
/* A reference to a secret (@env:NAME, @file:PATH, -), not the secret. */
int cmd_secret_ref(const char *);
/*
 * Text (a line, a script, even one the parser refused) with every secret
 * value as "***"; owned by the caller.
 */
char *cmd_redact(const char *);
char *cmd_text_redacted(const struct cmd *);
/* The same in place, each secret byte starred (same length, same columns). */
void cmd_redact_mask(char *);
/* Every secret that src (or the command) carries replaced in msg. */
void cmd_redact_msg(const char *src, char *msg, size_t len);
void cmd_redact_msg_cmd(const struct cmd *, char *msg, size_t len);

/*
 * Where a secret option's value may come from besides the line itself
 * (secret_src.c): "@env:NAME", "@file:PATH", "-" (one line of standard
 * input, not echoed on a terminal).  Each front allows what it can offer:
 * the console cannot read stdin, a script read from stdin neither.
 * Nothing is allowed until a front says so.
 */
#define CMD_SRC_ENV	0x1
#define CMD_SRC_FILE	0x2
#define CMD_SRC_STDIN	0x4
void cmd_secret_sources(unsigned);

#endif
