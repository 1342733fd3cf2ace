/*
 * Private to db/: finding PostgreSQL's programs and running them as a user
 * PostgreSQL agrees to run as.
 */
#ifndef PX_DB_PGEXEC_H
#define PX_DB_PGEXEC_H

#include <sys/types.h>

#include "util/util.h"

/* Who the cluster's programs run as: ourselves, or a system user if root. */
struct db_pg_user {
	int	 drop;		/* switch to uid/gid before exec */
	uid_t	 uid;
	gid_t	 gid;
	char	 name[64];
};

char	*db_pg_bindir(struct err *);
char	*db_pg_program(const char *, struct err *);
int	 db_pg_user(struct db_pg_user *, struct err *);
int	 db_pg_run(const struct db_pg_user *, const char *, char *const [],
	     struct strbuf *, int *, struct err *);
int	 db_pg_reach(const struct db_pg_user *, const char *);
char	*db_pg_tail(const char *, size_t, size_t);
char	*db_pg_errors(const char *, size_t, size_t);
void	 db_err_chomp(struct err *);

#endif
