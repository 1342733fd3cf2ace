/*
 * The table of known keys: lookup by name, a type's description for
 * `phalanx config`, and the "did you mean" for a mistyped key.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/config_int.h"

const struct config_key config_table[] = {
	{ "store.dsn", CONFIG_STRING, "", 0, 0, NULL, CONFIG_F_SECRET,
	  "PostgreSQL connection string (URI or key=value); empty runs the "
	  "private cluster under store.home" },
	{ "store.home", CONFIG_PATH, NULL, 0, 0, NULL, CONFIG_F_NONEMPTY,
	  "directory for the private cluster, master key and journal" },
	{ "store.connect_timeout_ms", CONFIG_DURATION, "5000", 100, 600000,
	  NULL, 0, "how long to wait for PostgreSQL to accept a connection" },
	{ "store.prepare", CONFIG_BOOL, "true", 0, 0, NULL, 0,
	  "statements sent twice are prepared on each connection and then "
	  "only bound and executed; false behind a pooler in transaction "
	  "mode" },
	{ "log.file", CONFIG_PATH, "", 0, 0, NULL, 0,
	  "JSON-lines log file; empty sends warnings and errors to stderr" },
	{ "log.level", CONFIG_ENUM, "info", 0, 0, "debug|info|warn|error", 0,
	  "least severe level that is logged" },
	{ "ui.ascii", CONFIG_TRISTATE, "auto", 0, 0, NULL, 0,
	  "ASCII instead of box-drawing and braille glyphs; auto follows "
	  "the locale" },
	{ "ui.colors", CONFIG_ENUM, "auto", 0, 0, "auto|256|8|mono", 0,
	  "colour palette; auto follows the terminal" },
	{ "ui.refresh_hz", CONFIG_INT, "15", 1, 30, NULL, 0,
	  "most screen redraws per second" },
	{ "broker.timeout_ms", CONFIG_DURATION, "5000", 100, 120000, NULL, 0,
	  "time allowed for one broker API request" },
	{ "broker.market_protection", CONFIG_INT, "-1", -1, 100, NULL,
	  CONFIG_F_NONZERO,
	  "market order protection in percent; -1 lets the broker choose" },
	{ "broker.algo_id", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "exchange algo ID tagged on every order; empty uses firm.algo_id" },
	{ "broker.lean_http", CONFIG_BOOL, "true", 0, 0, NULL, 0,
	  "orders written by phalanx's own HTTP/1.1 sender on connections "
	  "libcurl opened (TLS included); false sends all through libcurl" },
	{ "broker.ca_file", CONFIG_PATH, "", 0, 0, NULL, 0,
	  "PEM file of the CA certificates trusted for the brokers' HTTPS, "
	  "instead of the system's; empty trusts the system's" },
	{ "exec.rate_per_sec", CONFIG_INT, "10", 1, 1000, NULL, 0,
	  "orders per second per account (SEBI threshold: 10)" },
	{ "exec.mtm_ms", CONFIG_DURATION, "2000", 0, 3600000, NULL, 0,
	  "how often the console and daemon mark open positions to market; "
	  "0 turns it off" },
	{ "exec.settle_ms", CONFIG_DURATION, "3000", 0, 600000, NULL, 0,
	  "how long a fan-out watches each order after the broker's ack" },
	{ "exec.poll_ms", CONFIG_DURATION, "100", 10, 60000, NULL, 0,
	  "how often a watched order's status is asked for" },
	{ "exec.retry_max", CONFIG_INT, "4", 0, 20, NULL, 0,
	  "attempts per order under on-fail retry (and after HTTP 429)" },
	{ "exec.reconcile_deadline_ms", CONFIG_DURATION, "10000", 0, 600000,
	  NULL, 0,
	  "how long an unclear order outcome is looked for in the broker's "
	  "order book, retrying with backoff, before it is reported "
	  "unconfirmed" },
	{ "exec.reconcile_s", CONFIG_INT, "30", 0, 86400, NULL, 0,
	  "seconds between reconciliations with the brokers' order books "
	  "in the daemon and console; 0: only at start" },
	{ "exec.default_mode", CONFIG_ENUM, "async", 0, 0, "async|sync", 0,
	  "fan-out mode when a command names none" },
	{ "exec.default_policy", CONFIG_ENUM, "fixed", 0, 0,
	  "fixed|multiplier|equal|capital|ratio", 0,
	  "lot allocation policy when a command names none" },
	{ "exec.default_on_fail", CONFIG_ENUM, "best-effort", 0, 0,
	  "best-effort|retry|all-or-none", 0,
	  "failure policy when a command names none" },
	{ "exec.default_product", CONFIG_ENUM, "mis", 0, 0, "mis|nrml|cnc", 0,
	  "product when a command names none" },
	{ "serve.listen", CONFIG_HOSTPORT, "127.0.0.1:8787", 0, 0, NULL, 0,
	  "address of the webhook, postback and /metrics listener" },
	{ "serve.postback_queue", CONFIG_INT, "256", 1, 100000, NULL, 0,
	  "postbacks handled at once; more are answered 503 at once" },
	{ "metrics.account_labels", CONFIG_BOOL, "false", 0, 0, NULL, 0,
	  "label ack latency in /metrics by account too (one series each)" },
	{ "hook.accept_depth", CONFIG_INT, "2", 1, 16, NULL, 0,
	  "webhook accept batches at the store at once (pipeline mode); "
	  "1 sends each after the previous one's answer" },
	{ "hook.dedupe_s", CONFIG_INT, "60", 0, 86400, NULL, 0,
	  "seconds within which a webhook payload identical to an earlier "
	  "one is stored as DUPLICATE and not run" },
	{ "hook.dedupe_id_s", CONFIG_INT, "86400", 0, 31536000, NULL, 0,
	  "seconds within which a signal with the id of an earlier one from "
	  "the same connector is a DUPLICATE" },
	{ "hook.parallel", CONFIG_INT, "32", 1, 1000, NULL, 0,
	  "webhook signals the daemon executes at once" },
	{ "hook.execute", CONFIG_BOOL, "true", 0, 0, NULL, 0,
	  "whether the daemon executes webhook signals; false only stores "
	  "and queues them for the other daemons on the store" },
	{ "hook.poll_ms", CONFIG_DURATION, "500", 20, 600000, NULL, 0,
	  "how often the daemon reloads connectors and looks for queued "
	  "signals besides running its own at once" },
	{ "sim.listen", CONFIG_HOSTPORT, "127.0.0.1:8788", 0, 0, NULL, 0,
	  "address the simulator serves the Kite API on; port 0 picks one" },
	{ "notify.worker", CONFIG_BOOL, "true", 0, 0, NULL, 0,
	  "whether phalanx serve and the console run a notification "
	  "delivery worker (several are safe: each row goes to one)" },
	{ "notify.telegram_url", CONFIG_STRING, "https://api.telegram.org",
	  0, 0, NULL, CONFIG_F_NONEMPTY,
	  "Telegram Bot API base URL for channels that give no url" },
	{ "notify.poll_ms", CONFIG_DURATION, "1000", 50, 600000, NULL, 0,
	  "how often the delivery worker looks for due notifications "
	  "besides being woken by NOTIFY" },
	{ "notify.timeout_ms", CONFIG_DURATION, "10000", 100, 120000, NULL, 0,
	  "time allowed for one notification send (HTTP or SMTP)" },
	{ "notify.max_attempts", CONFIG_INT, "6", 1, 100, NULL, 0,
	  "attempts per delivery before it is FAILED with its last error" },
	{ "notify.backoff_ms", CONFIG_DURATION, "2000", 10, 3600000, NULL, 0,
	  "wait before the first retry; doubled for each further one" },
	{ "notify.backoff_max_ms", CONFIG_DURATION, "300000", 10, 86400000,
	  NULL, 0, "longest wait between two attempts" },
	{ "notify.batch", CONFIG_INT, "32", 1, 1000, NULL, 0,
	  "deliveries one worker holds at once" },
	{ "schedule.enabled", CONFIG_BOOL, "true", 0, 0, NULL, 0,
	  "whether phalanx serve runs the scheduler (one at a time, by an "
	  "advisory lock) and evaluates alert rules" },
	{ "schedule.tick_ms", CONFIG_DURATION, "1000", 50, 60000, NULL, 0,
	  "how often the scheduler looks for due fires, queued runs and "
	  "alert rules" },
	{ "schedule.test_clock", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "tests and demos only: the scheduler's clock starts at this IST "
	  "time (YYYY-MM-DDTHH:MM[:SS]) and runs SPEED times faster when "
	  "followed by \"*SPEED\"; empty is the real clock" },
	{ "rms.signoff_users", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "operators (OS users, comma-separated) who may sign off incidents; "
	  "empty lets nobody" },
	{ "rms.quote_stale_s", CONFIG_INT, "30", 1, 3600, NULL, 0,
	  "seconds after which a quote is stale: monitors alert instead of "
	  "judging MTM on it" },
	{ "rms.monitor_ms", CONFIG_DURATION, "1000", 50, 600000, NULL, 0,
	  "how often the RMS reloads limits and positions and, in the process "
	  "holding the RMS duty, marks to market and runs the monitors" },
	{ "rms.hedge_steps", CONFIG_INT, "2", 0, 50, NULL, 0,
	  "strikes out of the money of the options a hedge response buys" },
	{ "firm.name", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "firm name in report compliance headers" },
	{ "firm.algo_id", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "exchange algo ID in report headers and the default for "
	  "broker.algo_id" },
	{ "analytics.snapshot_s", CONFIG_INT, "60", 0, 86400, NULL, 0,
	  "seconds between equity snapshots taken by the one owner process "
	  "(serve, else a console); 0: only at fills" },
	{ "analytics.retention_days", CONFIG_INT, "90", 0, 36500, NULL, 0,
	  "days of raw equity points and 1-minute rollups kept; 0 keeps "
	  "them forever" },
	{ "analytics.sla_ack_ms", CONFIG_INT, "500", 1, 600000, NULL, 0,
	  "broker acknowledgement time the sla report measures against" },
	{ "report.member_code", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "the firm's exchange trading member (broker) code in report "
	  "compliance headers" },
	{ "report.algo_ids", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "further exchange algo IDs (comma-separated) named in report "
	  "headers beside firm.algo_id and broker.algo_id" },
	{ "report.dir", CONFIG_PATH, ".", 0, 0, NULL, CONFIG_F_NONEMPTY,
	  "directory an export is written to when it names no destination" },
	{ "report.email_channel", CONFIG_STRING, "", 0, 0, NULL, 0,
	  "e-mail channel (channel add ... kind email) whose SMTP server "
	  "sends \"export ... email ADDRESS\"; empty: the only e-mail "
	  "channel" },
	{ "report.http_timeout_ms", CONFIG_DURATION, "30000", 100, 600000,
	  NULL, 0, "time allowed to POST a report to \"export ... http URL\"" },
};
_Static_assert(nitems(config_table) == CONFIG_NKEYS,
    "CONFIG_NKEYS must count config_table");

const struct config_key *
config_keys(size_t *n)
{
	*n = CONFIG_NKEYS;
	return config_table;
}

int
config_index(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_table[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

const struct config_key *
config_key_find(const char *name)
{
	int	i;

	if ((i = config_index(name)) == -1)
		return NULL;
	return &config_table[i];
}

void
config_range_text(const struct config_key *k, char *buf, size_t len)
{
	if (k->flags & CONFIG_F_NONZERO && k->min == -1)
		snprintf(buf, len, "-1 or 1..%lld", k->max);
	else
		snprintf(buf, len, "%lld..%lld", k->min, k->max);
}

char *
config_key_type_text(const struct config_key *k)
{
	char	range[64];

	switch (k->type) {
	case CONFIG_STRING:
		return xstrdup("string");
	case CONFIG_PATH:
		return xstrdup("path");
	case CONFIG_INT:
		config_range_text(k, range, sizeof range);
		return xasprintf("int %s", range);
	case CONFIG_BOOL:
		return xstrdup("bool");
	case CONFIG_TRISTATE:
		return xstrdup("bool|auto");
	case CONFIG_ENUM:
		return xstrdup(k->choices);
	case CONFIG_DURATION:
		return xasprintf("duration %lld..%lld ms", k->min, k->max);
	case CONFIG_HOSTPORT:
		return xstrdup("host:port");
	}
	return xstrdup("?");
}

/* Edit distance, for "did you mean"; names are short. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t	la, lb, i, j, row[65], prev, cur;

	la = strlen(a);
	lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[lb];
}

/*
 * The known key a mistyped one most likely meant: a close spelling, or the
 * same name in another section, or a bare name given without its section.
 */
const char *
config_suggest(const char *name)
{
	const char	*best = NULL, *dot, *kdot;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		d = config_distance(name, config_table[i].name);
		if (d < bestd) {
			bestd = d;
			best = config_table[i].name;
		}
	}
	if (best != NULL)
		return best;
	dot = strrchr(name, '.');
	dot = (dot == NULL) ? name : dot + 1;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		kdot = strrchr(config_table[i].name, '.') + 1;
		if (strcmp(dot, kdot) == 0)
			return config_table[i].name;
	}
	return NULL;
}
