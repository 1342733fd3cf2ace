/* Shared between db/store*.c only. */
#ifndef PX_STORE_INT_H
#define PX_STORE_INT_H

#include "db/store.h"

json_t *store_rows_json(const PGresult *);
void store_run(struct store *, const char *sql, int n,
    const char *const *params, store_rows_cb, void *);

#endif
