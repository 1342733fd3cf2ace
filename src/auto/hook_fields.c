/*
 * Reading payloads: form and query decoding, JSON bodies flattened to
 * dotted keys, JSON pointers, and the field names senders commonly use.
 * Nothing here trusts its input: every length is bounded, a NUL inside a
 * body is an error, not an end.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"
#include "util/utf8.h"

#define HOOK_MAX_FIELDS	256
#define HOOK_MAX_VALUE	4096

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decoding with '+' as space; 0, or -1 on a bad escape or NUL. */
static int
form_unescape(const char *s, size_t len, struct strbuf *b)
{
	size_t	i;
	int	hi, lo, c;

	strbuf_reset(b);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= len || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0')
			return -1;
		strbuf_putc(b, (char)c);
	}
	return 0;
}

int
hook_form_decode(const char *s, size_t len, json_t *obj, struct err *e)
{
	struct strbuf	 k, v;
	const char	*p = s, *end = s + len, *amp, *eq;
	size_t		 n = 0;
	int		 rc = 0;

	strbuf_init(&k);
	strbuf_init(&v);
	while (p < end && rc == 0) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (amp == p) {
			p++;
			continue;
		}
		if (++n > HOOK_MAX_FIELDS) {
			err_set(e, "malformed", "more than %d form fields",
			    HOOK_MAX_FIELDS);
			rc = -1;
		} else if (form_unescape(p, (size_t)((eq != NULL ? eq : amp) -
		    p), &k) != 0 || (eq != NULL && form_unescape(eq + 1,
		    (size_t)(amp - eq - 1), &v) != 0)) {
			err_set(e, "malformed", "bad %%-escape or NUL in a form "
			    "field");
			rc = -1;
		} else if (v.len > HOOK_MAX_VALUE) {
			err_set(e, "malformed", "form field \"%.40s\" is longer "
			    "than %d bytes", k.s, HOOK_MAX_VALUE);
			rc = -1;
		} else if (k.len > 0 && json_object_get(obj, k.s) == NULL) {
			if (!utf8_valid(k.s) ||
			    !utf8_valid(eq != NULL ? v.s : "")) {
				err_set(e, "malformed", "a form field is not "
				    "UTF-8");
				rc = -1;
			} else
				json_object_set_new(obj, k.s, json_string(
				    eq != NULL ? v.s : ""));
		}
		if (eq == NULL)
			strbuf_reset(&v);
		p = amp + 1;
	}
	strbuf_free(&k);
	strbuf_free(&v);
	return rc;
}

int
hook_body_is_json(const struct hook_in *in)
{
	size_t	i;

	for (i = 0; i < in->len; i++) {
		if (!isspace((unsigned char)in->body[i]))
			return in->body[i] == '{' || in->body[i] == '[';
	}
	return 0;
}

json_t *
hook_json_body(const struct hook_in *in, struct err *e)
{
	json_error_t	 je;
	json_t		*doc;

	if (memchr(in->body, '\0', in->len) != NULL) {
		err_set(e, "malformed", "the body holds a NUL byte");
		return NULL;
	}
	doc = json_loadb(in->body, in->len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		err_set(e, "malformed", "not JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		err_set(e, "malformed", "the JSON body is not an object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

char *
hook_scalar_text(json_t *v)
{
	char	buf[64];
	size_t	n;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v)) {
		if (json_real_value(v) > 1e15 || json_real_value(v) < -1e15)
			return xstrdup("nan");
		snprintf(buf, sizeof buf, "%.6f", json_real_value(v));
		n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && buf[n - 1] == '.')
			buf[--n] = '\0';
		return xstrdup(buf);
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

void
hook_json_flatten(json_t *src, const char *prefix, json_t *dst)
{
	const char	*k;
	json_t		*v;
	char		*key, *text;

	json_object_foreach(src, k, v) {
		if (json_object_size(dst) >= HOOK_MAX_FIELDS)
			return;
		key = prefix != NULL ? xasprintf("%s.%s", prefix, k) :
		    xstrdup(k);
		if (json_is_object(v) && strlen(key) < 256)
			hook_json_flatten(v, key, dst);
		else if ((text = hook_scalar_text(v)) != NULL) {
			if (json_object_get(dst, key) == NULL)
				json_object_set_new(dst, key, json_string(text));
			free(text);
		}
		free(key);
	}
}

const char *
hook_field(json_t *flat, const char *const *aliases)
{
	const char	*v;

	for (; *aliases != NULL; aliases++) {
		if ((v = json_string_value(json_object_get(flat, *aliases)))
		    != NULL && *v != '\0')
			return v;
	}
	return NULL;
}

static const char *const a_action[] = { "action", "side",
	"strategy.order.action", "transaction_type", "signal", "order_action",
	"type", "cmd", NULL };
static const char *const a_symbol[] = { "symbol", "tradingsymbol",
	"ticker", "instrument", "stock", NULL };
static const char *const a_exchange[] = { "exchange", NULL };
static const char *const a_qty[] = { "qty", "quantity",
	"strategy.order.contracts", "contracts", "lots", "volume", NULL };
static const char *const a_unit[] = { "unit", NULL };
static const char *const a_otype[] = { "order_type", "ordertype",
	"pricetype", NULL };
static const char *const a_price[] = { "price", "limit_price",
	"strategy.order.price", NULL };
static const char *const a_trigger[] = { "trigger_price", "trigger",
	"stop_price", NULL };
static const char *const a_product[] = { "product", NULL };
static const char *const a_id[] = { "id", "signal_id", "alert_id",
	"ticket", NULL };
static const char *const a_token[] = { "token", "passphrase", "secret",
	NULL };
static const char *const a_pos[] = { "strategy.market_position",
	"market_position", "position", NULL };
static const char *const a_size[] = { "strategy.market_position_size",
	"market_position_size", "position_size", NULL };

static const struct {
	const char		*name;
	const char *const	*aliases;
} hook_canon[] = {
	{ "action", a_action }, { "symbol", a_symbol },
	{ "exchange", a_exchange }, { "qty", a_qty }, { "unit", a_unit },
	{ "order_type", a_otype }, { "price", a_price },
	{ "trigger", a_trigger }, { "product", a_product }, { "id", a_id },
	{ "token", a_token }, { "position", a_pos },
	{ "position_size", a_size },
};

void
hook_fields_common(json_t *flat, json_t *out)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(hook_canon); i++) {
		if ((v = hook_field(flat, hook_canon[i].aliases)) != NULL)
			json_object_set_new(out, hook_canon[i].name,
			    json_string(v));
	}
}

int
hook_form_fields(const struct hook_in *in, json_t *out, struct err *e)
{
	if (in->query != NULL && hook_form_decode(in->query, strlen(in->query),
	    out, e) != 0)
		return -1;
	if (in->len > 0 && hook_form_decode(in->body, in->len, out, e) != 0)
		return -1;
	return 0;
}

/* "/a/b~1c/0": ~1 is '/', ~0 is '~'; array members by index. */
json_t *
hook_json_pointer(json_t *doc, const char *ptr)
{
	char		 seg[256], *end;
	size_t		 n;
	long		 idx;

	if (*ptr == '\0')
		return doc;
	if (*ptr != '/')
		return NULL;
	while (doc != NULL && *ptr == '/') {
		ptr++;
		for (n = 0; *ptr != '\0' && *ptr != '/'; ptr++) {
			if (n + 1 >= sizeof seg)
				return NULL;
			if (*ptr == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
				seg[n++] = ptr[1] == '0' ? '~' : '/';
				ptr++;
			} else
				seg[n++] = *ptr;
		}
		seg[n] = '\0';
		if (json_is_object(doc))
			doc = json_object_get(doc, seg);
		else if (json_is_array(doc)) {
			idx = strtol(seg, &end, 10);
			if (n == 0 || *end != '\0' || idx < 0)
				return NULL;
			doc = json_array_get(doc, (size_t)idx);
		} else
			return NULL;
	}
	return doc;
}
