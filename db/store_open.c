/* Finding the store: a configured DSN, or the private cluster on demand. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/store.h"
#include "util/config.h"

int
db_store_open_info(struct config *cfg, char **conninfo, struct err *err)
{
	const char	*dsn = config_str(cfg, "store.dsn");
	struct err	 e;
	int		 applied;

	err_clear(&e);
	*conninfo = NULL;
	if (dsn != NULL && *dsn != '\0')
		*conninfo = xstrdup(dsn);
	else if (db_store_ensure(config_str(cfg, "store.home"), conninfo,
	    &e) != 0) {
		err_set(err, "store-unreachable", "cannot start the private "
		    "store: %s", e.msg);
		return -1;
	}
	if (db_migrate(*conninfo, &applied, &e) != 0) {
		err_set(err, "store-unreachable", "store unreachable: %s",
		    e.msg);
		free(*conninfo);
		*conninfo = NULL;
		return -1;
	}
	return 0;
}
