/*
 * Quotes for marking: from the account that answered last, else the
 * next kite account with an access token, and so on round the list, so
 * one dead login or one broker down does not blind the monitors.  The
 * brokers live as long as the credentials do (a registry change drops
 * them, once no request is in flight).  One request is in flight at a
 * time; the others (a hedge's chain while a pass marks) wait their turn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker_lib.h"
#include "db/store_broker.h"
#include "exec/paper_hooks.h"
#include "net/net.h"
#include "rms/rms_int.h"

struct marks_req {
	char			**keys;
	size_t			 nkeys;
	rms_marks_cb		 cb;
	void			*arg;
	struct marks_req	*next;
};

struct rms_marks {
	struct rms_engine	*e;
	struct http_client	*http;
	json_t			*creds;		/* kite rows with a token */
	struct broker		**b;		/* built lazily, per row */
	size_t			 n;
	size_t			 cur;		/* the healthy one */
	size_t			 tried;
	int			 busy;
	int			 stale_creds;
	char			**keys;
	size_t			 nkeys;
	rms_marks_cb		 cb;
	void			*arg;
	struct marks_req	*wait, **wait_tail;	/* in turn */
};

static void
marks_drop(struct rms_marks *m)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		broker_free(m->b[i]);
	free(m->b);
	m->b = NULL;
	m->n = 0;
	json_decref(m->creds);
	m->creds = NULL;
	m->stale_creds = 0;
}

static void
marks_keys_free(struct rms_marks *m)
{
	size_t	i;

	for (i = 0; i < m->nkeys; i++)
		free(m->keys[i]);
	free(m->keys);
	m->keys = NULL;
	m->nkeys = 0;
}

static void marks_start(struct rms_marks *, char **, size_t, rms_marks_cb,
    void *);

/* A waiting request that will not be asked: its caller gets no quotes. */
static void
marks_req_drop(struct rms_marks *m, struct marks_req *q)
{
	json_t	*none = json_object();
	size_t	 i;

	q->cb(m->e, none, q->arg);
	json_decref(none);
	for (i = 0; i < q->nkeys; i++)
		free(q->keys[i]);
	free(q->keys);
	free(q);
}

static void
marks_finish(struct rms_marks *m, json_t *quotes)
{
	rms_marks_cb		 cb = m->cb;
	struct marks_req	*q;

	marks_keys_free(m);
	m->busy = 0;
	cb(m->e, quotes, m->arg);
	json_decref(quotes);
	while ((q = m->wait) != NULL && !m->busy) {
		if ((m->wait = q->next) == NULL)
			m->wait_tail = &m->wait;
		if (!m->e->closing) {
			marks_start(m, q->keys, q->nkeys, q->cb, q->arg);
			free(q);
			return;
		}
		marks_req_drop(m, q);	/* closing: no new request */
	}
}

static void marks_try(struct rms_marks *);

static void
marks_quoted(const struct broker_err *be, const struct broker_quote *q,
    size_t n, void *arg)
{
	struct rms_marks	*m = arg;
	json_t			*out;
	int64_t			 now = time_wall_us();
	size_t			 i;

	if (m->e->closing) {
		marks_finish(m, json_object());	/* each caller lets go */
		return;
	}
	if (be != NULL && err_isset(&be->err)) {
		log_warn("rms", "quotes from account %zu failed: %s", m->cur,
		    be->err.msg);
		m->cur = (m->cur + 1) % (m->n > 0 ? m->n : 1);
		m->tried++;
		marks_try(m);
		return;
	}
	out = json_object();
	for (i = 0; i < n; i++) {
		if (q[i].ltp <= 0)
			continue;
		json_object_set_new(out, q[i].key, json_pack("{s:I,s:I}", "ltp",
		    (json_int_t)q[i].ltp, "at", (json_int_t)(q[i].ts > 0 &&
		    q[i].ts <= now ? q[i].ts : now)));
	}
	marks_finish(m, out);
}

static void
marks_try(struct rms_marks *m)
{
	struct broker_env	 env;
	struct err		 e;
	json_t			*row;

	while (m->tried < m->n) {
		if (m->b[m->cur] == NULL) {
			row = json_array_get(m->creds, m->cur);
			memset(&env, 0, sizeof env);
			env.cfg = m->e->cfg;
			env.home = m->e->home;
			exec_paper_hooks(&env, m->e->store);
			env.http = m->http;
			err_clear(&e);
			m->b[m->cur] = broker_from_row(&env, row, &e);
		}
		if (m->b[m->cur] != NULL) {
			m->b[m->cur]->ops->quote(m->b[m->cur],
			    (const char *const *)m->keys, m->nkeys,
			    marks_quoted, m);
			return;
		}
		m->cur = (m->cur + 1) % m->n;
		m->tried++;
	}
	marks_finish(m, json_object());	/* nobody answered: all stale */
}

static void
marks_creds(json_t *rows, const struct err *err, void *arg)
{
	struct rms_marks	*m = arg;
	const char		*kind;
	json_t			*row;
	size_t			 i;

	m->creds = json_array();
	json_array_foreach(err == NULL ? rows : NULL, i, row) {
		kind = json_string_value(json_object_get(row, "kind"));
		if (kind != NULL && strcmp(kind, "kite") == 0 &&
		    !json_is_null(json_object_get(row, "access_token")))
			json_array_append(m->creds, row);
	}
	m->n = json_array_size(m->creds);
	m->b = xcalloc(m->n + 1, sizeof *m->b);
	m->cur = 0;
	if (m->e->closing) {
		marks_finish(m, json_object());
		return;
	}
	marks_try(m);
}

struct rms_marks *
rms_marks_new(struct rms_engine *e)
{
	struct rms_marks	*m;

	m = xcalloc(1, sizeof *m);
	m->e = e;
	m->http = http_client_new(loop_base());
	return m;
}

void
rms_marks_reset(struct rms_marks *m)
{
	if (m->busy)
		m->stale_creds = 1;
	else
		marks_drop(m);
}

/* keys: owned from here on. */
static void
marks_start(struct rms_marks *m, char **keys, size_t n, rms_marks_cb cb,
    void *arg)
{
	m->busy = 1;
	m->cb = cb;
	m->arg = arg;
	if (m->stale_creds)
		marks_drop(m);
	m->keys = keys;
	m->nkeys = n;
	m->tried = 0;
	if (m->creds == NULL) {
		store_broker_creds(m->e->store, NULL, NULL, marks_creds, m);
		return;
	}
	marks_try(m);
}

void
rms_marks_get(struct rms_marks *m, const char *const *keys, size_t n,
    rms_marks_cb cb, void *arg)
{
	struct marks_req	*q;
	char			**copy;
	size_t			 i;

	copy = xcalloc(n + 1, sizeof *copy);
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(keys[i]);
	if (!m->busy) {
		marks_start(m, copy, n, cb, arg);
		return;
	}
	q = xcalloc(1, sizeof *q);
	q->keys = copy;
	q->nkeys = n;
	q->cb = cb;
	q->arg = arg;
	if (m->wait_tail == NULL)
		m->wait_tail = &m->wait;
	*m->wait_tail = q;
	m->wait_tail = &q->next;
}

void
rms_marks_free(struct rms_marks *m)
{
	struct marks_req	*q;

	if (m == NULL)
		return;
	/* Waiting callers let go of what they hold (the engine closes). */
	while ((q = m->wait) != NULL) {
		m->wait = q->next;
		marks_req_drop(m, q);
	}
	marks_drop(m);
	marks_keys_free(m);
	http_client_free(m->http);
	free(m);
}
