/*
 * The lifecycle event writer (store_events.h).  Events wait in a FIFO; a
 * flush takes up to max_batch of them into the one batch in flight.  The
 * batch goes to PostgreSQL as COPY data, or -- when the store
 * is unreachable, or older events are still in the journal -- appended to
 * the journal so the journal always holds a prefix of what is unwritten.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_events.h"
#include "util/metrics.h"

#define BACKOFF_MIN_US	500000
#define BACKOFF_MAX_US	30000000

/*
 * Unknown orders are filtered (a foreign key failure would reject the
 * whole batch forever); rows already present (same uid) are skipped.
 * Each order the batch touches moves to its latest event, picked by the
 * writer ($11..$15): cheaper than sorting the batch again on the server,
 * and harmless on a replay, which always precedes anything newer.
 */
/*
 * The orders row follows its events forward only: a final state is not
 * undone by an older event written late (a router event landing after a
 * postback's), and the filled quantity never shrinks.  The event itself
 * is kept either way: order_events is the history.
 */
#define ORDERS_FINAL "('FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'DENIED')"
#define ORDERS_FORWARD_ONLY \
    "  AND NOT (o.state IN " ORDERS_FINAL " AND l.state NOT IN " \
    ORDERS_FINAL ")" \
    "  AND coalesce(l.filled_qty, o.filled_qty) >= o.filled_qty"

/*
 * A batch is one transaction of three statements: the rows are copied
 * (COPY ... FROM STDIN, text format) into a temporary table emptied at
 * commit, then inserted from it.  COPY parses rows as fast as the server
 * can; the order of the batch is kept by ord, and "last" marks each
 * order's latest event, picked by the writer.  The orders rows are
 * locked in id order first (lk), as every statement that changes many of
 * them does (0031): two such never deadlock.
 */
#define EVENTS_STAGE "px_events_in"
#define EVENTS_SQL(conflict) \
    "CREATE TEMP TABLE IF NOT EXISTS " EVENTS_STAGE " (ts timestamptz," \
    "  order_id bigint, state text, broker_status text," \
    "  filled_qty integer, message text, latency_us bigint," \
    "  mono_us bigint, uid uuid, avg_price numeric, ord integer," \
    "  last boolean) ON COMMIT DELETE ROWS;" \
    "COPY " EVENTS_STAGE " FROM STDIN;" \
    "WITH e AS (" \
    " SELECT u.* FROM " EVENTS_STAGE " u" \
    " WHERE EXISTS (SELECT 1 FROM orders o WHERE o.id = u.order_id)" \
    "), ins AS (" \
    " INSERT INTO order_events (ts, order_id, state, broker_status," \
    "  filled_qty, message, latency_us, mono_us, uid)" \
    " SELECT ts, order_id, state, broker_status, filled_qty, message," \
    "  latency_us, mono_us, uid FROM e ORDER BY ord" \
    conflict \
    " RETURNING id" \
    "), lk AS (" \
    " SELECT o.id FROM orders o" \
    " WHERE o.id = ANY ((SELECT array_agg(order_id) FROM e)::bigint[])" \
    " ORDER BY o.id FOR NO KEY UPDATE" \
    "), upd AS (" \
    " UPDATE orders o SET state = l.state," \
    "  filled_qty = coalesce(l.filled_qty, o.filled_qty)," \
    "  avg_price = coalesce(l.avg_price, o.avg_price)," \
    "  message = CASE WHEN l.state = 'DENIED' AND l.message <> ''" \
    "   THEN l.message ELSE o.message END," \
    "  updated_at = l.ts" \
    " FROM e l JOIN lk ON lk.id = l.order_id" \
    " WHERE l.last AND o.id = l.order_id" \
    ORDERS_FORWARD_ONLY \
    " RETURNING o.id" \
    "), s AS (" \
    " SELECT count(*) AS n, min(id) AS first_id, max(id) AS last_id," \
    "  (SELECT count(*) FROM e) AS known," \
    "  (SELECT count(*) FROM upd) AS orders FROM ins" \
    ")" \
    " SELECT s.n, s.known, s.orders FROM s LEFT JOIN LATERAL" \
    " (SELECT pg_notify('" EVENTS_CHANNEL "', json_build_object('n', s.n," \
    "  'first_id', s.first_id, 'last_id', s.last_id)::text)" \
    "  WHERE s.n > 0) p ON true"

/*
 * Only a replay can meet rows already written: live batches carry fresh
 * uids and are never resent (a failed one is replayed from the journal),
 * so they skip the cost of speculative insertion.
 */
static const char events_sql_live[] = EVENTS_SQL("");
static const char events_sql_replay[] =
    EVENTS_SQL(" ON CONFLICT (uid, ts) DO NOTHING");

/*
 * A live batch goes the short way first: COPY straight into order_events
 * (what `psql \copy` does), then phalanx_events_settle (0027) moves each
 * order the batch touches to its latest event, named by uid, in the same
 * transaction.  The statement names those uids and average prices, which
 * the writer made itself and checks (events_settle_ok): no text of an
 * event's own is ever part of it.  A batch naming an unknown order fails
 * on the foreign key, whole, and goes again the filtering way above.
 */
#define EVENTS_COLS \
    "(ts, order_id, state, broker_status, filled_qty, message, latency_us," \
    " mono_us, uid)"
static const char events_sql_direct[] =
    "COPY order_events " EVENTS_COLS " FROM STDIN;"
    "SELECT n, known, orders FROM phalanx_events_settle(";


/* One event as the writer keeps it: strings owned. */
struct ev {
	int64_t			 ts_us;
	int64_t			 mono_us;
	int64_t			 order_id;
	int64_t			 filled_qty;	/* < 0: NULL */
	int64_t			 avg_price;	/* < 0: NULL */
	int64_t			 latency_us;	/* < 0: NULL */
	enum broker_state	 state;
	int			 offline;	/* written while not READY */
	int64_t			 seq;		/* its journal seq (replays) */
	char			*broker_status;
	char			*message;
	char			 uid[JOURNAL_UID_LEN];
};

struct ev_batch {
	struct events_writer	*w;	/* NULL once the writer is gone */
	struct ev		*v;
	size_t			 n;
	int			 replay;
	int			 direct;	/* sent the short way */
	int			 filter;	/* the short way failed: not again */
};

struct events_writer {
	struct event_base	*base;
	struct pg_conn		*pg;
	struct journal		*j;
	struct events_opts	 o;
	struct event		*ev_flush;

	struct ev		*q;	/* FIFO: q[qhead, qn) */
	size_t			 qhead, qn, qcap;
	size_t			 qoffline;	/* queued with offline set */

	struct ev_batch		*inflight;
	struct ev		*rp;	/* journal entries being replayed */
	size_t			 rpn, rpoff;
	int64_t			 rp_upto;	/* last seq loaded */
	int64_t			 rp_cut_at;	/* mono us of the last cut */
	int			 replaying;

	int64_t			 retry_at;	/* mono us; after SQL errors */
	int64_t			 backoff_us;
	struct events_stats	 st;
};

static void	events_flush_cb(evutil_socket_t, short, void *);
static void	events_done(PGresult *, const struct err *, void *);

static void
ev_clear(struct ev *e)
{
	free(e->broker_status);
	free(e->message);
	e->broker_status = e->message = NULL;
}

static void
ev_free_all(struct ev *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		ev_clear(&v[i]);
	free(v);
}

/* Valid UTF-8 copy (PostgreSQL and jansson refuse anything else). */
static char *
ev_text(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;
	size_t			 n, k;

	if (s == NULL)
		return NULL;
	o = out = xmalloc(strlen(s) + 1);
	while (*p != '\0') {
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 4;
		else
			n = 0;
		for (k = 1; k < n; k++) {
			if ((p[k] & 0xc0) != 0x80)
				n = 0;
		}
		if (n == 0) {
			*o++ = '?';
			p++;
			continue;
		}
		memcpy(o, p, n);
		o += n;
		p += n;
	}
	*o = '\0';
	return out;
}

/* Event <-> journal entry ----------------------------------------------- */

static json_t *
ev_to_json(const struct ev *e)
{
	json_t	*o;

	o = json_object();
	json_object_set_new(o, "id", json_string(e->uid));
	json_object_set_new(o, "ts", json_integer(e->ts_us));
	json_object_set_new(o, "mono", json_integer(e->mono_us));
	json_object_set_new(o, "order", json_integer(e->order_id));
	json_object_set_new(o, "state",
	    json_string(broker_state_name(e->state)));
	if (e->broker_status != NULL)
		json_object_set_new(o, "status", json_string(e->broker_status));
	json_object_set_new(o, "filled", json_integer(e->filled_qty));
	json_object_set_new(o, "avg", json_integer(e->avg_price));
	if (e->message != NULL)
		json_object_set_new(o, "msg", json_string(e->message));
	json_object_set_new(o, "lat", json_integer(e->latency_us));
	return o;
}

static int
ev_state_parse(const char *s, enum broker_state *out)
{
	int	i;

	for (i = 0; i < BROKER_NSTATES; i++) {
		if (strcmp(s, broker_state_name((enum broker_state)i)) == 0) {
			*out = (enum broker_state)i;
			return 0;
		}
	}
	return -1;
}

static int
ev_from_json(json_t *o, struct ev *e, int64_t seq)
{
	const char	*uid, *state, *s;

	memset(e, 0, sizeof *e);
	e->seq = seq;
	uid = json_string_value(json_object_get(o, "id"));
	state = json_string_value(json_object_get(o, "state"));
	if (uid == NULL || strlen(uid) != JOURNAL_UID_LEN - 1 ||
	    state == NULL || ev_state_parse(state, &e->state) != 0)
		return -1;
	memcpy(e->uid, uid, JOURNAL_UID_LEN);
	e->ts_us = json_integer_value(json_object_get(o, "ts"));
	e->mono_us = json_integer_value(json_object_get(o, "mono"));
	e->order_id = json_integer_value(json_object_get(o, "order"));
	e->filled_qty = json_integer_value(json_object_get(o, "filled"));
	e->avg_price = json_integer_value(json_object_get(o, "avg"));
	e->latency_us = json_integer_value(json_object_get(o, "lat"));
	if ((s = json_string_value(json_object_get(o, "status"))) != NULL)
		e->broker_status = xstrdup(s);
	if ((s = json_string_value(json_object_get(o, "msg"))) != NULL)
		e->message = xstrdup(s);
	return 0;
}

/* Entries waiting in the journal; none without one. */
static size_t
jcount(struct events_writer *w)
{
	return w->j != NULL ? journal_count(w->j) : 0;
}

/* One durable journal batch; the events stay with the caller. */
static int
events_journal(struct events_writer *w, const struct ev *v, size_t n)
{
	json_t		**objs;
	struct err	  e;
	size_t		  i;
	int		  rc;

	if (n == 0)
		return 0;
	if (w->j == NULL)
		return -1;
	objs = xcalloc(n, sizeof *objs);
	for (i = 0; i < n; i++)
		objs[i] = ev_to_json(&v[i]);
	err_clear(&e);
	rc = journal_append(w->j, objs, n, &e);
	for (i = 0; i < n; i++)
		json_decref(objs[i]);
	free(objs);
	if (rc != 0)
		log_error("events", "cannot journal %zu events: %s", n, e.msg);
	else
		w->st.journaled += n;
	return rc;
}

/* Batch rows: COPY text format ------------------------------------------ */

/* Decimal digits of v at the end of buf; returns where they start. */
static char *
dec_digits(char *end, uint64_t v)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

/* One column: its separator, then the value; \N is NULL. */
static void
col_sep(struct strbuf *sb, int first)
{
	if (!first)
		strbuf_putc(sb, '\t');
}

static void
col_text(struct strbuf *sb, const char *s, int first)
{
	const char	*p;

	col_sep(sb, first);
	if (s == NULL) {
		strbuf_puts(sb, "\\N");
		return;
	}
	while (*(p = s + strcspn(s, "\\\t\n\r")) != '\0') {
		strbuf_add(sb, s, (size_t)(p - s));
		strbuf_puts(sb, *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" :
		    *p == '\n' ? "\\n" : "\\r");
		s = p + 1;
	}
	strbuf_puts(sb, s);
}

static void
col_int(struct strbuf *sb, int64_t v, int null_if_negative)
{
	char	buf[24], *p;

	col_sep(sb, 0);
	if (null_if_negative && v < 0) {
		strbuf_puts(sb, "\\N");
		return;
	}
	p = dec_digits(buf + sizeof buf, v < 0 ? 0 - (uint64_t)v :
	    (uint64_t)v);
	if (v < 0)
		*--p = '-';
	strbuf_puts(sb, p);
}

/* Paise as rupees with two decimals, exact. */
static void
col_paise(struct strbuf *sb, int64_t v)
{
	char	buf[24], frac[4];

	col_sep(sb, 0);
	if (v < 0) {
		strbuf_puts(sb, "\\N");
		return;
	}
	strbuf_puts(sb, dec_digits(buf + sizeof buf, (uint64_t)(v / 100)));
	frac[0] = '.';
	frac[1] = (char)('0' + v / 10 % 10);
	frac[2] = (char)('0' + v % 10);
	frac[3] = '\0';
	strbuf_puts(sb, frac);
}

/*
 * time_fmt_utc's text, formatting the date and time once a second: a
 * batch of thousands of events shares a handful of seconds.
 */
static void
ev_ts(int64_t wall_us, char buf[40])
{
	static int64_t	last_s = -1;
	static char	base[32];
	int64_t		s = wall_us / 1000000, us = wall_us % 1000000;
	char		digits[8], *p;
	size_t		n;

	if (wall_us < 0) {
		time_fmt_utc(wall_us, buf, 40);
		return;
	}
	if (s != last_s) {
		time_fmt_utc(s * 1000000, buf, 40);
		n = strcspn(buf, ".");
		memcpy(base, buf, n);
		base[n] = '\0';
		last_s = s;
	}
	p = dec_digits(digits + sizeof digits, (uint64_t)us + 1000000);
	n = strlen(base);
	memcpy(buf, base, n);
	buf[n] = '.';
	memcpy(buf + n + 1, p + 1, 6);	/* the six digits after the 1 */
	memcpy(buf + n + 7, "Z", 2);
}

static int
ev_last_cmp(const void *x, const void *y)
{
	const struct ev	*a = *(const struct ev *const *)x;
	const struct ev	*b = *(const struct ev *const *)y;

	if (a->order_id != b->order_id)
		return a->order_id < b->order_id ? -1 : 1;
	return a < b ? 1 : a > b ? -1 : 0;	/* later in the batch first */
}

/* Which events of the batch are their order's latest: last[i] set. */
static char *
events_last(const struct ev_batch *b)
{
	const struct ev	**v;
	char		 *last;
	size_t		  i;

	v = xcalloc(b->n + 1, sizeof *v);
	last = xcalloc(b->n + 1, 1);
	for (i = 0; i < b->n; i++)
		v[i] = &b->v[i];
	qsort(v, b->n, sizeof *v, ev_last_cmp);
	for (i = 0; i < b->n; i++) {
		if (i == 0 || v[i]->order_id != v[i - 1]->order_id)
			last[v[i] - b->v] = 1;
	}
	free(v);
	return last;
}

/* A uid the writer may name in a statement: 36 of [0-9a-f-], nothing else. */
static int
events_uid_ok(const char *uid)
{
	size_t	n = strspn(uid, "0123456789abcdef-");

	return n == JOURNAL_UID_LEN - 1 && uid[n] == '\0';
}

/* One array of the settling call: a value of each latest event. */
static void
events_settle_array(struct strbuf *sql, const struct ev_batch *b,
    const char *last, int what)
{
	char	buf[48];
	size_t	i, k;

	strbuf_puts(sql, ", '{");
	for (i = 0, k = 0; i < b->n; i++) {
		const struct ev	*e = &b->v[i];

		if (!last[i])
			continue;
		strbuf_puts(sql, k++ > 0 ? "," : "");
		switch (what) {
		case 0:
			strbuf_printf(sql, "%lld", (long long)e->order_id);
			break;
		case 1:
			strbuf_puts(sql, broker_state_name(e->state));
			break;
		case 2:
			if (e->filled_qty < 0)
				strbuf_puts(sql, "NULL");
			else
				strbuf_printf(sql, "%lld", (long long)e->filled_qty);
			break;
		case 3:
			if (e->avg_price < 0)
				strbuf_puts(sql, "NULL");
			else
				strbuf_printf(sql, "%lld.%02lld",
				    (long long)(e->avg_price / 100),
				    (long long)(e->avg_price % 100));
			break;
		case 4:
			ev_ts(e->ts_us, buf);
			strbuf_printf(sql, "\"%s\"", buf);
			break;
		default:
			strbuf_puts(sql, e->uid);
			break;
		}
	}
	strbuf_puts(sql, "}'");
}

/*
 * The call that settles a batch sent the short way: its size, its first
 * and last uids, and each latest event's order, state, fill, average
 * price, time and uid -- numbers, names of our own table and uids, never
 * an event's text.  0 when a uid is not one the writer made (a journal
 * edited by hand): the batch then goes the filtering way.
 */
static int
events_settle_sql(struct strbuf *sql, const struct ev_batch *b,
    const char *last)
{
	size_t	i;
	int	what;

	for (i = 0; i < b->n; i++) {
		if (!events_uid_ok(b->v[i].uid))
			return 0;
	}
	strbuf_printf(sql, "%s%zu, '%s', '%s'", events_sql_direct, b->n,
	    b->v[0].uid, b->v[b->n - 1].uid);
	for (what = 0; what < 6; what++)
		events_settle_array(sql, b, last, what);
	strbuf_puts(sql, ")");
	return 1;
}

/* One event as COPY text: the columns of order_events, or the stage's. */
static void
events_row(struct strbuf *sb, const struct ev *e, size_t i, int last,
    int stage)
{
	char	ts[40];

	ev_ts(e->ts_us, ts);
	col_text(sb, ts, 1);
	col_int(sb, e->order_id, 0);
	col_text(sb, broker_state_name(e->state), 0);
	col_text(sb, e->broker_status, 0);
	col_int(sb, e->filled_qty, 1);
	col_text(sb, e->message, 0);
	col_int(sb, e->latency_us, 1);
	col_int(sb, e->mono_us, 0);
	col_text(sb, e->uid, 0);
	if (stage) {
		col_paise(sb, e->avg_price);
		col_int(sb, (int64_t)i + 1, 0);
		col_text(sb, last ? "t" : "f", 0);
	}
	strbuf_putc(sb, '\n');
}

static void
events_send(struct events_writer *w, struct ev_batch *b)
{
	struct strbuf	 sb, sql;
	char		*last;
	size_t		 i;

	last = events_last(b);
	strbuf_init(&sql);
	b->direct = !b->replay && !b->filter && w->j != NULL && b->n > 0 &&
	    events_settle_sql(&sql, b, last);
	strbuf_init(&sb);
	for (i = 0; i < b->n; i++)
		events_row(&sb, &b->v[i], i, last[i], !b->direct);
	free(last);
	w->inflight = b;
	pg_query_copy(w->pg, b->direct ? sql.s : b->replay || w->j == NULL ?
	    events_sql_replay : events_sql_live, sb.s != NULL ? sb.s : "",
	    sb.len, events_done, b);
	strbuf_free(&sb);
	strbuf_free(&sql);
}

/* The queue ------------------------------------------------------------ */

static size_t
q_len(const struct events_writer *w)
{
	return w->qn - w->qhead;
}

static void
q_reserve(struct events_writer *w, size_t more)
{
	if (w->qhead > 0 && w->qhead >= w->qn / 2) {
		memmove(w->q, w->q + w->qhead, q_len(w) * sizeof *w->q);
		w->qn -= w->qhead;
		w->qhead = 0;
	}
	if (w->qn + more <= w->qcap)
		return;
	w->qcap = (w->qn + more) * 2;
	w->q = xreallocarray(w->q, w->qcap, sizeof *w->q);
}

/* Take the oldest n events out of the queue into a new array. */
static struct ev *
q_take(struct events_writer *w, size_t n)
{
	struct ev	*v;
	size_t		 i;

	v = xcalloc(n + 1, sizeof *v);
	memcpy(v, w->q + w->qhead, n * sizeof *v);
	for (i = 0; i < n; i++)
		w->qoffline -= v[i].offline != 0;
	w->qhead += n;
	if (w->qhead == w->qn)
		w->qhead = w->qn = 0;
	return v;
}

/* Put events back at the head: they are older than anything queued. */
static void
q_untake(struct events_writer *w, struct ev *v, size_t n)
{
	q_reserve(w, n);
	memmove(w->q + w->qhead + n, w->q + w->qhead,
	    q_len(w) * sizeof *w->q);
	memcpy(w->q + w->qhead, v, n * sizeof *v);
	w->qn += n;
	while (n-- > 0)
		w->qoffline += v[n].offline != 0;
	free(v);
}

/* Flushing ------------------------------------------------------------- */

static void
events_arm(struct events_writer *w, int64_t us)
{
	struct timeval	tv;

	if (us <= 0) {
		event_active(w->ev_flush, EV_TIMEOUT, 0);
		return;
	}
	if (evtimer_pending(w->ev_flush, NULL))
		return;
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	evtimer_add(w->ev_flush, &tv);
}

static int
events_ready(const struct events_writer *w)
{
	return w->pg != NULL && pg_conn_state(w->pg) == PG_READY;
}

static void
events_replay_free(struct events_writer *w)
{
	ev_free_all(w->rp, w->rpn);
	w->rp = NULL;
	w->rpn = w->rpoff = 0;
	w->replaying = 0;
}

struct replay_load {
	struct events_writer	*w;
	int64_t			 after;
	size_t			 cap;
};

static int
events_replay_one(json_t *o, int64_t seq, void *arg)
{
	struct replay_load	*rl = arg;
	struct events_writer	*w = rl->w;

	if (seq <= rl->after)
		return 0;
	if (w->rpn == rl->cap) {
		rl->cap = rl->cap ? rl->cap * 2 : 256;
		w->rp = xreallocarray(w->rp, rl->cap, sizeof *w->rp);
	}
	if (ev_from_json(o, &w->rp[w->rpn], seq) != 0) {
		struct err	e;

		/* Out of the way, not lost: the drop after the replay
		 * removes it from the journal. */
		err_clear(&e);
		if (journal_set_aside(w->j, o, "not an order event", &e) != 0) {
			log_error("events", "%s", e.msg);
			return -1;
		}
	} else
		w->rpn++;
	/* Read (replayed or set aside): a drop may remove it. */
	if (seq > w->rp_upto)
		w->rp_upto = seq;
	return 0;
}

/* Load journal entries after seq `after`; the number loaded. */
static size_t
events_replay_load(struct events_writer *w, int64_t after)
{
	struct replay_load	rl = { w, after, 0 };
	struct err		e;

	events_replay_free(w);
	w->rp_upto = after;
	w->rp_cut_at = time_mono_us();
	err_clear(&e);
	if (journal_replay(w->j, events_replay_one, &rl, &e) < 0) {
		log_error("events", "cannot replay the journal: %s", e.msg);
		events_replay_free(w);
		return 0;
	}
	w->replaying = w->rpn > 0;
	return w->rpn;
}

static void
events_send_replay(struct events_writer *w)
{
	struct ev_batch	*b;
	size_t		 n;

	n = w->rpn - w->rpoff;
	if (n > w->o.max_batch)
		n = w->o.max_batch;
	b = xcalloc(1, sizeof *b);
	b->w = w;
	b->replay = 1;
	b->v = w->rp + w->rpoff;
	b->n = n;
	events_send(w, b);
}

static void
events_send_live(struct events_writer *w)
{
	struct ev_batch	*b;
	size_t		 n = q_len(w);

	if (n > w->o.max_batch)
		n = w->o.max_batch;
	b = xcalloc(1, sizeof *b);
	b->w = w;
	b->n = n;
	b->v = q_take(w, n);
	events_send(w, b);
}

/* Queue to journal; on failure the events stay queued and we retry. */
static void
events_journal_queue(struct events_writer *w)
{
	struct ev	*v;
	size_t		 n = q_len(w);

	if (n == 0)
		return;
	v = q_take(w, n);
	if (events_journal(w, v, n) != 0) {
		q_untake(w, v, n);
		events_arm(w, BACKOFF_MIN_US);
		return;
	}
	ev_free_all(v, n);
}

/*
 * The journal holds the oldest unwritten events, so while it is not empty
 * it is replayed first (when the store is up) or appended to (when not).
 */
static void
events_flush(struct events_writer *w)
{
	struct err	e;
	int64_t		now = time_mono_us();
	int		ready = events_ready(w);

	if (w->inflight != NULL)
		return;
	if (w->replaying) {
		events_send_replay(w);
		return;
	}
	if (jcount(w) > 0 && ready && now >= w->retry_at) {
		if (events_replay_load(w, 0) > 0) {
			events_send_replay(w);
			return;
		}
		/* Only lines that are not events: set them aside. */
		err_clear(&e);
		if (journal_drop_upto(w->j, w->rp_upto, &e) != 0)
			log_error("events", "%s", e.msg);
	}
	/*
	 * Events written while the connection was not READY go to the
	 * journal even if it came up since: which path an event takes is
	 * decided when it is written, not by how fast a connect is.
	 */
	if (jcount(w) > 0 || !ready || w->qoffline > 0) {
		events_journal_queue(w);
		if (jcount(w) > 0 && ready)
			events_arm(w, w->retry_at - now);
		return;
	}
	if (q_len(w) == 0)
		return;
	if (now < w->retry_at)
		events_arm(w, w->retry_at - now);
	else
		events_send_live(w);
}

static void
events_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	events_flush(arg);
}

/*
 * Replay acknowledged: remove what was replayed, and only that -- other
 * processes (and this one) may have appended since it was read; the next
 * flush replays those.
 */
static void
events_replay_done(struct events_writer *w)
{
	struct err	e;

	w->st.replayed += w->rpn;
	events_replay_free(w);
	err_clear(&e);
	if (journal_drop_upto(w->j, w->rp_upto, &e) != 0) {
		/* Kept: a later replay repeats it, harmlessly (uids). */
		log_error("events", "%s", e.msg);
		w->retry_at = time_mono_us() + BACKOFF_MIN_US;
	}
}

/*
 * A long replay removes what the store acknowledged at most once a
 * second, so a process stopped halfway (a short command's drain timeout,
 * a kill) leaves only the rest to the next one.
 */
static void
events_replay_cut(struct events_writer *w)
{
	struct err	e;
	int64_t		now = time_mono_us();

	if (w->rpoff == 0 || now - w->rp_cut_at < 1000000)
		return;
	w->rp_cut_at = now;
	err_clear(&e);
	if (journal_drop_upto(w->j, w->rp[w->rpoff - 1].seq, &e) != 0)
		log_error("events", "%s", e.msg);
}

static void
events_ok(struct events_writer *w, struct ev_batch *b, PGresult *res)
{
	int64_t	n = 0, known = (int64_t)b->n;

	if (res != NULL && PQntuples(res) == 1 && PQnfields(res) >= 2) {
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		known = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	w->st.batches++;
	w->st.inserted += (uint64_t)n;
	metric_add(pxm.events_written, (double)n, NULL);
	w->st.duplicates += (uint64_t)(known - n);
	w->st.no_order += (uint64_t)((int64_t)b->n - known);
	w->backoff_us = 0;
	if (b->replay) {
		w->rpoff += b->n;
		if (w->rpoff == w->rpn)
			events_replay_done(w);
		else
			events_replay_cut(w);
	} else
		ev_free_all(b->v, b->n);
}

/*
 * A failed batch goes to the journal (a live one) or stays there (a
 * replay).  SQL errors also back off, so a statement the server keeps
 * refusing is not resent in a tight loop.
 */
static void
events_failed(struct events_writer *w, struct ev_batch *b,
    const struct err *err)
{
	w->st.failures++;
	if (strncmp(err->code, "sql:", 4) == 0) {
		log_error("events", "batch of %zu refused: %s", b->n, err->msg);
		w->backoff_us = w->backoff_us == 0 ? BACKOFF_MIN_US :
		    w->backoff_us * 2;
		if (w->backoff_us > BACKOFF_MAX_US)
			w->backoff_us = BACKOFF_MAX_US;
		w->retry_at = time_mono_us() + w->backoff_us;
	} else
		log_warn("events", "batch of %zu not written: %s", b->n,
		    err->msg);
	if (b->replay) {
		events_replay_free(w);
		return;
	}
	if (events_journal(w, b->v, b->n) != 0) {
		q_untake(w, b->v, b->n);
		return;
	}
	ev_free_all(b->v, b->n);
}

static void
events_done(PGresult *res, const struct err *err, void *arg)
{
	struct ev_batch		*b = arg;
	struct events_writer	*w = b->w;

	if (w == NULL) {
		if (!b->replay)
			ev_free_all(b->v, b->n);
		free(b);
		return;
	}
	w->inflight = NULL;
	/* An unknown order: the same batch again, the filtering way. */
	if (err != NULL && b->direct && strcmp(err->code, "sql:23503") == 0) {
		b->filter = 1;
		events_send(w, b);
		return;
	}
	if (err != NULL && err_isset(err))
		events_failed(w, b, err);
	else
		events_ok(w, b, res);
	free(b);
	if (w->replaying || q_len(w) > 0 || jcount(w) > 0)
		events_arm(w, 0);
}

/* Public --------------------------------------------------------------- */

void
events_writer_on_pg_state(enum pg_state st, const char *why, void *arg)
{
	struct events_writer	*w = arg;

	if (st == PG_READY)
		events_arm(w, 0);
}

struct events_writer *
events_writer_new(struct event_base *base, struct pg_conn *pg,
    struct journal *j, const struct events_opts *opts)
{
	struct events_writer	*w;

	w = xcalloc(1, sizeof *w);
	w->base = base;
	w->j = j;
	if (opts != NULL)
		w->o = *opts;
	if (w->o.flush_us <= 0)
		w->o.flush_us = 5000;
	if (w->o.flush_at == 0)
		w->o.flush_at = 500;
	if (w->o.max_batch == 0)
		w->o.max_batch = 5000;
	if ((w->ev_flush = evtimer_new(base, events_flush_cb, w)) == NULL)
		fatal("evtimer_new failed");
	events_writer_set_conn(w, pg);
	return w;
}

void
events_writer_set_conn(struct events_writer *w, struct pg_conn *pg)
{
	if (w->pg != NULL)
		pg_conn_on_state(w->pg, NULL, NULL);
	w->pg = pg;
	w->retry_at = 0;
	w->backoff_us = 0;
	if (pg == NULL)
		return;
	pg_conn_on_state(pg, events_writer_on_pg_state, w);
	if (events_ready(w) && (q_len(w) > 0 || jcount(w) > 0))
		events_arm(w, 0);
}

int
events_write(struct events_writer *w, const struct order_event *oe,
    struct err *err)
{
	struct ev	*e;

	if (oe->order_id <= 0 || (unsigned)oe->state >= BROKER_NSTATES ||
	    oe->filled_qty > INT32_MAX) {
		err_set(err, "bad-value", "order event: order %lld, state %d, "
		    "filled %lld cannot be stored", (long long)oe->order_id,
		    (int)oe->state, (long long)oe->filled_qty);
		return -1;
	}
	q_reserve(w, 1);
	e = &w->q[w->qn++];
	memset(e, 0, sizeof *e);
	e->ts_us = oe->ts_us != 0 ? oe->ts_us : time_wall_us();
	e->mono_us = oe->mono_us != 0 ? oe->mono_us : time_mono_us();
	e->order_id = oe->order_id;
	e->state = oe->state;
	e->filled_qty = oe->filled_qty < 0 ? -1 : oe->filled_qty;
	e->avg_price = oe->avg_price < 0 ? -1 : oe->avg_price;
	e->latency_us = oe->latency_us < 0 ? -1 : oe->latency_us;
	e->broker_status = ev_text(oe->broker_status);
	e->message = ev_text(oe->message);
	journal_uid(e->uid);
	if (w->j != NULL && !events_ready(w)) {
		e->offline = 1;
		w->qoffline++;
	}
	w->st.queued++;
	if (w->inflight == NULL)
		events_arm(w, q_len(w) >= w->o.flush_at ? 0 : w->o.flush_us);
	return 0;
}

size_t
events_writer_pending(const struct events_writer *w)
{
	size_t	n = q_len(w);

	if (w->inflight != NULL && !w->inflight->replay)
		n += w->inflight->n;
	return n;
}

size_t
events_writer_journaled(struct events_writer *w)
{
	return jcount(w);
}

void
events_writer_stats(const struct events_writer *w, struct events_stats *st)
{
	*st = w->st;
}

/*
 * The batch in flight may still commit: it is journaled anyway and its
 * uids make a later replay harmless.  Its callback only frees it (a
 * replay batch points into w->rp, which its callback no longer reads).
 */
void
events_writer_free(struct events_writer *w)
{
	struct ev_batch	*b;

	if (w == NULL)
		return;
	if ((b = w->inflight) != NULL) {
		b->w = NULL;
		if (!b->replay && events_journal(w, b->v, b->n) != 0)
			log_error("events", "lost %zu events", b->n);
	}
	if (q_len(w) > 0 && events_journal(w, w->q + w->qhead, q_len(w)) != 0)
		log_error("events", "lost %zu events", q_len(w));
	while (w->qhead < w->qn)
		ev_clear(&w->q[w->qhead++]);
	free(w->q);
	events_replay_free(w);
	if (w->pg != NULL)
		pg_conn_on_state(w->pg, NULL, NULL);
	event_free(w->ev_flush);
	free(w);
}
