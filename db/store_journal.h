/*
 * store_journal: the router's writes other than lifecycle events -- a
 * broker order id, a fan-out's final state, a position fill -- kept in
 * STORE_HOME/journal/store.jsonl while the store is unreachable and
 * replayed, in order, when it is back (by this process or any other that
 * shares the home).
 *
 * Such a write is journaled instead of sent when the connection is not
 * READY (or older ones still wait in the journal), and after it fails
 * with anything but an SQL error (its outcome is unknown).  Its callback
 * then gets no rows and no error: the write is durable.  Only when the
 * journal itself cannot be written does the callback get an error
 * ("store-unreachable", naming both failures).  Every such write carries
 * a uid recorded in journal_applied by the statement that applies it, so
 * a replay of a write that did commit changes nothing (a fill never moves
 * a position twice).
 */
#ifndef PX_STORE_JOURNAL_H
#define PX_STORE_JOURNAL_H

#include <stddef.h>

#include "db/store.h"

/*
 * Open (creating) home/journal/store.jsonl for st and take the state
 * callback of st's connection to replay on READY.  -1 and err "journal"
 * when it cannot: such writes then fail while the store is away.
 */
int store_journal_open(struct store *, const char *home, struct err *);
/* Entries waiting for replay (any process's); 0 without a journal. */
size_t store_journal_pending(struct store *);

#endif
