/*
 * Tests for src/sim: the PRNG, expiry dates and Kite symbols, paise
 * parsing, order validation (lot, tick, freeze, tag, protection, margin)
 * and matching (MARKET, LIMIT, SL, SL-M, partial fills, IOC, cancel).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_int.h"

#define TODAY	20251126	/* a Wednesday, after the Sept 2025 switch */
#define FUT	"NIFTY25DECFUT"

static int64_t	fake_now = 1764000000LL * 1000000;

static int64_t
fake_clock(void)
{
	return fake_now;
}

struct fixture {
	struct sim_market	*m;
	struct sim_user		*users;
	struct sim_book		 b;
	struct err		 e;
	struct sim_place_result	 res;
	int			 updates;
};

static void
count_update(const struct sim_order *o, void *arg)
{
	((struct fixture *)arg)->updates++;
}

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	f->m = sim_market_new(7, TODAY);
	sim_users_generate(&f->users, 2, 7, 100000000LL * 100);
	sim_book_init(&f->b, f->m, f->users, 2);
	f->b.clock = fake_clock;
	f->b.on_update = count_update;
	f->b.on_update_arg = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	sim_book_free(&f->b);
	sim_users_free(f->users, 2);
	sim_market_free(f->m);
	free(f);
	return 0;
}

/* Place on user 0; extra is "key=value" pairs for optional fields. */
static int
place(struct fixture *f, const char *sym, const char *side, const char *type,
    const char *qty, const char *price, const char *trig, const char *tag,
    const char *mp)
{
	struct sim_order_req	r;

	memset(&r, 0, sizeof r);
	r.variety = "regular";
	r.exchange = strncmp(sym, "NIFTY25", 7) == 0 ? "NFO" : "NSE";
	r.tradingsymbol = sym;
	r.transaction_type = side;
	r.order_type = type;
	r.quantity = qty;
	r.product = strcmp(r.exchange, "NFO") == 0 ? "NRML" : "MIS";
	r.price = price;
	r.trigger_price = trig;
	r.tag = tag;
	r.market_protection = mp;
	err_clear(&f->e);
	return sim_order_place(&f->b, 0, &r, 0, &f->res, &f->e);
}

static struct sim_order *
placed(struct fixture *f)
{
	return sim_order_find(&f->b, 0, f->res.order_id);
}

static void
force(struct fixture *f, const char *sym, int64_t paise)
{
	struct sim_instr	*in = sim_market_find(f->m, "NFO", sym);

	assert_non_null(in);
	assert_int_equal(sim_market_force(f->m, in, paise), 0);
	sim_match_all(&f->b);
}

static void
test_rng_determinism(void **state)
{
	struct sim_rng	a, b;
	int		i, differ = 0;

	sim_rng_seed(&a, 0);
	/* splitmix64's published first output for seed 0 */
	assert_true(sim_rng_next(&a) == 0xe220a8397b1dcdafULL);
	sim_rng_seed(&a, 42);
	sim_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		assert_true(sim_rng_next(&a) == sim_rng_next(&b));
	sim_rng_seed(&b, 43);
	for (i = 0; i < 10; i++)
		differ += sim_rng_next(&a) != sim_rng_next(&b);
	assert_int_equal(differ, 10);
	for (i = 0; i < 1000; i++) {
		double u = sim_rng_unit(&a);
		assert_true(u >= 0.0 && u < 1.0);
		assert_true(sim_rng_below(&a, 7) < 7);
	}
}

static void
test_market_determinism(void **state)
{
	struct sim_market	*a = sim_market_new(99, TODAY);
	struct sim_market	*b = sim_market_new(99, TODAY);
	struct sim_market	*c = sim_market_new(100, TODAY);
	size_t			 i;
	int			 k, differ = 0;

	assert_int_equal(a->n, b->n);
	for (k = 0; k < 20; k++) {
		sim_market_step(a, 0.5);
		sim_market_step(b, 0.5);
		sim_market_step(c, 0.5);
	}
	for (i = 0; i < a->n; i++) {
		assert_true(a->v[i].ltp == b->v[i].ltp);
		assert_true(a->v[i].oi == b->v[i].oi);
		assert_true(a->v[i].ltp > 0);
		assert_true(a->v[i].ltp % a->v[i].tick == 0);
		differ += a->v[i].ltp != c->v[i].ltp;
	}
	assert_true(differ > 0);
	sim_market_free(a);
	sim_market_free(b);
	sim_market_free(c);
}

static void
test_expiry_dates(void **state)
{
	/* Thursday before September 2025, Tuesday from it */
	assert_int_equal(sim_expiry_monthly(2025, 8), 20250828);
	assert_int_equal(sim_expiry_monthly(2025, 9), 20250930);
	assert_int_equal(sim_expiry_monthly(2025, 12), 20251230);
	assert_int_equal(sim_expiry_monthly(2026, 2), 20260224);
	assert_int_equal(sim_expiry_monthly(2026, 11), 20261124);
	assert_int_equal(sim_ymd_weekday(20251230), 2);
	/* an expiry day is still live; the day after rolls to next month */
	assert_int_equal(sim_expiry_next_monthly(20261124, 0), 20261124);
	assert_int_equal(sim_expiry_next_monthly(20261125, 0), 20261229);
	assert_int_equal(sim_expiry_next_monthly(20261125, 2), 20270223);
	assert_int_equal(sim_expiry_next_monthly(20261231, 0), 20270126);
	assert_int_equal(sim_expiry_next_weekly(20251125, 0), 20251125);
	assert_int_equal(sim_expiry_next_weekly(20251126, 0), 20251202);
	assert_int_equal(sim_expiry_next_weekly(20251126, 1), 20251209);
	assert_true(sim_is_monthly_expiry(20251230));
	assert_false(sim_is_monthly_expiry(20251209));
	assert_int_equal(sim_ymd_add(20251231, 1), 20260101);
	assert_int_equal(sim_ymd_diff(20260301, 20260228), 1);
}

static void
test_symbols(void **state)
{
	char	buf[64];

	sim_symbol_future(buf, sizeof buf, "NIFTY", 20251230);
	assert_string_equal(buf, "NIFTY25DECFUT");
	sim_symbol_option(buf, sizeof buf, "NIFTY", 20251230, 2600000, 1);
	assert_string_equal(buf, "NIFTY25DEC26000CE");
	sim_symbol_option(buf, sizeof buf, "NIFTY", 20251209, 2600000, 1);
	assert_string_equal(buf, "NIFTY25D0926000CE");
	sim_symbol_option(buf, sizeof buf, "NIFTY", 20251014, 2500000, 0);
	assert_string_equal(buf, "NIFTY25O1425000PE");
	/* the symbol in the Kite orders.json fixture (a Thursday weekly) */
	sim_symbol_option(buf, sizeof buf, "NIFTY", 20250807, 2440000, 1);
	assert_string_equal(buf, "NIFTY2580724400CE");
}

static void
test_instruments(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in;
	struct strbuf		 b;

	in = sim_market_find(f->m, "NFO", FUT);
	assert_non_null(in);
	assert_int_equal(in->lot, 65);
	assert_int_equal(in->freeze, 1800);
	assert_int_equal(in->token, in->exchange_token * 256 + 2);
	assert_non_null(sim_market_find(f->m, "NFO", "BANKNIFTY25DECFUT"));
	assert_int_equal(sim_market_find(f->m, "NFO", "BANKNIFTY25DECFUT")->lot,
	    30);
	assert_int_equal(sim_market_find(f->m, "NSE", "SBIN")->token, 779521);
	assert_int_equal(sim_market_find(f->m, "NSE", "NIFTY 50")->token,
	    256265);
	assert_non_null(sim_market_find_key(f->m, "NFO:NIFTY26JANFUT"));
	assert_null(sim_market_find_key(f->m, "NFO:NOPE"));
	strbuf_init(&b);
	sim_instruments_csv(f->m, "NFO", &b);
	assert_non_null(strstr(b.s, "," FUT ",NIFTY,"));
	assert_null(strstr(b.s, ",NSE\n"));
	strbuf_free(&b);
}

static void
test_paise(void **state)
{
	int64_t	p;
	char	buf[32];

	assert_int_equal(sim_parse_paise("123.45", &p), 0);
	assert_true(p == 12345);
	assert_int_equal(sim_parse_paise("123.4", &p), 0);
	assert_true(p == 12340);
	assert_int_equal(sim_parse_paise("123", &p), 0);
	assert_true(p == 12300);
	assert_int_equal(sim_parse_paise("123.450", &p), 0);
	assert_true(p == 12345);
	assert_int_equal(sim_parse_paise(".5", &p), 0);
	assert_true(p == 50);
	assert_int_equal(sim_parse_paise("123.456", &p), -1);
	assert_int_equal(sim_parse_paise("-1", &p), -1);
	assert_int_equal(sim_parse_paise("1e3", &p), -1);
	assert_int_equal(sim_parse_paise("", &p), -1);
	assert_int_equal(sim_parse_paise(".", &p), -1);
	sim_fmt_paise(-1205, buf, sizeof buf);
	assert_string_equal(buf, "-12.05");
}

static void
test_validation(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(place(f, FUT, "BUY", "MARKET", "60", NULL, NULL, NULL,
	    NULL), -1);
	assert_string_equal(f->e.code, "InputException");
	assert_non_null(strstr(f->e.msg,
	    "Quantity should be in multiples of lot size"));
	assert_int_equal(place(f, FUT, "BUY", "LIMIT", "65", "100.03", NULL,
	    NULL, NULL), -1);
	assert_non_null(strstr(f->e.msg, "tick size"));
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "1820", NULL, NULL,
	    NULL, NULL), -1);
	assert_non_null(strstr(f->e.msg, "Quantity exceeds freeze limit"));
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL,
	    "abcdefghijklmnopqrstu", NULL), -1);
	assert_non_null(strstr(f->e.msg, "`tag`"));
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL,
	    "abcdefghijklmnopqrst", NULL), 0);
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL, NULL,
	    "0"), -1);
	assert_non_null(strstr(f->e.msg, "market_protection"));
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL, NULL,
	    "101"), -1);
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL, NULL,
	    "-1"), 0);
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "65", NULL, NULL, NULL,
	    "100"), 0);
	assert_int_equal(place(f, FUT, "BUY", "LIMIT", "65", NULL, NULL, NULL,
	    NULL), -1);
	assert_string_equal(f->e.msg, "Missing or empty field `price`.");
	assert_int_equal(place(f, "NIFTY25NOPE", "BUY", "MARKET", "65", NULL,
	    NULL, NULL, NULL), -1);
	assert_non_null(strstr(f->e.msg, "not a known instrument"));
	assert_int_equal(place(f, FUT, "HOLD", "MARKET", "65", NULL, NULL,
	    NULL, NULL), -1);
	assert_non_null(strstr(f->e.msg, "transaction_type"));
}

static void
test_autoslice_and_margin(void **state)
{
	struct fixture		*f = *state;
	struct sim_order_req	 r;

	memset(&r, 0, sizeof r);
	r.exchange = "NFO";
	r.tradingsymbol = FUT;
	r.transaction_type = "SELL";
	r.order_type = "MARKET";
	r.quantity = "3900";
	r.product = "NRML";
	r.autoslice = "true";
	assert_int_equal(sim_order_place(&f->b, 0, &r, 0, &f->res, &f->e), 0);
	assert_int_equal(f->res.nchildren, 3);	/* 1755 + 1755 + 390 */
	assert_string_equal(f->res.child_err_type[2], "");
	/* one lot of NIFTY futures blocks ~2.5 lakh: more than 1 lakh cash */
	f->users[1].cash = 100000 * 100;
	r.quantity = "65";
	r.autoslice = NULL;
	assert_int_equal(sim_order_place(&f->b, 1, &r, 0, &f->res, &f->e), -1);
	assert_string_equal(f->e.code, "MarginException");
	assert_non_null(strstr(f->e.msg, "Insufficient funds"));
}

static void
test_market_fill(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in = sim_market_find(f->m, "NFO", FUT);
	struct sim_order	*o;

	assert_int_equal(place(f, FUT, "BUY", "MARKET", "130", NULL, NULL,
	    NULL, NULL), 0);
	o = placed(f);
	assert_string_equal(o->cur.status, "COMPLETE");
	assert_int_equal(o->cur.filled, 130);
	assert_true(o->cur.fill_value == in->ltp * 130);
	assert_string_equal(o->hist[0].status, "PUT ORDER REQ RECEIVED");
	assert_string_equal(o->hist[1].status, "VALIDATION PENDING");
	assert_string_equal(o->hist[2].status, "OPEN PENDING");
	assert_string_equal(o->hist[3].status, "OPEN");
	assert_int_equal(f->users[0].npos, 1);
	assert_true(f->users[0].pos[0].buy_qty == 130);
	assert_int_equal(f->users[0].ntrades, 1);
	assert_int_equal(f->updates, 2);	/* OPEN, COMPLETE */
}

static void
test_limit_and_cancel(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in = sim_market_find(f->m, "NFO", FUT);
	struct sim_order	*o;
	char			 px[32];
	int64_t			 limit = in->ltp - 10000;

	sim_fmt_paise(limit, px, sizeof px);
	assert_int_equal(place(f, FUT, "BUY", "LIMIT", "65", px, NULL, NULL,
	    NULL), 0);
	o = placed(f);
	assert_string_equal(o->cur.status, "OPEN");
	force(f, FUT, limit + 5);
	assert_string_equal(o->cur.status, "OPEN");
	force(f, FUT, limit - 5);	/* crossed: fills at the better LTP */
	assert_string_equal(o->cur.status, "COMPLETE");
	assert_true(o->cur.fill_value == (limit - 5) * 65);
	assert_int_equal(sim_order_cancel(&f->b, 0, "regular", o->order_id,
	    &f->e), -1);
	assert_non_null(strstr(f->e.msg, "COMPLETE"));

	assert_int_equal(place(f, FUT, "SELL", "LIMIT", "65", "99999", NULL,
	    NULL, NULL), 0);
	o = placed(f);
	assert_int_equal(sim_order_cancel(&f->b, 0, "regular", o->order_id,
	    &f->e), 0);
	assert_string_equal(o->cur.status, "CANCELLED");
	assert_int_equal(o->cur.cancelled, 65);
	assert_int_equal(f->b.nopen, 0);
}

static void
test_stop_loss(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in = sim_market_find(f->m, "NFO", FUT);
	struct sim_order	*sl, *slm;
	int64_t			 ltp = in->ltp;
	char			 trig[32], price[32], strig[32];

	sim_fmt_paise(ltp + 1000, trig, sizeof trig);
	sim_fmt_paise(ltp + 1500, price, sizeof price);
	assert_int_equal(place(f, FUT, "BUY", "SL", "65", price, trig, NULL,
	    NULL), 0);
	sl = placed(f);
	assert_string_equal(sl->cur.status, "TRIGGER PENDING");
	sim_fmt_paise(ltp - 1000, strig, sizeof strig);
	assert_int_equal(place(f, FUT, "SELL", "SL-M", "65", NULL, strig, NULL,
	    NULL), 0);
	slm = placed(f);
	assert_string_equal(slm->cur.status, "TRIGGER PENDING");
	/* a buy stop below the market would fire at once: Kite refuses it */
	assert_int_equal(place(f, FUT, "BUY", "SL", "65", strig, strig, NULL,
	    NULL), -1);
	assert_non_null(strstr(f->e.msg, "last traded price"));

	force(f, FUT, ltp + 1200);
	assert_string_equal(sl->cur.status, "COMPLETE");
	assert_true(sl->cur.fill_value == (ltp + 1200) * 65);
	assert_string_equal(slm->cur.status, "TRIGGER PENDING");
	force(f, FUT, ltp - 1100);
	assert_string_equal(slm->cur.status, "COMPLETE");
	assert_true(slm->cur.fill_value == (ltp - 1100) * 65);
}

static void
test_partial_fills(void **state)
{
	struct fixture		*f = *state;
	struct sim_order	*o;

	f->b.fill_lots = 2;
	assert_int_equal(place(f, FUT, "SELL", "MARKET", "325", NULL, NULL,
	    NULL, NULL), 0);
	o = placed(f);
	assert_string_equal(o->cur.status, "OPEN");
	assert_int_equal(o->cur.filled, 130);
	sim_match_all(&f->b);
	assert_int_equal(o->cur.filled, 260);
	assert_string_equal(o->cur.status, "OPEN");
	sim_match_all(&f->b);
	assert_int_equal(o->cur.filled, 325);
	assert_string_equal(o->cur.status, "COMPLETE");
	assert_int_equal(f->users[0].ntrades, 3);
	assert_true(f->users[0].pos[0].sell_qty == 325);
}

static void
test_market_protection(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in = sim_market_find(f->m, "NFO", FUT);
	struct sim_order	*o;
	int64_t			 ltp = in->ltp;

	f->b.fill_lots = 1;
	assert_int_equal(place(f, FUT, "BUY", "MARKET", "130", NULL, NULL,
	    NULL, "1"), 0);
	o = placed(f);
	assert_int_equal(o->cur.filled, 65);
	force(f, FUT, (ltp * 103 / 100) / 5 * 5);	/* 3% away: waits */
	assert_int_equal(o->cur.filled, 65);
	assert_string_equal(o->cur.status, "OPEN");
	force(f, FUT, ltp + 5);
	assert_string_equal(o->cur.status, "COMPLETE");
}

static void
test_ioc_reject_modify(void **state)
{
	struct fixture		*f = *state;
	struct sim_instr	*in = sim_market_find(f->m, "NFO", FUT);
	struct sim_order_req	 r;
	struct sim_modify_req	 mr;
	struct sim_order	*o;
	char			 px[32];

	memset(&r, 0, sizeof r);
	r.exchange = "NFO";
	r.tradingsymbol = FUT;
	r.transaction_type = "BUY";
	r.order_type = "LIMIT";
	r.price = "100";
	r.quantity = "65";
	r.product = "NRML";
	r.validity = "IOC";
	assert_int_equal(sim_order_place(&f->b, 0, &r, 0, &f->res, &f->e), 0);
	o = placed(f);
	assert_string_equal(o->cur.status, "CANCELLED");
	assert_int_equal(o->cur.cancelled, 65);

	r.validity = NULL;
	assert_int_equal(sim_order_place(&f->b, 0, &r, 1, &f->res, &f->e), 0);
	o = placed(f);
	assert_string_equal(o->cur.status, "REJECTED");
	assert_true(o->cur.status_message[0] != '\0');

	assert_int_equal(sim_order_place(&f->b, 0, &r, 0, &f->res, &f->e), 0);
	o = placed(f);
	memset(&mr, 0, sizeof mr);
	mr.quantity = "130";
	mr.price = "100.07";
	assert_int_equal(sim_order_modify(&f->b, 0, "regular", o->order_id,
	    &mr, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "tick size"));
	assert_int_equal(o->cur.quantity, 65);	/* nothing half-applied */
	sim_fmt_paise(in->ltp + 100, px, sizeof px);
	mr.price = px;
	assert_int_equal(sim_order_modify(&f->b, 0, "regular", o->order_id,
	    &mr, &f->e), 0);
	assert_string_equal(o->cur.status, "COMPLETE");
	assert_int_equal(o->cur.filled, 130);
	assert_true(o->cur.modified);
	assert_string_equal(o->hist[o->nhist - 3].status, "MODIFIED");
}

static void
test_rate_limit(void **state)
{
	struct fixture	*f = *state;
	struct sim_user	*u = &f->users[0];
	int64_t		 t = 5000000;
	int		 i;

	for (i = 0; i < 10; i++)
		assert_true(sim_rate_allow(u, 10, t + i * 1000));
	assert_false(sim_rate_allow(u, 10, t + 20000));
	assert_true(sim_rate_allow(u, 10, t + 1000000));
	assert_true(sim_rate_allow(u, 0, t + 1000001));
}

static void
test_faults_and_auth(void **state)
{
	struct fixture		*f = *state;
	struct sim_faults	 a, b;
	struct sim_fault_draw	 da, db;
	char			 hdr[128];
	size_t			 idx = 9;
	int			 i, rej = 0;

	sim_faults_init(&a, 3);
	sim_faults_init(&b, 3);
	a.reject_pct = b.reject_pct = 30;
	a.latency_ms = b.latency_ms = 50;
	a.jitter_ms = b.jitter_ms = 10;
	for (i = 0; i < 1000; i++) {
		sim_faults_draw(&a, &da);
		sim_faults_draw(&b, &db);
		assert_memory_equal(&da, &db, sizeof da);
		assert_true(da.delay_ms >= 50 && da.delay_ms <= 60);
		rej += da.reject;
	}
	assert_in_range(rej, 220, 380);

	snprintf(hdr, sizeof hdr, "token %s:%s", f->users[1].api_key,
	    f->users[1].access_token);
	assert_non_null(sim_users_auth(f->users, 2, hdr, &idx));
	assert_int_equal(idx, 1);
	snprintf(hdr, sizeof hdr, "token %s:x%s", f->users[1].api_key,
	    f->users[1].access_token);
	assert_null(sim_users_auth(f->users, 2, hdr, &idx));
	assert_null(sim_users_auth(f->users, 2, NULL, &idx));
}

static void
test_postback_checksum(void **state)
{
	char	hex[65];

	/* sha256("abc") */
	sim_postback_checksum("a", "b", "c", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

/*
 * Positions are written as text (json.c): it parses, and dumped again by
 * jansson as the simulator used to dump them (JSON_REAL_PRECISION(15)) it
 * comes out byte for byte the same -- so each number is written as jansson
 * writes it: whole rupees as integers, paise without trailing zeros,
 * negatives below one rupee, averages that do not divide.  Long, short
 * and flat positions; "day" repeats "net".
 */
static void
test_positions_text(void **state)
{
	struct fixture		*f = *state;
	struct sim_user		*u = &f->users[0];
	struct sim_instr	*in = sim_market_find(f->m, "NFO",
				    FUT);
	struct sim_position	 pos[4], *saved = u->pos;
	size_t			 nsaved = u->npos;
	json_t			*j, *p;
	char			*text, *again;

	assert_non_null(in);
	in->ltp = 2638515;
	in->close = 2625985;
	memset(pos, 0, sizeof pos);
	pos[0] = (struct sim_position){ in, 0, 195, 65, 514482475, 171502500 };
	pos[1] = (struct sim_position){ in, 1, 0, 30, 0, 79161005 };
	pos[2] = (struct sim_position){ in, 0, 65, 65, 171502500, 171502495 };
	pos[3] = (struct sim_position){ in, 1, 3, 0, 7, 0 };
	u->pos = pos;
	u->npos = 4;
	text = sim_text_positions(&f->b, 0);
	u->pos = saved;
	u->npos = nsaved;
	j = json_loads(text, 0, NULL);
	assert_non_null(j);
	again = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	assert_string_equal(text, again);
	assert_true(json_equal(json_object_get(j, "net"),
	    json_object_get(j, "day")));
	assert_int_equal(json_array_size(json_object_get(j, "net")), 4);
	p = json_array_get(json_object_get(j, "net"), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "quantity")),
	    130);
	assert_true(json_real_value(json_object_get(p, "last_price")) ==
	    26385.15);
	assert_true(json_is_integer(json_object_get(p, "sell_price")));
	assert_non_null(strstr(text, "\"average_price\":26383.7166666667,"));
	p = json_array_get(json_object_get(j, "net"), 1);
	assert_int_equal(json_integer_value(json_object_get(p, "quantity")),
	    -30);
	assert_non_null(strstr(text, "\"sell_value\":791610.05,"));
	assert_non_null(strstr(text, "\"value\":-0.05,"));
	assert_non_null(strstr(text, "\"buy_price\":0.0233333333333333,"));
	p = json_array_get(json_object_get(j, "net"), 2);
	assert_int_equal(json_integer_value(json_object_get(p,
	    "average_price")), 0);
	free(again);
	free(text);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_determinism),
		cmocka_unit_test_setup_teardown(test_positions_text, setup,
		    teardown),
		cmocka_unit_test(test_market_determinism),
		cmocka_unit_test(test_expiry_dates),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_paise),
		cmocka_unit_test(test_postback_checksum),
		cmocka_unit_test_setup_teardown(test_instruments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_autoslice_and_margin,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_market_fill, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limit_and_cancel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_loss, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_partial_fills, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_market_protection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ioc_reject_modify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_faults_and_auth, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
