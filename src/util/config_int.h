/*
 * config internals shared by config.c, config_keys.c, config_value.c and
 * config_load.c: the key table and the values a configuration holds.
 */
#ifndef PX_CONFIG_INT_H
#define PX_CONFIG_INT_H

#include <stddef.h>

#include "util/config.h"

/* config_keys.c; CONFIG_NKEYS is checked against the table there. */
#define CONFIG_NKEYS	60
extern const struct config_key	config_table[];

int		 config_index(const char *);
void		 config_range_text(const struct config_key *, char *, size_t);
const char	*config_suggest(const char *);

struct config_val {
	char		*text;		/* canonical text */
	long long	 num;		/* INT, DURATION, BOOL, ENUM index */
	char		*source;
};

struct config {
	struct config_val	 vals[CONFIG_NKEYS];
};

/* config_value.c */
int	config_parse_value(const struct config_key *, const char *, char **,
	    long long *, char *, size_t);

#endif
