/*
 * Reading Kite's JSON: the {status, data} envelope and typed field access
 * that names the exact field when a body is not what Kite sends.  Values
 * are read from jscan's tokens where they lie in the body: a price goes
 * from its text to paise, never through a double.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/kite_json.h"

const char *
kite_json_typename(const json_t *v)
{
	if (v == NULL)
		return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

const char *
kite_json_valname(const struct jscan_tok *v)
{
	static const char *const names[] = {
		[JSCAN_OBJECT] = "an object",
		[JSCAN_ARRAY] = "an array",
		[JSCAN_STRING] = "a string",
		[JSCAN_NUMBER] = "an integer",
		[JSCAN_TRUE] = "a boolean",
		[JSCAN_FALSE] = "a boolean",
		[JSCAN_NULL] = "null",
	};

	if (v == NULL)
		return "nothing";
	if (v->type == JSCAN_NUMBER && (v->flags & JSCAN_REAL))
		return "a real number";
	return names[v->type];
}

int
kite_json_fail(struct kite_ctx *c, const char *fmt, ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kite_decode_err(c->op, c->http, c->be, "%s%s%s", c->path,
	    c->path[0] != '\0' ? ": " : "", msg);
	return -1;
}

/* The member, or NULL when missing/null (an error only if required). */
static const struct jscan_tok *
get(struct kite_ctx *c, const struct jscan_tok *obj, const char *key,
    int flags, int *failed)
{
	const struct jscan_tok	*v;

	*failed = 0;
	v = jscan_member(c->js, obj, key);
	if (v != NULL && v->type != JSCAN_NULL)
		return v;
	if (flags & KITE_J_REQ) {
		kite_json_fail(c, "%s is %s", key, v == NULL ? "missing" :
		    "null");
		*failed = 1;
	}
	return NULL;
}

const struct jscan_tok *
kite_json_member(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, enum jscan_type type, int flags)
{
	const struct jscan_tok	*v;
	int			 failed;

	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return NULL;
	if (v->type != type) {
		kite_json_fail(c, "%s should be %s, not %s", key,
		    type == JSCAN_OBJECT ? "an object" : "an array",
		    kite_json_valname(v));
		return NULL;
	}
	return v;
}

/* The first bytes of a string, for a message that quotes it. */
static const char *
quote(struct kite_ctx *c, const struct jscan_tok *v, char *buf, size_t size)
{
	jscan_str(c->js, v, buf, size);
	return buf;
}

static int
copy_str(struct kite_ctx *c, const char *key, const struct jscan_tok *v,
    char *buf, size_t size, int flags)
{
	size_t	len;

	len = jscan_str(c->js, v, buf, size);
	if (len >= size) {
		if (!(flags & KITE_J_TRUNC)) {
			buf[0] = '\0';
			return kite_json_fail(c, "%s is %zu bytes long, at "
			    "most %zu fit", key, len, size - 1);
		}
		len = size - 1;
	}
	if (strlen(buf) != len)
		return kite_json_fail(c, "%s contains a NUL byte", key);
	kite_sanitize(buf);
	return 0;
}

int
kite_json_str(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, char *buf, size_t size, int flags)
{
	const struct jscan_tok	*v;
	int			 failed;

	buf[0] = '\0';
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (v->type != JSCAN_STRING)
		return kite_json_fail(c, "%s should be a string, not %s", key,
		    kite_json_valname(v));
	return copy_str(c, key, v, buf, size, flags);
}

static int
is_int(const struct jscan_tok *v)
{
	return v->type == JSCAN_NUMBER && !(v->flags & JSCAN_REAL);
}

/* Ids are strings, but an integer id is read as its decimal text. */
int
kite_json_id(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, char *buf, size_t size, int flags)
{
	const struct jscan_tok	*v;
	char			 tmp[32];
	size_t			 n;
	int			 failed;

	buf[0] = '\0';
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (!is_int(v))
		return kite_json_str(c, obj, key, buf, size, flags);
	/* As jansson printed it: "-0" was the integer 0. */
	n = (size_t)snprintf(tmp, sizeof tmp, "%lld",
	    (long long)jscan_int(c->js, v));
	if (n >= size) {
		if (!(flags & KITE_J_TRUNC))
			return kite_json_fail(c, "%s is %zu bytes long, at "
			    "most %zu fit", key, n, size - 1);
		n = size - 1;
	}
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return 0;
}

/* Integers; a real is accepted only when it is a whole number. */
int
kite_json_int(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, int64_t *out, int flags)
{
	const struct jscan_tok	*v;
	double			 d;
	int			 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (is_int(v)) {
		*out = jscan_int(c->js, v);
		return 0;
	}
	if (v->type == JSCAN_NUMBER) {
		(void)jscan_real(c->js, v, &d);
		if (d >= -9e15 && d <= 9e15 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return 0;
		}
		return kite_json_fail(c, "%s should be a whole number, not %g",
		    key, d);
	}
	return kite_json_fail(c, "%s should be an integer, not %s", key,
	    kite_json_valname(v));
}

/* A price written as a string, "109.40". */
static int
paise_string(struct kite_ctx *c, const char *key, const struct jscan_tok *v,
    int64_t *out)
{
	char	*s, q[48];
	size_t	 len;
	int	 rc;

	if (!(v->flags & JSCAN_ESCAPED))
		rc = kite_paise_parse(c->js->s + v->start, v->end - v->start,
		    out, NULL);
	else {
		s = jscan_strdup(c->js, v, &len);
		rc = kite_paise_parse(s, len, out, NULL);
		free(s);
	}
	if (rc == 0)
		return 0;
	return kite_json_fail(c, "%s \"%.40s\" is not a price", key,
	    quote(c, v, q, sizeof q));
}

/*
 * Rupees (number or decimal string) to paise; see kite.h.  A real's text
 * is read as written: jansson's double printed back to its shortest text
 * gave the same text for anything Kite writes (at most 17 significant
 * digits, as Python prints a float).
 */
int
kite_json_paise(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, int64_t *out, int flags)
{
	const struct jscan_tok	*v;
	int64_t			 i;
	int			 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (is_int(v)) {
		i = jscan_int(c->js, v);
		if (i <= INT64_MAX / 100 && i >= -(INT64_MAX / 100)) {
			*out = i * 100;
			return 0;
		}
	} else if (v->type == JSCAN_NUMBER) {
		if (kite_paise_parse(c->js->s + v->start, v->end - v->start,
		    out, NULL) == 0)
			return 0;
	} else if (v->type == JSCAN_STRING) {
		if (v->end == v->start && !(flags & KITE_J_REQ))
			return 0;
		return paise_string(c, key, v, out);
	} else
		return kite_json_fail(c, "%s should be a number, not %s", key,
		    kite_json_valname(v));
	*out = 0;
	return kite_json_fail(c, "%s is out of range for a price", key);
}

int
kite_json_ts(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, int64_t *out, int flags)
{
	const struct jscan_tok	*v;
	char			 buf[48];
	int			 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (v->type != JSCAN_STRING)
		return kite_json_fail(c, "%s should be a time string, not %s",
		    key, kite_json_valname(v));
	if (v->end == v->start && !(flags & KITE_J_REQ))
		return 0;
	if (jscan_str(c->js, v, buf, sizeof buf) >= sizeof buf ||
	    kite_ts_parse(buf, out) != 0) {
		*out = 0;
		return kite_json_fail(c, "%s \"%.40s\" is not a "
		    "YYYY-MM-DD HH:MM:SS time", key, buf);
	}
	return 0;
}

int
kite_json_bool(struct kite_ctx *c, const struct jscan_tok *obj,
    const char *key, int *out, int flags)
{
	const struct jscan_tok	*v;
	int			 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (v->type != JSCAN_TRUE && v->type != JSCAN_FALSE)
		return kite_json_fail(c, "%s should be true or false, not %s",
		    key, kite_json_valname(v));
	*out = v->type == JSCAN_TRUE;
	return 0;
}

/* What a body that is not JSON looks like, for the message. */
static void
describe_garbage(const struct jscan *js, char *buf, size_t size)
{
	size_t	i = 0;

	while (i < js->len && (js->s[i] == ' ' || js->s[i] == '\t' ||
	    js->s[i] == '\r' || js->s[i] == '\n'))
		i++;
	if (i < js->len && js->s[i] == '<')
		snprintf(buf, size, "an HTML page instead of JSON");
	else
		snprintf(buf, size, "not JSON (%s at byte %zu)", js->err,
		    js->err_off);
}

/* A string member as a C string of its own, or NULL. */
static char *
member_strdup(struct jscan *js, const struct jscan_tok *obj,
    const char *key)
{
	const struct jscan_tok	*v = jscan_member(js, obj, key);

	return v != NULL && v->type == JSCAN_STRING ? jscan_strdup(js, v,
	    NULL) : NULL;
}

/* Kite's answer to a call that failed: its words classify it. */
void
kite_json_classify(enum broker_op op, long http, struct jscan *js,
    const struct jscan_tok *obj, struct broker_err *be)
{
	char	*msg, *et;

	msg = member_strdup(js, obj, "message");
	et = member_strdup(js, obj, "error_type");
	kite_classify(op, http, et, msg, be);
	free(msg);
	free(et);
}

/*
 * The envelope's status: "success" (0), "error" (1, be filled), or -1
 * with be filled for anything else.
 */
static int
envelope_status(struct kite_ctx *c, const struct jscan_tok *root)
{
	const struct jscan_tok	*st;
	char			 status[48];
	size_t			 n;

	st = jscan_member(c->js, root, "status");
	if (st == NULL || st->type != JSCAN_STRING)
		return kite_json_fail(c, "status should be a string, not %s",
		    kite_json_valname(st));
	n = jscan_str(c->js, st, status, sizeof status);
	if (n == strlen("error") && strcmp(status, "error") == 0) {
		kite_json_classify(c->op, c->http, c->js, root, c->be);
		return 1;
	}
	if (n != strlen("success") || strcmp(status, "success") != 0)
		return kite_json_fail(c, "status is \"%.40s\", not success or "
		    "error", status);
	return 0;
}

/*
 * Kite answers {"status":"success","data":...} or {"status":"error",
 * "message":..., "error_type":...}; anything else (a proxy's HTML page, a
 * cut-off body) is classified by its HTTP status.
 */
const struct jscan_tok *
kite_json_envelope(enum broker_op op, long http, const char *body,
    size_t len, struct jscan *js, struct broker_err *be)
{
	struct kite_ctx		 c = { op, http, be, "", NULL };
	const struct jscan_tok	*root, *data;
	char			 what[200];
	int			 ok2xx = http >= 200 && http < 300;

	memset(be, 0, sizeof *be);
	memset(js, 0, sizeof *js);
	c.js = js;
	if (body == NULL || len == 0) {
		if (ok2xx)
			kite_decode_err(op, http, be, "empty body");
		else
			kite_classify(op, http, NULL, "empty body", be);
		return NULL;
	}
	if (jscan_parse(js, body, len) != 0) {
		describe_garbage(js, what, sizeof what);
		if (ok2xx)
			kite_decode_err(op, http, be, "body is %s", what);
		else
			kite_classify(op, http, NULL, what, be);
		return NULL;
	}
	root = jscan_root(js);
	if (root->type != JSCAN_OBJECT)
		kite_json_fail(&c, "body should be an object, not %s",
		    kite_json_valname(root));
	else if (envelope_status(&c, root) != 0)
		;
	else if (!ok2xx)
		kite_classify(op, http, NULL, "success status on an HTTP error",
		    be);
	else if ((data = jscan_member(js, root, "data")) == NULL)
		kite_json_fail(&c, "data is missing");
	else
		return data;
	jscan_free(js);
	return NULL;
}

static int
enum_of(const char *s, const char *(*name)(int), int lo, int hi, int dflt)
{
	int	i;

	for (i = lo; i <= hi; i++) {
		if (strcmp(s, name(i)) == 0)
			return i;
	}
	return dflt;
}

static const char *
order_type_name(int i)
{
	return broker_order_type_name((enum broker_order_type)i);
}

static const char *
product_name(int i)
{
	return broker_product_name((enum broker_product)i);
}

static const char *
validity_name(int i)
{
	return broker_validity_name((enum broker_validity)i);
}

static const char *
variety_name(int i)
{
	return broker_variety_name((enum broker_variety)i);
}

/* The enum-valued fields; a word Kite adds later maps to *_UNKNOWN. */
static int
order_enums(struct kite_ctx *c, const struct jscan_tok *o,
    struct broker_order *out)
{
	char	buf[24];

	if (kite_json_str(c, o, "transaction_type", buf, sizeof buf,
	    KITE_J_REQ) != 0)
		return -1;
	if (strcmp(buf, "BUY") == 0)
		out->side = BROKER_BUY;
	else if (strcmp(buf, "SELL") == 0)
		out->side = BROKER_SELL;
	else
		return kite_json_fail(c, "transaction_type \"%s\" is not BUY "
		    "or SELL", buf);
	if (kite_json_str(c, o, "order_type", buf, sizeof buf, KITE_J_TRUNC))
		return -1;
	out->order_type = enum_of(buf, order_type_name, BROKER_MARKET,
	    BROKER_SLM, BROKER_ORDER_TYPE_UNKNOWN);
	if (kite_json_str(c, o, "product", buf, sizeof buf, KITE_J_TRUNC))
		return -1;
	out->product = enum_of(buf, product_name, BROKER_MIS, BROKER_CO,
	    BROKER_PRODUCT_UNKNOWN);
	if (kite_json_str(c, o, "validity", buf, sizeof buf, KITE_J_TRUNC))
		return -1;
	out->validity = enum_of(buf, validity_name, BROKER_DAY, BROKER_TTL,
	    BROKER_VALIDITY_UNKNOWN);
	if (kite_json_str(c, o, "variety", buf, sizeof buf, KITE_J_TRUNC))
		return -1;
	out->variety = enum_of(buf, variety_name, BROKER_VARIETY_REGULAR,
	    BROKER_VARIETY_AUCTION, BROKER_VARIETY_UNKNOWN);
	return 0;
}

/* One order object, as in orders, order history and postbacks. */
int
kite_json_order(struct kite_ctx *c, const struct jscan_tok *o,
    struct broker_order *out)
{
	int64_t	mp;

	memset(out, 0, sizeof *out);
	if (kite_json_id(c, o, "order_id", out->order_id,
	    sizeof out->order_id, KITE_J_REQ) ||
	    kite_json_id(c, o, "exchange_order_id", out->exchange_order_id,
	    sizeof out->exchange_order_id, 0) ||
	    kite_json_id(c, o, "parent_order_id", out->parent_order_id,
	    sizeof out->parent_order_id, 0) ||
	    kite_json_str(c, o, "status", out->status, sizeof out->status,
	    KITE_J_REQ) ||
	    kite_json_str(c, o, "status_message", out->status_message,
	    sizeof out->status_message, KITE_J_TRUNC) ||
	    kite_json_str(c, o, "exchange", out->exchange,
	    sizeof out->exchange, KITE_J_REQ) ||
	    kite_json_str(c, o, "tradingsymbol", out->tradingsymbol,
	    sizeof out->tradingsymbol, KITE_J_REQ) ||
	    kite_json_int(c, o, "instrument_token", &out->instrument_token, 0) ||
	    order_enums(c, o, out) ||
	    kite_json_int(c, o, "quantity", &out->qty, KITE_J_REQ) ||
	    kite_json_int(c, o, "filled_quantity", &out->filled, 0) ||
	    kite_json_int(c, o, "pending_quantity", &out->pending, 0) ||
	    kite_json_int(c, o, "cancelled_quantity", &out->cancelled, 0) ||
	    kite_json_int(c, o, "disclosed_quantity", &out->disclosed, 0) ||
	    kite_json_paise(c, o, "price", &out->price, 0) ||
	    kite_json_paise(c, o, "trigger_price", &out->trigger_price, 0) ||
	    kite_json_paise(c, o, "average_price", &out->avg_price, 0) ||
	    kite_json_int(c, o, "market_protection", &mp, 0) ||
	    kite_json_str(c, o, "tag", out->tag, sizeof out->tag, 0) ||
	    kite_json_ts(c, o, "order_timestamp", &out->order_ts, 0) ||
	    kite_json_ts(c, o, "exchange_timestamp", &out->exchange_ts, 0) ||
	    kite_json_ts(c, o, "exchange_update_timestamp",
	    &out->exchange_update_ts, 0))
		return -1;
	if (mp < -1000 || mp > 1000)
		return kite_json_fail(c, "market_protection %lld is out of "
		    "range", (long long)mp);
	out->market_protection = (int)mp;
	out->state = kite_order_state(out->status, out->qty, out->filled);
	return 0;
}
