/*
 * Broker order ids, a batch at a time (store_order_broker_id).
 *
 * A fan-out's acks come back a few per loop turn, and each id was a
 * statement of its own: a hundred round trips for a hundred accounts on
 * the store's one connection, in front of the fills.  Now the ids of a
 * loop turn go as one durable write, and while it is in flight the next
 * ones gather behind it (a group commit): when it answers, the next
 * batch goes.  Each caller still learns its own id's row, or the error.
 *
 * An id seen twice for one account -- already on another order, or
 * earlier in the same batch -- is not stored: its row names the order
 * that has it, as the one-id statement did.  One order given two ids in
 * a batch keeps the later, as two statements would have left it.
 *
 * The orders are found by = ANY (array), an index scan: joined to the
 * batch's rows, the generic plan read the whole table (3.6 ms at 2,400
 * orders, the next fan-out's intent slowed by it).
 *
 * The batch never waits on a row lock, so it is never part of a
 * deadlock: a statement holding many row locks while waiting for one more
 * deadlocked with the events writer's settle.  It takes the lock its
 * UPDATE takes anyway (FOR NO KEY UPDATE, which the events writer's
 * foreign-key checks do not wait on), in id order, skipping rows locked
 * elsewhere (a settle in flight): those go in the next batch, and an id
 * skipped BIDS_TRIES times goes alone, which may wait (one lock held, no
 * circle).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_fanout.h"
#include "db/store_int.h"

#define BIDS_TRIES	4
/* Ids a statement at most: the rows it locks, the time it holds them. */
#define BIDS_MAX	64

struct bid_item {
	int64_t		 order_id;
	char		*broker_id;
	int		 tries;
	store_rows_cb	 cb;
	void		*arg;
};

struct bid_list {
	struct bid_item	*v;
	size_t		 n, cap;
};

struct store_bids {
	struct store	*st;
	struct bid_list	 pending;
	struct event	*ev;		/* sends pending at the turn's end */
	int		 inflight;	/* a batch is unanswered */
};

struct bid_batch {
	struct store_bids	*sb;
	struct bid_list		 items;
};

const char store_sql_broker_ids[] =
STORE_APPLIED("$2", "order.broker_ids")
", x AS ("
"  SELECT (e->>'id')::bigint AS id, e->>'b' AS b, n"
"  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n)"
"), xo AS ("
"  SELECT DISTINCT ON (x.id) x.id, x.b, x.n, o.account_id"
"  FROM x JOIN orders o ON o.id = x.id"
"  WHERE o.id = ANY ((SELECT array_agg(id) FROM x)::bigint[])"
"  ORDER BY x.id, x.n DESC"
"), lk AS ("
"  SELECT o.id FROM orders o WHERE o.id = ANY ((SELECT array_agg(id) FROM xo)::bigint[])"
"  ORDER BY o.id FOR NO KEY UPDATE SKIP LOCKED"
"), w AS MATERIALIZED ("
"  SELECT id, first_value(id) OVER (PARTITION BY account_id, b"
"    ORDER BY n) AS first FROM xo"
"), dup AS ("
"  SELECT xo.id, xo.b, lk.id IS NOT NULL AS locked, COALESCE("
"    (SELECT d.id FROM orders d WHERE d.account_id = xo.account_id"
"      AND d.broker_order_id = xo.b AND d.id <> xo.id LIMIT 1),"
"    NULLIF(w.first, xo.id)) AS of"
"  FROM xo JOIN w ON w.id = xo.id LEFT JOIN lk ON lk.id = xo.id"
"), upd AS ("
"  UPDATE orders o SET broker_order_id = dup.b, updated_at = now()"
"  FROM dup WHERE o.id = dup.id AND dup.locked AND dup.of IS NULL"
"    AND EXISTS (SELECT 1 FROM applied)"
"  RETURNING o.id"
")"
"SELECT x.id, dup.of AS duplicate_of, u.id IS NOT NULL AS stored,"
"  dup.id IS NOT NULL AND dup.of IS NULL AND NOT dup.locked"
"    AND EXISTS (SELECT 1 FROM applied) AS busy"
" FROM x LEFT JOIN dup ON dup.id = x.id LEFT JOIN upd u ON u.id = x.id"
" ORDER BY x.n";

static void	bids_send(struct store_bids *);

static void
bids_list_free(struct bid_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].broker_id);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Append a copy of *it (its strings now owned by the list). */
static void
bids_push(struct bid_list *l, const struct bid_item *it)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = *it;
}

/* The one-id statement of earlier versions (store_sql_broker_id). */
static void
bids_send_one(struct store *st, const struct bid_item *it)
{
	char		 ids[32];
	const char	*p[3];

	snprintf(ids, sizeof ids, "%lld", (long long)it->order_id);
	p[0] = ids;
	p[1] = it->broker_id;
	store_run_durable(st, "order.broker_id", 3, p, it->cb, it->arg);
}

/* Each caller gets the row of its order (or, failed, the error). */
static void
bids_done(json_t *rows, const struct err *err, void *arg)
{
	struct bid_batch	*b = arg;
	struct store_bids	*sb = b->sb;
	json_t			*row, *one;
	size_t			 i, j;

	sb->inflight = 0;
	/* The statement failed as a whole (a race on the unique index with
	 * another writer, say): one statement per id, so one bad id does
	 * not cost the others theirs. */
	if (err != NULL && strncmp(err->code, "sql:", 4) == 0 &&
	    b->items.n > 1) {
		log_warn("store", "%zu broker order ids stored one by one: %s",
		    b->items.n, err->msg);
		for (i = 0; i < b->items.n; i++)
			bids_send_one(sb->st, &b->items.v[i]);
		bids_list_free(&b->items);
		free(b);
		if (sb->pending.n > 0)
			bids_send(sb);
		return;
	}
	for (i = 0; i < b->items.n; i++) {
		struct bid_item *it = &b->items.v[i];

		if (err != NULL) {
			it->cb(NULL, err, it->arg);
			continue;
		}
		/* Rows come in the batch's order: row i is item i's. */
		one = json_array();
		row = json_array_get(rows, i);
		if (json_integer_value(json_object_get(row, "id")) !=
		    it->order_id) {
			json_array_foreach(rows, j, row) {
				if (json_integer_value(json_object_get(row,
				    "id")) == it->order_id)
					break;
			}
		}
		if (row != NULL)
			json_array_append(one, row);
		if (json_is_true(json_object_get(json_array_get(one, 0),
		    "busy"))) {
			if (++it->tries >= BIDS_TRIES)
				bids_send_one(sb->st, it);
			else {
				bids_push(&sb->pending, it);
				it->broker_id = NULL;	/* moved */
			}
		} else
			it->cb(one, NULL, it->arg);
		json_decref(one);
	}
	bids_list_free(&b->items);
	free(b);
	if (sb->pending.n > 0)
		bids_send(sb);
}

static void
bids_send(struct store_bids *sb)
{
	struct bid_batch	*b;
	json_t			*a;
	const char		*p[2];
	char			*json;
	size_t			 i;

	if (sb->pending.n == 0)
		return;
	b = xcalloc(1, sizeof *b);
	b->sb = sb;
	if (sb->pending.n <= BIDS_MAX) {
		b->items = sb->pending;
		memset(&sb->pending, 0, sizeof sb->pending);
	} else {
		/* The first BIDS_MAX go; the rest wait for the answer. */
		for (i = 0; i < BIDS_MAX; i++)
			bids_push(&b->items, &sb->pending.v[i]);
		memmove(sb->pending.v, sb->pending.v + BIDS_MAX,
		    (sb->pending.n - BIDS_MAX) * sizeof *sb->pending.v);
		sb->pending.n -= BIDS_MAX;
	}
	a = json_array();
	for (i = 0; i < b->items.n; i++)
		json_array_append_new(a, json_pack("{s:I,s:s}", "id",
		    (json_int_t)b->items.v[i].order_id, "b",
		    b->items.v[i].broker_id));
	json = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	p[0] = json;
	sb->inflight = 1;
	/* Kept in the journal instead, it answers at once: inflight is 0. */
	store_run_durable(sb->st, "order.broker_ids", 2, p, bids_done, b);
	free(json);
}

static void
bids_turn_end(evutil_socket_t fd, short what, void *arg)
{
	struct store_bids	*sb = arg;

	if (!sb->inflight)
		bids_send(sb);
}

static struct store_bids *
bids_of(struct store *st)
{
	struct store_bids	**slot = store_bids_slot(st), *sb;

	if ((sb = *slot) != NULL)
		return sb;
	sb = xcalloc(1, sizeof *sb);
	sb->st = st;
	sb->ev = event_new(store_base(st), -1, 0, bids_turn_end, sb);
	if (sb->ev == NULL)
		fatal("event_new failed");
	return *slot = sb;
}

void
store_order_broker_id(struct store *st, int64_t order_id,
    const char *broker_order_id, store_rows_cb cb, void *arg)
{
	struct store_bids	*sb = bids_of(st);
	struct bid_item		 it;

	memset(&it, 0, sizeof it);
	it.order_id = order_id;
	it.broker_id = xstrdup(broker_order_id);
	it.cb = cb;
	it.arg = arg;
	bids_push(&sb->pending, &it);
	if (!sb->inflight)
		event_active(sb->ev, EV_TIMEOUT, 0);
}

size_t
store_bids_pending(struct store *st)
{
	struct store_bids	*sb = *store_bids_slot(st);

	return sb != NULL ? sb->pending.n + (size_t)sb->inflight : 0;
}

/*
 * Before the connection closes: ids not sent yet are queued now, all of
 * them, behind a batch in flight, so the closing connection journals
 * them with it (and no answer finds any left to send).
 */
void
store_bids_flush(struct store *st)
{
	struct store_bids	*sb = *store_bids_slot(st);

	while (sb != NULL && sb->pending.n > 0)
		bids_send(sb);
}

/* After: every batch has answered (stored, journaled or failed). */
void
store_bids_free(struct store *st)
{
	struct store_bids	**slot = store_bids_slot(st), *sb = *slot;

	if (sb == NULL)
		return;
	bids_list_free(&sb->pending);
	event_free(sb->ev);
	free(sb);
	*slot = NULL;
}
