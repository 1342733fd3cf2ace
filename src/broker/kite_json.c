/*
 * Reading Kite's JSON: the {status, data} envelope and typed field access
 * that names the exact field when a body is not what Kite sends.
 */
#include <stdio.h>
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
static json_t *
get(struct kite_ctx *c, json_t *obj, const char *key, int flags, int *failed)
{
	json_t	*v;

	*failed = 0;
	v = json_object_get(obj, key);
	if (v != NULL && !json_is_null(v))
		return v;
	if (flags & KITE_J_REQ) {
		kite_json_fail(c, "%s is %s", key, v == NULL ? "missing" :
		    "null");
		*failed = 1;
	}
	return NULL;
}

json_t *
kite_json_member(struct kite_ctx *c, json_t *obj, const char *key,
    json_type type, int flags)
{
	json_t	*v;
	int	 failed;

	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return NULL;
	if (json_typeof(v) != type) {
		kite_json_fail(c, "%s should be %s, not %s", key,
		    type == JSON_OBJECT ? "an object" : "an array",
		    kite_json_typename(v));
		return NULL;
	}
	return v;
}

static int
copy_str(struct kite_ctx *c, const char *key, const char *s, size_t len,
    char *buf, size_t size, int flags)
{
	if (len >= size) {
		if (!(flags & KITE_J_TRUNC))
			return kite_json_fail(c, "%s is %zu bytes long, at "
			    "most %zu fit", key, len, size - 1);
		len = size - 1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strlen(buf) != len)
		return kite_json_fail(c, "%s contains a NUL byte", key);
	kite_sanitize(buf);
	return 0;
}

int
kite_json_str(struct kite_ctx *c, json_t *obj, const char *key, char *buf,
    size_t size, int flags)
{
	json_t	*v;
	int	 failed;

	buf[0] = '\0';
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (!json_is_string(v))
		return kite_json_fail(c, "%s should be a string, not %s", key,
		    kite_json_typename(v));
	return copy_str(c, key, json_string_value(v), json_string_length(v),
	    buf, size, flags);
}

/* Ids are strings, but an integer id is read as its decimal text. */
int
kite_json_id(struct kite_ctx *c, json_t *obj, const char *key, char *buf,
    size_t size, int flags)
{
	json_t	*v;
	char	 tmp[32];
	int	 failed;

	buf[0] = '\0';
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (json_is_integer(v)) {
		snprintf(tmp, sizeof tmp, "%lld",
		    (long long)json_integer_value(v));
		return copy_str(c, key, tmp, strlen(tmp), buf, size, flags);
	}
	return kite_json_str(c, obj, key, buf, size, flags);
}

/* Integers; a real is accepted only when it is a whole number. */
int
kite_json_int(struct kite_ctx *c, json_t *obj, const char *key,
    int64_t *out, int flags)
{
	json_t	*v;
	double	 d;
	int	 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d >= -9e15 && d <= 9e15 && d == (double)(int64_t)d) {
			*out = (int64_t)d;
			return 0;
		}
		return kite_json_fail(c, "%s should be a whole number, not %g",
		    key, d);
	}
	return kite_json_fail(c, "%s should be an integer, not %s", key,
	    kite_json_typename(v));
}

/* Rupees (number or decimal string) to paise; see kite.h. */
int
kite_json_paise(struct kite_ctx *c, json_t *obj, const char *key,
    int64_t *out, int flags)
{
	json_t		*v;
	json_int_t	 i;
	int		 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		i = json_integer_value(v);
		if (i > INT64_MAX / 100 || i < -(INT64_MAX / 100))
			break;
		*out = (int64_t)i * 100;
		return 0;
	case JSON_REAL:
		if (kite_paise_real(json_real_value(v), out, NULL) == 0)
			return 0;
		break;
	case JSON_STRING:
		if (json_string_length(v) == 0 && !(flags & KITE_J_REQ))
			return 0;
		if (kite_paise_parse(json_string_value(v),
		    json_string_length(v), out, NULL) == 0)
			return 0;
		return kite_json_fail(c, "%s \"%.40s\" is not a price", key,
		    json_string_value(v));
	default:
		return kite_json_fail(c, "%s should be a number, not %s", key,
		    kite_json_typename(v));
	}
	return kite_json_fail(c, "%s is out of range for a price", key);
}

int
kite_json_ts(struct kite_ctx *c, json_t *obj, const char *key, int64_t *out,
    int flags)
{
	json_t	*v;
	int	 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (!json_is_string(v))
		return kite_json_fail(c, "%s should be a time string, not %s",
		    key, kite_json_typename(v));
	if (json_string_length(v) == 0 && !(flags & KITE_J_REQ))
		return 0;
	if (kite_ts_parse(json_string_value(v), out) != 0)
		return kite_json_fail(c, "%s \"%.40s\" is not a "
		    "YYYY-MM-DD HH:MM:SS time", key, json_string_value(v));
	return 0;
}

int
kite_json_bool(struct kite_ctx *c, json_t *obj, const char *key, int *out,
    int flags)
{
	json_t	*v;
	int	 failed;

	*out = 0;
	if ((v = get(c, obj, key, flags, &failed)) == NULL)
		return failed ? -1 : 0;
	if (!json_is_boolean(v))
		return kite_json_fail(c, "%s should be true or false, not %s",
		    key, kite_json_typename(v));
	*out = json_is_true(v);
	return 0;
}

/* What a body that is not JSON looks like, for the message. */
static void
describe_garbage(const char *body, size_t len, const json_error_t *je,
    char *buf, size_t size)
{
	size_t	i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && body[i] == '<')
		snprintf(buf, size, "an HTML page instead of JSON");
	else
		snprintf(buf, size, "not JSON (%s at line %d column %d)",
		    je->text, je->line, je->column);
}

/*
 * Kite answers {"status":"success","data":...} or {"status":"error",
 * "message":..., "error_type":...}; anything else (a proxy's HTML page, a
 * cut-off body) is classified by its HTTP status.
 */
json_t *
kite_json_envelope(enum broker_op op, long http, const char *body, size_t len,
    json_t **rootp, struct broker_err *be)
{
	struct kite_ctx	 c = { op, http, be, "" };
	json_error_t	 je;
	json_t		*root, *data, *st, *msg, *et;
	const char	*status;
	char		 what[200];
	int		 ok2xx = http >= 200 && http < 300;

	memset(be, 0, sizeof *be);
	*rootp = NULL;
	if (body == NULL || len == 0) {
		if (ok2xx)
			kite_decode_err(op, http, be, "empty body");
		else
			kite_classify(op, http, NULL, "empty body", be);
		return NULL;
	}
	if ((root = json_loadb(body, len, 0, &je)) == NULL) {
		describe_garbage(body, len, &je, what, sizeof what);
		if (ok2xx)
			kite_decode_err(op, http, be, "body is %s", what);
		else
			kite_classify(op, http, NULL, what, be);
		return NULL;
	}
	if (!json_is_object(root)) {
		kite_json_fail(&c, "body should be an object, not %s",
		    kite_json_typename(root));
		goto fail;
	}
	st = json_object_get(root, "status");
	if (!json_is_string(st)) {
		kite_json_fail(&c, "status should be a string, not %s",
		    kite_json_typename(st));
		goto fail;
	}
	status = json_string_value(st);
	if (strcmp(status, "error") == 0) {
		msg = json_object_get(root, "message");
		et = json_object_get(root, "error_type");
		kite_classify(op, http, json_is_string(et) ?
		    json_string_value(et) : NULL, json_is_string(msg) ?
		    json_string_value(msg) : NULL, be);
		goto fail;
	}
	if (strcmp(status, "success") != 0) {
		kite_json_fail(&c, "status is \"%.40s\", not success or error",
		    status);
		goto fail;
	}
	if (!ok2xx) {
		kite_classify(op, http, NULL, "success status on an HTTP error",
		    be);
		goto fail;
	}
	if ((data = json_object_get(root, "data")) == NULL) {
		kite_json_fail(&c, "data is missing");
		goto fail;
	}
	*rootp = root;
	return data;

fail:
	json_decref(root);
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
order_enums(struct kite_ctx *c, json_t *o, struct broker_order *out)
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
kite_json_order(struct kite_ctx *c, json_t *o, struct broker_order *out)
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
