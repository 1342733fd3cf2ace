/*
 * The grammar of the command language as data: one row per command with
 * its positional arguments, keyword options and flags.  parser.c walks
 * these rows; the few rules a row cannot say live in the hooks below.
 * ../shared/COMMANDS.md is the contract this table implements.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

static const char *const broker_kinds[] = { "kite", "paper", NULL };
static const char *const products[] = { "mis", "nrml", "cnc", NULL };
static const char *const policies[] = { "fixed", "multiplier", "equal",
	"capital", "ratio", NULL };
static const char *const modes[] = { "async", "sync", NULL };
static const char *const on_fail[] = { "best-effort", "retry",
	"all-or-none", NULL };
static const char *const statuses[] = { "open", "done", "all", NULL };
const char *const cmd_exchanges[] = { "NSE", "BSE", "NFO", "BFO", "MCX",
	"CDS", NULL };

static const char *const order_flags[] = { "dry-run", NULL };

#define END_OPTS	{ .word = NULL }

static const struct cmd_opt broker_opts[] = {
	{ .word = "kind", .type = V_ENUM, .enums = broker_kinds,
	  .flags = OPT_REQUIRED },
	{ .word = "url", .type = V_URL },
	{ .word = "api-key", .type = V_SECRET, .what = "an API key" },
	{ .word = "api-secret", .type = V_SECRET, .what = "an API secret" },
	{ .word = "access-token", .type = V_SECRET,
	  .what = "an access token" },
	END_OPTS
};

/*
 * Ceilings of the account fields: far above any real account, well inside
 * the store's columns (integer, numeric(12,4), numeric(18,2)), so a typo
 * with thirty digits is a parse error, not a server message.
 */
#define ACCOUNT_MAX_LOTS	100000
#define ACCOUNT_MAX_RATIO	10000
#define ACCOUNT_MAX_CAPITAL	999999999999LL

/* account add and account set share these: the account's fields. */
#define ACCOUNT_FIELDS(req)						\
	{ .word = "broker", .type = V_NAME, .what = "a broker name",	\
	  .flags = (req) },						\
	{ .word = "user-id", .type = V_NAME,				\
	  .what = "a broker user id ([A-Za-z0-9_.-])" },		\
	{ .word = "lots", .type = V_INT,				\
	  .what = "a whole number of lots", .max = ACCOUNT_MAX_LOTS },	\
	{ .word = "multiplier", .type = V_DEC4,				\
	  .what = "a multiplier with at most 4 decimals",		\
	  .max = ACCOUNT_MAX_RATIO },					\
	{ .word = "capital", .type = V_DEC2,				\
	  .what = "an amount in rupees with at most 2 decimals",	\
	  .max = ACCOUNT_MAX_CAPITAL },					\
	{ .word = "weight", .type = V_DEC4,				\
	  .what = "a weight with at most 4 decimals",			\
	  .max = ACCOUNT_MAX_RATIO },					\
	{ .word = "priority", .type = V_INT,				\
	  .what = "a whole-number priority", .max = 1000000 },		\
	{ .word = "max-lots", .type = V_INT,				\
	  .what = "a whole number of lots", .max = CMD_MAX_QTY },	\
	{ .word = "tags", .type = V_TAGS },				\
	{ .word = "api-key", .type = V_SECRET,				\
	  .what = "the account's own API key" },			\
	{ .word = "access-token", .type = V_SECRET,			\
	  .what = "the account's access token" },			\
	{ .word = "api-secret", .type = V_SECRET,			\
	  .what = "the account's API secret (for postbacks)" },	\
	END_OPTS

static const struct cmd_opt account_add_opts[] = {
	ACCOUNT_FIELDS(OPT_REQUIRED)
};
static const struct cmd_opt account_set_opts[] = {
	ACCOUNT_FIELDS(0)
};

static const struct cmd_opt instruments_opts[] = {
	{ .word = "exchange", .type = V_ENUM_UPPER, .enums = cmd_exchanges },
	END_OPTS
};

#define PRICE_WHAT	"a price above 0 with at most 2 decimals"
#define TRIGGER_WHAT	"a trigger price above 0 with at most 2 decimals"
/* Rupees: above any Indian instrument's price, paise still fit int64. */
#define PRICE_MAX	10000000

static const struct cmd_opt order_opts[] = {
	{ .word = "lots", .type = V_NONE, .group = "unit" },
	{ .word = "units", .type = V_NONE, .group = "unit" },
	{ .word = "market", .type = V_NONE, .group = "order-type" },
	{ .word = "limit", .key = "price", .type = V_PRICE,
	  .what = PRICE_WHAT, .group = "order-type", .max = PRICE_MAX },
	{ .word = "sl", .key = "trigger", .type = V_PRICE,
	  .what = TRIGGER_WHAT, .group = "order-type",
	  .type2 = V_PRICE, .key2 = "price", .what2 = PRICE_WHAT,
	  .max = PRICE_MAX },
	{ .word = "slm", .key = "trigger", .type = V_PRICE,
	  .what = TRIGGER_WHAT, .group = "order-type", .max = PRICE_MAX },
	{ .word = "product", .type = V_ENUM, .enums = products },
	{ .word = "to", .key = "target", .type = V_TARGET },
	{ .word = "policy", .type = V_ENUM, .enums = policies },
	{ .word = "mode", .type = V_ENUM, .enums = modes },
	{ .word = "on-fail", .type = V_ENUM, .enums = on_fail },
	{ .word = "tag", .type = V_ORDER_TAG },
	{ .word = "key", .type = V_NAME, .what = "an idempotency key "
	  "([A-Za-z0-9_.-], up to 64 characters)" },
	END_OPTS
};

static const struct cmd_opt symbol_opts[] = {
	{ .word = "symbol", .type = V_SYMBOL },
	END_OPTS
};

/* A bad byte in the reason of a safety action is repaired, not refused. */
static const struct cmd_opt squareoff_opts[] = {
	{ .word = "symbol", .type = V_SYMBOL },
	{ .word = "reason", .type = V_REASON },
	END_OPTS
};

static const struct cmd_opt kill_opts[] = {
	{ .word = "reason", .type = V_REASON },
	END_OPTS
};

static const struct cmd_opt unkill_opts[] = {
	{ .word = "reason", .type = V_TEXT, .flags = OPT_REQUIRED },
	END_OPTS
};

static const struct cmd_opt orders_opts[] = {
	{ .word = "status", .type = V_ENUM, .enums = statuses },
	END_OPTS
};

static const struct cmd_opt fanouts_opts[] = {
	{ .word = "last", .type = V_INT, .what = "a whole number of fan-outs",
	  .max = 100000 },
	END_OPTS
};

static const struct cmd_opt latency_opts[] = {
	{ .word = "days", .type = V_INT, .what = "a whole number of days",
	  .max = 3660 },
	END_OPTS
};

/* A kite broker is useless without its endpoint and key. */
static int
broker_add_check(struct cmd_pstate *ps)
{
	const char	*kind = cmd_get(ps->cmd, "kind");
	int		 end = ps->toks->textend;

	if (kind == NULL || strcmp(kind, "kite") != 0)
		return 0;
	if (!cmd_has(ps->cmd, "url"))
		return cmd_perr_set(ps->err, end, "broker add with kind kite "
		    "needs \"url URL\"");
	if (!cmd_has(ps->cmd, "api-key"))
		return cmd_perr_set(ps->err, end, "broker add with kind kite "
		    "needs \"api-key KEY\"");
	return 0;
}

/* buy/sell: QTY counts lots and the order is MARKET unless told. */
static int
order_check(struct cmd_pstate *ps)
{
	if (!cmd_has(ps->cmd, "unit"))
		cmd_add_arg(ps->cmd, "unit", "lots", 0);
	if (!cmd_has(ps->cmd, "order-type"))
		cmd_add_arg(ps->cmd, "order-type", "market", 0);
	return 0;
}

/* account tag NAME +TAG -TAG ...: each word adds or removes one tag. */
static int
account_tag_extra(struct cmd_pstate *ps, const struct cmd_tok *t)
{
	struct cmd_tok	 rest;
	char		*v, shown[256];

	if (t->quoted || (t->s[0] != '+' && t->s[0] != '-')) {
		cmd_tok_show(t->s, shown, sizeof shown);
		return cmd_perr_set(ps->err, t->col, "expected +TAG or -TAG, "
		    "got \"%s\"", shown);
	}
	rest = *t;
	rest.s = t->s + 1;
	rest.col = t->col + 1;
	if (cmd_check_value(ps, V_TAG, NULL, NULL, NULL, 0, &rest, &v) != 0)
		return -1;
	cmd_add_arg(ps->cmd, t->s[0] == '+' ? "+tag" : "-tag", v, t->col);
	free(v);
	ps->nopts++;
	return 1;
}

static int
account_tag_check(struct cmd_pstate *ps)
{
	if (ps->nopts == 0)
		return cmd_perr_set(ps->err, ps->toks->textend, "account tag "
		    "needs at least one +TAG or -TAG");
	return 0;
}

/* A row of a command that parses but does not run yet (cmd_def.later). */
#define LATER		.later = 1
#define P_NAME(w)	{ .key = "name", .type = V_NAME, .what = (w) }
#define P_ID(w)		{ .key = "id", .type = V_ID, .what = (w) }
#define P_TARGET	{ .key = "target", .type = V_TARGET }
#define P_OPT_TARGET	{ .key = "target", .type = V_TARGET, .optional = 1 }

const struct cmd_def cmd_defs[] = {
	{ CMD_BROKER_ADD, "broker add",
	  "broker add NAME kind kite|paper url URL api-key KEY "
	  "[api-secret S] [access-token T]",
	  .pos = { P_NAME("a broker name") }, .opts = broker_opts,
	  .check = broker_add_check },
	{ CMD_BROKER_LIST, "broker list", "broker list",
	  .opts = NULL },
	{ CMD_BROKER_RM, "broker rm", "broker rm NAME",
	  .pos = { P_NAME("a broker name") } },
	{ CMD_ACCOUNT_ADD, "account add",
	  "account add NAME broker BROKER [user-id ID] [lots N] "
	  "[multiplier X] [capital RUPEES] [weight W] [priority N] "
	  "[max-lots N] [tags a,b,c] [api-key KEY] [access-token T] "
	  "[api-secret S]",
	  .pos = { P_NAME("an account name") }, .opts = account_add_opts },
	{ CMD_ACCOUNT_SET, "account set",
	  "account set NAME key value [key value ...]  (keys: broker user-id "
	  "lots multiplier capital weight priority max-lots tags api-key "
	  "access-token api-secret)",
	  .pos = { P_NAME("an account name") }, .opts = account_set_opts,
	  .min_opts = 1 },
	{ CMD_ACCOUNT_TAG, "account tag", "account tag NAME +TAG|-TAG ...",
	  .pos = { P_NAME("an account name") }, .extra = account_tag_extra,
	  .check = account_tag_check },
	{ CMD_ACCOUNT_ENABLE, "account enable", "account enable NAME",
	  .pos = { P_NAME("an account name") } },
	{ CMD_ACCOUNT_DISABLE, "account disable", "account disable NAME",
	  .pos = { P_NAME("an account name") } },
	{ CMD_ACCOUNT_RM, "account rm", "account rm NAME",
	  .pos = { P_NAME("an account name") } },
	{ CMD_ACCOUNT_LIST, "account list", "account list [TARGET] [--json]",
	  .pos = { P_OPT_TARGET }, .target_all = 1 },
	{ CMD_INSTRUMENTS_LOAD, "instruments load",
	  "instruments load [exchange NSE|BSE|NFO|BFO|MCX|CDS]",
	  .opts = instruments_opts },
	{ CMD_BUY, "buy",
	  "buy SYMBOL QTY [lots|units] [market | limit PRICE | "
	  "sl TRIGGER PRICE | slm TRIGGER] [product mis|nrml|cnc] "
	  "[to TARGET] [policy fixed|multiplier|equal|capital|ratio] "
	  "[mode async|sync] [on-fail best-effort|retry|all-or-none] "
	  "[tag TEXT] [key KEY] [--dry-run]",
	  .pos = { { .key = "symbol", .type = V_SYMBOL },
		   { .key = "qty", .type = V_QTY, .max = CMD_MAX_QTY } },
	  .opts = order_opts, .flags = order_flags, .target_all = 1,
	  .check = order_check },
	{ CMD_SELL, "sell",
	  "sell SYMBOL QTY [lots|units] [market | limit PRICE | "
	  "sl TRIGGER PRICE | slm TRIGGER] [product mis|nrml|cnc] "
	  "[to TARGET] [policy fixed|multiplier|equal|capital|ratio] "
	  "[mode async|sync] [on-fail best-effort|retry|all-or-none] "
	  "[tag TEXT] [key KEY] [--dry-run]",
	  .pos = { { .key = "symbol", .type = V_SYMBOL },
		   { .key = "qty", .type = V_QTY, .max = CMD_MAX_QTY } },
	  .opts = order_opts, .flags = order_flags, .target_all = 1,
	  .check = order_check },
	{ CMD_SQUAREOFF, "squareoff",
	  "squareoff TARGET [symbol SYMBOL] [reason TEXT]",
	  .pos = { P_TARGET }, .opts = squareoff_opts },
	{ CMD_CANCEL, "cancel", "cancel TARGET [symbol SYMBOL]",
	  .pos = { P_TARGET }, .opts = symbol_opts },
	{ CMD_CANCEL_ORDER, "cancel order", "cancel order ID",
	  .pos = { { .key = "id", .type = V_ORDER_ID,
		     .what = "an order id (phalanx's or the broker's)" } } },
	{ CMD_KILL, "kill", "kill TARGET [reason TEXT]",
	  .pos = { P_TARGET }, .opts = kill_opts },
	{ CMD_UNKILL, "unkill", "unkill TARGET reason TEXT",
	  .pos = { P_TARGET }, .opts = unkill_opts },
	{ CMD_POSITIONS, "positions", "positions [TARGET] [--json]",
	  .pos = { P_OPT_TARGET }, .target_all = 1 },
	{ CMD_ORDERS, "orders",
	  "orders [TARGET] [status open|done|all] [--json]",
	  .pos = { P_OPT_TARGET }, .opts = orders_opts, .target_all = 1 },
	{ CMD_FANOUTS, "fanouts", "fanouts [last N] [--json]",
	  .opts = fanouts_opts },
	{ CMD_FANOUT_SHOW, "fanout show", "fanout show ID [--json]",
	  .pos = { P_ID("a fan-out id") } },
	{ CMD_FANOUT_RESUME, "fanout resume", "fanout resume ID",
	  .pos = { P_ID("a fan-out id") } },
	{ CMD_LATENCY, "latency", "latency [TARGET] [days N] [--json]",
	  .pos = { P_OPT_TARGET }, .opts = latency_opts, .target_all = 1 },
	{ CMD_HELP, "help", "help [COMMAND]",
	  .pos = { { .key = "command", .type = V_HELP, .optional = 1 } } },
};

const size_t cmd_ndefs = nitems(cmd_defs);

/* Command families that keep their rows beside their handlers. */
static const struct {
	const struct cmd_def	*defs;
	const size_t		*n;
} cmd_families[] = {
	{ cmd_defs, &cmd_ndefs },
	{ cmd_notify_defs, &cmd_notify_ndefs },
	{ cmd_rms_defs, &cmd_rms_ndefs },
	{ cmd_incident_defs, &cmd_incident_ndefs },
	{ cmd_analytics_defs, &cmd_analytics_ndefs },
	{ cmd_export_defs, &cmd_export_ndefs },
	{ cmd_schedule_defs, &cmd_schedule_ndefs },
	{ cmd_run_defs, &cmd_run_ndefs },
	{ cmd_connector_defs, &cmd_connector_ndefs },
};

size_t
cmd_def_count(void)
{
	size_t	i, n = 0;

	for (i = 0; i < nitems(cmd_families); i++)
		n += *cmd_families[i].n;
	return n;
}

const struct cmd_def *
cmd_def_at(size_t at)
{
	size_t	i;

	for (i = 0; i < nitems(cmd_families); i++) {
		if (at < *cmd_families[i].n)
			return &cmd_families[i].defs[at];
		at -= *cmd_families[i].n;
	}
	return NULL;
}

const struct cmd_def *
cmd_def_of(enum cmd_kind kind)
{
	size_t	i, n = cmd_def_count();

	for (i = 0; i < n; i++) {
		if (cmd_def_at(i)->kind == kind)
			return cmd_def_at(i);
	}
	return NULL;
}

const char *
cmd_usage(enum cmd_kind kind)
{
	const struct cmd_def	*d = cmd_def_of(kind);

	return d != NULL ? d->usage : NULL;
}

int
cmd_built(enum cmd_kind kind)
{
	const struct cmd_def	*d = cmd_def_of(kind);

	return d != NULL && !d->later;
}

const char *
cmd_name(enum cmd_kind kind)
{
	const struct cmd_def	*d = cmd_def_of(kind);

	return d != NULL ? d->name : NULL;
}

static void
words_add(const char **v, size_t *n, size_t max, const char *w)
{
	size_t	i;

	for (i = 0; i < *n; i++) {
		if (strcmp(v[i], w) == 0)
			return;
	}
	if (*n + 1 < max)
		v[(*n)++] = w;
}

static void
words_add_enums(const char **v, size_t *n, size_t max,
    const char *const *e)
{
	for (; e != NULL && *e != NULL; e++)
		words_add(v, n, max, *e);
}

static int
words_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Every word completion may offer: command words, option keywords, flags
 * and enum values of the commands that are built, sorted.  The words of
 * a command name are split into
 * a static pool once; the table never changes after that.
 */
const char *const *
cmd_words(void)
{
	static const char	*v[512];
	static char		 pool[1024];
	static size_t		 n;
	size_t			 i, j, used = 0, len;
	const char		*p, *sp;
	const struct cmd_def	*d;

	if (n != 0)
		return v;
	for (i = 0; i < cmd_def_count(); i++) {
		d = cmd_def_at(i);
		if (d->later)
			continue;
		for (p = d->name; *p != '\0'; p = *sp ? sp + 1 : sp) {
			sp = strchr(p, ' ');
			if (sp == NULL)
				sp = p + strlen(p);
			len = (size_t)(sp - p);
			if (used + len + 1 > sizeof pool)
				break;
			memcpy(pool + used, p, len);
			pool[used + len] = '\0';
			words_add(v, &n, nitems(v), pool + used);
			if (v[n - 1] == pool + used)
				used += len + 1;
		}
		for (j = 0; d->opts != NULL && d->opts[j].word != NULL; j++) {
			words_add(v, &n, nitems(v), d->opts[j].word);
			words_add_enums(v, &n, nitems(v), d->opts[j].enums);
		}
		for (j = 0; j < nitems(d->pos); j++)
			words_add_enums(v, &n, nitems(v), d->pos[j].enums);
	}
	words_add(v, &n, nitems(v), "all");
	words_add(v, &n, nitems(v), "group:");
	words_add(v, &n, nitems(v), "acct:");
	words_add(v, &n, nitems(v), "--json");
	words_add(v, &n, nitems(v), "--dry-run");
	qsort(v, n, sizeof v[0], words_cmp);
	v[n] = NULL;
	return v;
}
