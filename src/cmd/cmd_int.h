/*
 * cmd internals shared by lexer.c, grammar.c, parser.c and the parser's
 * helpers (args.c, match.c, value.c, redact.c): tokens, the grammar table's
 * shape and the parse state the per-command hooks see.
 */
#ifndef PX_CMD_INT_H
#define PX_CMD_INT_H

#include "cmd/cmd.h"

/* Longest value we accept for any one token (free text, URLs, paths). */
#define CMD_MAX_VALUE	4096

/*
 * The largest QTY of a buy or sell, in lots or units: ten million units
 * is more than any exchange takes in one fan-out per account (the freeze
 * quantities are a few thousand units); allocation enforces the rest
 * (ALLOC_MAX_UNITS, ALLOC_MAX_SLICES) once the lot size is known.
 */
#define CMD_MAX_QTY	10000000

/* What a name, a tag and an order tag may be; the store checks the same. */
#define CMD_NAME_RULE	"a letter or digit, then letters, digits, " \
	"'_', '.' or '-', up to 64 characters"
#define CMD_TAG_RULE	"a letter or digit, then letters, digits, " \
	"'_' or '-', up to 32 characters"
#define CMD_ORDER_TAG_RULE "a letter or digit, then letters, digits, " \
	"spaces, '_', '.', ':', '/' or '-', up to 20 characters"

/* A token of one logical line; columns are 1-based byte offsets. */
struct cmd_tok {
	char	*s;		/* value, quotes and escapes removed */
	int	 col;		/* first byte (the quote when quoted) */
	int	 end;		/* one past the last byte */
	int	 quoted;
};

struct cmd_toks {
	struct cmd_tok	*v;
	size_t		 n;
	size_t		 cap;
	int		 textend;	/* one past the last token */
};

/* A parse error before it is given its "line L, column C: " prefix. */
struct cmd_perr {
	int	col;
	char	msg[448];
};

/* lexer.c */
int	cmd_lex(const char *, struct cmd_toks *, struct cmd_perr *);
void	cmd_toks_free(struct cmd_toks *);
void	cmd_tok_show(const char *, char *, size_t);
int	cmd_perr_set(struct cmd_perr *, int, const char *, ...)
	    PX_PRINTF(3, 4);
int	cmd_script_next(const char **, const char *, int *, int *,
	    struct strbuf *);
size_t	cmd_bad_byte(const char *, size_t, int, char *, size_t);

/* How a value is checked and made canonical. */
enum cmd_vtype {
	V_NONE,		/* a bare keyword: market, lots, units */
	V_NAME,		/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63} */
	V_TAG,		/* [A-Za-z0-9][A-Za-z0-9_-]{0,31} */
	V_TAGS,		/* tag,tag,... or "" for none */
	V_TEXT,		/* free text: one word or a quoted string */
	V_REASON,	/* V_TEXT on a safety action: bad UTF-8 repaired */
	V_ORDER_TAG,	/* [A-Za-z0-9][A-Za-z0-9 _.:/-]{0,19} */
	V_SECRET,	/* API key or token: printable, no spaces */
	V_URL,
	V_PATH,
	V_INT,		/* whole number >= 0, at most max (INT32_MAX) */
	V_ID,		/* whole number > 0, 64-bit */
	V_ORDER_ID,	/* a phalanx or broker order id, kept verbatim */
	V_QTY,		/* whole number > 0, at most max (CMD_MAX_QTY) */
	V_DEC2,		/* >= 0, at most 2 decimals (rupees.paise) */
	V_DEC4,		/* >= 0, at most 4 decimals */
	V_PRICE,	/* > 0, at most 2 decimals */
	V_ENUM,		/* one of enums, stored lower case */
	V_ENUM_UPPER,	/* one of enums, stored upper case */
	V_SYMBOL,	/* [EXCH:]SYMBOL; also stores "exchange" */
	V_TARGET,	/* also fills cmd->target */
	V_DATE,		/* YYYY-MM-DD */
	V_TIME,		/* HH:MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM */
	V_CRON,		/* "M H DOM MON DOW" */
	V_LIMIT_VALUE,	/* a decimal or a word */
	V_COMMAND,	/* the rest of the line: a command to run later */
	V_HELP		/* the rest of the line: command words */
};

#define OPT_REQUIRED	0x1

/* A keyword option: "word VALUE", "word V1 V2" or a bare "word". */
struct cmd_opt {
	const char		*word;
	const char		*key;	/* stored key; NULL means word */
	enum cmd_vtype		 type;
	const char *const	*enums;
	const char		*what;	/* "a whole number of lots" */
	const char		*group;	/* one-of group, stored group=word */
	enum cmd_vtype		 type2;	/* a second value (sl TRIGGER PRICE) */
	const char		*key2;
	const char		*what2;
	int			 flags;
	int64_t			 max;	/* numbers: the largest (whole part) */
};

struct cmd_posarg {
	const char		*key;
	enum cmd_vtype		 type;
	const char *const	*enums;
	const char		*what;
	int			 optional;
	int64_t			 max;
};

struct cmd_pstate;

struct cmd_def {
	enum cmd_kind		 kind;
	const char		*name;		/* "account add" */
	const char		*usage;
	struct cmd_posarg	 pos[3];
	const struct cmd_opt	*opts;		/* ends with word NULL */
	const char *const	*flags;		/* beyond --json */
	int			 min_opts;	/* account set */
	int			 target_all;	/* no target given means all */
	/*
	 * Parsed (so scripts can be checked) but not built yet: help says
	 * so, completion leaves it out, the executor answers
	 * "not-available".  Building a command is clearing this flag.
	 */
	int			 later;
	/* A token that is no option: 1 taken, 0 not ours, -1 error. */
	int			(*extra)(struct cmd_pstate *,
				    const struct cmd_tok *);
	/* Checks across arguments once the line is read. */
	int			(*check)(struct cmd_pstate *);
};

/* What a hook sees while one command is parsed. */
struct cmd_pstate {
	const struct cmd_def	*def;
	struct cmd		*cmd;
	const struct cmd_toks	*toks;
	const char		*text;
	struct cmd_perr		*err;
	int			 depth;		/* 1 inside "run COMMAND" */
	int			 nopts;		/* options given so far */
};

/* grammar.c */
extern const struct cmd_def	cmd_defs[];
extern const size_t		cmd_ndefs;
extern const char *const	cmd_exchanges[];
const struct cmd_def	*cmd_def_of(enum cmd_kind);
/* Every row, grammar.c's and the command-family files' (cmd_*.c). */
size_t			 cmd_def_count(void);
const struct cmd_def	*cmd_def_at(size_t);

/* cmd_notify.c */
extern const struct cmd_def	cmd_notify_defs[];
extern const size_t		cmd_notify_ndefs;
/* cmd_rms.c, cmd_incident.c */
extern const struct cmd_def	cmd_rms_defs[];
extern const size_t		cmd_rms_ndefs;
extern const struct cmd_def	cmd_incident_defs[];
extern const size_t		cmd_incident_ndefs;
/* cmd_notify.c: local@domain with nothing a header could abuse. */
int cmd_email_ok(const char *);
/* cmd_export.c */
extern const struct cmd_def	cmd_export_defs[];
extern const size_t		cmd_export_ndefs;
/* cmd_connector.c */
extern const struct cmd_def	cmd_connector_defs[];
extern const size_t		cmd_connector_ndefs;
/* cmd_analytics.c */
extern const struct cmd_def	cmd_analytics_defs[];
extern const size_t		cmd_analytics_ndefs;

/* cmd_schedule.c (schedule, calendar), cmd_run.c (run, alert rule) */
extern const struct cmd_def	cmd_schedule_defs[];
extern const size_t		cmd_schedule_ndefs;
extern const struct cmd_def	cmd_run_defs[];
extern const size_t		cmd_run_ndefs;

/* args.c; cmd_add_arg is also for the hooks in grammar.c */
void	cmd_add_arg(struct cmd *, const char *, const char *, int);
const struct cmd_arg *cmd_find_arg(const struct cmd *, const char *);
void	cmd_target_free(struct target *);

/* parser.c, for the hooks in grammar.c */
void	cmd_enum_list(const char *const *, char *, size_t, const char *);
/* parser.c, for value.c */
int	cmd_is_keyword(const struct cmd_def *, const struct cmd_tok *);

/* match.c */
size_t	cmd_edit_distance(const char *, const char *);
const char *cmd_suggest(const char *, const char *const *, size_t);
int	cmd_def_prefix(const struct cmd_def *, const struct cmd_tok *, size_t);
int	cmd_bad_command_word(const struct cmd_tok *, size_t,
	    const struct cmd_tok *, int, struct cmd_perr *);
const struct cmd_def *cmd_match_command(const struct cmd_toks *, size_t *,
	    struct cmd_perr *);

/* secret_src.c: what @env:, @file: or - names; *out NULL when literal. */
int	cmd_secret_resolve(struct cmd_pstate *, const char *,
	    const struct cmd_tok *, char **);

/* value.c */
int	cmd_store_value(struct cmd_pstate *, const char *, enum cmd_vtype,
	    const char *const *, const char *, const char *, int64_t,
	    const struct cmd_tok *);

/* lexer.c: values; cmd_check_value returns the canonical form in *out. */
int	cmd_chars_ok(const char *, const char *, size_t);
int	cmd_name_ok(const char *, const char *, size_t);
char	*cmd_check_symbol(const char *, char **);
const char *cmd_type_what(enum cmd_vtype, const char *const *, char *,
	    size_t);
int	cmd_check_value(struct cmd_pstate *, enum cmd_vtype,
	    const char *const *, const char *, const char *, int64_t,
	    const struct cmd_tok *, char **);

#endif
