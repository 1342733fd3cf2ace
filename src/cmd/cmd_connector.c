/*
 * Webhook automation commands, grammar and handlers together:
 *   strategy add|list|show, connector add|list|show|enable|disable|rm,
 *   webhook list|show|replay.
 * A connector is where a sender posts (POST /hook/NAME on phalanx
 * serve); it feeds one strategy, whose target and allocation settings its
 * signals fan out with.  Tokens are encrypted at rest and never shown.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook.h"
#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "db/store_hook.h"
#include "exec/router.h"
#include "util/jsonget.h"

static const char *const dialects[] = { "tradingview", "amibroker", "mt",
	"excel", "chartink", "custom", NULL };
static const char *const policies[] = { "fixed", "multiplier", "equal",
	"capital", "ratio", NULL };
static const char *const modes[] = { "async", "sync", NULL };
static const char *const on_fail[] = { "best-effort", "retry",
	"all-or-none", NULL };
static const char *const products[] = { "mis", "nrml", "cnc", NULL };
static const char *const actions[] = { "buy", "sell", NULL };

static const char *const connector_flags[] = { "position-sync", NULL };
static const char *const replay_flags[] = { "dry-run", NULL };

#define END_OPTS	{ .word = NULL }
#define P_CONN		{ .key = "name", .type = V_NAME, \
			  .what = "a connector name" }
#define P_STRATEGY	{ .key = "name", .type = V_NAME, \
			  .what = "a strategy name" }
#define P_PAYLOAD	{ .key = "id", .type = V_ID, \
			  .what = "a webhook payload id" }

static const struct cmd_opt connector_opts[] = {
	{ .word = "dialect", .type = V_ENUM, .enums = dialects,
	  .flags = OPT_REQUIRED },
	{ .word = "strategy", .type = V_NAME, .what = "a strategy name",
	  .flags = OPT_REQUIRED },
	{ .word = "token", .type = V_SECRET, .what = "a secret token",
	  .flags = OPT_REQUIRED },
	{ .word = "allow", .type = V_TEXT, .what = "addresses or networks "
	  "(a,b/24,...) or tradingview" },
	{ .word = "limit", .type = V_TEXT, .what = "a rate N/s" },
	{ .word = "body-limit", .type = V_INT, .what = "a size in bytes "
	  "(64 to 1048576)", .max = HOOK_MAX_BODY },
	{ .word = "window", .type = V_TEXT, .what = "a window HH:MM-HH:MM "
	  "(IST)" },
	{ .word = "symbol-map", .type = V_TEXT, .what = "NAME=[EXCH:]SYMBOL,"
	  "..." },
	{ .word = "map", .type = V_TEXT, .what = "FIELD=POINTER,..." },
	{ .word = "action", .type = V_ENUM, .enums = actions },
	{ .word = "qty", .type = V_QTY, .max = HOOK_MAX_QTY },
	END_OPTS
};

static const struct cmd_opt strategy_opts[] = {
	{ .word = "target", .type = V_TARGET, .flags = OPT_REQUIRED },
	{ .word = "policy", .type = V_ENUM, .enums = policies },
	{ .word = "mode", .type = V_ENUM, .enums = modes },
	{ .word = "on-fail", .type = V_ENUM, .enums = on_fail },
	{ .word = "product", .type = V_ENUM, .enums = products },
	{ .word = "template", .type = V_NAME, .what = "an RMS template name" },
	END_OPTS
};

static const struct cmd_opt webhook_list_opts[] = {
	{ .word = "last", .type = V_INT, .what = "a number of payloads",
	  .max = 100000 },
	END_OPTS
};

/* The canonical signal fields a custom map may name. */
static const char *const map_fields[] = { "action", "symbol", "exchange",
	"qty", "unit", "order_type", "price", "trigger", "product", "id",
	"token", "position", "position_size", NULL };

static int
hhmm_ok(const char *s, int *min)
{
	int	h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h > 23 ||
	    m > 59 || h < 0 || m < 0)
		return 0;
	*min = h * 60 + m;
	return 1;
}

static int
pairs_ok(const char *list, const char *const *keys)
{
	const char	*p = list, *comma, *eq;
	size_t		 i;

	while (*p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		eq = memchr(p, '=', (size_t)(comma - p));
		if (eq == NULL || eq == p || eq + 1 == comma)
			return 0;
		for (i = 0; keys != NULL && keys[i] != NULL; i++) {
			if (strlen(keys[i]) == (size_t)(eq - p) &&
			    strncmp(keys[i], p, (size_t)(eq - p)) == 0)
				break;
		}
		if (keys != NULL && keys[i] == NULL)
			return 0;
		p = *comma != '\0' ? comma + 1 : comma;
	}
	return 1;
}

static int
opt_col(struct cmd_pstate *ps, const char *key)
{
	const struct cmd_arg	*a = cmd_find_arg(ps->cmd, key);

	return a != NULL ? a->col : ps->toks->textend;
}

/* What one option's value cannot say for itself. */
static int
connector_check(struct cmd_pstate *ps)
{
	const char	*v, *p, *comma;
	char		 one[64];
	int		 a, b, rate;
	char		 tail[8];

	if ((v = cmd_get(ps->cmd, "allow")) != NULL) {
		for (p = v; *p != '\0'; p = *comma ? comma + 1 : comma) {
			comma = strchr(p, ',');
			if (comma == NULL)
				comma = p + strlen(p);
			snprintf(one, sizeof one, "%.*s", (int)(comma - p), p);
			if (strcmp(one, "tradingview") != 0 &&
			    !hook_net_valid(one))
				return cmd_perr_set(ps->err, opt_col(ps,
				    "allow"), "expected an address, a network "
				    "(10.0.0.0/8) or tradingview for allow, got "
				    "\"%.40s\"", one);
		}
	}
	if ((v = cmd_get(ps->cmd, "limit")) != NULL && (sscanf(v, "%d%7s",
	    &rate, tail) < 1 || rate < 1 || rate > 100000 ||
	    (sscanf(v, "%d%7s", &rate, tail) == 2 && strcmp(tail, "/s") != 0)))
		return cmd_perr_set(ps->err, opt_col(ps, "limit"), "expected "
		    "a rate N/s (1 to 100000) for limit, got \"%.40s\"", v);
	if ((v = cmd_get(ps->cmd, "window")) != NULL && (strlen(v) != 11 ||
	    v[5] != '-' || !hhmm_ok(v, &a) || !hhmm_ok(v + 6, &b) || a == b))
		return cmd_perr_set(ps->err, opt_col(ps, "window"), "expected "
		    "a window HH:MM-HH:MM (IST) for window, got \"%.40s\"", v);
	if (cmd_get_int(ps->cmd, "body-limit", 65536) < 64)
		return cmd_perr_set(ps->err, opt_col(ps, "body-limit"),
		    "expected at least 64 bytes for body-limit");
	if ((v = cmd_get(ps->cmd, "symbol-map")) != NULL && !pairs_ok(v, NULL))
		return cmd_perr_set(ps->err, opt_col(ps, "symbol-map"),
		    "expected NAME=[EXCH:]SYMBOL,... for symbol-map");
	if ((v = cmd_get(ps->cmd, "map")) != NULL && !pairs_ok(v, map_fields))
		return cmd_perr_set(ps->err, opt_col(ps, "map"), "expected "
		    "FIELD=POINTER,... for map, FIELD one of action symbol "
		    "exchange qty unit order_type price trigger product id "
		    "token position position_size");
	v = cmd_get(ps->cmd, "dialect");
	if (v != NULL && strcmp(v, "custom") == 0 && !cmd_has(ps->cmd, "map"))
		return cmd_perr_set(ps->err, ps->toks->textend, "connector add "
		    "with dialect custom needs \"map FIELD=POINTER,...\"");
	if (v != NULL && strcmp(v, "custom") != 0 && cmd_has(ps->cmd, "map"))
		return cmd_perr_set(ps->err, opt_col(ps, "map"), "map is for "
		    "dialect custom only");
	return 0;
}

const struct cmd_def cmd_connector_defs[] = {
	{ CMD_STRATEGY_ADD, "strategy add",
	  "strategy add NAME target TARGET [policy fixed|multiplier|equal|"
	  "capital|ratio] [mode async|sync] [on-fail best-effort|retry|"
	  "all-or-none] [product mis|nrml|cnc] [template RMS_TEMPLATE]",
	  .pos = { P_STRATEGY }, .opts = strategy_opts },
	{ CMD_STRATEGY_LIST, "strategy list", "strategy list [--json]",
	  .opts = NULL },
	{ CMD_STRATEGY_SHOW, "strategy show", "strategy show NAME [--json]",
	  .pos = { P_STRATEGY } },
	{ CMD_CONNECTOR_ADD, "connector add",
	  "connector add NAME dialect tradingview|amibroker|mt|excel|chartink|"
	  "custom strategy S token T [allow IPS|tradingview] [limit N/s] "
	  "[body-limit BYTES] [window HH:MM-HH:MM] [symbol-map NAME=SYMBOL,...] "
	  "[map FIELD=POINTER,...] [action buy|sell] [qty N] "
	  "[--position-sync]",
	  .pos = { P_CONN }, .opts = connector_opts, .flags = connector_flags,
	  .check = connector_check },
	{ CMD_CONNECTOR_LIST, "connector list", "connector list [--json]",
	  .opts = NULL },
	{ CMD_CONNECTOR_SHOW, "connector show", "connector show NAME [--json]",
	  .pos = { P_CONN } },
	{ CMD_CONNECTOR_ENABLE, "connector enable", "connector enable NAME",
	  .pos = { P_CONN } },
	{ CMD_CONNECTOR_DISABLE, "connector disable", "connector disable NAME",
	  .pos = { P_CONN } },
	{ CMD_CONNECTOR_RM, "connector rm", "connector rm NAME",
	  .pos = { P_CONN } },
	{ CMD_WEBHOOK_LIST, "webhook list",
	  "webhook list [CONNECTOR] [last N] [--json]",
	  .pos = { { .key = "connector", .type = V_NAME,
		     .what = "a connector name", .optional = 1 } },
	  .opts = webhook_list_opts },
	{ CMD_WEBHOOK_SHOW, "webhook show", "webhook show ID [--json]",
	  .pos = { P_PAYLOAD } },
	{ CMD_WEBHOOK_REPLAY, "webhook replay", "webhook replay ID [--dry-run]",
	  .pos = { P_PAYLOAD }, .flags = replay_flags },
};

const size_t cmd_connector_ndefs = nitems(cmd_connector_defs);


/* --- strategies -------------------------------------------------------- */

static void
strategy_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	struct err	 e;
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		store_explain(err, "strategy", name, &e);
		cmd_fail(job, &e);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-template", "no RMS template \"%s\" "
		    "(see \"rms template list\")", cmd_get(job->cmd,
		    "template"));
		return;
	}
	job->res.text = xasprintf("strategy %s added: target %s\n", name,
	    jstr(row, "target"));
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_strategy_add(struct cmd_job *job)
{
	struct store_actor	 a = cmd_actor(job);
	json_t			*params = json_object();
	char			*target = target_format(job->cmd->target);
	static const char *const keys[][2] = { { "policy", "policy" },
		{ "mode", "mode" }, { "on-fail", "on_fail" },
		{ "product", "product" } };
	size_t			 i;

	for (i = 0; i < nitems(keys); i++) {
		if (cmd_get(job->cmd, keys[i][0]) != NULL)
			json_object_set_new(params, keys[i][1], json_string(
			    cmd_get(job->cmd, keys[i][0])));
	}
	store_strategy_add(job->env->store, cmd_get(job->cmd, "name"), target,
	    params, cmd_get(job->cmd, "template"), &a, strategy_added, job);
	json_decref(params);
	free(target);
}

static const char *const strategy_columns[] = { "name", "target", "policy",
	"mode", "on_fail", "product", "template", "trading_state",
	"connectors", "queued", "fanouts", "last_signal", NULL };

static void
strategy_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, strategy_columns, NULL);
}

static void
cmd_strategy_list(struct cmd_job *job)
{
	store_strategy_list(job->env->store, strategy_listed, job);
}

static void
strategy_shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*s = json_object_get(json_array_get(rows, 0), "strategy");
	json_t		*v;
	struct strbuf	 b;
	const char	*k;
	size_t		 i;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (s == NULL) {
		cmd_failf(job, "unknown-strategy", "no strategy %s",
		    cmd_get(job->cmd, "name"));
		return;
	}
	strbuf_init(&b);
	strbuf_printf(&b, "strategy %s  target %s  %s\n  policy %s  mode %s  "
	    "on-fail %s  product %s  template %s\n  connectors %lld  fan-outs "
	    "%lld  queued signals %lld  last signal %s\n", jstr(s, "name"),
	    jstr(s, "target"), jstr(s, "trading_state"), jstr(s, "policy"),
	    jstr(s, "mode"), jstr(s, "on_fail"), jstr(s, "product"),
	    jstr(s, "template"), (long long)json_integer_value(json_object_get(s,
	    "connectors")), (long long)json_integer_value(json_object_get(s,
	    "fanouts")), (long long)json_integer_value(json_object_get(s,
	    "queued")), jstr(s, "last_signal"));
	strbuf_puts(&b, "book (lots its signals moved, by symbol):\n");
	json_object_foreach(json_object_get(s, "book"), k, v)
		strbuf_printf(&b, "  %-24s %lld\n", k,
		    (long long)json_integer_value(v));
	strbuf_puts(&b, "positions last traded by it:\n");
	json_array_foreach(json_object_get(s, "positions"), i, v)
		strbuf_printf(&b, "  %-14s %-24s %lld\n", jstr(v, "account"),
		    jstr(v, "symbol"), (long long)json_integer_value(
		    json_object_get(v, "qty")));
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(s);
	cmd_done(job);
}

static void
cmd_strategy_show(struct cmd_job *job)
{
	store_strategy_show(job->env->store, cmd_get(job->cmd, "name"),
	    strategy_shown, job);
}

/* --- connectors -------------------------------------------------------- */

/* "A=B,C=D" as {"A":"B","C":"D"} */
static json_t *
pairs_json(const char *list)
{
	json_t		*o = json_object();
	const char	*p = list, *comma, *eq;
	char		*k;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		eq = memchr(p, '=', (size_t)(comma - p));
		if (eq != NULL) {
			k = xstrndup(p, (size_t)(eq - p));
			json_object_set_new(o, k, json_stringn(eq + 1,
			    (size_t)(comma - eq - 1)));
			free(k);
		}
		p = *comma != '\0' ? comma + 1 : comma;
	}
	return o;
}

static void
connector_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	struct err	 e;
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		store_explain(err, "connector", name, &e);
		cmd_fail(job, &e);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-strategy", "no strategy %s (add it "
		    "first: strategy add %s target TARGET)", cmd_get(job->cmd,
		    "strategy"), cmd_get(job->cmd, "strategy"));
		return;
	}
	job->res.text = xasprintf("connector %s added: POST /hook/%s "
	    "(dialect %s, strategy %s)\n", name, name, jstr(row, "dialect"),
	    cmd_get(job->cmd, "strategy"));
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_connector_add(struct cmd_job *job)
{
	struct store_actor	 a = cmd_actor(job);
	const struct cmd	*c = job->cmd;
	json_t			*f, *allow, *opts;
	const char		*v, *p, *comma;
	char			*token;

	if (cmd_encrypt(job, "token", &token) != 0)
		return;
	f = json_pack("{s:s,s:s}", "dialect", cmd_get(c, "dialect"),
	    "strategy", cmd_get(c, "strategy"));
	allow = json_array();
	if ((v = cmd_get(c, "allow")) != NULL) {
		for (p = v; *p != '\0'; p = *comma ? comma + 1 : comma) {
			comma = strchr(p, ',');
			if (comma == NULL)
				comma = p + strlen(p);
			json_array_append_new(allow, json_stringn(p,
			    (size_t)(comma - p)));
		}
	}
	json_object_set_new(f, "allow", allow);
	if ((v = cmd_get(c, "limit")) != NULL)
		json_object_set_new(f, "rate_per_s", json_integer(atoi(v)));
	if (cmd_has(c, "body-limit"))
		json_object_set_new(f, "body_limit", json_integer(
		    cmd_get_int(c, "body-limit", HOOK_DEFAULT_BODY)));
	if ((v = cmd_get(c, "window")) != NULL) {
		json_object_set_new(f, "window_from", json_stringn(v, 5));
		json_object_set_new(f, "window_to", json_string(v + 6));
	}
	json_object_set_new(f, "symbol_map", pairs_json(cmd_get(c,
	    "symbol-map")));
	json_object_set_new(f, "field_map", pairs_json(cmd_get(c, "map")));
	opts = json_object();
	if (cmd_get(c, "action") != NULL)
		json_object_set_new(opts, "action", json_string(cmd_get(c,
		    "action")));
	if (cmd_has(c, "qty"))
		json_object_set_new(opts, "qty", json_integer(cmd_get_int(c,
		    "qty", 1)));
	if (cmd_has(c, "position-sync"))
		json_object_set_new(opts, "position_sync", json_true());
	json_object_set_new(f, "options", opts);
	store_connector_add(job->env->store, cmd_get(c, "name"), f, token, &a,
	    connector_added, job);
	json_decref(f);
	free(token);
}

static const char *const connector_columns[] = { "name", "dialect",
	"strategy", "enabled", "allow", "rate_per_s", "body_limit", "window",
	"payloads", "last_payload", "last_status", NULL };

static void
connector_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, connector_columns, NULL);
}

static void
cmd_connector_list(struct cmd_job *job)
{
	store_connector_list(job->env->store, connector_listed, job);
}

static void
connector_shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*c = json_array_get(rows, 0);
	char		*sm, *fm, *op;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (c == NULL) {
		cmd_failf(job, "unknown-connector", "no connector %s",
		    cmd_get(job->cmd, "name"));
		return;
	}
	sm = json_dumps(json_object_get(c, "symbol_map"), JSON_COMPACT);
	fm = json_dumps(json_object_get(c, "field_map"), JSON_COMPACT);
	op = json_dumps(json_object_get(c, "options"), JSON_COMPACT);
	job->res.text = xasprintf("connector %s  POST /hook/%s  dialect %s  "
	    "strategy %s  %s\n  token ****  allow %s  limit %lld/s  body-limit "
	    "%lld  window %s\n  symbol-map %s  map %s  options %s\n  payloads "
	    "%lld  last %s  last signal %s\n", jstr(c, "name"), jstr(c, "name"),
	    jstr(c, "dialect"), jstr(c, "strategy"), json_is_true(
	    json_object_get(c, "enabled")) ? "enabled" : "DISABLED",
	    *jstr(c, "allow") ? jstr(c, "allow") : "any",
	    (long long)json_integer_value(json_object_get(c, "rate_per_s")),
	    (long long)json_integer_value(json_object_get(c, "body_limit")),
	    *jstr(c, "window") ? jstr(c, "window") : "always", sm, fm, op,
	    (long long)json_integer_value(json_object_get(c, "payloads")),
	    jstr(c, "last_payload"), jstr(c, "last_status"));
	free(sm);
	free(fm);
	free(op);
	job->res.data = json_deep_copy(c);
	cmd_done(job);
}

static void
cmd_connector_show(struct cmd_job *job)
{
	store_connector_show(job->env->store, cmd_get(job->cmd, "name"),
	    connector_shown, job);
}

static void
connector_changed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");
	struct err	 e;

	if (err != NULL) {
		if (strcmp(err->code, "sql:23503") == 0) {
			err_set(&e, "in-use", "connector %s has payloads that "
			    "refer to it", name);
			cmd_fail(job, &e);
		} else
			cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-connector", "no connector %s", name);
		return;
	}
	job->res.text = xasprintf("connector %s %s\n", name,
	    job->cmd->kind == CMD_CONNECTOR_RM ? "removed" :
	    job->cmd->kind == CMD_CONNECTOR_ENABLE ? "enabled" : "disabled");
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	cmd_done(job);
}

static void
cmd_connector_enable(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_connector_enable(job->env->store, cmd_get(job->cmd, "name"),
	    job->cmd->kind == CMD_CONNECTOR_ENABLE, &a, connector_changed, job);
}

static void
cmd_connector_rm(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_connector_rm(job->env->store, cmd_get(job->cmd, "name"), &a,
	    connector_changed, job);
}

/* --- payloads ---------------------------------------------------------- */

static const char *const webhook_columns[] = { "id", "ts", "connector",
	"method", "remote", "bytes", "status", "signals", "fanouts",
	"duplicate_of", "replay_of", NULL };

static void
webhook_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, webhook_columns, NULL);
}

static void
cmd_webhook_list(struct cmd_job *job)
{
	store_webhook_list(job->env->store, cmd_get(job->cmd, "connector"),
	    (int)cmd_get_int(job->cmd, "last", 50), webhook_listed, job);
}

/* A body for a screen: control bytes as '.', cut at 4 KiB. */
static void
body_show(struct strbuf *b, const char *s)
{
	size_t	i;

	for (i = 0; i < 4096 && s[i] != '\0'; i++) {
		if (s[i] == '\n' || s[i] == '\t' || (unsigned char)s[i] >= 0x20)
			strbuf_putc(b, s[i] == 0x7f ? '.' : s[i]);
		else
			strbuf_putc(b, '.');
	}
	if (s[i] != '\0')
		strbuf_puts(b, "\n    ...");
}

static void
webhook_shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0), *p, *s, *f, *l;
	struct strbuf	 b;
	size_t		 i, k;
	char		*parsed;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-payload", "no webhook payload %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	p = json_object_get(row, "payload");
	strbuf_init(&b);
	strbuf_printf(&b, "payload %lld  %s  connector %s  %s from %s  %s\n",
	    (long long)json_integer_value(json_object_get(p, "id")),
	    jstr(p, "ts"), jstr(p, "connector"), jstr(p, "method"),
	    *jstr(p, "remote") ? jstr(p, "remote") : "-",
	    jstr(p, "content_type"));
	if (json_is_integer(json_object_get(p, "duplicate_of")))
		strbuf_printf(&b, "  duplicate of payload %lld\n",
		    (long long)json_integer_value(json_object_get(p,
		    "duplicate_of")));
	if (json_is_integer(json_object_get(p, "replay_of")))
		strbuf_printf(&b, "  replay of payload %lld\n",
		    (long long)json_integer_value(json_object_get(p,
		    "replay_of")));
	if (*jstr(p, "reason"))
		strbuf_printf(&b, "  malformed: %s\n", jstr(p, "reason"));
	if (*jstr(p, "query"))
		strbuf_printf(&b, "  query: %s\n", jstr(p, "query"));
	strbuf_puts(&b, "  body:\n    ");
	body_show(&b, jstr(p, "body"));
	strbuf_puts(&b, "\nsignals:\n");
	json_array_foreach(json_object_get(row, "signals"), i, s) {
		parsed = json_dumps(json_object_get(s, "parsed"), JSON_COMPACT);
		strbuf_printf(&b, "  %lld  %-9s strategy %s  %s\n",
		    (long long)json_integer_value(json_object_get(s, "id")),
		    jstr(s, "status"), jstr(s, "strategy"), parsed);
		free(parsed);
		if (*jstr(s, "exec_side"))
			strbuf_printf(&b, "      order %s %lld  ", jstr(s,
			    "exec_side"), (long long)json_integer_value(
			    json_object_get(s, "exec_qty")));
		else
			strbuf_puts(&b, "      ");
		strbuf_printf(&b, "RMS %s  fanout %lld  %s\n",
		    *jstr(s, "rms_verdict") ? jstr(s, "rms_verdict") : "-",
		    (long long)json_integer_value(json_object_get(s, "fanout")),
		    jstr(s, "reason"));
	}
	json_array_foreach(json_object_get(row, "fanouts"), i, f) {
		strbuf_printf(&b, "fanout %lld  %s  to %s  %s\n",
		    (long long)json_integer_value(json_object_get(f, "fanout")),
		    jstr(f, "state"), jstr(f, "target"), jstr(f, "message"));
		json_array_foreach(json_object_get(f, "legs"), k, l)
			strbuf_printf(&b, "  %-14s %-4s %6lld  %-16s filled "
			    "%lld\n", jstr(l, "account"), jstr(l, "side"),
			    (long long)json_integer_value(json_object_get(l,
			    "qty")), jstr(l, "state"),
			    (long long)json_integer_value(json_object_get(l,
			    "filled")));
	}
	job->res.text = strbuf_steal(&b);
	job->res.data = json_deep_copy(row);
	cmd_done(job);
}

static void
cmd_webhook_show(struct cmd_job *job)
{
	store_webhook_show(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    webhook_shown, job);
}

/* Replay: the payload's signals one after the other, here. */
struct replay {
	struct cmd_job		*job;
	struct hook_exec	*x;
	json_t			*ids;
	size_t			 at;
	int			 failed;
	json_t			*out;
	struct strbuf		 text;
};

static void replay_next(struct replay *);

static void
replay_outcome(const struct hook_outcome *o, void *arg)
{
	struct replay	*r = arg;

	if (o->status == NULL || strcmp(o->status, "DONE") != 0)
		r->failed++;
	strbuf_printf(&r->text, "signal %lld: %s%s%s\n", (long long)o->signal,
	    o->status != NULL ? o->status : "NOT RUN", o->message != NULL ?
	    " -- " : "", o->message != NULL ? o->message : "");
	if (o->text != NULL)
		strbuf_puts(&r->text, o->text);
	json_array_append_new(r->out, json_pack("{s:I,s:s?,s:I,s:s?,s:O?}",
	    "signal", (json_int_t)o->signal, "status", o->status,
	    "fanout", (json_int_t)o->fanout, "message", o->message,
	    "report", o->data));
	r->at++;
	replay_next(r);
}

static void
replay_next(struct replay *r)
{
	struct cmd_job	*job = r->job;
	json_t		*id = json_array_get(r->ids, r->at);

	if (id != NULL) {
		hook_exec_signal(r->x, json_integer_value(json_is_object(id) ?
		    json_object_get(id, "id") : id), cmd_has(job->cmd,
		    "dry-run"), replay_outcome, r);
		return;
	}
	job->res.text = strbuf_steal(&r->text);
	job->res.data = r->out;
	if (r->failed > 0) {
		snprintf(job->res.err.code, sizeof job->res.err.code,
		    "replay-failed");
		snprintf(job->res.err.msg, sizeof job->res.err.msg, "%d of "
		    "%zu signal(s) did not run to DONE", r->failed, r->at);
		job->res.status = CMD_FAILED;
	}
	hook_exec_free(r->x);
	json_decref(r->ids);
	free(r);
	cmd_done(job);
}

static struct replay *
replay_new(struct cmd_job *job, json_t *ids)
{
	struct replay	*r = xcalloc(1, sizeof *r);

	if (job->env->router == NULL) {
		struct store_actor a = cmd_actor(job);

		job->env->router = router_new(job->env->store, job->env->cfg,
		    job->env->home);
		router_set_actor(job->env->router, a.os_user, a.front);
	}
	r->job = job;
	r->x = hook_exec_new(job->env->store, job->env->router, job->env->cfg);
	r->ids = json_incref(ids);
	r->out = json_array();
	strbuf_init(&r->text);
	return r;
}

static void
replay_stored(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0);
	struct replay	*r;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (!json_is_integer(json_object_get(row, "original"))) {
		cmd_failf(job, "unknown-payload", "no webhook payload %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	if (json_array_size(json_object_get(row, "signals")) == 0) {
		cmd_failf(job, "no-signal", "payload %s gave no signal%s%s",
		    cmd_get(job->cmd, "id"), *jstr(row, "reason") ?
		    " (malformed: " : "", *jstr(row, "reason") ?
		    jstr(row, "reason") : "");
		return;
	}
	r = replay_new(job, json_object_get(row, "signals"));
	strbuf_printf(&r->text, "payload %s replayed as payload %lld\n",
	    cmd_get(job->cmd, "id"), (long long)json_integer_value(
	    json_object_get(row, "payload")));
	replay_next(r);
}

/* A dry run stores nothing: it works out the payload's own signals. */
static void
replay_looked(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	json_t		*row = json_array_get(rows, 0), *sigs;
	struct replay	*r;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (row == NULL) {
		cmd_failf(job, "unknown-payload", "no webhook payload %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	sigs = json_object_get(row, "signals");
	if (json_array_size(sigs) == 0) {
		cmd_failf(job, "no-signal", "payload %s gave no signal",
		    cmd_get(job->cmd, "id"));
		return;
	}
	r = replay_new(job, sigs);
	strbuf_printf(&r->text, "dry run of payload %s -- nothing sent, "
	    "nothing stored\n", cmd_get(job->cmd, "id"));
	replay_next(r);
}

static void
cmd_webhook_replay(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	if (cmd_has(job->cmd, "dry-run"))
		store_webhook_show(job->env->store, cmd_get_int(job->cmd, "id",
		    0), replay_looked, job);
	else
		store_webhook_replay(job->env->store, cmd_get_int(job->cmd,
		    "id", 0), &a, replay_stored, job);
}

cmd_handler
cmd_connector_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_STRATEGY_ADD:
		return cmd_strategy_add;
	case CMD_STRATEGY_LIST:
		return cmd_strategy_list;
	case CMD_STRATEGY_SHOW:
		return cmd_strategy_show;
	case CMD_CONNECTOR_ADD:
		return cmd_connector_add;
	case CMD_CONNECTOR_LIST:
		return cmd_connector_list;
	case CMD_CONNECTOR_SHOW:
		return cmd_connector_show;
	case CMD_CONNECTOR_ENABLE:
	case CMD_CONNECTOR_DISABLE:
		return cmd_connector_enable;
	case CMD_CONNECTOR_RM:
		return cmd_connector_rm;
	case CMD_WEBHOOK_LIST:
		return cmd_webhook_list;
	case CMD_WEBHOOK_SHOW:
		return cmd_webhook_show;
	case CMD_WEBHOOK_REPLAY:
		return cmd_webhook_replay;
	default:
		return NULL;
	}
}
