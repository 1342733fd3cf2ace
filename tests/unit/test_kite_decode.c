/*
 * Kite Connect v3 wire decoding (src/broker/kite_*.c, order_state.c)
 * against the recorded response bodies in tests/fixtures/kite-mocks (a copy of shared/fixtures).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "broker/kite.h"

#ifndef PX_SRCDIR
#define PX_SRCDIR "."
#endif

/* A fixture's bytes; the test fails if it cannot be read. */
static char *
fixture(const char *name, size_t *lenp)
{
	const char	*dir = getenv("PHALANX_FIXTURES");
	char		 path[1024];
	FILE		*f;
	char		*buf;
	long		 n;

	if (dir == NULL || *dir == '\0')
		dir = PX_SRCDIR "/tests/fixtures/kite-mocks";
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

static int64_t
ist(const char *s)
{
	int64_t	us;

	assert_int_equal(kite_ts_parse(s, &us), 0);
	return us;
}

static void
test_order_ids(void **state)
{
	static const char *const files[] = { "order_response.json",
	    "order_modify.json", "order_cancel.json" };
	struct broker_err	be;
	const char		*lit;
	char			id[32], *body;
	size_t			i, len;

	for (i = 0; i < nitems(files); i++) {
		body = fixture(files[i], &len);
		assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 200,
		    body, len, id, &be), 0);
		assert_string_equal(id, "151220000000000");
		assert_int_equal(be.kind, BROKER_ERR_NONE);
		free(body);
	}
	lit = "{\"status\":\"success\",\"data\":{\"order_id\":"
	    "151220000000001}}";
	assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 200, lit,
	    strlen(lit), id, &be), 0);
	assert_string_equal(id, "151220000000001");
}

static void
test_orders(void **state)
{
	struct broker_order	*o;
	struct broker_err	 be;
	size_t			 n, len;
	char			*body = fixture("orders.json", &len);

	assert_int_equal(kite_decode_orders(BROKER_OP_ORDERS, 200, body, len,
	    &o, &n, &be), 0);
	assert_int_equal(n, 10);

	assert_string_equal(o[0].order_id, "100000000000000");
	assert_string_equal(o[0].exchange_order_id, "200000000000000");
	assert_string_equal(o[0].parent_order_id, "");
	assert_string_equal(o[0].status, "CANCELLED");
	assert_int_equal(o[0].state, BROKER_CANCELLED);
	assert_string_equal(o[0].exchange, "CDS");
	assert_string_equal(o[0].tradingsymbol, "USDINR21JUNFUT");
	assert_int_equal(o[0].instrument_token, 412675);
	assert_int_equal(o[0].order_type, BROKER_LIMIT);
	assert_int_equal(o[0].side, BROKER_BUY);
	assert_int_equal(o[0].validity, BROKER_DAY);
	assert_int_equal(o[0].product, BROKER_NRML);
	assert_int_equal(o[0].variety, BROKER_VARIETY_REGULAR);
	assert_int_equal(o[0].qty, 1);
	assert_int_equal(o[0].price, 7200);
	assert_int_equal(o[0].pending, 1);
	assert_int_equal(o[0].cancelled, 1);
	assert_string_equal(o[0].tag, "");
	assert_int_equal(o[0].order_ts, 1622432937LL * 1000000);
	assert_int_equal(o[0].exchange_update_ts, ist("2021-05-31 09:18:58"));
	assert_int_equal(o[0].exchange_ts, ist("2021-05-31 09:15:38"));

	assert_int_equal(o[1].state, BROKER_FILLED);
	assert_int_equal(o[1].product, BROKER_CNC);
	assert_int_equal(o[1].price, 10940);
	assert_int_equal(o[1].avg_price, 10940);
	assert_int_equal(o[1].filled, 1);

	assert_int_equal(o[2].order_type, BROKER_MARKET);
	assert_int_equal(o[2].side, BROKER_SELL);
	assert_int_equal(o[2].price, 0);
	assert_int_equal(o[2].avg_price, 10935);

	assert_string_equal(o[3].order_id, "220524001859672");
	assert_string_equal(o[3].exchange_order_id, "");
	assert_int_equal(o[3].state, BROKER_REJECTED);
	assert_non_null(strstr(o[3].status_message,
	    "Required margin is 95417.84"));
	assert_int_equal(o[3].variety, BROKER_VARIETY_ICEBERG);
	assert_int_equal(o[3].validity, BROKER_TTL);
	assert_string_equal(o[3].tag, "icebergord");
	assert_int_equal(o[3].qty, 200);
	assert_int_equal(o[3].price, 46300);
	assert_int_equal(o[3].exchange_ts, 0);

	assert_string_equal(o[4].tag, "connect test order1");
	assert_string_equal(o[4].exchange, "MCX");
	assert_int_equal(o[4].price, 485400);
	assert_int_equal(o[4].avg_price, 485200);

	assert_int_equal(o[6].variety, BROKER_VARIETY_AUCTION);
	assert_int_equal(o[6].pending, 60);
	assert_int_equal(o[7].product, BROKER_MTF);

	assert_string_equal(o[8].order_id, "1953341975595868160");
	assert_string_equal(o[8].tradingsymbol, "TATASTEEL");
	assert_int_equal(o[8].price, 15982);
	assert_int_equal(o[8].avg_price, 15670);

	assert_string_equal(o[9].exchange, "NFO");
	assert_string_equal(o[9].tradingsymbol, "NIFTY2580724400CE");
	assert_int_equal(o[9].instrument_token, 10189826);
	assert_int_equal(o[9].qty, 150);
	assert_int_equal(o[9].filled, 150);
	assert_int_equal(o[9].avg_price, 1230);
	assert_int_equal(o[9].state, BROKER_FILLED);
	free(o);
	free(body);
}

static void
test_order_history(void **state)
{
	static const enum broker_state want[] = { BROKER_SUBMITTED,
	    BROKER_SUBMITTED, BROKER_SUBMITTED, BROKER_OPEN, BROKER_OPEN,
	    BROKER_OPEN, BROKER_OPEN, BROKER_OPEN };
	struct broker_order	*o;
	struct broker_err	 be;
	size_t			 i, n, len;
	char			*body = fixture("order_info.json", &len);

	assert_int_equal(kite_decode_orders(BROKER_OP_ORDER_HISTORY, 200, body,
	    len, &o, &n, &be), 0);
	assert_int_equal(n, nitems(want));
	for (i = 0; i < n; i++) {
		assert_string_equal(o[i].order_id, "171229000724687");
		assert_int_equal(o[i].state, want[i]);
	}
	assert_string_equal(o[0].status, "PUT ORDER REQ RECEIVED");
	assert_int_equal(o[0].instrument_token, 1);
	assert_string_equal(o[3].exchange_order_id, "1300000001887410");
	assert_string_equal(o[4].status, "MODIFY VALIDATION PENDING");
	assert_int_equal(o[6].price, 30000);
	assert_int_equal(o[7].price, 30010);
	assert_int_equal(o[7].order_ts, ist("2017-12-29 11:08:16"));
	free(o);
	free(body);
}

static void
test_trades(void **state)
{
	struct broker_trade	*t;
	struct broker_err	 be;
	size_t			 n, len;
	char			*body = fixture("trades.json", &len);

	assert_int_equal(kite_decode_trades(200, body, len, &t, &n, &be), 0);
	assert_int_equal(n, 4);
	assert_string_equal(t[0].trade_id, "10000000");
	assert_string_equal(t[0].order_id, "200000000000000");
	assert_string_equal(t[0].exchange_order_id, "300000000000000");
	assert_string_equal(t[0].tradingsymbol, "SBIN");
	assert_int_equal(t[0].product, BROKER_CNC);
	assert_int_equal(t[0].side, BROKER_BUY);
	assert_int_equal(t[0].qty, 1);
	assert_int_equal(t[0].price, 42065);
	assert_int_equal(t[0].fill_ts, ist("2021-05-31 09:16:39"));
	/* A CDS average of 72.755 rupees rounds half away to 7276 paise. */
	assert_int_equal(t[1].price, 7276);
	assert_int_equal(t[1].product, BROKER_MIS);
	assert_int_equal(t[3].price, 485200);
	assert_string_equal(t[3].order_id, "1100000000000000");
	free(t);
	free(body);

	body = fixture("order_trades.json", &len);
	assert_int_equal(kite_decode_trades(200, body, len, &t, &n, &be), 0);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].tradingsymbol, "GOLDPETAL21JUNFUT");
	assert_int_equal(t[0].instrument_token, 58424839);
	assert_int_equal(t[0].price, 485200);
	free(t);
	free(body);
}

static void
test_positions(void **state)
{
	struct broker_positions	 p;
	struct broker_err	 be;
	size_t			 len;
	char			*body = fixture("positions.json", &len);

	assert_int_equal(kite_decode_positions(200, body, len, &p, &be), 0);
	assert_int_equal(p.nnet, 3);
	assert_int_equal(p.nday, 3);
	assert_string_equal(p.net[0].tradingsymbol, "LEADMINI17DECFUT");
	assert_int_equal(p.net[0].qty, 1);
	assert_int_equal(p.net[0].multiplier, 1000);
	assert_int_equal(p.net[0].avg_price, 16105);
	assert_int_equal(p.net[0].value, -16105000);
	assert_int_equal(p.net[0].buy_value, 16105000);
	assert_string_equal(p.net[1].tradingsymbol, "GOLDGUINEA17DECFUT");
	assert_int_equal(p.net[1].overnight_qty, 3);
	assert_int_equal(p.net[1].pnl, 80100);
	assert_int_equal(p.net[1].m2m, 27600);
	assert_int_equal(p.net[1].unrealised, 80100);
	assert_int_equal(p.net[1].buy_price, 2313975);
	assert_int_equal(p.net[1].close_price, 2323200);
	assert_int_equal(p.net[1].day_sell_qty, 4);
	assert_int_equal(p.net[2].product, BROKER_CO);
	assert_int_equal(p.net[2].pnl, -200);
	assert_int_equal(p.net[2].last_price, 30840);
	assert_int_equal(p.day[0].qty, -3);
	assert_int_equal(p.day[0].pnl, -9300);
	assert_int_equal(p.day[0].avg_price, 2334000);
	free(p.net);
	free(p.day);
	free(body);
}

static void
test_margins(void **state)
{
	struct broker_margins		m;
	struct broker_margin_segment	s;
	struct broker_err		be;
	size_t				len;
	char				*body = fixture("margins.json", &len);

	assert_int_equal(kite_decode_margins(200, body, len, &m, &be), 0);
	assert_true(m.equity.present);
	assert_true(m.equity.enabled);
	/* 99725.05000000002 is float noise on 99725.05. */
	assert_int_equal(m.equity.net, 9972505);
	assert_int_equal(m.equity.cash, 24543160);
	assert_int_equal(m.equity.live_balance, 9972505);
	assert_int_equal(m.equity.debits, 14570655);
	assert_int_equal(m.equity.exposure, 3898125);
	assert_int_equal(m.equity.m2m_realised, 76170);
	assert_int_equal(m.equity.span, 10198900);
	assert_true(m.commodity.present);
	assert_int_equal(m.commodity.net, 10066170);
	free(body);

	body = fixture("margins_equity.json", &len);
	assert_int_equal(kite_decode_margin_segment(200, body, len, &s, &be),
	    0);
	assert_int_equal(s.net, 9972505);
	assert_int_equal(s.opening_balance, 24543160);
	/* A single segment is not the two-segment shape. */
	assert_int_equal(kite_decode_margins(200, body, len, &m, &be), -1);
	assert_string_equal(be.err.code, "decode");
	free(body);

	body = fixture("margin_commodity.json", &len);
	assert_int_equal(kite_decode_margin_segment(200, body, len, &s, &be),
	    0);
	assert_int_equal(s.net, 9642633);
	assert_int_equal(s.live_balance, 9642633);
	assert_int_equal(s.cash, 9729750);
	assert_int_equal(s.debits, 87117);
	assert_int_equal(s.exposure, 11735);
	assert_int_equal(s.span, 56300);
	assert_int_equal(s.payout, 0);
	free(body);
}

static void
test_quotes(void **state)
{
	struct broker_quote	*q;
	struct broker_err	 be;
	size_t			 n, len;
	char			*body = fixture("quote.json", &len);

	assert_int_equal(kite_decode_quotes(200, body, len, &q, &n, &be), 0);
	assert_int_equal(n, 1);
	assert_string_equal(q[0].key, "NSE:INFY");
	assert_int_equal(q[0].instrument_token, 408065);
	assert_int_equal(q[0].ltp, 141295);
	assert_int_equal(q[0].last_qty, 5);
	assert_int_equal(q[0].volume, 7360198);
	assert_int_equal(q[0].avg_price, 141247);
	assert_int_equal(q[0].sell_qty, 5191);
	assert_int_equal(q[0].open, 139600);
	assert_int_equal(q[0].high, 142175);
	assert_int_equal(q[0].low, 139555);
	assert_int_equal(q[0].close, 138965);
	assert_int_equal(q[0].lower_circuit, 125070);
	assert_int_equal(q[0].upper_circuit, 152860);
	assert_int_equal(q[0].bid, 0);
	assert_int_equal(q[0].ask, 141295);
	assert_int_equal(q[0].ask_qty, 5191);
	assert_int_equal(q[0].ts, ist("2021-06-08 15:45:56"));
	assert_int_equal(q[0].last_trade_ts, ist("2021-06-08 15:45:52"));
	free(q);
	free(body);

	body = fixture("ltp.json", &len);
	assert_int_equal(kite_decode_quotes(200, body, len, &q, &n, &be), 0);
	assert_int_equal(n, 1);
	assert_int_equal(q[0].ltp, 107435);
	assert_int_equal(q[0].open, 0);
	free(q);
	free(body);

	body = fixture("ohlc.json", &len);
	assert_int_equal(kite_decode_quotes(200, body, len, &q, &n, &be), 0);
	assert_int_equal(n, 1);
	assert_int_equal(q[0].ltp, 107500);
	assert_int_equal(q[0].open, 108580);
	assert_int_equal(q[0].high, 108590);
	assert_int_equal(q[0].low, 107090);
	assert_int_equal(q[0].close, 107580);
	free(q);
	free(body);
}

static void
test_autoslice(void **state)
{
	struct kite_autoslice	 a;
	struct broker_err	 be;
	char			 id[32];
	size_t			 len;
	char			*body = fixture("autoslice_response.json", &len);

	assert_int_equal(kite_decode_autoslice(200, body, len, &a, &be), 0);
	assert_string_equal(a.order_id, "1914227164488687616");
	assert_int_equal(a.nchildren, 4);
	assert_string_equal(a.children[0].order_id, "1914227164534824960");
	assert_int_equal(a.children[0].err.kind, BROKER_ERR_NONE);
	assert_string_equal(a.children[1].order_id, "1914227164580962304");
	assert_string_equal(a.children[2].order_id, "");
	assert_int_equal(a.children[2].err.kind, BROKER_ERR_FINAL);
	assert_string_equal(a.children[2].err.err.code, "margin");
	assert_string_equal(a.children[2].err.error_type, "MarginException");
	assert_int_equal(a.children[2].err.http_status, 400);
	assert_non_null(strstr(a.children[2].err.err.msg,
	    "Insufficient funds"));
	assert_string_equal(a.children[3].order_id, "1914227164681625600");
	kite_autoslice_free(&a);
	/* The plain place decoder still finds the parent id. */
	assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 200, body, len,
	    id, &be), 0);
	assert_string_equal(id, "1914227164488687616");
	free(body);
}

/* The fixture's body with its checksum recomputed for our secret. */
static char *
resigned_postback(const char *secret, const char *set_ts)
{
	unsigned char	 md[crypto_hash_sha256_BYTES];
	char		 hex[65], *body, *out, *msg;
	json_t		*root;
	json_error_t	 je;
	size_t		 len;

	body = fixture("postback.json", &len);
	root = json_loadb(body, len, 0, &je);
	assert_non_null(root);
	msg = xasprintf("%s%s%s",
	    json_string_value(json_object_get(root, "order_id")),
	    json_string_value(json_object_get(root, "order_timestamp")),
	    secret);
	crypto_hash_sha256(md, (unsigned char *)msg, strlen(msg));
	sodium_bin2hex(hex, sizeof hex, md, sizeof md);
	json_object_set_new(root, "checksum", json_string(hex));
	if (set_ts != NULL)
		json_object_set_new(root, "order_timestamp",
		    json_string(set_ts));
	out = json_dumps(root, 0);
	json_decref(root);
	free(msg);
	free(body);
	return out;
}

static void
test_postback(void **state)
{
	struct broker_order	 o;
	struct broker_err	 be;
	char			 hex[65], *body;
	size_t			 len;

	/* sha256("220303000308932" "2022-03-03 09:24:25" "phalanx-test-secret") */
	kite_postback_checksum("220303000308932", "2022-03-03 09:24:25",
	    "phalanx-test-secret", hex);
	assert_string_equal(hex, "c1112cff2b960a8857ea81675f243fc9f572ae14"
	    "cb748cc538696436b4be0fdb");
	assert_int_equal(kite_postback_verify("220303000308932",
	    "2022-03-03 09:24:25", "phalanx-test-secret",
	    "C1112CFF2B960A8857EA81675F243FC9F572AE14CB748CC538696436B4BE0FDB"),
	    0);
	assert_int_equal(kite_postback_verify("220303000308932",
	    "2022-03-03 09:24:25", "phalanx-test-secret", "c1112cff"), -1);

	/* Unverified decode of the fixture as recorded. */
	body = fixture("postback.json", &len);
	assert_int_equal(kite_decode_postback(body, len, NULL, &o, &be), 0);
	assert_string_equal(o.order_id, "220303000308932");
	assert_string_equal(o.exchange_order_id, "1000000001482421");
	assert_int_equal(o.state, BROKER_FILLED);
	assert_int_equal(o.avg_price, 47000);
	assert_int_equal(o.filled, 1);
	assert_int_equal(o.order_ts, ist("2022-03-03 09:24:25"));
	/* Its checksum was made with Kite's secret, not ours. */
	assert_int_equal(kite_decode_postback(body, len, "phalanx-test-secret",
	    &o, &be), -1);
	assert_string_equal(be.err.code, "checksum");
	assert_string_equal(o.order_id, "");
	free(body);

	body = resigned_postback("phalanx-test-secret", NULL);
	assert_int_equal(kite_decode_postback(body, strlen(body),
	    "phalanx-test-secret", &o, &be), 0);
	assert_string_equal(o.order_id, "220303000308932");
	assert_int_equal(kite_decode_postback(body, strlen(body),
	    "phalanx-test-secreT", &o, &be), -1);
	free(body);

	/* Tampered: the timestamp changed after signing. */
	body = resigned_postback("phalanx-test-secret", "2022-03-03 09:24:26");
	assert_int_equal(kite_decode_postback(body, strlen(body),
	    "phalanx-test-secret", &o, &be), -1);
	assert_string_equal(be.err.code, "checksum");
	free(body);
}

/* UPDATE, a postback's word for a working order modified or part-filled. */
static void
test_postback_update(void **state)
{
	struct broker_order	 o;
	struct broker_err	 be;
	json_t			*root;
	char			*body, *out;
	size_t			 len;

	body = fixture("postback.json", &len);
	root = json_loadb(body, len, 0, NULL);
	free(body);
	json_object_set_new(root, "status", json_string("UPDATE"));
	json_object_set_new(root, "quantity", json_integer(4));
	json_object_set_new(root, "filled_quantity", json_integer(1));
	json_object_set_new(root, "pending_quantity", json_integer(3));
	out = json_dumps(root, 0);
	assert_int_equal(kite_decode_postback(out, strlen(out), NULL, &o, &be),
	    0);
	assert_int_equal(o.state, BROKER_PARTIALLY_FILLED);
	free(out);
	json_object_set_new(root, "filled_quantity", json_integer(0));
	json_object_set_new(root, "pending_quantity", json_integer(4));
	out = json_dumps(root, 0);
	assert_int_equal(kite_decode_postback(out, strlen(out), NULL, &o, &be),
	    0);
	assert_int_equal(o.state, BROKER_OPEN);
	free(out);
	json_decref(root);
}

static void
err_case(enum broker_op op, long http, const char *type,
    enum broker_errclass kind, const char *code)
{
	struct broker_err	 be;
	char			 id[32], *body;

	body = xasprintf("{\"status\":\"error\",\"message\":\"it failed\","
	    "\"data\":null,\"error_type\":\"%s\"}", type);
	assert_int_equal(kite_decode_order_id(op, http, body, strlen(body),
	    id, &be), -1);
	if (be.kind != kind || strcmp(be.err.code, code) != 0)
		fail_msg("%s HTTP %ld op %d: %s/%s, want %s/%s", type, http,
		    op, broker_errclass_name(be.kind), be.err.code,
		    broker_errclass_name(kind), code);
	assert_string_equal(be.error_type, type);
	assert_int_equal(be.http_status, http);
	assert_non_null(strstr(be.err.msg, "it failed"));
	assert_string_equal(id, "");
	free(body);
}

static void
test_error_types(void **state)
{
	static const struct {
		const char		*type;
		long			 http;
		const char		*code;
		enum broker_errclass	 place, other;
	} cases[] = {
		{ "TokenException", 403, "token", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "PermissionException", 403, "permission", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "InputException", 400, "input", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "OrderException", 500, "order", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "MarginException", 400, "margin", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "HoldingException", 400, "holding", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "UserException", 403, "user", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "NetworkException", 503, "network", BROKER_ERR_UNKNOWN,
		    BROKER_ERR_RETRYABLE },
		{ "DataException", 502, "data", BROKER_ERR_UNKNOWN,
		    BROKER_ERR_RETRYABLE },
		{ "GeneralException", 500, "general", BROKER_ERR_UNKNOWN,
		    BROKER_ERR_RETRYABLE },
		{ "GeneralException", 400, "general", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		{ "SomethingNewException", 503, "http", BROKER_ERR_UNKNOWN,
		    BROKER_ERR_RETRYABLE },
		{ "SomethingNewException", 404, "http", BROKER_ERR_FINAL,
		    BROKER_ERR_FINAL },
		/* Rate limited before reaching the OMS: safe even for place. */
		{ "NetworkException", 429, "rate-limit", BROKER_ERR_RETRYABLE,
		    BROKER_ERR_RETRYABLE },
		{ "GeneralException", 429, "rate-limit", BROKER_ERR_RETRYABLE,
		    BROKER_ERR_RETRYABLE },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		err_case(BROKER_OP_PLACE, cases[i].http, cases[i].type,
		    cases[i].place, cases[i].code);
		err_case(BROKER_OP_CANCEL, cases[i].http, cases[i].type,
		    cases[i].other, cases[i].code);
		err_case(BROKER_OP_MODIFY, cases[i].http, cases[i].type,
		    cases[i].other, cases[i].code);
	}
}

static void
test_transport(void **state)
{
	struct broker_err	be;

	kite_transport_err(BROKER_OP_PLACE, 1, NULL, &be);
	assert_int_equal(be.kind, BROKER_ERR_UNKNOWN);
	assert_string_equal(be.err.code, "timeout");
	kite_transport_err(BROKER_OP_PLACE, 0, "Connection reset by peer",
	    &be);
	assert_int_equal(be.kind, BROKER_ERR_UNKNOWN);
	assert_string_equal(be.err.code, "transport");
	assert_non_null(strstr(be.err.msg, "reset"));
	kite_transport_err(BROKER_OP_CANCEL, 1, NULL, &be);
	assert_int_equal(be.kind, BROKER_ERR_RETRYABLE);
	kite_transport_err(BROKER_OP_ORDERS, 0, "refused", &be);
	assert_int_equal(be.kind, BROKER_ERR_RETRYABLE);
	assert_int_equal(be.http_status, 0);
}

/*
 * A failed TLS handshake sent nothing: even a place is retryable, and
 * the message names the url and the setting that decides trust.
 */
static void
test_tls(void **state)
{
	struct broker_err	be;

	kite_tls_err("https://127.0.0.1:8788", "SSL certificate problem: "
	    "self-signed certificate in certificate chain\n", &be);
	assert_int_equal(be.kind, BROKER_ERR_RETRYABLE);
	assert_int_equal(be.http_status, 0);
	assert_string_equal(be.err.code, "tls");
	assert_non_null(strstr(be.err.msg, "https://127.0.0.1:8788"));
	assert_non_null(strstr(be.err.msg, "self-signed certificate"));
	assert_non_null(strstr(be.err.msg, "broker.ca_file"));
	assert_null(strchr(be.err.msg, '\n'));
	kite_tls_err("https://h", NULL, &be);
	assert_non_null(strstr(be.err.msg, "handshake failed"));
}

/* A body that must fail, and the words its message must contain. */
static void
bad_orders(long http, const char *body, enum broker_errclass kind,
    const char *want)
{
	struct broker_order	*o = (void *)1;
	struct broker_err	 be;
	size_t			 n = 99;

	assert_int_equal(kite_decode_orders(BROKER_OP_ORDERS, http, body,
	    strlen(body), &o, &n, &be), -1);
	assert_null(o);
	assert_int_equal(n, 0);
	assert_int_equal(be.kind, kind);
	if (strstr(be.err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", be.err.msg, want);
}

static void
test_garbage(void **state)
{
	static const char html[] = "<html><head><title>502 Bad Gateway"
	    "</title></head><body>nginx</body></html>";
	struct broker_err	 be;
	const char		*lit;
	char			 id[32], *body, *cut;
	size_t			 len;

	bad_orders(502, html, BROKER_ERR_RETRYABLE, "HTML");
	bad_orders(200, html, BROKER_ERR_RETRYABLE, "HTML");
	bad_orders(200, "", BROKER_ERR_RETRYABLE, "empty body");
	bad_orders(200, "[1,2]", BROKER_ERR_RETRYABLE, "should be an object");
	bad_orders(200, "{\"data\":[]}", BROKER_ERR_RETRYABLE, "status");
	bad_orders(200, "{\"status\":\"maybe\"}", BROKER_ERR_RETRYABLE,
	    "maybe");
	bad_orders(200, "{\"status\":\"success\"}", BROKER_ERR_RETRYABLE,
	    "data is missing");
	bad_orders(200, "{\"status\":\"success\",\"data\":{}}",
	    BROKER_ERR_RETRYABLE, "should be an array");
	bad_orders(200, "{\"status\":\"success\",\"data\":[7]}",
	    BROKER_ERR_RETRYABLE, "data[0]: should be an object");
	bad_orders(200, "{\"status\":\"success\",\"data\":[{\"order_id\":\"1\","
	    "\"status\":\"OPEN\",\"exchange\":\"NSE\",\"tradingsymbol\":\"X\","
	    "\"transaction_type\":\"BUY\",\"quantity\":\"ten\"}]}",
	    BROKER_ERR_RETRYABLE, "data[0]: quantity should be an integer");
	bad_orders(200, "{\"status\":\"success\",\"data\":[{\"order_id\":\"1\","
	    "\"status\":\"OPEN\",\"exchange\":\"NSE\",\"tradingsymbol\":\"X\","
	    "\"transaction_type\":\"BUY\",\"quantity\":1,\"price\":true}]}",
	    BROKER_ERR_RETRYABLE, "price should be a number");
	bad_orders(200, "{\"status\":\"success\",\"data\":[{\"order_id\":\"1\","
	    "\"status\":\"OPEN\",\"exchange\":\"NSE\",\"tradingsymbol\":\"X\","
	    "\"transaction_type\":\"HOLD\",\"quantity\":1}]}",
	    BROKER_ERR_RETRYABLE, "HOLD");
	bad_orders(200, "{\"status\":\"success\",\"data\":[{\"status\":\"OPEN\"}]}",
	    BROKER_ERR_RETRYABLE, "order_id is missing");
	bad_orders(200, "{\"status\":\"success\",\"data\":[{\"order_id\":\"1\","
	    "\"status\":\"OPEN\",\"exchange\":\"NSE\",\"tradingsymbol\":\"X\","
	    "\"transaction_type\":\"BUY\",\"quantity\":1,"
	    "\"order_timestamp\":\"yesterday\"}]}",
	    BROKER_ERR_RETRYABLE, "order_timestamp \"yesterday\"");

	/* A truncated orders.json. */
	body = fixture("orders.json", &len);
	cut = xstrndup(body, len / 2);
	bad_orders(200, cut, BROKER_ERR_RETRYABLE, "not JSON");
	free(cut);
	free(body);

	/* A place answered 200 with garbage probably went through. */
	assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 200, "{\"st",
	    4, id, &be), -1);
	assert_int_equal(be.kind, BROKER_ERR_UNKNOWN);
	assert_string_equal(be.err.code, "decode");
	/* A place answered 502 by a proxy: unknown too, never blind retry. */
	assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 502, html,
	    strlen(html), id, &be), -1);
	assert_int_equal(be.kind, BROKER_ERR_UNKNOWN);
	assert_int_equal(be.http_status, 502);
	/* Body of the right envelope but the wrong shape. */
	lit = "{\"status\":\"success\",\"data\":[]}";
	assert_int_equal(kite_decode_order_id(BROKER_OP_PLACE, 200, lit,
	    strlen(lit), id, &be), -1);
	assert_non_null(strstr(be.err.msg, "should be an object"));
	/* A control sequence in a broker message does not reach a screen. */
	lit = "{\"status\":\"error\",\"message\":\"a\\u001b[2Jb\","
	    "\"error_type\":\"InputException\"}";
	assert_int_equal(kite_decode_order_id(BROKER_OP_CANCEL, 400, lit,
	    strlen(lit), id, &be), -1);
	assert_null(strchr(be.err.msg, '\033'));
}

static void
test_garbage_shapes(void **state)
{
	static const char nodays[] =
	    "{\"status\":\"success\",\"data\":{\"net\":[]}}";
	static const char badquote[] =
	    "{\"status\":\"success\",\"data\":{\"NSE:X\":{\"ohlc\":1}}}";
	struct broker_positions	 p;
	struct broker_margins	 m;
	struct broker_quote	*q;
	struct broker_trade	*t;
	struct broker_err	 be;
	size_t			 n;

	assert_int_equal(kite_decode_positions(200, nodays, strlen(nodays), &p,
	    &be), -1);
	assert_non_null(strstr(be.err.msg, "day is missing"));
	assert_null(p.net);
	assert_int_equal(kite_decode_margins(200, nodays, strlen(nodays), &m,
	    &be), -1);
	assert_non_null(strstr(be.err.msg, "neither equity nor commodity"));
	assert_int_equal(kite_decode_quotes(200, badquote, strlen(badquote),
	    &q, &n, &be), -1);
	assert_non_null(strstr(be.err.msg, "last_price is missing"));
	assert_null(q);
	assert_int_equal(kite_decode_trades(200, nodays, strlen(nodays), &t,
	    &n, &be), -1);
	assert_non_null(strstr(be.err.msg, "should be an array"));
	assert_int_equal(n, 0);
}

static void
test_status_table(void **state)
{
	static const struct {
		const char		*status;
		enum broker_state	 state;
	} cases[] = {
		{ "PUT ORDER REQ RECEIVED", BROKER_SUBMITTED },
		{ "VALIDATION PENDING", BROKER_SUBMITTED },
		{ "OPEN PENDING", BROKER_SUBMITTED },
		{ "OPEN", BROKER_OPEN },
		{ "TRIGGER PENDING", BROKER_TRIGGER_PENDING },
		{ "MODIFY VALIDATION PENDING", BROKER_OPEN },
		{ "MODIFY PENDING", BROKER_OPEN },
		{ "MODIFIED", BROKER_OPEN },
		{ "CANCEL PENDING", BROKER_PENDING_CANCEL },
		{ "AMO REQ RECEIVED", BROKER_OPEN },
		{ "COMPLETE", BROKER_FILLED },
		{ "CANCELLED", BROKER_CANCELLED },
		{ "REJECTED", BROKER_REJECTED },
		{ "EXPIRED", BROKER_EXPIRED },
		{ "open", BROKER_UNKNOWN },
		{ "SOMETHING NEW", BROKER_UNKNOWN },
	};
	size_t	i, j;

	for (i = 0; i < nitems(cases); i++)
		assert_int_equal(kite_order_state(cases[i].status, 10, 0),
		    cases[i].state);
	assert_int_equal(kite_order_state(NULL, 10, 0), BROKER_UNKNOWN);
	assert_int_equal(kite_order_state("OPEN", 10, 4),
	    BROKER_PARTIALLY_FILLED);
	assert_int_equal(kite_order_state("MODIFY PENDING", 10, 4),
	    BROKER_PARTIALLY_FILLED);
	assert_int_equal(kite_order_state("OPEN", 10, 10), BROKER_OPEN);
	/* Partly filled then cancelled stays CANCELLED; filled tells. */
	assert_int_equal(kite_order_state("CANCELLED", 10, 4),
	    BROKER_CANCELLED);
	assert_int_equal(kite_order_state("CANCEL PENDING", 10, 4),
	    BROKER_PENDING_CANCEL);

	for (i = 0; i < BROKER_NSTATES; i++) {
		assert_string_not_equal(broker_state_name(i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(broker_state_name(i),
			    broker_state_name(j));
	}
	assert_string_equal(broker_state_name(BROKER_PARTIALLY_FILLED),
	    "PARTIALLY_FILLED");
	assert_string_equal(broker_state_name(BROKER_NSTATES), "?");
	assert_true(broker_state_terminal(BROKER_FILLED));
	assert_false(broker_state_terminal(BROKER_UNKNOWN));
	assert_false(broker_state_terminal(BROKER_PENDING_CANCEL));
}

static struct broker_order_req
limit_req(void)
{
	struct broker_order_req	r;

	memset(&r, 0, sizeof r);
	snprintf(r.exchange, sizeof r.exchange, "NFO");
	snprintf(r.tradingsymbol, sizeof r.tradingsymbol, "NIFTY25NOV24000CE");
	r.side = BROKER_BUY;
	r.order_type = BROKER_LIMIT;
	r.product = BROKER_NRML;
	r.qty = 75;
	r.price = 12345;
	snprintf(r.tag, sizeof r.tag, "fo1-a1-s0");
	return r;
}

static void
encode_fails(const struct broker_order_req *r, const char *want)
{
	struct broker_err	be;
	struct strbuf		b;

	strbuf_init(&b);
	assert_int_equal(kite_encode_order(r, &b, &be), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(be.kind, BROKER_ERR_FINAL);
	assert_string_equal(be.err.code, "input");
	if (strstr(be.err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", be.err.msg, want);
	strbuf_free(&b);
}

static void
test_encode(void **state)
{
	struct broker_order_req	 r = limit_req();
	struct broker_err	 be;
	struct strbuf		 b;
	const char		*keys[] = { "NSE:INFY", "NFO:NIFTY25NOVFUT" };

	strbuf_init(&b);
	assert_int_equal(kite_encode_order(&r, &b, &be), 0);
	assert_string_equal(b.s, "tradingsymbol=NIFTY25NOV24000CE&exchange=NFO"
	    "&transaction_type=BUY&order_type=LIMIT&quantity=75&product=NRML"
	    "&price=123.45&validity=DAY&tag=fo1-a1-s0");

	r.order_type = BROKER_MARKET;
	r.price = 0;
	r.side = BROKER_SELL;
	r.product = BROKER_MIS;
	r.market_protection = -1;
	snprintf(r.tradingsymbol, sizeof r.tradingsymbol, "M&M");
	snprintf(r.exchange, sizeof r.exchange, "NSE");
	snprintf(r.algo_id, sizeof r.algo_id, "ALG 1/x");
	r.tag[0] = '\0';
	strbuf_reset(&b);
	assert_int_equal(kite_encode_order(&r, &b, &be), 0);
	assert_string_equal(b.s, "tradingsymbol=M%26M&exchange=NSE"
	    "&transaction_type=SELL&order_type=MARKET&quantity=75&product=MIS"
	    "&validity=DAY&market_protection=-1&algo_id=ALG+1%2Fx");

	r = limit_req();
	r.order_type = BROKER_SL;
	r.price = 10005;
	r.trigger_price = 10000;
	r.validity = BROKER_IOC;
	strbuf_reset(&b);
	assert_int_equal(kite_encode_order(&r, &b, &be), 0);
	assert_string_equal(b.s, "tradingsymbol=NIFTY25NOV24000CE&exchange=NFO"
	    "&transaction_type=BUY&order_type=SL&quantity=75&product=NRML"
	    "&price=100.05&trigger_price=100.00&validity=IOC&tag=fo1-a1-s0");

	/* A LIMIT ignores market_protection: no market price is taken. */
	r = limit_req();
	r.market_protection = 5;
	strbuf_reset(&b);
	assert_int_equal(kite_encode_order(&r, &b, &be), 0);
	assert_null(strstr(b.s, "market_protection"));

	r = limit_req();
	r.order_type = BROKER_SLM;
	r.price = 0;
	r.trigger_price = 7;
	r.validity = BROKER_TTL;
	r.validity_ttl = 2;
	strbuf_reset(&b);
	assert_int_equal(kite_encode_modify(&r, &b, &be), 0);
	assert_string_equal(b.s, "order_type=SL-M&quantity=75"
	    "&trigger_price=0.07&validity=TTL&validity_ttl=2");

	strbuf_reset(&b);
	kite_encode_quote_query(keys, 2, &b);
	assert_string_equal(b.s, "i=NSE%3AINFY&i=NFO%3ANIFTY25NOVFUT");
	strbuf_free(&b);
}

static void
test_encode_refuses(void **state)
{
	struct broker_order_req	r;
	struct broker_err	be;
	struct strbuf		b;

	/* 21 characters: refused whole, never cut to 20. */
	r = limit_req();
	snprintf(r.tag, sizeof r.tag, "abcdefghij0123456789K");
	assert_int_equal(strlen(r.tag), 21);
	encode_fails(&r, "21 characters");
	r.tag[20] = '\0';
	strbuf_init(&b);
	assert_int_equal(kite_encode_order(&r, &b, &be), 0);
	assert_non_null(strstr(b.s, "&tag=abcdefghij0123456789"));
	strbuf_free(&b);
	memset(r.tag, 'x', sizeof r.tag);
	encode_fails(&r, "at most 20");

	r = limit_req();
	r.price = 0;
	encode_fails(&r, "needs a positive price");
	r = limit_req();
	r.order_type = BROKER_MARKET;
	encode_fails(&r, "takes no price");
	r = limit_req();
	r.trigger_price = 100;
	encode_fails(&r, "takes no trigger");
	r = limit_req();
	r.order_type = BROKER_SLM;
	r.price = 0;
	encode_fails(&r, "needs a positive trigger");
	r = limit_req();
	r.qty = 0;
	encode_fails(&r, "quantity 0");
	r = limit_req();
	r.order_type = BROKER_MARKET;
	r.price = 0;
	r.market_protection = 101;
	encode_fails(&r, "market_protection 101");
	r = limit_req();
	r.product = BROKER_MTF;
	encode_fails(&r, "product");
	r = limit_req();
	r.variety = BROKER_VARIETY_ICEBERG;
	encode_fails(&r, "iceberg");
	r = limit_req();
	r.tradingsymbol[0] = '\0';
	encode_fails(&r, "tradingsymbol");
	r = limit_req();
	snprintf(r.tag, sizeof r.tag, "a\nb");
	encode_fails(&r, "unprintable");
	r = limit_req();
	r.validity = BROKER_TTL;
	encode_fails(&r, "validity_ttl");
}

static void
paise(const char *s, int64_t want, int want_exact)
{
	int64_t	v;
	int	exact;

	if (kite_paise_parse(s, strlen(s), &v, &exact) != 0)
		fail_msg("\"%s\" did not parse", s);
	if (v != want || exact != want_exact)
		fail_msg("\"%s\" -> %lld exact %d, want %lld exact %d", s,
		    (long long)v, exact, (long long)want, want_exact);
}

/* What kite_paise_real gave before its two-decimal shortcut: the paise of
 * the shortest text that reads back as d. */
static int
paise_by_text(double d, int64_t *v, int *exact)
{
	char	buf[40];
	int	p;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return kite_paise_parse(buf, strlen(buf), v, exact);
}

/* The shortcut for prices of two decimals gives what the text would. */
static void
test_paise_real(void **state)
{
	static const double	odd[] = { 0.0, -0.0, 0.01, -0.01, 0.005,
	    0.015, 0.1 + 0.2, 99.995, 99.99, 100.0, 1e-7, 2.675, -2.675,
	    0.125, -0.125, 0.0049999, 27451.333333333332, 59712.365,
	    99999999.999999, 1e8, 1e11 - 0.001, 9999999999.9999,
	    1412.95, 59712.365, 17913709.5, 999999999999.99, 1e12 - 0.01,
	    1e12, 1e12 + 0.25, 123456789012.34, 4503599627370.49, 1e15 + 0.5,
	    9007199254740993.0, 1e17 };
	int64_t			v, want;
	int			exact, want_exact;
	size_t			i;
	uint32_t		k;

	for (i = 0; i < nitems(odd) + 100000; i++) {
		double d;

		if (i < nitems(odd))
			d = odd[i];
		else if (i % 4 == 0)	/* a price in paise, up to 10^10 */
			d = (double)(randombytes_uniform(1000000000) *
			    (int64_t)(1 + randombytes_uniform(10))) / 100.0;
		else if (i % 8 == 1)	/* three to six decimals: averages */
			d = (double)randombytes_uniform(2000000000) *
			    (1 + randombytes_uniform(1000)) /
			    pow(10, 3 + (i / 8) % 4) * ((i / 32) % 2 ? 1 : -1);
		else if (i % 8 == 5)	/* an average of a few prices */
			d = (double)randombytes_uniform(2000000000) /
			    (1 + randombytes_uniform(999)) / 100.0;
		else if (i % 8 == 2)	/* any bits at all */
			randombytes_buf(&d, sizeof d);
		else if (i % 8 == 6) {	/* 10^7 to 10^13, k decimals */
			k = 2 + (uint32_t)((i / 8) % 5);
			d = pow(10, 7 + 6 * (randombytes_uniform(1U << 30) /
			    1073741824.0));
			d = round(d * pow(10, k)) / pow(10, k);
		}
		else {			/* paise, a few ulps off */
			k = randombytes_uniform(2000000000);
			d = nextafter((double)k / 100.0,
			    randombytes_uniform(2) ? 1e300 : -1e300);
		}
		if (d != d || d - d != 0)	/* NaN, infinities */
			continue;
		exact = want_exact = -1;
		if (paise_by_text(d, &want, &want_exact) != 0) {
			if (kite_paise_real(d, &v, &exact) == 0)
				fail_msg("%.17g: %lld, want a failure", d,
				    (long long)v);
			continue;
		}
		if (kite_paise_real(d, &v, &exact) != 0)
			fail_msg("%.17g failed, want %lld", d, (long long)want);
		if (v != want || exact != want_exact)
			fail_msg("%.17g -> %lld exact %d, want %lld exact %d", d,
			    (long long)v, exact, (long long)want, want_exact);
	}
}

static void
test_paise(void **state)
{
	static const char *const bad[] = { "", "-", ".", "abc", "1.2.3",
	    "1e", "1e+", " 1", "1 ", "+1", "0x10", "99999999999999999",
	    "1e17", "nan", "--1" };
	int64_t	v;
	size_t	i;

	paise("109.4", 10940, 1);
	paise("0", 0, 1);
	paise("-0", 0, 1);
	paise("0.05", 5, 1);
	paise("23500.0", 2350000, 1);
	paise("161050", 16105000, 1);
	paise("-161050", -16105000, 1);
	paise("72.755", 7276, 0);
	paise("72.754999", 7275, 0);
	paise("-0.005", -1, 0);
	paise("0.0049", 0, 0);
	paise("0.0025", 0, 0);
	paise("99725.05000000002", 9972505, 0);
	paise("1e2", 10000, 1);
	paise("1.5E-1", 15, 1);
	paise("125e-3", 13, 0);
	paise(".5", 50, 1);
	paise("5.", 500, 1);
	paise("0.000000000000000000000000000001", 0, 0);
	paise("1e-100000000", 0, 0);
	paise("9999999999999999.99", 999999999999999999LL, 1);
	paise("00000000000000000000000000000000000012.5", 1250, 1);
	for (i = 0; i < nitems(bad); i++) {
		if (kite_paise_parse(bad[i], strlen(bad[i]), &v, NULL) == 0)
			fail_msg("\"%s\" parsed as %lld", bad[i], (long long)v);
	}

	assert_int_equal(kite_paise_real(109.4, &v, NULL), 0);
	assert_int_equal(v, 10940);
	assert_int_equal(kite_paise_real(0.1 + 0.2, &v, NULL), 0);
	assert_int_equal(v, 30);
	assert_int_equal(kite_paise_real(1412.95, &v, NULL), 0);
	assert_int_equal(v, 141295);
	assert_int_equal(kite_paise_real(-2.675, &v, NULL), 0);
	assert_int_equal(v, -268);
	assert_int_equal(kite_paise_real(1e300, &v, NULL), -1);

	assert_int_equal(ist("1970-01-01 05:30:00"), 0);
	assert_int_equal(ist("2024-02-29 05:30:00"), 1709164800LL * 1000000);
	assert_int_equal(kite_ts_parse("2023-02-29 00:00:00", &v), -1);
	assert_int_equal(kite_ts_parse("2021-05-31 24:00:00", &v), -1);
	assert_int_equal(kite_ts_parse("09:16:39", &v), -1);
	assert_int_equal(kite_ts_parse("2021-05-31 09:16:3x", &v), -1);
}

struct rows {
	size_t				 n;
	int64_t				 token_sum;
	int				 stop_after;
	struct broker_instrument	 bnf, cox, goi, last;
};

static int
on_row(const struct broker_instrument *in, void *arg)
{
	struct rows	*r = arg;

	r->n++;
	r->token_sum += in->instrument_token;
	if (strcmp(in->tradingsymbol, "BANKNIFTY18JAN23500CE") == 0)
		r->bnf = *in;
	if (strcmp(in->tradingsymbol, "COX&KINGS") == 0)
		r->cox = *in;
	if (strcmp(in->tradingsymbol, "828GOI27-ML") == 0)
		r->goi = *in;
	r->last = *in;
	return r->stop_after > 0 && r->n >= (size_t)r->stop_after ? -1 : 0;
}

/* Parse a whole dump in chunks of the given size. */
static int
csv_parse(const char *buf, size_t len, size_t chunk, struct rows *r,
    struct broker_err *be)
{
	struct kite_csv	*p = kite_csv_new(on_row, r);
	size_t		 off, n;
	int		 rc = 0;

	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < chunk ? len - off : chunk;
		rc = kite_csv_feed(p, buf + off, n, be);
	}
	if (rc == 0)
		rc = kite_csv_finish(p, be);
	if (rc == 0)
		assert_int_equal(kite_csv_rows(p), r->n);
	kite_csv_free(p);
	return rc;
}

static void
test_instruments(void **state)
{
	static const size_t	 chunks[] = { 1, 7, 4096, 1 << 20 };
	struct rows		 r, first;
	struct broker_err	 be;
	size_t			 i, len;
	char			*body = fixture("instruments_all.csv", &len);

	memset(&first, 0, sizeof first);
	assert_int_equal(csv_parse(body, len, len, &first, &be), 0);
	assert_int_equal(first.n, 99);
	assert_int_equal(first.bnf.instrument_token, 12073986);
	assert_int_equal(first.bnf.exchange_token, 47164);
	assert_string_equal(first.bnf.name, "");
	assert_int_equal(first.bnf.last_price, 252840);
	assert_int_equal(first.bnf.expiry, 20180125);
	assert_int_equal(first.bnf.strike, 2350000);
	assert_int_equal(first.bnf.tick_size, 5);
	assert_int_equal(first.bnf.lot_size, 40);
	assert_string_equal(first.bnf.instrument_type, "CE");
	assert_string_equal(first.bnf.segment, "NFO-OPT");
	assert_string_equal(first.bnf.exchange, "NFO");
	assert_string_equal(first.cox.name, "COX & KINGS");
	assert_string_equal(first.cox.exchange, "BSE");
	assert_int_equal(first.cox.expiry, 0);
	assert_int_equal(first.cox.strike, 0);
	assert_int_equal(first.goi.tick_size, 25);
	assert_int_equal(first.goi.lot_size, 500000);
	assert_string_equal(first.last.tradingsymbol, "GISOLUTION-BE");
	/* Chunk boundaries anywhere, even inside CRLF, change nothing. */
	for (i = 0; i < nitems(chunks); i++) {
		memset(&r, 0, sizeof r);
		assert_int_equal(csv_parse(body, len, chunks[i], &r, &be), 0);
		assert_int_equal(r.n, first.n);
		assert_int_equal(r.token_sum, first.token_sum);
		assert_memory_equal(&r.bnf, &first.bnf, sizeof r.bnf);
	}
	/* The callback can stop the stream. */
	memset(&r, 0, sizeof r);
	r.stop_after = 5;
	assert_int_equal(csv_parse(body, len, 100, &r, &be), 0);
	assert_int_equal(r.n, 5);
	free(body);

	body = fixture("instruments_nse.csv", &len);
	memset(&r, 0, sizeof r);
	assert_int_equal(csv_parse(body, len, 333, &r, &be), 0);
	assert_int_equal(r.n, 99);
	assert_string_equal(r.last.exchange, "NSE");
	free(body);
}

#define HDR "instrument_token,exchange_token,tradingsymbol,name,last_price," \
	"expiry,strike,tick_size,lot_size,instrument_type,segment,exchange"

static void
csv_bad(const char *text, const char *want)
{
	struct rows		r;
	struct broker_err	be;

	memset(&r, 0, sizeof r);
	assert_int_equal(csv_parse(text, strlen(text), 3, &r, &be), -1);
	assert_string_equal(be.err.code, "decode");
	if (strstr(be.err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", be.err.msg, want);
}

static void
test_instruments_rfc4180(void **state)
{
	static const char good[] = HDR "\r\n"
	    "1,2,\"A,B\",\"He said \"\"hi\"\"\nthen left\",1.5,,0,0.05,1,EQ,"
	    "NSE,NSE\r\n"
	    "\r\n"
	    "3,4,USDINR25NOVFUT,USDINR,84.1225,2025-11-26,,0.0025,1,FUT,"
	    "CDS-FUT,CDS";
	struct rows		r;
	struct broker_err	be;
	size_t			len;

	memset(&r, 0, sizeof r);
	assert_int_equal(csv_parse(good, strlen(good), 5, &r, &be), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.last.instrument_token, 3);
	assert_int_equal(r.last.last_price, 8412);
	assert_int_equal(r.last.expiry, 20251126);
	/* A sub-paisa tick cannot be priced in paise. */
	assert_int_equal(r.last.tick_size, 0);
	assert_int_equal(r.token_sum, 4);

	memset(&r, 0, sizeof r);
	len = (size_t)(strstr(good, "\r\n\r\n") - good) + 2;
	assert_int_equal(csv_parse(good, len, len, &r, &be), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.last.tradingsymbol, "A,B");
	assert_string_equal(r.last.name, "He said \"hi\" then left");

	csv_bad("", "no header");
	csv_bad("instrument_token,tradingsymbol\n1,X\n", "no tick_size column");
	csv_bad(HDR "\n1,2,X,,0,,0,0.05,lots,EQ,NSE,NSE\n",
	    "line 2: lot_size \"lots\" is not a whole number");
	csv_bad(HDR "\n1,2,X,,0,,0,0.05,1,EQ,NSE,NSE\n1,2,X\n",
	    "line 3: 3 fields, the header has 12");
	csv_bad(HDR "\n1,2,\"X,,0,,0,0.05,1,EQ,NSE,NSE\n", "never closes");
	csv_bad(HDR "\n1,2,\"X\"y,,0,,0,0.05,1,EQ,NSE,NSE\n",
	    "after a closing quote");
	csv_bad(HDR "\n1,2,X\"y,,0,,0,0.05,1,EQ,NSE,NSE\n",
	    "quote inside an unquoted");
	csv_bad(HDR "\n1,2,X,,0,2018-13-01,0,0.05,1,EQ,NSE,NSE\n",
	    "expiry \"2018-13-01\"");
	csv_bad(HDR "\n1,2,X,,zero,,0,0.05,1,EQ,NSE,NSE\n",
	    "last_price \"zero\"");
	csv_bad(HDR "\n1,2,,,0,,0,0.05,1,EQ,NSE,NSE\n", "tradingsymbol is empty");
	csv_bad(HDR "\n1,2,X,,0,,0,0.05,1,EQ,NSE,NSEXCHANGE\n", "too long");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_ids),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_order_history),
		cmocka_unit_test(test_trades),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_margins),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_autoslice),
		cmocka_unit_test(test_postback),
		cmocka_unit_test(test_postback_update),
		cmocka_unit_test(test_error_types),
		cmocka_unit_test(test_transport),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_garbage_shapes),
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_paise),
		cmocka_unit_test(test_paise_real),
		cmocka_unit_test(test_instruments),
		cmocka_unit_test(test_instruments_rfc4180),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
