/*
 * The webhook accept path's own store connection (store_hook.h).  A
 * sender's 200 waits for its payload to commit, so that commit must not
 * queue behind the executor's claims, fan-outs and event writes on the
 * engine's connection: it gets a connection of its own.  And one round
 * trip per payload caps a burst at the store's round-trip rate, so the
 * payloads that arrive while a batch is at the store go together as the
 * next one (group commit): hook_accept_batch() of 0024_hook_accept_batch.sql
 * stores them in order, each in a subtransaction of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "db/store_hook.h"
#include "db/store_int.h"

/* One batch stays well under a statement's size and a sender's patience. */
#define ACCEPT_BATCH_MAX	256
#define ACCEPT_BATCH_BYTES	(8 * 1024 * 1024)

struct accept_item {
	char			*json;	/* the item as hook_accept_batch reads it */
	size_t			 len;
	store_rows_cb		 cb;
	void			*arg;
	struct accept_item	*next;
};

struct store_hook_acceptor {
	struct store		*st;
	struct event		*ev;		/* send at the end of this turn */
	struct accept_item	*head;		/* waiting for the next batch */
	struct accept_item	**tail;
	struct accept_item	*sent;		/* the batch at the store */
	size_t			 nwaiting;
	int			 freeing;
	uint64_t		 batches;
	uint64_t		 items;
};

static void accept_send(struct store_hook_acceptor *);

static void
accept_item_free(struct accept_item *it)
{
	free(it->json);
	free(it);
}

/* Each item's own answer as the rows of a one-statement accept. */
static void
accept_done(json_t *rows, const struct err *err, void *arg)
{
	struct store_hook_acceptor	*a = arg;
	struct accept_item		*it, *next;
	json_t				*res, *one, *r1;
	struct err			 e;
	size_t				 i = 0;

	res = rows != NULL ? json_object_get(json_array_get(rows, 0), "r") :
	    NULL;
	it = a->sent;
	a->sent = NULL;
	for (; it != NULL; it = next, i++) {
		next = it->next;
		one = json_array_get(res, i);
		if (err != NULL)
			it->cb(NULL, err, it->arg);
		else if (one == NULL || json_object_get(one, "error") != NULL) {
			err_clear(&e);
			snprintf(e.code, sizeof e.code, "sql:%s", one != NULL &&
			    json_string_value(json_object_get(one, "state")) !=
			    NULL ? json_string_value(json_object_get(one,
			    "state")) : "XX000");
			snprintf(e.msg, sizeof e.msg, "%s", one != NULL ?
			    json_string_value(json_object_get(one, "error")) :
			    "the batch answered for fewer payloads");
			it->cb(NULL, &e, it->arg);
		} else {
			r1 = json_pack("[O]", one);
			it->cb(r1, NULL, it->arg);
			json_decref(r1);
		}
		accept_item_free(it);
	}
	if (!a->freeing && a->head != NULL)
		accept_send(a);
}

static void
accept_send(struct store_hook_acceptor *a)
{
	struct strbuf		 b;
	struct accept_item	*it, **last;
	const char		*p[1];
	size_t			 n = 0;

	if (a->sent != NULL || a->head == NULL)
		return;
	strbuf_init(&b);
	strbuf_putc(&b, '[');
	last = &a->head;
	while ((it = *last) != NULL && n < ACCEPT_BATCH_MAX &&
	    (n == 0 || b.len + it->len < ACCEPT_BATCH_BYTES)) {
		if (n++ > 0)
			strbuf_putc(&b, ',');
		strbuf_puts(&b, it->json);
		last = &it->next;
	}
	strbuf_putc(&b, ']');
	/* The first n items go; the rest wait for this batch's answer. */
	a->sent = a->head;
	a->head = *last;
	*last = NULL;
	if (a->head == NULL)
		a->tail = &a->head;
	a->nwaiting -= n;
	a->batches++;
	a->items += n;
	p[0] = b.s;
	store_run(a->st, "SELECT hook_accept_batch($1::jsonb) AS r", 1, p,
	    accept_done, a);
	strbuf_free(&b);
}

static void
accept_turn(evutil_socket_t fd, short what, void *arg)
{
	accept_send(arg);
}

struct store_hook_acceptor *
store_hook_acceptor_new(struct event_base *base, const char *conninfo,
    const struct pg_opts *opts)
{
	struct store_hook_acceptor	*a = xcalloc(1, sizeof *a);

	a->st = store_open(base, conninfo, opts);
	a->ev = event_new(base, -1, 0, accept_turn, a);
	a->tail = &a->head;
	return a;
}

/* Whatever has not been answered yet is answered "cancelled". */
void
store_hook_acceptor_free(struct store_hook_acceptor *a)
{
	struct accept_item	*it;
	struct err		 e;

	if (a == NULL)
		return;
	a->freeing = 1;
	event_free(a->ev);
	store_close(a->st);	/* the batch at the store: "cancelled" */
	err_set(&e, "cancelled", "shutting down: not stored");
	while ((it = a->head) != NULL) {
		a->head = it->next;
		it->cb(NULL, &e, it->arg);
		accept_item_free(it);
	}
	free(a);
}

void
store_hook_acceptor_stats(const struct store_hook_acceptor *a,
    uint64_t *batches, uint64_t *items)
{
	*batches = a->batches;
	*items = a->items;
}

void
store_hook_accept(struct store_hook_acceptor *a,
    const struct store_hook_payload *h, store_rows_cb cb, void *arg)
{
	struct accept_item	*it = xcalloc(1, sizeof *it);
	json_t			*o;

	o = json_pack("{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:o,"
	    "s:i,s:i}", "connector_id", (json_int_t)h->connector_id,
	    "connector", h->connector, "method", h->method, "remote",
	    h->remote, "ctype", h->ctype, "query", h->query, "body",
	    h->body_hex, "hash", h->hash_hex, "reason", h->reason,
	    "signals", h->signals != NULL ? json_incref(h->signals) :
	    json_array(), "dedupe_s", h->dedupe_s, "dedupe_id_s",
	    h->dedupe_id_s);
	it->json = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	it->len = strlen(it->json);
	it->cb = cb;
	it->arg = arg;
	*a->tail = it;
	a->tail = &it->next;
	a->nwaiting++;
	/* Not at once: what else this loop turn accepts goes with it. */
	if (a->sent == NULL)
		event_active(a->ev, EV_TIMEOUT, 0);
}
