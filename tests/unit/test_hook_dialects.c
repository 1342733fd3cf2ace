/*
 * The webhook dialects (src/auto/dialect_*.c, hook_parse.c, hook_fields.c)
 * on the payloads of tests/fixtures/webhooks/ and on hostile ones; the
 * connector's allow list, rate bucket and window (hook_conn.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auto/hook_conn.h"
#include "auto/hook_int.h"

#define FUT	"NIFTY26DECFUT"

/* A fixture with @TOKEN@ as "tok-1" and @FUT@ filled in. */
static char *
fixture(const char *name, size_t *len)
{
	char		 path[512], buf[8192];
	FILE		*f;
	size_t		 n;
	struct strbuf	 b;
	char		*p;

	snprintf(path, sizeof path, "%s/tests/fixtures/webhooks/%s",
	    PX_SRCDIR, name);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	strbuf_init(&b);
	for (p = buf; *p != '\0';) {
		if (strncmp(p, "@TOKEN@", 7) == 0) {
			strbuf_puts(&b, "tok-1");
			p += 7;
		} else if (strncmp(p, "@FUT@", 5) == 0) {
			strbuf_puts(&b, FUT);
			p += 5;
		} else
			strbuf_putc(&b, *p++);
	}
	*len = b.len;
	return strbuf_steal(&b);
}

static struct hook_conn_cfg
cfg(const char *dialect)
{
	struct hook_conn_cfg	c;

	memset(&c, 0, sizeof c);
	c.dialect = dialect;
	return c;
}

/* Parse a fixture as a POST body (or a GET query when query). */
static int
parse(struct hook_conn_cfg *c, const char *name, int query,
    struct hook_parsed *p, struct err *e)
{
	struct hook_in	 in;
	size_t		 len;
	char		*s = fixture(name, &len);
	int		 rc;

	memset(&in, 0, sizeof in);
	in.method = query ? "GET" : "POST";
	in.body = query ? "" : s;
	in.len = query ? 0 : len;
	in.query = query ? s : NULL;
	err_clear(e);
	rc = hook_parse(c, &in, p, e);
	free(s);
	return rc;
}

static void
one(const struct hook_signal *s, enum hook_action a, const char *sym,
    const char *exch, int64_t qty)
{
	assert_int_equal(s->action, a);
	assert_string_equal(s->symbol, sym);
	assert_string_equal(s->exchange, exch);
	assert_int_equal(s->qty, qty);
}

static void
test_tradingview(void **state)
{
	struct hook_conn_cfg	c = cfg("tradingview");
	struct hook_parsed	p;
	struct err		e;

	assert_int_equal(parse(&c, "tradingview/strategy_alert.json", 0, &p,
	    &e), 0);
	assert_int_equal(p.n, 1);
	one(&p.v[0], HOOK_BUY, FUT, "NFO", 2);
	assert_int_equal(p.v[0].price, 2435050);
	assert_string_equal(p.v[0].order_type, "market");
	assert_string_equal(p.token, "tok-1");
	hook_parsed_free(&p);

	assert_int_equal(parse(&c, "tradingview/nested.json", 0, &p, &e), 0);
	one(&p.v[0], HOOK_SELL, FUT, "NFO", 1);
	assert_int_equal(p.v[0].price, 2431025);
	hook_parsed_free(&p);

	assert_int_equal(parse(&c, "tradingview/plain.txt", 0, &p, &e), 0);
	one(&p.v[0], HOOK_SELL, FUT, "", 1);
	assert_null(p.token);
	hook_parsed_free(&p);
}

static void
test_position_sync(void **state)
{
	struct hook_conn_cfg	c = cfg("tradingview");
	struct hook_parsed	p;
	struct err		e;

	c.position_sync = 1;
	assert_int_equal(parse(&c, "tradingview/position_long.json", 0, &p,
	    &e), 0);
	one(&p.v[0], HOOK_TARGET, FUT, "NFO", 3);
	assert_string_equal(p.v[0].ext_id, "sync-long-3");
	hook_parsed_free(&p);
	assert_int_equal(parse(&c, "tradingview/position_flat.json", 0, &p,
	    &e), 0);
	one(&p.v[0], HOOK_TARGET, FUT, "NFO", 0);
	hook_parsed_free(&p);
	assert_int_equal(parse(&c, "tradingview/nested.json", 0, &p, &e), 0);
	one(&p.v[0], HOOK_TARGET, FUT, "NFO", -1);
	hook_parsed_free(&p);
	/* Without the mode the same alert is the order it names. */
	c.position_sync = 0;
	assert_int_equal(parse(&c, "tradingview/position_long.json", 0, &p,
	    &e), 0);
	one(&p.v[0], HOOK_BUY, FUT, "NFO", 3);
	hook_parsed_free(&p);
}

static void
test_amibroker_excel(void **state)
{
	struct hook_conn_cfg	c = cfg("amibroker");
	struct hook_parsed	p;
	struct err		e;

	assert_int_equal(parse(&c, "amibroker/post.form", 0, &p, &e), 0);
	one(&p.v[0], HOOK_BUY, FUT, "NFO", 1);
	assert_string_equal(p.v[0].product, "nrml");
	assert_string_equal(p.v[0].ext_id, "ami-0001");
	hook_parsed_free(&p);
	assert_int_equal(parse(&c, "amibroker/get.query", 1, &p, &e), 0);
	one(&p.v[0], HOOK_SELL, FUT, "NFO", 1);
	assert_string_equal(p.token, "tok-1");
	hook_parsed_free(&p);
	assert_int_equal(parse(&c, "tradingview/nested.json", 0, &p, &e), -1);
	assert_non_null(strstr(e.msg, "not JSON"));
	hook_parsed_free(&p);

	c = cfg("excel");
	assert_int_equal(parse(&c, "excel/get.query", 1, &p, &e), 0);
	one(&p.v[0], HOOK_BUY, "SBIN", "NSE", 5);
	assert_int_equal(p.v[0].units, 1);
	assert_string_equal(p.v[0].product, "cnc");
	hook_parsed_free(&p);
}

static void
test_mt(void **state)
{
	struct hook_conn_cfg	c = cfg("mt");
	struct hook_parsed	p;
	struct err		e;

	c.symbol_map = json_pack("{s:s}", "NIFTY_FUT", "NFO:" FUT);
	assert_int_equal(parse(&c, "mt/mt5.json", 0, &p, &e), 0);
	one(&p.v[0], HOOK_BUY, FUT, "NFO", 2);
	assert_string_equal(p.v[0].ext_id, "50123456");
	hook_parsed_free(&p);
	assert_int_equal(parse(&c, "mt/mt4.form", 0, &p, &e), 0);
	one(&p.v[0], HOOK_SELL, FUT, "NFO", 1);
	hook_parsed_free(&p);
	json_decref(c.symbol_map);
	/* Without the map the MT name is refused as no symbol? It is kept. */
	c = cfg("mt");
	assert_int_equal(parse(&c, "mt/mt5.json", 0, &p, &e), 0);
	one(&p.v[0], HOOK_BUY, "NIFTY_FUT", "", 2);
	hook_parsed_free(&p);
}

static void
test_chartink(void **state)
{
	struct hook_conn_cfg	c = cfg("chartink");
	struct hook_parsed	p;
	struct err		e;

	/* A scan says which stocks, the connector what to do. */
	assert_int_equal(parse(&c, "chartink/scan.json", 0, &p, &e), -1);
	assert_non_null(strstr(e.msg, "action"));
	hook_parsed_free(&p);
	c.action = "buy";
	c.qty = 10;
	assert_int_equal(parse(&c, "chartink/scan.json", 0, &p, &e), 0);
	assert_int_equal(p.n, 3);
	one(&p.v[0], HOOK_BUY, "SBIN", "NSE", 10);
	one(&p.v[1], HOOK_BUY, "TCS", "NSE", 10);
	one(&p.v[2], HOOK_BUY, "INFY", "NSE", 10);
	assert_int_equal(p.v[1].price, 390120);
	assert_int_equal(p.v[0].units, 1);
	hook_parsed_free(&p);
}

static void
test_custom(void **state)
{
	struct hook_conn_cfg	c = cfg("custom");
	struct hook_parsed	p;
	struct err		e;

	c.field_map = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "token",
	    "/auth/key", "action", "/order/side", "symbol",
	    "/order/instrument/name", "exchange", "/order/instrument/venue",
	    "qty", "/order/lots", "id", "/meta/uid");
	assert_int_equal(parse(&c, "custom/order.json", 0, &p, &e), 0);
	one(&p.v[0], HOOK_BUY, FUT, "NFO", 1);
	assert_string_equal(p.v[0].ext_id, "c-77");
	assert_string_equal(p.token, "tok-1");
	hook_parsed_free(&p);
	json_decref(c.field_map);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char	*file;
		const char	*says;
	} bad[] = {
		{ "malformed/truncated.json", "not JSON" },
		{ "malformed/no_symbol.json", "symbol" },
		{ "malformed/half_lot.json", "qty \"0.5\"" },
		{ "malformed/bad_action.json", "action \"hold\"" },
		{ "malformed/not_buy_sell.txt", "buy or sell" },
		{ "malformed/chooses_target.txt", "strategy's to choose" },
	};
	struct hook_conn_cfg	c = cfg("tradingview");
	struct hook_parsed	p;
	struct err		e;
	size_t			i;

	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(parse(&c, bad[i].file, 0, &p, &e), -1);
		assert_string_equal(e.code, "malformed");
		if (strstr(e.msg, bad[i].says) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].file, e.msg,
			    bad[i].says);
		assert_null(p.v);
		hook_parsed_free(&p);
	}
}

static int
parse_text(const char *dialect, const char *body, struct err *e)
{
	struct hook_conn_cfg	c = cfg(dialect);
	struct hook_parsed	p;
	struct hook_in		in;
	int			rc;

	memset(&in, 0, sizeof in);
	in.method = "POST";
	in.body = body;
	in.len = strlen(body);
	err_clear(e);
	rc = hook_parse(&c, &in, &p, e);
	hook_parsed_free(&p);
	return rc;
}

static void
test_hostile(void **state)
{
	struct hook_conn_cfg	c = cfg("tradingview");
	struct hook_parsed	p;
	struct hook_in		in;
	struct err		e;
	static const char	nul[] = "{\"ticker\":\"A\0B\",\"action\":\"buy\"}";

	assert_int_equal(parse_text("tradingview", "{\"ticker\":\"NIFTY\","
	    "\"action\":\"buy\",\"qty\":\"123456789012345678901234567890\"}",
	    &e), -1);
	assert_non_null(strstr(e.msg, "qty"));
	assert_int_equal(parse_text("tradingview", "{\"ticker\":\"NI FTY\","
	    "\"action\":\"buy\",\"qty\":1}", &e), -1);
	assert_int_equal(parse_text("tradingview", "{\"ticker\":\"X\","
	    "\"action\":\"buy\",\"qty\":1,\"exchange\":\"NASDAQ\"}", &e), -1);
	assert_int_equal(parse_text("tradingview", "[1,2]", &e), -1);
	assert_int_equal(parse_text("tradingview", "", &e), -1);
	assert_int_equal(parse_text("tradingview", "{\"a\":1,\"a\":2}", &e),
	    -1);
	assert_int_equal(parse_text("amibroker", "symbol=%zz&action=buy", &e),
	    -1);
	assert_int_equal(parse_text("amibroker", "symbol=A%00B&action=buy&qty=1",
	    &e), -1);
	assert_int_equal(parse_text("mt", "{\"symbol\":\"X\",\"type\":0,"
	    "\"volume\":1e300}", &e), -1);
	assert_int_equal(parse_text("chartink", "{\"stocks\":\"\"}", &e), -1);
	assert_int_equal(parse_text("tradingview", "{\"ticker\":\"X\","
	    "\"action\":\"buy\",\"qty\":1,\"order_type\":\"limit\"}", &e), -1);
	assert_non_null(strstr(e.msg, "price"));
	memset(&in, 0, sizeof in);
	in.method = "POST";
	in.body = nul;
	in.len = sizeof nul - 1;
	assert_int_equal(hook_parse(&c, &in, &p, &e), -1);
	assert_non_null(strstr(e.msg, "NUL"));
	hook_parsed_free(&p);
}

static void
test_conn_checks(void **state)
{
	struct hook_conn	c;
	struct hook_net		n;

	memset(&c, 0, sizeof c);
	assert_int_equal(hook_conn_allows(&c, "203.0.113.9"), 1);
	c.allow = xcalloc(2, sizeof *c.allow);
	assert_int_equal(hook_net_parse("10.1.0.0/16", &c.allow[0]), 0);
	assert_int_equal(hook_net_parse("52.89.214.238", &c.allow[1]), 0);
	c.nallow = 2;
	assert_int_equal(hook_conn_allows(&c, "10.1.200.3"), 1);
	assert_int_equal(hook_conn_allows(&c, "10.2.0.1"), 0);
	assert_int_equal(hook_conn_allows(&c, "52.89.214.238"), 1);
	assert_int_equal(hook_conn_allows(&c, "::ffff:52.89.214.238"), 1);
	assert_int_equal(hook_conn_allows(&c, "127.0.0.1"), 0);
	assert_int_equal(hook_conn_allows(&c, "junk"), 0);
	free(c.allow);
	assert_int_equal(hook_net_parse("1.2.3.4/33", &n), -1);
	assert_int_equal(hook_net_parse("300.1.1.1", &n), -1);
	assert_int_equal(hook_net_parse("fd00::/8", &n), 0);

	/* 2/s: two at once, the third waits half a second. */
	memset(&c, 0, sizeof c);
	c.rate = 2;
	assert_int_equal(hook_conn_take(&c, 1000000), 1);
	assert_int_equal(hook_conn_take(&c, 1000001), 1);
	assert_int_equal(hook_conn_take(&c, 1000002), 0);
	assert_int_equal(hook_conn_take(&c, 1500010), 1);

	/* 09:15-15:30 IST, and a window over midnight. */
	c.win_from = 9 * 60 + 15;
	c.win_to = 15 * 60 + 30;
	assert_int_equal(hook_conn_in_window(&c, 9 * 60 + 14), 0);
	assert_int_equal(hook_conn_in_window(&c, 9 * 60 + 15), 1);
	assert_int_equal(hook_conn_in_window(&c, 15 * 60 + 30), 0);
	c.win_from = 22 * 60;
	c.win_to = 2 * 60;
	assert_int_equal(hook_conn_in_window(&c, 23 * 60), 1);
	assert_int_equal(hook_conn_in_window(&c, 60), 1);
	assert_int_equal(hook_conn_in_window(&c, 12 * 60), 0);
	/* 2026-12-01 03:45 UTC is 09:15 IST. */
	assert_int_equal(hook_ist_minute(1796096700LL * 1000000), 9 * 60 + 15);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tradingview),
		cmocka_unit_test(test_position_sync),
		cmocka_unit_test(test_amibroker_excel),
		cmocka_unit_test(test_mt),
		cmocka_unit_test(test_chartink),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_conn_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
