/*
 * The paper adapter: fills in-process, for a user with no broker.  A
 * MARKET order fills whole at the last price; a LIMIT fills at once when
 * the last price is at or through it, else rests and fills at its limit
 * when a later price crosses it; SL and SL-M wait for their trigger.
 *
 * Books (orders, trades, positions, cash) belong to the paper account,
 * not to an adapter instance (paper_book.c).  Positions written to the
 * store come from order events, not from here.
 *
 * Every operation runs from the loop on the instance's own timer, so a
 * callback never runs inside the call that asked for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "broker/broker_lib.h"
#include "broker/kite.h"
#include "broker/paper_int.h"
#include "net/net.h"

struct paper;

/* One operation waiting for the loop (or for a price lookup). */
struct paper_call {
	struct paper		*p;
	enum broker_op		 op;
	union broker_cb		 cb;
	void			*arg;
	struct event		*ev;
	struct broker_order_req	 req;
	char			 order_id[32];
	char			**keys;
	size_t			 nkeys;
	broker_instrument_cb	 row;		/* instruments */
	char			 exchange[8];
	int			 looking;	/* a lookup is out */
	int			 dead;		/* adapter freed meanwhile */
	struct paper_call	*prev;
	struct paper_call	*next;
};

struct paper {
	struct broker		 b;
	struct paper_acct	*acct;
	paper_lookup_fn		 lookup;
	void			*lookup_arg;
	paper_seed_fn		 seed;
	void			*seed_arg;
	struct paper_store	 store;		/* put NULL: memory only */
	struct paper_call	*calls;
	struct paper		*next_keeper;	/* acct->keepers */
};

/* The account's book is kept through p now. */
static void
paper_keep(struct paper_acct *a, struct paper *p)
{
	if (p == NULL) {
		memset(&a->store, 0, sizeof a->store);
		a->store_owner = NULL;
		return;
	}
	a->store = p->store;
	a->store_owner = p;
}

static void
paper_err(struct broker_err *be, enum broker_errclass kind, const char *code,
    const char *fmt, ...) PX_PRINTF(4, 5);

static void
paper_err(struct broker_err *be, enum broker_errclass kind, const char *code,
    const char *fmt, ...)
{
	va_list	ap;

	memset(be, 0, sizeof *be);
	be->kind = kind;
	snprintf(be->err.code, sizeof be->err.code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(be->err.msg, sizeof be->err.msg, fmt, ap);
	va_end(ap);
}

static void	paper_call_fire(evutil_socket_t, short, void *);

static struct paper_call *
paper_call_new(struct paper *p, enum broker_op op, void *arg)
{
	struct paper_call	*c;

	c = xcalloc(1, sizeof *c);
	c->p = p;
	c->op = op;
	c->arg = arg;
	c->next = p->calls;
	if (p->calls != NULL)
		p->calls->prev = c;
	p->calls = c;
	c->ev = broker_cb_later(loop_base(), paper_call_fire, c);
	return c;
}

static void
paper_call_unlink(struct paper_call *c)
{
	struct paper	*p = c->p;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

static void
paper_call_free(struct paper_call *c)
{
	size_t	i;

	if (c->ev != NULL)
		event_free(c->ev);
	for (i = 0; i < c->nkeys; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c);
}

/* Put a validated order on the book and match it at price (0 = none). */
static struct broker_order *
paper_book(struct paper_call *c, int64_t price)
{
	struct paper_acct	*a = c->p->acct;
	struct broker_order_req	*r = &c->req;
	struct broker_order	*o;

	a->orders = xreallocarray(a->orders, a->norders + 1,
	    sizeof *a->orders);
	o = &a->orders[a->norders++];
	memset(o, 0, sizeof *o);
	snprintf(o->order_id, sizeof o->order_id, "PA%lld",
	    (long long)paper_next_seq());
	memcpy(o->exchange, r->exchange, sizeof o->exchange);
	memcpy(o->tradingsymbol, r->tradingsymbol, sizeof o->tradingsymbol);
	memcpy(o->tag, r->tag, sizeof o->tag);
	o->side = r->side;
	o->order_type = r->order_type;
	o->product = r->product;
	o->validity = r->validity != BROKER_VALIDITY_UNKNOWN ? r->validity :
	    BROKER_DAY;
	o->variety = r->variety;
	o->qty = o->pending = r->qty;
	o->price = r->price;
	o->trigger_price = r->trigger_price;
	o->market_protection = r->market_protection;
	o->order_ts = o->exchange_ts = o->exchange_update_ts = time_wall_us();
	if (r->order_type == BROKER_SL || r->order_type == BROKER_SLM) {
		o->state = BROKER_TRIGGER_PENDING;
		snprintf(o->status, sizeof o->status, "TRIGGER PENDING");
	} else {
		o->state = BROKER_OPEN;
		snprintf(o->status, sizeof o->status, "OPEN");
	}
	if (r->order_type == BROKER_MARKET)
		paper_fill(a, o, price);
	else if (price > 0)
		paper_order_tick(a, o, price, 1);
	return o;
}

/* The answer of a call that waited on the store: unlink, answer, free. */
static void
paper_answer_id(struct paper_call *c, const struct broker_err *be,
    const char *order_id)
{
	paper_call_unlink(c);
	c->cb.id(be, order_id, c->arg);
	paper_call_free(c);
}

/*
 * A resting order is acknowledged once the store has it, so another
 * process can cancel it as soon as the ack is out; one the store cannot
 * keep is not placed (rejected here, a final error).
 */
static void
paper_kept(int applied, json_t *current, const struct err *err, void *arg)
{
	struct paper_call	*c = arg;
	struct broker_order	*o;
	struct broker_err	 be;

	c->looking = 0;
	if (c->dead) {
		paper_call_free(c);
		return;
	}
	if (err == NULL) {
		paper_answer_id(c, NULL, c->order_id);
		return;
	}
	if ((o = paper_order_find(c->p->acct, c->order_id)) != NULL &&
	    paper_resting(o)) {
		o->cancelled = o->pending;
		o->pending = 0;
		o->state = BROKER_REJECTED;
		snprintf(o->status, sizeof o->status, "REJECTED");
		snprintf(o->status_message, sizeof o->status_message,
		    "not kept in the store");
	}
	paper_err(&be, BROKER_ERR_FINAL, "order", "paper order not placed: "
	    "a resting order must be kept in the store, which failed: %s",
	    err->msg);
	paper_answer_id(c, &be, NULL);
}

static void
paper_priced(int64_t paise, void *arg)
{
	struct paper_call	*c = arg;
	struct paper		*p = c->p;
	struct broker_order	*o;
	struct broker_err	 be;
	json_t			*body;

	c->looking = 0;
	if (c->dead) {
		paper_call_free(c);
		return;
	}
	if (paise > 0 && c->req.order_type == BROKER_MARKET)
		paper_price_set(c->req.exchange, c->req.tradingsymbol, paise);
	else if (c->req.order_type == BROKER_MARKET) {
		paper_err(&be, BROKER_ERR_FINAL, "order", "no price for %s:%s: "
		    "set one or load instruments first", c->req.exchange,
		    c->req.tradingsymbol);
		paper_call_unlink(c);
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
		paper_call_free(c);
		return;
	}
	o = paper_book(c, paise);
	snprintf(c->order_id, sizeof c->order_id, "%s", o->order_id);
	if (p->store.put == NULL || !paper_resting(o)) {
		paper_answer_id(c, NULL, c->order_id);
		return;
	}
	c->looking = 1;
	body = paper_order_json(o);
	p->store.put(p->acct->name, o->order_id, 1, body, 0, paper_kept, c,
	    p->store.arg);
	json_decref(body);
}

/* Returns 1 if the call is finished (answered) and may be freed. */
static int
paper_do_place(struct paper_call *c)
{
	struct paper		*p = c->p;
	struct broker_err	 be;
	struct strbuf		 scratch;
	int64_t			 price = 0;
	int			 rc;

	strbuf_init(&scratch);
	rc = kite_encode_order(&c->req, &scratch, &be);
	strbuf_free(&scratch);
	if (rc != 0) {
		c->cb.id(&be, NULL, c->arg);
		return 1;
	}
	if (paper_price_get(c->req.exchange, c->req.tradingsymbol,
	    &price) != 0 && p->lookup != NULL) {
		c->looking = 1;
		p->lookup(c->req.exchange, c->req.tradingsymbol, paper_priced,
		    c, p->lookup_arg);
		return 0;
	}
	c->looking = 1;
	paper_priced(price, c);
	return -1;
}

/* Modify o as c asks; -1 with be filled when it cannot be. */
static int
paper_apply_modify(struct paper_call *c, struct broker_order *o,
    struct broker_err *be)
{
	struct paper_acct	*a = c->p->acct;
	struct strbuf		 scratch;
	int64_t			 last;
	int			 rc;

	strbuf_init(&scratch);
	rc = kite_encode_modify(&c->req, &scratch, be);
	strbuf_free(&scratch);
	if (rc != 0)
		return -1;
	if (o == NULL || !paper_resting(o)) {
		paper_err(be, BROKER_ERR_FINAL, "order", "order %s cannot be "
		    "modified: %s", c->order_id, o == NULL ? "no such order" :
		    o->status);
		return -1;
	}
	o->order_type = c->req.order_type;
	o->qty = c->req.qty;
	o->pending = o->qty - o->filled;
	o->price = c->req.price;
	o->trigger_price = c->req.trigger_price;
	o->state = o->order_type == BROKER_SL || o->order_type == BROKER_SLM ?
	    BROKER_TRIGGER_PENDING : BROKER_OPEN;
	snprintf(o->status, sizeof o->status, "%s",
	    o->state == BROKER_OPEN ? "OPEN" : "TRIGGER PENDING");
	if (paper_price_get(o->exchange, o->tradingsymbol, &last) == 0)
		paper_order_tick(a, o, last, 1);
	return 0;
}

static int
paper_apply_cancel(struct paper_call *c, struct broker_order *o,
    struct broker_err *be)
{
	if (o == NULL || !paper_resting(o)) {
		paper_err(be, BROKER_ERR_FINAL, "order", "order %s cannot be "
		    "cancelled: %s", c->order_id, o == NULL ? "no such order" :
		    o->status);
		return -1;
	}
	o->cancelled = o->pending;
	o->pending = 0;
	o->state = BROKER_CANCELLED;
	snprintf(o->status, sizeof o->status, "CANCELLED");
	o->exchange_update_ts = time_wall_us();
	return 0;
}

static int
paper_apply(struct paper_call *c, struct broker_order *o,
    struct broker_err *be)
{
	return c->op == BROKER_OP_MODIFY ? paper_apply_modify(c, o, be) :
	    paper_apply_cancel(c, o, be);
}

/*
 * Modify and cancel with a store act on the store's copy (another process
 * may have placed, filled or cancelled the order): fetch it, apply the
 * change, and store it back only if it is still resting there.
 */
static void
paper_stored_put(int applied, json_t *current, const struct err *err,
    void *arg)
{
	struct paper_call	*c = arg;
	struct broker_order	 o;
	struct broker_err	 be;

	c->looking = 0;
	if (c->dead) {
		paper_call_free(c);
		return;
	}
	if (err != NULL) {
		paper_err(&be, BROKER_ERR_RETRYABLE, "store", "order %s: the "
		    "change could not be kept in the store: %s", c->order_id,
		    err->msg);
		paper_answer_id(c, &be, NULL);
		return;
	}
	if (!applied) {
		if (paper_order_of_json(current, &o) == 0)
			paper_order_adopt(c->p->acct, &o);
		paper_err(&be, BROKER_ERR_FINAL, "order", "order %s cannot be "
		    "%s: %s (changed by another process)", c->order_id,
		    c->op == BROKER_OP_MODIFY ? "modified" : "cancelled",
		    o.status[0] ? o.status : "gone");
		paper_answer_id(c, &be, NULL);
		return;
	}
	paper_answer_id(c, NULL, c->order_id);
}

static void
paper_stored_got(json_t *bodies, const struct err *err, void *arg)
{
	struct paper_call	*c = arg;
	struct paper		*p = c->p;
	struct broker_order	 so, *o;
	struct broker_err	 be;
	json_t			*body;

	c->looking = 0;
	if (c->dead) {
		paper_call_free(c);
		return;
	}
	if (err != NULL) {
		paper_err(&be, BROKER_ERR_RETRYABLE, "store", "order %s: the "
		    "store cannot be read: %s", c->order_id, err->msg);
		paper_answer_id(c, &be, NULL);
		return;
	}
	o = paper_order_find(p->acct, c->order_id);
	if (json_array_size(bodies) == 1 &&
	    paper_order_of_json(json_array_get(bodies, 0), &so) == 0)
		o = paper_order_adopt(p->acct, &so);
	if (paper_apply(c, o, &be) != 0) {
		paper_answer_id(c, &be, NULL);
		return;
	}
	c->looking = 1;
	body = paper_order_json(o);
	p->store.put(p->acct->name, o->order_id, paper_resting(o), body, 1,
	    paper_stored_put, c, p->store.arg);
	json_decref(body);
}

/* Returns 1 if answered, 0 if waiting on the store. */
static int
paper_do_change(struct paper_call *c)
{
	struct paper		*p = c->p;
	struct broker_order	*o;
	struct broker_err	 be;

	if (p->store.get != NULL && p->store.put != NULL) {
		c->looking = 1;
		p->store.get(p->acct->name, c->order_id, paper_stored_got, c,
		    p->store.arg);
		return 0;
	}
	o = paper_order_find(p->acct, c->order_id);
	if (paper_apply(c, o, &be) != 0)
		c->cb.id(&be, NULL, c->arg);
	else
		c->cb.id(NULL, c->order_id, c->arg);
	return 1;
}

static void
paper_do_positions(struct paper_call *c)
{
	struct paper_acct	*a = c->p->acct;
	struct broker_positions	 bp;
	size_t			 i;

	bp.nnet = bp.nday = a->npos;
	bp.net = xcalloc(a->npos + 1, sizeof *bp.net);
	for (i = 0; i < a->npos; i++)
		paper_position_of(&a->pos[i], &bp.net[i]);
	bp.day = bp.net;
	c->cb.positions(NULL, &bp, c->arg);
	free(bp.net);
}

/* Funds: cash plus what closed trades made, less what positions hold. */
static void
paper_do_margins(struct paper_call *c)
{
	struct paper_acct		*a = c->p->acct;
	struct broker_margins		 m;
	struct broker_margin_segment	*s = &m.equity;
	struct broker_position		 bp;
	size_t				 i;

	memset(&m, 0, sizeof m);
	s->present = s->enabled = 1;
	s->cash = s->opening_balance = s->live_balance = a->cash;
	for (i = 0; i < a->npos; i++) {
		paper_position_of(&a->pos[i], &bp);
		s->debits += (bp.qty < 0 ? -bp.qty : bp.qty) * bp.avg_price;
		s->m2m_realised += bp.realised;
		s->m2m_unrealised += bp.unrealised;
	}
	s->exposure = s->debits;
	s->net = a->cash + s->m2m_realised + s->m2m_unrealised - s->debits;
	c->cb.margins(NULL, &m, c->arg);
}

static void
paper_do_quote(struct paper_call *c)
{
	struct broker_quote	*q;
	struct paper_price	*pp;
	size_t			 i, n = 0;

	q = xcalloc(c->nkeys + 1, sizeof *q);
	for (i = 0; i < c->nkeys; i++) {
		if ((pp = paper_price_find(c->keys[i])) == NULL ||
		    pp->paise <= 0)
			continue;
		snprintf(q[n].key, sizeof q[n].key, "%s", pp->key);
		q[n].ltp = pp->paise;
		q[n].ts = time_wall_us();
		n++;
	}
	c->cb.quotes(NULL, q, n, c->arg);
	free(q);
}

static void
paper_do_history(struct paper_call *c)
{
	struct broker_order	*o = paper_order_find(c->p->acct, c->order_id);
	struct broker_err	 be;

	if (o == NULL) {
		paper_err(&be, BROKER_ERR_FINAL, "order", "no order %s",
		    c->order_id);
		c->cb.orders(&be, NULL, 0, c->arg);
		return;
	}
	c->cb.orders(NULL, o, 1, c->arg);
}

static void
paper_do_trades(struct paper_call *c)
{
	struct paper_acct	*a = c->p->acct;
	struct broker_trade	*t;
	size_t			 i, n = 0;

	if (c->order_id[0] == '\0') {
		c->cb.trades(NULL, a->trades, a->ntrades, c->arg);
		return;
	}
	t = xcalloc(a->ntrades + 1, sizeof *t);
	for (i = 0; i < a->ntrades; i++) {
		if (strcmp(a->trades[i].order_id, c->order_id) == 0)
			t[n++] = a->trades[i];
	}
	c->cb.trades(NULL, t, n, c->arg);
	free(t);
}

/* Returns 0 if the call waits on a lookup and must stay alive. */
static int
paper_run(struct paper_call *c)
{
	struct broker_err	be;

	switch (c->op) {
	case BROKER_OP_PLACE:
		return paper_do_place(c);
	case BROKER_OP_MODIFY:
	case BROKER_OP_CANCEL:
		return paper_do_change(c);
	case BROKER_OP_ORDERS:
		c->cb.orders(NULL, c->p->acct->orders, c->p->acct->norders,
		    c->arg);
		break;
	case BROKER_OP_ORDER_HISTORY:
		paper_do_history(c);
		break;
	case BROKER_OP_TRADES:
		paper_do_trades(c);
		break;
	case BROKER_OP_POSITIONS:
		paper_do_positions(c);
		break;
	case BROKER_OP_MARGINS:
		paper_do_margins(c);
		break;
	case BROKER_OP_QUOTE:
		paper_do_quote(c);
		break;
	case BROKER_OP_INSTRUMENTS:
		memset(&be, 0, sizeof be);
		if (paper_dump(c->exchange[0] ? c->exchange : NULL, c->row,
		    c->arg, &be) != 0)
			c->cb.done(&be, c->arg);
		else
			c->cb.done(NULL, c->arg);
		break;
	}
	return 1;
}


static int
paper_may_wait(enum broker_op op)
{
	return op == BROKER_OP_PLACE || op == BROKER_OP_MODIFY ||
	    op == BROKER_OP_CANCEL;
}

static void
paper_call_fire(evutil_socket_t fd, short what, void *arg)
{
	struct paper_call	*c = arg;
	struct paper_acct	*a = c->p->acct;
	struct timeval		 tv = { 0, 1000 };
	int			 rc;

	event_free(c->ev);
	c->ev = NULL;
	/* Nothing runs on a book until it holds what the store says. */
	if (!a->seeded) {
		if (!a->seeding) {
			a->seeding = 1;
			c->p->seed(a->name, paper_seeded, a, c->p->seed_arg);
		}
		c->ev = evtimer_new(loop_base(), paper_call_fire, c);
		evtimer_add(c->ev, &tv);
		return;
	}
	/* Place, modify and cancel may wait on the store: linked till then. */
	if (!paper_may_wait(c->op))
		paper_call_unlink(c);
	rc = paper_run(c);
	if (rc == 1) {
		if (paper_may_wait(c->op))
			paper_call_unlink(c);
		paper_call_free(c);
	}
}

static void
paper_place(struct broker *b, const struct broker_order_req *req,
    broker_order_id_cb cb, void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_PLACE, arg);

	c->cb.id = cb;
	c->req = *req;
}

static void
paper_modify(struct broker *b, const char *order_id,
    const struct broker_order_req *req, broker_order_id_cb cb, void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_MODIFY, arg);

	c->cb.id = cb;
	c->req = *req;
	snprintf(c->order_id, sizeof c->order_id, "%s", order_id);
}

static void
paper_cancel(struct broker *b, const char *order_id, enum broker_variety v,
    broker_order_id_cb cb, void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_CANCEL, arg);

	c->cb.id = cb;
	snprintf(c->order_id, sizeof c->order_id, "%s", order_id);
}

static void
paper_orders(struct broker *b, broker_orders_cb cb, void *arg)
{
	paper_call_new((struct paper *)b, BROKER_OP_ORDERS, arg)->cb.orders =
	    cb;
}

static void
paper_order_history(struct broker *b, const char *order_id,
    broker_orders_cb cb, void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_ORDER_HISTORY, arg);

	c->cb.orders = cb;
	snprintf(c->order_id, sizeof c->order_id, "%s", order_id);
}

static void
paper_trades(struct broker *b, const char *order_id, broker_trades_cb cb,
    void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_TRADES, arg);

	c->cb.trades = cb;
	if (order_id != NULL)
		snprintf(c->order_id, sizeof c->order_id, "%s", order_id);
}

static void
paper_positions(struct broker *b, broker_positions_cb cb, void *arg)
{
	paper_call_new((struct paper *)b, BROKER_OP_POSITIONS,
	    arg)->cb.positions = cb;
}

static void
paper_margins(struct broker *b, broker_margins_cb cb, void *arg)
{
	paper_call_new((struct paper *)b, BROKER_OP_MARGINS,
	    arg)->cb.margins = cb;
}

static void
paper_quote(struct broker *b, const char *const *keys, size_t n,
    broker_quotes_cb cb, void *arg)
{
	struct paper_call	*c = paper_call_new((struct paper *)b,
	    BROKER_OP_QUOTE, arg);
	size_t			 i;

	c->cb.quotes = cb;
	c->keys = xcalloc(n + 1, sizeof *c->keys);
	for (i = 0; i < n; i++)
		c->keys[i] = xstrdup(keys[i]);
	c->nkeys = n;
}

static void
paper_instruments(struct broker *b, const char *exchange,
    broker_instrument_cb row, broker_done_cb done, void *arg)
{
	struct paper_call	*c;

	c = paper_call_new((struct paper *)b, BROKER_OP_INSTRUMENTS, arg);
	c->cb.done = done;
	c->row = row;
	if (exchange != NULL)
		snprintf(c->exchange, sizeof c->exchange, "%s", exchange);
}

/*
 * Calls still queued end as "cancelled"; one waiting on a price lookup is
 * answered now and freed when the lookup comes back.
 */
static void
paper_free(struct broker *b)
{
	struct paper		*p = (struct paper *)b, **kp;
	struct paper_call	*c;
	struct broker_err	 be;

	while ((c = p->calls) != NULL) {
		paper_call_unlink(c);
		paper_err(&be, c->op == BROKER_OP_PLACE ? BROKER_ERR_UNKNOWN :
		    BROKER_ERR_RETRYABLE, "cancelled", "the paper adapter "
		    "was closed first");
		broker_cb_fail(c->op, &c->cb, c->arg, &be);
		if (c->looking)
			c->dead = 1;
		else
			paper_call_free(c);
	}
	for (kp = &p->acct->keepers; *kp != NULL; kp = &(*kp)->next_keeper) {
		if (*kp == p) {
			*kp = p->next_keeper;
			break;
		}
	}
	if (p->acct->store_owner == p)
		paper_keep(p->acct, p->acct->keepers);
	free(p);
}

static const struct broker_ops paper_ops = {
	.name = "paper",
	.place = paper_place,
	.modify = paper_modify,
	.cancel = paper_cancel,
	.orders = paper_orders,
	.order_history = paper_order_history,
	.trades = paper_trades,
	.positions = paper_positions,
	.margins = paper_margins,
	.quote = paper_quote,
	.instruments = paper_instruments,
	.free = paper_free,
};

struct broker *
paper_new(const struct paper_opts *o)
{
	struct paper	*p;

	p = xcalloc(1, sizeof *p);
	p->b.ops = &paper_ops;
	snprintf(p->b.name, sizeof p->b.name, "%s",
	    o->name != NULL ? o->name : "paper");
	p->acct = paper_acct_get(o->name != NULL ? o->name : "paper",
	    o->cash);
	p->lookup = o->lookup;
	p->lookup_arg = o->lookup_arg;
	p->seed = o->seed;
	p->seed_arg = o->seed_arg;
	if (o->store != NULL) {
		p->store = *o->store;
		/* Price moves on the shared book are kept through this one. */
		p->next_keeper = p->acct->keepers;
		p->acct->keepers = p;
		paper_keep(p->acct, p);
	}
	if (p->seed == NULL)
		p->acct->seeded = 1;
	return &p->b;
}
