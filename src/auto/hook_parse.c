/*
 * From canonical fields to a signal, and the dialect table.  Every value
 * is checked here once: an action word, a symbol of exchange characters,
 * a whole quantity (MT's "2.00" is 2, "0.5" is refused), prices with at
 * most two decimals.  A refusal names the field and the value.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auto/hook_int.h"
#include "core/core.h"

static const struct {
	const char	*name;
	hook_dialect_fn	 fn;
	int		 get_ok;
} hook_dialects[] = {
	{ "tradingview", dialect_tradingview, 0 },
	{ "amibroker", dialect_amibroker, 1 },
	{ "mt", dialect_mt, 0 },
	{ "excel", dialect_excel, 1 },
	{ "chartink", dialect_chartink, 0 },
	{ "custom", dialect_custom, 1 },
};

static const struct {
	const char		*word;
	enum hook_action	 action;
} hook_words[] = {
	{ "buy", HOOK_BUY }, { "long", HOOK_BUY }, { "b", HOOK_BUY },
	{ "cover", HOOK_BUY }, { "0", HOOK_BUY }, { "order_type_buy", HOOK_BUY },
	{ "op_buy", HOOK_BUY }, { "sell", HOOK_SELL }, { "short", HOOK_SELL },
	{ "s", HOOK_SELL }, { "1", HOOK_SELL }, { "order_type_sell", HOOK_SELL },
	{ "op_sell", HOOK_SELL }, { "exit", HOOK_EXIT }, { "close", HOOK_EXIT },
	{ "flat", HOOK_EXIT }, { "squareoff", HOOK_EXIT },
};

const char *
hook_action_name(enum hook_action a)
{
	static const char *const names[] = { "buy", "sell", "exit", "target" };

	return (unsigned)a < nitems(names) ? names[a] : "?";
}

int
hook_dialect_known(const char *d)
{
	size_t	i;

	for (i = 0; d != NULL && i < nitems(hook_dialects); i++) {
		if (strcmp(d, hook_dialects[i].name) == 0)
			return 1;
	}
	return 0;
}

int
hook_dialect_get_ok(const char *d)
{
	size_t	i;

	for (i = 0; d != NULL && i < nitems(hook_dialects); i++) {
		if (strcmp(d, hook_dialects[i].name) == 0)
			return hook_dialects[i].get_ok;
	}
	return 0;
}

void
hook_parsed_free(struct hook_parsed *p)
{
	free(p->v);
	if (p->token != NULL)
		explicit_bzero(p->token, strlen(p->token));
	free(p->token);
	memset(p, 0, sizeof *p);
}

void
hook_parsed_add(struct hook_parsed *p, const struct hook_signal *s)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = *s;
}

void
hook_take_token(struct hook_parsed *p, json_t *fields)
{
	const char	*t = json_string_value(json_object_get(fields, "token"));

	if (t != NULL && p->token == NULL)
		p->token = xstrdup(t);
}

/* What a refused value looks like in a message: short, printable. */
static void
show(const char *s, char *out, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; s[i] != '\0' && n + 5 < len && i < 40; i++)
		out[n++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i] != '\0' && n + 4 < len) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static int
bad(struct err *e, const char *field, const char *v, const char *want)
{
	char	shown[64];

	show(v, shown, sizeof shown);
	err_set(e, "malformed", "%s \"%s\": expected %s", field, shown, want);
	return -1;
}

static int
parse_action(const char *v, enum hook_action *a)
{
	size_t	i;

	for (i = 0; i < nitems(hook_words); i++) {
		if (strcasecmp(v, hook_words[i].word) == 0) {
			*a = hook_words[i].action;
			return 0;
		}
	}
	return -1;
}

/* A whole number, "2.00" allowed; sign only when signed. */
static int
parse_whole(const char *v, int sign_ok, int64_t *out)
{
	int64_t	n;

	if (decimal_parse(v, 0, &n) == 0)
		;
	else {
		char	 buf[48];
		char	*dot = strchr(v, '.');
		size_t	 i;

		if (dot == NULL || (size_t)(dot - v) >= sizeof buf)
			return -1;
		for (i = 1; dot[i] != '\0'; i++) {
			if (dot[i] != '0')
				return -1;
		}
		snprintf(buf, sizeof buf, "%.*s", (int)(dot - v), v);
		if (decimal_parse(buf, 0, &n) != 0)
			return -1;
	}
	if ((!sign_ok && n < 0) || n > HOOK_MAX_QTY || n < -HOOK_MAX_QTY)
		return -1;
	*out = n;
	return 0;
}

static int
parse_price(const char *v, int64_t *paise)
{
	return decimal_parse(v, 2, paise) != 0 || *paise < 0 ||
	    *paise > 1000000000LL ? -1 : 0;
}

/* [EXCH:]SYMBOL, mapped through the connector's symbol map first. */
static int
parse_symbol(const struct hook_conn_cfg *c, const char *v,
    const char *exch, struct hook_signal *s, struct err *e)
{
	static const char *const exchanges[] = { "NSE", "BSE", "NFO", "BFO",
		"MCX", "CDS", NULL };
	const char	*mapped, *colon, *sym;
	size_t		 i, n;

	if ((mapped = json_string_value(json_object_get(c->symbol_map, v)))
	    != NULL)
		v = mapped;
	colon = strchr(v, ':');
	sym = colon != NULL ? colon + 1 : v;
	if (colon != NULL) {
		if ((size_t)(colon - v) >= sizeof s->exchange)
			return bad(e, "exchange", v, "NSE, BSE, NFO, BFO, MCX "
			    "or CDS");
		snprintf(s->exchange, sizeof s->exchange, "%.*s",
		    (int)(colon - v), v);
	} else if (exch != NULL) {
		if (strlen(exch) >= sizeof s->exchange)
			return bad(e, "exchange", exch, "NSE, BSE, NFO, BFO, "
			    "MCX or CDS");
		snprintf(s->exchange, sizeof s->exchange, "%s", exch);
	}
	for (i = 0; s->exchange[i] != '\0'; i++)
		s->exchange[i] = (char)toupper((unsigned char)s->exchange[i]);
	for (i = 0; s->exchange[0] != '\0' && exchanges[i] != NULL; i++) {
		if (strcmp(exchanges[i], s->exchange) == 0)
			break;
	}
	if (s->exchange[0] != '\0' && exchanges[i] == NULL)
		return bad(e, "exchange", s->exchange, "NSE, BSE, NFO, BFO, MCX "
		    "or CDS");
	n = strlen(sym);
	if (n == 0 || n >= sizeof s->symbol || !isalnum((unsigned char)sym[0]))
		return bad(e, "symbol", v, "a trading symbol");
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)sym[i]) && !strchr("&_.-", sym[i]))
			return bad(e, "symbol", v, "a trading symbol "
			    "(letters, digits, '&', '_', '.', '-')");
		s->symbol[i] = (char)toupper((unsigned char)sym[i]);
	}
	s->symbol[n] = '\0';
	return 0;
}

/* Position sync: long N is +N, short N is -N, flat is 0. */
static int
parse_target(const char *pos, const char *size, struct hook_signal *s,
    struct err *e)
{
	int64_t	n = 0;

	if (strcasecmp(pos, "flat") != 0 && (size == NULL ||
	    parse_whole(size, 1, &n) != 0))
		return bad(e, "position_size", size != NULL ? size : "",
		    "a whole number of lots");
	if (strcasecmp(pos, "long") == 0)
		n = n < 0 ? -n : n;
	else if (strcasecmp(pos, "short") == 0)
		n = n > 0 ? -n : n;
	else if (strcasecmp(pos, "flat") == 0)
		n = 0;
	else
		return bad(e, "market_position", pos, "long, short or flat");
	s->action = HOOK_TARGET;
	s->qty = n;
	return 0;
}

static int
fields_order(json_t *f, struct hook_signal *s, struct err *e)
{
	static const char *const otypes[] = { "market", "limit", "sl", "slm",
		NULL };
	static const char *const products[] = { "mis", "nrml", "cnc", NULL };
	const char	*v;
	size_t		 i;

	snprintf(s->order_type, sizeof s->order_type, "market");
	if ((v = json_string_value(json_object_get(f, "order_type"))) != NULL) {
		for (i = 0; otypes[i] != NULL; i++) {
			if (strcasecmp(v, otypes[i]) == 0 ||
			    (i == 3 && strcasecmp(v, "sl-m") == 0))
				break;
		}
		if (otypes[i] == NULL)
			return bad(e, "order_type", v, "market, limit, sl or "
			    "slm");
		snprintf(s->order_type, sizeof s->order_type, "%s", otypes[i]);
	}
	if ((v = json_string_value(json_object_get(f, "price"))) != NULL &&
	    parse_price(v, &s->price) != 0)
		return bad(e, "price", v, "a price in rupees with at most 2 "
		    "decimals");
	if ((v = json_string_value(json_object_get(f, "trigger"))) != NULL &&
	    parse_price(v, &s->trigger) != 0)
		return bad(e, "trigger_price", v, "a price in rupees with at "
		    "most 2 decimals");
	if ((strcmp(s->order_type, "limit") == 0 ||
	    strcmp(s->order_type, "sl") == 0) && s->price <= 0)
		return bad(e, "price", "", "a price for a limit or sl order");
	if ((strcmp(s->order_type, "sl") == 0 ||
	    strcmp(s->order_type, "slm") == 0) && s->trigger <= 0)
		return bad(e, "trigger_price", "", "a trigger for an sl or slm "
		    "order");
	if ((v = json_string_value(json_object_get(f, "product"))) != NULL) {
		for (i = 0; products[i] != NULL; i++) {
			if (strcasecmp(v, products[i]) == 0)
				break;
		}
		if (products[i] == NULL)
			return bad(e, "product", v, "mis, nrml or cnc");
		snprintf(s->product, sizeof s->product, "%s", products[i]);
	}
	return 0;
}

int
hook_fields_signal(const struct hook_conn_cfg *c, json_t *f,
    struct hook_parsed *out, struct err *e)
{
	struct hook_signal	 s;
	const char		*v, *pos;

	memset(&s, 0, sizeof s);
	if ((v = json_string_value(json_object_get(f, "symbol"))) == NULL)
		return bad(e, "symbol", "", "a symbol (field symbol or ticker)");
	if (parse_symbol(c, v, json_string_value(json_object_get(f,
	    "exchange")), &s, e) != 0)
		return -1;
	pos = json_string_value(json_object_get(f, "position"));
	if (c->position_sync && pos != NULL) {
		if (parse_target(pos, json_string_value(json_object_get(f,
		    "position_size")), &s, e) != 0)
			return -1;
	} else {
		v = json_string_value(json_object_get(f, "action"));
		if (v == NULL)
			v = c->action;
		if (v == NULL)
			return bad(e, "action", "", c->position_sync ?
			    "buy, sell or exit, or a market_position" :
			    "buy, sell or exit");
		if (parse_action(v, &s.action) != 0)
			return bad(e, "action", v, "buy, sell or exit");
		if (s.action != HOOK_EXIT) {
			v = json_string_value(json_object_get(f, "qty"));
			if (v == NULL && c->qty > 0)
				s.qty = c->qty;
			else if (v == NULL)
				return bad(e, "qty", "", "a quantity");
			else if (parse_whole(v, 0, &s.qty) != 0 || s.qty == 0)
				return bad(e, "qty", v, "a whole number above 0 "
				    "(at most 10000000)");
		}
	}
	v = json_string_value(json_object_get(f, "unit"));
	if (v != NULL && strcasecmp(v, "units") != 0 &&
	    strcasecmp(v, "lots") != 0)
		return bad(e, "unit", v, "lots or units");
	s.units = v != NULL && strcasecmp(v, "units") == 0;
	if (s.units && s.action == HOOK_TARGET)
		return bad(e, "unit", v, "lots: position sync counts lots");
	if (fields_order(f, &s, e) != 0)
		return -1;
	if ((v = json_string_value(json_object_get(f, "id"))) != NULL) {
		if (strlen(v) >= sizeof s.ext_id)
			return bad(e, "id", v, "at most 64 characters");
		snprintf(s.ext_id, sizeof s.ext_id, "%s", v);
	}
	if (out->n >= HOOK_MAX_SIGNALS) {
		err_set(e, "malformed", "more than %d signals in one payload",
		    HOOK_MAX_SIGNALS);
		return -1;
	}
	hook_parsed_add(out, &s);
	return 0;
}

int
hook_parse(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	size_t	i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < nitems(hook_dialects); i++) {
		if (c->dialect != NULL &&
		    strcmp(c->dialect, hook_dialects[i].name) == 0)
			break;
	}
	if (i == nitems(hook_dialects)) {
		err_set(e, "malformed", "unknown dialect");
		return -1;
	}
	if (hook_dialects[i].fn(c, in, out, e) != 0 || out->n == 0) {
		if (out->n == 0 && e->code[0] == '\0')
			err_set(e, "malformed", "no signal in the payload");
		/* The token stays: a known sender's bad payload is kept. */
		free(out->v);
		out->v = NULL;
		out->n = 0;
		return -1;
	}
	return 0;
}

json_t *
hook_signal_json(const struct hook_signal *s)
{
	char	*p = decimal_format(s->price, 2), *t = decimal_format(s->trigger,
		    2);
	json_t	*j;

	j = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "action",
	    hook_action_name(s->action), "symbol", s->symbol, "exchange",
	    s->exchange, "qty", (json_int_t)s->qty, "unit", s->units ? "units" :
	    "lots", "order_type", s->order_type);
	if (s->price > 0)
		json_object_set_new(j, "price", json_string(p));
	if (s->trigger > 0)
		json_object_set_new(j, "trigger_price", json_string(t));
	if (s->product[0] != '\0')
		json_object_set_new(j, "product", json_string(s->product));
	if (s->ext_id[0] != '\0')
		json_object_set_new(j, "id", json_string(s->ext_id));
	free(p);
	free(t);
	return j;
}
