/* Shared between db/store*.c only. */
#ifndef PX_STORE_INT_H
#define PX_STORE_INT_H

#include "db/store.h"

json_t *store_rows_json(const PGresult *);
void store_run(struct store *, const char *sql, int n,
    const char *const *params, store_rows_cb, void *);
/*
 * Ahead of every statement queued that is not urgent: a fan-out's intent
 * and its legs' rows do not wait behind the last one's broker order ids
 * and fills, which nothing waits on (pg_query_urgent).
 */
void store_run_urgent(struct store *, const char *sql, int n,
    const char *const *params, store_rows_cb, void *);

/*
 * On a connection of its own, which nothing else uses: the statements a
 * fan-out waits for before it sends anything (its ids, its intent) and
 * those that must not be overtaken by one (a kill), in the order they
 * are called.  They never queue behind the store's other work (the RMS's
 * reads, broker order ids, fills) nor behind one in flight there.
 */
void store_run_first(struct store *, const char *sql, int n,
    const char *const *params, store_rows_cb, void *);
void store_registry_changed_first(struct store *, const char *what);
/*
 * The ownership locks of fan-outs whose intent ran there: taken by the
 * intent (owns), given up once the fan-out's state is stored (disown),
 * dropped by the next intent (releases: a JSON array, owned) or by a
 * statement of their own 100 ms later.
 */
void store_first_owns(struct store *, int64_t id);
void store_first_disown(struct store *, int64_t id);
char *store_first_releases(struct store *);

/* store_journal.c: writes that survive an outage (store_journal.h). */
struct store_journal;
struct store_journal **store_journal_slot(struct store *);
void store_journal_free(struct store *);
/*
 * Run one of the journaled operations (op names a row of the table in
 * store_journal.c); params has n entries, the last one left for the uid
 * this call fills in.
 */
void store_run_durable(struct store *, const char *op, int n,
    const char **params, store_rows_cb, void *);

/* store_bids.c: broker order ids, a batch per loop turn. */
struct store_bids;
struct store_bids **store_bids_slot(struct store *);
struct event_base *store_base(struct store *);
void store_bids_flush(struct store *);
void store_bids_free(struct store *);

extern const char store_sql_broker_id[];
extern const char store_sql_broker_ids[];
extern const char store_sql_fanout_finish[];
extern const char store_sql_fanout_legs[];
extern const char store_sql_position_fill[];
extern const char store_sql_order_fill[];
extern const char store_sql_rms_breaches[];
extern const char store_sql_rms_note[];

/*
 * The guard those statements start with: $N is the write's uid; the
 * statement applies nothing unless EXISTS (SELECT 1 FROM applied).
 */
#define STORE_APPLIED(uid, op) \
    "WITH applied AS (INSERT INTO journal_applied (uid, op) VALUES (" \
    uid "::uuid, '" op "') ON CONFLICT DO NOTHING RETURNING uid) "

#endif
