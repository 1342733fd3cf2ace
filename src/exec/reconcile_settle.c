/*
 * Settling the fan-outs a pass claimed, one at a time, once every book
 * it needs was read: each leg is matched against its account's book
 * (reconcile_match.c decides), then the fan-out is closed or, undecided,
 * left RUNNING for the next pass.  And the warnings every start shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/store_reconcile.h"
#include "exec/reconcile_int.h"

static struct rc_acct *
rc_acct_find(struct reconcile *rc, int64_t id)
{
	size_t	i;

	for (i = 0; i < rc->naccts; i++) {
		if (rc->accts[i].id == id)
			return &rc->accts[i];
	}
	return NULL;
}

static int
rc_at_broker(struct rc_acct *a, const char *tag, const char *broker_id)
{
	struct recon_book_entry	*e;
	size_t			 i;
	long			 k;

	if (a == NULL || !a->read)
		return broker_id != NULL && *broker_id != '\0';
	e = xcalloc(a->nbook + 1, sizeof *e);
	for (i = 0; i < a->nbook; i++) {
		e[i].tag = a->book[i].tag;
		e[i].order_id = a->book[i].order_id;
	}
	k = reconcile_book_match(e, a->nbook, tag, broker_id);
	free(e);
	/* Acked earlier counts too: the broker had it then. */
	return k >= 0 || (broker_id != NULL && *broker_id != '\0');
}

struct rc_close {
	struct reconcile	*rc;
	int64_t			 id;
	char			 state[16];
	char			*message;
};

static void
rc_closed(json_t *rows, const struct err *err, void *arg)
{
	struct rc_close		*c = arg;
	struct reconcile	*rc = c->rc;
	json_t			*row = rows != NULL ? json_array_get(rows, 0) :
				    NULL;

	if (rc_back(rc)) {
		free(c->message);
		free(c);
		return;
	}
	if (err != NULL) {
		free(c->message);
		free(c);
		rc_abandon(rc, err, "cannot settle a fan-out");
		return;
	}
	/* No id: its state had already moved on; nothing was changed. */
	if (row != NULL && json_integer_value(json_object_get(row, "id")) > 0) {
		if (strcmp(c->state, "INTERRUPTED") == 0)
			rc->rep.interrupted++;
		else
			rc->rep.completed++;
		json_array_append_new(rc->fanouts, json_pack("{s:I,s:s,s:s}",
		    "id", (json_int_t)c->id, "state", c->state, "message",
		    c->message));
		strbuf_printf(&rc->text, "reconcile: fanout %lld %s: %s\n",
		    (long long)c->id, c->state, c->message);
	}
	free(c->message);
	free(c);
	rc_next_fanout(rc);
}

static void
rc_released(json_t *rows, const struct err *err, void *arg)
{
	struct reconcile	*rc = arg;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		rc_abandon(rc, err, "cannot release a fan-out");
		return;
	}
	rc_next_fanout(rc);
}

/* Names of the accounts of the legs in one outcome, for the message. */
static void
rc_names(struct strbuf *b, json_t *names)
{
	size_t	 i;
	json_t	*n;

	json_array_foreach(names, i, n) {
		if (i == 4) {
			strbuf_printf(b, " and %zu more", json_array_size(names)
			    - 4);
			break;
		}
		strbuf_printf(b, "%s%s", i > 0 ? ", " : "",
		    json_string_value(n));
	}
}

static void
rc_settle(struct reconcile *rc, const struct rc_fanout *f, json_t *rows)
{
	struct recon_tally	 t;
	struct rc_close		*c;
	struct strbuf		 msg;
	json_t			*row, *never = json_array(), *names = json_array();
	enum recon_leg		 l;
	const char		*verdict, *state;
	char			*note;
	size_t			 i;
	int			 window_over = f->orphaned_ms >= rc->window_ms;

	memset(&t, 0, sizeof t);
	json_array_foreach(rows, i, row) {
		struct rc_acct *a = rc_acct_find(rc, json_integer_value(
		    json_object_get(row, "account_id")));

		state = json_string_value(json_object_get(row, "state"));
		l = reconcile_leg(rc_at_broker(a, json_string_value(
		    json_object_get(row, "client_tag")), json_string_value(
		    json_object_get(row, "broker_order_id"))), state,
		    a != NULL && a->read, window_over);
		reconcile_tally(&t, l, state);
		if (l == RECON_NEVER_SENT) {
			json_array_append(never, json_object_get(row, "id"));
			json_array_append(names, json_object_get(row,
			    "account"));
		}
	}
	if ((verdict = reconcile_verdict(&t)) == NULL) {
		rc->rep.waiting++;
		if (t.wait > 0 && (rc->wait_ms == 0 || rc->window_ms -
		    f->orphaned_ms < rc->wait_ms))
			rc->wait_ms = rc->window_ms - f->orphaned_ms;
		strbuf_printf(&rc->text, "reconcile: fanout %lld still RUNNING: "
		    "%zu leg(s) not at the broker yet%s%s\n", (long long)f->id,
		    t.wait + t.unread, t.wait > 0 ? " (sending window open)" :
		    "", t.unread > 0 ? " (order book unreadable)" : "");
		json_decref(never);
		json_decref(names);
		rc_call(rc);
		store_reconcile_release(rc->st, f->id, rc_released, rc);
		return;
	}
	strbuf_init(&msg);
	if (t.never_sent > 0) {
		strbuf_printf(&msg, "interrupted: the sending process stopped; "
		    "%zu of %zu order(s) never sent (", t.never_sent, t.legs);
		rc_names(&msg, names);
		strbuf_printf(&msg, "); not sent automatically -- \"fanout "
		    "resume %lld\" sends them", (long long)f->id);
	} else
		strbuf_printf(&msg, "settled from the brokers' order books "
		    "after the sending process stopped: %zu order(s), %zu "
		    "failed", t.legs, t.failed);
	note = xasprintf("never sent: the sending process stopped "
	    "(\"fanout resume %lld\" sends it)", (long long)f->id);
	c = xcalloc(1, sizeof *c);
	c->rc = rc;
	c->id = f->id;
	snprintf(c->state, sizeof c->state, "%s", verdict);
	c->message = strbuf_steal(&msg);
	rc_call(rc);
	store_reconcile_close(rc->st, f->id, verdict, c->message, never, note,
	    rc_closed, c);
	free(note);
	json_decref(never);
	json_decref(names);
}

static void
rc_legs(json_t *rows, const struct err *err, void *arg)
{
	struct reconcile	*rc = arg;

	if (rc_back(rc))
		return;
	if (err != NULL) {
		rc_abandon(rc, err, "cannot read a fan-out's orders");
		return;
	}
	rc_settle(rc, &rc->fos[rc->next_fo - 1], rows);
}

void
rc_next_fanout(struct reconcile *rc)
{
	if (rc->next_fo >= rc->nfos) {
		rc_finish(rc);
		return;
	}
	rc_call(rc);
	store_reconcile_legs(rc->st, rc->fos[rc->next_fo++].id, rc_legs, rc);
}

struct rc_warn {
	void	(*cb)(const char *, void *);
	void	*arg;
};

static void
rc_warned(json_t *rows, const struct err *err, void *arg)
{
	struct rc_warn	*w = arg;
	struct strbuf	 b;
	json_t		*row;
	size_t		 i;
	const char	*state, *side, *symbol, *intent;

	strbuf_init(&b);
	if (err != NULL)
		strbuf_printf(&b, "warning: cannot look for interrupted "
		    "fan-outs: %s\n", err->msg);
	json_array_foreach(rows, i, row) {
		state = json_string_value(json_object_get(row, "state"));
		side = json_string_value(json_object_get(row, "side"));
		symbol = json_string_value(json_object_get(row, "symbol"));
		intent = json_string_value(json_object_get(row, "intent"));
		strbuf_printf(&b, "warning: fanout %lld (%s %s%s%s to %s, %s) "
		    "is %s", (long long)json_integer_value(json_object_get(row,
		    "id")), intent != NULL ? intent : "?",
		    side != NULL ? side : "", side != NULL ? " " : "",
		    symbol != NULL ? symbol : "", json_string_value(
		    json_object_get(row, "target")), json_string_value(
		    json_object_get(row, "created")), state);
		if (strcmp(state, "INTERRUPTED") == 0)
			strbuf_printf(&b, ": %lld order(s) never sent; \"fanout "
			    "resume %lld\" sends them\n", (long long)
			    json_integer_value(json_object_get(row, "unsent")),
			    (long long)json_integer_value(json_object_get(row,
			    "id")));
		else
			strbuf_puts(&b, " with no live sender: reconciliation "
			    "pending\n");
	}
	w->cb(b.len > 0 ? b.s : NULL, w->arg);
	strbuf_free(&b);
	free(w);
}

void
reconcile_warnings(struct store *st, void (*cb)(const char *, void *),
    void *arg)
{
	struct rc_warn	*w;

	w = xmalloc(sizeof *w);
	w->cb = cb;
	w->arg = arg;
	store_fanouts_interrupted(st, rc_warned, w);
}
