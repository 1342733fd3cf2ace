/*
 * store_export: what `export` reads (streamed by COPY on a connection of
 * its own, never through the store's query FIFO) and the record it keeps
 * of each report (table exports, migration 0022).
 */
#ifndef PX_STORE_EXPORT_H
#define PX_STORE_EXPORT_H

#include "db/store.h"

/* trades, orders, events, pnl, incidents, audit, sla; NULL-terminated. */
extern const char *const store_export_kinds[];

/* Who a report covers: target kind all|group|accounts, names a JSON array. */
struct store_export_scope {
	const char	*kind;
	const char	*from;		/* YYYY-MM-DD, IST, inclusive */
	const char	*to;		/* YYYY-MM-DD, IST, inclusive */
	const char	*tkind;
	const char	*tnames;	/* JSON array text: ["a","b"] or [] */
};

/*
 * Stream the report's rows as CSV (RFC 4180 quoting, a header line of
 * column names, LF line ends) to data; done once at the end.  Timestamps
 * are shown in IST.  NULL and done(err) from the loop on a bad kind.
 */
struct pg_copy *store_export_copy(struct store *,
    const struct store_export_scope *, pg_copy_data_cb data,
    pg_copy_done_cb done, void *arg);

/*
 * The parties a report names: one row with brokers, client_codes (broker
 * user ids), accounts (count) and missing (account names of the target
 * that do not exist, or null).
 */
void store_export_parties(struct store *, const char *tkind,
    const char *tnames, store_rows_cb, void *);

struct store_export_rec {
	const char	*id;
	const char	*kind;
	const char	*format;
	const char	*from;
	const char	*to;
	const char	*target;
	const char	*rows;
	const char	*sha256;
	const char	*seal;		/* report sha256 (migration 0025) */
	const char	*destination;
};

/* Insert the exports row and its audit_log entry together. */
void store_export_record(struct store *, const struct store_export_rec *,
    const struct store_actor *, store_rows_cb, void *);

#endif
