/*
 * store_rms_live: what the running RMS asks of the store -- the duty
 * lock, the positions it marks and guards, the monitors' memory per
 * scope and day (db/migrations/0017), a pass's breaches recorded with
 * their incidents and alerts in one statement, the timeline events of
 * the responses, the live values for `rms state` (0023), and option
 * chains for hedges.
 */
#ifndef PX_STORE_RMS_LIVE_H
#define PX_STORE_RMS_LIVE_H

#include "db/store.h"

/*
 * Take the RMS duty, or confirm this session holds it: row {held,
 * yielded}.  An advisory lock, so it ends with the holder's session
 * (kill -9 too).  A daemon that cannot take it says it wants it; a
 * console then lets it go (yielded: it held the duty until now) and
 * does not take it while a daemon waits.
 */
void store_rms_duty(struct store *, int daemon, store_rows_cb, void *);

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
/* urgent: ahead of the queued statements (before a response's first). */
void store_rms_watch_save(struct store *, const char *day, json_t *watches,
    int urgent, store_rows_cb, void *);

/*
 * The watches and the pass's breaches, journaled before its responses
 * (db/migrations/0029): intent (12 hex) names them; the breach record
 * marks them recorded.  Urgent, like store_rms_watch_save.
 */
void store_rms_watch_intent(struct store *, const char *day, json_t *watches,
    const char *intent, json_t *breaches, const struct store_actor *,
    store_rows_cb, void *);
/*
 * On taking the duty over: record every intent a dead owner left, with
 * the orders it placed on each incident's timeline.  Rows: intent, kind,
 * name, rule, response, incident_id, ran (its response placed a fan-out
 * for the scope), recorded (false: recorded before).
 */
void store_rms_takeover(struct store *, const char *front, store_rows_cb,
    void *);

/*
 * The breaches of one monitor pass, in one statement after the responses
 * have started, journaled when the store is away (the callback then gets
 * no rows and no error).  breaches: [{kind, name, rule, bit, severity,
 * summary, values, response}]; each opens or joins its scope's incident
 * for the rule, with the breach and the alert on its timeline, the alert
 * queued and the breach audited.  Rows: kind, name, rule, incident_id.
 */
void store_rms_breaches(struct store *, const char *day, json_t *breaches,
    const struct store_actor *, store_rows_cb, void *);

/*
 * An event (ev: action, order, state...) on the timeline of the open
 * incident of scope kind:name for rule, found when the statement runs;
 * journaled like store_rms_breaches, and so after it.
 */
void store_rms_note(struct store *, const char *kind, const char *name,
    const char *rule, const char *ev, const char *message, json_t *detail,
    const struct store_actor *, store_rows_cb, void *);

/*
 * The duty holder's live values per scope, at its pass cadence: live
 * [{kind, name, mtm, peak, trail_armed, margin_used, margin_total,
 * open_positions, has_mis, stale}] (money in paise).  store_rms_live
 * reads them back, with front, at (IST HH:MM:SS) and age_ms.
 */
void store_rms_live_save(struct store *, json_t *live, const char *front,
    store_rows_cb, void *);
void store_rms_live(struct store *, store_rows_cb, void *);

/*
 * Options of one underlying and expiry on exchange, by strike: rows
 * tradingsymbol, strike (text, rupees), lot_size.
 */
void store_rms_chain(struct store *, const char *exchange, const char *name,
    const char *expiry, const char *type, store_rows_cb, void *);

#endif
