/*
 * db: the store -- the private PostgreSQL cluster phalanx runs for itself,
 * schema migrations, and (store.h) the queries the engine makes.
 */
#ifndef PX_DB_H
#define PX_DB_H

#include <stddef.h>

#include "util/util.h"

/* Migrations, compiled in from db/migrations/NNNN_name.sql. */
struct db_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct db_migration db_migrations[];
extern const size_t db_nmigrations;

#endif
