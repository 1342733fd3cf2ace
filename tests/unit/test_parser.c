/*
 * Tests for src/cmd/{lexer,parser,grammar}.c: every command form of
 * COMMANDS.md, the canonical arguments it produces, and malformed input
 * with the exact position of the error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "cmd/dispatch.h"

/* Parse one line that must be valid; the caller frees. */
static struct cmd
ok(const char *text)
{
	struct cmd	c;
	struct cmd_pos	pos;
	struct err	e;

	err_clear(&e);
	if (cmd_parse_line(text, 1, &c, &pos, &e) != 0)
		fail_msg("\"%s\" did not parse: %s", text, e.msg);
	return c;
}

/* A line that must fail at line/col with a message containing want. */
static void
bad(const char *text, int col, const char *want)
{
	struct cmd	c;
	struct cmd_pos	pos = { 0, 0 };
	struct err	e;
	char		prefix[64];

	err_clear(&e);
	if (cmd_parse_line(text, 1, &c, &pos, &e) == 0) {
		cmd_free(&c);
		fail_msg("\"%s\" parsed but should not", text);
	}
	assert_string_equal(e.code, "parse");
	snprintf(prefix, sizeof prefix, "line 1, column %d: ", col);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg, want) == NULL)
		fail_msg("\"%s\": got \"%s\", want \"%s...%s\"", text, e.msg,
		    prefix, want);
	assert_int_equal(pos.line, 1);
	assert_int_equal(pos.col, col);
	assert_null(c.args);
	assert_null(c.text);
}

static void
arg_is(const struct cmd *c, const char *key, const char *want)
{
	const char	*v = cmd_get(c, key);

	if (v == NULL)
		fail_msg("%s: no \"%s\"", c->text, key);
	if (strcmp(v, want) != 0)
		fail_msg("%s: %s=\"%s\", want \"%s\"", c->text, key, v, want);
}

static size_t
count_key(const struct cmd *c, const char *key)
{
	size_t	i, n = 0;

	for (i = 0; i < c->nargs; i++)
		n += strcmp(c->args[i].key, key) == 0;
	return n;
}

static const struct {
	const char	*text;
	enum cmd_kind	 kind;
	const char	*name;
} forms[] = {
	{ "broker add z kind kite url https://api.kite.trade api-key k "
	  "api-secret s access-token t", CMD_BROKER_ADD, "broker add" },
	{ "broker add p kind paper", CMD_BROKER_ADD, "broker add" },
	{ "broker list", CMD_BROKER_LIST, "broker list" },
	{ "broker rm z", CMD_BROKER_RM, "broker rm" },
	{ "account add a1 broker z user-id AB12 lots 2 multiplier 1.5 "
	  "capital 500000 weight 2 priority 1 max-lots 9 tags a,b,c",
	  CMD_ACCOUNT_ADD, "account add" },
	{ "account set a1 lots 3", CMD_ACCOUNT_SET, "account set" },
	{ "account tag a1 +vip -old", CMD_ACCOUNT_TAG, "account tag" },
	{ "account enable a1", CMD_ACCOUNT_ENABLE, "account enable" },
	{ "account disable a1", CMD_ACCOUNT_DISABLE, "account disable" },
	{ "account rm a1", CMD_ACCOUNT_RM, "account rm" },
	{ "account list", CMD_ACCOUNT_LIST, "account list" },
	{ "account list vip --json", CMD_ACCOUNT_LIST, "account list" },
	{ "instruments load", CMD_INSTRUMENTS_LOAD, "instruments load" },
	{ "instruments load exchange NFO", CMD_INSTRUMENTS_LOAD,
	  "instruments load" },
	{ "buy NIFTY25DECFUT 1", CMD_BUY, "buy" },
	{ "sell NIFTY25DECFUT 1 units slm 99 to all", CMD_SELL, "sell" },
	{ "squareoff all", CMD_SQUAREOFF, "squareoff" },
	{ "squareoff vip symbol NIFTY25DECFUT", CMD_SQUAREOFF, "squareoff" },
	{ "cancel all", CMD_CANCEL, "cancel" },
	{ "cancel group:vip symbol NIFTY25DECFUT", CMD_CANCEL, "cancel" },
	{ "cancel order 220101000000001", CMD_CANCEL_ORDER, "cancel order" },
	{ "kill all", CMD_KILL, "kill" },
	{ "kill acct:a1 reason \"fat finger\"", CMD_KILL, "kill" },
	{ "unkill acct:a1 reason fixed", CMD_UNKILL, "unkill" },
	{ "positions", CMD_POSITIONS, "positions" },
	{ "positions vip --json", CMD_POSITIONS, "positions" },
	{ "orders", CMD_ORDERS, "orders" },
	{ "orders all status all --json", CMD_ORDERS, "orders" },
	{ "fanouts", CMD_FANOUTS, "fanouts" },
	{ "fanouts last 20 --json", CMD_FANOUTS, "fanouts" },
	{ "fanout show 12 --json", CMD_FANOUT_SHOW, "fanout show" },
	{ "fanout resume 12", CMD_FANOUT_RESUME, "fanout resume" },
	{ "buy NIFTY25DECFUT 2 lots to all key nifty-0915.a_1", CMD_BUY,
	  "buy" },
	{ "latency", CMD_LATENCY, "latency" },
	{ "latency group:scalpers days 5 --json", CMD_LATENCY, "latency" },
	{ "rms template list", CMD_RMS_TEMPLATE_LIST, "rms template list" },
	{ "rms template show expiry-day", CMD_RMS_TEMPLATE_SHOW,
	  "rms template show" },
	{ "rms apply intraday-scalper to group:scalp", CMD_RMS_APPLY,
	  "rms apply" },
	{ "rms state all", CMD_RMS_STATE, "rms state" },
	{ "rms override acct:a1 mtm-loss 25000.50 until 2026-11-25T15:30 "
	  "reason \"expiry\"", CMD_RMS_OVERRIDE, "rms override" },
	{ "rms approve 5", CMD_RMS_APPROVE, "rms approve" },
	{ "incident list", CMD_INCIDENT_LIST, "incident list" },
	{ "incident show 5", CMD_INCIDENT_SHOW, "incident show" },
	{ "incident signoff 5 note \"ok by compliance\"",
	  CMD_INCIDENT_SIGNOFF, "incident signoff" },
	{ "rms template add fam from conservative max-lots-per-order 1 "
	  "window 09:30-15:00", CMD_RMS_TEMPLATE_ADD, "rms template add" },
	{ "rms template set fam mtm-loss 5000 on-mtm-loss kill",
	  CMD_RMS_TEMPLATE_SET, "rms template set" },
	{ "rms overrides", CMD_RMS_OVERRIDES, "rms overrides" },
	{ "rms halt group:family reason \"gap down\"", CMD_RMS_HALT,
	  "rms halt" },
	{ "rms reduce acct:a1 reason margin", CMD_RMS_REDUCE, "rms reduce" },
	{ "rms resume all reason \"all clear\"", CMD_RMS_RESUME,
	  "rms resume" },
	{ "incident ack 5 note \"looking\"", CMD_INCIDENT_ACK,
	  "incident ack" },
	{ "incident note 5 \"called the client\"", CMD_INCIDENT_NOTE,
	  "incident note" },
	{ "incident step 5 2 done", CMD_INCIDENT_STEP, "incident step" },
	{ "incident resolve 5", CMD_INCIDENT_RESOLVE, "incident resolve" },
	{ "audit verify", CMD_AUDIT_VERIFY, "audit verify" },
	{ "pcr NIFTY", CMD_PCR, "pcr" },
	{ "gamma BANKNIFTY expiry 2026-12-30", CMD_GAMMA, "gamma" },
	{ "equity group:desk 1w", CMD_EQUITY, "equity" },
	{ "pnl by broker from 2026-11-02 to 2026-11-27", CMD_PNL, "pnl" },
	{ "exposure show delta sort notional", CMD_EXPOSURE, "exposure" },
	{ "sla acct:a1 days 5", CMD_SLA, "sla" },
	{ "connector add tv dialect tradingview strategy momo token abcd1234 "
	  "allow tradingview,10.0.0.0/8 limit 5/s body-limit 4096 "
	  "window 09:15-15:30 --position-sync",
	  CMD_CONNECTOR_ADD, "connector add" },
	{ "connector list", CMD_CONNECTOR_LIST, "connector list" },
	{ "connector show tv", CMD_CONNECTOR_SHOW, "connector show" },
	{ "connector enable tv", CMD_CONNECTOR_ENABLE, "connector enable" },
	{ "connector disable tv", CMD_CONNECTOR_DISABLE, "connector disable" },
	{ "connector rm tv", CMD_CONNECTOR_RM, "connector rm" },
	{ "strategy add momo target group:scalpers policy equal template "
	  "intraday-scalper", CMD_STRATEGY_ADD, "strategy add" },
	{ "strategy list", CMD_STRATEGY_LIST, "strategy list" },
	{ "strategy show momo", CMD_STRATEGY_SHOW, "strategy show" },
	{ "webhook list tv last 5", CMD_WEBHOOK_LIST, "webhook list" },
	{ "webhook show 77", CMD_WEBHOOK_SHOW, "webhook show" },
	{ "webhook replay 77 --dry-run", CMD_WEBHOOK_REPLAY, "webhook replay" },
	{ "schedule add open cron \"15 9 * * 1-5\" run squareoff all",
	  CMD_SCHEDULE_ADD, "schedule add" },
	{ "schedule run open", CMD_SCHEDULE_RUN, "schedule run" },
	{ "schedule list", CMD_SCHEDULE_LIST, "schedule list" },
	{ "run list", CMD_RUN_LIST, "run list" },
	{ "run show 3", CMD_RUN_SHOW, "run show" },
	{ "run logs 3", CMD_RUN_LOGS, "run logs" },
	{ "run logs 3 --follow", CMD_RUN_LOGS, "run logs" },
	{ "run list last 5 state failed schedule open", CMD_RUN_LIST,
	  "run list" },
	{ "run cancel 3", CMD_RUN_CANCEL, "run cancel" },
	{ "schedule add eod cron \"20 15 * * mon-fri\" batch /tmp/eod.phx "
	  "concurrency parallel 2 catchup all timeout 5m trading-days",
	  CMD_SCHEDULE_ADD, "schedule add" },
	{ "schedule add q cron @hourly run \"fanouts\" concurrency queue",
	  CMD_SCHEDULE_ADD, "schedule add" },
	{ "schedule pause open", CMD_SCHEDULE_PAUSE, "schedule pause" },
	{ "schedule resume open", CMD_SCHEDULE_RESUME, "schedule resume" },
	{ "schedule rm open", CMD_SCHEDULE_RM, "schedule rm" },
	{ "calendar list year 2026", CMD_CALENDAR_LIST, "calendar list" },
	{ "calendar load /tmp/nse-2027.txt", CMD_CALENDAR_LOAD,
	  "calendar load" },
	{ "alert rule add f when run-failed schedule open notify tg,ops "
	  "severity critical", CMD_ALERT_RULE_ADD, "alert rule add" },
	{ "alert rule add slow when run-longer-than 5m", CMD_ALERT_RULE_ADD,
	  "alert rule add" },
	{ "alert rule add quiet when no-signal-by 09:30 connector tv",
	  CMD_ALERT_RULE_ADD, "alert rule add" },
	{ "alert rule add rej when reject-rate-above 5%", CMD_ALERT_RULE_ADD,
	  "alert rule add" },
	{ "alert rule list", CMD_ALERT_RULE_LIST, "alert rule list" },
	{ "alert rule rm f", CMD_ALERT_RULE_RM, "alert rule rm" },
	{ "export pnl from 2026-04-01 to 2026-04-30 format pdf", CMD_EXPORT,
	  "export" },
	{ "export verify /tmp/r.csv", CMD_EXPORT_VERIFY, "export verify" },
	{ "channel add tg kind telegram bot-token 1:x chat-id -100",
	  CMD_CHANNEL_ADD, "channel add" },
	{ "channel list", CMD_CHANNEL_LIST, "channel list" },
	{ "channel rm tg", CMD_CHANNEL_RM, "channel rm" },
	{ "channel test tg", CMD_CHANNEL_TEST, "channel test" },
	{ "notify rule add r when critical to tg", CMD_NOTIFY_RULE_ADD,
	  "notify rule add" },
	{ "notify rule list", CMD_NOTIFY_RULE_LIST, "notify rule list" },
	{ "notify rule rm r", CMD_NOTIFY_RULE_RM, "notify rule rm" },
	{ "notify send warning \"margin 91%\"", CMD_NOTIFY_SEND,
	  "notify send" },
	{ "alerts last 5 failed", CMD_ALERTS, "alerts" },
	{ "alert show 3", CMD_ALERT_SHOW, "alert show" },
	{ "alert retry 3", CMD_ALERT_RETRY, "alert retry" },
	{ "help", CMD_HELP, "help" },
	{ "help rms override", CMD_HELP, "help" },
};

static void
test_every_form(void **state)
{
	struct cmd	c;
	size_t		i;
	int		seen[CMD__COUNT] = { 0 };

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		c = ok(forms[i].text);
		if (c.kind != forms[i].kind)
			fail_msg("\"%s\": kind %d, want %d", forms[i].text,
			    c.kind, forms[i].kind);
		assert_string_equal(c.name, forms[i].name);
		assert_string_equal(c.text, forms[i].text);
		assert_int_equal(c.line, 1);
		seen[c.kind] = 1;
		cmd_free(&c);
	}
	for (i = 0; i < CMD__COUNT; i++) {
		if (!seen[i])
			fail_msg("command kind %zu has no test", i);
		assert_non_null(cmd_usage((enum cmd_kind)i));
		assert_non_null(cmd_name((enum cmd_kind)i));
	}
}

static void
test_broker_account(void **state)
{
	struct cmd	c;

	c = ok("broker add z kind KITE url https://api.kite.trade api-key k "
	    "api-secret \"s#1\" --json");
	arg_is(&c, "name", "z");
	arg_is(&c, "kind", "kite");
	arg_is(&c, "url", "https://api.kite.trade");
	arg_is(&c, "api-key", "k");
	arg_is(&c, "api-secret", "s#1");
	arg_is(&c, "json", "1");
	assert_true(c.json);
	assert_null(c.target);
	cmd_free(&c);

	c = ok("account add A1 broker Z user-id AB12 lots 02 multiplier 1.50 "
	    "capital 100000.10 weight 0.2500 priority 3 max-lots 10 "
	    "tags vip,Nifty_w");
	arg_is(&c, "name", "A1");
	arg_is(&c, "broker", "Z");
	arg_is(&c, "user-id", "AB12");
	arg_is(&c, "lots", "2");
	arg_is(&c, "multiplier", "1.5");
	arg_is(&c, "capital", "100000.1");
	arg_is(&c, "weight", "0.25");
	arg_is(&c, "priority", "3");
	arg_is(&c, "max-lots", "10");
	arg_is(&c, "tags", "vip,Nifty_w");
	assert_int_equal(cmd_get_int(&c, "lots", -1), 2);
	assert_int_equal(cmd_get_int(&c, "absent", -1), -1);
	assert_int_equal(cmd_get_int(&c, "tags", -7), -7);
	assert_false(cmd_has(&c, "absent"));
	assert_null(cmd_get(&c, "absent"));
	cmd_free(&c);

	c = ok("account set a1 capital 250000 broker z2 tags \"\"");
	arg_is(&c, "capital", "250000");
	arg_is(&c, "broker", "z2");
	arg_is(&c, "tags", "");
	cmd_free(&c);

	c = ok("account tag a1 +vip -old +x_y");
	assert_int_equal(count_key(&c, "+tag"), 2);
	assert_int_equal(count_key(&c, "-tag"), 1);
	assert_string_equal(c.args[1].key, "+tag");
	assert_string_equal(c.args[1].val, "vip");
	assert_string_equal(c.args[2].key, "-tag");
	assert_string_equal(c.args[2].val, "old");
	cmd_free(&c);

	c = ok("instruments load exchange nfo");
	arg_is(&c, "exchange", "NFO");
	cmd_free(&c);
}

static void
test_orders(void **state)
{
	struct cmd	c;

	c = ok("buy NIFTY25DECFUT 2");
	assert_int_equal(c.kind, CMD_BUY);
	arg_is(&c, "symbol", "NIFTY25DECFUT");
	arg_is(&c, "qty", "2");
	arg_is(&c, "unit", "lots");
	arg_is(&c, "order-type", "market");
	assert_false(cmd_has(&c, "product"));
	assert_false(cmd_has(&c, "target"));
	assert_false(cmd_has(&c, "exchange"));
	assert_non_null(c.target);
	assert_int_equal(c.target->kind, TARGET_ALL);
	cmd_free(&c);

	c = ok("sell NFO:BankNifty25DecFut 30 units limit 101.50 product NRML "
	    "to acct:a1,acct:b-2 policy Capital mode SYNC on-fail all-or-none "
	    "tag \"hedge 1\" --dry-run");
	assert_int_equal(c.kind, CMD_SELL);
	arg_is(&c, "symbol", "BankNifty25DecFut");
	arg_is(&c, "exchange", "NFO");
	arg_is(&c, "qty", "30");
	arg_is(&c, "unit", "units");
	arg_is(&c, "order-type", "limit");
	arg_is(&c, "price", "101.5");
	arg_is(&c, "product", "nrml");
	arg_is(&c, "target", "acct:a1,acct:b-2");
	arg_is(&c, "policy", "capital");
	arg_is(&c, "mode", "sync");
	arg_is(&c, "on-fail", "all-or-none");
	arg_is(&c, "tag", "hedge 1");
	arg_is(&c, "dry-run", "1");
	assert_false(c.json);
	assert_int_equal(c.target->kind, TARGET_ACCOUNTS);
	assert_int_equal(c.target->n, 2);
	assert_string_equal(c.target->names[0], "a1");
	assert_string_equal(c.target->names[1], "b-2");
	cmd_free(&c);

	c = ok("buy X 1 sl 100.05 99.9 to vip");
	arg_is(&c, "order-type", "sl");
	arg_is(&c, "trigger", "100.05");
	arg_is(&c, "price", "99.9");
	assert_int_equal(c.target->kind, TARGET_GROUP);
	assert_string_equal(c.target->names[0], "vip");
	cmd_free(&c);
}

static void
test_orders_conflicts(void **state)
{
	bad("buy X 1 slm 100 market", 17, "expected one order type "
	    "(\"slm\" at column 9), got \"market\"");
	bad("buy X 1 lots units", 14, "expected one unit");
	bad("buy X 1 sl 100", 15, "missing second value for \"sl\"");
	bad("buy X 1 limit", 14, "missing value for \"limit\"");
	bad("buy X 1 limit 0", 15, "expected a price above 0");
	bad("buy X 1 limit 1.005", 15, "at most 2 decimals");
	bad("buy X 0", 7, "expected a quantity");
	bad("buy X -1", 7, "expected a quantity");
	bad("buy X 99999999999", 7, "expected a quantity");
	bad("buy", 4, "expected a symbol");
	bad("buy X", 6, "expected a quantity");
	bad("buy BSEX:INFY 1", 5, "expected a symbol like");
	bad("buy X 1 --json --dry-run --dry-run", 26, "duplicate flag");
	bad("buy X 1 --stop-on-error", 9, "batch flag");
	bad("buy X 1 --fast", 9, "unknown flag \"--fast\" for buy; valid: "
	    "--json, --dry-run");
	bad("positions --dry-run", 11, "unknown flag");
}

static void
test_case_insensitive(void **state)
{
	struct cmd	c;

	c = ok("ACCOUNT Add Acme BROKER Zerodha LOTS 1 Tags VIP");
	assert_int_equal(c.kind, CMD_ACCOUNT_ADD);
	arg_is(&c, "name", "Acme");
	arg_is(&c, "broker", "Zerodha");
	arg_is(&c, "tags", "VIP");
	cmd_free(&c);

	c = ok("Orders GROUP:Vip STATUS Open --JSON");
	assert_int_equal(c.kind, CMD_ORDERS);
	arg_is(&c, "status", "open");
	assert_true(c.json);
	assert_int_equal(c.target->kind, TARGET_GROUP);
	assert_string_equal(c.target->names[0], "Vip");
	cmd_free(&c);

	c = ok("KILL ALL Reason Panic");
	assert_int_equal(c.target->kind, TARGET_ALL);
	arg_is(&c, "reason", "Panic");
	cmd_free(&c);

	c = ok("CANCEL ORDER 9");
	assert_int_equal(c.kind, CMD_CANCEL_ORDER);
	arg_is(&c, "id", "9");
	cmd_free(&c);
}

static void
test_targets(void **state)
{
	struct cmd	c;

	c = ok("positions");
	assert_int_equal(c.target->kind, TARGET_ALL);
	cmd_free(&c);

	c = ok("orders status done");
	assert_int_equal(c.target->kind, TARGET_ALL);
	assert_false(cmd_has(&c, "target"));
	cmd_free(&c);

	c = ok("squareoff acct:ONE");
	assert_int_equal(c.target->kind, TARGET_ACCOUNTS);
	assert_int_equal(c.target->n, 1);
	assert_string_equal(c.target->names[0], "ONE");
	cmd_free(&c);

	c = ok("kill group:lots");
	assert_string_equal(c.target->names[0], "lots");
	cmd_free(&c);

	c = ok("broker list");
	assert_null(c.target);
	cmd_free(&c);

	bad("kill group:", 6, "expected a tag after \"group:\"");
	bad("kill acct:", 11, "expected an account name after \"acct:\"");
	bad("kill acct:a,,acct:b", 13, "expected acct:NAME after \",\"");
	bad("kill acct:a,", 13, "expected acct:NAME after \",\"");
	bad("kill acct:a,group:b", 13, "cannot be mixed");
	bad("kill acct:a,b", 13, "cannot be mixed");
	bad("kill group:a,acct:b", 6, "cannot be mixed");
	bad("kill all,acct:b", 6, "cannot be mixed");
	bad("kill acct:a,acct:a", 13, "listed twice");
	bad("kill", 5, "expected a target");
	bad("kill v!p", 6, "expected a tag");
	bad("buy X 1 to policy", 12, "not the keyword \"policy\"");
	bad("buy X 1 to all to vip", 16,
	    "duplicate option \"to\" (first at column 12)");
}

static void
test_lexing(void **state)
{
	struct cmd_list	l;
	struct cmd_pos	pos;
	struct err	e;
	const char	*script =
	    "# morning routine\n"
	    "\n"
	    "   \t\n"
	    "buy NIFTY25DECFUT 2 \\\n"
	    "    to vip   # the scalpers\r\n"
	    "kill \"group:a\" reason "
	    "\"said \\\"stop\\\" \\\\ # not a comment\"\n"
	    "positions # trailing \\\n"
	    "orders\n"
	    "unkill all reason \"one \\\n"
	    "two\"";

	assert_int_equal(cmd_parse_script(script, &l, &pos, &e), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[0].kind, CMD_BUY);
	assert_int_equal(l.v[0].line, 4);
	arg_is(&l.v[0], "target", "vip");
	assert_string_equal(l.v[0].text, "buy NIFTY25DECFUT 2      to vip");
	assert_int_equal(l.v[0].args[2].col, 29);
	assert_int_equal(l.v[1].line, 6);
	arg_is(&l.v[1], "reason", "said \"stop\" \\ # not a comment");
	assert_string_equal(l.v[1].target->names[0], "a");
	assert_int_equal(l.v[2].kind, CMD_POSITIONS);
	assert_int_equal(l.v[2].line, 7);
	assert_int_equal(l.v[3].kind, CMD_ORDERS);
	assert_int_equal(l.v[3].line, 8);
	assert_int_equal(l.v[4].line, 9);
	arg_is(&l.v[4], "reason", "one  two");
	cmd_list_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);

	assert_int_equal(cmd_parse_script("", &l, &pos, &e), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(cmd_parse_script("# only\n\n", &l, &pos, &e), 0);
	assert_int_equal(l.n, 0);
	cmd_list_free(&l);

	bad("kill all reason \"fat finger", 17, "expected a closing '\"'");
	bad("kill all reason fat\"finger\"", 20, "quote inside a word");
	bad("kill all reason \"fat\"finger", 22, "expected a space after");
	bad("", 1, "expected a command");
	bad("   # nothing", 1, "expected a command");
	bad("positions\nkill all", 10, "line break");
	bad("\"buy\" X 1", 1, "expected an unquoted command word");
}

static void
test_free_text(void **state)
{
	struct cmd	c;

	c = ok("schedule add open cron \"15  9 * *   mon-fri\" "
	    "concurrency skip run buy NIFTY25DECFUT 1 to vip --json");
	arg_is(&c, "cron", "15 9 * * mon-fri");
	arg_is(&c, "concurrency", "skip");
	arg_is(&c, "command", "buy NIFTY25DECFUT 1 to vip --json");
	assert_false(c.json);
	cmd_free(&c);

	c = ok("schedule add eod cron \"*/5 9-15 1,15 * *\" run "
	    "\"squareoff all symbol X\"");
	arg_is(&c, "command", "squareoff all symbol X");
	cmd_free(&c);

	c = ok("incident signoff 4 note \"checked; fine\"");
	arg_is(&c, "note", "checked; fine");
	cmd_free(&c);

	c = ok("rms override vip max-lots-per-order 5 until 15:30 reason "
	    "fomc");
	arg_is(&c, "limit", "max-lots-per-order");
	arg_is(&c, "value", "5");
	arg_is(&c, "until", "15:30");
	cmd_free(&c);

	c = ok("export orders from 2026-01-01 to 2026-01-01 format CSV "
	    "to \"/tmp/out dir/o.csv\"");
	arg_is(&c, "report", "orders");
	arg_is(&c, "from", "2026-01-01");
	arg_is(&c, "to", "2026-01-01");
	arg_is(&c, "format", "csv");
	arg_is(&c, "path", "/tmp/out dir/o.csv");
	cmd_free(&c);

	/* Days relative to today in IST, resolved as the line is parsed. */
	{
		char	today[24], yday[24];
		time_t	t = time(NULL) + 19800;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(today, sizeof today, "%Y-%m-%d", &tm);
		t -= 7 * 86400;
		gmtime_r(&t, &tm);
		strftime(yday, sizeof yday, "%Y-%m-%d", &tm);
		c = ok("export trades from today-7 to today format csv");
		arg_is(&c, "from", yday);
		arg_is(&c, "to", today);
		cmd_free(&c);
		t += 6 * 86400;
		gmtime_r(&t, &tm);
		strftime(yday, sizeof yday, "%Y-%m-%d", &tm);
		c = ok("export trades from yesterday to yesterday format csv");
		arg_is(&c, "from", yday);
		cmd_free(&c);
	}

	/* The target after the period, as COMMANDS.md spells it. */
	c = ok("export sla from 2026-01-01 to 2026-01-31 group:desk format pdf "
	    "email risk@desk.example");
	arg_is(&c, "report", "sla");
	arg_is(&c, "email", "risk@desk.example");
	assert_non_null(c.target);
	assert_int_equal(c.target->kind, TARGET_GROUP);
	cmd_free(&c);
	c = ok("export audit from 2026-01-01 to 2026-01-31 acct:a1,acct:a2 "
	    "format csv http https://r.example/in");
	arg_is(&c, "url", "https://r.example/in");
	assert_int_equal(c.target->n, 2);
	cmd_free(&c);

	c = ok("help ACCOUNT add");
	arg_is(&c, "command", "account add");
	cmd_free(&c);

	bad("schedule add s cron \"* * * *\" run positions", 21,
	    "expected a 5-field cron spec");
	bad("schedule add s cron \"61 * * * *\" run positions", 21,
	    "5-field cron");
	bad("schedule add s cron \"* * * * *\" run biy", 37,
	    "in \"run\": unknown command \"biy\" (did you mean \"buy\"?)");
	bad("schedule add s cron \"* * * * *\" run \"kill all reason\"", 53,
	    "in \"run\": missing value for \"reason\"");
	bad("schedule add s cron \"* * * * *\" run schedule add t cron "
	    "\"* * * * *\" run positions", 37, "cannot add schedules");
	bad("schedule add s run positions", 29,
	    "schedule add needs \"cron \"M H DOM MON DOW\"\"");
	bad("schedule add s cron \"* * * * *\"", 32,
	    "schedule add needs \"run COMMAND\" or \"batch FILE\"");
	bad("schedule add s cron \"* 24 * * *\" run positions", 21,
	    "hour field: values run from 0 to 23");
	bad("schedule add s cron \"* * * * *\" run \"positions\" "
	    "concurrency parallel", 61, "concurrency parallel N");
	bad("schedule add s cron \"* * * * *\" run \"positions\" "
	    "concurrency parallel 0", 70, "the most runs at once");
	bad("schedule add s cron \"* * * * *\" run \"positions\" "
	    "timeout 5x", 57, "expected a duration like 90s");
	bad("schedule add s cron \"* * * * *\" batch /tmp/a "
	    "run positions", 39, "not both");
	bad("alert rule add r when run-longer-than", 38, "needs its value");
	bad("alert rule add r when no-signal-by 9:30 connector tv", 36,
	    "expected an IST time HH:MM");
	bad("alert rule add r when no-signal-by 09:30", 41,
	    "needs \"connector NAME\"");
	bad("alert rule add r when reject-rate-above 101%", 41,
	    "percentage from 0 to 100");
	bad("alert rule add r when run-failed notify a,,b", 45,
	    "channel names");
	bad("export pnl from 2026-02-30 to 2026-03-01 format csv", 17,
	    "expected a date YYYY-MM-DD, today, yesterday or today-N for "
	    "\"from\"");
	bad("export pnl from today-99999 to today format csv", 17,
	    "expected a date YYYY-MM-DD, today");
	bad("export pnl from today+1 to today format csv", 17,
	    "expected a date YYYY-MM-DD, today");
	bad("export pnl from 2026-03-02 to 2026-03-01 format csv", 31,
	    "on or after 2026-03-02");
	bad("export pnl from 2026-03-01 to 2026-03-02", 41,
	    "export needs \"format csv|pdf\"");
	bad("export pnl from 1999-12-31 to 2026-03-02 format csv", 17,
	    "expected a start date in 2000..2099");
	bad("export pnl from 2026-03-01 to 2026-03-02 format csv to a.csv "
	    "email x@y.z", 73, "export takes one destination");
	bad("export pnl from 2026-03-01 to 2026-03-02 format csv email "
	    "\"x@y.z>\"", 59, "expected an e-mail address");
	bad("export bills from 2026-03-01 to 2026-03-02 format csv", 8,
	    "expected one of trades");
	bad("rms override vip mtm-loss 5 until 25:00 reason x", 35,
	    "expected a time");
	bad("unkill all reason \"\"", 19, "expected some text");
	bad("help biy", 6, "unknown command \"biy\" (did you mean \"buy\"?)");
	bad("help account frob", 14, "expected one of add, set, tag");
	bad("help account ad", 14, "unknown account command \"ad\"");
	bad("help buy now", 10, "expected end of line after \"buy\", got "
	    "\"now\"");
}

static void
test_errors(void **state)
{
	bad("biy NIFTY 1", 1, "unknown command \"biy\" (did you mean "
	    "\"buy\"?)");
	bad("frobnicate", 1, "unknown command \"frobnicate\"; commands are");
	bad("account ad x", 9, "unknown account command \"ad\" (did you "
	    "mean \"add\"?)");
	bad("account", 8, "expected one of add, set, tag");
	bad("rms template", 13, "expected one of list, show, add, set after "
	    "\"rms template\", got end of line");
	bad("account add acme", 17, "account add needs \"broker BROKER\"");
	bad("account add acme broker", 24, "missing value for \"broker\"");
	bad("account add acme broker --json", 24,
	    "missing value for \"broker\"");
	bad("account add acme broker z lots x", 32, "expected a whole number "
	    "of lots for \"lots\", got \"x\"");
	bad("account add acme broker z lots 1.5", 32, "whole number of lots");
	bad("account add acme broker z capital 1.234", 35,
	    "at most 2 decimals");
	bad("account add acme broker z multiplier 1.23456", 38,
	    "at most 4 decimals");
	bad("account add acme broker z tags a,,b", 32, "comma list of tags");
	bad("account add broker z", 13, "expected an account name, got "
	    "\"broker\"");
	bad("account add a/b broker z", 13, "expected an account name");
	bad("account add acme broker z lots 1 lots 2", 34,
	    "duplicate option \"lots\" (first at column 32)");
	bad("account add acme broker z colour red", 27, "unknown option "
	    "\"colour\" for account add; valid: broker, user-id, lots");
	bad("account add acme broker z prority 1", 27, "(did you mean "
	    "\"priority\"?)");
	bad("account set a1", 15, "account set needs at least one");
	bad("account set a1 lots", 20, "missing value for \"lots\"");
	bad("account tag a1", 15, "needs at least one +TAG or -TAG");
	bad("account tag a1 vip", 16, "expected +TAG or -TAG");
	bad("account tag a1 +v!p", 17, "expected a tag");
	bad("broker add z kind kite", 23, "needs \"url URL\"");
	bad("broker add z kind kite url https://x", 37,
	    "needs \"api-key KEY\"");
	bad("broker add z kind zerodha", 19, "expected one of kite|paper for "
	    "\"kind\", got \"zerodha\"");
	bad("broker add z kind paper url ftp://x", 29, "expected a URL");
	bad("broker add z kind paper api-key \"hush hush\"", 33,
	    "got something else (not shown)");
	bad("broker list now", 13, "expected end of line after "
	    "\"broker list\", got \"now\"");
	bad("orders status closed", 15, "one of open|done|all");
	bad("instruments load exchange NYSE", 27, "NSE|BSE|NFO|BFO|MCX|CDS");
	bad("latency days x", 14, "expected a whole number of days");
	bad("fanouts last -1", 14, "expected a whole number of fan-outs");
	bad("fanout show abc", 13, "expected a fan-out id");
	bad("cancel order", 13, "expected an order id");
	bad("unkill all", 11, "unkill needs \"reason TEXT\"");
	bad("connector add c dialect ninja strategy s token abcd1234", 25,
	    "tradingview|amibroker|mt|excel|chartink|custom");
	bad("connector add c dialect mt strategy s token abcd1234 window "
	    "9-17", 61, "expected a window HH:MM-HH:MM");
	bad("connector add c dialect custom strategy s token abcd1234", 57,
	    "needs \"map FIELD=POINTER");
	bad("connector add c dialect custom strategy s token abcd1234 map "
	    "side=/a", 62, "FIELD one of action");
	bad("rms apply t", 12, "rms apply needs \"to TARGET\"");
}

static void
test_order_tag(void **state)
{
	struct cmd	c;

	c = ok("buy X 1 tag abcdefghij0123456789");
	arg_is(&c, "tag", "abcdefghij0123456789");
	cmd_free(&c);
	bad("buy X 1 tag abcdefghij0123456789x", 13, "at most 20 characters "
	    "(Kite's limit) for \"tag\", got \"abcdefghij0123456789x\" "
	    "(21 characters)");
	bad("buy X 1 tag \"a very long tag with spaces\"", 13,
	    "at most 20 characters");
}

/* A script over len bytes that must fail at line/col with want. */
static void
bad_buf(const char *text, size_t len, int line, int col, const char *want)
{
	struct cmd_list	l = { NULL, 0 };
	struct cmd_pos	pos = { 0, 0 };
	struct err	e;
	char		prefix[64];

	err_clear(&e);
	if (cmd_parse_buf(text, len, &l, &pos, &e) == 0) {
		cmd_list_free(&l);
		fail_msg("script of %zu bytes parsed but should not", len);
	}
	assert_string_equal(e.code, "parse");
	snprintf(prefix, sizeof prefix, "line %d, column %d: ", line, col);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg, want) == NULL)
		fail_msg("got \"%s\", want \"%s...%s\"", e.msg, prefix, want);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(pos.line, line);
	assert_int_equal(pos.col, col);
}

/*
 * A NUL or any control byte but tab ends nothing and hides nothing: it is
 * refused wherever it stands, before a single command is returned.
 */
static void
test_control_bytes(void **state)
{
	static const char nul1[] = "buy FUT 1 to acct:x\0 --dry-run\n";
	static const char nul2[] = "account set a 7\n\0garbage";
	static const char nul3[] = "positions # note\0\nkill all\n";
	static const char nul4[] = "kill all reason \"a\0b\"\n";
	struct cmd_list	 l;
	struct cmd_pos	 pos;
	struct err	 e;
	char		 line[64];
	int		 c;

	bad_buf(nul1, sizeof nul1 - 1, 1, 20, "got a control byte 0x00 (NUL)");
	bad_buf(nul2, sizeof nul2 - 1, 2, 1, "0x00 (NUL)");
	bad_buf(nul3, sizeof nul3 - 1, 1, 17, "0x00 (NUL)");
	bad_buf(nul4, sizeof nul4 - 1, 1, 19, "0x00 (NUL)");
	bad_buf("positions\rkill all\n", 19, 1, 10, "0x0D (CR)");
	bad_buf("positions\r\r\n", 12, 1, 10, "(CR)");
	bad_buf("# a \x1b[2Jcomment\npositions\n", 25, 1, 5, "0x1B (ESC)");
	bad_buf("orders\nkill all reason \"x\x7fy\"\n", 30, 2, 19, "0x7F");
	bad_buf("kill all reason \"\xc2\x9b" "31m\"\n", 23, 1, 18,
	    "the control character U+009B");
	bad_buf("kill all reason \"\xe2\x80\xae" "lla\"\n", 24, 1, 18,
	    "bidirectional control character U+202E");
	/* CRLF line ends and tabs are text, not control bytes. */
	assert_int_equal(cmd_parse_buf("positions\r\n\torders\t# x\r\n", 24,
	    &l, &pos, &e), 0);
	assert_int_equal(l.n, 2);
	cmd_list_free(&l);

	for (c = 1; c < 0x20; c++) {
		if (c == '\t' || c == '\n')
			continue;
		snprintf(line, sizeof line, "buy X 1 tag a%cb --dry-run", c);
		bad(line, 14, "expected printable text, got a control byte");
		snprintf(line, sizeof line, "positions #%c", c);
		bad(line, 12, "control byte");
	}
	bad("buy X 1\r", 8, "0x0D (CR)");
	bad("kill all reason \"\x1b]0;x\x07\"", 18, "0x1B (ESC)");
}

/* "#" starts a comment only where a word starts. */
static void
test_hash_in_word(void **state)
{
	struct cmd_list	l;
	struct cmd_pos	pos;
	struct err	e;
	struct cmd	c;

	bad("buy FUT 1 to acct:x tag t#1 --dry-run", 25,
	    "expected an order tag");
	bad("buy FUT 1 to acct:x#c --dry-run", 19, "account name");
	bad("kill all reason \"x\"#y", 20, "expected a space after");
	c = ok("kill all reason over#heat");
	arg_is(&c, "reason", "over#heat");
	cmd_free(&c);
	c = ok("buy FUT 1 --dry-run #tag t1");
	assert_int_equal(c.nargs, 5);
	assert_null(cmd_get(&c, "tag"));
	cmd_free(&c);
	/* A mid-word "#" does not hide a continuation either. */
	assert_int_equal(cmd_parse_script("buy FUT 1 \\\n--dry-run\n"
	    "kill all reason a#b \\\n--json\n", &l, &pos, &e), 0);
	assert_int_equal(l.n, 2);
	assert_true(cmd_has(&l.v[0], "dry-run"));
	assert_true(l.v[1].json);
	cmd_list_free(&l);
}

/* A "\" on the last line means the rest was lost: nothing runs. */
static void
test_continuation_at_end(void **state)
{
	struct cmd_list	l;
	struct cmd_pos	pos;
	struct err	e;

	static const char *const cut[] = { "positions\nbuy FUT 1 \\",
		"buy FUT 1 \\\n", "buy FUT 1 \\\n  to all \\  \r\n" };

	bad_buf(cut[0], strlen(cut[0]), 2, 11, "expected the command to "
	    "continue after \"\\\", got end of input");
	bad_buf(cut[1], strlen(cut[1]), 1, 11, "got end of input");
	bad_buf(cut[2], strlen(cut[2]), 2, 10, "got end of input");
	assert_int_equal(cmd_parse_script("buy FUT 1 \\\n--dry-run", &l, &pos,
	    &e), 0);
	assert_int_equal(l.n, 1);
	cmd_list_free(&l);
}

/* Numbers no exchange or column takes are parse errors, named. */
static void
test_number_bounds(void **state)
{
	struct cmd	c;

	bad("buy FUT 2147483647 to all --dry-run", 9, "expected a quantity "
	    "(a whole number above 0), got \"2147483647\" (at most 10000000)");
	bad("buy FUT 10000001 units", 9, "(at most 10000000)");
	bad("buy FUT 123456789012345678901234567890", 9, "(at most 10000000)");
	bad("buy FUT -3", 9, "got \"-3\" (must be above 0)");
	bad("buy FUT 0", 9, "(must be above 0)");
	c = ok("buy FUT 10000000 units");
	arg_is(&c, "qty", "10000000");
	cmd_free(&c);
	bad("buy FUT 1 limit 10000000.01", 17, "(at most 10000000)");
	bad("buy FUT 1 limit 123456789012345678901234567890", 17,
	    "(at most 10000000)");
	bad("buy FUT 1 limit -1.5", 17, "got \"-1.5\" (must be above 0)");
	bad("buy FUT 1 sl 100 -99", 18, "(must be above 0)");
	bad("buy FUT 1 slm 99999999", 15, "trigger price");
	c = ok("buy FUT 1 limit 10000000.00");
	arg_is(&c, "price", "10000000");
	cmd_free(&c);
	bad("account add a broker z lots 999999999999999999999999999999", 29,
	    "expected a whole number of lots for \"lots\", got "
	    "\"999999999999999999999999999999\" (at most 100000)");
	bad("account add a broker z lots -1", 29, "(must not be negative)");
	bad("account add a broker z max-lots 10000001", 33, "at most 10000000");
	bad("account add a broker z priority 2147483648", 33, "at most 1000000");
	bad("account add a broker z multiplier 10000.0001", 35,
	    "at most 10000");
	bad("account add a broker z weight 123456789012345678901234567890", 31,
	    "at most 10000");
	bad("account add a broker z weight -0.5", 31, "must not be negative");
	bad("account add a broker z capital 1000000000000", 32,
	    "at most 999999999999");
	bad("account add a broker z capital -1", 32, "must not be negative");
	bad("fanouts last 100001", 14, "at most 100000");
	bad("fanout show 99999999999999999999", 13,
	    "at most 9223372036854775807");
	bad("fanout show 0", 13, "expected a fan-out id");
	c = ok("account add a broker z lots 0 multiplier 10000 weight 0.0001 "
	    "capital 999999999999.00 priority 1000000 max-lots 0");
	arg_is(&c, "multiplier", "10000");
	arg_is(&c, "capital", "999999999999");
	cmd_free(&c);
}

/*
 * Names, tags and free text the store would refuse are parse errors:
 * a name starts with a letter or digit (the CHECK constraints of the
 * registry), text is valid UTF-8.  A reason on kill or squareoff is
 * repaired instead: the safety action must run.
 */
static void
test_names_and_text(void **state)
{
	struct cmd	c;

	bad("account add -65 broker z", 13, "expected an account name, got "
	    "\"-65\"");
	bad("account add .x broker z", 13, "expected an account name");
	bad("account add _x broker z", 13, "expected an account name");
	bad("broker add -b kind paper", 12, "expected a broker name");
	bad("account add a broker z user-id -U1", 32, "broker user id");
	bad("account add a broker z tags ok,-bad", 29, "comma list of tags");
	bad("account tag a +-x", 16, "expected a tag");
	bad("account list group:-x", 20, "expected a tag (a letter or digit");
	bad("account list acct:-x", 19, "expected an account name");
	bad("buy X 1 tag -t", 13, "expected an order tag");
	bad("buy -X 1", 5, "expected a symbol");
	bad("buy NFO:\xc3\x89X 1", 5, "expected a symbol");
	bad("account add \xc3\xa9t\xc3\xa9 broker z", 13, "account name");
	c = ok("account add 65 broker z user-id AB1234 tags a-1,b_2");
	arg_is(&c, "name", "65");
	cmd_free(&c);

	bad("unkill all reason \"caf\xe9\"", 19, "valid UTF-8");
	bad("rms override all max-lots 5 until 15:30 reason \"\xff\"", 48,
	    "valid UTF-8");
	c = ok("unkill all reason \"caf\xc3\xa9 \xe2\x82\xb9\"");
	arg_is(&c, "reason", "caf\xc3\xa9 \xe2\x82\xb9");
	cmd_free(&c);

	c = ok("kill all reason \"fat \xff\xfe finger \xc3\"");
	arg_is(&c, "reason", "fat \xef\xbf\xbd\xef\xbf\xbd finger "
	    "\xef\xbf\xbd");
	cmd_free(&c);
	c = ok("kill all reason \xed\xa0\x80");	/* a surrogate */
	arg_is(&c, "reason", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	cmd_free(&c);
	c = ok("squareoff group:vip reason \"x\xc0\xaf\" symbol NIFTY");
	arg_is(&c, "reason", "x\xef\xbf\xbd\xef\xbf\xbd");
	arg_is(&c, "symbol", "NIFTY");
	cmd_free(&c);
	bad("kill all reason \"\"", 17, "expected a reason");
}

/*
 * One flag per grammar row says whether a command is built: completion
 * leaves the rest out, and every built command has a handler.
 */
static void
test_not_built(void **state)
{
	const char *const	*w = cmd_words();
	static const char *const later_only[] = { NULL };	/* none left */
	size_t			 i, j;
	int			 k, nlater = 0;

	for (i = 0; later_only[i] != NULL; i++) {
		for (j = 0; w[j] != NULL; j++) {
			if (strcmp(w[j], later_only[i]) == 0)
				fail_msg("completion offers \"%s\", a word of "
				    "commands not built yet", w[j]);
		}
	}
	assert_true(cmd_built(CMD_BUY));
	assert_true(cmd_built(CMD_KILL));
	assert_true(cmd_built(CMD_CANCEL_ORDER));
	assert_true(cmd_built(CMD_RMS_APPLY));
	assert_true(cmd_built(CMD_INCIDENT_SIGNOFF));
	assert_true(cmd_built(CMD_EXPORT));
	assert_true(cmd_built(CMD_EXPORT_VERIFY));
	assert_true(cmd_built(CMD_SCHEDULE_ADD));
	assert_true(cmd_built(CMD_CONNECTOR_ADD));
	assert_true(cmd_built(CMD_WEBHOOK_REPLAY));
	assert_true(cmd_built(CMD_RUN_LOGS));
	assert_false(cmd_built(CMD__COUNT));
	for (k = 0; k < CMD__COUNT; k++) {
		if (cmd_built((enum cmd_kind)k) !=
		    cmd_handles((enum cmd_kind)k))
			fail_msg("\"%s\": built %d but handled %d",
			    cmd_name((enum cmd_kind)k),
			    cmd_built((enum cmd_kind)k),
			    cmd_handles((enum cmd_kind)k));
		nlater += !cmd_built((enum cmd_kind)k);
	}
	assert_int_equal(nlater, 0);
}

/* buy/sell key: an idempotency key, a name of at most 64 characters. */
static void
test_idem_key(void **state)
{
	struct cmd	c;

	c = ok("sell X 1 key run-2025.12.01_a");
	arg_is(&c, "key", "run-2025.12.01_a");
	cmd_free(&c);
	bad("buy X 1 key \"a b\"", 13, "key");
	bad("buy X 1 key x/y", 13, "key");
}

/* A typo on line 40 must not leave lines 1-39 parsed. */
static void
test_script_all_or_nothing(void **state)
{
	struct strbuf	 b;
	struct cmd_list	 l = { NULL, 0 };
	struct cmd_pos	 pos;
	struct err	 e;
	int		 i;

	strbuf_init(&b);
	for (i = 1; i < 40; i++)
		strbuf_printf(&b, "buy NIFTY25DECFUT %d to vip\n", i);
	strbuf_puts(&b, "buy NIFTY25DECFUT x to vip\nsell X 1\n");
	err_clear(&e);
	assert_int_equal(cmd_parse_script(b.s, &l, &pos, &e), -1);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_string_equal(e.code, "parse");
	assert_string_equal(e.msg, "line 40, column 19: expected a quantity "
	    "(a whole number above 0), got \"x\"");
	assert_int_equal(pos.line, 40);
	assert_int_equal(pos.col, 19);
	strbuf_free(&b);
}

static void
test_redacted(void **state)
{
	struct cmd	 c;
	char		*r;

	c = ok("broker add z kind kite url https://x API-KEY k1 "
	    "api-secret \"s#2\"  access-token t3 --json  # keys");
	r = cmd_text_redacted(&c);
	/* An API key is no secret (redact.c); the secret and token are. */
	assert_string_equal(r, "broker add z kind kite url https://x API-KEY "
	    "k1 api-secret ***  access-token *** --json");
	assert_null(strstr(r, "s#2"));
	free(r);
	cmd_free(&c);

	c = ok("schedule add s cron \"* * * * *\" run \"broker add p kind "
	    "paper api-secret \\\"q1\\\"\"");
	r = cmd_text_redacted(&c);
	assert_string_equal(r, "schedule add s cron \"* * * * *\" run "
	    "\"broker add p kind paper api-secret ***\"");
	free(r);
	cmd_free(&c);

	c = ok("positions  vip");
	r = cmd_text_redacted(&c);
	assert_string_equal(r, "positions  vip");
	free(r);
	cmd_free(&c);
}

static void
test_words_usage(void **state)
{
	const char *const	*w = cmd_words();
	size_t			 i;
	int			 buy = 0, max_lots = 0, json = 0, ask = 0;

	assert_non_null(w);
	for (i = 0; w[i] != NULL; i++) {
		buy |= strcmp(w[i], "buy") == 0;
		max_lots |= strcmp(w[i], "max-lots") == 0;
		json |= strcmp(w[i], "--json") == 0;
		ask |= strcmp(w[i], "ask") == 0;
	}
	assert_true(buy && max_lots && json);
	assert_false(ask);
	assert_true(cmd_words() == w);
	assert_non_null(strstr(cmd_usage(CMD_BUY), "buy SYMBOL QTY"));
	assert_non_null(strstr(cmd_usage(CMD_UNKILL), "reason TEXT"));
	assert_null(strchr(cmd_usage(CMD_ACCOUNT_ADD), '\n'));
	assert_null(cmd_usage(CMD__COUNT));
	assert_string_equal(cmd_name(CMD_RMS_TEMPLATE_SHOW),
	    "rms template show");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_form),
		cmocka_unit_test(test_broker_account),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_orders_conflicts),
		cmocka_unit_test(test_case_insensitive),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_lexing),
		cmocka_unit_test(test_free_text),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_order_tag),
		cmocka_unit_test(test_script_all_or_nothing),
		cmocka_unit_test(test_redacted),
		cmocka_unit_test(test_words_usage),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_hash_in_word),
		cmocka_unit_test(test_continuation_at_end),
		cmocka_unit_test(test_number_bounds),
		cmocka_unit_test(test_names_and_text),
		cmocka_unit_test(test_not_built),
		cmocka_unit_test(test_idem_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
