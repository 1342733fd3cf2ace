/*
 * core: the trading nouns -- accounts, and (core/target.h) how a target
 * picks them.
 * Money is int64 paise; ratios (multiplier, weight) are fixed-point with
 * four decimals (10000 = 1.0) so allocation never touches binary floats.
 */
#ifndef PX_CORE_H
#define PX_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/target.h"
#include "util/util.h"

#define CORE_RATIO_ONE 10000	/* fixed-point scale of multiplier/weight */

enum trading_state { TRADING_ACTIVE, TRADING_REDUCING, TRADING_HALTED };

struct account {
	int64_t			 id;
	char			*name;
	char			*broker;
	char			*user_id;
	int			 enabled;
	int			 priority;	/* lower runs first */
	int			 lots;		/* per-signal lots (policy fixed) */
	int64_t			 multiplier;	/* CORE_RATIO_ONE = 1x */
	int64_t			 capital;	/* paise */
	int64_t			 weight;	/* CORE_RATIO_ONE = 1 */
	int			 max_lots;	/* 0 = no cap */
	enum trading_state	 state;
	char			**tags;
	size_t			 ntags;
};

struct account_set {
	struct account	*v;
	size_t		 n;
};

void account_set_free(struct account_set *);
void account_set_copy(struct account_set *dst, const struct account_set *);
int account_has_tag(const struct account *, const char *tag);
/* Sort by priority, then name: the order every fan-out walks. */
void account_set_sort(struct account_set *);
const char *trading_state_name(enum trading_state);
int trading_state_parse(const char *, enum trading_state *);

/* Fixed-point decimal text <-> int64 ("12.5" scale 2 -> 1250). */
int decimal_parse(const char *, int scale, int64_t *out);
char *decimal_format(int64_t v, int scale);

#endif
