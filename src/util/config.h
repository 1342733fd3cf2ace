/*
 * config: phalanx settings from four layers, lowest to highest precedence:
 * built-in defaults < config file < environment < command line (-o).
 *
 * Every key is declared in one table with its type, default and a line of
 * documentation; anything not in the table is an error naming where it came
 * from ("phalanx.conf:12: unknown key ...").  A layer is validated whole
 * before any of it is applied, so a bad file never half-applies.
 */
#ifndef PX_CONFIG_H
#define PX_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

enum config_type {
	CONFIG_STRING,
	CONFIG_PATH,		/* string; a leading "~/" is expanded */
	CONFIG_INT,		/* whole number in [min, max] */
	CONFIG_BOOL,		/* true/false (yes/no, on/off, 1/0) */
	CONFIG_TRISTATE,	/* a bool that also accepts "auto" */
	CONFIG_ENUM,		/* one of choices ("a|b|c") */
	CONFIG_DURATION,	/* milliseconds: 5000, 250ms, 5s, 2m */
	CONFIG_HOSTPORT		/* host:port or [v6addr]:port */
};

struct config_key {
	const char		*name;		/* "section.key" */
	enum config_type	 type;
	const char		*def;		/* NULL: computed at config_new */
	long long		 min, max;	/* INT and DURATION */
	const char		*choices;	/* ENUM: "debug|info|warn|error" */
	int			 flags;		/* CONFIG_F_* */
	const char		*doc;
};

#define CONFIG_F_SECRET		0x1	/* may hold a password: masked */
#define CONFIG_F_NONZERO	0x2	/* INT: 0 is not allowed */
#define CONFIG_F_NONEMPTY	0x4	/* STRING, PATH: must not be empty */

struct config;

/* The key table, for `phalanx config`, docs and completion. */
const struct config_key *config_keys(size_t *n);
const struct config_key *config_key_find(const char *name);
/* "string", "int 1..30", "debug|info|warn|error", "duration (ms)", ... */
char *config_key_type_text(const struct config_key *);

/* A configuration holding every key at its built-in default. */
struct config *config_new(void);
void config_free(struct config *);

/*
 * Read a config file.  A missing file is an error only with must_exist (an
 * explicit --config or PHALANX_CONFIG); the default file may be absent.
 */
int config_load_file(struct config *, const char *path, int must_exist,
    struct err *);

/*
 * Apply PHALANX_DSN, PHALANX_HOME and PHALANX_<SECTION>_<KEY> from envp
 * (NULL: the process environment).  Empty variables count as unset.
 */
int config_load_env(struct config *, char **envp, struct err *);

/*
 * The usual start-up sequence: the file named by cli_path (--config), else
 * by PHALANX_CONFIG, else path_config_file(); then the environment.  The
 * caller applies -o flags afterwards with config_set_flag.
 */
int config_load(struct config *, const char *cli_path, char **envp,
    struct err *);

/* One value; source is recorded for config_source ("FILE:LINE", ...). */
int config_set(struct config *, const char *key, const char *value,
    const char *source, struct err *);
/* A command-line "-o key=value". */
int config_set_flag(struct config *, const char *kv, struct err *);

/*
 * Typed getters.  Asking for a key that is not in the table, or with the
 * wrong getter, is a programming error and calls fatal().
 */
const char *config_str(const struct config *, const char *key);
int64_t config_int(const struct config *, const char *key); /* INT, DURATION */
int config_bool(const struct config *, const char *key); /* 1, 0; -1 auto */
int config_enum(const struct config *, const char *key); /* choice index */
/* "default", "FILE:LINE", "env NAME" or "-o". */
const char *config_source(const struct config *, const char *key);

/* The value as it may be shown: passwords in secret keys masked. Owned. */
char *config_display(const struct config *, const char *key);
/* Every key as "key = value  # source", valid config file syntax. */
void config_dump(const struct config *, struct strbuf *);

#endif
