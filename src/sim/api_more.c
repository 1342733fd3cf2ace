/*
 * The rest of the Kite v3 surface a client library calls: holdings,
 * historical candles, trigger ranges, order and basket margins, and GTT
 * rules.  api.c owns the HTTP request; this file sees it as segments, a
 * query and a body, and answers with data or a Kite error.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "sim/sim_int.h"

#define IE		"InputException"
#define MAX_KEYS	500

static void
reply_ok(struct sim_reply *r, json_t *data)
{
	r->code = 200;
	r->data = data;
}

static void
reply_err(struct sim_reply *r, int code, const char *type, const char *msg)
{
	r->code = code;
	snprintf(r->err_type, sizeof r->err_type, "%s", type);
	snprintf(r->err_msg, sizeof r->err_msg, "%s", msg);
}

static void
reply_result(struct sim_reply *r, json_t *data, const struct err *e)
{
	if (data != NULL)
		reply_ok(r, data);
	else
		reply_err(r, 400, e->code[0] != '\0' ? e->code : IE, e->msg);
}

static int
is(const struct sim_req *q, int method, int nseg, const char *s0,
    const char *s1)
{
	return q->method == method && q->nseg == nseg &&
	    strcmp(q->seg[0], s0) == 0 && strcmp(q->seg[1], s1) == 0;
}

/* Query or form fields; 0, or -1 if they do not parse. */
static int
fields(const char *s, struct evkeyvalq *kv)
{
	TAILQ_INIT(kv);
	if (s == NULL || *s == '\0')
		return 0;
	return evhttp_parse_query_str(s, kv);
}

static int
parse_id(const char *s, int *out)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > 1000000000)
		return -1;
	*out = (int)v;
	return 0;
}

static void
h_historical(struct sim_book *b, const struct sim_req *q,
    struct sim_reply *r)
{
	struct evkeyvalq	 kv;
	const char		*oi;
	json_t			*d = NULL;
	struct err		 e;
	int			 token;

	err_clear(&e);
	if (fields(q->query, &kv) == -1) {
		reply_err(r, 400, IE, "Malformed query.");
		return;
	}
	oi = evhttp_find_header(&kv, "oi");
	if (parse_id(q->seg[2], &token) == -1)
		err_set(&e, IE, "invalid token");
	else
		sim_candles(b->mkt, token, q->seg[3],
		    evhttp_find_header(&kv, "from"),
		    evhttp_find_header(&kv, "to"),
		    oi != NULL && strcmp(oi, "1") == 0, sim_book_now(b), &d,
		    &e);
	reply_result(r, d, &e);
	evhttp_clear_headers(&kv);
}

static void
h_trigger_range(struct sim_book *b, const struct sim_req *q,
    struct sim_reply *r)
{
	struct evkeyvalq	 kv;
	struct evkeyval		*f;
	const char		*keys[MAX_KEYS];
	size_t			 n = 0;
	struct err		 e;

	err_clear(&e);
	if (fields(q->query, &kv) == -1) {
		reply_err(r, 400, IE, "Malformed query.");
		return;
	}
	TAILQ_FOREACH(f, &kv, next) {
		if (strcmp(f->key, "i") == 0 && n < MAX_KEYS)
			keys[n++] = f->value;
	}
	reply_result(r, sim_trigger_range(b->mkt, q->seg[2], keys, n, &e),
	    &e);
	evhttp_clear_headers(&kv);
}

static void
h_margins(struct sim_book *b, size_t user, const struct sim_req *q,
    struct sim_reply *r, int basket)
{
	struct evkeyvalq	 kv;
	const char		*cp;
	json_t			*orders;
	struct err		 e;

	err_clear(&e);
	if (q->body == NULL || (orders = json_loads(q->body, 0, NULL)) ==
	    NULL) {
		reply_err(r, 400, IE, "The body must be a JSON array of "
		    "orders.");
		return;
	}
	if (fields(q->query, &kv) == -1) {
		json_decref(orders);
		reply_err(r, 400, IE, "Malformed query.");
		return;
	}
	cp = evhttp_find_header(&kv, "consider_positions");
	reply_result(r, sim_order_margins(b, user, orders, basket,
	    cp == NULL || strcmp(cp, "true") == 0, &e), &e);
	json_decref(orders);
	evhttp_clear_headers(&kv);
}

static void
h_gtt_list(struct sim_book *b, size_t user, struct sim_reply *r)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = b->ngtt; i-- > 0;) {	/* newest first, as Kite lists */
		if (b->gtt[i].user == user &&
		    strcmp(b->gtt[i].status, "deleted") != 0)
			json_array_append_new(a, sim_json_gtt(b, &b->gtt[i]));
	}
	reply_ok(r, a);
}

/* POST (id 0) and PUT share the form: type, condition, orders. */
static void
h_gtt_write(struct sim_book *b, size_t user, const struct sim_req *q,
    int id, struct sim_reply *r)
{
	struct evkeyvalq	 kv;
	struct err		 e;
	int			 rc;

	err_clear(&e);
	if (q->body == NULL || fields(q->body, &kv) == -1) {
		reply_err(r, 400, IE, "Malformed form body.");
		return;
	}
	if (id == 0)
		rc = sim_gtt_place(b, user, evhttp_find_header(&kv, "type"),
		    evhttp_find_header(&kv, "condition"),
		    evhttp_find_header(&kv, "orders"), &id, &e);
	else
		rc = sim_gtt_modify(b, user, id,
		    evhttp_find_header(&kv, "type"),
		    evhttp_find_header(&kv, "condition"),
		    evhttp_find_header(&kv, "orders"), &e);
	reply_result(r, rc == 0 ? json_pack("{s:i}", "trigger_id", id) :
	    NULL, &e);
	evhttp_clear_headers(&kv);
}

static void
h_gtt_one(struct sim_book *b, size_t user, const struct sim_req *q,
    struct sim_reply *r)
{
	struct sim_gtt	*g;
	struct err	 e;
	int		 id;

	err_clear(&e);
	if (parse_id(q->seg[2], &id) == -1) {
		reply_err(r, 400, IE, "Invalid trigger ID.");
		return;
	}
	if (q->method == EVHTTP_REQ_PUT) {
		h_gtt_write(b, user, q, id, r);
		return;
	}
	if (q->method == EVHTTP_REQ_DELETE) {
		reply_result(r, sim_gtt_delete(b, user, id, &e) == 0 ?
		    json_pack("{s:i}", "trigger_id", id) : NULL, &e);
		return;
	}
	if ((g = sim_gtt_find(b, user, id)) == NULL) {
		reply_err(r, 404, IE, "Invalid trigger ID.");
		return;
	}
	reply_ok(r, sim_json_gtt(b, g));
}

int
sim_api_more(struct sim_book *b, size_t user, const struct sim_req *q,
    struct sim_reply *r)
{
	if (q->nseg < 2)
		return 0;
	if (is(q, EVHTTP_REQ_GET, 2, "portfolio", "holdings"))
		reply_ok(r, sim_json_holdings(b, user));
	else if (is(q, EVHTTP_REQ_GET, 4, "instruments", "historical"))
		h_historical(b, q, r);
	else if (is(q, EVHTTP_REQ_GET, 3, "instruments", "trigger_range"))
		h_trigger_range(b, q, r);
	else if (is(q, EVHTTP_REQ_POST, 2, "margins", "orders"))
		h_margins(b, user, q, r, 0);
	else if (is(q, EVHTTP_REQ_POST, 2, "margins", "basket"))
		h_margins(b, user, q, r, 1);
	else if (is(q, EVHTTP_REQ_GET, 2, "gtt", "triggers"))
		h_gtt_list(b, user, r);
	else if (is(q, EVHTTP_REQ_POST, 2, "gtt", "triggers"))
		h_gtt_write(b, user, q, 0, r);
	else if (q->nseg == 3 && strcmp(q->seg[0], "gtt") == 0 &&
	    strcmp(q->seg[1], "triggers") == 0 &&
	    (q->method == EVHTTP_REQ_GET || q->method == EVHTTP_REQ_PUT ||
	    q->method == EVHTTP_REQ_DELETE))
		h_gtt_one(b, user, q, r);
	else
		return 0;
	return 1;
}
