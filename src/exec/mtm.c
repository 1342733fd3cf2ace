/*
 * Marking to market.  One cycle: the instruments held, one quote call for
 * all of them to the first kite account that has credentials, one UPDATE
 * per instrument.  A cycle still running when the timer fires is not
 * doubled; a broker that fails is retried next cycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "db/store_positions.h"
#include "exec/mtm.h"
#include "exec/paper_hooks.h"
#include "net/net.h"
#include "util/config.h"

#define MTM_MAX_KEYS	500	/* Kite's limit of instruments per quote call */

struct mtm {
	struct store		*store;
	struct config		*cfg;
	char			*home;
	struct http_client	*http;
	struct broker		*b;
	struct event		*timer;
	int			 busy;
	enum mtm_broker		 state;
	char			 why[160];
	char			**keys;
	size_t			 nkeys;
};

static void
mtm_keys_free(struct mtm *m)
{
	size_t	i;

	for (i = 0; i < m->nkeys; i++)
		free(m->keys[i]);
	free(m->keys);
	m->keys = NULL;
	m->nkeys = 0;
}

static void
mtm_note(struct mtm *m, const struct broker_err *be)
{
	if (be != NULL && strcmp(be->err.code, "cancelled") == 0)
		return;
	m->state = be == NULL ? MTM_BROKER_OK : MTM_BROKER_DOWN;
	snprintf(m->why, sizeof m->why, "%.150s", be != NULL ? be->err.msg : "");
}

enum mtm_broker
mtm_broker_state(const struct mtm *m, const char **why)
{
	if (why != NULL)
		*why = m != NULL ? m->why : "";
	return m != NULL ? m->state : MTM_BROKER_UNKNOWN;
}

static void
mtm_marked(json_t *rows, const struct err *err, void *arg)
{
	if (err != NULL)
		log_warn("mtm", "mark not stored: %s", err->msg);
}

static void
mtm_quoted(const struct broker_err *be, const struct broker_quote *q,
    size_t n, void *arg)
{
	struct mtm	*m = arg;
	size_t		 i;
	char		*colon, exch[16];

	if (be != NULL && strcmp(be->err.code, "cancelled") != 0)
		log_warn("mtm", "quotes: %s", be->err.msg);
	mtm_note(m, be);
	for (i = 0; be == NULL && i < n; i++) {
		if (q[i].ltp <= 0 || (colon = strchr(q[i].key, ':')) == NULL)
			continue;
		snprintf(exch, sizeof exch, "%.*s", (int)(colon - q[i].key),
		    q[i].key);
		store_position_mark(m->store, exch, colon + 1, q[i].ltp,
		    mtm_marked, NULL);
	}
	mtm_keys_free(m);
	m->busy = 0;
}

static void
mtm_probed(const struct broker_err *be, const struct broker_margins *mg,
    void *arg)
{
	struct mtm	*m = arg;

	mtm_note(m, be);
	mtm_keys_free(m);
	m->busy = 0;
}

static void
mtm_ask(struct mtm *m)
{
	if (m->b == NULL) {
		mtm_keys_free(m);
		m->busy = 0;
		return;
	}
	/* Nothing held: still ask something cheap, to know it is there. */
	if (m->nkeys == 0) {
		m->b->ops->margins(m->b, mtm_probed, m);
		return;
	}
	m->b->ops->quote(m->b, (const char *const *)m->keys, m->nkeys,
	    mtm_quoted, m);
}

/* The first account with a kite broker and a token serves the quotes. */
static void
mtm_creds(json_t *rows, const struct err *err, void *arg)
{
	struct mtm		*m = arg;
	struct broker_env	 env;
	struct err		 e;
	size_t			 i;
	json_t			*row;
	const char		*kind;

	json_array_foreach(err == NULL ? rows : NULL, i, row) {
		kind = json_string_value(json_object_get(row, "kind"));
		if (kind == NULL || strcmp(kind, "kite") != 0 ||
		    json_is_null(json_object_get(row, "access_token")))
			continue;
		memset(&env, 0, sizeof env);
		env.cfg = m->cfg;
		env.home = m->home;
		exec_paper_hooks(&env, m->store);
		env.http = m->http;
		err_clear(&e);
		if ((m->b = broker_from_row(&env, row, &e)) != NULL)
			break;
	}
	mtm_ask(m);
}

static void
mtm_symbols(json_t *rows, const struct err *err, void *arg)
{
	struct mtm	*m = arg;
	size_t		 i;
	json_t		*row;

	if (err != NULL) {
		m->busy = 0;
		return;
	}
	if (json_array_size(rows) > 0)
		m->keys = xcalloc(json_array_size(rows) + 1, sizeof *m->keys);
	json_array_foreach(rows, i, row) {
		if (m->nkeys == MTM_MAX_KEYS)
			break;
		m->keys[m->nkeys++] = xasprintf("%s:%s",
		    json_string_value(json_object_get(row, "exchange")),
		    json_string_value(json_object_get(row, "symbol")));
	}
	if (m->b == NULL)
		store_broker_creds(m->store, NULL, NULL, mtm_creds, m);
	else
		mtm_ask(m);
}

static void
mtm_tick(evutil_socket_t fd, short what, void *arg)
{
	struct mtm	*m = arg;

	if (m->busy)
		return;
	m->busy = 1;
	store_positions_symbols(m->store, mtm_symbols, m);
}

struct mtm *
mtm_start(struct store *st, struct config *cfg, const char *home)
{
	struct mtm	*m;
	struct timeval	 tv;
	int64_t		 ms = config_int(cfg, "exec.mtm_ms");

	if (ms <= 0)
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->store = st;
	m->cfg = cfg;
	m->home = xstrdup(home);
	m->http = http_client_new(loop_base());
	m->timer = event_new(loop_base(), -1, EV_PERSIST, mtm_tick, m);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	event_add(m->timer, &tv);
	return m;
}

void
mtm_free(struct mtm *m)
{
	if (m == NULL)
		return;
	event_free(m->timer);
	broker_free(m->b);
	http_client_free(m->http);
	mtm_keys_free(m);
	free(m->home);
	free(m);
}
