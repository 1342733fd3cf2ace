/*
 * target: whom a command reaches -- all | group:TAG | TAG |
 * acct:NAME[,acct:NAME...] -- and its resolution against the registry.
 * A noun of core: the parser (cmd) builds one, the router (exec) resolves
 * it here, so both agree on who a command reaches and in what order.
 */
#ifndef PX_CORE_TARGET_H
#define PX_CORE_TARGET_H

#include <stddef.h>

struct account;
struct account_set;
struct err;

/* A bare word that is not "all" is a tag (group). */
enum target_kind { TARGET_ALL, TARGET_GROUP, TARGET_ACCOUNTS };

struct target {
	enum target_kind   kind;
	char		 **names;	/* group: 1 tag; accounts: n names */
	size_t		   n;
};

/*
 * Resolve a target against the registry (which need not be sorted).
 * out gets pointers into all, in priority order, each account once.
 * Unknown acct: names, and a tag no account carries, are errors that name
 * them; disabled accounts are included (the router says why it skips them).
 */
struct target_match {
	const struct account	**v;
	size_t			  n;
};

int target_resolve(const struct target *, const struct account_set *all,
    struct target_match *out, struct err *);
void target_match_free(struct target_match *);
/* "all", "group:TAG", "acct:a,acct:b" -- for storage and display. */
char *target_format(const struct target *);

#endif
