/*
 * The intent's plan as JSON text, written straight into one buffer: the
 * same objects fanout_leg_order_json makes (db/migrations/0027 reads
 * them), without a tree of a dozen allocations per leg built and then
 * printed.  Everything up to the intent is on the path of every order: a
 * square-off's 300 legs took ~1 ms of building and printing this way
 * through jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/router_int.h"

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
plan_str(struct strbuf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*run;

	strbuf_putc(b, '"');
	for (run = s; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"' || c == '\\') {
			strbuf_putc(b, '\\');
			strbuf_putc(b, (char)c);
		} else {
			strbuf_puts(b, "\\u00");
			strbuf_putc(b, hex[c >> 4]);
			strbuf_putc(b, hex[c & 15]);
		}
	}
	strbuf_add(b, run, (size_t)(s - run));
	strbuf_putc(b, '"');
}

/* A price in rupees as a JSON string, or null. */
static void
plan_price(struct strbuf *b, int64_t paise, int used)
{
	char	*s;

	if (!used || paise <= 0) {
		strbuf_puts(b, "null");
		return;
	}
	s = decimal_format(paise, 2);
	plan_str(b, s);
	free(s);
}

static void
plan_leg(struct strbuf *b, const struct leg *leg)
{
	const struct broker_order_req	*q = &leg->req;

	strbuf_printf(b, "{\"id\":%lld,\"account_id\":%lld,\"slice\":%d,"
	    "\"client_tag\":", (long long)leg->order_id,
	    (long long)leg->account_id, leg->slice);
	plan_str(b, leg->tag);
	strbuf_puts(b, ",\"side\":");
	plan_str(b, broker_side_name(q->side));
	strbuf_puts(b, ",\"symbol\":");
	plan_str(b, q->tradingsymbol);
	strbuf_puts(b, ",\"exchange\":");
	plan_str(b, q->exchange);
	strbuf_puts(b, ",\"product\":");
	plan_str(b, broker_product_name(q->product));
	strbuf_puts(b, ",\"order_type\":");
	plan_str(b, broker_order_type_name(q->order_type));
	strbuf_printf(b, ",\"qty\":%lld,\"price\":", (long long)q->qty);
	plan_price(b, q->price, q->order_type == BROKER_LIMIT ||
	    q->order_type == BROKER_SL);
	strbuf_puts(b, ",\"trigger_price\":");
	plan_price(b, q->trigger_price, q->order_type == BROKER_SL ||
	    q->order_type == BROKER_SLM);
	if (leg->denied) {	/* the RMS rule that refused it */
		strbuf_puts(b, ",\"message\":");
		plan_str(b, leg->message);
	}
	strbuf_putc(b, '}');
}

char *
fanout_plan_text(const struct fanout *fo)
{
	struct strbuf	b;
	size_t		i;

	strbuf_init(&b);
	strbuf_putc(&b, '[');
	for (i = 0; i < fo->nlegs; i++) {
		if (i > 0)
			strbuf_putc(&b, ',');
		plan_leg(&b, fo->legs[i]);
	}
	strbuf_putc(&b, ']');
	return strbuf_steal(&b);
}
