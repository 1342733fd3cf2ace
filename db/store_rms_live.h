/*
 * store_rms_live: what the running RMS asks of the store -- the duty
 * lock, the positions it marks and guards, the monitors' memory per
 * scope and day (db/migrations/0017), a breach recorded with its
 * incident and alert in one statement, and option chains for hedges.
 */
#ifndef PX_STORE_RMS_LIVE_H
#define PX_STORE_RMS_LIVE_H

#include "db/store.h"

/*
 * Take the RMS duty, or confirm this session holds it: row {held}.  An
 * advisory lock, so it ends with the holder's session (kill -9 too).
 */
void store_rms_duty(struct store *, store_rows_cb, void *);

/*
 * Positions the RMS guards and marks: open ones, and closed ones of the
 * day with realised PnL.  Rows: account_id, exchange, symbol, product,
 * qty, avg (text, rupees), realised (text), last (text or NULL),
 * lot_size, name, instrument_type, expiry (text or NULL), strike (text).
 */
void store_rms_positions(struct store *, store_rows_cb, void *);

/* The watches of day (YYYY-MM-DD): kind, name, peak, started,
 * trail_armed, breached, stale_alerted. */
void store_rms_watches(struct store *, const char *day, store_rows_cb,
    void *);
void store_rms_watch_save(struct store *, const char *day, json_t *watches,
    store_rows_cb, void *);

struct store_rms_breach {
	const char	*kind;
	const char	*name;
	const char	*day;
	const char	*rule;
	int		 bit;		/* -1: stale prices */
	const char	*severity;
	const char	*summary;
	json_t		*values;
	json_t		*watch;		/* {peak, trail_armed} */
	const char	*response;
};

/* One row: incident_id, fired (false: already recorded), opened,
 * notification_id. */
void store_rms_breach_record(struct store *, const struct store_rms_breach *,
    const struct store_actor *, store_rows_cb, void *);

/*
 * Options of one underlying and expiry on exchange, by strike: rows
 * tradingsymbol, strike (text, rupees), lot_size.
 */
void store_rms_chain(struct store *, const char *exchange, const char *name,
    const char *expiry, const char *type, store_rows_cb, void *);

#endif
