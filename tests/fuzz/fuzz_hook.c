/*
 * libFuzzer harness for the webhook dialects (HOOK_DIALECT, or when
 * built by `make fuzz` the input's third byte picks one).  Any bytes, as a POST
 * body or (first byte odd, for the dialects that take GET) a query
 * string, must parse into signals that hold only what the store takes
 * -- a known action, a symbol of exchange characters, a bounded
 * quantity -- or fail with "malformed" and no signal; never crash, never
 * leak.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Built alone (make fuzz): the first byte picks the dialect. */
#ifndef HOOK_DIALECT
static const char *const dialects[] = { "tradingview", "amibroker", "mt",
	"excel", "chartink", "custom" };
#define HOOK_DIALECT (size > 2 ? dialects[data[2] % 6] : "tradingview")
#endif

static void
check(const struct hook_signal *s)
{
	size_t	i;

	if ((unsigned)s->action > HOOK_TARGET || s->symbol[0] == '\0')
		abort();
	for (i = 0; s->symbol[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s->symbol[i]) &&
		    strchr("&_.-", s->symbol[i]) == NULL)
			abort();
	}
	if (s->qty > HOOK_MAX_QTY || s->qty < -HOOK_MAX_QTY ||
	    (s->action != HOOK_TARGET && s->qty < 0) || s->price < 0 ||
	    s->trigger < 0)
		abort();
	if (strcmp(s->order_type, "market") != 0 &&
	    strcmp(s->order_type, "limit") != 0 &&
	    strcmp(s->order_type, "sl") != 0 && strcmp(s->order_type, "slm") != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t		*smap, *fmap;
	struct hook_conn_cfg	 c;
	struct hook_parsed	 p;
	struct hook_in		 in;
	struct err		 e;
	char			*buf;
	size_t			 i;
	int			 query;

	if (smap == NULL) {
		smap = json_pack("{s:s,s:s}", "NIFTY_FUT", "NFO:NIFTY26DECFUT",
		    "BAD", "NSE:a b");
		fmap = json_pack("{s:s,s:s,s:s,s:s,s:s}", "symbol", "/o/s",
		    "action", "/o/0", "qty", "q", "price", "/p~1x", "id", "");
	}
	memset(&c, 0, sizeof c);
	c.dialect = HOOK_DIALECT;
	c.symbol_map = smap;
	c.field_map = fmap;
	c.action = size > 1 && (data[1] & 1) ? "buy" : NULL;
	c.qty = size > 1 && (data[1] & 2) ? 3 : 0;
	c.position_sync = size > 1 && (data[1] & 4);
	query = size > 0 && (data[0] & 1) && hook_dialect_get_ok(HOOK_DIALECT);
	buf = malloc(size + 1);
	if (size > 0)
		memcpy(buf, data, size);
	buf[size] = '\0';
	memset(&in, 0, sizeof in);
	in.method = query ? "GET" : "POST";
	in.body = query ? "" : buf;
	in.len = query ? 0 : size;
	in.query = query ? buf : NULL;
	if (query && strlen(buf) != size) {
		free(buf);
		return 0;
	}
	err_clear(&e);
	if (hook_parse(&c, &in, &p, &e) == 0) {
		if (p.n == 0 || p.n > HOOK_MAX_SIGNALS)
			abort();
		for (i = 0; i < p.n; i++)
			check(&p.v[i]);
	} else if (strcmp(e.code, "malformed") != 0 || p.v != NULL)
		abort();
	hook_parsed_free(&p);
	free(buf);
	return 0;
}
