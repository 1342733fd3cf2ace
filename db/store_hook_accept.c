/*
 * The webhook accept path's own store connection (store_hook.h).  A
 * sender's 200 waits for its payload to commit, so that commit must not
 * queue behind the executor's claims, fan-outs and event writes on the
 * engine's connection: it gets a connection of its own.  And one round
 * trip per payload caps a burst at the store's round-trip rate, so the
 * payloads that arrive while a batch is at the store go together as the
 * next one (group commit): hook_accept_batch() of 0028_hook_accept_set.sql
 * stores them in order, in one statement.  The same statement claims,
 * of the signals it queued, those the executor may run at once
 * (hook_accept_run of 0030_hook_accept_claim.sql), up to the slots its
 * claimer grants: each payload's answer carries its claimed signals, so
 * the executor starts them without a claim of its own.
 *
 * With a depth above 1 (hook.accept_depth) the connection is in pipeline
 * mode (pg_conn_set_pipeline): while a batch is at the store the next one
 * goes, at the end of a loop turn, once as many payloads wait as the one
 * before it had -- the store finds it waiting instead of waiting for it
 * -- and otherwise at that batch's answer, as with depth 1, so batches
 * stay as large: one statement per payload would cost the store more CPU
 * than the round trip it saves.  The server still runs them one after the
 * other, each its own transaction, so a batch sees every earlier one
 * committed (de-duplication and claims as before), one failing fails none
 * of the others, and the senders of each are answered once it committed.
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
/* Batches at the store at once (pipeline mode, pg_pipe.c). */
#define ACCEPT_DEPTH		2

struct accept_item {
	char			*json;	/* the item as hook_accept_batch reads it */
	size_t			 len;
	int			 nclaim;	/* signals it may have claimed */
	store_rows_cb		 cb;
	void			*arg;
	struct accept_item	*next;
};

/* A batch at the store, or answered by it, its payloads not yet answered. */
struct accept_done {
	struct accept_item	*items;
	json_t			*r;		/* NULL: failed with err */
	struct err		 err;
	int			 nclaim;
	struct accept_done	*next;
};

struct store_hook_acceptor {
	struct store		*st;
	struct event		*ev;		/* send at the end of this turn */
	struct event		*ev_answer;	/* answer the done batches */
	struct accept_item	*head;		/* waiting for the next batch */
	struct accept_item	**tail;
	struct accept_done	*sent;		/* the batches at the store */
	struct accept_done	**sent_tail;
	int			 nsent;
	int			 depth;		/* most batches at the store */
	size_t			 last_n;	/* payloads of the newest sent */
	struct accept_done	*done;		/* answered by the store, in order */
	struct accept_done	**done_tail;
	size_t			 nwaiting;
	struct store_hook_claimer claimer;
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

/* The claimed rows of payload pid, as an array (new reference). */
static json_t *
accept_claimed(json_t *claimed, json_int_t pid)
{
	json_t	*mine = json_array(), *row;
	size_t	 i;

	json_array_foreach(claimed, i, row) {
		if (json_integer_value(json_object_get(row, "payload_id")) == pid)
			json_array_append(mine, row);
	}
	return mine;
}

/* Each item's own answer as the rows of a one-statement accept. */
static void
accept_answer(struct store_hook_acceptor *a, struct accept_done *d)
{
	struct accept_item	*it, *next;
	json_t			*res, *one, *r1, *claimed;
	struct err		 e;
	size_t			 i = 0;

	res = json_object_get(d->r, "accepted");
	claimed = json_object_get(d->r, "claimed");
	for (it = d->items; it != NULL; it = next, i++) {
		next = it->next;
		one = json_array_get(res, i);
		if (d->r == NULL)
			it->cb(NULL, &d->err, it->arg);
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
			one = json_copy(one);
			json_object_set_new(one, "claimed", accept_claimed(
			    claimed, json_integer_value(json_object_get(one,
			    "payload"))));
			r1 = json_pack("[o]", one);
			it->cb(r1, NULL, it->arg);
			json_decref(r1);
		}
		accept_item_free(it);
	}
	/* Whatever was granted and not claimed goes back (after the
	 * claimed signals were handed over, so never counted twice). */
	if (d->nclaim > 0 && a->claimer.release != NULL)
		a->claimer.release(a->claimer.arg, d->nclaim);
	json_decref(d->r);
	free(d);
}

static void
accept_answer_all(struct store_hook_acceptor *a)
{
	struct accept_done	*d;

	while ((d = a->done) != NULL) {
		if ((a->done = d->next) == NULL)
			a->done_tail = &a->done;
		accept_answer(a, d);
	}
}

static void
accept_answer_cb(evutil_socket_t fd, short what, void *arg)
{
	accept_answer_all(arg);
}

/*
 * The store has answered a batch.  The next one (the payloads that came
 * meanwhile) goes first -- it leaves as this returns -- and the senders
 * are answered after, in this same loop turn, while the store works on
 * it: the store does not wait for the answers' writing.
 */
static void
accept_done(json_t *rows, const struct err *err, void *arg)
{
	struct store_hook_acceptor	*a = arg;
	struct accept_done		*d = a->sent;

	/* The store answers in the order sent: this is the oldest. */
	if ((a->sent = d->next) == NULL)
		a->sent_tail = &a->sent;
	d->next = NULL;
	a->nsent--;
	if (err != NULL)
		d->err = *err;
	else if ((d->r = json_incref(json_object_get(json_array_get(rows, 0),
	    "r"))) == NULL)
		err_set(&d->err, "sql:XX000", "the batch answered nothing");
	*a->done_tail = d;
	a->done_tail = &d->next;
	if (a->freeing) {
		accept_answer_all(a);
		return;
	}
	event_active(a->ev_answer, EV_TIMEOUT, 0);
	if (a->head != NULL)
		accept_send(a);
}

static void
accept_send(struct store_hook_acceptor *a)
{
	struct strbuf		 b;
	struct accept_item	*it, **last;
	struct accept_done	*d;
	const char		*p[2];
	char			 lim[16];
	size_t			 n = 0;
	int			 want = 0;

	if (a->nsent >= a->depth || a->head == NULL)
		return;
	/* Early (one is at the store) only as large as the one before:
	 * a statement per payload would cost the store more than it saves. */
	if (a->nsent > 0 && a->nwaiting < a->last_n)
		return;
	strbuf_init(&b);
	strbuf_putc(&b, '[');
	last = &a->head;
	while ((it = *last) != NULL && n < ACCEPT_BATCH_MAX &&
	    (n == 0 || b.len + it->len < ACCEPT_BATCH_BYTES)) {
		if (n++ > 0)
			strbuf_putc(&b, ',');
		strbuf_puts(&b, it->json);
		want += it->nclaim;
		last = &it->next;
	}
	strbuf_putc(&b, ']');
	/* The first n items go; the rest wait for a batch's answer. */
	d = xcalloc(1, sizeof *d);
	d->items = a->head;
	a->head = *last;
	*last = NULL;
	if (a->head == NULL)
		a->tail = &a->head;
	*a->sent_tail = d;
	a->sent_tail = &d->next;
	a->nsent++;
	a->nwaiting -= n;
	a->last_n = n;
	a->batches++;
	a->items += n;
	d->nclaim = a->claimer.reserve != NULL && want > 0 ?
	    a->claimer.reserve(a->claimer.arg, want) : 0;
	snprintf(lim, sizeof lim, "%d", d->nclaim);
	p[0] = b.s;
	p[1] = lim;
	store_run(a->st, "SELECT hook_accept_run($1::jsonb, $2::int) AS r", 2,
	    p, accept_done, a);
	strbuf_free(&b);
}

static void
accept_warmed(json_t *rows, const struct err *err, void *arg)
{
	/* An old schema, or no store yet: the first batch plans it then. */
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
	struct pg_opts			 o;

	/* A sender waits on each answer: before the loop's other work. */
	memset(&o, 0, sizeof o);
	if (opts != NULL)
		o = *opts;
	o.urgent = 1;
	a->st = store_open(base, conninfo, &o);
	a->ev = event_new(base, -1, 0, accept_turn, a);
	a->ev_answer = event_new(base, -1, 0, accept_answer_cb, a);
	if (a->ev == NULL || a->ev_answer == NULL)
		fatal("event_new failed");
	event_priority_set(a->ev, LOOP_URGENT);
	event_priority_set(a->ev_answer, LOOP_URGENT);
	a->tail = &a->head;
	a->sent_tail = &a->sent;
	a->done_tail = &a->done;
	store_hook_acceptor_depth(a, ACCEPT_DEPTH);
	/* Read and planned now, not in front of the first sender's answer
	 * (tens of milliseconds): hook_accept_warm of 0030 stores nothing. */
	store_run(a->st, "SELECT hook_accept_warm()", 0, NULL, accept_warmed,
	    NULL);
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
	/* Stored: answered as such; the batch at the store: "cancelled". */
	accept_answer_all(a);
	store_close(a->st);
	event_free(a->ev_answer);
	err_set(&e, "cancelled", "shutting down: not stored");
	while ((it = a->head) != NULL) {
		a->head = it->next;
		it->cb(NULL, &e, it->arg);
		accept_item_free(it);
	}
	free(a);
}

void
store_hook_acceptor_depth(struct store_hook_acceptor *a, int depth)
{
	a->depth = depth > 1 ? depth : 1;
	pg_conn_set_pipeline(store_conn(a->st), a->depth);
}

void
store_hook_acceptor_claimer(struct store_hook_acceptor *a,
    const struct store_hook_claimer *c)
{
	a->claimer = *c;
}

void
store_hook_acceptor_stats(const struct store_hook_acceptor *a,
    uint64_t *batches, uint64_t *items)
{
	*batches = a->batches;
	*items = a->items;
}

/* Its signals that will be queued (no status of their own). */
static int
accept_claimable(json_t *signals)
{
	json_t	*sg;
	size_t	 i;
	int	 n = 0;

	json_array_foreach(signals, i, sg) {
		if (json_object_get(sg, "status") == NULL)
			n++;
	}
	return n;
}

void
store_hook_accept(struct store_hook_acceptor *a,
    const struct store_hook_payload *h, store_rows_cb cb, void *arg)
{
	struct accept_item	*it = xcalloc(1, sizeof *it);
	json_t			*o;

	o = json_pack("{s:I,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:o,"
	    "s:i,s:i,s:b}", "connector_id", (json_int_t)h->connector_id,
	    "connector", h->connector, "method", h->method, "remote",
	    h->remote, "ctype", h->ctype, "query", h->query, "body",
	    h->body_hex, "hash", h->hash_hex, "reason", h->reason,
	    "signals", h->signals != NULL ? json_incref(h->signals) :
	    json_array(), "dedupe_s", h->dedupe_s, "dedupe_id_s",
	    h->dedupe_id_s, "claim", !h->no_claim);
	it->json = json_dumps(o, JSON_COMPACT);
	if (!h->no_claim && h->reason == NULL)
		it->nclaim = accept_claimable(h->signals);
	json_decref(o);
	it->len = strlen(it->json);
	it->cb = cb;
	it->arg = arg;
	*a->tail = it;
	a->tail = &it->next;
	a->nwaiting++;
	/* Not at once: what else this loop turn accepts goes with it. */
	if (a->nsent < a->depth)
		event_active(a->ev, EV_TIMEOUT, 0);
}
