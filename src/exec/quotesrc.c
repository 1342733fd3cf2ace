/*
 * A quote request walks the kite accounts in the registry's order until
 * one answers.  Each request builds its brokers from the stored
 * credentials and frees them when it is done: analytics commands are
 * rare, and a long-lived front that quotes often (mtm) keeps its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "exec/paper_hooks.h"
#include "exec/quotesrc.h"
#include "net/net.h"
#include "util/config.h"

#define QUOTESRC_MAX_KEYS	500

struct quotesrc {
	struct store		*store;
	struct config		*cfg;
	char			*home;
	char			**keys;
	size_t			 nkeys;
	json_t			*creds;		/* kite rows with a token */
	size_t			 next;
	struct http_client	*http;
	struct broker		*b;
	struct err		 last;		/* why the last one failed */
	quotesrc_cb		 cb;
	void			*arg;
};

static void
qs_free(struct quotesrc *qs)
{
	size_t	i;

	if (qs->b != NULL)
		qs->b->ops->free(qs->b);
	http_client_free(qs->http);
	for (i = 0; i < qs->nkeys; i++)
		free(qs->keys[i]);
	free(qs->keys);
	json_decref(qs->creds);
	free(qs->home);
	free(qs);
}

static void qs_try(struct quotesrc *);

static void
qs_free_cb(evutil_socket_t fd, short what, void *arg)
{
	qs_free(arg);
}

static void
qs_next_cb(evutil_socket_t fd, short what, void *arg)
{
	qs_try(arg);
}

/*
 * The broker that called back must outlive its callback: freeing it, or
 * moving on to the next one, waits for the loop's next turn.
 */
static void
qs_quoted(const struct broker_err *be, const struct broker_quote *q,
    size_t n, void *arg)
{
	struct quotesrc	*qs = arg;
	struct timeval	 now = { 0, 0 };

	if (be != NULL && err_isset(&be->err)) {
		qs->last = be->err;	/* the next account may answer */
		if (broker_err_unreachable(be))
			snprintf(qs->last.code, sizeof qs->last.code,
			    "broker-unreachable");
		event_base_once(loop_base(), -1, EV_TIMEOUT, qs_next_cb, qs,
		    &now);
		return;
	}
	qs->cb(NULL, q, n, qs->arg);
	event_base_once(loop_base(), -1, EV_TIMEOUT, qs_free_cb, qs, &now);
}

static void
qs_try(struct quotesrc *qs)
{
	struct broker_env	 env;
	struct err		 e;
	json_t			*row;

	if (qs->b != NULL) {
		qs->b->ops->free(qs->b);
		qs->b = NULL;
	}
	while ((row = json_array_get(qs->creds, qs->next++)) != NULL) {
		memset(&env, 0, sizeof env);
		env.cfg = qs->cfg;
		env.home = qs->home;
		exec_paper_hooks(&env, qs->store);
		env.http = qs->http;
		err_clear(&e);
		if ((qs->b = broker_from_row(&env, row, &e)) != NULL) {
			qs->b->ops->quote(qs->b, (const char *const *)qs->keys,
			    qs->nkeys, qs_quoted, qs);
			return;
		}
		qs->last = e;
	}
	if (!err_isset(&qs->last))
		err_set(&qs->last, "broker-unreachable", "no kite account with "
		    "an access token to ask for quotes");
	qs->cb(&qs->last, NULL, 0, qs->arg);
	qs_free(qs);
}

static void
qs_creds(json_t *rows, const struct err *err, void *arg)
{
	struct quotesrc	*qs = arg;
	const char	*kind;
	json_t		*row;
	size_t		 i;

	if (err != NULL) {
		qs->cb(err, NULL, 0, qs->arg);
		qs_free(qs);
		return;
	}
	qs->creds = json_array();
	json_array_foreach(rows, i, row) {
		kind = json_string_value(json_object_get(row, "kind"));
		if (kind != NULL && strcmp(kind, "kite") == 0 &&
		    !json_is_null(json_object_get(row, "access_token")))
			json_array_append(qs->creds, row);
	}
	qs->http = http_client_new(loop_base());
	qs_try(qs);
}

void
quotesrc_get(struct store *st, struct config *cfg, const char *home,
    const char *const *keys, size_t nkeys, quotesrc_cb cb, void *arg)
{
	struct quotesrc	*qs;
	struct err	 e;
	size_t		 i;

	if (nkeys == 0 || nkeys > QUOTESRC_MAX_KEYS) {
		err_clear(&e);
		err_set(&e, "usage", "quotes are asked for 1 to %d instruments "
		    "at a time, not %zu", QUOTESRC_MAX_KEYS, nkeys);
		cb(&e, NULL, 0, arg);
		return;
	}
	qs = xcalloc(1, sizeof *qs);
	qs->store = st;
	qs->cfg = cfg;
	qs->home = xstrdup(home);
	qs->keys = xcalloc(nkeys, sizeof *qs->keys);
	for (i = 0; i < nkeys; i++)
		qs->keys[qs->nkeys++] = xstrdup(keys[i]);
	qs->cb = cb;
	qs->arg = arg;
	store_broker_creds(st, NULL, NULL, qs_creds, qs);
}
