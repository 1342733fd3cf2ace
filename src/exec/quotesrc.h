/*
 * quotesrc: one-shot market quotes for callers that hold no broker of
 * their own (analytics commands).  The quotes come from the first
 * account with a kite broker and an access token that answers; an
 * account whose broker fails is passed over for the next, so one dead
 * login does not blind the desk.
 */
#ifndef PX_QUOTESRC_H
#define PX_QUOTESRC_H

#include <stddef.h>

#include "broker/broker.h"

struct config;
struct store;

/* q is borrowed for the callback; n quotes for the keys that exist. */
typedef void (*quotesrc_cb)(const struct err *, const struct broker_quote *q,
    size_t n, void *arg);

/* keys "EXCHANGE:SYMBOL", at most 500 (Kite's limit per call). */
void quotesrc_get(struct store *, struct config *, const char *home,
    const char *const *keys, size_t nkeys, quotesrc_cb, void *);

#endif
