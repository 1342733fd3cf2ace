/*
 * The notification commands, grammar and handlers together:
 *   channel add|list|rm|test, notify rule add|list|rm, notify send,
 *   alerts, alert show|retry.
 * Channels and rules are rows (store_notify.h); "notify send" writes to
 * the outbox like any other cause and returns at once: the delivery
 * worker of `phalanx serve` sends.  "channel test" alone sends directly,
 * so an operator sees at once whether the channel works.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/cmd_int.h"
#include "cmd/dispatch_int.h"
#include "db/store_notify.h"
#include "notify/notify.h"

static const char *const channel_kinds[] = { "telegram", "sms", "email",
	"webhook", NULL };
static const char *const sms_formats[] = { "twilio", "json", NULL };
static const char *const tls_modes[] = { "starttls", "none", NULL };
static const char *const severities[] = { "info", "warning", "critical",
	NULL };
static const char *const sources[] = { "rms", "workflow", "report",
	"operator", NULL };

#define END_OPTS	{ .word = NULL }

static const struct cmd_opt channel_opts[] = {
	{ .word = "kind", .type = V_ENUM, .enums = channel_kinds,
	  .flags = OPT_REQUIRED },
	{ .word = "url", .type = V_URL },
	{ .word = "bot-token", .type = V_SECRET, .what = "a Telegram bot "
	  "token" },
	{ .word = "chat-id", .type = V_TEXT, .what = "a Telegram chat id" },
	{ .word = "secret", .type = V_SECRET, .what = "a webhook secret" },
	{ .word = "smtp", .type = V_TEXT, .what = "an smtp:// or smtps:// "
	  "URL" },
	{ .word = "from", .type = V_TEXT, .what = "a sender" },
	{ .word = "to", .type = V_TEXT, .what = "a recipient list" },
	{ .word = "user", .type = V_TEXT, .what = "a user name" },
	{ .word = "password", .type = V_SECRET, .what = "a password" },
	{ .word = "auth-token", .type = V_SECRET, .what = "an auth token" },
	{ .word = "format", .type = V_ENUM, .enums = sms_formats },
	{ .word = "template", .type = V_TEXT, .what = "a JSON body template" },
	{ .word = "sender-id", .type = V_NAME, .what = "a DLT sender id" },
	{ .word = "dlt-template-id", .type = V_NAME,
	  .what = "a DLT template id" },
	{ .word = "dlt-entity-id", .type = V_NAME,
	  .what = "a DLT entity id" },
	{ .word = "segments", .type = V_INT,
	  .what = "a number of SMS segments (1-10)" },
	{ .word = "auth-header", .type = V_NAME,
	  .what = "an HTTP header name" },
	{ .word = "tls", .type = V_ENUM, .enums = tls_modes },
	{ .word = "ca-file", .type = V_PATH },
	{ .word = "rate", .type = V_INT,
	  .what = "messages per minute (1-6000)" },
	END_OPTS
};

static const struct cmd_opt rule_opts[] = {
	{ .word = "when", .key = "severity", .type = V_ENUM,
	  .enums = severities, .flags = OPT_REQUIRED },
	{ .word = "source", .type = V_ENUM, .enums = sources },
	{ .word = "scope", .key = "target", .type = V_TARGET },
	{ .word = "to", .key = "channels", .type = V_TEXT,
	  .what = "a comma list of channel names", .flags = OPT_REQUIRED },
	{ .word = "quiet", .type = V_TEXT, .what = "quiet hours HH:MM-HH:MM "
	  "(IST)" },
	END_OPTS
};

static const struct cmd_opt send_opts[] = {
	{ .word = "title", .type = V_TEXT },
	{ .word = "source", .type = V_ENUM, .enums = sources },
	{ .word = "scope", .key = "target", .type = V_TARGET },
	{ .word = "to", .key = "channels", .type = V_TEXT,
	  .what = "a comma list of channel names" },
	{ .word = "ref", .type = V_TEXT, .what = "a reference (incident id)" },
	{ .word = "attach", .type = V_PATH },
	END_OPTS
};

static const struct cmd_opt alerts_opts[] = {
	{ .word = "last", .type = V_INT, .what = "a whole number of alerts" },
	{ .word = "failed", .type = V_NONE, .group = "failed" },
	END_OPTS
};

/* Which options each kind of channel takes; "rate" fits every kind. */
static const struct {
	const char	*kind;
	const char	*opts;		/* space-separated, with spaces around */
	const char	*needs;
} channel_rules[] = {
	{ "telegram", " url bot-token chat-id rate ", "bot-token chat-id" },
	{ "webhook", " url secret rate ", "url" },
	{ "sms", " url user auth-token from to format template sender-id "
	  "dlt-template-id dlt-entity-id segments auth-header rate ",
	  "url to" },
	{ "email", " smtp from to user password tls ca-file rate ",
	  "smtp from to" },
};

static int
arg_col(struct cmd_pstate *ps, const char *key)
{
	const struct cmd_arg	*a = cmd_find_arg(ps->cmd, key);

	return a != NULL ? a->col : ps->toks->textend;
}

static int
bad(struct cmd_pstate *ps, const char *key, const char *what)
{
	char	shown[256];

	cmd_tok_show(cmd_get(ps->cmd, key), shown, sizeof shown);
	return cmd_perr_set(ps->err, arg_col(ps, key), "expected %s for "
	    "\"%s\", got \"%s\"", what, key, shown);
}

/* local@domain with nothing a header or an SMTP command could abuse. */
int
cmd_email_ok(const char *s)
{
	const char	*at = strchr(s, '@');
	size_t		 i;

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(s) > 254)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("<>()[]\\,;:\"", s[i]) != NULL)
			return 0;
	}
	return 1;
}

/* +919812345678: an optional +, then 6 to 15 digits. */
static int
phone_ok(const char *s)
{
	size_t	n;

	if (*s == '+')
		s++;
	for (n = 0; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]))
			return 0;
	}
	return n >= 6 && n <= 15;
}

/* Each comma-separated element passes ok; at most max of them. */
static int
list_ok(const char *s, int (*ok)(const char *), size_t max)
{
	char	*copy = xstrdup(s), *p, *e, *save = NULL;
	size_t	 n = 0;
	int	 good = s[0] != '\0' && s[0] != ',' &&
		    s[strlen(s) - 1] != ',' && strstr(s, ",,") == NULL;

	for (p = strtok_r(copy, ",", &save); p != NULL && good;
	    p = strtok_r(NULL, ",", &save)) {
		e = p;
		good = ok(e) && ++n <= max;
	}
	free(copy);
	return good && n > 0;
}

static int
name_ok(const char *s)
{
	return cmd_chars_ok(s, "_.-", 64) && isalnum((unsigned char)s[0]);
}

static int
chat_ok(const char *s)
{
	size_t	n;

	if (s[0] == '@') {
		for (n = 1; s[n] != '\0'; n++) {
			if (!isalnum((unsigned char)s[n]) && s[n] != '_')
				return 0;
		}
		return n >= 6 && n <= 33;
	}
	if (s[0] == '-')
		s++;
	for (n = 0; s[n] != '\0'; n++) {
		if (!isdigit((unsigned char)s[n]))
			return 0;
	}
	return n >= 1 && n <= 20;
}

/* A template must be JSON once its placeholders are filled. */
static int
template_ok(const char *tpl)
{
	struct strbuf	 b;
	const char	*p, *end;
	json_t		*j;

	strbuf_init(&b);
	for (p = tpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] == '{' &&
		    (end = strstr(p + 2, "}}")) != NULL) {
			strbuf_puts(&b, "x");
			p = end + 1;
		} else
			strbuf_putc(&b, *p);
	}
	j = json_loads(b.s != NULL ? b.s : "", 0, NULL);
	strbuf_free(&b);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	json_decref(j);
	return 1;
}

static int
channel_kind_check(struct cmd_pstate *ps, size_t k)
{
	const char	*kind = channel_rules[k].kind;
	char		 need[64], *w, *save = NULL, key[40];
	size_t		 i;

	for (i = 0; i < ps->cmd->nargs; i++) {
		const char *a = ps->cmd->args[i].key;

		if (strcmp(a, "name") == 0 || strcmp(a, "kind") == 0 ||
		    strcmp(a, "json") == 0)
			continue;
		snprintf(key, sizeof key, " %s ", a);
		if (strstr(channel_rules[k].opts, key) == NULL)
			return cmd_perr_set(ps->err, ps->cmd->args[i].col,
			    "option \"%s\" does not apply to a %s channel "
			    "(it takes:%.*s)", a, kind,
			    (int)strlen(channel_rules[k].opts) - 1,
			    channel_rules[k].opts);
	}
	snprintf(need, sizeof need, "%s", channel_rules[k].needs);
	for (w = strtok_r(need, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if (!cmd_has(ps->cmd, w))
			return cmd_perr_set(ps->err, ps->toks->textend,
			    "a %s channel needs \"%s\"", kind, w);
	}
	return 0;
}

/* user:password@ in a URL would be stored and shown in clear. */
static int
url_has_userinfo(const char *url)
{
	const char	*p = url != NULL ? strstr(url, "://") : NULL;
	size_t		 n;

	if (p == NULL)
		return 0;
	p += 3;
	n = strcspn(p, "/?#");
	return memchr(p, '@', n) != NULL;
}

static int
channel_values_check(struct cmd_pstate *ps)
{
	const char	*kind = cmd_get(ps->cmd, "kind"), *v;
	int		 twilio;

	if (url_has_userinfo(cmd_get(ps->cmd, "url")))
		return cmd_perr_set(ps->err, arg_col(ps, "url"), "expected a "
		    "URL without user:password@ for \"url\" (credentials go "
		    "in user and auth-token, which are stored encrypted)");
	if (url_has_userinfo(cmd_get(ps->cmd, "smtp")))
		return cmd_perr_set(ps->err, arg_col(ps, "smtp"), "expected a "
		    "URL without user:password@ for \"smtp\" (credentials go "
		    "in user and password, which are stored encrypted)");

	if ((v = cmd_get(ps->cmd, "chat-id")) != NULL && !chat_ok(v))
		return bad(ps, "chat-id", "a chat id (-?digits or @channel)");
	if ((v = cmd_get(ps->cmd, "smtp")) != NULL &&
	    ((strncasecmp(v, "smtp://", 7) != 0 &&
	    strncasecmp(v, "smtps://", 8) != 0) || strchr(v, ' ') != NULL ||
	    strlen(v) < 9))
		return bad(ps, "smtp", "an smtp:// or smtps:// URL");
	if ((v = cmd_get(ps->cmd, "segments")) != NULL &&
	    (atoi(v) < 1 || atoi(v) > 10))
		return bad(ps, "segments", "1 to 10 SMS segments");
	if ((v = cmd_get(ps->cmd, "rate")) != NULL &&
	    (atoi(v) < 1 || atoi(v) > 6000))
		return bad(ps, "rate", "1 to 6000 messages per minute");
	if ((v = cmd_get(ps->cmd, "template")) != NULL && !template_ok(v))
		return bad(ps, "template", "a JSON object with {{text}}-style "
		    "placeholders");
	if ((v = cmd_get(ps->cmd, "user")) != NULL &&
	    !cmd_chars_ok(v, "_.-@+", 128))
		return bad(ps, "user", "a user name ([A-Za-z0-9_.-@+])");
	if (strcmp(kind, "email") == 0) {
		if (!cmd_email_ok(cmd_get(ps->cmd, "from")))
			return bad(ps, "from", "an e-mail address");
		if (!list_ok(cmd_get(ps->cmd, "to"), cmd_email_ok, 20))
			return bad(ps, "to", "1 to 20 e-mail addresses, "
			    "comma-separated");
		if (cmd_has(ps->cmd, "password") && !cmd_has(ps->cmd, "user"))
			return cmd_perr_set(ps->err, arg_col(ps, "password"),
			    "\"password\" needs \"user\"");
		return 0;
	}
	if (strcmp(kind, "sms") != 0)
		return 0;
	v = cmd_get(ps->cmd, "format");
	twilio = v == NULL || strcmp(v, "twilio") == 0;
	if (!list_ok(cmd_get(ps->cmd, "to"), phone_ok, twilio ? 1 : 100))
		return bad(ps, "to", twilio ? "one phone number (+ and 6-15 "
		    "digits; a twilio channel sends to one number)" :
		    "phone numbers, comma-separated");
	if ((v = cmd_get(ps->cmd, "from")) != NULL &&
	    !cmd_chars_ok(v, "+", 16))
		return bad(ps, "from", "a sender number or id");
	if (twilio && (!cmd_has(ps->cmd, "from") ||
	    !cmd_has(ps->cmd, "user") || !cmd_has(ps->cmd, "auth-token")))
		return cmd_perr_set(ps->err, ps->toks->textend, "a twilio sms "
		    "channel needs \"from\", \"user\" (account SID) and "
		    "\"auth-token\"");
	return 0;
}

static int
channel_add_check(struct cmd_pstate *ps)
{
	const char	*kind = cmd_get(ps->cmd, "kind");
	size_t		 k;

	for (k = 0; k < nitems(channel_rules); k++) {
		if (kind != NULL && strcmp(channel_rules[k].kind, kind) == 0)
			break;
	}
	if (k == nitems(channel_rules))
		return 0;
	if (channel_kind_check(ps, k) != 0)
		return -1;
	return channel_values_check(ps);
}

/* HH:MM-HH:MM, two different times. */
static int
quiet_ok(const char *s, char start[16], char end[16])
{
	static const char	shape[] = "dd:dd-dd:dd";
	size_t			i;

	if (strlen(s) != 11)
		return 0;
	for (i = 0; i < 11; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	}
	if (atoi(s) > 23 || atoi(s + 3) > 59 || atoi(s + 6) > 23 ||
	    atoi(s + 9) > 59 || strncmp(s, s + 6, 5) == 0)
		return 0;
	memcpy(start, s, 5);
	start[5] = '\0';
	memcpy(end, s + 6, 5);
	end[5] = '\0';
	return 1;
}

static int
rule_add_check(struct cmd_pstate *ps)
{
	const char	*q = cmd_get(ps->cmd, "quiet");
	char		 a[16], b[16];

	if (!list_ok(cmd_get(ps->cmd, "channels"), name_ok, 32))
		return bad(ps, "channels", "a comma list of channel names");
	if (q != NULL && !quiet_ok(q, a, b))
		return bad(ps, "quiet", "quiet hours HH:MM-HH:MM (IST), two "
		    "different times");
	return 0;
}

static int
send_check(struct cmd_pstate *ps)
{
	const char	*v;

	if ((v = cmd_get(ps->cmd, "channels")) != NULL &&
	    !list_ok(v, name_ok, 32))
		return bad(ps, "channels", "a comma list of channel names");
	if ((v = cmd_get(ps->cmd, "ref")) != NULL && strlen(v) > 64)
		return bad(ps, "ref", "a reference of at most 64 bytes");
	if ((v = cmd_get(ps->cmd, "title")) != NULL && strlen(v) > 200)
		return bad(ps, "title", "a title of at most 200 bytes");
	return 0;
}

#define P_NAME(w)	{ .key = "name", .type = V_NAME, .what = (w) }
#define P_ID(w)		{ .key = "id", .type = V_ID, .what = (w) }

const struct cmd_def cmd_notify_defs[] = {
	{ CMD_CHANNEL_ADD, "channel add",
	  "channel add NAME kind telegram|sms|email|webhook "
	  "[url URL] [bot-token T chat-id C] [secret S] "
	  "[smtp URL from ADDRESS to ADDRESS[,...] [user U password P] "
	  "[tls starttls|none] [ca-file PATH]] "
	  "[from N to N [user SID auth-token T] [format twilio|json] "
	  "[template JSON] [sender-id ID] [dlt-template-id ID] "
	  "[dlt-entity-id ID] [segments N] [auth-header NAME]] [rate N]",
	  .pos = { P_NAME("a channel name") }, .opts = channel_opts,
	  .check = channel_add_check },
	{ CMD_CHANNEL_LIST, "channel list", "channel list [--json]",
	  .opts = NULL },
	{ CMD_CHANNEL_RM, "channel rm", "channel rm NAME",
	  .pos = { P_NAME("a channel name") } },
	{ CMD_CHANNEL_TEST, "channel test", "channel test NAME",
	  .pos = { P_NAME("a channel name") } },
	{ CMD_NOTIFY_RULE_ADD, "notify rule add",
	  "notify rule add NAME when info|warning|critical "
	  "[source rms|workflow|report|operator] [scope TARGET] "
	  "to CHANNEL[,CHANNEL] [quiet HH:MM-HH:MM]",
	  .pos = { P_NAME("a rule name") }, .opts = rule_opts,
	  .check = rule_add_check },
	{ CMD_NOTIFY_RULE_LIST, "notify rule list",
	  "notify rule list [--json]", .opts = NULL },
	{ CMD_NOTIFY_RULE_RM, "notify rule rm", "notify rule rm NAME",
	  .pos = { P_NAME("a rule name") } },
	{ CMD_NOTIFY_SEND, "notify send",
	  "notify send info|warning|critical TEXT [title TEXT] "
	  "[source rms|workflow|report|operator] [scope TARGET] "
	  "[to CHANNEL[,CHANNEL]] [ref REF] [attach PATH]",
	  .pos = { { .key = "severity", .type = V_ENUM, .enums = severities },
		   { .key = "text", .type = V_TEXT, .what = "the message" } },
	  .opts = send_opts, .check = send_check },
	{ CMD_ALERTS, "alerts", "alerts [last N] [failed] [--json]",
	  .opts = alerts_opts },
	{ CMD_ALERT_SHOW, "alert show", "alert show ID [--json]",
	  .pos = { P_ID("an alert id") } },
	{ CMD_ALERT_RETRY, "alert retry", "alert retry ID",
	  .pos = { P_ID("an alert id") } },
};

const size_t cmd_notify_ndefs = nitems(cmd_notify_defs);

/* Handlers --------------------------------------------------------- */

static const char *const channel_columns[] = {
	"name", "kind", "url", "dest", "secret", "rate_per_min", "rules",
	"pending", "failed", "paused_until", NULL
};

/* Where a channel's messages end up, for people. */
static void
channel_dest(json_t *row)
{
	json_t		*cfg = json_object_get(row, "config"), *to;
	const char	*chat = json_string_value(json_object_get(cfg,
			    "chat_id"));

	to = json_object_get(cfg, "to");
	if (chat != NULL)
		json_object_set_new(row, "dest", json_string(chat));
	else if (json_is_array(to) || json_is_string(to))
		json_object_set(row, "dest", to);
	else
		json_object_set_new(row, "dest", json_null());
	json_object_set_new(row, "secret", json_is_true(json_object_get(row,
	    "secret")) ? json_string("****") : json_null());
}

static void
channel_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct err	 e;
	json_t		*row;

	if (err != NULL) {
		store_explain(err, "channel", cmd_get(job->cmd, "name"), &e);
		cmd_fail(job, &e);
		return;
	}
	row = json_deep_copy(json_array_get(rows, 0));
	channel_dest(row);
	job->res.data = row;
	job->res.text = xasprintf("channel %s added (%s)\n",
	    cmd_get(job->cmd, "name"), cmd_get(job->cmd, "kind"));
	cmd_done(job);
}

static void
cfg_str(json_t *cfg, const struct cmd *c, const char *word, const char *key)
{
	const char	*v = cmd_get(c, word);

	if (v != NULL)
		json_object_set_new(cfg, key, json_string(v));
}

static json_t *
split_list(const char *s)
{
	json_t	*a = json_array();
	char	*copy = xstrdup(s), *p, *save = NULL;

	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(p));
	free(copy);
	return a;
}

static const char *const secret_words[] = { "bot-token", "secret",
	"auth-token", "password" };

static void
cmd_channel_add(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct store_channel	 ch;
	struct store_actor	 a = cmd_actor(job);
	const char		*kind = cmd_get(c, "kind");
	char			*enc = NULL;
	json_t			*cfg;
	size_t			 i;

	for (i = 0; i < nitems(secret_words) && enc == NULL; i++) {
		if (cmd_encrypt(job, secret_words[i], &enc) != 0)
			return;
	}
	cfg = json_object();
	cfg_str(cfg, c, "chat-id", "chat_id");
	cfg_str(cfg, c, "from", "from");
	cfg_str(cfg, c, "user", "user");
	cfg_str(cfg, c, "format", "format");
	cfg_str(cfg, c, "template", "template");
	cfg_str(cfg, c, "sender-id", "sender_id");
	cfg_str(cfg, c, "dlt-template-id", "dlt_template_id");
	cfg_str(cfg, c, "dlt-entity-id", "dlt_entity_id");
	cfg_str(cfg, c, "auth-header", "auth_header");
	cfg_str(cfg, c, "tls", "tls");
	cfg_str(cfg, c, "ca-file", "ca_file");
	if (cmd_has(c, "segments"))
		json_object_set_new(cfg, "segments", json_integer(
		    cmd_get_int(c, "segments", 1)));
	if (cmd_has(c, "to")) {
		if (strcmp(kind, "email") == 0)
			json_object_set_new(cfg, "to", split_list(
			    cmd_get(c, "to")));
		else
			cfg_str(cfg, c, "to", "to");
	}
	memset(&ch, 0, sizeof ch);
	ch.name = cmd_get(c, "name");
	ch.kind = kind;
	ch.url = cmd_get(c, strcmp(kind, "email") == 0 ? "smtp" : "url");
	if (ch.url == NULL)
		ch.url = config_str(job->env->cfg, "notify.telegram_url");
	ch.config = cfg;
	ch.secret_enc = enc;
	ch.rate_per_min = (int)cmd_get_int(c, "rate",
	    strcmp(kind, "telegram") == 0 ? 60 :
	    strcmp(kind, "webhook") == 0 ? 600 : 30);
	store_channel_add(job->env->store, &ch, &a, channel_added, job);
	json_decref(cfg);
	free(enc);
}

static void
channel_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, channel_columns, channel_dest);
}

static void
cmd_channel_list(struct cmd_job *job)
{
	store_channel_list(job->env->store, channel_listed, job);
}

static void
channel_removed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");
	json_t		*row = json_array_get(rows, 0);

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_is_string(json_object_get(row, "rules"))) {
		cmd_failf(job, "in-use", "channel \"%s\" is used by notify "
		    "rule %s; remove the rule first", name,
		    json_string_value(json_object_get(row, "rules")));
		return;
	}
	if (!json_is_string(json_object_get(row, "removed"))) {
		cmd_failf(job, "unknown-channel", "unknown channel \"%s\"",
		    name);
		return;
	}
	job->res.data = json_pack("{s:s}", "removed", name);
	job->res.text = xasprintf("channel %s removed\n", name);
	cmd_done(job);
}

static void
cmd_channel_rm(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_channel_rm(job->env->store, cmd_get(job->cmd, "name"), &a,
	    channel_removed, job);
}

/* channel test: one direct send, outside the outbox, to see it work. */
struct channel_test {
	struct cmd_job		*job;
	struct http_client	*hc;
	struct notify_channel	 ch;
	struct notify_message	 msg;
	char			*body;
};

static void
channel_test_free(void *arg)
{
	struct channel_test	*t = arg;

	http_client_free(t->hc);
	notify_channel_clear(&t->ch);
	free(t->body);
	free(t);
}

/*
 * The client is freed here, inside its own callback (http_client.c
 * allows it): a later timer could be dropped by loop_free() at exit.
 */
static void
channel_tested(const struct notify_result *r, void *arg)
{
	struct channel_test	*t = arg;
	struct cmd_job		*job = t->job;
	struct err		 e;

	if (r->outcome != NOTIFY_SENT) {
		err_set(&e, "channel-failed", "channel %s: %s%s", t->ch.name,
		    r->error, r->retry_after_ms > 0 ?
		    " (rate limited: try again later)" : "");
		channel_test_free(t);
		cmd_fail(job, &e);
		return;
	}
	job->res.data = json_pack("{s:s, s:s, s:i, s:I}", "channel",
	    t->ch.name, "result", "sent", "status", (int)r->status,
	    "elapsed_ms", (json_int_t)(r->elapsed_us / 1000));
	job->res.text = xasprintf("channel %s works: %s accepted the test "
	    "message in %lld ms (status %ld)\n", t->ch.name, t->ch.kind,
	    (long long)(r->elapsed_us / 1000), r->status);
	channel_test_free(t);
	cmd_done(job);
}

static void
channel_got(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job		*job = arg;
	struct channel_test	*t;
	struct err		 e;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-channel", "unknown channel \"%s\"",
		    cmd_get(job->cmd, "name"));
		return;
	}
	t = xcalloc(1, sizeof *t);
	t->job = job;
	err_clear(&e);
	if (notify_channel_load(json_array_get(rows, 0), job->env->home,
	    &t->ch, &e) != 0) {
		free(t);
		cmd_fail(job, &e);
		return;
	}
	t->body = xasprintf("If you read this, phalanx channel %s works.",
	    t->ch.name);
	t->msg.ts_us = time_wall_us();
	t->msg.severity = "info";
	t->msg.source = "test";
	t->msg.title = "phalanx test message";
	t->msg.body = t->body;
	t->msg.ref = "test";
	t->hc = http_client_new(loop_base());
	notify_send(t->hc, &t->ch, &t->msg, (int)config_int(job->env->cfg,
	    "notify.timeout_ms"), channel_tested, t);
}

static void
cmd_channel_test(struct cmd_job *job)
{
	store_channel_get(job->env->store, cmd_get(job->cmd, "name"),
	    channel_got, job);
}

static const char *const rule_columns[] = {
	"name", "when", "source", "scope", "channels", "quiet", NULL
};

/* A target as the rows keep it: ["all"], ["group:T"], ["acct:A", ...]. */
static json_t *
target_json(const struct target *t)
{
	json_t	*a = json_array();
	char	*e;
	size_t	 i;

	if (t == NULL || t->kind == TARGET_ALL) {
		json_array_append_new(a, json_string("all"));
		return a;
	}
	for (i = 0; i < (t->kind == TARGET_GROUP ? 1 : t->n); i++) {
		e = xasprintf("%s:%s", t->kind == TARGET_GROUP ? "group" :
		    "acct", t->names[i]);
		json_array_append_new(a, json_string(e));
		free(e);
	}
	return a;
}

static void
rule_added(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct err	 e;
	json_t		*row = json_array_get(rows, 0);

	if (err != NULL) {
		store_explain(err, "notify rule", cmd_get(job->cmd, "name"),
		    &e);
		cmd_fail(job, &e);
		return;
	}
	if (json_is_string(json_object_get(row, "missing"))) {
		cmd_failf(job, "unknown-channel", "unknown channel %s (add "
		    "it with \"channel add\" first)",
		    json_string_value(json_object_get(row, "missing")));
		return;
	}
	row = json_deep_copy(row);
	json_object_del(row, "missing");
	job->res.data = row;
	job->res.text = xasprintf("notify rule %s added\n",
	    cmd_get(job->cmd, "name"));
	cmd_done(job);
}

static void
cmd_rule_add(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct store_rule	 r;
	struct store_actor	 a = cmd_actor(job);
	char			 qs[16], qe[16];

	memset(&r, 0, sizeof r);
	r.name = cmd_get(c, "name");
	r.min_severity = cmd_get(c, "severity");
	r.source = cmd_get(c, "source");
	r.scope = c->target != NULL ? target_json(c->target) : NULL;
	r.channels = split_list(cmd_get(c, "channels"));
	if (cmd_has(c, "quiet") && quiet_ok(cmd_get(c, "quiet"), qs, qe)) {
		r.quiet_start = qs;
		r.quiet_end = qe;
	}
	store_rule_add(job->env->store, &r, &a, rule_added, job);
	json_decref(r.scope);
	json_decref(r.channels);
}

static void
rules_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, rule_columns, NULL);
}

static void
cmd_rule_list(struct cmd_job *job)
{
	store_rule_list(job->env->store, rules_listed, job);
}

static void
rule_removed(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	const char	*name = cmd_get(job->cmd, "name");

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-rule", "unknown notify rule \"%s\"",
		    name);
		return;
	}
	job->res.data = json_pack("{s:s}", "removed", name);
	job->res.text = xasprintf("notify rule %s removed\n", name);
	cmd_done(job);
}

static void
cmd_rule_rm(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_rule_rm(job->env->store, cmd_get(job->cmd, "name"), &a,
	    rule_removed, job);
}

/* notify send: into the outbox, then say where it is going. */
struct send_state {
	struct cmd_job	*job;
	int64_t		 id;
};

static void
send_routed(json_t *rows, const struct err *err, void *arg)
{
	struct send_state	*s = arg;
	struct cmd_job		*job = s->job;
	struct strbuf		 b;
	size_t			 i;
	json_t			*row, *routed;
	json_int_t		 dup;

	if (err != NULL) {
		free(s);
		cmd_fail(job, err);
		return;
	}
	strbuf_init(&b);
	row = json_array_get(rows, 0);
	dup = json_integer_value(json_object_get(row, "dup_of"));
	/* One row without a channel: the alert has no delivery. */
	routed = json_is_string(json_object_get(row, "channel_name")) ?
	    json_incref(rows) : json_array();
	if (dup != 0)
		strbuf_printf(&b, "alert %lld repeats alert %lld within the "
		    "de-duplication window: counted on it (x%lld), not sent "
		    "again\n", (long long)s->id, (long long)dup,
		    (long long)json_integer_value(json_object_get(row,
		    "count")));
	else if (json_array_size(routed) == 0)
		strbuf_printf(&b, "alert %lld stored; no notify rule routes "
		    "it, so nothing will be sent\n", (long long)s->id);
	else {
		strbuf_printf(&b, "alert %lld queued for", (long long)s->id);
		json_array_foreach(routed, i, row) {
			strbuf_printf(&b, "%s %s", i ? "," : "",
			    json_string_value(json_object_get(row,
			    "channel_name")));
			if (json_is_true(json_object_get(row, "repeat_held")))
				strbuf_printf(&b, " (a repeat: held until %s "
				    "IST, then sent with the count)",
				    json_string_value(json_object_get(row,
				    "next_at")));
			else if (json_is_true(json_object_get(row, "held")))
				strbuf_printf(&b, " (quiet hours: held until "
				    "%s IST)", json_string_value(
				    json_object_get(row, "next_at")));
		}
		strbuf_putc(&b, '\n');
	}
	job->res.text = strbuf_steal(&b);
	job->res.data = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)s->id,
	    "repeat_of", dup != 0 ? json_integer(dup) : json_null(),
	    "deliveries", routed);
	free(s);
	cmd_done(job);
}

static void
send_enqueued(int64_t id, const struct err *err, void *arg)
{
	struct send_state	*s = arg;

	if (err != NULL) {
		struct cmd_job *job = s->job;

		free(s);
		cmd_fail(job, err);
		return;
	}
	s->id = id;
	store_alert_deliveries(s->job->env->store, id, send_routed, s);
}

static char *
scope_text(const struct target *t)
{
	json_t		*a = target_json(t), *e;
	struct strbuf	 b;
	size_t		 i;

	strbuf_init(&b);
	json_array_foreach(a, i, e)
		strbuf_printf(&b, "%s%s", i ? "," : "", json_string_value(e));
	json_decref(a);
	return strbuf_steal(&b);
}

static void
cmd_notify_send(struct cmd_job *job)
{
	const struct cmd	*c = job->cmd;
	struct store_notify_msg	 m;
	struct send_state	*s;
	const char		*text = cmd_get(c, "text");
	const char		*path = cmd_get(c, "attach");
	char			*scope = NULL, *origin, *abs = NULL, *title;
	size_t			 n;

	memset(&m, 0, sizeof m);
	if (path != NULL) {
		if ((abs = realpath(path, NULL)) == NULL ||
		    access(abs, R_OK) != 0) {
			free(abs);
			cmd_failf(job, "bad-value", "attach: cannot read "
			    "\"%s\"", path);
			return;
		}
		m.attachments = json_pack("[{s:s, s:s}]", "path", abs,
		    "name", strrchr(abs, '/') + 1);
		free(abs);
	}
	if (cmd_get(c, "title") != NULL) {
		title = xstrdup(cmd_get(c, "title"));
		m.body = text;
	} else {
		/* The first line is the title; all of it the body if longer. */
		n = strcspn(text, "\n");
		if (n > 120)
			n = 120;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
		title = xstrndup(text, n > 0 ? n : strlen(text));
		m.body = strlen(title) < strlen(text) ? text : "";
	}
	if (c->target != NULL)
		scope = scope_text(c->target);
	origin = xasprintf("%s@%s", path_os_user(), job->env->front);
	m.severity = cmd_get(c, "severity");
	m.source = cmd_get(c, "source") != NULL ? cmd_get(c, "source") :
	    "operator";
	m.scope = scope;
	m.title = title;
	m.ref = cmd_get(c, "ref");
	m.channels = cmd_has(c, "channels") ? split_list(cmd_get(c,
	    "channels")) : NULL;
	m.origin = origin;
	s = xcalloc(1, sizeof *s);
	s->job = job;
	notify_enqueue(store_conn(job->env->store), &m, send_enqueued, s);
	json_decref(m.attachments);
	json_decref(m.channels);
	free(scope);
	free(origin);
	free(title);
}

static const char *const alert_columns[] = {
	"id", "ts", "severity", "source", "scope", "title", "state",
	"deliveries", "latency_ms", NULL
};

static void
alerts_listed(json_t *rows, const struct err *err, void *arg)
{
	cmd_rows(arg, rows, err, alert_columns, NULL);
}

static void
cmd_alerts(struct cmd_job *job)
{
	int64_t	n = cmd_get_int(job->cmd, "last", 20);

	if (n < 1 || n > 10000) {
		cmd_failf(job, "bad-value", "last: expected 1 to 10000 "
		    "alerts, got %lld", (long long)n);
		return;
	}
	store_alert_list(job->env->store, (int)n, cmd_has(job->cmd, "failed"),
	    alerts_listed, job);
}

static const char *
js(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "-";
}

static void
alert_text(struct strbuf *b, json_t *a)
{
	json_t	*d, *t;
	size_t	 i, j;

	strbuf_printf(b, "alert %lld  %s  %s from %s", (long long)
	    json_integer_value(json_object_get(a, "id")), js(a, "ts"),
	    js(a, "severity"), js(a, "source"));
	if (json_is_string(json_object_get(a, "scope")))
		strbuf_printf(b, " about %s", js(a, "scope"));
	if (json_is_string(json_object_get(a, "ref")))
		strbuf_printf(b, " (ref %s)", js(a, "ref"));
	strbuf_printf(b, "\n  %s\n", js(a, "title"));
	if (*js(a, "body") != '\0' && strcmp(js(a, "body"), "-") != 0)
		strbuf_printf(b, "  %s\n", js(a, "body"));
	if (json_array_size(json_object_get(a, "deliveries")) == 0)
		strbuf_puts(b, "  no deliveries: no rule routed it\n");
	json_array_foreach(json_object_get(a, "deliveries"), i, d) {
		strbuf_printf(b, "  %-16s %-8s attempts %lld", js(d, "channel"),
		    js(d, "state"), (long long)json_integer_value(
		    json_object_get(d, "attempts")));
		if (json_is_integer(json_object_get(d, "latency_ms")))
			strbuf_printf(b, ", delivered in %lld ms",
			    (long long)json_integer_value(json_object_get(d,
			    "latency_ms")));
		else if (strcmp(js(d, "state"), "PENDING") == 0)
			strbuf_printf(b, ", next at %s", js(d, "next_at"));
		strbuf_putc(b, '\n');
		if (json_is_string(json_object_get(d, "last_error")))
			strbuf_printf(b, "    last error: %s\n",
			    js(d, "last_error"));
		json_array_foreach(json_object_get(d, "tries"), j, t) {
			strbuf_printf(b, "    #%zu %s %-6s", j + 1, js(t, "ts"),
			    js(t, "outcome"));
			if (json_is_integer(json_object_get(t, "http_status")))
				strbuf_printf(b, " status %lld", (long long)
				    json_integer_value(json_object_get(t,
				    "http_status")));
			strbuf_printf(b, " %lld ms by %s", (long long)
			    json_integer_value(json_object_get(t,
			    "elapsed_ms")), js(t, "worker"));
			if (json_is_string(json_object_get(t, "error")))
				strbuf_printf(b, ": %s", js(t, "error"));
			strbuf_putc(b, '\n');
		}
	}
}

static void
alert_shown(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "unknown-alert", "unknown alert %s",
		    cmd_get(job->cmd, "id"));
		return;
	}
	job->res.data = json_deep_copy(json_array_get(rows, 0));
	strbuf_init(&b);
	alert_text(&b, job->res.data);
	job->res.text = strbuf_steal(&b);
	cmd_done(job);
}

static void
cmd_alert_show(struct cmd_job *job)
{
	store_alert_show(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    alert_shown, job);
}

static void
alert_retried(json_t *rows, const struct err *err, void *arg)
{
	struct cmd_job	*job = arg;
	struct strbuf	 b;
	size_t		 i;
	json_t		*row, *names;

	if (err != NULL) {
		cmd_fail(job, err);
		return;
	}
	if (json_array_size(rows) == 0) {
		cmd_failf(job, "nothing-to-retry", "alert %s has no failed "
		    "delivery to retry (see \"alert show %s\")",
		    cmd_get(job->cmd, "id"), cmd_get(job->cmd, "id"));
		return;
	}
	strbuf_init(&b);
	names = json_array();
	strbuf_printf(&b, "alert %s: retrying", cmd_get(job->cmd, "id"));
	json_array_foreach(rows, i, row) {
		strbuf_printf(&b, "%s %s", i ? "," : "", js(row,
		    "channel_name"));
		json_array_append(names, json_object_get(row, "channel_name"));
	}
	strbuf_putc(&b, '\n');
	job->res.text = strbuf_steal(&b);
	job->res.data = json_pack("{s:I, s:o}", "id", (json_int_t)
	    cmd_get_int(job->cmd, "id", 0), "retrying", names);
	cmd_done(job);
}

static void
cmd_alert_retry(struct cmd_job *job)
{
	struct store_actor	a = cmd_actor(job);

	store_alert_retry(job->env->store, cmd_get_int(job->cmd, "id", 0),
	    &a, alert_retried, job);
}

cmd_handler
cmd_notify_handler(enum cmd_kind kind)
{
	switch (kind) {
	case CMD_CHANNEL_ADD:
		return cmd_channel_add;
	case CMD_CHANNEL_LIST:
		return cmd_channel_list;
	case CMD_CHANNEL_RM:
		return cmd_channel_rm;
	case CMD_CHANNEL_TEST:
		return cmd_channel_test;
	case CMD_NOTIFY_RULE_ADD:
		return cmd_rule_add;
	case CMD_NOTIFY_RULE_LIST:
		return cmd_rule_list;
	case CMD_NOTIFY_RULE_RM:
		return cmd_rule_rm;
	case CMD_NOTIFY_SEND:
		return cmd_notify_send;
	case CMD_ALERTS:
		return cmd_alerts;
	case CMD_ALERT_SHOW:
		return cmd_alert_show;
	case CMD_ALERT_RETRY:
		return cmd_alert_retry;
	default:
		return NULL;
	}
}
